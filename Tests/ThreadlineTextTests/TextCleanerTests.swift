import Foundation
import PropertyBased
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

/// NFC a piece at a time, found by fuzzing: Foundation's normalisation is quadratic in what it is
/// given at once, so a message of `e` and U+0301 repeated, or of U+0301 and U+0316 alternating,
/// took seconds to minutes to clean.
@Suite struct PiecewiseNFCTests {
    /// Scalars that compose or reorder across each other: marks of different classes, Hangul jamo,
    /// Indic vowel signs that compose with the letter before, Tibetan signs of class 0 that
    /// decompose into marks, a line feed before a mark (a cluster boundary), U+034F.
    static let pieces = [
        "a", "e", "\u{301}", "\u{316}", "\u{344}", "\u{340}", "\u{F71}", "\u{F72}", "\u{F73}", "\u{F81}", "\u{1100}", "\u{1161}",
        "\u{11A8}", "\u{AC00}", "\u{B47}", "\u{B3E}", "\u{9C7}", "\u{9BE}", "\u{CC6}", "\u{CC2}", "\u{212B}", "\n", "\r\n", "\u{34F}",
        "é", "👋", "\u{1F3FB}", "\u{200D}", " ",
    ]

    /// Normalised a piece at a time (pieces of one byte end before every starter that composes with
    /// nothing before it), the text is what Foundation makes of it whole.
    @Test func nfcAPieceAtATimeIsTheNFCOfTheWhole() async {
        let text = Gen<String?>.element(of: Self.pieces).map { $0! }.array(of: 0...24).map { $0.joined() }
        await propertyCheck(count: 2000, input: text) { text in
            let whole = text.precomposedStringWithCanonicalMapping
            #expect(String.nfc(of: text, pieceBytes: 1).unicodeScalars.elementsEqual(whole.unicodeScalars))
            #expect(String.nfc(of: text, pieceBytes: 7).unicodeScalars.elementsEqual(whole.unicodeScalars))
            #expect(text.nfc.unicodeScalars.elementsEqual(whole.unicodeScalars))
        }
    }

    /// A run of more than 30 marks out of order is put in order before Foundation sees it (which
    /// orders marks by insertion): the marks stably sorted by class, Tibetan signs of class 0 that
    /// decompose into marks decomposed; the NFC is that of the text as written.
    @Test func aLongRunOfMarksOutOfOrderIsPutInOrderFirst() {
        let text = "e" + String(repeating: "\u{301}\u{316}", count: 35) + " and e\u{301}"
        let ordered = "e" + String(repeating: "\u{316}", count: 35) + String(repeating: "\u{301}", count: 35) + " and e\u{301}"
        #expect(String.canonicallyOrdered(text).unicodeScalars.elementsEqual(ordered.unicodeScalars))
        let expected = "\u{E9}" + String(repeating: "\u{316}", count: 35) + String(repeating: "\u{301}", count: 34) + " and \u{E9}"
        #expect(text.nfc.unicodeScalars.elementsEqual(expected.unicodeScalars))
        #expect(text.nfc.unicodeScalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars))
        let tibetan = "\u{F40}" + String(repeating: "\u{F73}\u{F71}", count: 16)
        let tibetanOrdered = "\u{F40}" + String(repeating: "\u{F71}", count: 32) + String(repeating: "\u{F72}", count: 16)
        #expect(String.canonicallyOrdered(tibetan).unicodeScalars.elementsEqual(tibetanOrdered.unicodeScalars))
        // Foundation leaves the marks of a decomposed U+0F73 where they were; Unicode (and Python's
        // unicodedata) orders them with the rest, as this does.
        #expect(tibetan.nfc.unicodeScalars.elementsEqual(tibetanOrdered.unicodeScalars))
        // Thirty marks out of order, or any number in order, are left to Foundation as they are.
        let thirty = "e" + String(repeating: "\u{301}\u{316}", count: 15)
        #expect(String.canonicallyOrdered(thirty) == thirty)
        let inOrder = "e" + String(repeating: "\u{316}", count: 40) + String(repeating: "\u{301}", count: 40)
        #expect(String.canonicallyOrdered(inOrder) == inOrder)
    }

    /// A long text of pairs that each compose (`e` U+0301, Hangul L V, Oriya E AA: one grapheme
    /// cluster of 10,000 scalars) is the NFC of the whole.
    @Test func aLongTextOfComposingPairsIsTheNFCOfTheWhole() {
        for piece in ["e\u{301}", "\u{1100}\u{1161}", "\u{B47}\u{B3E}", "\u{F40}\u{F73}", "\u{CC6}\u{CC2}", "\u{AC00}\u{11A8}"] {
            let text = String(repeating: piece, count: 5000)
            #expect(text.nfc.unicodeScalars.elementsEqual(text.precomposedStringWithCanonicalMapping.unicodeScalars))
        }
    }
}
