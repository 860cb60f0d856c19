/// Turns linked documents into table rows: the one mapping from the model to the tables of docs/tables.md.
package enum TableRows {
    package static func messages(_ document: Document) -> [Row] {
        var rows: [Row] = []
        messages(document, batchSize: .max) { rows = $0 }
        return rows
    }

    /// The document's message rows in order, handed over `batchSize` at a time, so a big document's
    /// rows are never all built at once (the writers hold at most a few batches).
    package static func messages(_ document: Document, batchSize: Int, _ body: ([Row]) throws -> Void) rethrows {
        var batch = RowBatch(size: batchSize, expected: document.messageCount)
        for thread in document.threads {
            for message in thread.messages {
                try batch.append([
                    .string(message.id), .string(message.threadId), Value(message.parentId), Value(message.position),
                    .string(document.id), .string(message.source ?? document.source), .string(message.sourceFile ?? document.sourceFile), Value(message.sourceLine),
                    .string(message.authorId ?? ""), .string(message.author ?? message.authorRaw), .string(message.authorRaw),
                    .bool(message.isHost), .string(message.text), .string(message.textRaw), Value(message.sentAt),
                    Value(message.replyCount), .bool(message.isBot), .list(message.duplicateIds),
                ], to: body)
            }
        }
        try batch.flush(to: body)
    }

    package static func threads(_ document: Document) -> [Row] {
        var rows: [Row] = []
        threads(document, batchSize: .max) { rows = $0 }
        return rows
    }

    /// The document's thread rows in order, `batchSize` at a time, like ``messages(_:batchSize:_:)``.
    package static func threads(_ document: Document, batchSize: Int, _ body: ([Row]) throws -> Void) rethrows {
        var batch = RowBatch(size: batchSize, expected: document.threads.count)
        for thread in document.threads {
            guard let first = thread.messages.first else { continue }
            let replies = thread.messages.dropFirst()
            var lastReply: Timestamp?
            for reply in replies {
                if let sentAt = reply.sentAt, lastReply.map({ sentAt > $0 }) ?? true { lastReply = sentAt }
            }
            try batch.append([
                .string(first.threadId), .string(document.id), .string(document.source), .string(first.authorId ?? ""),
                .string(first.author ?? first.authorRaw), .string(first.text), Value(replies.count),
                Value(participantCount(thread.messages)), .bool(replies.contains { $0.isHost }), Value(first.sentAt), Value(lastReply),
            ], to: body)
        }
        try batch.flush(to: body)
    }

    /// How many different authors a thread's messages have. A short thread (most have one message)
    /// is counted by comparing names, without building a set.
    static func participantCount(_ messages: [Message]) -> Int {
        // Each name is read in place: a message is never copied to be compared.
        func name(at index: Int) -> String { messages[index].authorId ?? messages[index].authorRaw }
        guard messages.count > 8 else {
            var count = 0
            for index in messages.indices {
                let author = name(at: index)
                if !(0..<index).contains(where: { name(at: $0) == author }) { count += 1 }
            }
            return count
        }
        return Set(messages.indices.lazy.map(name(at:))).count
    }

    package static func document(_ document: Document) -> Row {
        [
            .string(document.id), .string(document.source), .string(document.sourceFile), Value(document.title),
            Value(document.description), .list(document.hosts), Value(document.startsAt), Value(document.endsAt),
            .list(document.links), Value(document.wholeThreadCount), Value(document.wholeMessageCount),
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
///
/// Messages are counted straight into the run's counts: a thread or a document counts once per
/// author because the last one counted is kept, not a set or a table per document. An author costs
/// one array element and one index entry (a file of 100,000 distinct names is not unusual).
package struct AuthorsAccumulator: Sendable {
    private struct Stats: Sendable {
        var name: String
        var spellings: Spellings
        var messages = 0
        var threads = 0
        var documents = 0
        /// The run-wide numbers of the last thread and document counted.
        var lastThread = -1
        var lastDocument = -1
        var first: Timestamp?
        var last: Timestamp?
        var isBot = false

        init(name: String, spelling: String) {
            self.name = name
            self.spellings = Spellings(spelling)
        }
    }

    /// An author's distinct spellings: the first one inline, then a short list, then a set once the
    /// list passes 16 (hostile input). Most authors have one spelling, which costs no allocation.
    private struct Spellings: Sendable {
        private let first: String
        private var more: [String] = []
        private var many: Set<String>?

        init(_ first: String) {
            self.first = first
        }

        mutating func insert(_ spelling: String) {
            if spelling == first { return }
            if many != nil {
                many!.insert(spelling)
            } else if !more.contains(spelling) {
                more.append(spelling)
                if more.count > 16 { many = Set(more) }
            }
        }

        func sorted() -> [String] {
            ([first] + (many.map(Array.init) ?? more)).sorted()
        }
    }

    /// Where each author_id's counts are in `stats`.
    private var index: [String: Int] = [:]
    private var stats: [Stats] = []
    /// Threads and documents added so far: the run-wide number of the next one.
    private var threadCount = 0
    private var documentCount = 0
    /// The thread and document of the last message row added: a row of another starts the next one
    /// (a thread's messages, and a document's, are written one after the other, and ids are unique).
    private var lastThreadID: String?
    private var lastDocumentID: String?

    package init() {}

    /// Counts a linked document's messages, as its message rows.
    package mutating func add(_ document: Document) {
        TableRows.messages(document, batchSize: 4096) { add(messageRows: $0) }
    }

    private static let threadColumn = TableSchema.messages.index(of: "thread_id")!
    private static let documentColumn = TableSchema.messages.index(of: "document_id")!
    private static let authorIDColumn = TableSchema.messages.index(of: "author_id")!
    private static let authorColumn = TableSchema.messages.index(of: "author")!
    private static let authorRawColumn = TableSchema.messages.index(of: "author_raw")!
    private static let sentAtColumn = TableSchema.messages.index(of: "sent_at")!
    private static let isBotColumn = TableSchema.messages.index(of: "is_bot")!

    /// Counts rows of the messages table, in the order the run writes them: the authors table is
    /// made from what the messages table holds, whether the rows come from documents just read or
    /// from a record of an earlier run.
    package mutating func add(messageRows rows: [Row]) {
        for row in rows {
            guard case .string(let threadID) = row[Self.threadColumn], case .string(let documentID) = row[Self.documentColumn],
                  case .string(let id) = row[Self.authorIDColumn], case .string(let name) = row[Self.authorColumn],
                  case .string(let raw) = row[Self.authorRawColumn]
            else { continue }
            if documentID != lastDocumentID {
                lastDocumentID = documentID
                documentCount += 1
            }
            if threadID != lastThreadID {
                lastThreadID = threadID
                threadCount += 1
            }
            let position: Int
            if let known = index[id] {
                position = known
                stats[position].spellings.insert(raw)
            } else {
                position = stats.count
                index[id] = position
                stats.append(Stats(name: name, spelling: raw))
            }
            var sentAt: Timestamp?
            if case .timestamp(let time) = row[Self.sentAtColumn] { sentAt = time }
            AuthorsAccumulator.count(sentAt: sentAt, thread: threadCount, document: documentCount, into: &stats[position])
            if row[Self.isBotColumn] == .bool(true) { stats[position].isBot = true }
        }
    }

    /// Counts one message, sent at `sentAt` in the thread and document of these run-wide numbers.
    private static func count(sentAt: Timestamp?, thread: Int, document: Int, into entry: inout Stats) {
        entry.messages += 1
        if entry.lastThread != thread {
            entry.lastThread = thread
            entry.threads += 1
        }
        if entry.lastDocument != document {
            entry.lastDocument = document
            entry.documents += 1
        }
        if let sentAt {
            entry.first = min(entry.first ?? sentAt, sentAt)
            entry.last = max(entry.last ?? sentAt, sentAt)
        }
    }

    /// One row per author, by author_id.
    package func rows() -> [Row] {
        var all: [Row] = []
        rows(batchSize: .max) { all = $0 }
        return all
    }

    /// The rows of ``rows()``, `batchSize` at a time: a run of 100,000 authors never builds them all.
    package func rows(batchSize: Int, _ body: ([Row]) throws -> Void) rethrows {
        var batch = RowBatch(size: batchSize, expected: stats.count)
        for id in index.keys.sorted() {
            let entry = stats[index[id]!]
            try batch.append([
                .string(id), .string(entry.name), .list(entry.spellings.sorted()), .bool(entry.isBot), Value(entry.messages),
                Value(entry.threads), Value(entry.documents), Value(entry.first), Value(entry.last),
            ], to: body)
        }
        try batch.flush(to: body)
    }
}
