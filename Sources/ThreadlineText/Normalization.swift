import Foundation

extension String {
    /// The string in Unicode NFC.
    ///
    /// Foundation's normalisation is slow next to a scan, so a conservative quick check runs
    /// first: text whose every scalar is below U+0300 (ASCII, Latin-1, Latin Extended, IPA),
    /// general punctuation U+2002–U+206F (`’`, `—`, `…`, zero-width joiner), a variation
    /// selector, or an emoji of U+1F000–U+1FAFF is NFC already. None of those has a canonical
    /// decomposition or combines with what precedes it.
    var nfc: String {
        isKnownNFC ? self : precomposedStringWithCanonicalMapping
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
