import ThreadlineHTML

/// Which HTML renderer of a Slack export a page comes from.
public enum SlackHTMLLayout: String, Sendable, CaseIterable {
    /// Detect the layout from the page's markup (the first message container decides).
    case auto
    /// hfaran/slack-export-viewer: `div.message-container` per message, local times to the second.
    case slackExportViewer = "slack-export-viewer"
    /// rusq/slackdump: `article.message` with the exact `ts` in `header.message-header[id]`.
    case slackdump
}

/// A wall-clock time as a page shows it, with no time zone (`2021-03-08 10:37:18`).
///
/// slack-export-viewer and slackdump both print the converting machine's local time; which zone
/// that was is the pipeline's knowledge, not the page's, so the conversion happens elsewhere.
public struct SlackLocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    /// Creates a time from its fields; no range checks beyond what ``init(parsing:)`` does.
    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    /// Parses exactly `YYYY-MM-DD HH:MM:SS` (surrounding whitespace allowed); nil otherwise or out of range.
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8.drop(while: Self.isSpace).reversed().drop(while: Self.isSpace).reversed())
        guard bytes.count == 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            bytes[10] == UInt8(ascii: " "), bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
    }

    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2)) \(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }

    public static func < (lhs: SlackLocalTime, rhs: SlackLocalTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// One message read from a Slack-export HTML page.
public struct SlackHTMLMessage: Sendable, Equatable {
    /// The channel (or conversation) it belongs to: from the page's heading, its title or its path.
    public var channel: String
    /// The author's name exactly as the page shows it.
    public var author: String
    /// When it was posted, in the page's local time.
    public var time: SlackLocalTime
    /// The exact Slack `ts` (`1615190400.000100`), where the layout keeps it (slackdump only).
    public var ts: String?
    /// Whether the page marks it as a thread reply (it then belongs to the closest preceding
    /// non-reply message in slack-export-viewer pages, or to ``threadTS`` in slackdump pages).
    public var isReply: Bool
    /// The thread's `ts` where the layout says it (slackdump thread pages).
    public var threadTS: String?
    /// The Slack subtype where the page shows it (slack-export-viewer's second container class),
    /// e.g. `channel_join`, `bot_message`, `thread_broadcast`.
    public var subtype: String?
    /// Whether the page shows it as a bot's or app's message: slack-export-viewer's `bot_message`
    /// class, slackdump's `(bot)` or `(app)` after the sender's name.
    public var isBot = false
    /// The 1-based line of the page where the message starts.
    public var line: Int
    /// The 1-based column (in Unicode scalars) of the message's start on that line, when known.
    public var column: Int?
    /// The message text rendered as plain text: see ``MessageTextRenderer``.
    public var text: String
    /// The message body's markup as libxml2 read it, re-serialised (entities escaped once).
    public var html: String
    /// The page's layout.
    public var layout: SlackHTMLLayout
    /// Where the message's markup is in the page, when known.
    public var bytes: PageBytes?
    /// Where the page may no longer hold the message's text as it was written (the renderer's doing,
    /// which reading cannot undo); empty for most messages.
    public var textLosses: [SlackHTMLTextLoss] = []

    /// Creates a message.
    public init(
        channel: String, author: String, time: SlackLocalTime, ts: String? = nil, isReply: Bool,
        threadTS: String? = nil, subtype: String? = nil, line: Int, column: Int? = nil, text: String,
        html: String, layout: SlackHTMLLayout
    ) {
        self.channel = channel
        self.author = author
        self.time = time
        self.ts = ts
        self.isReply = isReply
        self.threadTS = threadTS
        self.subtype = subtype
        self.line = line
        self.column = column
        self.text = text
        self.html = html
        self.layout = layout
    }
}

/// A way an HTML renderer can lose part of a message's text, which the page then shows altered.
public enum SlackHTMLTextLoss: String, Sendable, CaseIterable, Comparable {
    /// slack-export-viewer left a Slack link it could not read in the page, and its markdown turned
    /// part of it (`_x_` in the URL) into markup: the link is rebuilt as far as the page holds it.
    case rawLinkWithMarkup = "a raw Slack link the renderer broke up with markup"
    /// slack-export-viewer writes each `*` of a message as `**` (for its markdown's bold), in code
    /// as well, where it stays `**`.
    case doubledAsterisks = "`*` written as `**` by slack-export-viewer"

    public static func < (lhs: SlackHTMLTextLoss, rhs: SlackHTMLTextLoss) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A message, or part of a page, that could not be read: nothing is dropped without one of these.
public struct SlackHTMLProblem: Sendable, Equatable, CustomStringConvertible {
    /// Whether the message was dropped (rejected) or kept with a caveat.
    public enum Kind: Sendable, Equatable {
        /// The message could not be read and is not in the output.
        case rejected
        /// The message is in the output but part of its markup could not be read.
        case warning
    }

    /// What the problem is about.
    public enum Scope: Sendable, Equatable {
        /// One message.
        case message
        /// The page as a whole (it is not a Slack export page).
        case page
        /// The rest of the page from ``SlackHTMLProblem/line`` on: reading stopped early there.
        case restOfPage
    }

    /// Whether the message was dropped.
    public var kind: Kind
    /// Whether it is about one message or about the page.
    public var scope: Scope
    /// The 1-based line of the page (the message's start, or where the page went wrong).
    public var line: Int
    /// The 1-based column (in Unicode scalars) on that line, when known.
    public var column: Int?
    /// What went wrong, lowercase and specific.
    public var reason: String
    /// For a rejected message, where its markup is in the page, when known: its raw text, for
    /// quarantine.
    public var bytes: PageBytes?

    /// Creates a problem.
    public init(kind: Kind, scope: Scope = .message, line: Int, column: Int? = nil, reason: String) {
        self.kind = kind
        self.scope = scope
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "line \(line)\(column.map { ", column \($0)" } ?? ""): \(reason)" }
}

/// Where a message is in its page's bytes: from its container's start tag to the end of the
/// container, or, when the page ended first (or where it ends is not known), to the end of the page.
public struct PageBytes: Sendable, Equatable {
    /// The offset of the container's `<`.
    public var start: Int
    /// The offset just past the container's end; nil for the end of the page.
    public var end: Int?

    public init(start: Int, end: Int?) {
        self.start = start
        self.end = end
    }
}

/// What reading a page hands over, in page order: a message, or a problem with one.
public enum SlackHTMLOutput: Sendable, Equatable {
    /// A message that was read.
    case message(SlackHTMLMessage)
    /// A message that was rejected, or kept with a caveat, or a page that was not read.
    case problem(SlackHTMLProblem)
}

/// What reading one page gave besides its messages and problems.
public struct SlackHTMLPageReport: Sendable, Equatable {
    /// The layout the page was read with (the detected one in `auto` mode; `auto` if none was found).
    public var layout: SlackHTMLLayout
    /// How many messages were handed over.
    var messageCount: Int
    /// How many rejected problems were handed over (messages, or the page, not read).
    var rejectedCount: Int
    /// How many warnings were handed over (messages kept with a caveat).
    var warningCount: Int
    /// libxml2's own report on the page: bytes, recovered errors.
    public var parse: HTMLParseReport
}
