/// Builds HTML and SVG text: every attribute value and every piece of text passes through
/// `HTMLText.escape`, so untrusted strings cannot open a tag or leave an attribute.
struct Markup {
    private(set) var text = ""

    /// `<name a="v" …>`; attributes with a nil value are left out.
    mutating func open(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:]) {
        text += "<" + name + Self.attributes(attributes) + ">"
    }

    mutating func close(_ name: String) {
        text += "</" + name + ">"
    }

    /// `<name …/>` (SVG) or a void HTML element.
    mutating func void(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], selfClosing: Bool = true) {
        text += "<" + name + Self.attributes(attributes) + (selfClosing ? "/>" : ">")
    }

    /// `<name …>escaped text</name>`.
    mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String?> = [:], text content: String) {
        open(name, attributes)
        text += HTMLText.escape(content)
        close(name)
    }

    /// Escaped text.
    mutating func add(text content: String) {
        text += HTMLText.escape(content)
    }

    /// Markup already built (by a `Markup` or a constant of this module): never untrusted text.
    mutating func add(markup: String) {
        text += markup
    }

    mutating func newline() {
        text += "\n"
    }

    private static func attributes(_ attributes: KeyValuePairs<String, String?>) -> String {
        var out = ""
        for (name, value) in attributes {
            guard let value else { continue }
            out += " " + name + "=\"" + HTMLText.escape(value) + "\""
        }
        return out
    }
}
