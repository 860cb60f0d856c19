/// A small reader of the markup the renderer writes, for the tests: the tags in order with their
/// attributes, and the text of the first element of a name inside a fragment.
struct Tag: Equatable {
    var name: String
    var attributes: [String: String]
    var closing: Bool

    /// An attribute holding a number, or a percentage's number.
    func number(_ attribute: String) -> Double? {
        guard var text = attributes[attribute] else { return nil }
        if text.hasSuffix("%") { text.removeLast() }
        return Double(text)
    }
}

enum Scan {
    /// Every tag in `markup`, in order (the style element's content is skipped as text).
    static func tags(_ markup: String) -> [Tag] {
        var tags: [Tag] = []
        var rest = Substring(markup)
        while let open = rest.firstIndex(of: "<") {
            rest = rest[rest.index(after: open)...]
            guard let end = rest.firstIndex(of: ">") else { break }
            var inside = rest[..<end]
            rest = rest[rest.index(after: end)...]
            let closing = inside.hasPrefix("/")
            if closing { inside = inside.dropFirst() }
            if inside.hasSuffix("/") { inside = inside.dropLast() }
            let name = String(inside.prefix { !$0.isWhitespace }).lowercased()
            tags.append(Tag(name: name, attributes: attributes(inside.dropFirst(name.count)), closing: closing))
            if name == "style", !closing, let close = rest.range(of: "</style>") {
                rest = rest[close.lowerBound...]
            }
        }
        return tags
    }

    /// `a="v" b="w"` → [a: v, b: w], with the renderer's five entities decoded.
    static func attributes(_ text: Substring) -> [String: String] {
        var out: [String: String] = [:]
        var rest = text
        while let equals = rest.firstIndex(of: "=") {
            let name = rest[..<equals].trimmingSpaces
            rest = rest[rest.index(after: equals)...]
            guard rest.first == "\"" else { break }
            rest = rest.dropFirst()
            guard let quote = rest.firstIndex(of: "\"") else { break }
            out[String(name)] = decode(String(rest[..<quote]))
            rest = rest[rest.index(after: quote)...]
        }
        return out
    }

    /// The text between `<name…>` and `</name>` of each such element in `markup`, decoded unless
    /// `decoded` is false.
    static func texts(of name: String, in markup: String, decoded: Bool = true) -> [String] {
        var out: [String] = []
        var rest = Substring(markup)
        while let start = rest.range(of: "<\(name)") {
            rest = rest[start.upperBound...]
            guard let first = rest.first, first == ">" || first == " " else { continue }
            guard let end = rest.firstIndex(of: ">"), let close = rest.range(of: "</\(name)>") else { break }
            let text = String(rest[rest.index(after: end)..<close.lowerBound])
            out.append(decoded ? decode(text) : text)
            rest = rest[close.upperBound...]
        }
        return out
    }

    static func decode(_ text: String) -> String {
        var out = text
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacing(entity, with: character)
        }
        return out
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return text
    }
}
