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
/// export is kept with a null `parent_id`. The conversations of an export are separate parts of
/// the input, extracted in parallel (see `plan`).
///
/// ```yaml
/// - type: slack_json
///   include: ["slack-export", "exports/*.zip"]
///   skip_subtypes: [channel_join, channel_leave]   # default: every non-conversation subtype
///   hosts: [martinkleppmann]                         # names or people profile ids
///   max_file_bytes: 256MiB
/// ```
package struct SlackJSONSource: ExtractStep {
    /// A reader's limits when it is given none: the options' defaults.
    private static let defaultLimits = SlackExportLimits()

    static let include = OptionKey<[String]>.include(example: "[\"slack-export\"]")
    static let skipSubtypes = OptionKey<[String]>.strings(
        "skip_subtypes", default: SlackThreadAssembler.defaultSkipSubtypes.sorted(),
        "message subtypes that are not conversation (joins, topic changes, pins); skipped and counted in the run summary")
    static let maxFileBytes = OptionKey<Int>.byteSize(
        "max_file_bytes", default: defaultLimits.maxFileBytes, "a day file larger than this is rejected whole")
    static let maxTotalBytes = OptionKey<Int>.byteSize(
        "max_total_bytes", default: defaultLimits.maxTotalBytes, "files beyond this much data in one export are rejected")
    static let maxFiles = OptionKey<Int>.integer(
        "max_files", default: defaultLimits.maxFiles, "an export listing more files than this is rejected whole")

    package static let type = StepType.extract(
        name: "slack_json",
        summary: "native Slack exports (a folder or a .zip): channels, private channels, DMs and group DMs, threads across day files",
        options: [
            include.spec, OptionKey.exclude.spec, OptionKey.minInputs.spec, skipSubtypes.spec, OptionKey.hosts.spec, maxFileBytes.spec, maxTotalBytes.spec,
            maxFiles.spec,
        ],
        rules: [SlackRules.exportUnreadable, SlackRules.fileRejected, SlackRules.messageRejected, SlackRules.exportWarning],
        example: """
            - type: slack_json
              include: ["slack-export"]
            """,
        make: { options, _ in SlackJSONSource(options: options) })

    /// The run-summary category of messages skipped by subtype, counted per subtype.
    package static let skippedCategory = NoteCategory("slack_json skipped subtypes", key: "slack_json_skipped_subtypes")
    /// The run-summary category of deleted thread parents (tombstones) kept for their replies.
    package static let tombstoneCategory = NoteCategory(
        "slack_json deleted thread parents kept", key: "slack_json_deleted_thread_parents_kept")

    package let include: [String]
    package let exclude: [String]
    /// Hosts given to every document, resolved by `normalise_authors`.
    package let hosts: [String]
    package let reader: SlackExportReader

    package init(options: StepOptions) {
        include = options[Self.include]
        exclude = options[.exclude]
        hosts = options[.hosts]
        let limits = SlackExportLimits(
            maxFileBytes: options[Self.maxFileBytes], maxFiles: options[Self.maxFiles], maxTotalBytes: options[Self.maxTotalBytes])
        reader = SlackExportReader(limits: limits, skipSubtypes: Set(options[Self.skipSubtypes]))
    }

    /// Matching folders and `.zip` files; a folder inside another matched folder is part of it.
    ///
    /// An export is read in parts so that its conversations are extracted in parallel and memory
    /// holds a few conversations rather than the whole export: a `common` part (its users, its
    /// metadata files, the problems of the export as a whole, its hash) and a piece per conversation
    /// (by folder name), in name order, so the rows come out as they would from one part. Only the
    /// export's listing is read here (a folder's files, a zip's central directory). An export that
    /// cannot be listed, or has no conversation, is read whole, which reports why.
    package func plan(_ catalog: InputCatalog) throws -> [Input] {
        let matched = catalog.matching(include: include, exclude: exclude, directories: true, orFiles: true)
            .filter { $0.isDirectory || $0.relativePath.lowercased().hasSuffix(".zip") }
        let folders = matched.filter(\.isDirectory).map { $0.relativePath + "/" }
        return matched
            .filter { entry in !folders.contains { entry.relativePath.hasPrefix($0) } }
            .map { entry in
                let input = Input(
                    path: catalog.absolutePath(entry.relativePath), relativePath: entry.relativePath,
                    sortKey: entry.relativePath,
                    bytes: entry.isDirectory ? catalog.totalBytes(under: entry.relativePath) : entry.bytes)
                return split(input)
            }
    }

    /// A matched folder is read whole, and a matched file if it is a `.zip`.
    package func wouldRead(_ relativePath: String, isFolder: Bool) -> Bool {
        (isFolder || relativePath.lowercased().hasSuffix(".zip"))
            && include.contains { Glob($0).matches(relativePath) } && !exclude.contains { Glob($0).matches(relativePath) }
    }

    /// The export read as its common part and its conversations, or whole when it cannot be listed or
    /// has no conversation.
    func split(_ input: Input) -> Input {
        let url = URL(fileURLWithPath: input.path)
        guard let conversations = try? reader.conversations(in: url, name: input.relativePath), !conversations.isEmpty
        else { return input }
        let conversationBytes = conversations.reduce(Int64(0)) { $0 + $1.bytes }
        // The export's own files (and, for a zip, its headers): the parts' bytes add up to the input's.
        let common = InputPart(.common, bytes: max(0, input.bytes - conversationBytes))
        return input.split(into: [common] + conversations.map { InputPart(.piece($0.name), bytes: $0.bytes) })
    }

    /// An export read in parts, opened once for all of them: its listing, users and metadata files.
    package enum Opened: Sendable {
        /// Read whole: nothing is shared.
        case whole
        case opened(OpenedSlackExport)
        /// The export cannot be opened: its common part rejects it, its conversations come to nothing.
        case failed(SlackExportIssue)
    }

    package func open(_ input: Input) -> Opened {
        guard input.parts.count > 1 else { return .whole }
        do {
            return .opened(try reader.open(URL(fileURLWithPath: input.path), name: input.relativePath))
        } catch {
            return .failed(error)
        }
    }

    package func extract(_ part: InputPart, of input: Input, opened: Opened, into result: inout ExtractResult) {
        switch (part.scope, opened) {
        case (.whole, _): extractWhole(input, into: &result)
        case (.common, .opened(let export)):
            report(export.issues, of: input, into: &result)
            // The export is hashed once, by its common part.
            result.inputSHA256 = Self.sha256(ofExportAt: input.path) ?? ""
        case (.common, .failed(let issue)):
            // The export's conversations come to nothing without it: the export is lost whole.
            var reject = Reject.wholeFile(
                input.relativePath, step: Self.type.name, rule: SlackRules.exportUnreadable, reason: issue.reason, bytes: Self.bytes(of: input.path))
            reject.keep(fileAt: input.path)
            result.rejects.append(reject)
            result.inputSHA256 = Self.sha256(ofExportAt: input.path) ?? ""
        case (.piece(let name), .opened(let export)):
            // Nothing when the export no longer has the conversation.
            guard let read = export.read(conversation: name) else { return }
            report(read.issues, of: input, into: &result)
            count(read.conversation.counts, rejected: read.messagesRejected, of: input, into: &result)
            result.documents.append(document(read.conversation, input: input))
        case (.common, .whole), (.piece, _):
            return
        }
    }

    /// An export read as one part: every conversation, and what concerns the export as a whole.
    func extractWhole(_ input: Input, into result: inout ExtractResult) {
        let export: SlackExport
        var documents: [Document] = []
        do {
            export = try reader.read(URL(fileURLWithPath: input.path), name: input.relativePath) { conversation in
                documents.append(document(conversation, input: input))
            }
        } catch {
            var reject = Reject.wholeFile(
                input.relativePath, step: Self.type.name, rule: SlackRules.exportUnreadable, reason: error.reason, bytes: input.bytes)
            reject.keep(fileAt: input.path)
            result.rejects.append(reject)
            return
        }
        report(export.issues, of: input, into: &result)
        count(export.counts, rejected: export.messagesRejected, of: input, into: &result)
        result.documents += documents
    }

    /// A zip's SHA-256; for a folder, the SHA-256 of the `sha256sum` lines (`<hex>  <path>`) of the
    /// files it is read from (not hidden; a link to a file as the file) in byte order of path, which
    /// for an export without links a shell gives as
    /// `find . -type f ! -path '*/.*' -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum`.
    static func sha256(ofExportAt path: String) -> String? {
        guard let files = folderFiles(of: path)?.map(\.path) else { return try? FileDigest.sha256(ofFileAt: path).sha256 }
        var hasher = SHA256()
        for file in files.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let digest = try? FileDigest.sha256(ofFileAt: path + "/" + file) else { return nil }
            hasher.update(data: Data("\(digest.sha256)  \(file)\n".utf8))
        }
        return Hex.string(hasher.finalize())
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

    /// Rejected issues become rejects, warnings notes; paths are made relative to `input_root`.
    private func report(_ issues: [SlackExportIssue], of input: Input, into result: inout ExtractResult) {
        for issue in issues {
            let file = issue.file(inExport: input.relativePath)
            switch issue.severity {
            case .rejected where issue.records == 0:
                var reject = Reject.wholeFile(
                    file, line: issue.line, column: issue.column, step: Self.type.name, rule: SlackRules.rule(for: issue), reason: issue.reason,
                    bytes: issue.bytes ?? 0)
                reject.keep(record: issue.record, bytes: issue.recordBytes)
                result.rejects.append(reject)
            case .rejected:
                var reject = Reject(
                    file: file, line: issue.line, column: issue.column, step: Self.type.name, rule: SlackRules.rule(for: issue),
                    reason: issue.reason, rows: issue.records)
                reject.keep(record: issue.record, bytes: issue.recordBytes)
                result.rejects.append(reject)
            case .warning:
                result.warn(SlackRules.rule(for: issue), issue.reason, at: SourceLocation(file: file, line: issue.line, column: issue.column))
            }
        }
    }

    /// The input rows and the notes of what was read.
    private func count(_ counts: SlackAssemblyCounts, rejected: Int, of input: Input, into result: inout ExtractResult) {
        for (subtype, count) in counts.skippedBySubtype {
            result.notes.count(Self.skippedCategory, subtype, by: count)
        }
        if counts.tombstones > 0 {
            result.notes.count(Self.tombstoneCategory, input.relativePath, by: counts.tombstones)
        }
        // Skipped subtypes are not records of the conversation: they are counted in the notes above,
        // so rows in = rows out + rows rejected holds.
        result.inputRows += counts.kept + rejected + counts.duplicates
    }

    /// A conversation as a document of threads.
    func document(_ conversation: SlackConversation, input: Input) -> Document {
        var document = Document(
            id: Document.slackID(source: Self.type.name)(conversation.name), source: Self.type.name, sourceFile: input.relativePath, hosts: hosts)
        // Slack's three escapes were decoded with the mrkdwn tokens; `clean_text` must not decode again.
        document.entitiesDecoded = true
        switch conversation.kind {
        case .publicChannel, .privateChannel, .unlisted: document.title = "#" + conversation.name
        case .directMessage, .groupDirectMessage: document.title = conversation.name
        }
        document.description = conversation.info?.purpose ?? conversation.info?.topic
        // One string per day file, shared by its messages.
        let sourceFiles = Dictionary(uniqueKeysWithValues: conversation.dayFiles.map { ($0, input.relativePath + "/" + $0) })
        document.threads = conversation.threads.map { thread in
            var messages: [Message] = []
            messages.reserveCapacity(thread.messageCount)
            thread.forEachMessage { record in
                let isReply = record.message.ts != thread.key
                var message = Message(
                    key: record.message.ts.raw, parentKey: isReply ? thread.key.raw : nil, sourceLine: record.line,
                    authorRaw: record.author.name, authorRef: record.author.key, textRaw: record.message.text,
                    text: record.text, sentAt: Timestamp(microseconds: record.message.ts.microsecondsSinceEpoch))
                message.sourceFile = sourceFiles[record.file] ?? input.relativePath + "/" + record.file
                message.isBot = record.author.isBot
                messages.append(message)
            }
            return Thread(messages: messages)
        }
        document.spanMessageTimes()
        return document
    }
}
