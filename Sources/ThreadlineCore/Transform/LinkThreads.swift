import Crypto
import Foundation

/// Links every message to its thread and parent and gives it a stable id; one implementation for every
/// source. It runs after the other transforms even when the pipeline does not list it.
///
/// - `message_id`: 16 hex digits of SHA-256 over the source, the document id and the message's key, so
///   the same message gets the same id in every run.
/// - `thread_id`: the id of the thread's first message; `position`: 0 for it, 1… for replies in order.
/// - `parent_id`: the id of the message replied to; null for a thread's first message and for a reply
///   whose parent is not in the archive (such a reply starts a thread of its own, nothing is lost).
/// - `reply_count`: the number of replies, on the first message; 0 on replies.
public struct LinkThreads: TransformStep {
    public static let type = StepType(
        name: "link_threads", kind: .transform,
        summary: "assigns message_id, thread_id, parent_id, position and reply_count; runs last even when not listed",
        options: [],
        example: "- type: link_threads",
        make: { _, _ in .transform(LinkThreads()) })

    public init() {}

    public func apply(to document: inout Document, notes: inout RunNotes) {
        var ids: [String: String] = [:]
        for t in document.threads.indices {
            for m in document.threads[t].messages.indices {
                let message = document.threads[t].messages[m]
                let id = LinkThreads.messageID(source: document.source, document: document.id, key: message.key)
                document.threads[t].messages[m].id = id
                ids[message.key] = id
            }
        }
        for t in document.threads.indices {
            let count = document.threads[t].messages.count
            let threadID = document.threads[t].messages.first?.id ?? ""
            for m in 0..<count {
                var message = document.threads[t].messages[m]
                message.threadId = threadID
                message.position = m
                message.replyCount = m == 0 ? count - 1 : 0
                message.parentId = message.parentKey.flatMap { ids[$0] }
                if message.parentKey != nil, message.parentId == nil {
                    notes.count("replies whose parent is missing", document.sourceFile)
                }
                if message.author == nil {
                    message.author = AuthorName.display(message.authorRaw)
                }
                if message.authorId == nil {
                    message.authorId = AuthorName.slug(message.author ?? message.authorRaw)
                }
                document.threads[t].messages[m] = message
            }
        }
    }

    /// 16 lowercase hex digits of SHA-256 over `source`, `document` and `key`, separated by U+001F.
    public static func messageID(source: String, document: String, key: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Data((source + "\u{1F}" + document + "\u{1F}" + key).utf8))
        return hasher.finalize().prefix(8).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// Names as the tables show them when `normalise_authors` has not run.
public enum AuthorName {
    /// Surrounding whitespace trimmed, inner runs of whitespace made one space.
    public static func display(_ raw: String) -> String {
        raw.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// A stable id: lowercase ASCII letters and digits, runs of anything else as one `-`
    /// (`Serg Masís` → `serg-masis`). A name with no letter or digit gets `author-` and a hash.
    public static func slug(_ name: String) -> String {
        let folded = name.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
        var slug = ""
        var pendingDash = false
        for scalar in folded.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingDash, !slug.isEmpty { slug += "-" }
                pendingDash = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        if slug.isEmpty { return "author-" + LinkThreads.messageID(source: "author", document: "", key: name).prefix(8) }
        return slug
    }
}
