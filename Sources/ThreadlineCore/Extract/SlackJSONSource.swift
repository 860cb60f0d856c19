import Crypto
import Foundation
import ThreadlineFiles
import ThreadlineSlack

/// Reads native Slack exports (a folder or a `.zip`): one document per conversation, one thread per
/// thread start with its replies in `ts` order.
///
/// Each public channel, private channel, DM and group DM becomes a document whose id is the folder
/// name (the channel or mpdm name, the DM id). A message's key is its exact `ts`; its author is the
/// resolved name (profile `display_name`, then `real_name`, then `name`; the message's
/// `user_profile` when users.json lacks the author; bots by `bot_id`/`username`; unknown ids kept)
/// and its `authorRef` the user id, for the aliases file. Text is mrkdwn decoded, Slack's `&amp;`
/// `&lt;` `&gt;` exactly once (the documents are marked so that `clean_text` does not decode
/// again); `text_raw` keeps the original. Non-conversation subtypes are skipped and counted in the run summary. A broken day
/// file or message is rejected with its file, line and column; a reply whose parent is not in the
/// export is kept with a null `parent_id`. The conversations of an export are separate units,
/// extracted in parallel (see `plan`).
///
/// ```yaml
/// - type: slack_json
///   include: ["slack-export", "exports/*.zip"]
///   skip_subtypes: [channel_join, channel_leave]   # default: every non-conversation subtype
///   hosts: [martinkleppmann]                         # names or people profile ids
///   max_file_bytes: 256MiB
/// ```
public struct SlackJSONSource: SourceStep {
    /// A reader's limits when it is given none: the options' defaults.
    private static let defaultLimits = SlackExportLimits()

    public static let type = StepType(
        name: "slack_json", kind: .extract,
        summary: "native Slack exports (a folder or a .zip): channels, private channels, DMs and group DMs, threads across day files",
        options: [
            .include("[\"slack-export\"]"),
            .exclude,
            OptionSpec("skip_subtypes", .stringList,
                       default: .list(SlackThreadAssembler.defaultSkipSubtypes.sorted()),
                       "message subtypes that are not conversation (joins, topic changes, pins); skipped and counted in the run summary"),
            .hosts,
            OptionSpec("max_file_bytes", .byteSize, default: .int(defaultLimits.maxFileBytes), "a day file larger than this is rejected whole"),
            OptionSpec(
                "max_total_bytes", .byteSize, default: .int(defaultLimits.maxTotalBytes),
                "files beyond this much data in one export are rejected"),
            OptionSpec("max_files", .integer, default: .int(defaultLimits.maxFiles), "an export listing more files than this is rejected whole"),
        ],
        example: """
            - type: slack_json
              include: ["slack-export"]
            """,
        make: { options, _ in .source(SlackJSONSource(options: options)) })

    /// The run-summary category of messages skipped by subtype, counted per subtype.
    public static let skippedCategory = "slack_json skipped subtypes"
    /// The run-summary category of deleted thread parents (tombstones) kept for their replies.
    public static let tombstoneCategory = "slack_json deleted thread parents kept"

    public let include: [String]
    public let exclude: [String]
    /// Hosts given to every document, resolved by `normalise_authors`.
    public let hosts: [String]
    public let reader: SlackExportReader
    /// The exports being extracted part by part, opened once each and shared by their parts.
    let openExports = SlackOpenExports()

    /// The `InputUnit.part` of the unit that stands for an export as a whole; its other parts are its
    /// conversations, by folder name.
    public static let exportPart = ""

    public init(options: StepOptions) {
        include = options.strings("include")
        exclude = options.strings("exclude")
        hosts = options.strings("hosts")
        let limits = SlackExportLimits(
            maxFileBytes: options.int("max_file_bytes"), maxFiles: options.int("max_files"),
            maxTotalBytes: options.int("max_total_bytes"))
        reader = SlackExportReader(limits: limits, skipSubtypes: Set(options.strings("skip_subtypes")))
    }

    /// Matching folders and `.zip` files; a folder inside another matched folder is part of it.
    ///
    /// An export is split into units so that its conversations are extracted in parallel and memory
    /// holds a few conversations rather than the whole export: one unit for the export itself (part
    /// `exportPart`: its users, its metadata files, the problems of the export as a whole, a zip's
    /// hash) and one per conversation (part: the folder name), all placed by the export's path, the
    /// conversations in name order: the rows come out as they would from one unit. Only the export's
    /// listing is read here (a folder's files, a zip's central directory). An export that cannot be
    /// listed, or has no conversation, is one unit read whole, which reports why.
    public func plan(_ catalog: InputCatalog) throws -> [InputUnit] {
        let matched = catalog.matching(include: include, exclude: exclude, directories: true, orFiles: true)
            .filter { $0.isDirectory || $0.relativePath.lowercased().hasSuffix(".zip") }
        let folders = matched.filter(\.isDirectory).map { $0.relativePath + "/" }
        return matched
            .filter { entry in !folders.contains { entry.relativePath.hasPrefix($0) } }
            .flatMap { entry in
                let whole = InputUnit(
                    path: catalog.absolutePath(entry.relativePath), relativePath: entry.relativePath,
                    sortKey: entry.relativePath,
                    bytes: entry.isDirectory ? catalog.totalBytes(under: entry.relativePath) : entry.bytes)
                return units(of: whole)
            }
    }

    /// The units of the export `whole` stands for: the export part and its conversations, or `whole`.
    func units(of whole: InputUnit) -> [InputUnit] {
        let url = URL(fileURLWithPath: whole.path)
        guard let conversations = try? reader.conversations(in: url, name: whole.relativePath), !conversations.isEmpty
        else { return [whole] }
        let conversationBytes = conversations.reduce(Int64(0)) { $0 + $1.bytes }
        var export = whole
        export.part = Self.exportPart
        // The export's own files (and, for a zip, its headers): the parts' bytes add up to the input's.
        export.bytes = max(0, whole.bytes - conversationBytes)
        return [export] + conversations.map { conversation in
            var unit = whole
            unit.part = conversation.name
            unit.bytes = conversation.bytes
            return unit
        }
    }

    public func extract(_ unit: InputUnit, into result: inout ExtractResult) {
        switch unit.part {
        case nil: extractWhole(unit, into: &result)
        case Self.exportPart?: extractExportPart(unit, into: &result)
        case let conversation?: extract(conversation: conversation, of: unit, into: &result)
        }
    }

    /// An export read as one unit: every conversation, and what concerns the export as a whole.
    func extractWhole(_ unit: InputUnit, into result: inout ExtractResult) {
        let export: SlackExport
        var documents: [Document] = []
        do {
            export = try reader.read(URL(fileURLWithPath: unit.path), name: unit.relativePath) { conversation in
                documents.append(document(conversation, unit: unit))
            }
        } catch {
            result.rejects.append(.wholeFile(unit.relativePath, step: Self.type.name, reason: error.reason, bytes: unit.bytes))
            return
        }
        report(export.issues, of: unit, into: &result)
        count(export.counts, rejected: export.messagesRejected, of: unit, into: &result)
        result.documents += documents
    }

    /// The export part: opens the export for its conversations' units (whichever comes first does)
    /// and reports, once, what concerns the export as a whole, or that it cannot be opened.
    func extractExportPart(_ unit: InputUnit, into result: inout ExtractResult) {
        switch openExport(unit) {
        case .success(let export): report(export.issues, of: unit, into: &result)
        case .failure(let issue):
            // The export's conversations come to nothing without it: the export is lost whole.
            result.rejects.append(.wholeFile(
                unit.relativePath, step: Self.type.name, reason: issue.reason, bytes: Self.bytes(of: unit.path)))
        }
        openExports.done(with: unit.path)
        // The parts of an input are not hashed by the runner: the export is hashed once, here.
        result.inputSHA256 = Self.sha256(ofExportAt: unit.path) ?? ""
    }

    /// A zip's SHA-256; for a folder, the SHA-256 of the `sha256sum` lines (`<hex>  <path>`) of the
    /// files it is read from (not hidden; a link to a file as the file) in byte order of path, which
    /// for an export without links a shell gives as
    /// `find . -type f ! -path '*/.*' -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum`.
    static func sha256(ofExportAt path: String) -> String? {
        guard let files = folderFiles(of: path)?.map(\.path) else { return try? OutputFile.sha256(ofFileAt: path).sha256 }
        var hasher = SHA256()
        for file in files.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let digest = try? OutputFile.sha256(ofFileAt: path + "/" + file) else { return nil }
            hasher.update(data: Data("\(digest.sha256)  \(file)\n".utf8))
        }
        return Hex.string(hasher.finalize())
    }

    /// One conversation of an export: its document, the problems of its day files, its counts. Nothing
    /// when the export cannot be opened (the export part says so) or no longer has the conversation.
    func extract(conversation name: String, of unit: InputUnit, into result: inout ExtractResult) {
        defer { openExports.done(with: unit.path) }
        guard case .success(let export) = openExport(unit), let read = export.read(conversation: name) else { return }
        report(read.issues, of: unit, into: &result)
        count(read.conversation.counts, rejected: read.messagesRejected, of: unit, into: &result)
        result.documents.append(document(read.conversation, unit: unit))
    }

    /// The bytes of a zip, or of the files a folder export is read from.
    static func bytes(of path: String) -> Int64 {
        if let files = folderFiles(of: path) { return files.reduce(0) { $0 + Int64($1.size) } }
        return RegularFile.size(of: path)
    }

    /// The files an export folder is read from, listed as the reader lists them (whatever their
    /// number); nil for a zip or a path that is not a folder.
    static func folderFiles(of path: String) -> [(path: String, size: Int)]? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else { return nil }
        return try? SlackExportArchive.listFolder(URL(fileURLWithPath: path), name: path, limits: SlackExportLimits(maxFiles: .max)).files
    }

    private func openExport(_ unit: InputUnit) -> Result<OpenedSlackExport, SlackExportIssue> {
        openExports.export(at: unit.path) { () throws(SlackExportIssue) in
            try reader.open(URL(fileURLWithPath: unit.path), name: unit.relativePath)
        }
    }

    /// Rejected issues become rejects, warnings notes; paths are made relative to `input_root`.
    private func report(_ issues: [SlackExportIssue], of unit: InputUnit, into result: inout ExtractResult) {
        for issue in issues {
            let file = issue.file(inExport: unit.relativePath)
            switch issue.severity {
            case .rejected where issue.records == 0:
                result.rejects.append(.wholeFile(
                    file, line: issue.line, column: issue.column, step: Self.type.name, reason: issue.reason, bytes: issue.bytes ?? 0))
            case .rejected:
                result.rejects.append(Reject(
                    file: file, line: issue.line, column: issue.column, step: Self.type.name, reason: issue.reason,
                    record: issue.record, rows: issue.records))
            case .warning:
                let location = [issue.line, issue.column].compactMap { $0.map { ":\($0)" } }.joined()
                result.notes.count("warnings", "\(file)\(location): \(issue.reason)")
            }
        }
    }

    /// The input rows and the notes of what was read.
    private func count(_ counts: SlackAssemblyCounts, rejected: Int, of unit: InputUnit, into result: inout ExtractResult) {
        for (subtype, count) in counts.skippedBySubtype {
            result.notes.count(Self.skippedCategory, subtype, by: count)
        }
        if counts.tombstones > 0 {
            result.notes.count(Self.tombstoneCategory, unit.relativePath, by: counts.tombstones)
        }
        // Skipped subtypes are not records of the conversation: they are counted in the notes above,
        // so rows in = rows out + rows rejected holds.
        result.inputRows += counts.kept + rejected + counts.duplicates
    }

    /// A conversation as a document of threads.
    func document(_ conversation: SlackConversation, unit: InputUnit) -> Document {
        var document = Document(
            id: conversation.name, source: Self.type.name, sourceFile: unit.relativePath, hosts: hosts)
        // Slack's three escapes were decoded with the mrkdwn tokens; `clean_text` must not decode again.
        document.entitiesDecoded = true
        switch conversation.kind {
        case .publicChannel, .privateChannel, .unlisted: document.title = "#" + conversation.name
        case .directMessage, .groupDirectMessage: document.title = conversation.name
        }
        document.description = conversation.info?.purpose ?? conversation.info?.topic
        // One string per day file, shared by its messages.
        let sourceFiles = Dictionary(uniqueKeysWithValues: conversation.dayFiles.map { ($0, unit.relativePath + "/" + $0) })
        document.threads = conversation.threads.map { thread in
            Thread(messages: thread.messages.map { record in
                let isReply = record.message.ts != thread.key
                var message = Message(
                    key: record.message.ts.raw, parentKey: isReply ? thread.key.raw : nil, sourceLine: record.line,
                    authorRaw: record.author.name, authorRef: record.author.key, textRaw: record.message.text,
                    text: record.text, sentAt: Timestamp(microseconds: record.message.ts.microsecondsSinceEpoch))
                message.sourceFile = sourceFiles[record.file] ?? unit.relativePath + "/" + record.file
                return message
            })
        }
        document.spanMessageTimes()
        return document
    }
}
