import Testing

@testable import ThreadlineText

@Suite struct TextCleanerTests {
    @Test func decodesEntitiesExactlyOnce() {
        #expect(TextCleaner.clean("&amp;lt;b&amp;gt; is bold") == "&lt;b&gt; is bold")
        #expect(TextCleaner.clean("Q&amp;A &gt; chat") == "Q&A > chat")
    }

    @Test func normalisesToNFC() {
        let decomposed = "Serg Masi\u{301}s, Ondr\u{30C}ej"
        let cleaned = TextCleaner.clean(decomposed)
        #expect(cleaned.unicodeScalars.elementsEqual("Serg Mas\u{ED}s, Ond\u{159}ej".unicodeScalars))
    }

    @Test func turnsNonBreakingSpacesIntoSpaces() {
        #expect(TextCleaner.clean("10\u{A0}GB and 5\u{202F}%") == "10 GB and 5 %")
        #expect(TextCleaner.clean("a&nbsp;b") == "a b")
    }

    @Test func normalisesLineEndings() {
        #expect(TextCleaner.clean("one\r\ntwo\rthree\nfour") == "one\ntwo\nthree\nfour")
        #expect(TextCleaner.clean("a\r\r\nb") == "a\n\nb")
    }

    @Test func trimsTrailingWhitespaceOfLinesAndText() {
        #expect(TextCleaner.clean("a  \nb\t\n  c \u{A0}\n\n\n") == "a\nb\n  c")
        #expect(TextCleaner.clean("  indented code\n    more") == "  indented code\n    more")
        #expect(TextCleaner.clean(" \n \n") == "")
    }

    @Test func keepsCleanTextIdentical() {
        let text = "Hey Martin :wave: at 22:59:58, see https://dataintensive.net/ (chapter 3)\n\n- point"
        #expect(TextCleaner.clean(text) == text)
        #expect(TextCleaner.clean("") == "")
    }

    @Test func decodedCarriageReturnsAndNonBreakingSpacesAreNormalisedToo() {
        #expect(TextCleaner.clean("a&#13;&#10;b&#160;c") == "a\nb c")
    }

    @Test func quickNFCCheck() {
        #expect("it\u{2019}s \u{2014} caf\u{E9} \u{1F44B}\u{1F3FC}\u{263A}\u{FE0F}".isKnownNFC == false)  // U+263A is outside the fast ranges
        #expect("it\u{2019}s \u{2014} caf\u{E9} \u{1F44B}\u{1F3FC}".isKnownNFC)
        #expect(!"cafe\u{301}".isKnownNFC)
        #expect(!"\u{212B}".isKnownNFC)
        #expect("\u{212B}".nfc.unicodeScalars.elementsEqual("\u{C5}".unicodeScalars))
    }

    @Test func hostileInputIsLinearAndBounded() {
        let spaces = String(repeating: " \t\r", count: 200_000) + "x"
        #expect(TextCleaner.clean(spaces) == String(repeating: "\n", count: 200_000) + "x")
        let ampersands = String(repeating: "&amp;&#;&#x", count: 50_000)
        #expect(TextCleaner.clean(ampersands) == String(repeating: "&&#;&#x", count: 50_000))
        let combining = "e" + String(repeating: "\u{301}", count: 50_000)
        #expect(TextCleaner.clean(combining).unicodeScalars.count == 50_000)
    }
}
