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
        // The bot's sender, `bookbot via Bot (bot)`, names the author the JSON export names.
        #expect(page.messages.map(\.author) == ["Dana Kowalska", "bookbot"])
        #expect(page.messages.map(\.isBot) == [false, true])
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

    /// slackdump's rich-text mentions, as its renderer writes them (`slack_rich_text.go`): a user is
    /// the raw token in a link to the user's page, a channel or user group the token in a `div` of
    /// its own, a broadcast a `strong` with a space inside. Each is the mention, inline, as the JSON
    /// export's text gives it.
    @Test(arguments: [
        ("hi <a href=\"../../team/U1/index.html\"><@ana></a> see <b>this</b>", "hi @ana see **this**"),
        (
            "in <div class=\"slack-rich-text-section-channel\"><a href=\"../../archives/C1/index.html\"><#general></a></div> now",
            "in #general now"
        ),
        ("<strong class=\"slack-rich-text-section-broadcast\">@here </strong> look", "@here look"),
        ("<strong class=\"slack-rich-text-section-broadcast\">@channel </strong>", "@channel"),
        ("<div class=\"slack-rich-text-section-user-group\"><@team></div> ping", "@team ping"),
        // A link whose label is more than a token stays a link.
        ("<a href=\"https://e.com\">about <@ana></a>", "[about @ana](https://e.com)"),
    ])
    func richTextMentionsReadAsMentions(body: String, expected: String) throws {
        #expect(try SlackHTMLReader().readAll(html: Self.page(content: "<p>\(body)</p>")).messages.map(\.text) == [expected])
    }

    /// A slackdump page of one message whose `div.message-content` holds `content`.
    static func page(content: String, sender: String = "Dana") -> String {
        """
        <!DOCTYPE html><html><head><meta charset="UTF-8"><title>Slackdump Viewer</title></head><body>
        <article class="message"><div class="message-inner">
          <header class="message-header" id="1615561200.000200">
            <span class="message-sender"><a href="../../team/U0/index.html">\(sender)</a></span>
            <span class="message-timestamp grey">2021-03-12 15:00:00</span></header>
          <div class="message-content">\(content)</div>
        </div></article></body></html>
        """
    }

    /// A message without rich text is slackdump's `<pre>` of the raw mrkdwn, HTML-escaped
    /// (`slack_text_parser.go`): under that escaping are Slack's own, decoded once as the JSON
    /// export's text decodes them.
    @Test(arguments: [
        ("<pre>a &amp;lt; b &amp;amp;&amp;amp; c &amp;gt; d</pre>", "a < b && c > d"),
        ("<pre>&amp;amp;lt; is how *you* write &amp;lt;</pre>", "&lt; is how **you** write <"),
        ("<pre>see &lt;https://e.com/?a=1&amp;amp;b=2|E&gt; &lt;!here&gt;</pre>", "see [E](https://e.com/?a=1&b=2) @here"),
        // Files after the text are not part of it: the `<pre>` is still the whole text.
        ("<pre>*hi*</pre><section class=\"slack-files\"><p>1 files:</p></section>", "**hi**"),
    ])
    func rawMrkdwnHasSlacksEscapesDecodedOnce(content: String, expected: String) throws {
        #expect(try SlackHTMLReader().readAll(html: Self.page(content: content)).messages.map(\.text) == [expected])
    }

    /// A rich-text message that opens with a code block is a `<pre>` followed by the rest of the
    /// message: code, kept verbatim, not raw mrkdwn.
    @Test func richTextOpeningWithACodeBlockKeepsItAsCode() throws {
        let page = try SlackHTMLReader().readAll(html: Self.page(content: "<p><pre>SELECT *x* &lt; 1</pre>then <b>bold</b></p>"))
        #expect(page.messages.map(\.text) == ["```SELECT *x* < 1```\nthen **bold**"])
    }

    /// slackdump names a bot's message `user via bot (bot)` (`Unknown user` without a user) and an
    /// app's `username (app)` (`template.go`): the author is whom the JSON export names (the user,
    /// else the bot; the app's username), and the message is a bot's.
    @Test(arguments: [
        ("bookbot (app)", "bookbot", true),
        ("Unknown user via Polly (bot)", "Polly", true),
        ("Dana via Polly (bot)", "Dana", true),
        ("Dana", "Dana", false),
        ("(app)", "(app)", false),
        ("Ann via (bot)", "Ann via (bot)", false),
    ])
    func botAndAppSendersAreNamedAsTheExportNamesThem(sender: String, author: String, isBot: Bool) throws {
        let page = try SlackHTMLReader().readAll(html: Self.page(content: "<p>hi</p>", sender: sender))
        #expect(page.messages.map(\.author) == [author])
        #expect(page.messages.map(\.isBot) == [isBot])
    }

    /// slackdump renders a message's files (`section.slack-files`) and attachments
    /// (`blockquote.slack-attachment`) after its text, in the same `div.message-content`
    /// (`templates/file.html`, `attachment.html`): they are not part of the text.
    @Test func filesAndAttachmentsAreNotPartOfTheText() throws {
        let content = """
            <p>see the <b>slides</b></p><section class="slack-files">
                <p>2 files:</p>
                <div class="file-preview-container"><a href="f/a.png"><img class="file-image" src="f/a.png" alt="a.png" /></a></div>
                <div class="file-preview-container"><video class="file-video" controls><source src="f/b.mp4" type="video/mp4">
                Your browser does not support the video tag.</video></div>
            </section><blockquote class="slack-attachment"><article><header><p class="author">Bot</p></header>
                <p>card text</p><footer><p class="footer grey small">GitHub</p></footer></article></blockquote>
            """
        let page = try SlackHTMLReader().readAll(html: Self.page(content: content))
        #expect(page.messages.map(\.text) == ["see the **slides**"])
        let fileOnly = try SlackHTMLReader().readAll(
            html: Self.page(content: "<p></p><section class=\"slack-files\"><p>1 files:</p><a class=\"file-link\" href=\"f/x.pdf\"> x.pdf </a></section>"))
        #expect(fileOnly.messages.map(\.text) == [""])
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
