import Foundation
import ThreadlineText
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
package struct MarkdownSource: ExtractStep {
    /// The rules `threadline validate` checks files against when no pipeline gives others: their keys and
    /// required keys are the options' defaults.
    private static let rules = ArchiveRules.bookArchive
    /// The largest file read, unless `max_file_bytes` says otherwise.
    package static let defaultMaxFileBytes = 64 << 20

    static let include = OptionKey<[String]>.include(example: "[\"books/*.md\"]")
    static let archiveKey = OptionKey<String>.string("archive_key", default: rules.archiveKey, "front-matter key of the list of questions")
    static let authorKey = OptionKey<String>.string("author_key", default: rules.authorKey, "key of an entry's author")
    static let textKey = OptionKey<String>.string("text_key", default: rules.textKey, "key of an entry's text")
    static let repliesKey = OptionKey<String>.string("replies_key", default: rules.repliesKey, "key of an entry's list of replies")
    static let hostsKey = OptionKey<String>.string(
        "hosts_key", default: rules.hostsKey, "front-matter key of the document's hosts (names or profile ids)")
    static let maxFileBytes = OptionKey<Int>.byteSize(
        "max_file_bytes", default: defaultMaxFileBytes, "files larger than this are rejected whole")
    static let requiredKeys = OptionKey<[String]>.strings(
        "required_keys", default: rules.fields.filter(\.required).map(\.key),
        "front-matter keys `threadline validate --pipeline` requires of every file; the default's `authors` follows `hosts_key`")

    package static let type = StepType.extract(
        name: "markdown",
        summary: "markdown files whose YAML front matter holds a Q&A archive (title, description, authors, start, end, links, archive)",
        options: [
            include.spec, OptionKey.exclude.spec, OptionKey.minInputs.spec, archiveKey.spec, authorKey.spec, textKey.spec, repliesKey.spec, hostsKey.spec,
            maxFileBytes.spec, requiredKeys.spec,
        ],
        rules: [InputRules.tooLarge] + MarkdownRules.all,
        example: """
            - type: markdown
              include: ["books/*.md"]
            """,
        make: { options, _ in MarkdownSource(options: options) })

    /// The keys of a `links` item that give its URL, in the order they are read.
    static let linkKeys = ["link", "url"]

    /// The items of `links`: a list's items; a mapping of labels to URLs' values (`youtube: https://…`);
    /// else the value itself, one URL or one mapping with `link`.
    static func linkItems(_ node: YAMLNode) -> [YAMLNode] {
        if let items = node.items { return items }
        if let entries = node.entries, !entries.contains(where: { linkKeys.contains($0.key) }) { return entries.map(\.value) }
        return [node]
    }

    /// The URL of an item of `links`: the item itself, or its `link` (else `url`); nil when it has none.
    static func linkURL(_ item: YAMLNode) -> String? {
        if !item.isNull, let url = item.scalar { return url }
        for key in linkKeys {
            if let value = item[key], !value.isNull, let url = value.scalar { return url }
        }
        return nil
    }

    /// The run-summary category of files whose front matter has no archive.
    package static let withoutArchive = NoteCategory("documents without an archive", key: "documents_without_an_archive")
    /// The run-summary category of entries kept with an empty text (a reply that was only an image).
    package static let emptyTexts = NoteCategory("empty texts kept", key: "empty_texts_kept")
    /// The run-summary category of files with a key given twice in a mapping.
    package static let duplicateKeys = NoteCategory("keys given twice", key: "duplicate_keys")

    package let include: [String]
    package let exclude: [String]
    package let archiveKey: String
    package let authorKey: String
    package let textKey: String
    package let repliesKey: String
    package let hostsKey: String
    package let maxFileBytes: Int
    /// The front-matter keys `validate --pipeline` requires, when the pipeline gives them; nil for the
    /// book archive's own, which follow the renamed keys.
    package let requiredKeys: [String]?

    package init(options: StepOptions) {
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

    package func plan(_ catalog: InputCatalog) throws -> [Input] {
        catalog.matching(include: include, exclude: exclude).map { entry in
            Input(
                path: catalog.absolutePath(entry.relativePath), relativePath: entry.relativePath,
                sortKey: MarkdownSource.documentID(entry.relativePath), bytes: entry.bytes)
        }
    }

    /// Places the findings of `validate`'s text checks inside the YAML texts itself.
    package var checksTexts: Bool { true }

    /// A markdown file's name without `.md`.
    static func documentID(_ relativePath: String) -> String {
        let name = (relativePath as NSString).lastPathComponent
        return name.hasSuffix(".md") ? String(name.dropLast(3)) : name
    }

    package func extract(_ part: InputPart, of input: Input, opened: Void, into result: inout ExtractResult) {
        let file = input.relativePath
        func rejectFile(_ rule: Rule, _ reason: String, line: Int? = nil, column: Int? = nil, notes: [String] = []) {
            var reject = Reject.wholeFile(
                file, line: line, column: column, step: Self.type.name, rule: rule, reason: reason, notes: notes, bytes: input.bytes)
            reject.keep(fileAt: input.path)
            result.rejects.append(reject)
        }
        let text: String
        do {
            let read = try TextFile(path: input.path, maxBytes: maxFileBytes)
            text = read.text
            result.inputSHA256 = read.sha256 ?? ""
        } catch {
            return rejectFile(error.rule, error.reason, line: error.line, column: error.column)
        }
        let frontMatter: FrontMatter
        do {
            frontMatter = try FrontMatter(splitting: text)
        } catch {
            return rejectFile(MarkdownRules.noFrontMatter, error.reason, line: error.line, column: 1)
        }
        let offset = frontMatter.firstLine - 1
        // The archive's entries become messages as the parser reads them, so the entries' nodes are
        // never all held at once (a file may have 200,000 of them).
        var reader = ArchiveReader(source: self, file: file, offset: offset, yaml: frontMatter.yaml, like: result)
        let root: YAMLNode
        var duplicates: [YAMLDuplicateKey] = []
        do {
            guard let parsed = try YAMLReader().parse(
                frontMatter.yaml, streamingItemsOf: archiveKey, duplicateKeys: { duplicates.append($0) }, to: { reader.add($0) })
            else {
                return rejectFile(MarkdownRules.frontMatterShape, "front matter is empty", line: 1, column: 1)
            }
            root = parsed
        } catch {
            let error = error.inFile(startingAtLine: frontMatter.firstLine)
            return rejectFile(
                MarkdownRules.notYAML, "invalid YAML in front matter: \(error.message)", line: error.line, column: error.column,
                notes: error.hint.map { [$0] } ?? [])
        }
        guard let entries = root.entries else {
            return rejectFile(
                MarkdownRules.frontMatterShape, "front matter must be a mapping of keys, not \(root.kindDescription)",
                line: root.line + offset, column: root.column)
        }
        for duplicate in duplicates {
            // Lists of records are all read, so that no entry is lost; any other value is the last one.
            let isRecordList = (duplicate.depth == 1 && duplicate.key == archiveKey) || (duplicate.depth == 3 && duplicate.key == repliesKey)
            result.warn(
                MarkdownRules.duplicateKey,
                "duplicate key '\(duplicate.key)' (first at line \(duplicate.first.line + offset)): "
                    + (isRecordList ? "the entries of both lists are read" : "the last value is read, as Jekyll reads it"),
                at: SourceLocation(file: file, line: duplicate.position.line + offset, column: duplicate.position.column),
                notes: ["a key may appear once in a mapping: remove one of the two, or rename it"],
                counting: Self.duplicateKeys, item: file)
        }
        var document = Document(id: MarkdownSource.documentID(file), source: Self.type.name, sourceFile: file)
        var times: [String: (Timestamp, YAMLNode)] = [:]
        document.title = root["title"].flatMap(reader.text)
        document.description = root["description"].flatMap(reader.text)
        document.hosts = root[hostsKey].map(reader.strings) ?? []
        for key in ["start", "end"] {
            guard let node = root[key], let time = reader.timestamp(node, key: key, into: &result) else { continue }
            times[key] = (time, node)
        }
        document.startsAt = times["start"]?.0
        document.endsAt = times["end"]?.0
        document.links = root["links"].map(reader.links) ?? []
        if result.isValidating {
            var rules = ArchiveRules.from(self)
            if root[archiveKey] == nil, root[ArchiveRules.profileKey] != nil { rules = .profile }
            let check = FrontMatterCheck(rules: rules, file: file, name: (file as NSString).lastPathComponent, offset: offset)
            check.check(entries, times: times, into: &result)
            for tab in YAMLReader.tabIndentations(in: frontMatter.yaml) {
                result.report(
                    MarkdownRules.tabIndent, "line indented with a tab", at: SourceLocation(file: file, line: tab.line + offset, column: tab.column),
                    notes: ["YAML indents with spaces only; replace the tab with spaces"])
            }
        }

        // Every archive the front matter gives (a key given twice gives two, and the entries of both
        // are read), not only the last: a null one holds no entries.
        let archives = entries.filter { $0.key == archiveKey && !$0.value.isNull }.map(\.value)
        if archives.isEmpty {
            result.notes.count(Self.withoutArchive, file)
        } else {
            for archive in archives {
                guard let items = archive.items else {
                    return rejectFile(
                        MarkdownRules.archiveNotList, "'\(archiveKey)' must be a list of entries, not \(archive.kindDescription)",
                        line: archive.line + offset, column: archive.column)
                }
                // Empty when the parser handed the entries over; the entries of an anchored or aliased list.
                for entry in items { reader.add(entry) }
            }
            document.threads = reader.finish()
        }
        // A run's transforms read the title and the description as they read the messages' texts.
        for key in ["title", "description"] {
            if let node = root[key], let text = reader.text(node) { reader.check(text, at: node) }
        }
        result.merge(reader.result)
        result.documents.append(document)
    }
}

/// Walks one file's archive as the parser hands its entries over, turning entries into messages and bad
/// entries into rejects, and, when `validate` reads the file, into findings.
///
/// The input rows an entry stands for are counted apart from the code that reads it (see
/// ``records(of:)``): every record is a message or a reject, and one that went neither way would show
/// as rows in that are neither out nor rejected.
private struct ArchiveReader {
    let source: MarkdownSource
    let file: String
    /// Added to front-matter line numbers to give file line numbers.
    let offset: Int
    /// The front matter's text: for a reject's record, and for places inside a text.
    let yaml: String
    /// What the entries gave so far (rejects, rows, notes, findings): the file's only once its front
    /// matter has been read to the end (a file whose YAML turns out invalid is rejected whole).
    private(set) var result: ExtractResult
    private var threads: [Thread] = []
    /// The entry handed over last, waiting for the next one, whose line ends its record.
    private var pending: YAMLNode?
    /// Entries handed over so far, rejected ones included: the next entry's number.
    private var count = 0
    /// The byte offset at which each line of the front matter starts, found when a reject first needs
    /// its record: each record is then cut from the text in time proportional to its own length.
    private var lineStarts: [Int]?

    /// A reader whose result keeps findings, and makes the text checks, when `other` does.
    init(source: MarkdownSource, file: String, offset: Int, yaml: String, like other: ExtractResult) {
        self.source = source
        self.file = file
        self.offset = offset
        self.yaml = yaml
        self.result = other.isValidating ? ExtractResult(validatingWith: other.textChecks) : ExtractResult()
    }

    /// Takes the archive's next entry.
    mutating func add(_ entry: YAMLNode) {
        if let previous = pending { read(previous, next: entry.line) }
        pending = entry
    }

    /// The threads of every entry taken. Called once, after the last entry.
    mutating func finish() -> [Thread] {
        if let last = pending { read(last, next: nil) }
        pending = nil
        return threads
    }

    func text(_ node: YAMLNode) -> String? {
        node.isNull ? nil : node.scalar
    }

    func strings(_ node: YAMLNode) -> [String] {
        if let text = text(node) { return [text] }
        return node.items?.compactMap(text) ?? []
    }

    /// The date-time of `key`, or nil after a finding (a warning in the run's summary).
    func timestamp(_ node: YAMLNode, key: String, into result: inout ExtractResult) -> Timestamp? {
        guard let text = text(node) else { return nil }
        guard let value = Timestamp(parsing: text) else {
            result.warn(
                MarkdownRules.badDate, "'\(key)' must be a date-time such as 2021-03-08 00:00:00, not '\(text)'",
                at: location(node))
            return nil
        }
        return value
    }

    func links(_ node: YAMLNode) -> [String] {
        MarkdownSource.linkItems(node).compactMap(MarkdownSource.linkURL)
    }

    func location(_ node: YAMLNode) -> SourceLocation {
        SourceLocation(file: file, line: node.line + offset, column: node.column)
    }

    /// The raw lines of `node`, from its line to its last, and not past `nextLine` (where the next
    /// sibling starts), for quarantine.
    /// The lines are the front matter's lines as a line break (`\n` or `\r\n`) ends them, joined with
    /// `\n`.
    mutating func record(of node: YAMLNode, to nextLine: Int?) -> String {
        var yaml = yaml
        return yaml.withUTF8 { bytes in
            if lineStarts == nil { lineStarts = Self.lineStarts(of: bytes) }
            let starts = lineStarts ?? [0]
            let start = max(0, node.line - 1)
            let last = min(lastLine(of: node, in: bytes), (nextLine ?? starts.count + 1) - 1)
            let end = min(starts.count, last)
            guard start < end else { return "" }
            return Self.lines(start..<end, of: bytes, startingAt: starts)
        }
    }

    /// Where each line of `bytes` starts: 0, and the offset after each `\n`.
    static func lineStarts(of bytes: UnsafeBufferPointer<UInt8>) -> [Int] {
        var starts = [0]
        while let found = bytes.firstIndex(ofByte: UInt8(ascii: "\n"), in: starts[starts.count - 1]..<bytes.count) {
            starts.append(found + 1)
        }
        return starts
    }

    /// Lines `range` of `bytes` (0-based), each without its line break, joined with `\n`: the bytes
    /// from the first line's start to the last line's end, less the `\r` of each `\r\n`. (A `\n`
    /// always ends a Character, `\n` or `\r\n`, so this is what splitting the text into Characters
    /// at line breaks gives.)
    static func lines(_ range: Range<Int>, of bytes: UnsafeBufferPointer<UInt8>, startingAt starts: [Int]) -> String {
        let from = starts[range.lowerBound]
        let followed = range.upperBound < starts.count
        var to = followed ? starts[range.upperBound] - 1 : bytes.count
        if followed, to > from, bytes[to - 1] == UInt8(ascii: "\r") { to -= 1 }
        let text = UnsafeBufferPointer(rebasing: bytes[from..<to])
        guard text.contains(UInt8(ascii: "\r")) else { return String(decoding: text, as: UTF8.self) }
        var kept: [UInt8] = []
        kept.reserveCapacity(text.count)
        for index in text.indices where !(text[index] == UInt8(ascii: "\r") && index + 1 < text.count && text[index + 1] == UInt8(ascii: "\n")) {
            kept.append(text[index])
        }
        return String(decoding: kept, as: UTF8.self)
    }

    /// The last line a node's text is on: that of its last scalar's end.
    func lastLine(of node: YAMLNode, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        switch node.kind {
        case .scalar:
            guard let source = node.source, source.end > source.start, source.end <= bytes.count else { return node.line }
            let span = bytes[source.start..<source.end]
            let breaks = span.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
            // A block ends at the start of the line after it.
            return node.line + breaks - (span.last == UInt8(ascii: "\n") ? 1 : 0)
        case .sequence(let items): return items.map { lastLine(of: $0, in: bytes) }.max() ?? node.line
        case .mapping(let entries): return entries.map { lastLine(of: $0.value, in: bytes) }.max() ?? node.line
        }
    }

    // MARK: Records

    /// Whether a node is a mapping with the archive's author and text keys: a record, wherever it is.
    func isRecord(_ node: YAMLNode) -> Bool {
        node[source.authorKey] != nil && node[source.textKey] != nil
    }

    /// The records under `node`, not counting `node` itself, in text order, except what `skipping`
    /// names: the mappings with an author and a text.
    func records(under node: YAMLNode, skipping: (YAMLEntry) -> Bool = { _ in false }) -> [YAMLNode] {
        var found: [YAMLNode] = []
        func walk(_ node: YAMLNode) {
            if isRecord(node) { found.append(node) }
            switch node.kind {
            case .scalar: break
            case .sequence(let items): items.forEach(walk)
            case .mapping(let entries): entries.forEach { walk($0.value) }
            }
        }
        switch node.kind {
        case .scalar: break
        case .sequence(let items): items.forEach(walk)
        case .mapping(let entries): for entry in entries where !skipping(entry) { walk(entry.value) }
        }
        return found
    }

    /// The input rows of an archive entry, counted from its shape alone: the entry, each item of its
    /// replies list (or the replies that are no list), and every other mapping with an author and a
    /// text inside it.
    func records(of entry: YAMLNode) -> Int {
        guard let fields = entry.entries else { return 1 + records(under: entry).count }
        var rows = 1 + records(under: entry) { $0.key == source.repliesKey }.count
        for list in fields where list.key == source.repliesKey && !list.value.isNull {
            if let items = list.value.items {
                rows += items.count + items.reduce(0) { $0 + records(under: $1).count }
            } else {
                rows += 1 + records(under: list.value).count
            }
        }
        return rows
    }

    // MARK: Reading

    /// Entry number `count` as a thread: the question and its replies; `next` is the following entry's
    /// line, if any.
    private mutating func read(_ entry: YAMLNode, next: Int?) {
        let key = "q\(count)"
        count += 1
        result.inputRows += records(of: entry)
        var messages: [Message] = []
        if let question = message(entry, key: key, parentKey: nil, isReply: false, next: next) {
            messages.append(question)
        }
        var unexpected: [YAMLNode]
        if let fields = entry.entries {
            unexpected = records(under: entry) { $0.key == source.repliesKey }
            // Every replies list, where a key given twice left two.
            let lists = fields.filter { $0.key == source.repliesKey }
            var number = 0
            for (listIndex, list) in lists.enumerated() where !list.value.isNull {
                let replies = list.value
                let end = listIndex + 1 < lists.count ? lists[listIndex + 1].keyLine : next
                if let items = replies.items {
                    for (index, reply) in items.enumerated() {
                        let nextReply = index + 1 < items.count ? items[index + 1].line : end
                        if let message = message(reply, key: "\(key).r\(number)", parentKey: key, isReply: true, next: nextReply) {
                            messages.append(message)
                        }
                        number += 1
                        unexpected += records(under: reply)
                    }
                } else {
                    reject(
                        MarkdownRules.repliesNotList, "'\(source.repliesKey)' must be a list of replies, not \(replies.kindDescription)",
                        at: replies, record: replies, next: end)
                    unexpected += records(under: replies)
                }
            }
        } else {
            unexpected = records(under: entry)
        }
        unexpected.sort { ($0.line, $0.column) < ($1.line, $1.column) }
        for (index, node) in unexpected.enumerated() {
            let following = index + 1 < unexpected.count ? unexpected[index + 1].line : next
            reject(
                MarkdownRules.unexpectedEntry,
                "an entry with '\(source.authorKey)' and '\(source.textKey)' where the archive expects none: not read",
                at: node, record: node, next: following,
                notes: ["entries are the items of '\(source.archiveKey)', and their replies the items of each entry's '\(source.repliesKey)' (replies do not nest)"])
        }
        if !messages.isEmpty { threads.append(Thread(messages: messages)) }
    }

    private mutating func reject(_ rule: Rule, _ reason: String, at target: YAMLNode, record: YAMLNode, next: Int?, notes: [String] = []) {
        let text = self.record(of: record, to: next)
        result.rejects.append(Reject(
            file: file, line: target.line + offset, column: target.column, step: MarkdownSource.type.name, rule: rule, reason: reason,
            notes: notes, record: text))
    }

    /// One entry as a message, or nil after recording why it was rejected.
    private mutating func message(_ node: YAMLNode, key: String, parentKey: String?, isReply: Bool, next: Int?) -> Message? {
        let what = isReply ? "reply" : "archive entry"
        let line = node.line + offset
        func reject(_ rule: Rule, _ reason: String, at target: YAMLNode? = nil) -> Message? {
            self.reject(rule, reason, at: target ?? node, record: node, next: next)
            return nil
        }
        guard let entries = node.entries else {
            return reject(
                MarkdownRules.entryNotMapping,
                "\(what) must be a mapping with '\(source.authorKey)' and '\(source.textKey)', not \(node.kindDescription)")
        }
        if result.isValidating {
            let known = [source.authorKey, source.textKey] + (isReply ? [] : [source.repliesKey])
            for entry in entries where !known.contains(entry.key) {
                result.report(
                    MarkdownRules.unknownKey, "unknown key '\(entry.key)' in \(what)",
                    at: SourceLocation(file: file, line: entry.keyLine + offset, column: entry.keyColumn),
                    notes: [Suggestion.note(for: entry.key, in: known)])
            }
        }
        guard let authorNode = node[source.authorKey], let author = text(authorNode), !Self.isBlank(author) else {
            return reject(MarkdownRules.noAuthor, "\(what) has no author ('\(source.authorKey)')")
        }
        var body = ""
        let textNode = node[source.textKey]
        if let textNode, !textNode.isNull {
            guard let scalar = textNode.scalar else {
                return reject(MarkdownRules.textNotString, "'\(source.textKey)' must be text, not \(textNode.kindDescription)", at: textNode)
            }
            body = scalar
        }
        if body.isEmpty {
            let missing = textNode == nil || textNode!.isNull
            result.warn(
                MarkdownRules.emptyText, missing ? "\(what) has no text ('\(source.textKey)')" : "\(what) has an empty text",
                at: location(missing ? node : textNode!), counting: MarkdownSource.emptyTexts, item: file)
        } else if let textNode, !result.textChecks.isEmpty {
            check(body, at: textNode)
        }
        return Message(key: key, parentKey: parentKey, sourceLine: line, authorRaw: author, textRaw: body)
    }

    /// Whether a text is only whitespace characters (or empty). A text that starts with printable
    /// ASCII other than a space is not, whatever follows: told from its first byte.
    private static func isBlank(_ text: String) -> Bool {
        if let first = text.utf8.first, first > 0x20, first < 0x7F { return false }
        return text.allSatisfy(\.isWhitespace)
    }

    /// The pipeline's checks of a text, each finding placed where it is inside the text.
    mutating func check(_ text: String, at node: YAMLNode) {
        for check in result.textChecks {
            for finding in check.find(text) {
                let place = node.position(ofValueOffset: finding.offset, in: yaml)
                result.report(
                    check.rule, finding.message, at: SourceLocation(file: file, line: place.line + offset, column: place.column),
                    notes: finding.notes)
            }
        }
    }
}
