import Foundation
import PropertyBased
import Testing

@testable import ThreadlineText

/// Properties of the cleaners over texts built from pieces that exercise every rule.
@Suite struct PropertyTests {
    /// Pieces that touch every rule of clean_text and the emoji replacer.
    static let trickyPieces = [
        "a", "Z", "9", " ", "  ", "\t", "\n", "\r", "\r\n", "\u{A0}", "\u{202F}", "e\u{301}", "é", "ř", "👋", "🏼",
        "&", "&amp;", "&amp;lt;", "&lt;", "&#x1F44B;", "&#13;", "&nbsp;", "&#0;", ";", ":", "::", "smile", "_", "-",
        ":smile:", ":wave:", ":skin-tone-3:", ":skin_tone_2:", ":skin<em>tone</em>4:", ":blob_wave:", ":+1:",
        ":100:", ":simple_smile:", "`", "```", "<", ">", "<@U1>", "<em>", "http://", "12:30:45", "3:2:1", "(", ")",
    ]

    /// Pieces that contain no `:`, `&`, line ending or non-breaking space: text no rule changes.
    static let plainPieces = [
        "a", "Z", "9", "hello", "é", "ř", "👋", "🏼", " ", "(", ")", "<", ">", "`", "```", "_", "-", "+", ";", "/", ".",
    ]

    /// Standard codes and the emoji each becomes.
    static let codes: [(code: String, emoji: String)] = [
        (":smile:", "😄"), (":+1:", "👍"), (":wave::skin-tone-3:", "👋🏼"), (":100:", "💯"),
        (":relaxed:", "\u{263A}\u{FE0F}"), (":simple_smile:", "🙂"), (":flag-us:", "🇺🇸"),
    ]

    /// Pieces that no rule changes and that open no protected span.
    static let separatorPieces = ["a", "Z", "9", "hello", "é", "👋", " ", "(", ")", "_", "-", "+", ";", "/", "."]

    static let trickyText = Gen<String?>.element(of: trickyPieces).map { $0! }.array(of: 0...24).map { $0.joined() }
    static let plainText = Gen<String?>.element(of: plainPieces).map { $0! }.array(of: 0...12).map { $0.joined() }
    static let separatorText = Gen<String?>.element(of: separatorPieces).map { $0! }.array(of: 0...8).map { $0.joined() }

    @Test func cleanTextIsIdempotentOnceNoReferenceIsLeft() async {
        await propertyCheck(count: 500, input: Self.trickyText) { text in
            let once = TextCleaner.clean(text)
            // Decoding exactly once means `&amp;lt;` becomes `&lt;`, which a second clean
            // decodes again (as it must); every other rule is idempotent.
            guard HTMLEntities.decode(once) == once else { return }
            #expect(TextCleaner.clean(once) == once)
        }
    }

    /// Scalars around the edges of the NFC quick check: singletons (U+2000, U+2126, U+212B),
    /// combining marks (U+0301, U+0340), Hangul and Indic letters that compose with what
    /// precedes them (U+1161, U+0B3E), and ones the check accepts.
    static let normalisationPieces = [
        "a", "e", "\u{301}", "\u{340}", "\u{2000}", "\u{2001}", "\u{2002}", "\u{2126}", "\u{212B}", "\u{1100}", "\u{1161}",
        "\u{AC00}", "\u{11A8}", "\u{B47}", "\u{B3E}", "é", "—", "’", "👋", "\u{FE0F}", "\u{1F3FB}", "\u{2FF}", "\u{300}",
    ]

    @Test func quickNFCCheckNeverAcceptsTextThatIsNotNFC() async {
        let text = Gen<String?>.element(of: Self.normalisationPieces).map { $0! }.array(of: 0...8).map { $0.joined() }
        await propertyCheck(count: 1000, input: text) { text in
            let reference = text.precomposedStringWithCanonicalMapping
            #expect(text.nfc.unicodeScalars.elementsEqual(reference.unicodeScalars))
            if text.isKnownNFC { #expect(text.unicodeScalars.elementsEqual(reference.unicodeScalars)) }
        }
    }

    /// Pieces around the bytes the word-at-a-time scans look for: spaces and tabs before a line
    /// feed, `\r`, the non-breaking spaces (C2 A0, E2 80 AF) and scalars that share their lead
    /// bytes (U+00B0 is C2 B0, U+2000 is E2 80 80, U+2028 is E2 80 A8, U+20AC is E2 82 AC).
    static let scanPieces = [
        "a", "bc", "defgh", " ", "\t", "\n", "\r", "\r\n", " \n", "\t\n", "\u{A0}", "\u{202F}", "\u{B0}", "\u{2000}",
        "\u{2028}", "\u{20AC}", "é", "e\u{301}", "\u{300}", "\u{2FF}", "\u{2126}", "—", "👋", "\u{1FAFF}", "\u{1FB00}",
        "\u{FE0F}", "\u{FE0D}", "&", "&amp;", "\u{7F}", "\u{80}",
    ]
    static let scanText = Gen<String?>.element(of: scanPieces).map { $0! }.array(of: 0...40).map { $0.joined() }

    @Test func wordAtATimeSpacingScanAgreesWithAByteByByteScan() async {
        await propertyCheck(count: 2000, input: Self.scanText) { text in
            var text = text
            text.withUTF8 { bytes in
                #expect(TextCleaner.needsSpacingChanges(bytes) == Reference.needsSpacingChanges(bytes))
                #expect(TextCleaner.needsSpacingChanges(bytes) == (TextCleaner.normaliseSpacing(bytes) != nil))
                #expect(bytes.containsByte(UInt8(ascii: "&")) == bytes.contains(UInt8(ascii: "&")))
                #expect(bytes.containsByte(0xC2) == bytes.contains(0xC2))
            }
        }
    }

    @Test func byteLevelNFCCheckAgreesWithAScalarCheck() async {
        await propertyCheck(count: 2000, input: Self.scanText) { text in
            #expect(text.isKnownNFC == Reference.isKnownNFC(text))
            #expect(text.isASCII == text.unicodeScalars.allSatisfy(\.isASCII))
        }
    }

    @Test func asciiNameFoldingAgreesWithTheGeneralPath() async {
        let pieces = ["a", "B", "z", "9", " ", "  ", "\t", ".", ",", "'", "`", "(", ")", "-", "_", "O'Brien", "(Author)"]
        let name = Gen<String?>.element(of: pieces).map { $0! }.array(of: 0...10).map { $0.joined() }
        await propertyCheck(count: 500, input: name) { name in
            let exact = PersonName(name).exactKey
            #expect(PersonName.foldASCII(exact) == PersonName.fold(exact))
            #expect(exact == name.split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased())
            let match = PersonName(name).matchKey
            #expect(PersonName.asciiSlug(matchKey: match, exactKey: exact) == PersonName.generalSlug(matchKey: match, exactKey: exact))
        }
    }

    @Test func cleanTextKeepsEveryCharacterThatIsNotWhitespace() async {
        await propertyCheck(count: 500, input: Self.trickyText) { text in
            let expected = HTMLEntities.decode(text).precomposedStringWithCanonicalMapping.filter { !$0.isWhitespace }
            #expect(TextCleaner.clean(text).filter { !$0.isWhitespace } == expected)
        }
    }

    @Test(arguments: EmojiReplacer.UnknownNames.allCases)
    func emojiReplacementIsIdempotent(unknown: EmojiReplacer.UnknownNames) async {
        let replacer = EmojiReplacer(unknown: unknown)
        await propertyCheck(count: 500, input: Self.trickyText) { text in
            let once = replacer.replace(text)
            #expect(replacer.replace(once) == once)
        }
    }

    @Test func textWithoutCodesIsUnchanged() async {
        let replacer = EmojiReplacer()
        await propertyCheck(count: 500, input: Self.plainText) { text in
            #expect(replacer.replace(text) == text)
            #expect(TextCleaner.clean(text) == text.precomposedStringWithCanonicalMapping.trimmingTrailingWhitespace)
        }
    }

    @Test func replacementKeepsTheTextBetweenCodes() async {
        let replacer = EmojiReplacer(unknown: .strip)
        let pieces = Gen<Int>.int(in: 0...(Self.codes.count - 1)).array(of: 1...6)
        await propertyCheck(count: 500, input: pieces, Self.separatorText.array(of: 6)) { codeIndices, texts in
            // Codes separated by plain text (with a space so that no letter or digit touches
            // a colon): the output is the same text with each code's emoji.
            var input = ""
            var expected = ""
            for (offset, codeIndex) in codeIndices.enumerated() {
                input += texts[offset] + " " + Self.codes[codeIndex].code + " "
                expected += texts[offset] + " " + Self.codes[codeIndex].emoji + " "
            }
            #expect(replacer.replace(input) == expected)
        }
    }
}

extension String {
    /// The string without spaces and tabs at its end.
    var trimmingTrailingWhitespace: String {
        var text = self
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}

/// The straightforward forms of checks that have fast paths, to compare them with.
enum Reference {
    /// Whether a spacing rule of ``TextCleaner`` applies, one byte at a time.
    static func needsSpacingChanges(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let last = bytes.last else { return false }
        if last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") || last == UInt8(ascii: "\n") { return true }
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "\r"): return true
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                if bytes[index + 1] == UInt8(ascii: "\n") { return true }  // the last byte is not a space
            case 0xC2:
                if index + 1 < bytes.count, bytes[index + 1] == 0xA0 { return true }
            case 0xE2:
                if index + 2 < bytes.count, bytes[index + 1] == 0x80, bytes[index + 2] == 0xAF { return true }
            default: break
            }
        }
        return false
    }

    /// The NFC quick check on the scalars Swift decodes (the table itself is checked against
    /// Foundation by `quickNFCCheckNeverAcceptsTextThatIsNotNFC`).
    static func isKnownNFC(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { String.isKnownNFCScalar($0.value) }
    }
}
