/// A message read from a day file, with where it was found and what it was resolved to.
public struct SlackMessageRecord: Sendable, Hashable {
    public var message: SlackMessage
    /// The day file, relative to the export root.
    public var file: String
    /// The line of the message's `{` in that file.
    public var line: Int?
    /// The column (in Unicode scalars) of that `{`.
    var column: Int?
    public var author: SlackAuthor
    /// `text` with mrkdwn decoded (`message.text` keeps the original).
    public var text: String
    /// The message's bytes in its day file, for the raw JSON of a reject.
    var range: Range<Int>?

    init(message: SlackMessage, file: String, line: Int?, column: Int? = nil, author: SlackAuthor, text: String) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.author = author
        self.text = text
    }

    /// Where the record is, `file:line:column`, leaving out what is unknown.
    var location: String {
        guard let line else { return file }
        return "\(file):\(line)" + (column.map { ":\($0)" } ?? "")
    }

    /// A reply that was also posted to the channel; it belongs to its thread only.
    /// A record of empty strings, left where a record was moved out of an array.
    static let vacant = SlackMessageRecord(
        message: SlackMessage(ts: SlackTimestamp("0")!), file: "", line: nil,
        author: SlackAuthor(key: "", name: "", origin: .unknown), text: "")

    var isBroadcast: Bool { message.subtype == "thread_broadcast" }
    /// A deleted parent kept because it still has replies.
    var isTombstone: Bool { message.subtype == "tombstone" }
}

/// A thread start and its replies in `ts` order.
///
/// When the parent is not in the export (outside the exported range, or deleted without a
/// tombstone) `root` is `nil`: the replies are kept and `isParentMissing` says so.
public struct SlackThread: Sendable, Hashable {
    /// The parent's `ts` (`thread_ts` of the replies).
    public var key: SlackTimestamp
    var root: SlackMessageRecord?
    var replies: [SlackMessageRecord]

    var isParentMissing: Bool { root == nil }
    /// The root, then the replies.
    public var messages: [SlackMessageRecord] { (root.map { [$0] } ?? []) + replies }
    /// How many messages `messages` has.
    public var messageCount: Int { replies.count + (root == nil ? 0 : 1) }

    /// Calls `body` with each of `messages` in order, without making that array.
    public func forEachMessage(_ body: (SlackMessageRecord) throws -> Void) rethrows {
        // The root is handed on in place: `if let` would copy it.
        switch root {
        case .some: try body(root.unsafelyUnwrapped)
        case .none: break
        }
        for reply in replies { try body(reply) }
    }
}

/// Counts of what thread assembly did, for the run summary.
public struct SlackAssemblyCounts: Sendable, Hashable {
    /// Messages kept, in threads.
    public var kept = 0
    /// Messages skipped by subtype (`channel_join`, …), per subtype.
    public var skippedBySubtype: [String: Int] = [:]
    /// Messages whose `ts` was already seen in the conversation.
    public var duplicates = 0
    var threads = 0
    /// Threads with at least one reply.
    var threadsWithReplies = 0
    var replies = 0
    var missingParents = 0
    public var tombstones = 0
    var broadcasts = 0
    /// Replies placed by an old-style `replies` list because they carry no `thread_ts`.
    var placedByRepliesList = 0
    /// Entries of `replies` lists whose message is not in the export.
    var listedRepliesNotFound = 0

    var skipped: Int { skippedBySubtype.values.reduce(0, +) }

    init() {}

    mutating func add(_ other: SlackAssemblyCounts) {
        kept += other.kept
        skippedBySubtype.merge(other.skippedBySubtype, uniquingKeysWith: +)
        duplicates += other.duplicates
        threads += other.threads
        threadsWithReplies += other.threadsWithReplies
        replies += other.replies
        missingParents += other.missingParents
        tombstones += other.tombstones
        broadcasts += other.broadcasts
        placedByRepliesList += other.placedByRepliesList
        listedRepliesNotFound += other.listedRepliesNotFound
    }
}

/// Groups one conversation's messages (from all of its day files) into threads.
///
/// A message whose `thread_ts` equals its `ts`, or that has none, starts a thread; any other
/// message is a reply to the thread `thread_ts` names, whichever day file either is in. Old
/// exports' `replies` lists place replies that lack `thread_ts`. A `thread_broadcast` is a reply
/// of its thread and appears once. Subtypes in `skipSubtypes` are counted and dropped; a second
/// message with a `ts` already seen is a duplicate (reported by the caller).
public struct SlackThreadAssembler: Sendable {
    /// Subtypes that are not conversation: membership, channel settings, pins, bots joining, and
    /// the events about another message (its edit, its deletion, a reply to it), whose own `ts` is
    /// the event's and which carry no text of their own.
    public static let defaultSkipSubtypes: Set<String> = [
        "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
        "channel_archive", "channel_unarchive", "channel_convert_to_private", "channel_convert_to_public",
        "group_join", "group_leave", "group_topic", "group_purpose", "group_name", "group_archive",
        "group_unarchive", "bot_add", "bot_remove", "pinned_item", "unpinned_item", "reminder_add",
        "sh_room_created", "joiner_notification", "message_changed", "message_deleted", "message_replied",
    ]

    var skipSubtypes: Set<String>

    init(skipSubtypes: Set<String> = defaultSkipSubtypes) {
        self.skipSubtypes = skipSubtypes
    }

    /// The result: threads ordered by their key, the duplicates dropped, and counts.
    struct Result: Sendable {
        var threads: [SlackThread]
        /// Records dropped because their `ts` was seen before, each with the record it repeats.
        var duplicates: [(duplicate: SlackMessageRecord, original: SlackMessageRecord)]
        var counts: SlackAssemblyCounts
    }

    /// Assembles `records` (in any order).
    ///
    /// The records are referred to by index until the threads are built, so each is copied once,
    /// into its thread: a conversation can hold hundreds of thousands of them.
    func assemble(_ records: consuming [SlackMessageRecord]) -> Result {
        var counts = SlackAssemblyCounts()
        // Each record's position by its `ts`: the first record of each `ts`.
        var byTS = TimestampTable(capacity: records.count)
        func record(of ts: SlackTimestamp) -> Int? { byTS.position(of: ts) { records[$0].message.ts == ts } }
        var kept: [Int] = []
        var duplicates: [(SlackMessageRecord, SlackMessageRecord)] = []
        for index in records.indices {
            if let subtype = records[index].message.subtype, skipSubtypes.contains(subtype) {
                counts.skippedBySubtype[subtype, default: 0] += 1
                continue
            }
            let ts = records[index].message.ts
            if let original = record(of: ts) {
                duplicates.append((records[index], records[original]))
                counts.duplicates += 1
                continue
            }
            byTS.insert(index, for: ts)
            kept.append(index)
        }
        counts.kept = kept.count

        // Old exports: a parent lists its replies; use the list only where `thread_ts` is absent.
        // A reference that is not a timestamp names no message: every message has one. Each listed
        // reply's parent is the first parent that lists it.
        var listedReplies: [SlackTimestamp] = []
        var listedParents: [SlackTimestamp] = []
        var listed = TimestampTable(capacity: kept.reduce(0) { $0 + (records[$1].message.replies?.count ?? 0) })
        for index in kept {
            for reference in records[index].message.replies ?? [] {
                guard let reply = SlackTimestamp(reference.ts) else {
                    counts.listedRepliesNotFound += 1
                    continue
                }
                if record(of: reply) == nil { counts.listedRepliesNotFound += 1 }
                if listed.position(of: reply, { listedReplies[$0] == reply }) == nil {
                    listed.insert(listedReplies.count, for: reply)
                    listedReplies.append(reply)
                    listedParents.append(records[index].message.ts)
                }
            }
        }

        // Each thread once, by its key, in the order its first message was kept.
        var threadOf = TimestampTable(capacity: kept.count)
        var keys: [SlackTimestamp] = []
        var roots: [Int?] = []
        var replies: [[Int]] = []
        for index in kept {
            let ts = records[index].message.ts
            let threadTS = records[index].message.threadTS
            var key = threadTS ?? ts
            if threadTS == nil, !listedReplies.isEmpty, let position = listed.position(of: ts, { listedReplies[$0] == ts }),
                listedParents[position] != ts
            {
                key = listedParents[position]
                counts.placedByRepliesList += 1
            }
            let thread: Int
            if let known = threadOf.position(of: key, { keys[$0] == key }) {
                thread = known
            } else {
                thread = keys.count
                threadOf.insert(thread, for: key)
                keys.append(key)
                roots.append(nil)
                replies.append([])
            }
            if key == ts {
                roots[thread] = index
            } else {
                replies[thread].append(index)
            }
        }

        // Each kept record is moved into its thread, not copied: the records are this call's own.
        let vacant = SlackMessageRecord.vacant
        func take(_ index: Int) -> SlackMessageRecord {
            var record = vacant
            swap(&record, &records[index])
            return record
        }
        var threads: [SlackThread] = []
        threads.reserveCapacity(keys.count)
        // Thread keys are distinct instants, so their order is total.
        for thread in keys.indices.sorted(by: { keys[$0] < keys[$1] }) {
            let replyIndices = replies[thread].sorted { records[$0].message.ts < records[$1].message.ts }
            // Counted on the records in place, before they move: reading them out of a thread would copy them.
            counts.threads += 1
            counts.replies += replyIndices.count
            if !replyIndices.isEmpty { counts.threadsWithReplies += 1 }
            if let root = roots[thread] {
                if records[root].isTombstone { counts.tombstones += 1 }
                if records[root].isBroadcast { counts.broadcasts += 1 }
            } else {
                counts.missingParents += 1
            }
            counts.broadcasts += replyIndices.count { records[$0].isBroadcast }
            threads.append(SlackThread(key: keys[thread], root: roots[thread].map(take), replies: replyIndices.map(take)))
        }
        return Result(threads: threads, duplicates: duplicates, counts: counts)
    }
}
