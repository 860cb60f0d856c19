import Foundation
import Synchronization
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
    static let partBytes = OptionKey<Int>.byteSize(
        "part_bytes", default: 16 << 20,
        "a conversation whose day files take more than this is read in parts of about this size: its messages are spooled to disk (in output_root/.threadline) and go to the transforms and writers a part at a time, so memory stays flat whatever the conversation's size")

    package static let type = StepType.extract(
        name: "slack_json",
        summary: "native Slack exports (a folder or a .zip): channels, private channels, DMs and group DMs, threads across day files",
        options: [
            include.spec, OptionKey.exclude.spec, OptionKey.minInputs.spec, skipSubtypes.spec, OptionKey.hosts.spec, maxFileBytes.spec, maxTotalBytes.spec,
            maxFiles.spec, partBytes.spec,
        ],
        rules: [SlackRules.exportUnreadable, SlackRules.fileRejected, SlackRules.messageRejected, SlackRules.exportWarning],
        example: """
            - type: slack_json
              include: ["slack-export"]
            """,
        make: { options, context in SlackJSONSource(options: options, context: context) })

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
    /// A conversation over this many bytes is read in parts, through a spool in `spoolRoot`.
    package let partBytes: Int
    let spoolRoot: String

    package init(options: StepOptions, context: StepContext? = nil) {
        include = options[Self.include]
        exclude = options[.exclude]
        hosts = options[.hosts]
        let limits = SlackExportLimits(
            maxFileBytes: options[Self.maxFileBytes], maxFiles: options[Self.maxFiles], maxTotalBytes: options[Self.maxTotalBytes])
        reader = SlackExportReader(limits: limits, skipSubtypes: Set(options[Self.skipSubtypes]))
        partBytes = max(1, options[Self.partBytes])
        spoolRoot = ((context?.outputRoot ?? FileManager.default.temporaryDirectory.path) as NSString).appendingPathComponent(".threadline")
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
        return input.split(into: [common] + conversations.flatMap { conversation -> [InputPart] in
            guard conversation.bytes > Int64(partBytes) else { return [InputPart(.piece(conversation.name), bytes: conversation.bytes)] }
            // A big conversation is read in parts: `name/k/m`, each about part_bytes of it.
            let count = Int((conversation.bytes + Int64(partBytes) - 1) / Int64(partBytes))
            let share = conversation.bytes / Int64(count)
            return (1...count).map { index in
                InputPart(.piece("\(conversation.name)/\(index)/\(count)"), bytes: index == 1 ? conversation.bytes - share * Int64(count - 1) : share)
            }
        } + [InputPart(.digest, bytes: 0)])
    }

    /// The conversation, part and number of parts of a piece of a conversation read in parts.
    static func segment(_ piece: String) -> (name: String, index: Int, count: Int)? {
        let parts = piece.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let index = Int(parts[1]), let count = Int(parts[2]) else { return nil }
        return (String(parts[0]), index, count)
    }

    /// An export read in parts, opened once for all of them: its listing, users and metadata files.
    package enum Opened: Sendable {
        /// Read whole: nothing is shared.
        case whole
        case opened(OpenedSlackExport, SpooledConversations)
        /// The export cannot be opened: its common part rejects it, its conversations come to nothing.
        case failed(SlackExportIssue)
    }

    package func open(_ input: Input) -> Opened {
        guard input.parts.count > 1 else { return .whole }
        do {
            return .opened(try reader.open(URL(fileURLWithPath: input.path), name: input.relativePath), SpooledConversations())
        } catch {
            return .failed(error)
        }
    }

    package func extract(_ part: InputPart, of input: Input, opened: Opened, into result: inout ExtractResult) {
        switch (part.scope, opened) {
        case (.whole, _): extractWhole(input, into: &result)
        case (.common, .opened(let export, _)):
            report(export.issues, of: input, into: &result)
        case (.digest, .opened(let export, _)):
            // The export is hashed once, from the listing it was opened with.
            result.inputSHA256 = Self.sha256(ofExportAt: input.path, files: export.folderFiles) ?? ""
        case (.digest, .failed):
            result.inputSHA256 = Self.sha256(ofExportAt: input.path) ?? ""
        case (.common, .failed(let issue)):
            // The export's conversations come to nothing without it: the export is lost whole.
            var reject = Reject.wholeFile(
                input.relativePath, step: Self.type.name, rule: SlackRules.exportUnreadable, reason: issue.reason, bytes: Self.bytes(of: input.path))
            reject.keep(fileAt: input.path)
            result.rejects.append(reject)
        case (.piece(let piece), .opened(let export, let spools)):
            if let segment = Self.segment(piece) {
                extract(segment: segment, of: input, export: export, spools: spools, into: &result)
                return
            }
            let name = piece
            // Nothing when the export no longer has the conversation.
            guard let read = export.read(conversation: name) else { return }
            report(read.issues, of: input, into: &result)
            count(read.conversation.counts, rejected: read.messagesRejected, of: input, into: &result)
            result.documents.append(document(read.conversation, input: input))
        case (.common, .whole), (.piece, _), (.digest, .whole):
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
    /// `files` is the folder's listing when the caller has it already.
    static func sha256(ofExportAt path: String, files listed: [String]? = nil) -> String? {
        guard let files = listed ?? folderFiles(of: path)?.map(\.path) else { return try? FileDigest.sha256(ofFileAt: path).sha256 }
        return FileDigest.sha256(ofFiles: files, in: path)
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
        var document = template(name: conversation.name, kind: conversation.kind, info: conversation.info, input: input)
        // One string per day file, shared by its messages; a thread's messages mostly come from one
        // day file, so the last one is kept at hand.
        let sourceFiles = Dictionary(uniqueKeysWithValues: conversation.dayFiles.map { ($0, input.relativePath + "/" + $0) })
        var last: (dayFile: String, sourceFile: String)?
        document.threads = conversation.threads.map { thread in
            var messages: [Message] = []
            messages.reserveCapacity(thread.messageCount)
            thread.forEachMessage { record in
                let sourceFile: String
                if let last, last.dayFile == record.file {
                    sourceFile = last.sourceFile
                } else {
                    sourceFile = sourceFiles[record.file] ?? input.relativePath + "/" + record.file
                    last = (record.file, sourceFile)
                }
                let isReply = record.message.ts != thread.key
                // Made in the array and set there: a message is not copied into it.
                messages.append(Message(
                    key: record.message.ts.raw, parentKey: isReply ? thread.key.raw : nil, sourceLine: record.line,
                    authorRaw: record.author.name, authorRef: record.author.key, textRaw: record.message.text,
                    text: record.text, sentAt: Timestamp(microseconds: record.message.ts.microsecondsSinceEpoch)))
                messages[messages.count - 1].sourceFile = sourceFile
                messages[messages.count - 1].isBot = record.author.isBot
            }
            return Thread(messages: messages)
        }
        document.spanMessageTimes()
        return document
    }

    /// A conversation's document without its threads.
    func template(name: String, kind: SlackConversation.Kind, info: SlackConversationInfo?, input: Input) -> Document {
        var document = Document(
            id: Document.slackID(source: Self.type.name)(name), source: Self.type.name, sourceFile: input.relativePath, hosts: hosts)
        // Slack's three escapes were decoded with the mrkdwn tokens; `clean_text` must not decode again.
        document.entitiesDecoded = true
        switch kind {
        case .publicChannel, .privateChannel, .unlisted: document.title = "#" + name
        case .directMessage, .groupDirectMessage: document.title = name
        }
        document.description = info?.purpose ?? info?.topic
        return document
    }

    // MARK: Conversations read in parts

    /// One part of a conversation read in parts. The first part to come spools the whole
    /// conversation (the other parts wait for it): its messages are read day file by day file and
    /// spooled to disk, then sorted into threads and cut into as many fragments as the conversation
    /// has parts. Each part hands back its fragment; the first also what concerns the conversation
    /// as a whole (its issues, counts and rows read).
    func extract(
        segment: (name: String, index: Int, count: Int), of input: Input, export: OpenedSlackExport, spools: SpooledConversations,
        into result: inout ExtractResult
    ) {
        let spooled = spools.conversation(segment.name, parts: segment.count) { () -> SpooledConversations.Conversation? in
            do {
                guard var (spool, scan) = try scanIntoSpool(segment.name, of: input, export: export, lateListed: [:]) else { return nil }
                if !scan.lateListed.isEmpty {
                    // An old export's `replies` list named messages read before it: read again, knowing them.
                    guard let again = try scanIntoSpool(segment.name, of: input, export: export, lateListed: scan.lateListed) else { return nil }
                    (spool, scan) = again
                }
                var template = self.template(name: scan.name, kind: scan.kind, info: scan.info, input: input)
                template.startsAt = scan.firstMicroseconds.map(Timestamp.init(microseconds:))
                template.endsAt = scan.lastMicroseconds.map(Timestamp.init(microseconds:))
                let documents = try spool.finish(fragments: segment.count, documents: [template])
                return .init(documents: documents, scan: scan, failure: nil)
            } catch {
                return .init(documents: nil, scan: nil, failure: "\(error)")
            }
        }
        guard let spooled else { return }
        if segment.index == 1 {
            if let failure = spooled.failure {
                // The conversation is lost whole: its parts' bytes weigh it.
                let bytes = input.parts.reduce(Int64(0)) { sum, part in
                    guard case .piece(let piece) = part.scope, Self.segment(piece)?.name == segment.name else { return sum }
                    return sum + part.bytes
                }
                result.rejects.append(.wholeFile(
                    input.relativePath + "/" + segment.name, step: Self.type.name, rule: SlackRules.exportUnreadable,
                    reason: "the conversation could not be spooled to read it in parts: \(failure)", bytes: bytes))
            }
            if let scan = spooled.scan {
                report(scan.issues, of: input, into: &result)
                count(scan.counts, rejected: scan.messagesRejected, of: input, into: &result)
            }
        }
        guard let documents = spooled.documents else { return }
        do {
            result.documents += try documents.documents(ofFragment: segment.index - 1)
        } catch {
            result.rejects.append(.wholeFile(
                input.relativePath + "/" + segment.name, step: Self.type.name, rule: SlackRules.exportUnreadable,
                reason: "part \(segment.index) of \(segment.count) of the conversation could not be read back from its spool: \(error)",
                bytes: 0))
        }
    }

    /// Scans conversation `name` into a new spool: nil when the export has no such conversation.
    private func scanIntoSpool(
        _ name: String, of input: Input, export: OpenedSlackExport, lateListed: [String: SlackTimestamp]
    ) throws -> (DocumentSpool, SlackConversationScan)? {
        // Sorted runs of about two parts' messages at a time.
        let spool = try DocumentSpool(root: spoolRoot, memoryBytes: 2 * partBytes)
        var spoolError: (any Error)?
        let scan = export.scan(conversation: name, lateListed: lateListed) { record, threadKey in
            guard spoolError == nil else { return }
            let isRoot = record.message.ts == threadKey
            var message = Message(
                key: record.message.ts.raw, parentKey: isRoot ? nil : threadKey.raw, sourceLine: record.line,
                authorRaw: record.author.name, authorRef: record.author.key, textRaw: record.message.text,
                text: record.text, sentAt: Timestamp(microseconds: record.message.ts.microsecondsSinceEpoch))
            message.sourceFile = input.relativePath + "/" + record.file
            message.isBot = record.author.isBot
            do {
                try spool.add(
                    document: 0,
                    thread: DocumentSpool.SortValue(rank: 0, number: threadKey.microsecondsSinceEpoch, text: threadKey.raw),
                    order: isRoot
                        ? DocumentSpool.SortValue(rank: 0, number: 0, text: "")
                        : DocumentSpool.SortValue(rank: 1, number: record.message.ts.microsecondsSinceEpoch, text: record.message.ts.raw),
                    message)
            } catch {
                spoolError = error
            }
        }
        guard let scan else { return nil }
        if let spoolError { throw spoolError }
        return (spool, scan)
    }
}

/// The conversations of one export being read in parts, each spooled once, by its first part to
/// come, and let go after its last part.
package final class SpooledConversations: Sendable {
    struct Conversation: Sendable {
        let documents: SpooledDocuments?
        let scan: SlackConversationScan?
        /// Why it could not be spooled.
        let failure: String?
    }

    private final class Slot: Sendable {
        let value = Mutex<Conversation??>(nil)
        let remaining: Mutex<Int>

        init(parts: Int) { remaining = Mutex(parts) }
    }

    private let slots = Mutex<[String: Slot]>([:])

    /// The spooled conversation `name` of `parts` parts, made by `make` for the first part to ask
    /// (the others wait); let go once all its parts have asked.
    func conversation(_ name: String, parts: Int, make: () -> Conversation?) -> Conversation? {
        let slot = slots.withLock { slots in
            if let slot = slots[name] { return slot }
            let slot = Slot(parts: parts)
            slots[name] = slot
            return slot
        }
        let value = slot.value.withLock { value -> Conversation? in
            if let made = value { return made }
            let made = make()
            value = .some(made)
            return made
        }
        let left = slot.remaining.withLock { count in
            count -= 1
            return count
        }
        if left <= 0 { slots.withLock { _ = $0.removeValue(forKey: name) } }
        return value
    }
}
