import Foundation

/// Cleans message text so that analysts need no further cleaning.
///
/// In order: HTML character references are decoded exactly once (`&amp;lt;` becomes
/// `&lt;`), the text is put in Unicode NFC, non-breaking spaces (U+00A0, U+202F) become
/// spaces, `\r\n` and `\r` become `\n`, and spaces and tabs at the end of every line are
/// removed, as are blank lines at the end of the text. Leading whitespace (indentation)
/// is kept.
///
/// Apart from the decoding, every rule is idempotent: cleaning a cleaned text changes it
/// only if it still contains a character reference, which is how `&amp;lt;` must end up
/// as `&lt;` after one clean. Text that is ASCII with nothing to change is returned
/// without copying.
public enum TextCleaner {
    /// Returns the cleaned form of `text`.
    ///
    /// With `decodeEntities` false, character references are left as they are (for text a
    /// parser has already decoded, such as an HTML page's).
    public static func clean(_ text: String, decodeEntities: Bool = true) -> String {
        var text = text
        let cleaned: [UInt8]? = text.withUTF8 { bytes in
            if decodeEntities, bytes.containsByte(UInt8(ascii: "&")) {
                let decoded = HTMLEntities.decode(bytes)
                return decoded.withUnsafeBufferPointer { needsSpacingChanges($0) ? normaliseSpacing($0) : nil } ?? decoded
            }
            return needsSpacingChanges(bytes) ? normaliseSpacing(bytes) : nil
        }
        return (cleaned.map { String(decoding: $0, as: UTF8.self) } ?? text).nfc
    }

    /// Whether a spacing rule applies to UTF-8 `bytes`: a quick scan that allocates nothing.
    ///
    /// Inside the text every rule starts at one of four bytes: `\r`, a `\n` after a space or
    /// tab, 0xC2 (U+00A0 is C2 A0) or 0xE2 (U+202F is E2 80 AF). Those are looked for a word at a
    /// time; only a word that holds one is looked at byte by byte.
    static func needsSpacingChanges(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let last = bytes.last else { return false }
        if last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") || last == UInt8(ascii: "\n") { return true }
        var index = bytes.firstIndex(of: SpacingRuleStart.self, from: 0)
        while index < bytes.count {
            if spacingRuleStarts(in: bytes, at: index) { return true }
            index = bytes.firstIndex(of: SpacingRuleStart.self, from: index + 1)
        }
        return false
    }

    /// Whether a spacing rule applies at `index` of UTF-8 `bytes` (a `\n` looks back for the
    /// space or tab before it).
    @inline(__always)
    private static func spacingRuleStarts(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        switch bytes[index] {
        case UInt8(ascii: "\r"):
            return true
        case UInt8(ascii: "\n"):
            return index > 0 && (bytes[index - 1] == UInt8(ascii: " ") || bytes[index - 1] == UInt8(ascii: "\t"))
        case 0xC2:
            return index + 1 < bytes.count && bytes[index + 1] == 0xA0
        case 0xE2:
            return index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xAF
        default:
            return false
        }
    }

    /// Applies the spacing rules to UTF-8 `bytes`; returns nil when nothing changes.
    static func normaliseSpacing(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var spaceRunStart: Int? = nil  // where the spaces and tabs before the next byte start
        var contentEnd = 0  // the output's length after its last byte that is not whitespace
        var changed = false

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                spaceRunStart = spaceRunStart ?? output.count
                output.append(byte)
                index += 1
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0xA0:
                spaceRunStart = spaceRunStart ?? output.count
                output.append(UInt8(ascii: " "))
                index += 2
                changed = true
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xAF:
                spaceRunStart = spaceRunStart ?? output.count
                output.append(UInt8(ascii: " "))
                index += 3
                changed = true
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                if let start = spaceRunStart {
                    output.removeSubrange(start...)
                    spaceRunStart = nil
                    changed = true
                }
                output.append(UInt8(ascii: "\n"))
                if byte == UInt8(ascii: "\r") {
                    changed = true
                    let crlf = index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\n")
                    index += crlf ? 2 : 1
                } else {
                    index += 1
                }
            default:
                output.append(byte)
                spaceRunStart = nil
                contentEnd = output.count
                index += 1
            }
        }
        if output.count != contentEnd {
            output.removeSubrange(contentEnd...)
            changed = true
        }
        return changed ? output : nil
    }
}

/// The bytes a spacing rule can start at inside a text: `\r`, `\n` (after a space or tab), and
/// the lead bytes of U+00A0 (C2 A0) and U+202F (E2 80 AF).
private enum SpacingRuleStart: ByteSet {
    static func contains(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") || byte == 0xC2 || byte == 0xE2
    }

    static func containsAny(_ word: ByteWord.Word) -> Bool {
        ByteWord.contains(UInt8(ascii: "\r"), in: word) || ByteWord.contains(UInt8(ascii: "\n"), in: word)
            || (!ByteWord.isASCII(word) && (ByteWord.contains(0xC2, in: word) || ByteWord.contains(0xE2, in: word)))
    }
}
