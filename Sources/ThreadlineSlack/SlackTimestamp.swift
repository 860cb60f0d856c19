/// A Slack message timestamp: its `ts` string and its value in microseconds.
///
/// Slack writes `ts` as `"<unix seconds>.<6 digits>"`. It is the message's key within a
/// conversation, so it is kept as a string and never routed through `Double`, which cannot hold
/// 16 significant digits. Another spelling of an instant (`"1.5"`, `"1"`, `"01.500000"`) is
/// written in that form (`"1.500000"`), so every spelling of one instant is one key: a `thread_ts`
/// in a short form names its parent, and a second message at the instant repeats its `ts`.
public struct SlackTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The string as Slack writes it: the export's own when it is in that form (almost always), else
    /// the instant written so (`"<seconds>.<6 digits>"`).
    public let raw: String
    /// Whole seconds since 1970-01-01T00:00:00Z.
    public let seconds: Int64
    /// The fraction of a second, in microseconds (0...999_999).
    public let microseconds: Int32

    /// The latest whole second: 9999-12-31T23:59:59Z, the last an ISO 8601 date-time with a four-digit
    /// year states, so that every message's time can be written to JSON Lines and CSV.
    public static let latestSeconds: Int64 = 253_402_300_799

    /// Parses `ts`; returns `nil` unless it is `digits` or `digits.digits` with at most six
    /// fractional digits and at most `latestSeconds` seconds.
    ///
    /// Fewer than six fractional digits are padded on the right (`"1.5"` is 1.500000 s).
    public init?(_ raw: String) {
        var raw = raw
        guard let (seconds, microseconds, isSlackForm) = raw.withUTF8(Self.parse) else { return nil }
        self.raw = isSlackForm ? raw : Self.slackForm(seconds: seconds, microseconds: microseconds)
        self.seconds = seconds
        self.microseconds = microseconds
    }

    /// `"<seconds>.<6 digits>"`.
    private static func slackForm(seconds: Int64, microseconds: Int32) -> String {
        let fraction = String(microseconds)
        return "\(seconds)." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }

    /// Whole seconds and microseconds of `digits` or `digits.digits`, in one pass over the bytes, and
    /// whether the bytes are in Slack's form (six fractional digits, no leading zero but in `0.`).
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int64, Int32, Bool)? {
        var whole: Int64 = 0, wholeDigits = 0
        var fraction: Int64 = 0, fractionDigits = 0
        var hasPoint = false
        for byte in bytes {
            if byte == UInt8(ascii: ".") {
                guard !hasPoint else { return nil }
                hasPoint = true
                continue
            }
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            if hasPoint {
                fractionDigits += 1
                guard fractionDigits <= 6 else { return nil }
                fraction = fraction * 10 + Int64(digit)
            } else {
                wholeDigits += 1
                guard wholeDigits <= 12 else { return nil }
                whole = whole * 10 + Int64(digit)
            }
        }
        guard wholeDigits >= 1, !hasPoint || fractionDigits >= 1, whole <= latestSeconds else { return nil }
        let isSlackForm = fractionDigits == 6 && (wholeDigits == 1 || bytes[0] != UInt8(ascii: "0"))
        for _ in fractionDigits..<6 { fraction *= 10 }
        return (whole, Int32(fraction), isSlackForm)
    }

    /// Microseconds since the Unix epoch, UTC; exact (integer arithmetic only).
    public var microsecondsSinceEpoch: Int64 {
        seconds * 1_000_000 + Int64(microseconds)
    }

    public var description: String { raw }

    /// Equal when the instants are (and so the strings).
    public static func == (lhs: SlackTimestamp, rhs: SlackTimestamp) -> Bool {
        lhs.seconds == rhs.seconds && lhs.microseconds == rhs.microseconds
    }

    /// Hashes the instant alone (equal timestamps have equal instants): a conversation's messages are
    /// looked up by `ts`, and one integer hashes faster than a string.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(microsecondsSinceEpoch)
    }

    public static func < (lhs: SlackTimestamp, rhs: SlackTimestamp) -> Bool {
        (lhs.seconds, lhs.microseconds) < (rhs.seconds, rhs.microseconds)
    }
}
