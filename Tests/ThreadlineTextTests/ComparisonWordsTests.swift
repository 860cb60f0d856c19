import Testing
import ThreadlineText

@Suite struct ComparisonWordsTests {
    /// Two renderings of one message, and a book's copy of it, give the same words.
    @Test(arguments: [
        // Formatting, case, punctuation, whitespace.
        ("**Bold** and _italic_ ~struck~ `code`", "*bold*  and italic struck code"),
        // Links: the label, whatever the syntax; URLs themselves say nothing.
        ("see [the site](https://x.io/a_b) now", "see <https://x.io/a_b?q=1&amp;r=2|the site> now"),
        ("read https://x.io/paper.pdf first", "read [https://x.io/paper.pdf](https://x.io/paper.pdf) first"),
        ("mail <mailto:ann@x.io|Ann>", "mail [Ann](mailto:ann@x.io)"),
        // Emoji: characters and codes alike, tones and custom names included.
        ("Hey Martin 👋🏼 thanks :blob_wave:", "Hey Martin :wave::skin-tone-3: thanks"),
        // Entities decoded once; accents and full-width letters folded.
        ("R&amp;D café ＡＢＣ", "R&D cafe abc"),
        // Mentions and channels by name.
        ("@Martin Kleppmann see #general", "Martin Kleppmann: see general"),
    ])
    func renderingsAgree(one: String, other: String) {
        #expect(ComparisonWords.of(one) == ComparisonWords.of(other))
    }

    @Test func keepsWordsAndNumbersInOrder() {
        #expect(ComparisonWords.of("Meeting at 10:30:00 UTC, chapter 7!") == ["meeting", "at", "10", "30", "00", "utc", "chapter", "7"])
        #expect(ComparisonWords.of("x :not a code: y") == ["x", "not", "a", "code", "y"])
        #expect(ComparisonWords.of("👍").isEmpty)
    }
}
