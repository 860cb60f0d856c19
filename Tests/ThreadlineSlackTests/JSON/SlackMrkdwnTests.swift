import Testing

@testable import ThreadlineSlack

@Suite struct SlackMrkdwnTests {
    private let mrkdwn = SlackMrkdwn(directory: SlackDirectory(
        users: [SlackUser(id: "U1", name: "ana", profile: SlackProfile(displayName: "Ana B"))],
        conversations: [SlackConversationInfo(id: "C1", name: "general")]))

    @Test(arguments: [
        ("hi <@U1>", "hi @Ana B"),
        ("hi <@U1|ana>", "hi @ana"),
        ("hi <@U9>", "hi @U9"),
        ("see <#C1>", "see #general"),
        ("see <#C2|random>", "see #random"),
        ("see <#C3>", "see #C3"),
        ("<!here> <!channel> <!everyone> <!here|@here>", "@here @channel @everyone @here"),
        ("<!subteam^S1|@devs> <!subteam^S2>", "@devs @S2"),
        ("<!date^1392734382^{date_short}|Feb 18, 2014>", "Feb 18, 2014"),
        ("<https://example.com|the site>", "[the site](https://example.com)"),
        ("<https://example.com>", "https://example.com"),
        ("<https://example.com|https://example.com>", "https://example.com"),
        ("<https://x.io/?a=1&amp;b=2|a &amp; b>", "[a & b](https://x.io/?a=1&b=2)"),
        ("<mailto:a@b.io|a@b.io>", "[a@b.io](mailto:a@b.io)"),
        ("&amp;lt; is not &lt;", "&lt; is not <"),
        ("a &lt;b&gt; &amp; c &copy; &", "a <b> & c &copy; &"),
        // Slack escapes only `&`, `<` and `>`: any other reference is what the author typed.
        ("&quot;x&quot; &#39;y&#39; &AMP; &#60;", "&quot;x&quot; &#39;y&#39; &AMP; &#60;"),
        ("<https://x.io/?q=&quot;a&quot;|say &#39;hi&#39;>", "[say &#39;hi&#39;](https://x.io/?q=&quot;a&quot;)"),
        ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2"),
        ("<unclosed\n<@U1>", "<unclosed\n@Ana B"),
        ("<>", "<>"),
        ("```x <@U1> &lt;y&gt;```", "```x @Ana B <y>```"),
        ("<!unknown>", "<!unknown>"),
        // Slack's bold is the text form's **bold**; italic, struck-out and code stay as written.
        ("*bold* and _it_ ~no~ `a*b*c`", "**bold** and _it_ ~no~ `a*b*c`"),
        ("*Question 1*: x\n*Question 2:* y", "**Question 1**: x\n**Question 2:** y"),
        ("(*a b*) \"*c*\"", "(**a b**) \"**c**\""),
        ("2 * 3 * 4, a*b*c, *open\nclose*, ** x", "2 * 3 * 4, a*b*c, *open\nclose*, ** x"),
        ("```*x*``` *<https://e.com|y*z>*", "```*x*``` **[y*z](https://e.com)**"),
    ])
    func decodesTokensAndEntitiesOnce(text: String, expected: String) {
        #expect(mrkdwn.decode(text) == expected)
    }
}
