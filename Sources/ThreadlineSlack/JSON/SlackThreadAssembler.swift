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
    /// Subtypes that are not conversation: membership, channel settings, pins, bots joining.
    public static let defaultSkipSubtypes: Set<String> = [
        "channel_join", "channel_leave", "channel_topic", "channel_purpose", "channel_name",
        "channel_archive", "channel_unarchive", "channel_convert_to_private", "channel_convert_to_public",
        "group_join", "group_leave", "group_topic", "group_purpose", "group_name", "group_archive",
        "group_unarchive", "bot_add", "bot_remove", "pinned_item", "unpinned_item", "reminder_add",
        "sh_room_created", "joiner_notification",
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
    func assemble(_ records: [SlackMessageRecord]) -> Result {
        var counts = SlackAssemblyCounts()
        var byTS: [String: Int] = [:]
        var kept: [Int] = []
        var duplicates: [(SlackMessageRecord, SlackMessageRecord)] = []
        for index in records.indices {
            if let subtype = records[index].message.subtype, skipSubtypes.contains(subtype) {
                counts.skippedBySubtype[subtype, default: 0] += 1
                continue
            }
            if let original = byTS[records[index].message.ts.raw] {
                duplicates.append((records[index], records[original]))
                counts.duplicates += 1
                continue
            }
            byTS[records[index].message.ts.raw] = index
            kept.append(index)
        }
        counts.kept = kept.count

        // Old exports: a parent lists its replies; use the list only where `thread_ts` is absent.
        var listedParent: [String: SlackTimestamp] = [:]
        for index in kept {
            for reference in records[index].message.replies ?? [] {
                if byTS[reference.ts] == nil { counts.listedRepliesNotFound += 1 }
                if listedParent[reference.ts] == nil { listedParent[reference.ts] = records[index].message.ts }
            }
        }

        var roots: [String: Int] = [:]
        var replies: [String: [Int]] = [:]
        var keys: [String: SlackTimestamp] = [:]
        for index in kept {
            let ts = records[index].message.ts
            let threadTS = records[index].message.threadTS
            var key = threadTS ?? ts
            if threadTS == nil, let listed = listedParent[ts.raw], listed != ts {
                key = listed
                counts.placedByRepliesList += 1
            }
            keys[key.raw] = key
            if key == ts {
                roots[key.raw] = index
            } else {
                replies[key.raw, default: []].append(index)
            }
        }

        var threads: [SlackThread] = []
        threads.reserveCapacity(keys.count)
        for key in keys.values.sorted() {
            let replyIndices = (replies[key.raw] ?? []).sorted { records[$0].message.ts < records[$1].message.ts }
            let thread = SlackThread(key: key, root: roots[key.raw].map { records[$0] }, replies: replyIndices.map { records[$0] })
            counts.threads += 1
            counts.replies += thread.replies.count
            if !thread.replies.isEmpty { counts.threadsWithReplies += 1 }
            if thread.isParentMissing { counts.missingParents += 1 }
            if thread.root?.isTombstone == true { counts.tombstones += 1 }
            counts.broadcasts += (thread.root?.isBroadcast == true ? 1 : 0) + thread.replies.count { $0.isBroadcast }
            threads.append(thread)
        }
        return Result(threads: threads, duplicates: duplicates, counts: counts)
    }
}
