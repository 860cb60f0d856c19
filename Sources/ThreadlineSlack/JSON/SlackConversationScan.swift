import Foundation

/// What reading a conversation message by message gave (``OpenedSlackExport/scan(conversation:visit:)``):
/// everything ``OpenedSlackExport/read(conversation:)`` gives but its threads, which went to the
/// visitor one message at a time.
public struct SlackConversationScan: Sendable {
    public var name: String
    public var info: SlackConversationInfo?
    public var kind: SlackConversation.Kind
    /// The day files read, sorted.
    public var dayFiles: [String]
    /// The issues of its day files in reading order, then its duplicate messages.
    public var issues: [SlackExportIssue]
    public var counts: SlackAssemblyCounts
    public var messagesRejected: Int
    /// The earliest and latest `ts` of the messages kept, in microseconds.
    public var firstMicroseconds: Int64?
    public var lastMicroseconds: Int64?
    /// Messages an old export's `replies` list named after they were read, each with the parent of
    /// the first list that named it late; empty in exports Slack writes. When it is not empty, the
    /// messages went to the visitor before their thread was known: scan again with it.
    public var lateListed: [String: SlackTimestamp]
}

extension OpenedSlackExport {
    /// Reads the conversation in folder `name` day file by day file, handing each message it keeps
    /// to `visit` with the key of its thread, and keeping none: for a conversation too big to
    /// assemble in memory. The messages go in reading order; sorted by thread key (then a thread's
    /// first message, then its replies by `ts`) they are the threads ``read(conversation:)`` gives.
    ///
    /// It keeps what it needs across day files compactly: a 64-bit hash of each `ts` seen (a second
    /// message of a `ts` already seen is a duplicate; the rare hash shared by two different `ts` is
    /// told apart by reading the day files again), and the thread of each reply an old export's
    /// `replies` list names until that reply is read (such a list places a reply without
    /// `thread_ts`). A list that names a message read before it (Slack writes a parent before its
    /// replies, so this is rare) comes too late to place it: the scan then lists it in
    /// ``SlackConversationScan/lateListed``, and the caller scans again with that list as
    /// `lateListed`, which places such messages as ``read(conversation:)`` does. Nil when the
    /// export has no such folder.
    public func scan(
        conversation name: String, lateListed late: [String: SlackTimestamp] = [:],
        visit: (SlackMessageRecord, _ threadKey: SlackTimestamp) throws -> Void
    ) rethrows -> SlackConversationScan? {
        guard let files = dayFiles[name] else { return nil }
        let reader = archive.makeReader()
        var issues: [SlackExportIssue] = []
        var counts = SlackAssemblyCounts()
        var rejected = 0
        var seen = Set<UInt64>()
        var listedParent: [String: SlackTimestamp] = [:]
        /// Messages a `replies` list named after they were read, with the first such list's parent.
        var lateListed: [String: SlackTimestamp] = [:]
        /// Messages whose `ts` hash was seen before: duplicates, unless the hash is another `ts`'s.
        var suspects: [(record: SlackMessageRecord, threadKey: SlackTimestamp, raw: String?, rawBytes: Int?)] = []
        var first: Int64?, last: Int64?
        func keep(_ record: SlackMessageRecord, threadKey: SlackTimestamp) throws {
            counts.kept += 1
            if record.message.ts == threadKey, record.isTombstone { counts.tombstones += 1 }
            let micros = record.message.ts.microsecondsSinceEpoch
            first = min(first ?? micros, micros)
            last = max(last ?? micros, micros)
            try visit(record, threadKey)
        }
        func threadKey(of record: SlackMessageRecord) -> SlackTimestamp {
            let ts = record.message.ts
            if let threadTS = record.message.threadTS { return threadTS }
            // The first list that names the message places it: one read before it, else one after.
            guard let listed = listedParent.removeValue(forKey: ts.raw) ?? late[ts.raw], listed != ts else { return ts }
            counts.placedByRepliesList += 1
            return listed
        }
        for file in files {
            rejected += try dayFile(file, reader: reader, issues: &issues, batchSize: Self.scanBatch) { records, data in
                for record in records {
                    if let subtype = record.message.subtype, assembler.skipSubtypes.contains(subtype) {
                        counts.skippedBySubtype[subtype, default: 0] += 1
                        continue
                    }
                    let hash = Self.hash(record.message.ts.raw)
                    guard seen.insert(hash).inserted else {
                        var raw: String?, rawBytes: Int?
                        if let range = record.range, range.upperBound <= data.count {
                            (raw, rawBytes) = SlackExportReader.record(data, range)
                        }
                        suspects.append((record, threadKey(of: record), raw, rawBytes))
                        continue
                    }
                    for reference in record.message.replies ?? [] {
                        if reference.ts != record.message.ts.raw, lateListed[reference.ts] == nil, seen.contains(Self.hash(reference.ts)) {
                            // Perhaps read already (or only its hash was): placed by a second scan if so.
                            lateListed[reference.ts] = record.message.ts
                        }
                        if listedParent[reference.ts] == nil { listedParent[reference.ts] = record.message.ts }
                    }
                    try keep(record, threadKey: threadKey(of: record))
                }
            }
        }
        if !suspects.isEmpty {
            // Where each suspect's `ts` was first read: its original, or the suspect itself when
            // only the hash was shared.
            var firstOf: [String: SlackMessageRecord] = [:]
            let wanted = Set(suspects.map(\.record.message.ts.raw))
            var scratch: [SlackExportIssue] = []
            for file in files {
                _ = dayFile(file, reader: reader, issues: &scratch, batchSize: Self.scanBatch) { records, _ in
                    for record in records where wanted.contains(record.message.ts.raw) {
                        if let subtype = record.message.subtype, assembler.skipSubtypes.contains(subtype) { continue }
                        if firstOf[record.message.ts.raw] == nil { firstOf[record.message.ts.raw] = record }
                    }
                }
            }
            for suspect in suspects {
                let original = firstOf[suspect.record.message.ts.raw]
                if original == nil || (original?.file == suspect.record.file && original?.line == suspect.record.line
                    && original?.column == suspect.record.column) {
                    try keep(suspect.record, threadKey: suspect.threadKey)
                    continue
                }
                counts.duplicates += 1
                var issue = SlackExportIssue(
                    .rejected, file: suspect.record.file, line: suspect.record.line, column: suspect.record.column, records: 1,
                    reason: "duplicate message ts \(suspect.record.message.ts.raw) (first in \(original!.location))")
                (issue.record, issue.recordBytes) = (suspect.raw, suspect.rawBytes)
                issues.append(issue)
            }
        }
        return SlackConversationScan(
            name: name, info: listed[name]?.info, kind: listed[name]?.kind ?? .unlisted, dayFiles: files, issues: issues, counts: counts,
            messagesRejected: rejected, firstMicroseconds: first, lastMicroseconds: last, lateListed: lateListed)
    }

    /// How many elements of a day file a scan decodes at a time: a day file of any size costs its
    /// bytes and this many messages.
    static let scanBatch = 4096

    /// FNV-1a over the UTF-8 bytes, then a 64-bit finaliser.
    static func hash(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}
