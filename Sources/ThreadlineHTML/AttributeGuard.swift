#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Counts the attributes of each start tag in the bytes about to be fed to libxml2, so that a tag
/// with too many never reaches it.
///
/// libxml2 checks every attribute of a tag against the ones before it, so a tag's cost grows with the
/// square of its attributes: one tag of 200,000 attributes took 40 s. Scanning ahead of the parser
/// in one pass (a few comparisons a byte, whatever the markup) keeps the work per tag bounded: a tag
/// over ``HTMLStreamParser/maximumAttributes`` stops the parse before its first byte is fed.
///
/// The scan follows HTML's tokenizer as far as attributes need: a tag starts with `<` and a letter;
/// quoted values may hold anything; comments, `<!…>`, `<?…>`, end tags, and the text of `script` and
/// `style` hold no tags.
struct AttributeGuard {
    /// A tag over the limit: where it starts in the page.
    struct Violation: Equatable {
        /// Offset of its `<` in the chunk being scanned; 0 when it started in an earlier chunk.
        var offsetInChunk: Int
        var line: Int
        var column: Int
    }

    private enum State {
        case text
        case tagOpen
        case tagName
        case beforeAttribute
        case attributeName
        case afterAttributeName
        case beforeValue
        case quoted(UInt8)
        case unquoted
        case markupDeclaration
        case comment(dashes: Int)
        case skipToGreaterThan
        case rawText(match: Int)
    }

    let limit: Int
    private var state = State.text
    private var line = 1
    private var column = 1
    private var attributes = 0
    private var tagStart = (line: 1, column: 1)
    /// The tag name's first eight bytes, lowercased, to recognise `script` and `style`: packed
    /// first byte lowest, so that a tag costs no allocation.
    private var name: UInt64 = 0
    private var nameLength = 0
    /// The end tag that closes the raw text being skipped (`</script` or `</style`), packed as `name`.
    private var rawTextEnd: UInt64 = 0
    private var rawTextEndLength = 0
    /// `<!` seen: `--` next makes a comment.
    private var declarationDashes = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Scans the next chunk of the page; returns the first tag over the limit, if any, after which
    /// the guard must not be used again.
    ///
    /// Text, quoted values and what is skipped to a `>` are crossed with `memchr`, and lines and
    /// columns are counted once per chunk, not byte by byte: a tag's place is worked out only for a
    /// tag over the limit, or for a tag still open when the chunk ends.
    mutating func scan(_ chunk: UnsafeRawBufferPointer) -> Violation? {
        guard let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self), !chunk.isEmpty else { return nil }
        let bytes = UnsafeBufferPointer(start: base, count: chunk.count)
        /// The next `byte` at or after `from`, or nil.
        func next(_ byte: UInt8, from: Int) -> Int? {
            guard let found = memchr(base + from, Int32(byte), bytes.count - from) else { return nil }
            return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        /// Where the current tag's `<` is in this chunk; nil when it is in an earlier chunk, whose
        /// place `tagStart` holds.
        var tagOffset: Int?
        /// A new attribute of the current tag: the violation when it is one too many.
        func newAttribute() -> Violation? {
            attributes += 1
            guard attributes > limit else { return nil }
            guard let offset = tagOffset else {
                return Violation(offsetInChunk: 0, line: tagStart.line, column: tagStart.column)
            }
            let place = Self.advanced((line, column), over: UnsafeBufferPointer(rebasing: bytes[..<offset]))
            return Violation(offsetInChunk: offset, line: place.line, column: place.column)
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch state {
            case .text:
                guard let open = next(UInt8(ascii: "<"), from: index) else {
                    index = bytes.count
                    continue
                }
                index = open
                state = .tagOpen
                tagOffset = open
            case .tagOpen:
                if byte.isASCIILetter {
                    state = .tagName
                    attributes = 0
                    name = UInt64(byte | 0x20)
                    nameLength = 1
                } else if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") {
                    state = .skipToGreaterThan
                } else if byte == UInt8(ascii: "!") {
                    state = .markupDeclaration
                    declarationDashes = 0
                } else {
                    state = byte == UInt8(ascii: "<") ? .tagOpen : .text
                    if byte == UInt8(ascii: "<") { tagOffset = index }
                }
            case .tagName:
                if byte.isHTMLWhitespace {
                    state = .beforeAttribute
                } else if byte == UInt8(ascii: ">") {
                    endTag()
                } else if byte == UInt8(ascii: "/") {
                    state = .beforeAttribute
                } else if nameLength < 8 {
                    name |= UInt64(byte | 0x20) << (8 * nameLength)
                    nameLength += 1
                }
            case .beforeAttribute:
                if byte == UInt8(ascii: ">") {
                    endTag()
                } else if !byte.isHTMLWhitespace && byte != UInt8(ascii: "/") {
                    if let violation = newAttribute() { return violation }
                    state = .attributeName
                }
            case .attributeName:
                if byte.isHTMLWhitespace {
                    state = .afterAttributeName
                } else if byte == UInt8(ascii: "=") {
                    state = .beforeValue
                } else if byte == UInt8(ascii: ">") {
                    endTag()
                } else if byte == UInt8(ascii: "/") {
                    state = .beforeAttribute
                }
            case .afterAttributeName:
                if byte == UInt8(ascii: "=") {
                    state = .beforeValue
                } else if byte == UInt8(ascii: ">") {
                    endTag()
                } else if byte == UInt8(ascii: "/") {
                    state = .beforeAttribute
                } else if !byte.isHTMLWhitespace {
                    if let violation = newAttribute() { return violation }
                    state = .attributeName
                }
            case .beforeValue:
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    state = .quoted(byte)
                } else if byte == UInt8(ascii: ">") {
                    endTag()
                } else if !byte.isHTMLWhitespace {
                    state = .unquoted
                }
            case .quoted(let quote):
                guard let close = next(quote, from: index) else {
                    index = bytes.count
                    continue
                }
                index = close
                state = .beforeAttribute
            case .unquoted:
                if byte.isHTMLWhitespace {
                    state = .beforeAttribute
                } else if byte == UInt8(ascii: ">") {
                    endTag()
                }
            case .markupDeclaration:
                if byte == UInt8(ascii: "-") {
                    declarationDashes += 1
                    if declarationDashes == 2 { state = .comment(dashes: 0) }
                } else {
                    state = byte == UInt8(ascii: ">") ? .text : .skipToGreaterThan
                }
            case .comment(let dashes):
                if byte == UInt8(ascii: ">") && dashes >= 2 {
                    state = .text
                } else {
                    state = .comment(dashes: byte == UInt8(ascii: "-") ? dashes + 1 : 0)
                }
            case .skipToGreaterThan:
                guard let close = next(UInt8(ascii: ">"), from: index) else {
                    index = bytes.count
                    continue
                }
                index = close
                state = .text
            case .rawText(let match):
                let expected = UInt8(truncatingIfNeeded: rawTextEnd >> (8 * match))
                let lowered = byte.isASCIILetter ? byte | 0x20 : byte
                if lowered == expected {
                    state = match + 1 == rawTextEndLength ? .skipToGreaterThan : .rawText(match: match + 1)
                } else {
                    state = .rawText(match: lowered == UInt8(ascii: "<") ? 1 : 0)
                }
            }
            index += 1
        }
        // A tag that starts in this chunk and goes on into the next keeps its place.
        if let offset = tagOffset {
            tagStart = Self.advanced((line, column), over: UnsafeBufferPointer(rebasing: bytes[..<offset]))
            (line, column) = Self.advanced(tagStart, over: UnsafeBufferPointer(rebasing: bytes[offset...]))
        } else {
            (line, column) = Self.advanced((line, column), over: bytes)
        }
        return nil
    }

    /// The line and column after `bytes`, from `place` before them: a `\n` starts a line, and every
    /// byte but UTF-8 continuation bytes is a column. The line breaks are counted eight bytes at a
    /// time; columns only on the last line.
    static func advanced(_ place: (line: Int, column: Int), over bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var breaks = 0
        var index = 0
        if let base = bytes.baseAddress {
            // Eight bytes at a time: a byte of `word ^ newlines` is zero exactly at a `\n`, and its
            // high bit stays clear after adding 0x7F to its low seven bits and or-ing it back in.
            // The hits are summed in the word's eight byte lanes (at most 31 each, so the lanes'
            // total fits the top byte of their product with 0x0101…01).
            let newlines: UInt64 = 0x0A0A_0A0A_0A0A_0A0A, low: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
            let ones: UInt64 = 0x0101_0101_0101_0101
            var lanes: UInt64 = 0
            var words = 0
            while index + 8 <= bytes.count {
                let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self) ^ newlines
                lanes &+= (~(((word & low) &+ low) | word) & ~low) >> 7
                index += 8
                words += 1
                if words == 31 {
                    breaks &+= Int(truncatingIfNeeded: (lanes &* ones) >> 56)
                    lanes = 0
                    words = 0
                }
            }
            breaks &+= Int(truncatingIfNeeded: (lanes &* ones) >> 56)
        }
        while index < bytes.count {
            breaks &+= bytes[index] == UInt8(ascii: "\n") ? 1 : 0
            index += 1
        }
        var lineStart = bytes.count
        while lineStart > 0, bytes[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
        var columns = 0
        for index in lineStart..<bytes.count where bytes[index] & 0xC0 != 0x80 { columns += 1 }
        return breaks == 0 ? (place.line, place.column + columns) : (place.line + breaks, 1 + columns)
    }

    private static let script = packed("script")
    private static let style = packed("style")

    /// Up to eight ASCII bytes packed as ``name`` packs a tag name.
    private static func packed(_ text: StaticString) -> UInt64 {
        var value: UInt64 = 0
        for index in 0..<min(text.utf8CodeUnitCount, 8) { value |= UInt64(text.utf8Start[index]) << (8 * index) }
        return value
    }

    /// A start tag ends: the text of `script` and `style` holds no tags.
    private mutating func endTag() {
        if (nameLength == 6 && name == Self.script) || (nameLength == 5 && name == Self.style) {
            rawTextEnd = UInt64(UInt8(ascii: "<")) | UInt64(UInt8(ascii: "/")) << 8 | name << 16
            rawTextEndLength = nameLength + 2
            state = .rawText(match: 0)
        } else {
            state = .text
        }
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(self | 0x20)
    }
}
