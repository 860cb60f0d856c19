/// One archive: a markdown file, or a Slack channel. Sources produce documents; transforms refine them;
/// `link_threads` gives their messages ids; loaders turn them into table rows.
package struct Document: Sendable {
    /// `document_id`, unique in a run: a markdown file's name without `.md`; a Slack channel's name
    /// after its source's, `slack_json:general` (see ``slackID(source:)``).
    package var id: String
    /// The step type that read it: `markdown`, `slack_html` or `slack_json`.
    package var source: String
    /// The input file (or export folder/zip) relative to `input_root`.
    package var sourceFile: String
    package var title: String?
    package var description: String?
    /// Hosts as the source gives them: names or profile ids. `normalise_authors` resolves them to names.
    package var hosts: [String]
    package var startsAt: Timestamp?
    package var endsAt: Timestamp?
    package var links: [String]
    /// Threads in source order; each thread's first message started it.
    package var threads: [Thread]
    /// The source has already decoded HTML character references in its messages' `text` (libxml2 does
    /// for HTML pages, the Slack JSON source does with mrkdwn), so `clean_text` must not decode again.
    package var entitiesDecoded = false

    package init(
        id: String, source: String, sourceFile: String, title: String? = nil, description: String? = nil,
        hosts: [String] = [], startsAt: Timestamp? = nil, endsAt: Timestamp? = nil, links: [String] = [],
        threads: [Thread] = []
    ) {
        self.id = id
        self.source = source
        self.sourceFile = sourceFile
        self.title = title
        self.description = description
        self.hosts = hosts
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.links = links
        self.threads = threads
    }

    /// The `document_id` of a Slack channel read by the step `source`: `slack_json:general`. Two sources
    /// that hold the same channel (an export and its HTML rendering) give it two documents, told apart
    /// by their ids, whose messages `dedupe` can merge; the id depends on nothing but the channel and
    /// the source, so it is the same in every run.
    package static func slackID(source: String) -> @Sendable (String) -> String {
        { channel in "\(source):\(channel)" }
    }

    /// Every message of every thread, in order.
    package var messageCount: Int { threads.reduce(0) { $0 + $1.messages.count } }

    /// Sets `startsAt` and `endsAt` to the first and last time of its messages (nil when none has a
    /// time), reading the messages in place: collecting them first would copy every one.
    package mutating func spanMessageTimes() {
        startsAt = nil
        endsAt = nil
        for thread in threads.indices {
            for index in threads[thread].messages.indices {
                guard let time = threads[thread].messages[index].sentAt else { continue }
                if startsAt.map({ time < $0 }) ?? true { startsAt = time }
                if endsAt.map({ time > $0 }) ?? true { endsAt = time }
            }
        }
    }
}

/// A question (or opening message) and its replies, in order.
package struct Thread: Sendable {
    package var messages: [Message]

    package init(messages: [Message]) {
        self.messages = messages
    }
}

/// One question or reply. Sources fill the raw fields; transforms fill the rest.
package struct Message: Sendable {
    /// A key that identifies the message within its document in every run: the entry's position in a
    /// markdown archive (`3`, `3.2`), or Slack's `ts`.
    package var key: String
    /// The key of the message this one replies to; nil for a thread's first message and for a reply
    /// whose parent is not in the archive.
    package var parentKey: String?
    package var sourceLine: Int?
    /// The file the message was read from, relative to `input_root`, when it is not the document's own
    /// (a Slack export's day file); `source_file` in the tables.
    package var sourceFile: String?
    /// The step that read the message, when it is not the document's (`dedupe` moved a Slack-only
    /// reply into the thread of a book that holds the rest of its thread); `source` in the tables.
    package var source: String?
    /// The author's name exactly as in the source.
    package var authorRaw: String
    /// The source's own id for the author where it has one (a Slack user id), for the aliases file.
    package var authorRef: String?
    /// The text exactly as in the source.
    package var textRaw: String
    /// The text as transforms leave it; sources start it as the decoded source text.
    package var text: String
    package var sentAt: Timestamp?

    /// Set by `normalise_authors` (or by `link_threads` from `authorRaw` when that step is absent).
    package var author: String?
    package var authorId: String?
    package var isHost = false
    /// Written by a bot or an app: set by sources that can tell (Slack's bot messages and bot users)
    /// and by `normalise_authors` for the names of its `bots` option.
    package var isBot = false

    /// Set by `link_threads`.
    package var id = ""
    package var threadId = ""
    package var parentId: String?
    package var position = 0
    package var replyCount = 0

    /// Set by `dedupe`: the ids of the twins of this message (the same message read by other sources,
    /// or a part of it) that were merged into it and not written.
    package var duplicateIds: [String] = []

    package init(
        key: String, parentKey: String? = nil, sourceLine: Int? = nil, authorRaw: String, authorRef: String? = nil,
        textRaw: String, text: String? = nil, sentAt: Timestamp? = nil
    ) {
        self.key = key
        self.parentKey = parentKey
        self.sourceLine = sourceLine
        self.authorRaw = authorRaw
        self.authorRef = authorRef
        self.textRaw = textRaw
        self.text = text ?? textRaw
        self.sentAt = sentAt
    }
}
