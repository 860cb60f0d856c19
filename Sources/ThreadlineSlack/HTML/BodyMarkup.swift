import ThreadlineHTML
internal import ThreadlineText

/// A message body's markup as libxml2 read it, written back out as HTML: tags with their attributes
/// quoted, text with `&`, `<` and `>` escaped once, void elements without an end tag. Capped at a
/// limit: a tag or text run that would go over it is left out whole.
struct BodyMarkup {
    /// The most UTF-8 bytes kept.
    let limit: Int
    /// Whether something was left out for the limit.
    private(set) var overflowed = false
    /// The markup so far, UTF-8.
    private(set) var bytes: [UInt8] = []

    init(limit: Int) {
        self.limit = limit
    }

    /// Appends `<name attribute="value" …>`, whole or not at all.
    mutating func appendStartTag(_ tag: HTMLStartTag) {
        var name = tag.name.text
        name.withUTF8 { name in
            var size = name.count + 2
            tag.forEachAttribute { attribute, value in
                size += attribute.count + 4 + Self.escapedCount(value, quotes: true)
            }
            guard reserve(size) else { return }
            bytes.append(UInt8(ascii: "<"))
            bytes.append(contentsOf: name)
            tag.forEachAttribute { attribute, value in
                bytes.append(UInt8(ascii: " "))
                bytes.append(contentsOf: attribute)
                bytes.append(UInt8(ascii: "="))
                bytes.append(UInt8(ascii: "\""))
                Self.appendEscaped(value, quotes: true, to: &bytes)
                bytes.append(UInt8(ascii: "\""))
            }
            bytes.append(UInt8(ascii: ">"))
        }
    }

    /// Appends `</name>`, whole or not at all; void elements have no end tag.
    mutating func appendEndTag(_ name: HTMLName) {
        if case .known(let tag) = name, Self.isVoid(tag) { return }
        var text = name.text
        text.withUTF8 { text in
            guard reserve(text.count + 3) else { return }
            bytes.append(UInt8(ascii: "<"))
            bytes.append(UInt8(ascii: "/"))
            bytes.append(contentsOf: text)
            bytes.append(UInt8(ascii: ">"))
        }
    }

    /// Appends a text run escaped, whole or not at all.
    mutating func appendText(_ run: UnsafeBufferPointer<UInt8>) {
        let start = bytes.count
        Self.appendEscaped(run, quotes: false, to: &bytes)
        guard bytes.count <= limit else {
            bytes.removeLast(bytes.count - start)
            overflowed = true
            return
        }
    }

    /// Whether `size` more bytes fit under ``limit``; notes the overflow when not.
    private mutating func reserve(_ size: Int) -> Bool {
        guard bytes.count + size <= limit else {
            overflowed = true
            return false
        }
        return true
    }

    private static func isVoid(_ tag: HTMLTag) -> Bool {
        switch tag {
        case .br, .img, .hr, .input, .meta, .link, .wbr, .area, .base, .col, .embed, .source, .track: true
        default: false
        }
    }

    /// Whether `byte` is written as an entity: `&`, `<`, `>`, and `"` in attribute values.
    private static func needsEscaping(_ byte: UInt8, quotes: Bool) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
            || (quotes && byte == UInt8(ascii: "\""))
    }

    /// The entity for a byte that ``needsEscaping(_:quotes:)``.
    private static func entity(for byte: UInt8) -> StaticString {
        switch byte {
        case UInt8(ascii: "&"): "&amp;"
        case UInt8(ascii: "<"): "&lt;"
        case UInt8(ascii: ">"): "&gt;"
        default: "&quot;"
        }
    }

    /// How many bytes `text` takes escaped.
    private static func escapedCount(_ text: UnsafeBufferPointer<UInt8>, quotes: Bool) -> Int {
        var count = text.count
        for byte in text where needsEscaping(byte, quotes: quotes) {
            count += entity(for: byte).utf8CodeUnitCount - 1
        }
        return count
    }

    /// Appends `text` with `&`, `<`, `>` (and `"` when `quotes`) written as entities. The bytes
    /// between them are found a word at a time and copied whole.
    private static func appendEscaped(_ text: UnsafeBufferPointer<UInt8>, quotes: Bool, to markup: inout [UInt8]) {
        if quotes {
            appendEscaped(text, escaping: AttributeSpecial.self, to: &markup)
        } else {
            appendEscaped(text, escaping: TextSpecial.self, to: &markup)
        }
    }

    private static func appendEscaped<Special: ByteSet>(
        _ text: UnsafeBufferPointer<UInt8>, escaping _: Special.Type, to markup: inout [UInt8]
    ) {
        var plainStart = 0
        var special = text.firstIndex(of: Special.self, from: 0)
        while special < text.count {
            markup.append(contentsOf: UnsafeBufferPointer(rebasing: text[plainStart..<special]))
            let entity = entity(for: text[special])
            markup.append(contentsOf: UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
            plainStart = special + 1
            special = text.firstIndex(of: Special.self, from: plainStart)
        }
        markup.append(contentsOf: UnsafeBufferPointer(rebasing: text[plainStart...]))
    }
}

/// The bytes a text run writes as entities: `&`, `<` and `>`.
private enum TextSpecial: ByteSet {
    @inline(__always)
    static func contains(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
    }

    @inline(__always)
    static func containsAny(_ word: ByteWord.Word) -> Bool {
        ByteWord.contains(UInt8(ascii: "&"), in: word) || ByteWord.contains(UInt8(ascii: "<"), in: word)
            || ByteWord.contains(UInt8(ascii: ">"), in: word)
    }
}

/// The bytes an attribute value writes as entities: those of a text run and `"`.
private enum AttributeSpecial: ByteSet {
    @inline(__always)
    static func contains(_ byte: UInt8) -> Bool {
        TextSpecial.contains(byte) || byte == UInt8(ascii: "\"")
    }

    @inline(__always)
    static func containsAny(_ word: ByteWord.Word) -> Bool {
        TextSpecial.containsAny(word) || ByteWord.contains(UInt8(ascii: "\""), in: word)
    }
}
