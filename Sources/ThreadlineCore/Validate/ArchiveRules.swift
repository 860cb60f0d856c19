/// The rules a front-matter archive must follow, as data: which keys it has, of which kind, which are
/// required, and the keys of its entries. `threadline validate` checks them; a pipeline's `markdown`
/// step can override the keys.
public struct ArchiveRules: Sendable {
    /// What a front-matter value must be.
    public enum Kind: String, Sendable {
        case string = "a string"
        case dateTime = "a date-time such as 2021-03-08 00:00:00"
        case stringList = "a list of strings"
        /// A list of URLs, or of mappings with `link`.
        case links = "a list of links"
        case list = "a list"
    }

    public struct Field: Sendable {
        public var key: String
        public var kind: Kind
        public var required: Bool

        public init(_ key: String, _ kind: Kind, required: Bool = false) {
            self.key = key
            self.kind = kind
            self.required = required
        }
    }

    public var fields: [Field]
    public var archiveKey = "archive"
    public var authorKey = "name"
    public var textKey = "text"
    public var repliesKey = "replies"
    /// The key of the document's hosts.
    public var hostsKey = "authors"
    /// The key whose date a `YYYYMMDD-slug.md` file name must agree with.
    public var dateKey = "start"
    public var startKey = "start"
    public var endKey = "end"

    public init(fields: [Field]) {
        self.fields = fields
    }

    /// The "book of the week" archives of `seeds/books/`.
    public static let bookArchive = ArchiveRules(fields: [
        Field("title", .string, required: true),
        Field("description", .string),
        Field("cover", .string),
        Field("image", .string),
        Field("start", .dateTime, required: true),
        Field("end", .dateTime, required: true),
        Field("authors", .stringList, required: true),
        Field("links", .links),
        Field("archive", .list),
    ])

    /// A person's profile (`seeds/people/*.md`), which `normalise_authors` reads: a file whose front
    /// matter has `short` and no archive is checked against these.
    public static let profileKey = "short"

    public static let profile: ArchiveRules = {
        var rules = ArchiveRules(fields: [Field(profileKey, .string, required: true), Field("title", .string, required: true)])
        rules.archiveKey = ""
        rules.dateKey = ""
        return rules
    }()

    /// The rules with a `markdown` step's keys: its archive, author, text, replies and hosts keys and
    /// its `required_keys`.
    public static func from(_ source: MarkdownSource) -> ArchiveRules {
        var rules = ArchiveRules.bookArchive
        rules.setFieldKey(\.archiveKey, to: source.archiveKey)
        rules.setFieldKey(\.hostsKey, to: source.hostsKey)
        rules.authorKey = source.authorKey
        rules.textKey = source.textKey
        rules.repliesKey = source.repliesKey
        // The default is the book archive's own required keys, which the renames above carried along.
        guard let required = source.requiredKeys else { return rules }
        for index in rules.fields.indices { rules.fields[index].required = required.contains(rules.fields[index].key) }
        for key in required where !rules.fields.contains(where: { $0.key == key }) {
            rules.fields.append(Field(key, .string, required: true))
        }
        return rules
    }

    /// Sets the front-matter key at `keyPath` to `key`, renaming the field it named.
    private mutating func setFieldKey(_ keyPath: WritableKeyPath<ArchiveRules, String>, to key: String) {
        if let index = fields.firstIndex(where: { $0.key == self[keyPath: keyPath] }) { fields[index].key = key }
        self[keyPath: keyPath] = key
    }
}
