/// Turns Slack's mrkdwn `text` into plain readable text.
///
/// Angle-bracket tokens become what a reader sees: `<@U1>` and `<@U1|ana>` become `@name`,
/// `<#C1|general>` becomes `#general`, `<!here>` becomes `@here`, `<https://x|label>` becomes
/// `[label](https://x)` (the bare URL when the label is the URL), and `<!date^…|fallback>` its
/// fallback. The three escapes Slack uses (`&amp;`, `&lt;`, `&gt;`) are decoded exactly once,
/// after the tokens are read, so `&amp;lt;` gives the text `&lt;`. Styling (`*bold*`, code
/// fences) is left as written: it is markdown already.
public struct SlackMrkdwn: Sendable {
    /// Names for mentions without a label.
    public var directory: SlackDirectory

    public init(directory: SlackDirectory = SlackDirectory()) {
        self.directory = directory
    }

    /// The decoded form of `text`.
    public func decode(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var rest = text[...]
        while let open = rest.firstIndex(of: "<") {
            output += Self.decodeEntities(rest[..<open])
            let afterOpen = rest.index(after: open)
            // A token ends at the next '>' and never spans a line or another '<'.
            guard let close = rest[afterOpen...].firstIndex(where: { $0 == ">" || $0 == "<" || $0 == "\n" }),
                rest[close] == ">", close > afterOpen
            else {
                output += "<"
                rest = rest[afterOpen...]
                continue
            }
            output += token(rest[afterOpen..<close])
            rest = rest[rest.index(after: close)...]
        }
        output += Self.decodeEntities(rest)
        return output
    }

    /// The text for one token's content (between `<` and `>`).
    private func token(_ content: Substring) -> String {
        let target: Substring
        let label: String?
        if let bar = content.firstIndex(of: "|") {
            target = content[..<bar]
            label = Self.decodeEntities(content[content.index(after: bar)...]).trimmedNonEmpty
        } else {
            target = content
            label = nil
        }
        switch target.first {
        case "@":
            let id = String(target.dropFirst())
            return "@" + (label.map(Self.droppingAt) ?? directory.userName(id) ?? id)
        case "#":
            let id = String(target.dropFirst())
            return "#" + (label ?? directory.channelName(id) ?? id)
        case "!":
            return special(target.dropFirst(), label: label, raw: content)
        default:
            // Slack escapes a literal '<' as &lt;, so a link target is a URL: a scheme, no spaces.
            guard target.contains(":"), !target.contains(where: \.isWhitespace) else {
                return "<" + Self.decodeEntities(content) + ">"
            }
            let url = Self.decodeEntities(target)
            guard let label, label != url else { return url }
            return "[\(label)](\(url))"
        }
    }

    /// `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1|@team>`, `<!date^…|fallback>`.
    private func special(_ command: Substring, label: String?, raw: Substring) -> String {
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

    /// Decodes `&amp;`, `&lt;` and `&gt;` in one pass; any other `&` stays as it is.
    static func decodeEntities(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        var output = ""
        var rest = text
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            let tail = rest[amp...]
            if tail.hasPrefix("&amp;") {
                output += "&"
                rest = tail.dropFirst(5)
            } else if tail.hasPrefix("&lt;") {
                output += "<"
                rest = tail.dropFirst(4)
            } else if tail.hasPrefix("&gt;") {
                output += ">"
                rest = tail.dropFirst(4)
            } else {
                output += "&"
                rest = tail.dropFirst()
            }
        }
        output += rest
        return output
    }
}
