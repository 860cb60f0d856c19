/// The parser's zero-copy side: a page's content as libxml2 reports it, read in place.
///
/// ``HTMLEvent`` turns every name, attribute and text run into a `String`; the Slack readers only
/// compare most of them, so they read the bytes libxml2 hands over instead, through an
/// ``HTMLContentHandler``. What a handler receives points into libxml2's memory and is valid only
/// during the call that receives it.

/// Receives a page's content in document order, as ``HTMLEvent``s would describe it.
///
/// An error thrown by any method stops the parse and is rethrown by ``HTMLStreamParser``.
protocol HTMLContentHandler {
    /// An element starts; `tag` is valid only during the call.
    mutating func startElement(_ tag: HTMLStartTag) throws
    /// An element ends (see ``HTMLEvent/endElement(name:)``).
    mutating func endElement(_ name: HTMLName) throws
    /// Character data, UTF-8 with entities decoded once; `text` is valid only during the call and
    /// is never empty.
    mutating func characters(_ text: UnsafeBufferPointer<UInt8>) throws
    /// The parse stops before the end of the page (see ``HTMLEvent/stopped(_:)``).
    mutating func stopped(_ diagnostic: HTMLDiagnostic) throws
    /// The page's data has ended (see ``HTMLEvent/endOfData``).
    mutating func endOfData() throws
}

/// The element names the Slack readers and the text renderer tell apart.
///
/// libxml2 lowercases HTML tag names, so each case's raw value is the name exactly as reported.
enum HTMLTag: String, CaseIterable, Sendable {
    // Document structure.
    case html, head, title, meta, link, base, style, script, template, body
    // Sections and blocks.
    case div, span, p, section, article, header, footer, address, h1, h2, h3, h4, h5, h6, hr
    case blockquote, pre, figure, figcaption
    // Lists and tables.
    case ul, ol, li, dl, dt, dd, table, thead, tbody, tfoot, tr, th, td
    // Inline text.
    case a, b, i, u, s, em, strong, code, small, sub, sup, del, ins, mark, kbd, br, wbr
    // Embedded content and forms.
    case img, area, col, embed, source, track, input

    /// Recognises a lowercase element name from its bytes; nil for any other name.
    init?(_ name: UnsafeBufferPointer<UInt8>) {
        guard let key = Self.key(name), let tag = Self.byKey[key], name.elementsEqual(tag.rawValue.utf8) else {
            return nil
        }
        self = tag
    }

    /// The tags by ``key(_:)``. Keys are unique: no two names share a length and first seven bytes.
    private static let byKey: [UInt64: HTMLTag] = Dictionary(
        uniqueKeysWithValues: allCases.map { tag in (key(tag.rawValue.utf8)!, tag) })

    /// A name's first seven bytes and its length packed into one word, for the lookup; nil for a
    /// name longer than any known tag.
    private static func key(_ name: some Collection<UInt8>) -> UInt64? {
        guard name.count <= 16 else { return nil }
        var key = UInt64(name.count) << 56
        for (index, byte) in name.prefix(7).enumerated() { key |= UInt64(byte) << (8 * index) }
        return key
    }
}

/// An element name: one of the ``HTMLTag``s, recognised without building a `String`, or any other
/// name as text.
enum HTMLName: Equatable, Sendable {
    case known(HTMLTag)
    case other(String)

    /// Recognises a lowercase element name from its bytes.
    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        if let tag = HTMLTag(bytes) {
            self = .known(tag)
        } else {
            self = .other(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The name as text.
    var text: String {
        switch self {
        case .known(let tag): tag.rawValue
        case .other(let name): name
        }
    }

    /// Whether this is `tag`.
    static func == (name: HTMLName, tag: HTMLTag) -> Bool {
        if case .known(tag) = name { true } else { false }
    }
}

/// A start tag read in place from libxml2: its name, line, and attributes looked up on demand.
///
/// Valid only during the ``HTMLContentHandler/startElement(_:)`` call that receives it: it points
/// into libxml2's memory. ``element`` copies it out as Swift values.
struct HTMLStartTag {
    /// The lowercase tag name.
    let name: HTMLName
    /// The 1-based line of the page where libxml2 finished reading the start tag.
    let line: Int
    /// The start tag's bytes exactly as in the page, for tags named like a URL (see
    /// ``HTMLElement/source``).
    let source: String?
    /// libxml2's attribute list: name, value (nil for a bare attribute), name, value, …, nil.
    private let attributes: UnsafePointer<UnsafePointer<UInt8>?>?

    init(name: HTMLName, line: Int, source: String?, attributes: UnsafePointer<UnsafePointer<UInt8>?>?) {
        self.name = name
        self.line = line
        self.source = source
        self.attributes = attributes
    }

    /// Calls `body` with each attribute's lowercase name and its value (empty for a bare
    /// attribute), in source order; both are valid only during the call.
    func forEachAttribute(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        guard var cursor = attributes else { return }
        while let name = cursor.pointee {
            body(Self.bytes(name), cursor[1].map(Self.bytes) ?? UnsafeBufferPointer(start: nil, count: 0))
            cursor += 2
        }
    }

    /// The value of the first attribute called `name` (empty for a bare attribute), if any; valid
    /// only as long as the tag.
    func attributeBytes(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard var cursor = attributes else { return nil }
        let wanted = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        while let attribute = cursor.pointee {
            if Self.bytes(attribute).elementsEqual(wanted) {
                return cursor[1].map(Self.bytes) ?? UnsafeBufferPointer(start: nil, count: 0)
            }
            cursor += 2
        }
        return nil
    }

    /// The value of the first attribute called `name`, if any.
    func attribute(_ name: StaticString) -> String? {
        attributeBytes(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the element is a `tag` element whose `class` attribute lists `className`.
    func `is`(_ tag: HTMLTag, class className: StaticString) -> Bool {
        guard name == tag, let classes = attributeBytes("class") else { return false }
        return HTMLClassList.contains(
            classes, UnsafeBufferPointer(start: className.utf8Start, count: className.utf8CodeUnitCount))
    }

    /// The classes after the first one, in order (see ``HTMLElement/extraClasses``).
    var extraClasses: [Substring] {
        HTMLClassList.extraClasses(attribute("class") ?? "")
    }

    /// The tag copied out as Swift values.
    var element: HTMLElement {
        var list: [HTMLElement.Attribute] = []
        forEachAttribute { name, value in
            list.append(.init(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        return HTMLElement(name: name.text, attributes: list, line: line, source: source)
    }

    private static func bytes(_ string: UnsafePointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var end = string
        while end.pointee != 0 { end += 1 }
        return UnsafeBufferPointer(start: string, count: end - string)
    }
}

/// Reading a `class` attribute's space-separated list of tokens.
enum HTMLClassList {
    /// Whether the list's bytes hold `token` as one whole token, scanned without splitting.
    static func contains(_ classes: some Collection<UInt8>, _ token: some Collection<UInt8>) -> Bool {
        var rest = classes[...]
        while let tokenStart = rest.firstIndex(where: { !$0.isHTMLWhitespace }) {
            let tokenEnd = rest[tokenStart...].firstIndex(where: \.isHTMLWhitespace) ?? rest.endIndex
            if rest[tokenStart..<tokenEnd].elementsEqual(token) { return true }
            rest = rest[tokenEnd...]
        }
        return false
    }

    /// The tokens after the first one, in order, split at whitespace characters.
    static func extraClasses(_ classes: String) -> [Substring] {
        Array(classes.split(whereSeparator: \.isHTMLWhitespace).dropFirst())
    }
}
