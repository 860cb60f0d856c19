/// The parser's zero-copy side: a page's content as libxml2 reports it, read in place.
///
/// ``HTMLEvent`` turns every name, attribute and text run into a `String`; a reader that only
/// compares most of them reads the bytes libxml2 hands over instead, through an
/// ``HTMLContentHandler``. What a handler receives points into libxml2's memory and is valid only
/// during the call that receives it.

/// Receives a page's content in document order, as ``HTMLEvent``s would describe it.
///
/// An error thrown by any method stops the parse and is rethrown by ``HTMLStreamParser``.
public protocol HTMLContentHandler {
    /// An element starts; `tag` is valid only during the call.
    mutating func startElement(_ tag: HTMLStartTag) throws
    /// An element ends (see ``HTMLEvent/endElement(name:)``).
    mutating func endElement(_ name: HTMLName) throws
    /// An element ends, libxml2's input at byte `offset` of the page: just past its end tag when it
    /// has one; nil in a page read from another charset than UTF-8. By default, ``endElement(_:)``.
    mutating func endElement(_ name: HTMLName, at offset: Int?) throws
    /// Character data, UTF-8 with entities decoded once; `text` is valid only during the call and
    /// is never empty.
    mutating func characters(_ text: UnsafeBufferPointer<UInt8>) throws
    /// The parse stops before the end of the page (see ``HTMLEvent/stopped(_:)``).
    mutating func stopped(_ diagnostic: HTMLDiagnostic) throws
    /// The page's data has ended (see ``HTMLEvent/endOfData``).
    mutating func endOfData() throws
}

extension HTMLContentHandler {
    public mutating func endElement(_ name: HTMLName, at offset: Int?) throws {
        try endElement(name)
    }
}

/// The HTML element names recognised without building a `String`.
///
/// libxml2 lowercases HTML tag names, so each case's raw value is the name exactly as reported.
public enum HTMLTag: String, CaseIterable, Sendable {
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
        if name.count <= 8 {
            guard let tag = Self.shortNames.tag(packed: Self.packed(name)) else { return nil }
            self = tag
        } else {
            guard let tag = Self.longNames.first(where: { name.elementsEqual($0.rawValue.utf8) }) else { return nil }
            self = tag
        }
    }

    /// The tags of up to eight bytes, by their ``packed(_:)`` names.
    private static let shortNames = PackedNameTable(allCases.filter { $0.rawValue.utf8.count <= 8 })

    /// The few tags longer than eight bytes.
    private static let longNames = allCases.filter { $0.rawValue.utf8.count > 8 }

    /// Up to eight bytes of a name packed into one word. Names are not empty and hold no NUL, so
    /// different names pack differently and none packs to zero.
    fileprivate static func packed(_ name: some Collection<UInt8>) -> UInt64 {
        var word: UInt64 = 0
        for (index, byte) in name.prefix(8).enumerated() { word |= UInt64(byte) << (8 * index) }
        return word
    }
}

/// The short tags by packed name: a small open-addressing hash table, a quarter full at most, so a
/// lookup is a multiplication and a probe or two (a `Dictionary` would hash each name with SipHash,
/// once per element start and end).
private struct PackedNameTable {
    /// log2 of the slot count: the smallest that leaves the table at most a quarter full.
    private let slotBits: Int
    /// The packed name in each slot; zero for an empty slot (no name packs to zero).
    private var names: [UInt64]
    private var tags: [HTMLTag?]

    init(_ tags: [HTMLTag]) {
        var bits = 1
        while 1 << bits < tags.count * 4 { bits += 1 }
        slotBits = bits
        names = Array(repeating: 0, count: 1 << bits)
        self.tags = Array(repeating: nil, count: 1 << bits)
        for tag in tags {
            let packed = HTMLTag.packed(tag.rawValue.utf8)
            var slot = slot(of: packed)
            while names[slot] != 0 { slot = (slot + 1) & ((1 << slotBits) - 1) }
            names[slot] = packed
            self.tags[slot] = tag
        }
    }

    /// The tag whose name packs to `packed`, if any.
    func tag(packed: UInt64) -> HTMLTag? {
        var slot = slot(of: packed)
        while names[slot] != 0 {
            if names[slot] == packed { return tags[slot] }
            slot = (slot + 1) & ((1 << slotBits) - 1)
        }
        return nil
    }

    /// Fibonacci hashing: the top bits of the name times 2⁶⁴ divided by the golden ratio.
    private func slot(of packed: UInt64) -> Int {
        Int(truncatingIfNeeded: (packed &* 0x9E37_79B9_7F4A_7C15) >> (64 - UInt64(slotBits)))
    }
}

/// An element name: one of the ``HTMLTag``s, recognised without building a `String`, or any other
/// name as text.
public enum HTMLName: Equatable, Sendable {
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
    public var text: String {
        switch self {
        case .known(let tag): tag.rawValue
        case .other(let name): name
        }
    }

    /// Whether this is `tag`.
    public static func == (name: HTMLName, tag: HTMLTag) -> Bool {
        if case .known(tag) = name { true } else { false }
    }
}

/// A start tag read in place from libxml2: its name, line, and attributes looked up on demand.
///
/// Valid only during the ``HTMLContentHandler/startElement(_:)`` call that receives it: it points
/// into libxml2's memory. ``element`` copies it out as Swift values.
public struct HTMLStartTag {
    /// The lowercase tag name.
    public let name: HTMLName
    /// The 1-based line of the page where libxml2 finished reading the start tag.
    public let line: Int
    /// libxml2's attribute list: name, value (nil for a bare attribute), name, value, …, nil.
    private let attributes: UnsafePointer<UnsafePointer<UInt8>?>?
    /// The `class` attribute's value, looked up once: the readers ask about classes most.
    private let classes: UnsafeBufferPointer<UInt8>?
    /// Finds the tag in libxml2's input, when a reader asks where it begins.
    private let locator: StartTagLocator?

    init(
        name: HTMLName, line: Int, attributes: UnsafePointer<UnsafePointer<UInt8>?>?, locator: StartTagLocator? = nil
    ) {
        self.name = name
        self.line = line
        self.attributes = attributes
        self.classes = Self.attribute("class", in: attributes)
        self.locator = locator
    }

    /// Where the tag begins (its `<`): the 1-based line and column, in Unicode scalars. Looked up in
    /// libxml2's input, so asked only for the tags that need it (a message's container). Without a
    /// column (see ``StartTagLocator/position()``), the line is ``line``.
    public func startPosition() -> (line: Int, column: Int?) {
        locator?.position() ?? (line, nil)
    }

    /// The byte offset of the tag's `<` in the page, when libxml2 still holds the tag (see
    /// ``startPosition()``) and reads the page as it is: nil in a page read from another charset
    /// than UTF-8, whose UTF-8 libxml2 holds.
    public func startOffset() -> Int? {
        locator?.offset()
    }

    /// The start tag's bytes exactly as in the page, from its `<` to its `>`, when libxml2 still
    /// holds them (a tag longer than the look-back does not have them). Looked up in libxml2's input
    /// like ``startPosition()``, for the tags that need it: an element libxml2 made out of text that
    /// is not markup, whose attributes say little of what the page had.
    public func sourceText() -> String? {
        locator?.rawText()
    }

    /// Calls `body` with each attribute's lowercase name and its value (empty for a bare
    /// attribute), in source order; both are valid only during the call.
    public func forEachAttribute(_ body: (_ name: UnsafeBufferPointer<UInt8>, _ value: UnsafeBufferPointer<UInt8>) -> Void) {
        guard var cursor = attributes else { return }
        while let name = cursor.pointee {
            body(UnsafeBufferPointer(nulTerminated: name), cursor[1].map(UnsafeBufferPointer.init(nulTerminated:)) ?? UnsafeBufferPointer(start: nil, count: 0))
            cursor += 2
        }
    }

    /// The value of the first attribute called `name` (empty for a bare attribute), if any; valid
    /// only as long as the tag.
    public func attributeBytes(_ name: StaticString) -> UnsafeBufferPointer<UInt8>? {
        Self.attribute(name, in: attributes)
    }

    private static func attribute(
        _ name: StaticString, in attributes: UnsafePointer<UnsafePointer<UInt8>?>?
    ) -> UnsafeBufferPointer<UInt8>? {
        guard var cursor = attributes else { return nil }
        let wanted = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        while let attribute = cursor.pointee {
            if UnsafeBufferPointer(nulTerminated: attribute).elementsEqual(wanted) {
                return cursor[1].map(UnsafeBufferPointer.init(nulTerminated:)) ?? UnsafeBufferPointer(start: nil, count: 0)
            }
            cursor += 2
        }
        return nil
    }

    /// The value of the first attribute called `name`, if any.
    public func attribute(_ name: StaticString) -> String? {
        attributeBytes(name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Whether the element is a `tag` element whose `class` attribute lists `className`.
    public func `is`(_ tag: HTMLTag, class className: StaticString) -> Bool {
        guard name == tag, let classes else { return false }
        return HTMLClassList.contains(
            classes, UnsafeBufferPointer(start: className.utf8Start, count: className.utf8CodeUnitCount))
    }

    /// The second class of the `class` attribute: the first of ``HTMLElement/extraClasses``, split at
    /// whitespace characters. Pure ASCII without `\r` has no `\r\n` and no combining mark, so its
    /// bytes are split directly.
    public var secondClass: String? {
        guard let classes else { return nil }
        guard classes.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\r") }) else {
            return HTMLClassList.extraClasses(String(decoding: classes, as: UTF8.self)).first.map(String.init)
        }
        let tokens = classes.split(whereSeparator: \.isHTMLWhitespace)
        return tokens.count > 1 ? String(decoding: tokens[1], as: UTF8.self) : nil
    }

    /// The tag copied out as Swift values.
    public var element: HTMLElement {
        var list: [HTMLElement.Attribute] = []
        forEachAttribute { name, value in
            list.append(.init(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
        }
        return HTMLElement(name: name.text, attributes: list, line: line)
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
