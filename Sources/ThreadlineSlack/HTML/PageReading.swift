import ThreadlineHTML

/// Pieces both layout readers share: text capture, channel naming and turning a half-read message
/// into a message or a problem.

/// Collects the visible text of one element (an author name, a time, a heading), whitespace collapsed.
struct TextCapture {
    /// What is being captured.
    enum Field {
        case author
        case time
        case title
        case heading
    }

    let field: Field
    /// The depth of the element being captured; the capture ends when it closes.
    let depth: Int
    /// The most UTF-8 bytes kept.
    let limit: Int
    /// The text's UTF-8 bytes as the page has them.
    private var text: [UInt8] = []
    /// Depth of a nested element whose text is left out (e.g. the viewer's print-only e-mail), if any.
    var skippedFrom: Int?

    init(field: Field, depth: Int, limit: Int) {
        self.field = field
        self.depth = depth
        self.limit = limit
    }

    /// Adds a text run, unless it would take the text over ``limit``.
    mutating func append(_ characters: UnsafeBufferPointer<UInt8>) {
        guard skippedFrom == nil, text.count + characters.count <= limit else { return }
        text.append(contentsOf: characters)
    }

    /// The text with whitespace runs collapsed to one space and trimmed.
    ///
    /// Whitespace is split at as whole characters, so a `\r\n`, or a space that a combining mark
    /// follows, is not whitespace; pure ASCII text without `\r` has no such clusters and is collapsed
    /// on its bytes.
    var collapsed: String {
        guard text.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\r") }) else {
            return String(decoding: text, as: UTF8.self).split(whereSeparator: \.isHTMLWhitespace).joined(separator: " ")
        }
        var words: [UInt8] = []
        words.reserveCapacity(text.count)
        var index = 0
        while let start = text[index...].firstIndex(where: { !$0.isHTMLWhitespace }) {
            let end = text[start...].firstIndex(where: \.isHTMLWhitespace) ?? text.count
            if !words.isEmpty { words.append(UInt8(ascii: " ")) }
            words.append(contentsOf: text[start..<end])
            index = end
        }
        return String(decoding: words, as: UTF8.self)
    }
}

/// Where a page's channel name comes from, best first: the heading before the messages (the
/// single-file export's `<h2>Messages in #x</h2>`), the `<title>` (`Slack Export - #x`), the path.
struct ChannelNamer {
    var heading: String?
    var title: String?
    let path: String?

    /// The channel for messages read now; empty when the page and path say nothing.
    var channel: String {
        heading ?? title ?? path ?? ""
    }

    /// The channel a page path implies: the folder of an `index.html` (`channel/general/index.html`
    /// → `general`; slackdump's `archives/C01/threads/1.2.html` → `C01`), else the file's stem.
    static func channel(fromPath path: String) -> String? {
        var parts = path.split(separator: "/").map(String.init)
        guard let file = parts.popLast() else { return nil }
        if parts.last == "threads" { parts.removeLast(); return parts.last }
        if file.lowercased() == "index.html" || file.lowercased() == "index.htm" { return parts.last }
        let stem = file.split(separator: ".", omittingEmptySubsequences: false).dropLast().joined(separator: ".")
        return stem.isEmpty ? file : stem
    }

    /// The channel in a viewer page title, `Slack Export - #general` → `general`; nil without a `#`.
    static func channel(fromTitle title: String) -> String? {
        guard let hash = title.lastIndex(of: "#") else { return nil }
        let name = title[title.index(after: hash)...].trimmingHTMLWhitespace()
        return name.isEmpty ? nil : name
    }

    /// The conversation a single-file export heading names: `Messages in #general` → `general`,
    /// `DM with Bob` and `Group DM with Ann, Bob` as they are; nil for other headings.
    static func channel(fromHeading heading: String) -> String? {
        if heading.hasPrefix("Messages in #") {
            let name = heading.dropFirst("Messages in #".count).trimmingHTMLWhitespace()
            return name.isEmpty ? nil : name
        }
        if heading.hasPrefix("DM with ") || heading.hasPrefix("Group DM with ") { return heading }
        return nil
    }
}

/// A message whose container has started but which is not finished yet.
struct PendingMessage {
    /// The line of the container's start tag.
    let line: Int
    /// Its column, when known.
    let column: Int?
    /// The depth of the container element; the message ends when it closes.
    let depth: Int
    /// The byte offset of the container's start tag, when known.
    var startOffset: Int?
    var author: String?
    var timeText: String?
    var ts: String?
    var threadTS: String?
    var isReply = false
    var subtype: String?
    /// The body renderer while the body element is open.
    var renderer: MessageTextRenderer?
    /// The depth of the open body element.
    var bodyDepth: Int?
    /// The rendered body once it has closed.
    var body: (text: String, html: String)?
    var sawReplyMarker = false
    var overflowed = false
    var unreadableElements: [String] = []
    var sawDoubledAsterisks = false

    init(line: Int, column: Int?, depth: Int) {
        self.line = line
        self.column = column
        self.depth = depth
    }

    /// Closes the body element and keeps what the renderer made of it.
    mutating func closeBody() {
        guard var renderer else { return }
        body = renderer.finish()
        sawReplyMarker = renderer.hadThreadReplyMarker
        overflowed = renderer.overflowed
        unreadableElements = renderer.unreadableElements
        sawDoubledAsterisks = renderer.sawDoubledAsterisks
        self.renderer = nil
        bodyDepth = nil
    }

    /// The finished message, or the reason it cannot be one, plus any caveats.
    ///
    /// - Parameters:
    ///   - channel: the channel to file it under.
    ///   - layout: the page's layout.
    ///   - pageEnded: whether the page ended while the message was still open.
    ///   - names: how the layout names its parts, for problem reasons.
    ///   - textLimit: the renderer's byte limit, for the reason when it was reached.
    ///   - truncationReason: why the page ended early, when it did not end by itself.
    func finish(
        channel: String, layout: SlackHTMLLayout, pageEnded: Bool, names: LayoutNames, textLimit: Int,
        truncationReason: String? = nil
    ) -> (message: SlackHTMLMessage?, problems: [SlackHTMLProblem]) {
        func reject(_ reason: String) -> (SlackHTMLMessage?, [SlackHTMLProblem]) {
            (nil, [SlackHTMLProblem(kind: .rejected, line: line, column: column, reason: reason)])
        }
        if pageEnded && (body == nil || renderer != nil) {
            return reject(
                truncationReason ?? "the page ends inside this message (the file is truncated): its text is incomplete")
        }
        guard let author, !author.isEmpty else { return reject("message has no author (\(names.author))") }
        guard let timeText, !timeText.isEmpty else { return reject("message has no time (\(names.time))") }
        guard let time = SlackLocalTime(parsing: timeText) else {
            return reject("time '\(timeText.prefix(64))' in \(names.time) is not 'YYYY-MM-DD HH:MM:SS'")
        }
        guard let body else { return reject("message has no text element (\(names.body))") }
        if overflowed {
            return reject("message text is longer than the limit of \(textLimit) bytes: it was not kept")
        }
        var problems: [SlackHTMLProblem] = []
        for name in Set(unreadableElements).sorted() {
            problems.append(
                SlackHTMLProblem(
                    kind: .warning, line: line, column: column,
                    reason: "raw Slack link '<\(name)…>' in the page holds markup libxml2 cannot read: part of its text may be lost"))
        }
        var message = SlackHTMLMessage(
            channel: channel, author: author, time: time, ts: ts, isReply: isReply || sawReplyMarker,
            threadTS: threadTS, subtype: subtype, line: line, column: column, text: body.text, html: body.html, layout: layout)
        message.isBot = subtype == "bot_message"
        if layout == .slackdump, let sender = SlackdumpLayout.botSender(author) {
            message.author = sender
            message.isBot = true
        }
        if !unreadableElements.isEmpty { message.textLosses.append(.rawLinkWithMarkup) }
        if sawDoubledAsterisks, layout == .slackExportViewer { message.textLosses.append(.doubledAsterisks) }
        return (message, problems)
    }
}

/// How a layout names its parts, for problem messages.
struct LayoutNames {
    let author: String
    let time: String
    let body: String
}
