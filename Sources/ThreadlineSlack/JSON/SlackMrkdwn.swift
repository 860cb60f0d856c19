internal import ThreadlineText

/// Turns Slack's mrkdwn `text` into plain readable text.
///
/// Angle-bracket tokens become what a reader sees: `<@U1>` and `<@U1|ana>` become `@name`,
/// `<#C1|general>` becomes `#general`, `<!here>` becomes `@here`, `<https://x|label>` becomes
/// `[label](https://x)` (the bare URL when the label is the URL), and `<!date^…|fallback>` its
/// fallback. The three escapes Slack uses (`&amp;`, `&lt;`, `&gt;`) are decoded exactly once,
/// after the tokens are read, so `&amp;lt;` gives the text `&lt;`. Styling (`*bold*`, code
/// fences) is left as written: it is markdown already.
struct SlackMrkdwn: Sendable {
    /// Names for mentions without a label.
    var directory: SlackDirectory

    init(directory: SlackDirectory = SlackDirectory()) {
        self.directory = directory
    }

    /// The decoded form of `text`.
    ///
    /// Works on UTF-8 bytes: every delimiter is ASCII, and an ASCII byte never occurs inside a
    /// multi-byte sequence, so slicing at delimiters always cuts between characters.
    func decode(_ text: String) -> String {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == Self.lessThan || $0 == Self.ampersand }) else { return text }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        var plainStart = 0
        while index < bytes.count {
            guard bytes[index] == Self.lessThan else {
                index += 1
                continue
            }
            // A token ends at the next '>' and never spans a line or another '<'.
            var close = index + 1
            while close < bytes.count, bytes[close] != Self.greaterThan, bytes[close] != Self.lessThan,
                bytes[close] != Self.newline
            {
                close += 1
            }
            guard close < bytes.count, bytes[close] == Self.greaterThan, close > index + 1 else {
                index += 1
                continue
            }
            Self.appendDecodingEntities(bytes[plainStart..<index], to: &output)
            output += token(bytes[(index + 1)..<close]).utf8
            index = close + 1
            plainStart = index
        }
        Self.appendDecodingEntities(bytes[plainStart...], to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The text for one token's content (between `<` and `>`).
    private func token(_ content: ArraySlice<UInt8>) -> String {
        let target: ArraySlice<UInt8>
        let label: String?
        if let bar = content.firstIndex(of: UInt8(ascii: "|")) {
            target = content[..<bar]
            label = Self.decodeEntities(content[(bar + 1)...]).trimmedNonEmpty
        } else {
            target = content
            label = nil
        }
        let rest = String(decoding: target.dropFirst(), as: UTF8.self)
        switch target.first {
        case UInt8(ascii: "@"):
            return "@" + (label.map(Self.droppingAt) ?? directory.userName(rest) ?? rest)
        case UInt8(ascii: "#"):
            return "#" + (label ?? directory.channelName(rest) ?? rest)
        case UInt8(ascii: "!"):
            return special(rest, label: label, raw: content)
        default:
            // Slack escapes a literal '<' as &lt;, so a link target is a URL: a scheme, no spaces.
            guard target.contains(UInt8(ascii: ":")),
                !target.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            else {
                return "<" + Self.decodeEntities(content) + ">"
            }
            let url = Self.decodeEntities(target)
            guard let label, label != url else { return url }
            return "[\(label)](\(url))"
        }
    }

    /// `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1|@team>`, `<!date^…|fallback>`.
    private func special(_ command: String, label: String?, raw: ArraySlice<UInt8>) -> String {
        let name = command.prefix { $0 != "^" }
        switch name {
        case "here", "channel", "everyone", "group":
            return "@" + name
        case "subteam":
            return "@" + (label.map(Self.droppingAt) ?? String(command.dropFirst(name.count + 1)))
        default:
            return label ?? "<\(Self.decodeEntities(raw))>"
        }
    }

    private static func droppingAt(_ label: String) -> String {
        label.hasPrefix("@") ? String(label.dropFirst()) : label
    }

    private static let lessThan = UInt8(ascii: "<")
    private static let greaterThan = UInt8(ascii: ">")
    private static let ampersand = UInt8(ascii: "&")
    private static let newline = UInt8(ascii: "\n")

    /// The only escapes Slack writes in `text`: `&amp;`, `&lt;` and `&gt;`. Anything else that looks
    /// like a character reference is what the author typed.
    static let escapes = HTMLEntities.References(["amp", "lt", "gt"])

    /// `bytes` as a string with Slack's ``escapes`` decoded in one pass.
    static func decodeEntities(_ bytes: ArraySlice<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        appendDecodingEntities(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends `bytes`, decoding Slack's ``escapes`` once; any other `&` stays as it is.
    static func appendDecodingEntities(_ bytes: ArraySlice<UInt8>, to output: inout [UInt8]) {
        bytes.withUnsafeBufferPointer { HTMLEntities.appendDecoding($0, only: escapes, to: &output) }
    }
}
