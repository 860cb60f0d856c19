/// Turns linked documents into table rows: the one mapping from the model to PRODUCT.md's tables.
public enum TableRows {
    public static func messages(_ document: Document) -> [Row] {
        var rows: [Row] = []
        rows.reserveCapacity(document.messageCount)
        for thread in document.threads {
            for message in thread.messages {
                rows.append([
                    .string(message.id), .string(message.threadId), Value(message.parentId), Value(message.position),
                    .string(document.id), .string(document.source), .string(message.sourceFile ?? document.sourceFile), Value(message.sourceLine),
                    .string(message.authorId ?? ""), .string(message.author ?? message.authorRaw), .string(message.authorRaw),
                    .bool(message.isHost), .string(message.text), .string(message.textRaw), Value(message.sentAt),
                    Value(message.replyCount),
                ])
            }
        }
        return rows
    }

    public static func threads(_ document: Document) -> [Row] {
        document.threads.compactMap { thread -> Row? in
            guard let first = thread.messages.first else { return nil }
            let replies = thread.messages.dropFirst()
            let participants = Set(thread.messages.map { $0.authorId ?? $0.authorRaw })
            let lastReply = replies.compactMap(\.sentAt).max()
            return [
                .string(first.threadId), .string(document.id), .string(document.source), .string(first.authorId ?? ""),
                .string(first.author ?? first.authorRaw), .string(first.text), Value(replies.count),
                Value(participants.count), .bool(replies.contains { $0.isHost }), Value(first.sentAt), Value(lastReply),
            ]
        }
    }

    public static func document(_ document: Document) -> Row {
        [
            .string(document.id), .string(document.source), .string(document.sourceFile), Value(document.title),
            Value(document.description), .list(document.hosts), Value(document.startsAt), Value(document.endsAt),
            .list(document.links), Value(document.threads.count), Value(document.messageCount),
        ]
    }
}

/// Gathers the authors table over every document of a run. Memory grows with the number of authors
/// and threads, not with text.
public struct AuthorsAccumulator: Sendable {
    private struct Stats: Sendable {
        var name: String
        var aliases: Set<String> = []
        var messages = 0
        var threads: Set<String> = []
        var documents: Set<String> = []
        var first: Timestamp?
        var last: Timestamp?
    }

    private var stats: [String: Stats] = [:]

    public init() {}

    public mutating func add(_ document: Document) {
        let documentKey = document.source + "\u{1F}" + document.id
        for thread in document.threads {
            for message in thread.messages {
                // Mutated in place through the dictionary, so the sets are never copied.
                AuthorsAccumulator.count(message, thread: message.threadId, document: documentKey,
                                         into: &stats[message.authorId ?? "", default: Stats(name: message.author ?? message.authorRaw)])
            }
        }
    }

    private static func count(_ message: Message, thread: String, document: String, into entry: inout Stats) {
        entry.aliases.insert(message.authorRaw)
        entry.messages += 1
        entry.threads.insert(thread)
        entry.documents.insert(document)
        if let sent = message.sentAt {
            entry.first = min(entry.first ?? sent, sent)
            entry.last = max(entry.last ?? sent, sent)
        }
    }

    /// One row per author, by author_id.
    public func rows() -> [Row] {
        stats.keys.sorted().map { id in
            let entry = stats[id]!
            return [
                .string(id), .string(entry.name), .list(entry.aliases.sorted()), Value(entry.messages),
                Value(entry.threads.count), Value(entry.documents.count), Value(entry.first), Value(entry.last),
            ]
        }
    }
}
