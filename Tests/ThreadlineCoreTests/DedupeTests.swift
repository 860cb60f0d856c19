import Foundation
import Testing

@testable import ThreadlineCore

/// `dedupe` on small hand-made runs, one kind of difference between two exports at a time.
@Suite struct DedupeTests {
    /// A message as a source gives it, with its author normalised; `time` in seconds.
    static func message(_ key: String, _ author: String, _ text: String, at time: Int64? = nil, parent: String? = nil) -> Message {
        var message = Message(
            key: key, parentKey: parent, sourceLine: Int(key.split(separator: ".").last ?? "") ?? nil, authorRaw: author, textRaw: text,
            sentAt: time.map { Timestamp(microseconds: $0 * 1_000_000 + 123) })
        message.author = author
        message.authorId = author.lowercased().split(separator: " ").joined(separator: "-")
        return message
    }

    static func thread(_ messages: Message...) -> ThreadlineCore.Thread {
        ThreadlineCore.Thread(messages: messages)
    }

    static func book(_ threads: ThreadlineCore.Thread...) -> Document {
        Document(
            id: "week", source: "markdown", sourceFile: "books/week.md", startsAt: Timestamp(microseconds: 0),
            endsAt: Timestamp(microseconds: 5 * 86_400_000_000), threads: threads)
    }

    static func slack(_ source: String = "slack_json", _ threads: ThreadlineCore.Thread...) -> Document {
        Document(id: "\(source):general", source: source, sourceFile: source == "slack_json" ? "export" : "general.html", threads: threads)
    }

    /// The run's documents after link_threads and dedupe, and the notes.
    static func dedupe(_ documents: [Document], prefer: [String] = ["markdown", "slack_json", "slack_html"]) -> (documents: [Document], notes: RunNotes, merged: Int) {
        var documents = documents
        var notes = RunNotes()
        for d in documents.indices { LinkThreads().apply(to: &documents[d], notes: &notes) }
        let result = Dedupe(prefer: prefer).apply(to: &documents, context: RunContext(sources: ["markdown", "slack_json", "slack_html"]), notes: &notes)
        return (documents, notes, result.mergedRows)
    }

    static func id(_ document: String, _ source: String, _ key: String) -> String {
        LinkThreads.messageID(source: source, document: document, key: key)
    }

    /// A category's counts that are not 0 (every source is counted in every category).
    static func counted(_ notes: RunNotes, _ category: NoteCategory) -> [String: Int] {
        (notes.counts[category] ?? [:]).filter { $0.value > 0 }
    }

    static let question = "What would you change in the second edition of the book, now that stream processing is everywhere?"
    static let answer = "Probably more about stream processing and less about batch, and a chapter on local-first software."

    @Test func twinsAcrossTheDifferencesEditorsLeave() throws {
        // Book text as editors leave it: greeting trimmed, emoji dropped, Slack bold as a book's *x*,
        // a link's label swapped for its URL, an edit, other case; the asker's name spelled shorter.
        let run = Self.dedupe([
            Self.book(
                Self.thread(
                    Self.message("1", "Ana", Self.question),
                    Self.message("1.1", "Martin Kleppmann", "*Probably* more about STREAM processing and less about batch, and a chapter on [https://example.org/lf](https://example.org/lf) software.", parent: "1"),
                    Self.message("1.2", "Ana", "+1", parent: "1"))),
            Self.slack(
                "slack_json",
                Self.thread(
                    Self.message("100", "Ana Souza", "Hi Martin! 👋 " + Self.question, at: 100),
                    Self.message("200", "Martin Kleppmann", "**Probably** more about stream processing and less about batching, and a chapter on [local-first](https://example.org/lf) software.", at: 200, parent: "100"),
                    Self.message("300", "Ana Souza", "+1", at: 300, parent: "100"))),
        ])
        let book = try #require(run.documents.first)
        #expect(book.threads.count == 1)
        #expect(book.threads[0].messages.map(\.sentAt?.microseconds) == [100_000_123, 200_000_123, 300_000_123])
        #expect(book.threads[0].messages.map(\.duplicateIds) == ["100", "200", "300"].map { [Self.id("slack_json:general", "slack_json", $0)] })
        #expect(run.documents[1].threads.isEmpty)
        #expect(run.merged == 3)
        #expect(Self.counted(run.notes, Dedupe.matchedCategory) == ["markdown": 3, "slack_json": 3])
    }

    @Test func shortTextsFindTheirTwinByThread() throws {
        // One author says "thanks!" in three threads: each book "thanks!" gets the time of its thread's.
        var bookThreads: [ThreadlineCore.Thread] = []
        var slackThreads: [ThreadlineCore.Thread] = []
        for t in 1...3 {
            let question = "Question number \(t) about chapter \(t) and its exercises on replication and partitioning"
            bookThreads.append(Self.thread(Self.message("\(t)", "Bo", question), Self.message("\(t).1", "Bo", "thanks!", parent: "\(t)")))
            slackThreads.append(Self.thread(
                Self.message("\(t)00", "Bo", question, at: Int64(t) * 1000),
                Self.message("\(t)01", "Bo", "thanks!", at: Int64(t) * 1000 + 5, parent: "\(t)00")))
        }
        var book = Self.book()
        book.threads = bookThreads
        var slack = Self.slack()
        slack.threads = slackThreads
        let run = Self.dedupe([book, slack])
        let replies = run.documents[0].threads.map { $0.messages[1] }
        #expect(replies.map(\.sentAt?.microseconds) == [1_005_000_123, 2_005_000_123, 3_005_000_123])
        #expect(run.notes.total(Dedupe.ambiguousCategory) == 0)
    }

    @Test func aMergedEntryTakesEveryPartAndTheEarliestTime() throws {
        let first = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi."
        let second = "Omicron pi rho sigma tau upsilon phi chi psi omega and the rest of it."
        // The book made one entry of two messages in a row, and put the asker's thanks before it.
        let run = Self.dedupe([
            Self.book(Self.thread(
                Self.message("1", "Ann", Self.question),
                Self.message("1.1", "Ann", "Thanks Martin!", parent: "1"),
                Self.message("1.2", "Martin", first + "\n" + second, parent: "1"))),
            Self.slack("slack_json", Self.thread(
                Self.message("100", "Ann", Self.question, at: 100),
                Self.message("200", "Martin", first, at: 200, parent: "100"),
                Self.message("300", "Martin", second, at: 300, parent: "100"),
                Self.message("400", "Ann", "Thanks Martin!", at: 400, parent: "100"))),
        ])
        let messages = run.documents[0].threads[0].messages
        #expect(messages.map(\.key) == ["1", "1.1", "1.2"])
        #expect(messages[2].sentAt?.microseconds == 200_000_123)
        #expect(messages[2].duplicateIds == ["200", "300"].map { Self.id("slack_json:general", "slack_json", $0) })
        #expect(messages[1].sentAt?.microseconds == 400_000_123)
    }

    /// A book's thread with one "ok" reply, and its Slack twin with two.
    static let twoOksForOne = [
        Self.book(Self.thread(
            Self.message("1", "Ann", Self.question),
            Self.message("1.1", "Martin", Self.answer, parent: "1"),
            Self.message("1.2", "Ann", "ok", parent: "1"))),
        Self.slack("slack_json", Self.thread(
            Self.message("100", "Ann", Self.question, at: 100),
            Self.message("200", "Martin", Self.answer, at: 200, parent: "100"),
            Self.message("300", "Ann", "ok", at: 300, parent: "100"),
            Self.message("400", "Ann", "ok", at: 400, parent: "100"))),
    ]

    @Test func twoIdenticalRepliesForOneAreAmbiguousAndNotMerged() throws {
        let run = Self.dedupe(Self.twoOksForOne)
        let messages = run.documents[0].threads[0].messages
        // Which "ok" the book's is cannot be told: it keeps no time, and both Slack ones stay rows.
        #expect(messages.map(\.key) == ["1", "1.1", "300", "400", "1.2"])
        #expect(messages.last?.sentAt == nil)
        #expect(Self.counted(run.notes, Dedupe.ambiguousCategory) == ["markdown": 1, "slack_json": 2])
        #expect(run.notes.counts[Dedupe.ambiguousAtCategory]?["books/week.md:2"] == 1)
        #expect(Self.counted(run.notes, Dedupe.matchedCategory) == ["markdown": 2, "slack_json": 2])
    }

    /// The same ambiguity counted the same whichever source `prefer` keeps: every message that could
    /// be the other's twin is ambiguous, the kept source's as well as the later one's.
    @Test(arguments: [["markdown", "slack_json"], ["slack_json", "markdown"]])
    func ambiguityIsCountedTheSameWhicheverSourceIsPreferred(prefer: [String]) throws {
        let run = Self.dedupe(Self.twoOksForOne, prefer: prefer)
        #expect(run.merged == 2)
        #expect(Self.counted(run.notes, Dedupe.ambiguousCategory) == ["markdown": 1, "slack_json": 2])
        #expect(Self.counted(run.notes, Dedupe.matchedCategory) == ["markdown": 2, "slack_json": 2])
        #expect(Self.counted(run.notes, Dedupe.unmatchedCategory) == [:])
        #expect(run.notes.counts[Dedupe.ambiguousAtCategory] == ["books/week.md:2": 1, "export:300": 1, "export:400": 1])
    }

    @Test func aReplyOnlySlackHasJoinsTheBookThread() throws {
        let run = Self.dedupe([
            Self.book(Self.thread(Self.message("1", "Ann", Self.question), Self.message("1.1", "Martin", Self.answer, parent: "1"))),
            Self.slack("slack_json", Self.thread(
                Self.message("100", "Ann", Self.question, at: 100),
                Self.message("150", "Cy", "Same question here, I was wondering about it too", at: 150, parent: "100"),
                Self.message("200", "Martin", Self.answer, at: 200, parent: "100"))),
        ])
        let book = run.documents[0]
        let messages = book.threads[0].messages
        #expect(messages.map(\.key) == ["1", "150", "1.1"])
        let root = Self.id("week", "markdown", "1")
        #expect(messages.map(\.threadId) == [root, root, root])
        #expect(messages.map(\.parentId) == [nil, root, root])
        #expect(messages.map(\.position) == [0, 1, 2])
        #expect(messages.map(\.replyCount) == [2, 0, 0])
        #expect(messages[1].source == "slack_json")
        #expect(messages[1].duplicateIds.isEmpty)
        let rows = TableRows.messages(book)
        // document_id is the thread's document; source and source_file where the row was read.
        #expect(rows[1][4] == .string("week") && rows[1][5] == .string("slack_json") && rows[1][6] == .string("export"))
        #expect(rows[1].last == .list([]))
        #expect(Self.counted(run.notes, Dedupe.unmatchedCategory) == ["slack_json": 1])
    }

    @Test func aFirstMessageOnlyOneSourceHasJoinsAsAReplyWithAParent() throws {
        // The export's thread starts with a bot's copy of a short question, where the book and the
        // pages have the asker's: the three threads are twins by their replies, the bot's message
        // twins nothing and joins the book's thread, as a reply of its first message (it had no
        // parent: a row after the first without one, and not counted as a reply whose parent is missing).
        let question = "Postgres or MySQL?"
        let run = Self.dedupe([
            Self.book(Self.thread(Self.message("1", "Ann", question), Self.message("1.1", "Martin", Self.answer, parent: "1"))),
            Self.slack("slack_json", Self.thread(
                Self.message("100", "deploybot", question, at: 100),
                Self.message("200", "Martin", Self.answer, at: 200, parent: "100"))),
            Self.slack("slack_html", Self.thread(
                Self.message("a", "Ann", question, at: 100),
                Self.message("b", "Martin", Self.answer, at: 200, parent: "a"))),
        ])
        #expect(run.documents[1].threads.isEmpty && run.documents[2].threads.isEmpty)
        let messages = run.documents[0].threads[0].messages
        #expect(messages.map(\.key) == ["1", "100", "1.1"])
        let root = Self.id("week", "markdown", "1")
        #expect(messages.map(\.parentId) == [nil, root, root])
        #expect(messages.map(\.position) == [0, 1, 2])
        #expect(messages.map(\.replyCount) == [2, 0, 0])
        #expect(Self.counted(run.notes, Dedupe.unmatchedCategory) == ["slack_json": 1])
    }

    @Test func anExportAndItsRenderingMatchBySecond() throws {
        // The rendering's times are to the second; two identical messages a minute apart still pair.
        let run = Self.dedupe([
            Self.slack("slack_json", Self.thread(Self.message("1.1", "Bo", "+1", at: 60)), Self.thread(Self.message("2.1", "Bo", "+1", at: 120))),
            Self.slack("slack_html", Self.thread(Self.message("a", "Bo", "+1", at: 60)), Self.thread(Self.message("b", "Bo", "+1", at: 120))),
        ])
        #expect(run.documents[0].threads.map { $0.messages[0].duplicateIds } == [["a"], ["b"]].map { $0.map { Self.id("slack_html:general", "slack_html", $0) } })
        #expect(run.documents[1].threads.isEmpty)
    }

    @Test func preferChoosesTheRowKept() throws {
        let run = Self.dedupe(
            [
                Self.book(Self.thread(Self.message("1", "Ann", Self.question))),
                Self.slack("slack_json", Self.thread(Self.message("100", "Ann", "*" + Self.question + "*", at: 100))),
            ], prefer: ["slack_json"])
        #expect(run.documents[0].threads.isEmpty)
        let kept = try #require(run.documents[1].threads.first?.messages.first)
        #expect(kept.text == "*" + Self.question + "*")
        #expect(kept.duplicateIds == [Self.id("week", "markdown", "1")])
    }

    @Test func messagesNothingMatchesAreKept() throws {
        let run = Self.dedupe([
            Self.book(Self.thread(Self.message("1", "Ann", Self.question))),
            Self.slack("slack_json", Self.thread(Self.message("100", "Cy", "A question nobody wrote in the book about something else", at: 100))),
        ])
        #expect(run.documents.map { $0.threads.count } == [1, 1])
        #expect(run.merged == 0)
        #expect(Self.counted(run.notes, Dedupe.unmatchedCategory) == ["markdown": 1, "slack_json": 1])
    }
}
