/// Checks on UTF-8 bytes that give exactly what the same check on a `String` gives: pure ASCII is
/// checked on its bytes, anything that could hold a `\r\n`, a combining mark or canonically
/// equivalent spellings as a `String`.
enum TextComparisons {
    /// Whether an attribute value and a rendered label are the same text: equal bytes, or, where
    /// either is not ASCII, canonically equivalent strings (as `String`'s `==` sees them).
    static func isSameText(_ value: String, _ label: ArraySlice<UInt8>) -> Bool {
        if value.utf8.elementsEqual(label) { return true }
        guard !(value.utf8.allSatisfy { $0 < 0x80 } && label.allSatisfy { $0 < 0x80 }) else { return false }
        return value == String(decoding: label, as: UTF8.self)
    }

    /// Whether `content` holds a line break as a character of its own, as `String.contains("\n")`
    /// sees it: a `\n` inside a `\r\n`, or followed by a combining mark, is part of a larger
    /// character. ASCII without `\r` has no such clusters and is checked on its bytes.
    static func containsLineBreak(_ content: [UInt8]) -> Bool {
        guard content.contains(UInt8(ascii: "\n")) else { return false }
        if content.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\r") }) { return true }
        return String(decoding: content, as: UTF8.self).contains("\n")
    }
}
