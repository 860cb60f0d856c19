/// A Slack message timestamp: the exact `ts` string and its value in microseconds.
///
/// Slack writes `ts` as `"<unix seconds>.<6 digits>"`. It is the message's key within a
/// conversation, so it is kept as the exact string and never routed through `Double`, which
/// cannot hold 16 significant digits. Ordering compares whole seconds, then microseconds, then
/// the raw string, so two spellings of one instant still order deterministically.
public struct SlackTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The string exactly as it appears in the export.
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
        guard let (seconds, microseconds) = raw.withUTF8(Self.parse) else { return nil }
        self.raw = raw
        self.seconds = seconds
        self.microseconds = microseconds
    }

    /// Whole seconds and microseconds of `digits` or `digits.digits`, in one pass over the bytes.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (Int64, Int32)? {
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
        for _ in fractionDigits..<6 { fraction *= 10 }
        return (whole, Int32(fraction))
    }

    /// Microseconds since the Unix epoch, UTC; exact (integer arithmetic only).
    public var microsecondsSinceEpoch: Int64 {
        seconds * 1_000_000 + Int64(microseconds)
    }

    public var description: String { raw }

    /// Equal when the strings are: the numbers come from the string, and are compared first because
    /// they are cheaper.
    public static func == (lhs: SlackTimestamp, rhs: SlackTimestamp) -> Bool {
        lhs.seconds == rhs.seconds && lhs.microseconds == rhs.microseconds && lhs.raw == rhs.raw
    }

    /// Hashes the instant alone (equal timestamps have equal instants): a conversation's messages are
    /// looked up by `ts`, and one integer hashes faster than a string.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(microsecondsSinceEpoch)
    }

    public static func < (lhs: SlackTimestamp, rhs: SlackTimestamp) -> Bool {
        (lhs.seconds, lhs.microseconds, lhs.raw) < (rhs.seconds, rhs.microseconds, rhs.raw)
    }
}
