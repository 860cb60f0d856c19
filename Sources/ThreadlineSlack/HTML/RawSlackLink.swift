internal import ThreadlineText

/// Slack's raw `<https://x|label>` links that an HTML renderer left in a page: libxml2 reads one as an
/// element whose name runs up to the first character a tag name cannot have, and its text as
/// unreadable attributes, so the link is rebuilt from the start tag's source text.
enum RawSlackLink {
    /// Whether a tag name is the start of a URL (`https:`, `mailto:ann`).
    static func isLinkName(_ name: String) -> Bool {
        guard let colon = name.firstIndex(of: ":") else { return false }
        return ["http", "https", "mailto", "ftp", "tel", "slack"].contains(name[..<colon])
    }

    /// The text of the link whose start tag's source is `source`: `[label](url)`, or the URL when
    /// there is no other label, for a whole link (`readable`); else the original text as far as it can
    /// be rebuilt (with `<em>` back to `_`), not readable. Nil without the source.
    static func text(source: String?) -> (text: String, readable: Bool)? {
        guard var raw = source?[...], raw.hasPrefix("<") else { return nil }
        raw = raw.dropFirst()
        let closed = raw.hasSuffix(">")
        if closed { raw = raw.dropLast() }
        if closed, !raw.contains("<") {
            let parts = raw.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
            let url = decodeEntities(parts[0])
            let label = parts.count > 1 ? decodeEntities(parts[1]) : url
            return (label == url || label.isEmpty ? url : "[\(label)](\(url))", true)
        }
        // The tag swallowed markup (the viewer turned `_x_` inside the URL into `<em>x</em>`): keep
        // what the tag held, with emphasis tags back to `_`; the following text continues it.
        var rebuilt = "<"
        var rest = raw[...]
        while let open = rest.firstIndex(of: "<") {
            rebuilt += decodeEntities(rest[..<open])
            let close = rest[open...].firstIndex(of: ">") ?? rest.endIndex
            let tag = rest[open..<close].lowercased()
            if tag == "<em" || tag == "</em" || tag == "<i" || tag == "</i" { rebuilt += "_" }
            rest = close < rest.endIndex ? rest[rest.index(after: close)...] : rest[rest.endIndex...]
        }
        rebuilt += decodeEntities(rest)
        return (rebuilt, false)
    }

    /// The text of a link that a markdown renderer made of a whole Slack link it did not read as one
    /// (slack-export-viewer does with `<https://x?a=1&amp;b=2|label>`): both its target and its label
    /// are `url|label`. `[label](url)`, or the URL when the label is the URL; nil for other links.
    static func text(ofMangledLink href: String, label: ArraySlice<UInt8>) -> String? {
        // Most links hold no `|`: a byte scan rules them out without walking the href by characters.
        guard href.utf8.contains(UInt8(ascii: "|")), TextComparisons.isSameText(href, label) else { return nil }
        var bytes = href
        if let text = bytes.withUTF8(asciiMangledLink) { return text }
        guard let bar = href.firstIndex(of: "|") else { return nil }
        let url = href[..<bar], name = href[href.index(after: bar)...]
        guard let colon = url.firstIndex(of: ":"), isLinkName(String(url[...colon]).lowercased()),
            !url.contains(where: \.isWhitespace)
        else { return nil }
        return name.isEmpty || name == url ? String(url) : "[\(name)](\(url))"
    }

    /// ``text(ofMangledLink:label:)`` of an ASCII href that holds a `|`, on its bytes: `.some(nil)`
    /// when it is no such link, nil when the href is not ASCII. In ASCII every character is one byte
    /// but `\r\n`, which is whitespace as a character and as bytes alike, and equal strings are equal
    /// bytes.
    private static func asciiMangledLink(_ href: UnsafeBufferPointer<UInt8>) -> String?? {
        guard href.allSatisfy({ $0 < 0x80 }), let bar = href.firstIndex(of: UInt8(ascii: "|")) else { return nil }
        let url = href[..<bar], name = href[(bar + 1)...]
        guard let colon = url.firstIndex(of: UInt8(ascii: ":")),
            linkSchemes.contains(where: { $0.elementsEqual(url[..<colon].lazy.map(asciiLowercased)) }),
            !url.contains(where: { $0 == UInt8(ascii: " ") || (0x09...0x0D).contains($0) })
        else { return .some(nil) }
        if name.isEmpty || name.elementsEqual(url) { return String(decoding: url, as: UTF8.self) }
        var text: [UInt8] = []
        text.reserveCapacity(name.count + url.count + 4)
        text.append(UInt8(ascii: "["))
        text.append(contentsOf: name)
        text.append(contentsOf: "](".utf8)
        text.append(contentsOf: url)
        text.append(UInt8(ascii: ")"))
        return String(decoding: text, as: UTF8.self)
    }

    /// The schemes ``isLinkName(_:)`` takes, as bytes.
    private static let linkSchemes: [[UInt8]] = ["http", "https", "mailto", "ftp", "tel", "slack"].map { Array($0.utf8) }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }

    /// The entities a raw tag's bytes can hold, as an HTML renderer escapes a link's text: `&amp;`
    /// `&lt;` `&gt;` `&quot;` and the apostrophe as `&#39;` or `&#x27;`. Anything else stays as written.
    static let escapes = HTMLEntities.References(["amp", "lt", "gt", "quot", "#39", "#x27"])

    /// `text` with ``escapes`` decoded once.
    static func decodeEntities(_ text: Substring) -> String {
        HTMLEntities.decode(text, only: escapes)
    }
}
