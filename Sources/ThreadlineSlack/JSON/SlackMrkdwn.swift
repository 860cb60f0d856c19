internal import ThreadlineText

/// Turns Slack's mrkdwn `text` into threadline's text form (docs/tables.md, "The text form"), the
/// form the HTML renderings are read to as well.
///
/// Angle-bracket tokens become what a reader sees: `<@U1>` and `<@U1|ana>` become `@name`,
/// `<#C1|general>` becomes `#general`, `<!here>` becomes `@here`, `<https://x|label>` becomes
/// `[label](https://x)` (the bare URL when the label is the URL), and `<!date^…|fallback>` its
/// fallback. The three escapes Slack uses (`&amp;`, `&lt;`, `&gt;`) are decoded exactly once,
/// after the tokens are read, so `&amp;lt;` gives the text `&lt;`. Slack's bold `*x*` becomes
/// `**x**`; italic `_x_`, struck-out `~x~`, code and code blocks are markdown already and stay
/// as written.
struct SlackMrkdwn: Sendable {
    /// Names for mentions without a label.
    var directory: SlackDirectory

    init(directory: SlackDirectory = SlackDirectory()) {
        self.directory = directory
    }

    /// The text form of `text`.
    ///
    /// Works on UTF-8 bytes: every delimiter is ASCII, and an ASCII byte never occurs inside a
    /// multi-byte sequence, so slicing at delimiters always cuts between characters.
    func decode(_ text: String) -> String {
        var text = text
        let decoded = text.withUTF8 { utf8 -> String? in
            // Most messages have no token, bold or escape: they are their own text form.
            guard utf8.firstIndex(of: Marks.self, from: 0) < utf8.count else { return nil }
            let rendered =
                utf8.containsByte(Self.asterisk)
                ? Self.markingBold(utf8).withUnsafeBufferPointer { render($0, decodingEntities: true) }
                : render(utf8, decodingEntities: true)
            return String(decoding: rendered, as: UTF8.self)
        }
        return decoded ?? text
    }

    /// Text whose entities were decoded already (an HTML page's) with the Slack tokens a renderer
    /// left in it read as ``decode(_:)`` reads them: `<#C1|general>` is `#general`, `<@ana>` is
    /// `@ana`, `<https://x|label>` is `[label](https://x)`. Nothing else changes.
    static func rewritingTokens(in bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(lessThan) else { return bytes }
        return bytes.withUnsafeBufferPointer { SlackMrkdwn().render($0, decodingEntities: false) }
    }

    /// `bytes` with every token replaced, and Slack's escapes decoded once when `decodingEntities`.
    private func render(_ bytes: UnsafeBufferPointer<UInt8>, decodingEntities: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        func appendPlain(_ range: Range<Int>) {
            let plain = UnsafeBufferPointer(rebasing: bytes[range])
            if decodingEntities {
                HTMLEntities.appendDecoding(plain, only: Self.escapes, to: &output)
            } else {
                output.append(contentsOf: plain)
            }
        }
        var index = 0
        var plainStart = 0
        while case let open = bytes.firstIndex(of: LessThan.self, from: index), open < bytes.count {
            guard let close = Self.tokenEnd(bytes, from: open) else {
                index = open + 1
                continue
            }
            appendPlain(plainStart..<open)
            output += token(bytes[(open + 1)..<close], decodingEntities: decodingEntities).utf8
            index = close + 1
            plainStart = index
        }
        appendPlain(plainStart..<bytes.count)
        return output
    }

    /// Where the token that opens with the `<` at `start` closes: the next `>`, when no other `<`
    /// or line break comes first and the token is not empty; nil when `start` opens no token.
    private static func tokenEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var close = start + 1
        while close < bytes.count, bytes[close] != greaterThan, bytes[close] != lessThan, bytes[close] != newline {
            close += 1
        }
        guard close < bytes.count, bytes[close] == greaterThan, close > start + 1 else { return nil }
        return close
    }

    /// The text for one token's content (between `<` and `>`).
    private func token(_ content: Slice<UnsafeBufferPointer<UInt8>>, decodingEntities: Bool) -> String {
        let decode = { (bytes: Slice<UnsafeBufferPointer<UInt8>>) in
            decodingEntities ? Self.decodeEntities(UnsafeBufferPointer(rebasing: bytes)) : String(decoding: bytes, as: UTF8.self)
        }
        let target: Slice<UnsafeBufferPointer<UInt8>>
        let label: String?
        if let bar = content.firstIndex(of: UInt8(ascii: "|")) {
            target = content[..<bar]
            label = decode(content[(bar + 1)...]).trimmedNonEmpty
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
            return special(rest, label: label, raw: decode(content))
        default:
            // Slack escapes a literal '<' as &lt;, so a link target is a URL: a scheme, no spaces.
            guard target.contains(UInt8(ascii: ":")),
                !target.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D })
            else {
                return "<" + decode(content) + ">"
            }
            let url = decode(target)
            guard let label, label != url else { return url }
            return "[\(label)](\(url))"
        }
    }

    /// `bytes` with Slack's bold `*x*` written `**x**`.
    ///
    /// A `*` opens bold at the start of the text or after a space or punctuation, before a character
    /// that is not a space; it closes after a character that is not a space, before the end or a
    /// character that is not an ASCII letter or digit, on the same line. Code (`` `x` ``,
    /// ```` ```x``` ````) and tokens (`<…>`) are copied as they are.
    static func markingBold(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBufferPointer { markingBold($0) }
    }

    /// ``markingBold(_:)`` of bytes in place.
    static func markingBold(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 8)
        var open: Int?
        var index = 0
        while index < bytes.count {
            // The run before the next byte that matters is copied in one piece.
            let next = bytes.firstIndex(of: BoldMarks.self, from: index)
            if next > index {
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<next]))
                index = next
                if index == bytes.count { break }
            }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "`"):
                let end = codeEnd(bytes, from: index)
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                index = end
                continue
            case lessThan:
                if let close = tokenEnd(bytes, from: index) {
                    output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index...close]))
                    index = close + 1
                    continue
                }
            case newline:
                open = nil
            case asterisk:
                let before = index > 0 ? bytes[index - 1] : nil
                let after = index + 1 < bytes.count ? bytes[index + 1] : nil
                if let start = open, let before, !isSpace(before), before != asterisk,
                    after.map({ !isASCIIAlphanumeric($0) }) ?? true
                {
                    output.insert(asterisk, at: start)
                    output += [asterisk, asterisk]
                    open = nil
                    index += 1
                    continue
                }
                if open == nil, before.map({ isSpace($0) || (!isASCIIAlphanumeric($0) && $0 != asterisk) }) ?? true,
                    let after, !isSpace(after), after != asterisk
                {
                    open = output.count
                }
            default:
                break
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// The index just past the code span or block that opens with the backtick at `start` (past
    /// the backticks alone when nothing closes them).
    private static func codeEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var ticks = 0
        while start + ticks < bytes.count, bytes[start + ticks] == UInt8(ascii: "`") { ticks += 1 }
        let fence = ticks >= 3 ? 3 : 1
        var index = start + ticks
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "`") {
                var run = 0
                while index + run < bytes.count, bytes[index + run] == UInt8(ascii: "`") { run += 1 }
                if run >= fence { return index + run }
                index += run
            } else {
                index += 1
            }
        }
        return start + ticks
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1|@team>`, `<!date^…|fallback>`.
    private func special(_ command: String, label: String?, raw: String) -> String {
        let name = command.prefix { $0 != "^" }
        switch name {
        case "here", "channel", "everyone", "group":
            return "@" + name
        case "subteam":
            return "@" + (label.map(Self.droppingAt) ?? String(command.dropFirst(name.count + 1)))
        default:
            return label ?? "<\(raw)>"
        }
    }

    private static func droppingAt(_ label: String) -> String {
        label.hasPrefix("@") ? String(label.dropFirst()) : label
    }

    /// The bytes that make a text more than plain: a token's `<`, an escape's `&`, bold's `*`.
    private enum Marks: ByteSet {
        static func contains(_ byte: UInt8) -> Bool { byte == lessThan || byte == ampersand || byte == asterisk }
        static func containsAny(_ word: ByteWord.Word) -> Bool {
            ByteWord.contains(lessThan, in: word) || ByteWord.contains(ampersand, in: word) || ByteWord.contains(asterisk, in: word)
        }
    }

    /// The bytes ``markingBold(_:)`` acts on: code's backtick, a token's `<`, a line break, `*`.
    private enum BoldMarks: ByteSet {
        static func contains(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "`") || byte == lessThan || byte == newline || byte == asterisk
        }
        static func containsAny(_ word: ByteWord.Word) -> Bool {
            ByteWord.contains(UInt8(ascii: "`"), in: word) || ByteWord.contains(lessThan, in: word)
                || ByteWord.contains(newline, in: word) || ByteWord.contains(asterisk, in: word)
        }
    }

    /// A token's `<`.
    private enum LessThan: ByteSet {
        static func contains(_ byte: UInt8) -> Bool { byte == lessThan }
        static func containsAny(_ word: ByteWord.Word) -> Bool { ByteWord.contains(lessThan, in: word) }
    }

    private static let lessThan = UInt8(ascii: "<")
    private static let greaterThan = UInt8(ascii: ">")
    private static let ampersand = UInt8(ascii: "&")
    private static let newline = UInt8(ascii: "\n")
    private static let asterisk = UInt8(ascii: "*")

    /// The only escapes Slack writes in `text`: `&amp;`, `&lt;` and `&gt;`. Anything else that looks
    /// like a character reference is what the author typed.
    static let escapes = HTMLEntities.References(["amp", "lt", "gt"])

    /// `bytes` with Slack's ``escapes`` decoded in one pass.
    static func decodingEscapes(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        HTMLEntities.appendDecoding(bytes, only: escapes, to: &output)
        return output
    }

    /// `bytes` as a string with Slack's ``escapes`` decoded in one pass.
    static func decodeEntities(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        HTMLEntities.appendDecoding(bytes, only: escapes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

}
