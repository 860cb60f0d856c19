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
    /// The tag name's first bytes, lowercased, to recognise `script` and `style`.
    private var name: [UInt8] = []
    /// The end tag that closes the raw text being skipped (`</script` or `</style`).
    private var rawTextEnd: [UInt8] = []
    /// `<!` seen: `--` next makes a comment.
    private var declarationDashes = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Scans the next chunk of the page; returns the first tag over the limit, if any, after which
    /// the guard must not be used again.
    mutating func scan(_ chunk: UnsafeRawBufferPointer) -> Violation? {
        var tagOffset = 0
        for index in 0..<chunk.count {
            let byte = chunk[index]
            switch state {
            case .text:
                if byte == UInt8(ascii: "<") {
                    state = .tagOpen
                    tagStart = (line, column)
                    tagOffset = index
                }
            case .tagOpen:
                if byte.isASCIILetter {
                    state = .tagName
                    attributes = 0
                    name = [byte | 0x20]
                } else if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "?") {
                    state = .skipToGreaterThan
                } else if byte == UInt8(ascii: "!") {
                    state = .markupDeclaration
                    declarationDashes = 0
                } else {
                    state = byte == UInt8(ascii: "<") ? .tagOpen : .text
                    if byte == UInt8(ascii: "<") {
                        tagStart = (line, column)
                        tagOffset = index
                    }
                }
            case .tagName:
                if byte.isHTMLWhitespace {
                    state = .beforeAttribute
                } else if byte == UInt8(ascii: ">") {
                    endTag()
                } else if byte == UInt8(ascii: "/") {
                    state = .beforeAttribute
                } else if name.count < 8 {
                    name.append(byte | 0x20)
                }
            case .beforeAttribute:
                if byte == UInt8(ascii: ">") {
                    endTag()
                } else if !byte.isHTMLWhitespace && byte != UInt8(ascii: "/") {
                    if let violation = newAttribute(tagOffset: tagOffset) { return violation }
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
                    if let violation = newAttribute(tagOffset: tagOffset) { return violation }
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
                if byte == quote { state = .beforeAttribute }
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
                if byte == UInt8(ascii: ">") { state = .text }
            case .rawText(let match):
                let expected = rawTextEnd[match]
                let lowered = byte.isASCIILetter ? byte | 0x20 : byte
                if lowered == expected {
                    state = match + 1 == rawTextEnd.count ? .skipToGreaterThan : .rawText(match: match + 1)
                } else {
                    state = .rawText(match: lowered == UInt8(ascii: "<") ? 1 : 0)
                }
            }
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return nil
    }

    /// Counts an attribute of the current tag; the violation when it is one too many.
    private mutating func newAttribute(tagOffset: Int) -> Violation? {
        attributes += 1
        guard attributes > limit else { return nil }
        return Violation(offsetInChunk: tagOffset, line: tagStart.line, column: tagStart.column)
    }

    /// A start tag ends: the text of `script` and `style` holds no tags.
    private mutating func endTag() {
        if name == Array("script".utf8) || name == Array("style".utf8) {
            rawTextEnd = Array("</".utf8) + name
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
