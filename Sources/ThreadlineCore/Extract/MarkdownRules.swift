import Foundation
import ThreadlineYAML

/// The rules of front-matter archives, which the `markdown` step applies as it reads a file: a run
/// rejects what the rejecting ones find, and `validate` reads the file through the same step, adding
/// the checks of metadata that a run tolerates.
package enum MarkdownRules {
    package static let emptyFile = Rule("empty-file", .error, run: .reject, "an empty file")
    package static let binaryFile = Rule("binary-file", .error, run: .reject, "a file with a NUL byte: not text")
    package static let notUTF8 = Rule("not-utf8", .error, run: .reject, "bytes that are not UTF-8")
    package static let noFrontMatter = Rule(
        "no-front-matter", .error, run: .reject, "no `---` line at the start of the file, or none that closes the front matter")
    package static let notYAML = Rule(
        "not-yaml", .error, run: .reject,
        "front matter that is not YAML (with a note in plain words), or beyond YAML's limits: nesting, aliases")
    package static let duplicateKey = Rule(
        "duplicate-key", .warning, run: .count,
        "a key given twice in one mapping of the front matter: the last value is read, as Jekyll reads it, except that every list of entries or replies is read")
    package static let frontMatterShape = Rule(
        "front-matter-shape", .error, run: .reject, "front matter that is empty, or not a mapping of keys")
    package static let archiveNotList = Rule(
        "archive-not-list", .error, run: .reject, "an archive (`archive_key`) that is not a list of entries")
    package static let entryNotMapping = Rule(
        "entry-not-mapping", .error, run: .reject, "an archive entry or a reply that is not a mapping")
    package static let noAuthor = Rule(
        "no-author", .error, run: .reject, "an archive entry or a reply whose author (`author_key`) is missing, empty or blank")
    package static let textNotString = Rule(
        "text-not-string", .error, run: .reject, "a text (`text_key`) that is a list or a mapping")
    package static let repliesNotList = Rule(
        "replies-not-list", .error, run: .reject, "replies (`replies_key`) that are not a list")
    package static let unexpectedEntry = Rule(
        "unexpected-entry", .error, run: .reject,
        "a mapping with an author and a text where the archive expects none (replies of a reply, a list under a misspelt key): rejected with its raw text")
    package static let emptyText = Rule(
        "empty-text", .warning, run: .count, "an archive entry or a reply with no text or an empty one (a run keeps it, with an empty text)")
    package static let badDate = Rule(
        "bad-date", .error, run: .count, "`start` or `end` that is not a date-time such as 2021-03-08 00:00:00 (a run leaves it null)")
    package static let unknownKey = Rule(
        "unknown-key", .warning, run: .nothing, "a key of the front matter, an entry or a reply that the archive does not have (in a profile, only one close to `short` or `title`)")
    package static let missingKey = Rule(
        "missing-key", .error, run: .nothing, "a front-matter key that `required_keys` requires is missing or null")
    package static let keyType = Rule(
        "key-type", .error, run: .nothing,
        "a front-matter value of the wrong kind: `title` and `description` text, the hosts (`authors`) a list of names (one name may be a plain text; one with commas is several names run together)")
    package static let endBeforeStart = Rule("end-before-start", .error, run: .nothing, "`end` is before `start`")
    package static let badLink = Rule(
        "bad-link", .error, run: .nothing, "an item of `links` (a list, or a mapping of labels to URLs) that is neither a URL nor a mapping with `link` (or `url`)")
    package static let fileNameDate = Rule(
        "file-name-date", .warning, run: .nothing, "a `YYYYMMDD-slug.md` file name whose date is not the date of `start`")
    package static let tabIndent = Rule(
        "tab-indent", .warning, run: .nothing,
        "a front-matter line indented with a tab that YAML let through (a tab inside a quoted or block text is text)")

    package static let all = [
        emptyFile, binaryFile, notUTF8, noFrontMatter, notYAML, duplicateKey, frontMatterShape, archiveNotList, entryNotMapping, noAuthor,
        textNotString, repliesNotList, unexpectedEntry, emptyText, badDate, unknownKey, missingKey, keyType, endBeforeStart,
        badLink, fileNameDate, tabIndent,
    ]
}

/// The keys a front-matter archive has, as data: which, of which kind, which are required, and the keys
/// of its entries. The `markdown` step's options set them; `validate` checks the front matter against them.
package struct ArchiveRules: Sendable {
    /// What a front-matter value must be.
    package enum Kind: String, Sendable {
        case string = "a string"
        case dateTime = "a date-time such as 2021-03-08 00:00:00"
        case stringList = "a list of strings"
        /// A list of URLs, or of mappings with `link`; or a mapping of labels to URLs.
        case links = "a list of links"
        case list = "a list"
    }

    package struct Field: Sendable {
        package var key: String
        package var kind: Kind
        package var required: Bool

        package init(_ key: String, _ kind: Kind, required: Bool = false) {
            self.key = key
            self.kind = kind
            self.required = required
        }
    }

    package var fields: [Field]
    package var archiveKey = "archive"
    package var authorKey = "name"
    package var textKey = "text"
    package var repliesKey = "replies"
    /// The key of the document's hosts.
    package var hostsKey = "authors"
    /// The key whose date a `YYYYMMDD-slug.md` file name must agree with.
    package var dateKey = "start"
    package var startKey = "start"
    package var endKey = "end"
    /// Whether every key the fields do not name is an `unknown-key` finding, or only one close to a
    /// field's key (a misspelling): a profile is a page of the site, free to hold any other keys.
    package var reportsEveryUnknownKey = true

    package init(fields: [Field]) {
        self.fields = fields
    }

    /// The "book of the week" archives of `seeds/books/`.
    package static let bookArchive = ArchiveRules(fields: [
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
    package static let profileKey = "short"

    package static let profile: ArchiveRules = {
        var rules = ArchiveRules(fields: [Field(profileKey, .string, required: true), Field("title", .string, required: true)])
        rules.archiveKey = ""
        rules.dateKey = ""
        rules.reportsEveryUnknownKey = false
        return rules
    }()

    /// The rules with a `markdown` step's keys: its archive, author, text, replies and hosts keys and
    /// its `required_keys`.
    package static func from(_ source: MarkdownSource) -> ArchiveRules {
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

/// The checks of front-matter metadata that only `validate` makes (a run reads what it can of it).
struct FrontMatterCheck {
    let rules: ArchiveRules
    let file: String
    /// The file's name, for the `YYYYMMDD-slug.md` check.
    let name: String
    /// Added to front-matter line numbers to give file line numbers.
    let offset: Int

    func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(file: file, line: node.line + offset, column: node.column)
    }

    /// The findings for the root mapping's `entries`; `times` are the date-times the run read (`start`,
    /// `end`), whose form the run checks itself.
    func check(_ entries: [YAMLEntry], times: [String: (Timestamp, YAMLNode)], into result: inout ExtractResult) {
        let known = rules.fields.map(\.key)
        for entry in entries where !known.contains(entry.key) {
            guard rules.reportsEveryUnknownKey || Suggestion.closest(to: entry.key, in: known) != nil else { continue }
            result.report(
                MarkdownRules.unknownKey, "unknown key '\(entry.key)'",
                at: SourceLocation(file: file, line: entry.keyLine + offset, column: entry.keyColumn),
                notes: [Suggestion.note(for: entry.key, in: known)])
        }
        var times = times
        for field in rules.fields {
            guard let node = entries.last(where: { $0.key == field.key })?.value, !node.isNull else {
                if field.required {
                    result.report(MarkdownRules.missingKey, "missing required key '\(field.key)'", at: SourceLocation(file: file, line: 1, column: 1))
                }
                continue
            }
            switch field.kind {
            case .string:
                if node.scalar == nil {
                    result.report(MarkdownRules.keyType, "'\(field.key)' must be \(field.kind.rawValue), not \(node.kindDescription)", at: location(node))
                }
            case .dateTime:
                // `start` and `end` are read, and reported, by the run's own reading.
                guard times[field.key] == nil, field.key != rules.startKey, field.key != rules.endKey else { continue }
                if let text = node.scalar, let time = Timestamp(parsing: text) {
                    times[field.key] = (time, node)
                } else {
                    result.report(
                        MarkdownRules.badDate, "'\(field.key)' must be \(field.kind.rawValue), not '\(node.scalar ?? node.kindDescription)'",
                        at: location(node))
                }
            case .stringList:
                if case .scalar(let text, plain: true) = node.kind, text.contains(",") {
                    // A run takes one plain text as one name: 'martin, luciano' would be one host.
                    let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")
                    result.report(
                        MarkdownRules.keyType, "'\(field.key)' must be \(field.kind.rawValue), not one text of several names '\(text)'",
                        at: location(node), notes: ["a plain text is one name: list several in brackets, \(field.key): [\(names)]"])
                } else if node.scalar == nil, node.items?.allSatisfy({ $0.scalar != nil && !$0.isNull }) != true {
                    result.report(MarkdownRules.keyType, "'\(field.key)' must be \(field.kind.rawValue)", at: location(node))
                } else if node.items?.isEmpty == true, field.required {
                    result.report(MarkdownRules.missingKey, "'\(field.key)' must not be empty", at: location(node))
                }
            case .links:
                for item in MarkdownSource.linkItems(node) where MarkdownSource.linkURL(item) == nil {
                    // A misspelt key (`list:`, `lnk:`) is named at its place.
                    let misspelt = item.entries?.first { Suggestion.closest(to: $0.key, in: MarkdownSource.linkKeys) != nil }
                    let notes = misspelt.map { [Suggestion.note(for: $0.key, in: MarkdownSource.linkKeys)] } ?? []
                    result.report(
                        MarkdownRules.badLink, "a link must be a URL or a mapping with 'link' (or 'url')",
                        at: misspelt.map { SourceLocation(file: file, line: $0.keyLine + offset, column: $0.keyColumn) } ?? location(item),
                        notes: notes)
                }
            case .list:
                // The archive itself: its shape is the run's to judge.
                if field.key != rules.archiveKey, node.items == nil {
                    result.report(
                        MarkdownRules.keyType, "'\(field.key)' must be \(field.kind.rawValue) of entries, not \(node.kindDescription)",
                        at: location(node))
                }
            }
        }
        if let (start, _) = times[rules.startKey], let (end, endNode) = times[rules.endKey], end < start {
            result.report(MarkdownRules.endBeforeStart, "'\(rules.endKey)' (\(end.iso8601)) is before '\(rules.startKey)' (\(start.iso8601))", at: location(endNode))
        }
        if let (date, node) = times[rules.dateKey] {
            fileNameDate(agreesWith: date, at: node, into: &result)
        }
    }

    /// `YYYYMMDD-slug.md` names should carry the archive's start date.
    func fileNameDate(agreesWith date: Timestamp, at node: YAMLNode, into result: inout ExtractResult) {
        let digits = name.prefix(8)
        guard digits.count == 8, digits.allSatisfy(\.isNumber), name.dropFirst(8).first == "-" else { return }
        let expected = String(date.iso8601.prefix(10).filter(\.isNumber))
        if digits != expected {
            result.report(
                MarkdownRules.fileNameDate, "file name date \(digits) disagrees with '\(rules.dateKey)' (\(date.iso8601.prefix(10)))",
                at: location(node), notes: ["rename the file to \(expected)\(name.dropFirst(8)) or correct '\(rules.dateKey)'"])
        }
    }
}
