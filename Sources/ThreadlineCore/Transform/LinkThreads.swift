import Crypto
import Foundation
import ThreadlineText

/// Links every message to its thread and parent and gives it a stable id; one implementation for every
/// source. It runs after the other transforms of a document even when the pipeline does not list it,
/// and before the transforms of the whole run (`dedupe`), which need its ids.
///
/// - `message_id`: 16 hex digits of SHA-256 over the source, the document id and the message's key, so
///   the same message gets the same id in every run.
/// - `thread_id`: the id of the thread's first message; `position`: 0 for it, 1… for replies in order.
/// - `parent_id`: the id of the message replied to, a message of the reply's own thread; null for a
///   thread's first message and for a reply whose parent is not in its thread (not in the archive, or
///   in another thread: such a reply starts a thread of its own, nothing is lost), which is counted.
/// - `reply_count`: the number of replies, on the first message; 0 on replies.
package struct LinkThreads: TransformStep {
    package static let type = StepType.transform(
        name: "link_threads",
        summary: "assigns message_id, thread_id, parent_id, position and reply_count; runs after the other transforms of a document even when not listed",
        options: [],
        example: "- type: link_threads",
        make: { _, _ in LinkThreads() })

    /// The run-summary category of replies whose parent is not in the archive.
    package static let missingParentCategory = NoteCategory("replies whose parent is missing", key: "replies_whose_parent_is_missing")

    /// Names folded once per run, for messages `normalise_authors` did not name.
    let names: PersonNameCache

    package init(names: PersonNameCache = PersonNameCache()) {
        self.names = names
    }

    package func apply(to document: inout Document, notes: inout RunNotes) {
        var messageIDs = MessageIDs(source: document.source, document: document.id)
        for t in document.threads.indices {
            for m in document.threads[t].messages.indices {
                document.threads[t].messages[m].id = messageIDs.id(key: document.threads[t].messages[m].key)
            }
        }
        for t in document.threads.indices {
            let count = document.threads[t].messages.count
            // The first message's fields, not a copy of the whole message.
            let threadID = count > 0 ? document.threads[t].messages[0].id : ""
            let firstKey = count > 0 ? document.threads[t].messages[0].key : nil
            // Ids by key of this thread's messages, for a reply whose parent is not the first message;
            // built only then (a reply almost always answers the first message). A parent is looked
            // for in its reply's thread only: a Slack `thread_ts` naming a reply of another thread
            // would otherwise give a thread's first message a parent, and a reply one in another thread.
            var ids: [String: String]?
            for m in 0..<count {
                var parentID: String?
                if let parentKey = document.threads[t].messages[m].parentKey {
                    if m == 0 {
                        parentID = nil
                    } else if parentKey == firstKey {
                        parentID = threadID
                    } else {
                        if ids == nil { ids = LinkThreads.ids(of: document.threads[t]) }
                        parentID = ids?[parentKey]
                    }
                    if parentID == nil { notes.count(Self.missingParentCategory, document.sourceFile) }
                }
                // Changed in place: copying a message out and back would retain and release every field.
                link(&document.threads[t].messages[m], threadID: threadID, position: m, replies: count - 1, parentID: parentID)
            }
        }
    }

    /// The id of each message of `thread` by its key.
    private static func ids(of thread: Thread) -> [String: String] {
        var ids: [String: String] = [:]
        for message in thread.messages { ids[message.key] = message.id }
        return ids
    }

    private func link(_ message: inout Message, threadID: String, position: Int, replies: Int, parentID: String?) {
        message.threadId = threadID
        message.position = position
        message.replyCount = position == 0 ? replies : 0
        message.parentId = parentID
        if message.author == nil || message.authorId == nil {
            // Without normalise_authors: the same display name and id rules it uses.
            let name = names.name(message.author ?? message.authorRaw)
            if message.author == nil { message.author = name.display }
            if message.authorId == nil { message.authorId = name.slug }
        }
    }

    /// 16 lowercase hex digits of SHA-256 over `source`, `document` and `key`, separated by U+001F.
    package static func messageID(source: String, document: String, key: String) -> String {
        var ids = MessageIDs(source: source, document: document)
        return ids.id(key: key)
    }

    /// The message ids of one document (see ``messageID(source:document:key:)``): the bytes
    /// hashed for each are laid out in one buffer whose source and document part is written once,
    /// and hashed in one update.
    struct MessageIDs {
        private var bytes: [UInt8]
        private let prefixCount: Int

        init(source: String, document: String) {
            bytes = Array(source.utf8)
            bytes.append(0x1F)
            bytes.append(contentsOf: document.utf8)
            bytes.append(0x1F)
            prefixCount = bytes.count
        }

        mutating func id(key: String) -> String {
            bytes.removeLast(bytes.count - prefixCount)
            bytes.append(contentsOf: key.utf8)
            var hasher = SHA256()
            bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
            return Hex.string(hasher.finalize(), prefix: 8)
        }
    }
}
