/// HTML's ASCII whitespace (space, tab, LF, FF, CR), which separates class names and which a browser
/// collapses in text: as bytes, as characters, and trimmed off both ends.

extension UInt8 {
    /// Whether this byte is one of HTML's ASCII whitespace characters (space, tab, LF, FF, CR).
    @inlinable
    public var isHTMLWhitespace: Bool {
        self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D || self == 0x0C
    }
}

extension Character {
    /// Whether this is one of HTML's ASCII whitespace characters (space, tab, LF, FF, CR).
    public var isHTMLWhitespace: Bool {
        self == " " || self == "\t" || self == "\n" || self == "\r" || self == "\u{0C}"
    }
}

extension BidirectionalCollection<UInt8> {
    /// The bytes without leading and trailing HTML whitespace. Inlinable, so a caller's collection
    /// type is walked directly rather than through the generic protocol, byte by byte.
    @inlinable
    public func trimmingHTMLWhitespace() -> SubSequence {
        guard let first = firstIndex(where: { !$0.isHTMLWhitespace }),
            let last = lastIndex(where: { !$0.isHTMLWhitespace })
        else { return self[endIndex...] }
        return self[first...last]
    }
}

extension Substring {
    /// The text without leading and trailing HTML whitespace.
    public func trimmingHTMLWhitespace() -> String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { !$0.isHTMLWhitespace }),
            let last = bytes.lastIndex(where: { !$0.isHTMLWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}

extension String {
    /// The text without leading and trailing HTML whitespace.
    public func trimmingHTMLWhitespace() -> String {
        self[...].trimmingHTMLWhitespace()
    }
}
