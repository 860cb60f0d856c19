import Foundation
import Testing

@testable import ThreadlineSlack

/// The real slack-export-viewer 4.0.0 renderings of the sample export, against the export's JSON.
///
/// The numbers below were counted from `Fixtures/slack-export` (the JSON the pages were rendered
/// from): 103 messages in `book-of-the-week`, 70 of them thread replies (listed in their parents'
/// `replies`), 33 top-level, 29 threads with replies (at most 7), 25 distinct authors, 57 messages
/// by Martin Kleppmann; subtypes: one `channel_join`, one `thread_broadcast`, one `bot_message`.
@Suite struct SampleExportTests {
    static let multiPage = "slack-html/channel/book-of-the-week/index.html"
    static let singleFile = "slack-html-single/slack-export.html"

    @Test func multiPageHasTheExportsCounts() throws {
        let page = try SlackHTMLReader().readAll(fixture: Self.multiPage)
        let report = try #require(page.report)
        #expect(report.layout == .slackExportViewer)
        #expect(page.messages.count == 103)
        #expect(page.messages.filter(\.isReply).count == 70)
        #expect(page.messages.filter { !$0.isReply }.count == 33)
        #expect(Set(page.messages.map(\.author)).count == 25)
        #expect(page.messages.filter { $0.author == "Martin Kleppmann" }.count == 57)
        #expect(Set(page.messages.map(\.channel)) == ["book-of-the-week"])
        #expect(page.messages.compactMap(\.subtype) == ["channel_join", "thread_broadcast", "bot_message"])
        #expect(page.rejected.isEmpty)
        #expect(report.messageCount == 103 && report.rejectedCount == 0)
        let threads = Self.threads(page.messages)
        #expect(threads.filter { $0.replies > 0 }.count == 29)
        #expect(threads.map(\.replies).max() == 7)
    }

    /// Message by message: author, time to the second, reply or not, subtype and order, against the
    /// JSON export laid out the way the viewer lays it out (top level by `ts`, each parent followed
    /// by the replies its `replies` list names, by `ts`).
    @Test(arguments: [multiPage, singleFile])
    func pageMatchesTheJSONExportMessageByMessage(fixture: String) throws {
        let expected = try ExportJSON.load().viewerOrder()
        let page = try SlackHTMLReader().readAll(fixture: fixture)
        #expect(page.messages.count == expected.count)
        for (message, want) in zip(page.messages, expected) {
            #expect(message.author == want.author, "line \(message.line)")
            #expect(message.time.description == want.time, "line \(message.line)")
            #expect(message.isReply == want.isReply, "line \(message.line)")
            #expect(message.subtype == want.subtype, "line \(message.line)")
            #expect(message.channel == "book-of-the-week")
        }
        let threads = Self.threads(page.messages).map(\.replies)
        let expectedThreads = Self.threadSizes(expected)
        #expect(threads == expectedThreads)
    }

    @Test func singleFileGivesTheSameMessagesAsTheMultiPageExport() throws {
        let multi = try SlackHTMLReader().readAll(fixture: Self.multiPage)
        let single = try SlackHTMLReader().readAll(fixture: Self.singleFile)
        #expect(single.messages.count == 103)
        // The single file's title names the workspace, not a channel: the h2 heading must win.
        #expect(Set(single.messages.map(\.channel)) == ["book-of-the-week"])
        let strip = { (message: SlackHTMLMessage) -> [String] in
            [message.author, message.time.description, "\(message.isReply)", message.subtype ?? "", message.text]
        }
        #expect(single.messages.map(strip) == multi.messages.map(strip))
    }

    @Test func messagesStartOnTheirContainersLine() throws {
        let page = try SlackHTMLReader().readAll(fixture: Self.multiPage)
        let lines = try String(decoding: Fixture.bytes(Self.multiPage), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        let containerLines = lines.indices.filter { lines[$0].contains("class=\"message-container") }.map { $0 + 1 }
        #expect(page.messages.map(\.line) == containerLines)
        #expect(page.messages.first?.line == 31)
        #expect(page.messages.last?.line == 2587)
    }

    @Test func textKeepsMeaning() throws {
        let page = try SlackHTMLReader().readAll(fixture: Self.multiPage)
        func text(at line: Int) throws -> String { try #require(page.messages.first { $0.line == line }).text }
        // The "Thread Reply:" marker is gone; <br> is a newline; a link whose label is its URL is bare.
        #expect(
            try text(at: 256) == """
                For a more detailed argument I suggest reading the papers referenced in this section:
                https://hstore.cs.brown.edu/papers/hstore-lookingglass.pdf
                http://www.vldb.org/pvldb/vol6/p1942-debrabant.pdf
                """)
        // Code verbatim (with the viewer's own ** for *, a loss the message records), bullets, &amp;
        // decoded once, a labelled link, and the raw channel mention the viewer escaped, read as
        // the JSON export's.
        #expect(
            try text(at: 2456) == """
                @Martin Kleppmann a question on chapter 7 🤔 - is this right?
                ```BEGIN;
                SELECT ** FROM accounts WHERE id = 1 FOR UPDATE;
                COMMIT;```
                • snapshot isolation
                • serializable & SSI
                See [the book's site](https://dataintensive.net/) and #book-of-the-week
                """)
        #expect(try #require(page.messages.first { $0.line == 2456 }).textLosses == [.doubledAsterisks])
        // Bold and italic in the text form; the author's two spaces kept.
        #expect(try text(at: 81).contains("I would specifically advise **against** investing"))
        #expect(try text(at: 1856).contains("Maciej Ceglowski \"_Machine learning is like money laundering for bias_\""))
        #expect(try text(at: 1981).contains("\n**Question 3**  What is a good way"))
        // The viewer's markdown made one link of a Slack link it could not read: read as that link.
        #expect(
            try text(at: 1931).hasSuffix(
                "[https://www.youtube.com/watch?v=fU9hR3kiOK0](https://www.youtube.com/watch?v=fU9hR3kiOK0&list=PLeKd45zvjcDHJxge6VtYUAbYnvd_VNQCx)"))
        #expect(page.messages.filter { !$0.textLosses.isEmpty }.map(\.line) == [1906, 2456])
        // Inline code; the mangled skin tone repaired.
        #expect(
            try text(at: 2487)
                == "Yes ✅ - `FOR UPDATE` takes a lock; under SSI you would not need it. Meeting at 10:30:00 UTC? 👋:skin-tone-3:")
        #expect(try text(at: 631).hasPrefix("Hey Martin 👋:skin-tone-3: great book!"))
        // &amp; and &lt; decoded exactly once.
        #expect(try text(at: 2537) == "Thanks @raj & @Martin Kleppmann! <3")
        // Reactions and uploads are not text.
        #expect(try text(at: 2587) == "Uploaded the slides")
        #expect(!page.messages.contains { $0.text.contains("Thread Reply:") })
        #expect(!page.messages.contains { $0.text.contains("Raj Iyer") && $0.line == 2456 })
    }

    /// The viewer left `<https://…&amp;list=…<em>ohr</em>…|Distributed Systems>` in the page: not
    /// HTML, and the `<em>` inside it ends the tag libxml2 sees. The text is rebuilt from the tag's
    /// bytes as far as it goes (the `</em>` libxml2 drops is the one `_` still missing), read as the
    /// Slack link it was, and reported.
    @Test func rawSlackLinkIsRebuiltAndReported() throws {
        let page = try SlackHTMLReader().readAll(fixture: Self.multiPage)
        #expect(
            page.warnings == [
                SlackHTMLProblem(
                    kind: .warning, line: 1906, column: 17,
                    reason: "raw Slack link '<https:…>' in the page holds markup libxml2 cannot read: part of its text may be lost")
            ])
        let message = try #require(page.messages.first { $0.line == 1906 })
        #expect(
            message.text == "Hi Martin Kleppmann I watched your amazing video series on "
                + "[Distributed Systems](https://www.youtube.com/watch?v=UEAMfLPZZhE&list=PLeKd45zvjcDFUEv_ohrHdUFe97RItdiB). "
                + "Are videos of any other of your courses available publicly?")
        #expect(message.textLosses == [.rawLinkWithMarkup])
        let report = try #require(page.report)
        #expect(report.parse.diagnostics.map(\.line) == [1920, 1920, 1920])
        #expect(report.parse.diagnostics.map(\.message).contains("Tag https: invalid"))
    }

    // MARK: Helpers

    /// Thread sizes in page order: each non-reply message and how many replies follow it.
    static func threads(_ messages: [SlackHTMLMessage]) -> [(line: Int, replies: Int)] {
        var result: [(line: Int, replies: Int)] = []
        for message in messages {
            if message.isReply, !result.isEmpty {
                result[result.count - 1].replies += 1
            } else {
                result.append((message.line, 0))
            }
        }
        return result
    }

    static func threadSizes(_ expected: [ExportJSON.Expected]) -> [Int] {
        var sizes: [Int] = []
        for message in expected {
            if message.isReply, !sizes.isEmpty { sizes[sizes.count - 1] += 1 } else { sizes.append(0) }
        }
        return sizes
    }
}

/// The sample's native JSON export, read with Foundation to compute what the pages must show.
struct ExportJSON {
    struct Expected {
        var author: String
        var time: String
        var isReply: Bool
        var subtype: String?
    }

    var users: [String: [String: Any]]
    var messages: [[String: Any]]

    static func load() throws -> ExportJSON {
        let usersData = try Data(contentsOf: URL(fileURLWithPath: Fixture.path("slack-export/users.json")))
        let userList = try #require(try JSONSerialization.jsonObject(with: usersData) as? [[String: Any]])
        var users: [String: [String: Any]] = [:]
        for user in userList { users[user["id"] as? String ?? ""] = user }
        let folder = try Fixture.path("slack-export/book-of-the-week")
        var messages: [[String: Any]] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + file))
            messages += try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        }
        return ExportJSON(users: users, messages: messages)
    }

    /// The author the viewer shows: display_name, then real_name, then name; bots by username.
    func author(of message: [String: Any]) -> String {
        if let id = message["user"] as? String, let user = users[id] {
            let profile = user["profile"] as? [String: Any] ?? [:]
            for candidate in [profile["display_name"], profile["real_name"], user["name"]] {
                if let name = candidate as? String, !name.isEmpty { return name }
            }
        }
        return message["username"] as? String ?? message["bot_id"] as? String ?? message["user"] as? String ?? ""
    }

    /// The messages in the viewer's order.
    func viewerOrder() -> [Expected] {
        let byTS = Dictionary(messages.map { ($0["ts"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
        let replyTS = Set(messages.flatMap { ($0["replies"] as? [[String: Any]] ?? []).compactMap { $0["ts"] as? String } })
        let ordered = messages.sorted { Self.key($0) < Self.key($1) }
        var result: [Expected] = []
        for message in ordered where !replyTS.contains(message["ts"] as! String) {
            result.append(expected(message, isReply: false))
            let replies = (message["replies"] as? [[String: Any]] ?? []).compactMap { byTS[$0["ts"] as? String ?? ""] }
            for reply in replies.sorted(by: { Self.key($0) < Self.key($1) }) {
                result.append(expected(reply, isReply: true))
            }
        }
        return result
    }

    private func expected(_ message: [String: Any], isReply: Bool) -> Expected {
        Expected(
            author: author(of: message), time: Self.utc(Self.key(message).seconds), isReply: isReply,
            subtype: message["subtype"] as? String)
    }

    private static func key(_ message: [String: Any]) -> (seconds: Int, micros: Int) {
        let parts = (message["ts"] as! String).split(separator: ".")
        return (Int(parts[0])!, parts.count > 1 ? Int(parts[1])! : 0)
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC, as the viewer wrote the pages (`TZ=UTC`).
    private static func utc(_ seconds: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
