/// Turns linked documents into table rows: the one mapping from the model to PRODUCT.md's tables.
public enum TableRows {
    public static func messages(_ document: Document) -> [Row] {
        var rows: [Row] = []
        messages(document, batchSize: .max) { rows = $0 }
        return rows
    }

    /// The document's message rows in order, handed over `batchSize` at a time, so a big document's
    /// rows are never all built at once (the writers hold at most a few batches).
    public static func messages(_ document: Document, batchSize: Int, _ body: ([Row]) throws -> Void) rethrows {
        var batch = RowBatch(size: batchSize, expected: document.messageCount)
        for thread in document.threads {
            for message in thread.messages {
                try batch.append([
                    .string(message.id), .string(message.threadId), Value(message.parentId), Value(message.position),
                    .string(document.id), .string(document.source), .string(message.sourceFile ?? document.sourceFile), Value(message.sourceLine),
                    .string(message.authorId ?? ""), .string(message.author ?? message.authorRaw), .string(message.authorRaw),
                    .bool(message.isHost), .string(message.text), .string(message.textRaw), Value(message.sentAt),
                    Value(message.replyCount),
                ], to: body)
            }
        }
        try batch.flush(to: body)
    }

    public static func threads(_ document: Document) -> [Row] {
        var rows: [Row] = []
        threads(document, batchSize: .max) { rows = $0 }
        return rows
    }

    /// The document's thread rows in order, `batchSize` at a time, like ``messages(_:batchSize:_:)``.
    public static func threads(_ document: Document, batchSize: Int, _ body: ([Row]) throws -> Void) rethrows {
        var batch = RowBatch(size: batchSize, expected: document.threads.count)
        for thread in document.threads {
            guard let first = thread.messages.first else { continue }
            let replies = thread.messages.dropFirst()
            let participants = Set(thread.messages.map { $0.authorId ?? $0.authorRaw })
            let lastReply = replies.compactMap(\.sentAt).max()
            try batch.append([
                .string(first.threadId), .string(document.id), .string(document.source), .string(first.authorId ?? ""),
                .string(first.author ?? first.authorRaw), .string(first.text), Value(replies.count),
                Value(participants.count), .bool(replies.contains { $0.isHost }), Value(first.sentAt), Value(lastReply),
            ], to: body)
        }
        try batch.flush(to: body)
    }

    public static func document(_ document: Document) -> Row {
        [
            .string(document.id), .string(document.source), .string(document.sourceFile), Value(document.title),
            Value(document.description), .list(document.hosts), Value(document.startsAt), Value(document.endsAt),
            .list(document.links), Value(document.threads.count), Value(document.messageCount),
        ]
    }
}

/// Rows collected and handed on `size` at a time.
private struct RowBatch {
    let size: Int
    private var rows: [Row] = []

    /// `expected`: how many rows there will be in all, to reserve no more room than they need.
    init(size: Int, expected: Int) {
        self.size = size
        rows.reserveCapacity(min(size, expected))
    }

    /// Adds `row`, first handing on a full batch.
    mutating func append(_ row: Row, to body: ([Row]) throws -> Void) rethrows {
        if rows.count == size {
            try body(rows)
            rows.removeAll(keepingCapacity: true)
        }
        rows.append(row)
    }

    /// Hands on the rows left, if any.
    mutating func flush(to body: ([Row]) throws -> Void) rethrows {
        if !rows.isEmpty { try body(rows) }
        rows.removeAll()
    }
}

/// Gathers the authors table over every document of a run. Memory grows with the number of authors
/// and their spellings only: threads and documents are counted as each document goes by (a thread
/// never spans documents), not remembered.
public struct AuthorsAccumulator: Sendable {
    private struct Stats: Sendable {
        var name: String
        var aliases: Set<String> = []
        var messages = 0
        var threads = 0
        var documents = 0
        var first: Timestamp?
        var last: Timestamp?
    }

    private var stats: [String: Stats] = [:]

    public init() {}

    /// One document's counts for one author, merged into the run's once the document is done.
    private struct DocumentStats {
        var name: String
        /// Spellings in this document: usually one or two, so a list beats a set until it grows.
        var aliases: [String]
        /// All spellings once there are more than a short list should search (hostile input).
        var aliasSet: Set<String>?
        var messages = 0
        var threads = 0
        /// The last thread counted, so each thread counts once without a set per thread.
        var lastThread = -1
        var first: Timestamp?
        var last: Timestamp?

        /// Counts one message, written as `raw` at `sentAt`, in thread number `thread`.
        mutating func count(raw: String, sentAt: Timestamp?, thread: Int) {
            if aliasSet != nil {
                aliasSet!.insert(raw)
            } else if !aliases.contains(raw) {
                aliases.append(raw)
                if aliases.count > 16 { aliasSet = Set(aliases) }
            }
            messages += 1
            if lastThread != thread {
                lastThread = thread
                threads += 1
            }
            if let sentAt {
                first = min(first ?? sentAt, sentAt)
                last = max(last ?? sentAt, sentAt)
            }
        }
    }

    public mutating func add(_ document: Document) {
        var local: [String: DocumentStats] = [:]
        for t in document.threads.indices {
            // Messages are read through indices and counts mutated in place through the dictionary,
            // so no message or entry is copied.
            for m in document.threads[t].messages.indices {
                let id = document.threads[t].messages[m].authorId ?? ""
                local[id, default: DocumentStats(name: document.threads[t].messages[m].author ?? document.threads[t].messages[m].authorRaw, aliases: [])]
                    .count(raw: document.threads[t].messages[m].authorRaw, sentAt: document.threads[t].messages[m].sentAt, thread: t)
            }
        }
        for (id, counts) in local {
            AuthorsAccumulator.merge(counts, into: &stats[id, default: Stats(name: counts.name)])
        }
    }

    private static func merge(_ counts: DocumentStats, into entry: inout Stats) {
        if let many = counts.aliasSet { entry.aliases.formUnion(many) } else { entry.aliases.formUnion(counts.aliases) }
        entry.messages += counts.messages
        entry.threads += counts.threads
        entry.documents += 1
        if let first = counts.first { entry.first = min(entry.first ?? first, first) }
        if let last = counts.last { entry.last = max(entry.last ?? last, last) }
    }

    /// One row per author, by author_id.
    public func rows() -> [Row] {
        stats.keys.sorted().map { id in
            let entry = stats[id]!
            return [
                .string(id), .string(entry.name), .list(entry.aliases.sorted()), Value(entry.messages),
                Value(entry.threads), Value(entry.documents), Value(entry.first), Value(entry.last),
            ]
        }
    }
}
