import Foundation

/// One conversation of an export: a public or private channel, a DM or a group DM.
public struct SlackConversation: Sendable {
    /// What kind of conversation, from the metadata file that lists it.
    public enum Kind: String, Sendable, Hashable {
        /// `channels.json`.
        case publicChannel = "channel"
        /// `groups.json`.
        case privateChannel = "private_channel"
        /// `dms.json`; the folder is the `D…` id.
        case directMessage = "dm"
        /// `mpims.json`; the folder is the `mpdm-…` name.
        case groupDirectMessage = "group_dm"
        /// A folder of day files that no metadata file lists.
        case unlisted
    }

    /// The folder name: the channel or mpdm name, or the DM id. threadline's `document_id`.
    public var name: String
    /// The entry of the metadata file that lists it.
    public var info: SlackConversationInfo?
    public var kind: Kind
    /// The day files read, sorted.
    public var dayFiles: [String]
    public var threads: [SlackThread]
    public var counts: SlackAssemblyCounts

    /// The conversation id from the metadata file, when listed.
    var id: String? { info?.id }
}

/// A whole export, read: names, conversations in name order, issues and counts.
public struct SlackExport: Sendable {
    var directory: SlackDirectory
    /// Every conversation, by name; empty when they were handed to a visitor one at a time.
    var conversations: [SlackConversation]
    /// Everything that was rejected or looked wrong, in reading order.
    public var issues: [SlackExportIssue]
    /// Message objects found in day files that had a usable `ts`.
    var messagesRead: Int
    /// Array elements of day files that were not readable messages (each is a rejected issue).
    public var messagesRejected: Int
    /// Totals over all conversations.
    public var counts: SlackAssemblyCounts
}

/// Reads a native Slack export (a folder or a `.zip`) into conversations of threads.
///
/// Names come from `users.json`/`org_users.json`; conversations from `channels.json`,
/// `groups.json`, `dms.json` and `mpims.json`, plus any folder of `YYYY-MM-DD.json` day files they
/// do not list. A broken file costs only itself: it becomes an issue with its line and column,
/// and every other file is still read. Only an export that cannot be opened throws.
///
/// `read` goes through a whole export; `open` reads what belongs to the export as a whole and lets
/// its conversations be read one at a time, on any thread (`OpenedSlackExport`).
public struct SlackExportReader: Sendable {
    public var limits: SlackExportLimits
    public var skipSubtypes: Set<String>

    public init(limits: SlackExportLimits = SlackExportLimits(),
                skipSubtypes: Set<String> = SlackThreadAssembler.defaultSkipSubtypes) {
        self.limits = limits
        self.skipSubtypes = skipSubtypes
    }

    /// Reads the export at `url`; `name` is how issues refer to the export (e.g. its relative path).
    func read(_ url: URL, name: String? = nil) throws(SlackExportIssue) -> SlackExport {
        var conversations: [SlackConversation] = []
        var export = try read(url, name: name) { conversations.append($0) }
        export.conversations = conversations
        return export
    }

    /// Reads the export at `url`, handing each conversation to `visit` as soon as it is assembled
    /// and keeping none: memory holds one conversation's messages at a time, not the export's.
    /// The result has the directory, issues and counts, and no conversations.
    public func read(
        _ url: URL, name: String? = nil, each visit: (SlackConversation) -> Void
    ) throws(SlackExportIssue) -> SlackExport {
        let opened = try open(url, name: name)
        var issues = opened.issues
        var counts = SlackAssemblyCounts()
        var read = 0
        var rejected = 0
        for folder in opened.conversationNames {
            guard let part = opened.read(conversation: folder) else { continue }
            issues += part.issues
            read += part.messagesRead
            rejected += part.messagesRejected
            counts.add(part.conversation.counts)
            visit(part.conversation)
        }
        return SlackExport(
            directory: opened.directory, conversations: [], issues: issues,
            messagesRead: read, messagesRejected: rejected, counts: counts)
    }

    /// Opens the export at `url`: lists its files and reads what belongs to the export as a whole
    /// (names and conversation metadata). Throws only when the export cannot be opened.
    public func open(_ url: URL, name: String? = nil) throws(SlackExportIssue) -> OpenedSlackExport {
        let archive = try SlackExportArchive(url: url, name: name ?? url.lastPathComponent, limits: limits)
        return OpenedSlackExport(archive: archive, assembler: SlackThreadAssembler(skipSubtypes: skipSubtypes))
    }

    /// The conversation folders of the export at `url`, sorted, with the bytes their day files take in
    /// the input (compressed, in a zip), from the export's listing alone: no file is read. Throws what
    /// `open` would.
    public func conversations(in url: URL, name: String? = nil) throws(SlackExportIssue) -> [(name: String, bytes: Int64)] {
        let archive = try SlackExportArchive(url: url, name: name ?? url.lastPathComponent, limits: limits)
        return Self.layout(of: archive.paths).conversations.map { folder, files in
            (folder, files.reduce(0) { $0 + archive.storedBytes(of: $1) })
        }
    }

    /// The day files (`folder/YYYY-MM-DD.json`) of each conversation folder, by folder name, each
    /// folder's in path order; and every other path inside a folder, in path order.
    static func layout(of paths: [String]) -> (conversations: [(folder: String, files: [String])], others: [String]) {
        var dayFiles: [String: [String]] = [:]
        var others: [String] = []
        for path in paths {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 2 else { continue }
            if parts.count == 2, isDayFileName(parts[1]) {
                dayFiles[String(parts[0]), default: []].append(path)
            } else {
                others.append(path)
            }
        }
        return (dayFiles.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, others)
    }
}

/// A Slack export opened for reading: listed, with its names and conversation metadata read once;
/// its conversations are read on demand, each on its own, on any thread.
///
/// Reading every conversation of `conversationNames` in order gives what `SlackExportReader.read`
/// gives: the same conversations and counts, and the same issues in the same order. Files that
/// would take the export over `maxTotalBytes` are the same too, whichever conversations are read
/// and in whatever order: each file's allowance is worked out when the export is opened
/// (`SlackExportArchive.allowances(readingOrder:)`).
public final class OpenedSlackExport: Sendable {
    /// Names of the export's users, bots and conversations.
    let directory: SlackDirectory
    /// What concerns the export as a whole, in reading order: zip entries left out, a missing or
    /// broken `users.json` or metadata file, files that are not day files, no conversation at all.
    /// All of them are warnings.
    public let issues: [SlackExportIssue]
    /// The conversation folders, sorted.
    public let conversationNames: [String]
    let dayFiles: [String: [String]]
    let listed: [String: (info: SlackConversationInfo, kind: SlackConversation.Kind)]
    let archive: SlackExportArchive
    private let allowances: [String: Int]
    let assembler: SlackThreadAssembler
    private let mrkdwn: SlackMrkdwn

    fileprivate init(archive: SlackExportArchive, assembler: SlackThreadAssembler) {
        var issues: [SlackExportIssue] = []
        for (path, reason) in archive.folderWarnings {
            issues.append(SlackExportIssue(.warning, file: path, reason: reason))
        }
        let entryReader = archive.makeReader()
        for rejected in archive.rejectedEntries {
            // A zip entry not read is lost whole: its bytes weigh it, and a copy that can be read is its record.
            var issue = SlackExportIssue(.rejected, file: rejected.path, reason: rejected.reason)
            issue.bytes = rejected.bytes
            if let (data, size) = entryReader.beginning(of: rejected, limit: SlackExportIssue.maxRecordBytes) {
                issue.record = String(decoding: data, as: UTF8.self)
                if size > data.count { issue.recordBytes = size }
            }
            issues.append(issue)
        }
        let userFiles = SlackExportReader.userFiles.filter(archive.paths.contains)
        let metadataFiles = SlackExportReader.conversationFiles.filter { archive.paths.contains($0.file) }
        let layout = SlackExportReader.layout(of: archive.paths)
        let allowances = archive.allowances(
            readingOrder: userFiles + metadataFiles.map(\.0) + layout.conversations.flatMap(\.files))
        let reader = archive.makeReader()

        var directory = SlackDirectory()
        if userFiles.isEmpty {
            issues.append(SlackExportIssue(
                .warning, file: "users.json",
                reason: "users.json is missing: authors are named from each message's user_profile or kept as ids"))
        }
        for file in userFiles {
            for user in Self.metadata(SlackUser.self, file, reader: reader, allowance: allowances[file] ?? 0, issues: &issues) {
                directory.add(user)
            }
        }
        var listed: [String: (info: SlackConversationInfo, kind: SlackConversation.Kind)] = [:]
        for (file, kind) in metadataFiles {
            let infos = Self.metadata(SlackConversationInfo.self, file, reader: reader, allowance: allowances[file] ?? 0, issues: &issues)
            for info in infos {
                directory.addConversation(info)
                let folder = kind == .directMessage ? info.id : (info.name ?? info.id)
                if listed[folder] == nil { listed[folder] = (info, kind) }
            }
        }
        for path in layout.others {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if parts.last?.hasSuffix(".json") == true || listed[String(parts[0])] != nil {
                issues.append(SlackExportIssue(
                    .warning, file: path, reason: "not read: not a day file (expected folder/YYYY-MM-DD.json)"))
            }
        }
        if layout.conversations.isEmpty {
            issues.append(SlackExportIssue(
                .warning, file: ".", reason: "no conversation found: a Slack export has folders of YYYY-MM-DD.json day files"))
        }

        self.directory = directory
        self.issues = issues
        self.conversationNames = layout.conversations.map(\.folder)
        self.dayFiles = Dictionary(uniqueKeysWithValues: layout.conversations)
        self.listed = listed
        self.archive = archive
        self.allowances = allowances
        self.assembler = assembler
        self.mrkdwn = SlackMrkdwn(directory: directory)
    }

    /// The files of a folder export, listed once when it was opened (every regular file that is not
    /// hidden, a link as what it points to); nil for a zip.
    public var folderFiles: [String]? { archive.folderFiles }

    /// What reading one conversation gave.
    public struct Conversation: Sendable {
        public var conversation: SlackConversation
        /// The issues of its day files in reading order, then its duplicate messages.
        public var issues: [SlackExportIssue]
        /// Message objects of its day files that had a usable `ts`.
        var messagesRead: Int
        /// Array elements of its day files that were not readable messages (each is a rejected issue).
        public var messagesRejected: Int
    }

    /// Reads and assembles the conversation in folder `name`; nil when the export has no such folder.
    /// Safe to call from several threads at once.
    public func read(conversation name: String) -> Conversation? {
        guard let files = dayFiles[name] else { return nil }
        let reader = archive.makeReader()
        var issues: [SlackExportIssue] = []
        var records: [SlackMessageRecord] = []
        var rejected = 0
        for file in files {
            rejected += dayFile(file, reader: reader, into: &records, issues: &issues)
        }
        let messagesRead = records.count
        let assembled = assembler.assemble(consume records)
        /// Day files read again for the raw JSON of their duplicates (they are let go once parsed).
        var reread: [String: Data] = [:]
        for (duplicate, original) in assembled.duplicates {
            var issue = SlackExportIssue(
                .rejected, file: duplicate.file, line: duplicate.line, column: duplicate.column, records: 1,
                reason: "duplicate message ts \(duplicate.message.ts.raw) (first in \(original.location))")
            if let range = duplicate.range {
                if reread[duplicate.file] == nil {
                    reread[duplicate.file] = (try? reader.read(duplicate.file, allowance: allowances[duplicate.file] ?? 0))
                        .map(SlackExportReader.droppingByteOrderMark)
                }
                if let data = reread[duplicate.file], range.upperBound <= data.count {
                    (issue.record, issue.recordBytes) = SlackExportReader.record(data, range)
                }
            }
            issues.append(issue)
        }
        let conversation = SlackConversation(
            name: name, info: listed[name]?.info, kind: listed[name]?.kind ?? .unlisted,
            dayFiles: files, threads: assembled.threads, counts: assembled.counts)
        return Conversation(conversation: conversation, issues: issues, messagesRead: messagesRead, messagesRejected: rejected)
    }

    /// Reads a file and checks its JSON syntax; a failure becomes an issue of `severity`.
    private static func jsonFile(
        _ file: String, severity: SlackExportIssue.Severity, what: String,
        reader: SlackExportArchive.Reader, allowance: Int, issues: inout [SlackExportIssue]
    ) -> (Data, [JSONSyntaxScanner.Element])? {
        let data: Data
        do throws(SlackExportIssue) {
            data = SlackExportReader.droppingByteOrderMark(try reader.read(file, allowance: allowance))
        } catch {
            var issue = error
            issue.severity = severity
            issues.append(issue)
            return nil
        }
        return SlackExportReader.arrayElements(of: data, file: file, severity: severity, what: what, issues: &issues)
    }

    /// The readable entries of a metadata file; unreadable ones are warnings with their line.
    private static func metadata<T: SlackMetadataEntry>(
        _ type: T.Type, _ file: String, reader: SlackExportArchive.Reader, allowance: Int, issues: inout [SlackExportIssue]
    ) -> [T] {
        guard let (data, spans) = jsonFile(file, severity: .warning, what: file, reader: reader, allowance: allowance, issues: &issues)
        else { return [] }
        var values: [T] = []
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for (index, span) in spans.enumerated() {
                if let duplicate = span.duplicate {
                    issues.append(SlackExportIssue(
                        .warning, file: file, line: duplicate.position.line, column: duplicate.position.column,
                        reason: "entry \(index + 1) has the key '\(duplicate.name)' twice: its first copy was read"))
                }
                let entry = JSONBytes(UnsafeBufferPointer(rebasing: bytes[span.range]))
                guard let value = entry.wholeObject().flatMap({ T.decode($0, in: entry) }) else {
                    issues.append(SlackExportIssue(.warning, file: file, line: span.line, reason: "entry \(index + 1) has no string 'id'"))
                    continue
                }
                values.append(value)
            }
        }
        return values
    }

    /// Appends the messages of one day file to `records` and returns how many elements were rejected;
    /// rejected elements become issues with their line.
    func dayFile(
        _ file: String, reader: SlackExportArchive.Reader, into records: inout [SlackMessageRecord], issues: inout [SlackExportIssue]
    ) -> Int {
        withDayFile(file, reader: reader, issues: &issues) { data, spans, issues in
            appendRecords(of: data, elements: spans[...], file: file, to: &records, issues: &issues)
        }
    }

    /// The messages of one day file handed to `visit` `batchSize` elements at a time, in order, with
    /// the file's bytes as decoded; returns how many elements were rejected (rejected elements become
    /// issues with their line). A batch's messages are let go before the next batch is decoded, so
    /// a day file of a million messages holds its bytes and one batch, not a million records.
    /// `visit` is not called when the file's bytes could not be decoded.
    func dayFile(
        _ file: String, reader: SlackExportArchive.Reader, issues: inout [SlackExportIssue], batchSize: Int,
        visit: (_ batch: [SlackMessageRecord], _ data: Data) throws -> Void
    ) rethrows -> Int {
        try withDayFile(file, reader: reader, issues: &issues) { data, spans, issues in
            var rejected = 0
            var start = 0
            var batch: [SlackMessageRecord] = []
            repeat {
                let end = spans.count - start > batchSize ? start + batchSize : spans.count
                batch.removeAll(keepingCapacity: true)
                rejected += appendRecords(of: data, elements: spans[start..<end], file: file, to: &batch, issues: &issues)
                try visit(batch, data)
                start = end
            } while start < spans.count
            return rejected
        }
    }

    /// Reads day file `file` and checks its syntax, then calls `body` with its bytes as decoded and
    /// its top-level elements; returns what `body` returns, the elements rejected (0 when the file
    /// could not be read or is not a JSON array, which is then an issue of its own).
    private func withDayFile(
        _ file: String, reader: SlackExportArchive.Reader, issues: inout [SlackExportIssue],
        body: (Data, [JSONSyntaxScanner.Element], inout [SlackExportIssue]) throws -> Int
    ) rethrows -> Int {
        let before = issues.count
        defer {
            // A day file rejected whole weighs its bytes: nobody can count the messages it held.
            for index in before..<issues.count where issues[index].severity == .rejected && issues[index].records == 0 {
                issues[index].bytes = archive.storedBytes(of: file)
            }
        }
        guard let (data, spans) = Self.jsonFile(
            file, severity: .rejected, what: "day file", reader: reader, allowance: allowances[file] ?? 0, issues: &issues)
        else { return 0 }
        return try body(data, spans, &issues)
    }

    /// Appends the readable messages of `elements` of a day file to `records`, each with its author
    /// and its text decoded; returns how many were rejected.
    private func appendRecords(
        of data: Data, elements: ArraySlice<JSONSyntaxScanner.Element>, file: String, to records: inout [SlackMessageRecord],
        issues: inout [SlackExportIssue]
    ) -> Int {
        return SlackExportReader.forEachMessage(in: data, elements: elements, file: file, issues: &issues) {
            (message: consuming SlackMessage, line, column, range) in
            let author = directory.author(of: message)
            let text = mrkdwn.decode(message.text)
            var record = SlackMessageRecord(message: message, file: file, line: line, column: column, author: author, text: text)
            record.range = range
            records.append(consume record)
        }
    }
}

extension SlackExportReader {
    /// The export's directories of people, read first.
    public static let userFiles = ["users.json", "org_users.json"]
    /// The files that list conversations, and the kind of conversation each lists.
    public static let conversationFiles: [(file: String, kind: SlackConversation.Kind)] = [
        ("channels.json", .publicChannel), ("groups.json", .privateChannel),
        ("dms.json", .directMessage), ("mpims.json", .groupDirectMessage),
    ]

    /// Whether a file name is a day file's: `YYYY-MM-DD.json`.
    public static func isDayFileName(_ name: Substring) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count == 15, name.hasSuffix(".json") else { return false }
        return bytes[0..<10].enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (0x30...0x39).contains(byte)
        }
    }

    /// Checks one day file as `threadline validate` would, without the rest of its export: JSON
    /// syntax (line and column), a top-level array, and every message's `ts` and field types.
    public static func checkDayFile(_ data: Data, file: String) -> [SlackExportIssue] {
        let data = droppingByteOrderMark(data)
        var issues: [SlackExportIssue] = []
        if let (data, elements) = arrayElements(of: data, file: file, severity: .rejected, what: "day file", issues: &issues) {
            _ = forEachMessage(in: data, elements: elements[...], file: file, issues: &issues) { _, _, _, _ in }
        }
        return issues
    }

    /// `data` without a leading UTF-8 byte-order mark, which editors on Windows write and JSON
    /// parsers refuse; the markdown reader drops it too.
    static func droppingByteOrderMark(_ data: Data) -> Data {
        data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
    }

    /// The elements of `data`'s top-level array, with `data` as it is to be decoded (each lone
    /// UTF-16 surrogate made U+FFFD, with a warning), or `nil` after recording why it has none.
    static func arrayElements(
        of data: Data, file: String, severity: SlackExportIssue.Severity, what: String,
        issues: inout [SlackExportIssue]
    ) -> (Data, [JSONSyntaxScanner.Element])? {
        /// A file rejected whole keeps its text as its record.
        func fileIssue(_ line: Int, _ column: Int, _ reason: String) -> SlackExportIssue {
            var issue = SlackExportIssue(severity, file: file, line: line, column: column, reason: reason)
            if severity == .rejected { (issue.record, issue.recordBytes) = record(data, 0..<data.count) }
            return issue
        }
        let scan: JSONSyntaxScanner.Scan
        do {
            scan = try JSONSyntaxScanner().scan(data)
        } catch {
            issues.append(fileIssue(error.line, error.column, "\(what) is not valid JSON: \(error.reason)"))
            return nil
        }
        guard data.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) == UInt8(ascii: "[") else {
            issues.append(fileIssue(1, 1, "\(what) is not a JSON array"))
            return nil
        }
        return (repairingLoneSurrogates(data, at: scan.loneSurrogates, file: file, issues: &issues), scan.elements)
    }

    /// `data` with the escape of each lone UTF-16 surrogate (`\ud800` alone) made `\ufffd`, which
    /// decoders read as U+FFFD: Foundation's refuses the whole string otherwise, and the message's text
    /// would be lost. The escapes have the same length, so every offset holds. Each is a warning.
    static func repairingLoneSurrogates(
        _ data: Data, at positions: [JSONSyntaxScanner.Position], file: String, issues: inout [SlackExportIssue]
    ) -> Data {
        guard !positions.isEmpty else { return data }
        var bytes = [UInt8](data)
        for position in positions {
            let escape = String(decoding: bytes[position.offset..<(position.offset + 6)], as: UTF8.self)
            bytes.replaceSubrange((position.offset + 2)..<(position.offset + 6), with: Array("fffd".utf8))
            issues.append(SlackExportIssue(
                .warning, file: file, line: position.line, column: position.column,
                reason: "a lone UTF-16 surrogate '\(escape)' was replaced with U+FFFD"))
        }
        return Data(bytes)
    }

    /// The raw JSON at `range` of `data`, at most `SlackExportIssue.maxRecordBytes` of it, and its
    /// size when it is longer.
    static func record(_ data: Data, _ range: Range<Int>) -> (String, Int?) {
        let start = data.startIndex + range.lowerBound
        let kept = min(range.count, SlackExportIssue.maxRecordBytes)
        return (String(decoding: data[start..<(start + kept)], as: UTF8.self), range.count > kept ? range.count : nil)
    }

    /// Calls `body` with each readable message of `elements` in order, with its line, column and
    /// bytes, and returns how many elements were not readable messages. Each of those is a rejected
    /// issue carrying its raw JSON; each wrong-typed field of a message read is a warning. Every
    /// element is decoded from its own bytes, which the syntax scan has checked and found, and
    /// handed on as it is decoded: a message is never copied from one array to another.
    static func forEachMessage(
        in data: Data, elements: ArraySlice<JSONSyntaxScanner.Element>, file: String, issues: inout [SlackExportIssue],
        _ body: (consuming SlackMessage, _ line: Int?, _ column: Int?, _ range: Range<Int>?) -> Void
    ) -> Int {
        var rejected = 0
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            for span in elements {
                var result =
                    span.range.upperBound <= bytes.count
                    ? SlackMessage.decode(json: UnsafeBufferPointer(rebasing: bytes[span.range])) : .failure(.notAnObject)
                if case .success = result, let duplicate = span.duplicate {
                    // Decoders keep one copy or the other: which the message says cannot be told.
                    let position = duplicate.position
                    let again = position.line == span.line ? "column \(position.column)" : "line \(position.line), column \(position.column)"
                    result = .failure(.duplicateKey(duplicate.name, again: again))
                }
                switch consume result {
                case .failure(let reason):
                    rejected += 1
                    var issue = SlackExportIssue(
                        .rejected, file: file, line: span.line, column: span.column, records: 1, reason: reason.description)
                    (issue.record, issue.recordBytes) = record(data, span.range)
                    issues.append(issue)
                case .success(let message):
                    for fieldIssue in message.fieldIssues {
                        issues.append(SlackExportIssue(
                            .warning, file: file, line: span.line, column: span.column,
                            reason: "message \(message.ts.raw): \(fieldIssue) (ignored)"))
                    }
                    body(message, span.line, span.column, span.range)
                }
            }
        }
        return rejected
    }
}
