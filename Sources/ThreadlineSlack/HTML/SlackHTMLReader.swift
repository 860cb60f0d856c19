import ThreadlineHTML

/// Reads the messages of a Slack-export HTML page, streaming, in one of the known layouts.
///
/// ```swift
/// let reader = SlackHTMLReader(layout: .auto)
/// let report = try reader.read(file: "slack-html/channel/general/index.html") { output in
///     switch output {
///     case .message(let message): print(message.channel, message.author, message.time, message.text)
///     case .problem(let problem): print(problem)
///     }
/// }
/// ```
///
/// Messages and problems are handed over one at a time in page order and never collected, so
/// memory does not grow with the page. A message that cannot be read (no author or time, a time
/// in another format, a body cut off by the end of the file, a text over ``textLimit``) is handed
/// over as a rejected ``SlackHTMLProblem`` with its line instead, so nothing is lost silently.
public struct SlackHTMLReader: Sendable {
    /// The text limit used when none is given: 1 MiB per message.
    public static let defaultTextLimit = 1 << 20

    /// The layout to read; `auto` detects it from the first message container.
    public var layout: SlackHTMLLayout
    /// The most UTF-8 bytes of text (and again of markup) one message may have.
    public var textLimit: Int
    /// The streaming parser's settings.
    public var parser: HTMLStreamParser

    /// Creates a reader.
    public init(
        layout: SlackHTMLLayout = .auto, textLimit: Int = SlackHTMLReader.defaultTextLimit,
        parser: HTMLStreamParser = HTMLStreamParser()
    ) {
        self.layout = layout
        self.textLimit = textLimit
        self.parser = parser
    }

    /// The channel a page's path implies when the page names none: the folder of an `index.html`
    /// (`channel/general/index.html` → `general`; slackdump's `archives/C01/threads/1.2.html` →
    /// `C01`), else the file name without its extension.
    public static func channel(forPath path: String) -> String? {
        ChannelNamer.channel(fromPath: path)
    }

    /// Reads the page at `path`, handing each message and problem to `handle`.
    ///
    /// - Parameters:
    ///   - path: the file to read.
    ///   - channelPath: the path used to name the channel when the page does not (defaults to `path`).
    ///   - observe: sees every chunk of the file as it is read, e.g. to hash it; it has seen the
    ///     whole file when the read returns without ``HTMLParseReport/stoppedEarly``.
    /// - Throws: ``HTMLReadError`` when the file cannot be read, or what `handle` throws.
    public func read(
        file path: String, channelPath: String? = nil, observe: ((UnsafeRawBufferPointer) -> Void)? = nil,
        _ handle: (SlackHTMLOutput) throws -> Void
    ) throws -> SlackHTMLPageReport {
        try withoutActuallyEscaping(handle) { handle in
            var page = PageState(layout: layout, path: channelPath ?? path, textLimit: textLimit, handle: handle)
            let report = try parser.parse(file: path, into: &page, observe: observe)
            return try page.finish(parse: report)
        }
    }

    /// Reads a page held in memory, handing each message and problem to `handle`.
    ///
    /// - Parameter path: the page's path, used only to name the channel when the page does not.
    public func read(
        bytes: [UInt8], path: String? = nil, _ handle: (SlackHTMLOutput) throws -> Void
    ) throws -> SlackHTMLPageReport {
        try withoutActuallyEscaping(handle) { handle in
            var page = PageState(layout: layout, path: path, textLimit: textLimit, handle: handle)
            let report = try parser.parse(bytes: bytes, into: &page)
            return try page.finish(parse: report)
        }
    }
}

/// One page being read: the element depth, the layout readers and what they produced, which is
/// handed to `handle` after each piece of content.
private struct PageState: HTMLContentHandler {
    private var viewer: LayoutReader<ExportViewerLayout>?
    private var slackdump: LayoutReader<SlackdumpLayout>?
    private var depth = 0
    private var ended = false
    /// Why the page ended early, when the parser stopped before its end.
    private var stopReason: String?
    private var output: [SlackHTMLOutput] = []
    private var messageCount = 0
    private var rejectedCount = 0
    private var warningCount = 0
    private let requested: SlackHTMLLayout
    private let handle: (SlackHTMLOutput) throws -> Void

    init(layout: SlackHTMLLayout, path: String?, textLimit: Int, handle: @escaping (SlackHTMLOutput) throws -> Void) {
        requested = layout
        self.handle = handle
        if layout != .slackdump { viewer = LayoutReader(path: path, textLimit: textLimit) }
        if layout != .slackExportViewer { slackdump = LayoutReader(path: path, textLimit: textLimit) }
    }

    /// The layout in use: the requested one, or in `auto` mode the first one whose marker was seen.
    var detected: SlackHTMLLayout {
        if requested != .auto { return requested }
        if viewer?.sawMarker == true { return .slackExportViewer }
        if slackdump?.sawMarker == true { return .slackdump }
        return .auto
    }

    mutating func startElement(_ tag: HTMLStartTag) throws {
        guard !ended else { return }
        depth += 1
        viewer?.start(tag, depth: depth, output: &output)
        slackdump?.start(tag, depth: depth, output: &output)
        try settle()
    }

    mutating func endElement(_ name: HTMLName) throws {
        try endElement(name, at: nil)
    }

    mutating func endElement(_ name: HTMLName, at offset: Int?) throws {
        guard !ended else { return }
        viewer?.end(name, depth: depth, offset: offset, output: &output)
        slackdump?.end(name, depth: depth, offset: offset, output: &output)
        depth -= 1
        try settle()
    }

    mutating func characters(_ text: UnsafeBufferPointer<UInt8>) throws {
        guard !ended else { return }
        viewer?.characters(text)
        slackdump?.characters(text)
        try settle()
    }

    mutating func stopped(_ diagnostic: HTMLDiagnostic) throws {
        guard !ended else { return }
        let column = diagnostic.column > 0 ? ", column \(diagnostic.column)" : ""
        stopReason = "reading stopped inside this message at line \(diagnostic.line)\(column): \(diagnostic.message)"
        try settle()
    }

    mutating func endOfData() throws {
        guard !ended else { return }
        ended = true
        viewer?.finish(pageEnded: true, reason: stopReason, output: &output)
        slackdump?.finish(pageEnded: true, reason: stopReason, output: &output)
        try settle()
    }

    /// After each piece of content: locks the detected layout and hands over what was produced.
    private mutating func settle() throws {
        if requested == .auto { lockDetectedLayout() }
        try deliver()
    }

    /// In `auto` mode, drops the other reader as soon as one layout's marker has been seen.
    private mutating func lockDetectedLayout() {
        guard viewer != nil, slackdump != nil else { return }
        if viewer?.sawMarker == true {
            slackdump = nil
        } else if slackdump?.sawMarker == true {
            viewer = nil
        }
    }

    private mutating func deliver() throws {
        guard !output.isEmpty else { return }
        // Emptied even when `handle` throws; the buffer is kept for the next message.
        defer { output.removeAll(keepingCapacity: true) }
        for item in output {
            switch item {
            case .message: messageCount += 1
            case .problem(let problem) where problem.kind == .rejected: rejectedCount += 1
            case .problem: warningCount += 1
            }
            try handle(item)
        }
    }

    /// Hands over the page-level problems and makes the report.
    mutating func finish(parse: HTMLParseReport) throws -> SlackHTMLPageReport {
        if let stop = parse.stoppedEarly {
            output.append(
                .problem(
                    SlackHTMLProblem(
                        kind: .rejected, scope: .restOfPage, line: stop.line, column: stop.column > 0 ? stop.column : nil,
                        reason: stop.message)))
        }
        let layout = detected
        if layout == .auto || (viewer?.sawMarker != true && slackdump?.sawMarker != true) {
            let expected =
                switch requested {
                case .auto: "a slack-export-viewer or slackdump page"
                case .slackExportViewer: "a slack-export-viewer page (no div.message-container)"
                case .slackdump: "a slackdump page (no article.message)"
                }
            output.append(
                .problem(
                    SlackHTMLProblem(
                        kind: .rejected, scope: .page, line: 1, column: 1,
                        reason: "the page is not \(expected): no messages were read")))
        }
        try deliver()
        return SlackHTMLPageReport(
            layout: layout, messageCount: messageCount, rejectedCount: rejectedCount, warningCount: warningCount,
            parse: parse)
    }
}
