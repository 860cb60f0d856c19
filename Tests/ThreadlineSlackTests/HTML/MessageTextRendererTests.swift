import Foundation
import Testing
import ThreadlineHTML

@testable import ThreadlineSlack

@Suite struct MessageTextRendererTests {
    /// Renders `body` as the inside of a viewer `div.msg`.
    private func render(_ body: String) throws -> String {
        let html = viewerPage(
            channel: "c",
            "<div class=\"message-container\"><div class=\"message\"><div class=\"username\">A</div>"
                + "<div class=\"time\">2020-01-01 00:00:00</div><div class=\"msg\">\(body)</div></div></div>")
        let page = try SlackHTMLReader().readAll(html: html)
        return try #require(page.messages.first).text
    }

    @Test(arguments: [
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("a<br>b<br><br>c", "a\nb\n\nc"),
        // The author's runs of spaces are kept; whitespace with a line break is the page's layout.
        ("  lots   of\n  space  ", "lots   of space"),
        ("a <b>bold</b>  b", "a **bold**  b"),
        ("a<br>  indented", "a\n  indented"),
        ("<p>\n    laid out\n    over lines\n</p>", "laid out over lines"),
        ("<a href=\"https://x.io/\">https://x.io/</a>", "https://x.io/"),
        ("see <a href=\"https://x.io\">the <b>site</b></a>!", "see [the **site**](https://x.io)!"),
        // The viewer's markdown made a link of a Slack link whose URL it could not read.
        ("<a href=\"https://e.com/?a=1&amp;b=2|Example\">https://e.com/?a=1&amp;b=2|Example</a>", "[Example](https://e.com/?a=1&b=2)"),
        ("<a href=\"https://e.com/x|https://e.com/x\">https://e.com/x|https://e.com/x</a>", "https://e.com/x"),
        ("<a href=\"https://e.com/x|y\">other</a>", "[other](https://e.com/x|y)"),
        ("<a href=\"https://x.io\"></a>", "https://x.io"),
        ("<code>a  *  b</code>", "`a  *  b`"),
        ("<pre>line 1\n  line 2</pre>after", "```line 1\n  line 2```\nafter"),
        ("<ul><li>a</li><li>b</li></ul>", "• a\n• b"),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
        ("<blockquote>q</blockquote>r", "> q\nr"),
        ("&amp;amp; &lt;b&gt; &quot;", "&amp; <b> \""),
        ("👋:skin<em>tone</em>3: hi", "👋:skin-tone-3: hi"),
        (":party<em>parrot</em>fast:", ":party_parrot_fast:"),
        ("an <em>emphasised</em> word", "an _emphasised_ word"),
        ("<strong>bold <strong>twice</strong></strong> and <i>it</i>", "**bold twice** and _it_"),
        ("<s>gone</s> <del>too</del> <strike>old</strike>", "~gone~ ~too~ ~old~"),
        ("<b>#general</b> is a channel; <b>#two words</b> is bold", "#general is a channel; **#two words** is bold"),
        ("<strong></strong>empty", "empty"),
        // Slack's tokens left as text read as in the JSON export.
        ("see &lt;#C1|general&gt; and &lt;@ana&gt; &lt;!here&gt; &lt;https://e.com|E&gt; &lt;3", "see #general and @ana @here [E](https://e.com) <3"),
        ("<p><strong><strong>Thread Reply:</strong></strong> answer</p>", "answer"),
        ("<p>Thread Reply: not bold stays</p>", "Thread Reply: not bold stays"),
        ("text<div class=\"message-reaction\">👍 Bob</div>", "text"),
        ("<img src=\"x.png\" alt=\":custom:\"> ok", ":custom: ok"),
        ("see <https://example.com/a?b=1&amp;c=2|Example> ok", "see [Example](https://example.com/a?b=1&c=2) ok"),
        ("<https://example.com/x>", "https://example.com/x"),
        ("<mailto:ann@example.com|Ann> <https://e.com|https://e.com>", "[Ann](mailto:ann@example.com) https://e.com"),
        // A raw link's text is decoded as an HTML renderer escapes it, once, and nothing more.
        ("<https://e.com/?q=&quot;a&quot;|it&#39;s &#x27;b&#x27; &amp;amp;>", "[it's 'b' &amp;](https://e.com/?q=\"a\")"),
        ("<https://e.com|&#34;c&#34; &#X27;d&#X27; &copy;>", "[&#34;c&#34; &#X27;d&#X27; &copy;](https://e.com)"),
    ])
    func rendersHTMLAsText(html: String, expected: String) throws {
        #expect(try render(html) == expected)
    }

    /// slack-export-viewer shows a message without text (a file shared without a comment, a bot's
    /// card) with a placeholder: its text is empty, as the JSON export's is.
    @Test(arguments: [
        ("<p>[ MESSAGE TEXT EMPTY ]</p><div class=\"message-upload\"><a href=\"f.png\">f.png</a></div>", ""),
        ("<p>[ MESSAGE TEXT EMPTY ] said Bob</p>", "[ MESSAGE TEXT EMPTY ] said Bob"),
    ])
    func viewerPlaceholderForAMessageWithoutTextIsEmpty(html: String, expected: String) throws {
        #expect(try render(html) == expected)
    }

    /// markdown2 escapes a code span's `&`, `<`, `>` again, on top of Slack's own escapes: the text
    /// `a < b && c` is `a &lt; b &amp;&amp; c` in the export and escaped twice in the viewer's page.
    @Test(arguments: [
        ("run <code>a &amp;lt; b &amp;amp;&amp;amp; c</code> now", "run `a < b && c` now"),
        ("<pre><code>x &amp;gt; 1\ny &amp;amp;amp;lt; 2\n</code></pre>", "```x > 1\ny &amp;lt; 2\n```"),
        // A `<pre>` without `<code>` (the viewer's rich-text block) was not escaped again.
        ("<pre>a &amp;lt; b</pre>", "```a &lt; b```"),
    ])
    func codeTheViewerEscapedTwiceIsDecodedOnceMore(html: String, expected: String) throws {
        #expect(try render(html) == expected)
    }

    /// slack-export-viewer writes each `\n` of a rich-text list as `<br>`, between its items and after
    /// it: the items are lines already, as in the JSON export's `• one\n• two`.
    @Test(arguments: [
        ("<ul><li>one</li><br><li>two</li></ul><br>after", "• one\n• two\nafter"),
        ("<ol><li>one</li><br><li>two</li></ol><br><br>after", "1. one\n2. two\n\nafter"),
        ("<ul><li>one</li></ul>text<br>after", "• one\ntext\nafter"),
    ])
    func lineBreaksAroundTheViewersListItemsAreNoLines(html: String, expected: String) throws {
        #expect(try render(html) == expected)
    }

    /// slack-export-viewer writes a rich-text mention as `<b>@name</b>`: the mention, as a bold
    /// `#channel` is; its markdown's bold is `<strong>`.
    @Test(arguments: [
        ("hi <b>@Ana Souza</b> see <b>this</b>", "hi @Ana Souza see **this**"),
        ("hi <b>[ Unknown user U999 ]</b>!", "hi @U999!"),
        ("<strong>@here</strong> listen", "**@here** listen"),
        ("<b>@</b> <b>[ Unknown user ]</b>", "**@** **[ Unknown user ]**"),
    ])
    func viewersBoldMentionIsTheMention(html: String, expected: String) throws {
        #expect(try render(html) == expected)
    }

    @Test func threadReplyMarkerWithoutReplyClassMarksAReply() throws {
        // slack-export-viewer ≤ 1.1 had no div.reply: the marker was the only sign of a reply.
        let html = viewerPage(
            channel: "c",
            "<div class=\"message-container\"><div class=\"message\"><div class=\"username\">A</div>"
                + "<div class=\"time\">2020-01-01 00:00:00</div><div class=\"msg\"><p><strong>Thread Reply:</strong> x</p></div></div></div>")
        let page = try SlackHTMLReader().readAll(html: html)
        #expect(page.messages.map(\.isReply) == [true])
        #expect(page.messages.map(\.text) == ["x"])
    }

    @Test func markupIsKeptReserialised() throws {
        let html = viewerPage(channel: "c", viewerMessage(user: "A", time: "2020-01-01 00:00:00", body: "a &amp; <b class=\"x\">b</b><br>c"))
        let message = try #require(try SlackHTMLReader().readAll(html: html).messages.first)
        #expect(message.html == "<p>a &amp; <b class=\"x\">b</b><br>c</p>")
    }

    @Test(arguments: [
        ("2021-03-08 10:37:18", "2021-03-08 10:37:18"),
        ("  2024-02-29 23:59:59\n", "2024-02-29 23:59:59"),
    ])
    func parsesLocalTimes(text: String, expected: String) throws {
        #expect(try #require(SlackLocalTime(parsing: text)).description == expected)
    }

    @Test(arguments: ["2023-02-29 00:00:00", "2021-13-01 00:00:00", "2021-03-08 24:00:00", "2021-03-08T10:37:18", "2021-3-8 1:2:3", ""])
    func rejectsOtherTimes(text: String) {
        #expect(SlackLocalTime(parsing: text) == nil)
    }
}
