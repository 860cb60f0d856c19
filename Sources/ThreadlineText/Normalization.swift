import Foundation

extension String {
    /// The string in Unicode NFC.
    ///
    /// Foundation's normalisation is slow next to a scan, so a conservative quick check runs
    /// first: text whose every scalar is below U+0300 (ASCII, Latin-1, Latin Extended, IPA),
    /// general punctuation U+2002–U+206F (`’`, `—`, `…`, zero-width joiner), a variation
    /// selector, or an emoji of U+1F000–U+1FAFF is NFC already. None of those has a canonical
    /// decomposition or combines with what precedes it.
    ///
    /// Foundation's normalisation takes time quadratic in what it is given at once: every
    /// composition moves the rest of the text (`e` and U+0301 repeated), and a run of combining
    /// marks is put in order by insertion (U+0301 and U+0316 alternating).
    /// So it is given the text a few kilobytes at a time, cut before starters that compose with
    /// nothing before them, and a long run of marks out of order, which no language writes, is put
    /// in order first with a sort.
    var nfc: String {
        isKnownNFC ? self : Self.nfc(of: self, pieceBytes: Self.nfcPieceBytes)
    }

    /// Whether the quick check proves the string is NFC (false means "maybe not").
    ///
    /// Runs on the UTF-8 bytes: ASCII skipped a word at a time, other scalars decoded in place.
    var isKnownNFC: Bool {
        var text = self
        return text.withUTF8 { bytes in
            var index = bytes.firstIndex(of: NonASCII.self, from: 0)
            while index < bytes.count {
                let lead = bytes[index]
                // A `String`'s UTF-8 is valid: the lead byte gives the length, and the bytes are there.
                let scalar: UInt32
                let length: Int
                switch lead {
                case ..<0xE0:
                    scalar = UInt32(lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F)
                    length = 2
                case ..<0xF0:
                    scalar = UInt32(lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F)
                    length = 3
                default:
                    scalar =
                        UInt32(lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12
                        | UInt32(bytes[index + 2] & 0x3F) << 6 | UInt32(bytes[index + 3] & 0x3F)
                    length = 4
                }
                guard Self.isKnownNFCScalar(scalar) else { return false }
                index = bytes.firstIndex(of: NonASCII.self, from: index + length)
            }
            return true
        }
    }

    /// Whether the quick check accepts a scalar: one that is NFC on its own and combines with
    /// nothing before it.
    static func isKnownNFCScalar(_ value: UInt32) -> Bool {
        switch value {
        case 0..<0x300, 0x2002...0x206F, 0xFE0E...0xFE0F, 0x1F000...0x1FAFF: true
        default: false
        }
    }

    /// About how many bytes of text Foundation normalises at once.
    static let nfcPieceBytes = 4096

    /// The NFC of `text`, normalised a piece of about `pieceBytes` at a time. A piece ends before a
    /// scalar that starts a new piece safely (see `startsAPiece`): the pieces' NFCs are the NFC of
    /// the whole.
    static func nfc(of text: String, pieceBytes: Int) -> String {
        let text = canonicallyOrdered(text)
        guard text.utf8.count > pieceBytes else { return text.precomposedStringWithCanonicalMapping }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        let scalars = text.unicodeScalars
        var start = scalars.startIndex
        var bytes = 0
        for index in scalars.indices {
            let scalar = scalars[index]
            if bytes >= pieceBytes, startsAPiece(scalar) {
                result += String(scalars[start..<index]).precomposedStringWithCanonicalMapping
                start = index
                bytes = 0
            }
            bytes += UTF8.width(scalar)
        }
        result += String(scalars[start...]).precomposedStringWithCanonicalMapping
        return result
    }

    /// Whether normalisation never crosses the boundary before `scalar`: a starter (combining class
    /// 0) that composes with nothing before it, so that neither reordering nor composition reaches
    /// across. The starters that compose with what precedes them are grapheme extenders (Unicode
    /// makes them so: `U+0B3E`, `U+0CC2`…) or Hangul vowel and final jamo; the three Tibetan vowel
    /// signs of class 0 decompose into marks.
    static func startsAPiece(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case ..<0x300: return true
        case 0xF73, 0xF75, 0xF81, 0x1160...0x11FF, 0xD7B0...0xD7FF: return false
        default:
            let properties = scalar.properties
            return properties.canonicalCombiningClass == .notReordered && !properties.isGraphemeExtend
        }
    }

    /// Runs of combining marks longer than this that are out of canonical order are put in order here.
    static let longMarkRun = 30

    /// `text` with every run of more than `longMarkRun` combining marks (non-starters) that is out
    /// of canonical order put in it: the marks stably sorted by combining class, as normalisation
    /// orders them, and the three Tibetan vowel signs of class 0 that decompose into marks (U+0F73,
    /// U+0F75, U+0F81) written decomposed among them. Canonically equivalent to `text`, so its NFC
    /// is the same; `text` itself when it has no such run.
    static func canonicallyOrdered(_ text: String) -> String {
        var length = 0
        guard
            text.unicodeScalars.contains(where: { scalar in
                length = markClass(scalar) == 0 ? 0 : length + 1
                return length > longMarkRun
            })
        else { return text }
        let scalars = Array(text.unicodeScalars)
        var runs: [Range<Int>] = []
        var start = 0
        var index = 0
        while index <= scalars.count {
            if index == scalars.count || markClass(scalars[index]) == 0 {
                let run = start..<index
                if run.count > longMarkRun, !isOrdered(scalars[run]) { runs.append(run) }
                start = index + 1
            }
            index += 1
        }
        guard !runs.isEmpty else { return text }
        var ordered = String.UnicodeScalarView()
        var done = 0
        for run in runs {
            ordered.append(contentsOf: scalars[done..<run.lowerBound])
            let marks = scalars[run].flatMap(decomposedMark)
            ordered.append(contentsOf: marks.enumerated().sorted { lhs, rhs in
                let (left, right) = (combiningClass(lhs.element), combiningClass(rhs.element))
                return left != right ? left < right : lhs.offset < rhs.offset
            }.map(\.element))
            done = run.upperBound
        }
        ordered.append(contentsOf: scalars[done...])
        return String(ordered)
    }

    /// Whether the marks' combining classes never decrease (the Tibetan signs by their first mark's).
    private static func isOrdered(_ marks: ArraySlice<Unicode.Scalar>) -> Bool {
        var last = 0
        for mark in marks {
            for part in decomposedMark(mark) {
                let value = combiningClass(part)
                if value < last { return false }
                last = value
            }
        }
        return true
    }

    /// The Tibetan vowel signs of class 0 that decompose into marks, decomposed; any other scalar alone.
    private static func decomposedMark(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        switch scalar.value {
        case 0xF73: ["\u{F71}", "\u{F72}"]
        case 0xF75: ["\u{F71}", "\u{F74}"]
        case 0xF81: ["\u{F71}", "\u{F80}"]
        default: [scalar]
        }
    }

    private static func combiningClass(_ scalar: Unicode.Scalar) -> Int {
        scalar.value < 0x300 ? 0 : Int(scalar.properties.canonicalCombiningClass.rawValue)
    }

    /// The class a run of marks sees: a mark's combining class, a Tibetan sign that decomposes into
    /// marks counted as one, 0 for a starter.
    private static func markClass(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0xF73, 0xF75, 0xF81: 129
        default: combiningClass(scalar)
        }
    }
}

extension String {
    /// Whether every byte of the string is ASCII, checked eight bytes at a time.
    var isASCII: Bool {
        var text = self
        return text.withUTF8 { bytes in bytes.firstIndex(of: NonASCII.self, from: 0) == bytes.count }
    }
}

/// The bytes of UTF-8 that are not ASCII: lead and continuation bytes.
private enum NonASCII: ByteSet {
    static func contains(_ byte: UInt8) -> Bool { byte >= 0x80 }
    static func containsAny(_ word: ByteWord.Word) -> Bool { !ByteWord.isASCII(word) }
}
