import Testing

@testable import ThreadlineSlack

/// slackdump's static HTML (`convert -f html`), built from the reference's description of
/// `internal/viewer/templates`: a channel page without replies and a thread page per thread.
@Suite struct SlackdumpLayoutTests {
    static let channelPage = "slackdump/archives/C0BOTW/index.html"
    static let threadPage = "slackdump/archives/C0BOTW/threads/1615561200.000200.html"

    @Test func channelPageGivesTopLevelMessagesWithExactTimestamps() throws {
        let page = try SlackHTMLReader().readAll(fixture: Self.channelPage)
        #expect(page.report?.layout == .slackdump)
        #expect(page.messages.map(\.ts) == ["1615561200.000200", "1615562400.000600"])
        #expect(page.messages.map(\.author) == ["Dana Kowalska", "bookbot via Bot (bot)"])
        #expect(page.messages.map(\.time.description) == ["2021-03-12 15:00:00", "2021-03-12 15:20:00"])
        #expect(page.messages.map(\.isReply) == [false, false])
        #expect(page.messages.map(\.threadTS) == [nil, nil])
        // The channel comes from the path: slackdump pages name it nowhere else.
        #expect(page.messages.map(\.channel) == ["C0BOTW", "C0BOTW"])
        #expect(page.messages.map(\.line) == [11, 20])
        #expect(
            page.messages.map(\.text) == [
                "a question on chapter 7 🤔 - is this right?\n```BEGIN;\nSELECT * FROM accounts WHERE id = 1 FOR UPDATE;\nCOMMIT;```\n• snapshot isolation\n• serializable & SSI",
                // A <pre> body is the message's raw mrkdwn, read as the JSON export's is.
                "Reminder: questions close on Friday 23:59:59 UTC @here",
            ])
        // The thread footer ("2 replies") is not part of the text.
        #expect(!page.messages[0].text.contains("replies"))
        #expect(page.problems.isEmpty)
    }

    @Test func threadPageGivesTheParentAndItsReplies() throws {
        let page = try SlackHTMLReader().readAll(fixture: Self.threadPage)
        #expect(page.report?.layout == .slackdump)
        #expect(page.messages.map(\.ts) == ["1615561200.000200", "1615561800.000400", "1615562100.000500"])
        #expect(page.messages.map(\.threadTS) == Array(repeating: "1615561200.000200", count: 3))
        #expect(page.messages.map(\.isReply) == [false, true, true])
        #expect(page.messages.map(\.channel) == ["C0BOTW", "C0BOTW", "C0BOTW"])
        // slackdump writes a mention as the raw token with the name: read as the JSON export's.
        #expect(page.messages[1].text == "Yes ✅ - `FOR UPDATE` takes a lock, says @Martin Kleppmann")
        #expect(page.messages[2].text == "Sharing with the channel: @here this thread is great **👋**")
    }

    @Test(arguments: [SlackHTMLLayout.auto, .slackdump])
    func forcedAndDetectedLayoutsAgree(layout: SlackHTMLLayout) throws {
        let page = try SlackHTMLReader(layout: layout).readAll(fixture: Self.threadPage)
        #expect(page.messages.count == 3)
        let viewer = try SlackHTMLReader(layout: .slackExportViewer).readAll(fixture: Self.threadPage)
        #expect(viewer.messages.isEmpty)
        #expect(viewer.rejected.count == 1)
    }
}
