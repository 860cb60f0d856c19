import Foundation
import Testing

@testable import ThreadlineCore

/// The `slack_html` step on the real slack-export-viewer sample, checked against the sample's JSON
/// export, plus slackdump pages, time zones and broken pages.
///
/// Counted from `Tests/Samples/slack-export` (the JSON the pages were rendered from): 103 messages,
/// one of them a `channel_join` (skipped by default), so 102 kept: 32 threads (29 with replies, 70
/// replies), the largest with 7 replies.
@Suite struct SlackHTMLSourceTests {
    static let page = "slack-html/channel/book-of-the-week/index.html"

    static func pipeline(_ extract: String) -> String {
        basicPipeline(extract: extract)
    }

    static func viewerStep(include: String = "slack-html/**/*.html", extra: String = "") -> String {
        "  - type: slack_html\n    include: [\"\(include)\"]\n" + extra
    }

    /// Runs the sample page through a pipeline and reads the messages table back.
    static func runSample(extra: String = "") throws -> (Scratch, RunReport, [[String: Any]]) {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-html", to: "inputs/slack-html")
        let report = try runPipeline(scratch, pipeline(viewerStep(extra: extra)))
        return (scratch, report, try readJSONLines(scratch.path("out/messages.jsonl")))
    }

    // The page is hashed as it is parsed, not read a second time: the manifest still has its true SHA-256.
    @Test func manifestHasEachPagesSHA256() throws {
        let (scratch, report, _) = try Self.runSample()
        let input = try #require(report.inputs.first { $0.path.hasSuffix(Self.page) })
        #expect(input.sha256 == (try FileDigest.sha256(ofFileAt: scratch.path("inputs/" + Self.page))).sha256)
    }

    @Test func sampleGivesTheExportsMessagesAndThreads() throws {
        let (scratch, report, messages) = try Self.runSample()
        #expect(report.inputRows == 102)
        #expect(report.rejects == 0)
        #expect(report.notes.counts[SlackHTMLSource.skippedCategory] == ["channel_join": 1])
        #expect(messages.count == 102)
        #expect(Set(messages.map { $0["document_id"] as? String }) == ["slack_html:book-of-the-week"])
        #expect(Set(messages.map { $0["source"] as? String }) == ["slack_html"])
        #expect(Set(messages.map { $0["source_file"] as? String }) == ["slack-html/channel/book-of-the-week/index.html"])
        let threads = try readJSONLines(scratch.path("out/threads.jsonl"))
        #expect(threads.count == 32)
        #expect(threads.filter { ($0["reply_count"] as? Int ?? 0) > 0 }.count == 29)
        #expect(threads.map { $0["reply_count"] as? Int ?? 0 }.reduce(0, +) == 70)
        #expect(threads.map { $0["reply_count"] as? Int ?? 0 }.max() == 7)
        let documents = try readJSONLines(scratch.path("out/documents.jsonl"))
        #expect(documents.map { $0["document_id"] as? String } == ["slack_html:book-of-the-week"])
        #expect(documents.first?["starts_at"] as? String == "2021-03-08T10:37:18Z")
        #expect(documents.first?["ends_at"] as? String == "2021-03-14T15:00:00Z")
    }

    /// Message by message against the JSON export: author, time to the second, thread membership and
    /// position. Threads are compared by their first message's `ts`.
    @Test func sampleMatchesTheJSONExportMessageByMessage() throws {
        let (_, _, messages) = try Self.runSample()
        let expected = try SampleExport.load().threads(skipping: ["channel_join"])
        #expect(expected.count == 32)
        // Group the output by thread, in output order.
        var byThread: [String: [[String: Any]]] = [:]
        var threadOrder: [String] = []
        for message in messages {
            let thread = try #require(message["thread_id"] as? String)
            if byThread[thread] == nil { threadOrder.append(thread) }
            byThread[thread, default: []].append(message)
        }
        #expect(threadOrder.count == expected.count)
        let actual = threadOrder.map { byThread[$0]! }
        // Threads come out by time of their first message, as the export's are.
        for (thread, want) in zip(actual.sorted { ($0[0]["sent_at"] as! String) < ($1[0]["sent_at"] as! String) }, expected) {
            #expect(thread.count == want.count)
            for (position, (row, message)) in zip(thread, want).enumerated() {
                #expect(row["author_raw"] as? String == message.author)
                #expect(row["sent_at"] as? String == message.sentAt)
                #expect(row["position"] as? Int == position)
                #expect((row["parent_id"] is NSNull) == (position == 0))
                if position > 0 { #expect(row["parent_id"] as? String == thread[0]["message_id"] as? String) }
            }
        }
    }

    @Test func sourceLineAndTextsComeFromThePage() throws {
        let (_, _, messages) = try Self.runSample()
        let first = try #require(messages.first)
        #expect(first["source_line"] as? Int == 56)
        #expect(first["author"] as? String == "Tino")
        #expect(first["sent_at"] as? String == "2021-03-08T10:37:18Z")
        let code = try #require(messages.first { $0["source_line"] as? Int == 2456 })
        #expect((code["text"] as? String)?.contains("• serializable & SSI\nSee [the book's site](https://dataintensive.net/)") == true)
        #expect((code["text_raw"] as? String)?.hasPrefix("<p>@Martin Kleppmann a question on chapter 7") == true)
        #expect((code["text_raw"] as? String)?.contains("serializable &amp; SSI") == true)
        // The reply on a later day belongs to the 2021-03-12 thread.
        let late = try #require(messages.first { $0["source_line"] as? Int == 2537 })
        #expect(late["thread_id"] as? String == code["message_id"] as? String)
        #expect(late["position"] as? Int == 3)
    }

    @Test func timezoneConvertsTheViewersLocalTimesToUTC() throws {
        let (_, _, messages) = try Self.runSample(extra: "    timezone: America/New_York\n")
        // 2021-03-08 is standard time (UTC-5); 2021-03-14 15:00 is after the switch to daylight time (UTC-4).
        #expect(messages.first?["sent_at"] as? String == "2021-03-08T15:37:18Z")
        let late = try #require(messages.first { $0["source_line"] as? Int == 2537 })
        #expect(late["sent_at"] as? String == "2021-03-14T19:00:00Z")
    }

    @Test func unknownTimezoneIsAPipelineErrorAtTheOption() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-html", to: "inputs/slack-html")
        let error = try #require(throws: ThreadlineError.self) {
            _ = try runPipeline(scratch, Self.pipeline(Self.viewerStep(extra: "    timezone: Europe/Berln\n")))
        }
        #expect(error.status == .usageError)
        let diagnostic = try #require(error.diagnostics.first)
        #expect(diagnostic.message == "unknown time zone 'Europe/Berln'")
        #expect(diagnostic.location?.line == 10)
        #expect(diagnostic.notes == ["did you mean 'Europe/Berlin'?"])
    }

    @Test func singleFileExportGivesTheSameMessages() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-html-single/slack-export.html", to: "inputs/export/slack-export.html")
        try scratch.copyFixture("slack-html", to: "inputs/slack-html")
        _ = try runPipeline(scratch, Self.pipeline(Self.viewerStep(include: "export/*.html")))
        let single = try readJSONLines(scratch.path("out/messages.jsonl"))
        let other = try Scratch()
        try other.copyFixture("slack-html", to: "inputs/slack-html")
        _ = try runPipeline(other, Self.pipeline(Self.viewerStep()))
        let multi = try readJSONLines(other.path("out/messages.jsonl"))
        #expect(single.count == 102)
        #expect(Set(single.map { $0["document_id"] as? String }) == ["slack_html:book-of-the-week"])
        let fields = ["author_raw", "sent_at", "position", "reply_count", "text"]
        for (a, b) in zip(single, multi) {
            for field in fields { #expect("\(a[field] ?? "nil")" == "\(b[field] ?? "nil")", "\(field)") }
        }
    }

    /// A single-file export's DMs and group DMs are no channels: their titles have no `#`, as the
    /// JSON export's DMs have none.
    @Test func singleFileDMsAreTitledWithoutAHash() throws {
        let scratch = try Scratch()
        func message(_ time: String) -> String {
            "<div class=\"message-container\"><div id=\"\(time)\"><div class=\"message\"><div class=\"username\">Ana</div>"
                + "<a href=\"#\(time)\"><div class=\"time\">\(time)</div></a><div class=\"msg\"><p>hi</p></div></div></div></div>"
        }
        func block(_ heading: String, _ time: String) -> String {
            "<div class=\"message-block\"><h2>\(heading)</h2><div class=\"message-list\">"
                + message(time) + "</div></div>"
        }
        let page = "<!DOCTYPE html><html><head><meta charset=\"UTF-8\"><title>Slack Export - ws</title></head><body>"
            + block("DM with Bob", "2021-03-08 10:00:00") + block("Group DM with Ana, Bob, Cy", "2021-03-08 11:00:00")
            + "<div class=\"channel-block\"><h2>Messages in #general</h2><div class=\"message-list\">"
            + message("2021-03-08 12:00:00") + "</div></div></body></html>"
        _ = try scratch.write("inputs/export.html", page)
        _ = try runPipeline(scratch, Self.pipeline(Self.viewerStep(include: "*.html")))
        let documents = try readJSONLines(scratch.path("out/documents.jsonl"))
        #expect(documents.map { $0["title"] as? String } == ["DM with Bob", "Group DM with Ana, Bob, Cy", "#general"])
    }

    @Test func slackdumpChannelAndThreadPagesMakeOneDocument() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slackdump", to: "inputs/slackdump")
        let pipeline = Self.pipeline(Self.viewerStep(include: "slackdump/**/*.html", extra: "    layout: slackdump\n"))
        let report = try runPipeline(scratch, pipeline)
        #expect(report.inputs.map(\.path) == ["slackdump/archives/C0BOTW/index.html"])
        // Two messages on the channel page, three on the thread page, the parent on both: four rows.
        #expect(report.inputRows == 4)
        #expect(report.isBalanced)
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(messages.map { $0["document_id"] as? String } == Array(repeating: "slack_html:C0BOTW", count: 4))
        #expect(messages.map { $0["sent_at"] as? String } == [
            "2021-03-12T15:00:00.000200Z", "2021-03-12T15:10:00.000400Z", "2021-03-12T15:15:00.000500Z",
            "2021-03-12T15:20:00.000600Z",
        ])
        #expect(messages.map { $0["position"] as? Int } == [0, 1, 2, 0])
        #expect(messages.map { $0["reply_count"] as? Int } == [2, 0, 0, 0])
        #expect(messages[1]["parent_id"] as? String == messages[0]["message_id"] as? String)
        // The parent appears on both pages and is kept once, from the channel page; the replies are
        // at their lines of the thread page.
        #expect(messages[0]["source_line"] as? Int == 11)
        #expect(messages.map { $0["source_file"] as? String } == [
            "slackdump/archives/C0BOTW/index.html", "slackdump/archives/C0BOTW/threads/1615561200.000200.html",
            "slackdump/archives/C0BOTW/threads/1615561200.000200.html", "slackdump/archives/C0BOTW/index.html",
        ])
        #expect(messages.map { $0["source_line"] as? Int } == [11, 18, 25, 20])
    }

    /// The slackdump sample in `scratch`'s `inputs/slackdump` with the bot's message (lines 20–25 of
    /// its channel page) written twice: the copy starts at line 26. Returns the page's lines before.
    @discardableResult
    static func slackdumpPageWithADuplicateTS(in scratch: Scratch) throws -> [Substring] {
        try scratch.copyFixture("slackdump", to: "inputs/slackdump")
        let page = scratch.path("inputs/slackdump/archives/C0BOTW/index.html")
        let lines = try String(contentsOfFile: page, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let doubled = lines[..<25] + lines[19..<25] + lines[25...]
        try doubled.joined(separator: "\n").write(toFile: page, atomically: true, encoding: .utf8)
        return lines
    }

    /// A `ts` read twice from one page is not the thread page's repeat of its parent: the second one is
    /// rejected at its line, and every row is accounted for.
    @Test func slackdumpDuplicateOnOnePageIsRejectedAtItsLine() throws {
        let scratch = try Scratch()
        try Self.slackdumpPageWithADuplicateTS(in: scratch)
        let report = try runPipeline(scratch, Self.pipeline(Self.viewerStep(include: "slackdump/**/*.html")))
        #expect(report.inputRows == 5)
        #expect(report.rejectedRows == 1)
        #expect(report.isBalanced)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["reason"] as? String } == ["duplicate message ts 1615562400.000600 (first in slackdump/archives/C0BOTW/index.html:20:1)"])
        #expect(rejects.map { $0["line"] as? Int } == [26])
        #expect(rejects.map { $0["column"] as? Int } == [1])
        #expect(rejects.map { $0["file"] as? String } == ["slackdump/archives/C0BOTW/index.html"])
        #expect(try readJSONLines(scratch.path("out/messages.jsonl")).count == 4)
    }

    /// slackdump's `ts` is read as `slack_json` reads it (one `SlackTimestamp`): an id that is not
    /// seconds and microseconds, or has more seconds than twelve digits (their microseconds would not
    /// fit in 64 bits), gives no instant, and the message is placed at the time the page shows.
    @Test(arguments: ["99999999999999999.000600", "+1615562400.000600", "-1615562400.000600", "1615562400.0006001", "1615562400."])
    func aSlackdumpTSThatIsNotATimestampFallsBackToThePagesTime(ts: String) throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slackdump", to: "inputs/slackdump")
        let page = scratch.path("inputs/slackdump/archives/C0BOTW/index.html")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        try html.replacingOccurrences(of: "1615562400.000600", with: ts).write(toFile: page, atomically: true, encoding: .utf8)
        let report = try runPipeline(scratch, Self.pipeline(Self.viewerStep(include: "slackdump/**/*.html")))
        #expect(report.inputRows == 4)
        #expect(report.isBalanced)
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(messages.map { $0["sent_at"] as? String } == [
            "2021-03-12T15:00:00.000200Z", "2021-03-12T15:10:00.000400Z", "2021-03-12T15:15:00.000500Z",
            "2021-03-12T15:20:00Z",
        ])
    }

    @Test func truncatedPageKeepsCompleteMessagesAndRejectsTheCutOne() throws {
        let scratch = try Scratch()
        let full = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(Self.page)))
        let cut = try #require(full.range(of: Data("SELECT ** FROM".utf8)))
        try scratch.write("inputs/slack-html/channel/book-of-the-week/index.html", full[..<cut.lowerBound])
        let report = try runPipeline(scratch, Self.pipeline(Self.viewerStep()))
        // 97 messages start before line 2456; one of them is the skipped channel_join.
        #expect(report.inputRows == 97)
        #expect(report.rejectedRows == 1)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.count == 1)
        #expect(rejects.first?["line"] as? Int == 2456)
        #expect(rejects.first?["column"] as? Int == 17)
        #expect(rejects.first?["step"] as? String == "slack_html")
        #expect(rejects.first?["reason"] as? String == "the page ends inside this message (the file is truncated): its text is incomplete")
        #expect(try readJSONLines(scratch.path("out/messages.jsonl")).count == 96)
    }

    @Test func nestedContainersAndReplyGroupingFromUnbalancedMarkup() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("edge/viewer-nested.html", to: "inputs/slack-html/general.html")
        _ = try runPipeline(scratch, Self.pipeline(Self.viewerStep()))
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(messages.map { $0["author_raw"] as? String } == ["Ann Archer", "Bob Baker", "Ann Archer", "Cy Cole", "Bob Baker", "Dee Dunn"])
        #expect(messages.map { $0["position"] as? Int } == [0, 1, 2, 0, 1, 0])
        #expect(messages.map { $0["document_id"] as? String } == Array(repeating: "slack_html:general", count: 6))
    }

    @Test func aPageOfAnotherLayoutIsRejectedWhole() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-html", to: "inputs/slack-html")
        let report = try runPipeline(scratch, Self.pipeline(Self.viewerStep(extra: "    layout: slackdump\n")))
        #expect(report.inputRows == 0)
        #expect(report.inputs.map(\.status) == [.rejected])
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["reason"] as? String } == ["the page is not a slackdump page (no article.message): no messages were read"])
        #expect(rejects.first?["line"] as? Int == 1)
        #expect(rejects.first?["column"] as? Int == 1)
    }

    /// A page over `max_file_bytes` is rejected whole before it is read; a smaller page in the same run
    /// is read in full. The sample page is 105,010 bytes; the slackdump channel page 1,618 bytes.
    @Test func aPageOverTheSizeLimitIsRejectedWholeBeforeItIsRead() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-html", to: "inputs/slack-html")
        try scratch.copyFixture("slackdump", to: "inputs/slackdump")
        let extract = Self.viewerStep(include: "**/index.html", extra: "    max_file_bytes: 100 KiB\n")
        let report = try runPipeline(scratch, Self.pipeline(extract))
        #expect(report.inputs.map(\.path) == ["slackdump/archives/C0BOTW/index.html", "slack-html/channel/book-of-the-week/index.html"])
        #expect(report.inputs.map(\.status) == [.ok, .rejected])
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["reason"] as? String } == ["page is 105010 bytes, over the limit of 102400 (max_file_bytes)"])
        #expect(rejects.map { $0["file"] as? String } == ["slack-html/channel/book-of-the-week/index.html"])
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(Set(messages.map { $0["document_id"] as? String }) == ["slack_html:C0BOTW"])
        #expect(messages.count == 4)
        #expect(report.inputRows == 4)
    }

    /// A symbolic link to a page is measured by the page it reads, not by the link's own few bytes.
    @Test func aLinkToAPageOverTheSizeLimitIsRejected() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-html/channel/book-of-the-week/index.html", to: "elsewhere/page.html")
        try FileManager.default.createDirectory(atPath: scratch.path("inputs/slack-html/general"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: scratch.path("inputs/slack-html/general/index.html"), withDestinationPath: scratch.path("elsewhere/page.html"))
        let report = try runPipeline(scratch, Self.pipeline(Self.viewerStep(include: "**/index.html", extra: "    max_file_bytes: 100 KiB\n")))
        #expect(report.inputs.map(\.status) == [.rejected])
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["reason"] as? String } == ["page is 105010 bytes, over the limit of 102400 (max_file_bytes)"])
    }

    /// Through `clean_text` (which decodes once), the page's text comes back exactly: entity
    /// references of an XXE page stay literal, `&amp;` in the page is one `&`.
    @Test func cleanTextGivesThePagesTextBack() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("edge/xxe.html", to: "inputs/slack-html/general.html")
        try scratch.copyFixture("edge/secret.txt", to: "inputs/slack-html/secret.txt")
        let pipeline = Self.pipeline(Self.viewerStep()).replacingOccurrences(
            of: "load:", with: "transform:\n  - type: clean_text\nload:")
        // A page whose text shows entity references literally: `&amp;lt;3` in the HTML is `&lt;3` on screen.
        try scratch.write(
            "inputs/slack-html/random.html",
            """
            <html><head><title>Slack Export - #random</title></head><body>
            <div class="message-container"><div class="message"><div class="username">Ann</div>
            <div class="time">2020-01-01 00:00:00</div>
            <div class="msg"><p>write &amp;lt;3 or &amp;amp;, not &lt;3 &amp; &#128075;</p></div></div></div>
            </body></html>
            """)
        _ = try runPipeline(scratch, pipeline)
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(
            messages.map { $0["text"] as? String } == [
                "see &xxe; and &evil;", "an honest & plain message", "write &lt;3 or &amp;, not <3 & 👋",
            ])
        #expect(!messages.contains { ($0["text_raw"] as? String ?? "").contains("SECRET") })
    }

    /// The issue's acceptance test: `slack_json` on the export and `slack_html` on both viewer
    /// renderings of it give the same messages: author, time to the second, thread membership and
    /// position.
    @Test func slackJSONAndSlackHTMLAgreeMessageByMessage() throws {
        func threads(_ extract: String, _ fixture: String, to relative: String) throws -> [[String]] {
            let scratch = try Scratch()
            try scratch.copyFixture(fixture, to: "inputs/" + relative)
            _ = try runPipeline(scratch, Self.pipeline(extract))
            var byThread: [String: [[String: Any]]] = [:]
            for row in try readJSONLines(scratch.path("out/messages.jsonl")) {
                byThread[row["thread_id"] as? String ?? "", default: []].append(row)
            }
            // Each thread as "position author second" lines, threads in time order of their first message.
            return byThread.values
                .map { rows in
                    rows.sorted { ($0["position"] as? Int ?? 0) < ($1["position"] as? Int ?? 0) }.map { row in
                        "\(row["position"] ?? "") \(row["author_raw"] ?? "") \(String((row["sent_at"] as? String ?? "").prefix(19)))"
                    }
                }
                .sorted { ($0[0].split(separator: " ").last ?? "", $0[0]) < ($1[0].split(separator: " ").last ?? "", $1[0]) }
        }
        let json = try threads("  - type: slack_json\n    include: [\"slack-export\"]", "slack-export", to: "slack-export")
        let multi = try threads(Self.viewerStep(), "slack-html", to: "slack-html")
        let single = try threads(Self.viewerStep(include: "*.html"), "slack-html-single/slack-export.html", to: "slack-export.html")
        #expect(json.count == 32)
        #expect(json.map(\.count).reduce(0, +) == 102)
        #expect(multi == json)
        #expect(single == json)
    }

    @Test func stepIsListedWithItsOptions() throws {
        let type = try #require(StepRegistry.builtIn.type(named: "slack_html"))
        #expect(type.kind == .extract)
        #expect(type.options.map(\.name) == ["include", "exclude", "min_inputs", "hosts", "layout", "timezone", "skip_subtypes", "max_message_bytes", "max_file_bytes", "part_bytes"])
        #expect(type.options.first { $0.name == "layout" }?.type == .choice(["auto", "slack-export-viewer", "slackdump"]))
    }
}

/// The sample's JSON export, read with Foundation: what the `slack_html` output must equal.
struct SampleExport {
    struct Expected {
        var author: String
        var sentAt: String
    }

    var users: [String: [String: Any]]
    var messages: [[String: Any]]

    static func load() throws -> SampleExport {
        let folder = Fixtures.path("slack-export")
        let userList = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/users.json"))) as? [[String: Any]])
        var users: [String: [String: Any]] = [:]
        for user in userList { users[user["id"] as? String ?? ""] = user }
        var messages: [[String: Any]] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder + "/book-of-the-week").sorted() {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/book-of-the-week/" + file))
            messages += try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        }
        return SampleExport(users: users, messages: messages)
    }

    /// Threads by their first message's time: the parent, then its replies by `ts` (`thread_ts` links them).
    func threads(skipping subtypes: Set<String>) -> [[Expected]] {
        let kept = messages.filter { !subtypes.contains($0["subtype"] as? String ?? "") }
        var roots: [String] = []
        var replies: [String: [[String: Any]]] = [:]
        for message in kept {
            let ts = message["ts"] as! String
            let root = message["thread_ts"] as? String ?? ts
            if root == ts { roots.append(ts) } else { replies[root, default: []].append(message) }
        }
        let byTS = Dictionary(kept.map { ($0["ts"] as! String, $0) }, uniquingKeysWith: { first, _ in first })
        return roots.sorted { Self.seconds($0) < Self.seconds($1) }.map { root in
            [byTS[root]!] + (replies[root] ?? []).sorted { Self.seconds($0["ts"] as! String) < Self.seconds($1["ts"] as! String) }
        }.map { $0.map(expected) }
    }

    private func expected(_ message: [String: Any]) -> Expected {
        var author = message["username"] as? String ?? message["user"] as? String ?? ""
        if let id = message["user"] as? String, let user = users[id] {
            let profile = user["profile"] as? [String: Any] ?? [:]
            author = [profile["display_name"], profile["real_name"], user["name"]].compactMap { $0 as? String }.first { !$0.isEmpty } ?? id
        }
        let seconds = Int(Self.seconds(message["ts"] as! String))
        return Expected(author: author, sentAt: Timestamp(microseconds: Int64(seconds) * 1_000_000).iso8601)
    }

    private static func seconds(_ ts: String) -> Double { Double(ts) ?? 0 }
}

/// `threadline validate` on Slack-export HTML pages.
@Suite struct SlackHTMLValidateTests {
    /// A note about the raw link, and the thread broadcast's custom emoji, which a run counts, at the
    /// line of its message.
    @Test func sampleHasANoteAboutTheRawLinkAndAWarningAboutItsCustomEmoji() throws {
        let findings = SeedValidator().validate(file: Fixtures.path(SlackHTMLSourceTests.page))
        #expect(findings.map(\.severity) == [.note, .warning])
        #expect(findings.first?.location?.line == 1906)
        #expect(findings.first?.location?.column == 17)
        #expect(findings.last?.messageWithRule == "unknown emoji code ':blob_wave:' [unknown-emoji]")
        #expect(findings.last?.location == SourceLocation(file: Fixtures.path(SlackHTMLSourceTests.page), line: 2512))
    }

    @Test func truncatedPageIsAnErrorAtTheCutMessage() throws {
        let scratch = try Scratch()
        let full = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(SlackHTMLSourceTests.page)))
        let cut = try #require(full.range(of: Data("SELECT ** FROM".utf8)))
        let path = try scratch.write("page.html", full[..<cut.lowerBound])
        let findings = SeedValidator().validate(file: path).filter { $0.severity == .error }
        #expect(findings.map(\.description) == [
            "\(path):2456:17: error: the page ends inside this message (the file is truncated): its text is incomplete [message-rejected]"
        ])
    }

    @Test func commandLineReportsHTMLFindingsAndExitsOne() throws {
        let scratch = try Scratch()
        try scratch.write("seeds/slack-html/general.html", "<html><body><p>not an export</p></body></html>\n")
        let result = try runThreadline(["validate", "seeds"], in: scratch.root)
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix(
            "seeds/slack-html/general.html:1:1: error: the page is not a slack-export-viewer or slackdump page: no messages were read [not-a-slack-page]\n"))
        #expect(result.stdout.hasSuffix("1 file checked: 1 error, 0 warnings\n"))
    }
}
