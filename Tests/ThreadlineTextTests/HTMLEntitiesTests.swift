import Testing

@testable import ThreadlineText

@Suite struct HTMLEntitiesTests {
    @Test(arguments: [
        ("a &amp; b", "a & b"),
        ("&lt;tag&gt;", "<tag>"),
        ("&quot;q&quot; &apos;a&apos;", "\"q\" 'a'"),
        ("&nbsp;", "\u{A0}"),
        ("caf&eacute;", "café"),
        ("&NotEqualTilde;", "\u{2242}\u{338}"),
        ("&#65;&#x42;&#X43;", "ABC"),
        ("&#x1F44B;", "👋"),
        ("&#128075;", "👋"),
    ])
    func decodesReferences(input: String, expected: String) {
        #expect(HTMLEntities.decode(input) == expected)
    }

    @Test func decodesExactlyOnce() {
        #expect(HTMLEntities.decode("&amp;lt;") == "&lt;")
        #expect(HTMLEntities.decode("&amp;amp;") == "&amp;")
        #expect(HTMLEntities.decode("&#38;lt;") == "&lt;")
    }

    @Test(arguments: [
        "AT&T", "a & b", "&", "&;", "&#;", "&#x;", "&amp", "&copy=1", "&unknownentity;", "&#12a;",
        "https://x.org/?a=1&list=2", "&&&&",
    ])
    func leavesIncompleteOrUnknownReferences(input: String) {
        #expect(HTMLEntities.decode(input) == input)
    }

    // A restricted decode recognises a reference only as spelled in its set: Slack's mrkdwn has three
    // escapes, and `&quot;` or `&#39;` in a message is what its author typed.
    @Test(arguments: [
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("&amp;lt; once", "&lt; once"),
        ("&quot;q&quot; &#39;a&#39; &copy; &nbsp;", "&quot;q&quot; &#39;a&#39; &copy; &nbsp;"),
        ("&AMP; &LT; &amp &ampx; &", "&AMP; &LT; &amp &ampx; &"),
        ("&&amp;&", "&&&"),
    ])
    func decodesOnlyTheReferencesOfASet(input: String, expected: String) {
        #expect(HTMLEntities.decode(input, only: HTMLEntities.References(["amp", "lt", "gt"])) == expected)
    }

    // Numeric references too are matched by their spelling: `#39` is not `#039` nor `#x27`.
    @Test func numericReferencesOfASetAreMatchedAsSpelled() {
        let apostrophes = HTMLEntities.References(["#39", "#x27"])
        #expect(HTMLEntities.decode("&#39; &#x27; &#039; &#X27; &#x0027;", only: apostrophes) == "' ' &#039; &#X27; &#x0027;")
        #expect(HTMLEntities.decode("no reference here", only: apostrophes) == "no reference here")
    }

    // With every reference, the decode of a set is the plain decode.
    @Test(arguments: ["a &amp; b", "&#65;&#x42; &eacute; &amp;lt;", "AT&T &unknown; &#x;"])
    func theSetOfAllReferencesDecodesAsDecodeDoes(input: String) {
        #expect(HTMLEntities.decode(input, only: .all) == HTMLEntities.decode(input))
    }

    @Test func decodesTheSeedsEscapedURLQuery() {
        let raw = "[Distributed Systems](https://www.youtube.com/watch?v=UEAMfLPZZhE&amp;list=PLeKd45zvjcDFUEv)"
        #expect(
            HTMLEntities.decode(raw) == "[Distributed Systems](https://www.youtube.com/watch?v=UEAMfLPZZhE&list=PLeKd45zvjcDFUEv)")
    }

    @Test(arguments: [
        ("&#0;", "\u{FFFD}"),
        ("&#xD800;", "\u{FFFD}"),
        ("&#x110000;", "\u{FFFD}"),
        ("&#99999999999999999999999;", "\u{FFFD}"),
        ("&#x80;", "\u{20AC}"),
        ("&#150;", "\u{2013}"),
        ("&#x81;", "\u{81}"),
    ])
    func mapsInvalidAndC1CodePointsLikeBrowsers(input: String, expected: String) {
        #expect(HTMLEntities.decode(input) == expected)
    }

    @Test func tableHasEveryTerminatedWHATWGName() {
        #expect(HTMLEntities.named.count == 2125)
        #expect(HTMLEntities.named["amp"] == "&")
        #expect(HTMLEntities.named["hearts"] == "\u{2665}")
    }

    @Test func longNamesAndDigitRunsAreBounded() {
        let long = "&" + String(repeating: "a", count: 100_000) + ";"
        #expect(HTMLEntities.decode(long) == long)
        let digits = "&#" + String(repeating: "9", count: 100_000) + ";"
        #expect(HTMLEntities.decode(digits) == "\u{FFFD}")
    }
}
