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
    public static func clean(_ text: String) -> String {
        var text = text
        let cleaned: (bytes: [UInt8], isASCII: Bool)? = text.withUTF8 { bytes in
            let decoded: [UInt8]? = bytes.contains(UInt8(ascii: "&")) ? HTMLEntities.decode(bytes) : nil
            if let decoded {
                return decoded.withUnsafeBufferPointer { normaliseSpacing($0) } ?? (decoded, isASCII(decoded))
            }
            return normaliseSpacing(bytes)
        }
        guard let cleaned else { return text.isASCIIFast ? text : text.precomposedStringWithCanonicalMapping }
        let string = String(decoding: cleaned.bytes, as: UTF8.self)
        return cleaned.isASCII ? string : string.precomposedStringWithCanonicalMapping
    }

    /// Applies the spacing rules to UTF-8 `bytes`; returns nil when nothing changes.
    ///
    /// Also reports whether the text is all ASCII, in which case it is already NFC.
    static func normaliseSpacing(_ bytes: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], isASCII: Bool)? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var pendingSpaces = 0  // spaces and tabs not yet written: dropped if a line end follows
        var pendingStart = 0
        var pendingNewlines = 0  // line ends not yet written: dropped at the end of the text
        var changed = false
        var ascii = true

        func flush(_ output: inout [UInt8]) {
            if pendingNewlines > 0 {
                output.append(contentsOf: repeatElement(UInt8(ascii: "\n"), count: pendingNewlines))
                pendingNewlines = 0
            }
        }

        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            var space: UInt8? = nil
            var isNewline = false
            var width = 1
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                space = byte
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0xA0:
                space = UInt8(ascii: " ")
                width = 2
                changed = true
            case 0xE2 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0xAF:
                space = UInt8(ascii: " ")
                width = 3
                changed = true
            case UInt8(ascii: "\r"):
                isNewline = true
                changed = true
                if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { width = 2 }
            case UInt8(ascii: "\n"):
                isNewline = true
            default:
                break
            }
            if let space {
                flush(&output)
                if pendingSpaces == 0 { pendingStart = output.count }
                output.append(space)
                pendingSpaces += 1
            } else if isNewline {
                if pendingSpaces > 0 {
                    output.removeSubrange(pendingStart...)
                    pendingSpaces = 0
                    changed = true
                }
                pendingNewlines += 1
            } else {
                flush(&output)
                pendingSpaces = 0
                if byte >= 0x80 { ascii = false }
                output.append(byte)
            }
            index += width
        }
        if pendingSpaces > 0 {
            output.removeSubrange(pendingStart...)
            changed = true
        }
        if pendingNewlines > 0 { changed = true }
        return changed ? (output, ascii) : nil
    }

    /// Whether every byte of `bytes` is ASCII.
    static func isASCII(_ bytes: [UInt8]) -> Bool {
        !bytes.contains { $0 >= 0x80 }
    }
}

extension String {
    /// Whether the string is all ASCII, checked on its UTF-8 bytes.
    var isASCIIFast: Bool {
        utf8.allSatisfy { $0 < 0x80 }
    }
}
