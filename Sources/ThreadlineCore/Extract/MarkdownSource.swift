import Foundation
import ThreadlineYAML

/// Reads markdown files whose YAML front matter holds a Q&A archive: one document per file, one thread
/// per archive entry, its nested replies in order.
///
/// ```yaml
/// - type: markdown
///   include: ["books/*.md"]
///   exclude: ["books/_*.md"]
///   archive_key: archive      # the front-matter list of questions
///   author_key: name
///   text_key: text
///   replies_key: replies
/// ```
public struct MarkdownSource: ExtractStep {
    /// The rules `threadline validate` checks files against when no pipeline gives others: their keys and
    /// required keys are the options' defaults.
    private static let rules = ArchiveRules.bookArchive

    static let include = OptionKey<[String]>.include(example: "[\"books/*.md\"]")
    static let archiveKey = OptionKey<String>.string("archive_key", default: rules.archiveKey, "front-matter key of the list of questions")
    static let authorKey = OptionKey<String>.string("author_key", default: rules.authorKey, "key of an entry's author")
    static let textKey = OptionKey<String>.string("text_key", default: rules.textKey, "key of an entry's text")
    static let repliesKey = OptionKey<String>.string("replies_key", default: rules.repliesKey, "key of an entry's list of replies")
    static let hostsKey = OptionKey<String>.string(
        "hosts_key", default: rules.hostsKey, "front-matter key of the document's hosts (names or profile ids)")
    static let maxFileBytes = OptionKey<Int>.byteSize(
        "max_file_bytes", default: SeedValidator.defaultMaxFileBytes, "files larger than this are rejected whole")
    static let requiredKeys = OptionKey<[String]>.strings(
        "required_keys", default: rules.fields.filter(\.required).map(\.key),
        "front-matter keys `threadline validate --pipeline` requires of every file; the default's `authors` follows `hosts_key`")

    public static let type = StepType.extract(
        name: "markdown",
        summary: "markdown files whose YAML front matter holds a Q&A archive (title, description, authors, start, end, links, archive)",
        options: [
            include.spec, OptionKey.exclude.spec, archiveKey.spec, authorKey.spec, textKey.spec, repliesKey.spec, hostsKey.spec,
            maxFileBytes.spec, requiredKeys.spec,
        ],
        example: """
            - type: markdown
              include: ["books/*.md"]
            """,
        make: { options, _ in MarkdownSource(options: options) })

    /// The run-summary category of files whose front matter has no archive.
    public static let withoutArchive = NoteCategory("documents without an archive", key: "documents_without_an_archive")
    /// The run-summary category of entries kept with an empty text (a reply that was only an image).
    public static let emptyTexts = NoteCategory("empty texts kept", key: "empty_texts_kept")

    public let include: [String]
    public let exclude: [String]
    public let archiveKey: String
    public let authorKey: String
    public let textKey: String
    public let repliesKey: String
    public let hostsKey: String
    public let maxFileBytes: Int
    /// The front-matter keys `validate --pipeline` requires, when the pipeline gives them; nil for the
    /// book archive's own, which follow the renamed keys.
    public let requiredKeys: [String]?

    public init(options: StepOptions) {
        include = options[Self.include]
        exclude = options[.exclude]
        archiveKey = options[Self.archiveKey]
        authorKey = options[Self.authorKey]
        textKey = options[Self.textKey]
        repliesKey = options[Self.repliesKey]
        hostsKey = options[Self.hostsKey]
        maxFileBytes = options[Self.maxFileBytes]
        requiredKeys = options.isWritten(Self.requiredKeys) ? options[Self.requiredKeys] : nil
    }

    public func plan(_ catalog: InputCatalog) throws -> [Input] {
        catalog.matching(include: include, exclude: exclude).map { entry in
            Input(
                path: catalog.absolutePath(entry.relativePath), relativePath: entry.relativePath,
                sortKey: MarkdownSource.documentID(entry.relativePath), bytes: entry.bytes)
        }
    }

    /// A markdown file's name without `.md`.
    static func documentID(_ relativePath: String) -> String {
        let name = (relativePath as NSString).lastPathComponent
        return name.hasSuffix(".md") ? String(name.dropLast(3)) : name
    }

    public func extract(_ part: InputPart, of input: Input, opened: Void, into result: inout ExtractResult) {
        let file = input.relativePath
        func rejectFile(_ reason: String, line: Int? = nil, column: Int? = nil) {
            var reject = Reject.wholeFile(file, line: line, column: column, step: Self.type.name, reason: reason, bytes: input.bytes)
            reject.keep(fileAt: input.path)
            result.rejects.append(reject)
        }
        let text: String
        do {
            let read = try TextFile(path: input.path, maxBytes: maxFileBytes)
            text = read.text
            result.inputSHA256 = read.sha256 ?? ""
        } catch {
            return rejectFile(error.reason, line: error.line, column: error.column)
        }
        let frontMatter: FrontMatter
        do {
            frontMatter = try FrontMatter(splitting: text)
        } catch {
            return rejectFile(error.reason, line: error.line, column: 1)
        }
        let offset = frontMatter.firstLine - 1
        // The archive's entries become messages as the parser reads them, so the entries' nodes are
        // never all held at once (a file may have 200,000 of them).
        var reader = ArchiveReader(source: self, file: file, offset: offset, yaml: frontMatter.yaml)
        let root: YAMLNode
        do {
            guard let parsed = try YAMLReader().parse(frontMatter.yaml, streamingItemsOf: archiveKey, to: { reader.add($0) }) else {
                return rejectFile("front matter is empty", line: 1, column: 1)
            }
            root = parsed
        } catch {
            let error = error.inFile(startingAtLine: frontMatter.firstLine)
            return rejectFile("invalid YAML in front matter: \(error.message)", line: error.line, column: error.column)
        }
        guard root.entries != nil else {
            return rejectFile("front matter must be a mapping of keys, not \(root.kindDescription)", line: root.line + offset, column: root.column)
        }
        var document = Document(id: MarkdownSource.documentID(file), source: Self.type.name, sourceFile: file)
        document.title = root["title"].flatMap(reader.text)
        document.description = root["description"].flatMap(reader.text)
        document.hosts = root[hostsKey].map(reader.strings) ?? []
        document.startsAt = root["start"].flatMap { reader.timestamp($0, key: "start", notes: &result.notes) }
        document.endsAt = root["end"].flatMap { reader.timestamp($0, key: "end", notes: &result.notes) }
        document.links = root["links"].map(reader.links) ?? []

        if let archive = root[archiveKey], !archive.isNull {
            guard let entries = archive.items else {
                return rejectFile("'\(archiveKey)' must be a list of entries, not \(archive.kindDescription)", line: archive.line + offset, column: archive.column)
            }
            // Empty when the parser handed the entries over; the entries of an anchored or aliased list.
            for entry in entries { reader.add(entry) }
            document.threads = reader.finish(into: &result)
        } else {
            result.notes.count(Self.withoutArchive, file)
        }
        result.documents.append(document)
    }
}

/// Walks one file's archive as the parser hands its entries over, turning entries into messages and bad
/// entries into rejects.
private struct ArchiveReader {
    let source: MarkdownSource
    let file: String
    /// Added to front-matter line numbers to give file line numbers.
    let offset: Int
    /// The front matter's text, split into lines only when a reject needs its record.
    let yaml: String
    /// The entries' threads, rejects, rows and notes so far: the file's only once its front matter has
    /// been read to the end (a file whose YAML turns out invalid is rejected whole).
    private var threads: [Thread] = []
    private var rejects: [Reject] = []
    private var rows = 0
    private var notes = RunNotes()
    /// The entry handed over last, waiting for the next one, whose line ends its record.
    private var pending: YAMLNode?
    /// Entries handed over so far, rejected ones included: the next entry's number.
    private var count = 0

    init(source: MarkdownSource, file: String, offset: Int, yaml: String) {
        self.source = source
        self.file = file
        self.offset = offset
        self.yaml = yaml
    }

    /// Takes the archive's next entry.
    mutating func add(_ entry: YAMLNode) {
        if let previous = pending { read(previous, next: entry.line) }
        pending = entry
    }

    /// The threads of every entry taken, after adding the entries' rejects, rows and notes to `result`.
    /// Called once, after the last entry.
    mutating func finish(into result: inout ExtractResult) -> [Thread] {
        if let last = pending { read(last, next: nil) }
        pending = nil
        result.rejects += rejects
        result.inputRows += rows
        result.notes.merge(notes)
        return threads
    }

    func text(_ node: YAMLNode) -> String? {
        node.isNull ? nil : node.scalar
    }

    func strings(_ node: YAMLNode) -> [String] {
        if let text = text(node) { return [text] }
        return node.items?.compactMap(text) ?? []
    }

    func timestamp(_ node: YAMLNode, key: String, notes: inout RunNotes) -> Timestamp? {
        guard let text = text(node) else { return nil }
        guard let value = Timestamp(parsing: text) else {
            notes.count(.warnings, "\(file):\(node.line + offset):\(node.column): '\(key)' is not a date-time: '\(text)'")
            return nil
        }
        return value
    }

    func links(_ node: YAMLNode) -> [String] {
        (node.items ?? [node]).compactMap { item in
            if let url = text(item) { return url }
            return item["link"].flatMap(text) ?? item["url"].flatMap(text)
        }
    }

    /// The raw lines of a node, up to the next sibling, for quarantine.
    func record(from line: Int, to nextLine: Int?) -> String {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let start = max(0, line - 1)
        let end = min(lines.count, (nextLine ?? lines.count + 1) - 1)
        return start < end ? lines[start..<end].joined(separator: "\n") : ""
    }

    /// Entry number `count` as a thread: the question and its replies; `next` is the following entry's
    /// line, if any.
    private mutating func read(_ entry: YAMLNode, next: Int?) {
        let key = "q\(count)"
        count += 1
        var messages: [Message] = []
        if let question = message(entry, key: key, parentKey: nil, next: next) {
            messages.append(question)
        }
        if let replies = entry[source.repliesKey], !replies.isNull {
            if let items = replies.items {
                for (replyIndex, reply) in items.enumerated() {
                    let nextReply = replyIndex + 1 < items.count ? items[replyIndex + 1].line : next
                    if let message = message(reply, key: "\(key).r\(replyIndex)", parentKey: key, next: nextReply) {
                        messages.append(message)
                    }
                }
            } else {
                rows += 1
                rejects.append(Reject(
                    file: file, line: replies.line + offset, column: replies.column, step: MarkdownSource.type.name,
                    reason: "'\(source.repliesKey)' must be a list of entries, not \(replies.kindDescription)",
                    record: record(from: replies.line, to: next)))
            }
        }
        if !messages.isEmpty { threads.append(Thread(messages: messages)) }
    }

    /// One entry as a message, or nil after recording why it was rejected. Counts one input row.
    private mutating func message(_ node: YAMLNode, key: String, parentKey: String?, next: Int?) -> Message? {
        rows += 1
        let line = node.line + offset
        func reject(_ reason: String, at target: YAMLNode? = nil) -> Message? {
            let at = target ?? node
            rejects.append(Reject(
                file: file, line: at.line + offset, column: at.column, step: MarkdownSource.type.name, reason: reason,
                record: record(from: node.line, to: next)))
            return nil
        }
        guard node.entries != nil else {
            return reject("an archive entry must be a mapping with '\(source.authorKey)' and '\(source.textKey)', not \(node.kindDescription)")
        }
        guard let authorNode = node[source.authorKey], let author = text(authorNode),
              !author.allSatisfy(\.isWhitespace)
        else {
            return reject("entry has no author ('\(source.authorKey)')")
        }
        var body = ""
        if let textNode = node[source.textKey], !textNode.isNull {
            guard let scalar = textNode.scalar else {
                return reject("'\(source.textKey)' must be text, not \(textNode.kindDescription)", at: textNode)
            }
            body = scalar
        }
        if body.isEmpty { notes.count(MarkdownSource.emptyTexts, file) }
        return Message(key: key, parentKey: parentKey, sourceLine: line, authorRaw: author, textRaw: body)
    }
}
