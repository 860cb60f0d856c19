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
        var spaceRunStart: Int? = nil  // where the spaces and tabs before the next byte start
        var contentEnd = 0  // the output's length after its last byte that is not whitespace
        var changed = false
        var ascii = true

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
                if byte >= 0x80 { ascii = false }
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
