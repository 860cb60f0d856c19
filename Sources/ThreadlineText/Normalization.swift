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
    var isKnownNFC: Bool {
        if isASCII { return true }
        return unicodeScalars.allSatisfy { scalar in
            switch scalar.value {
            case 0..<0x300, 0x2002...0x206F, 0xFE0E...0xFE0F, 0x1F000...0x1FAFF: return true
            default: return false
            }
        }
    }
}

extension String {
    /// Whether every byte of the string is ASCII, checked eight bytes at a time.
    var isASCII: Bool {
        var text = self
        return text.withUTF8 { bytes in
            let raw = UnsafeRawBufferPointer(bytes)
            var index = 0
            while index + 8 <= raw.count {
                if raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
                index += 8
            }
            while index < raw.count {
                if raw[index] >= 0x80 { return false }
                index += 1
            }
            return true
        }
    }
}
