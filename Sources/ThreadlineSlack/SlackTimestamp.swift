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

    /// Parses `ts`; returns `nil` unless it is `digits` or `digits.digits` with at most six
    /// fractional digits and at most twelve integer digits.
    ///
    /// Fewer than six fractional digits are padded on the right (`"1.5"` is 1.500000 s).
    public init?(_ raw: String) {
        let parts = raw.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2,
            let whole = Self.digits(parts[0], maxCount: 12)
        else { return nil }
        var fraction: Int64 = 0
        if parts.count == 2 {
            guard let digits = Self.digits(parts[1], maxCount: 6) else { return nil }
            fraction = digits
            for _ in parts[1].count..<6 { fraction *= 10 }
        }
        self.raw = raw
        self.seconds = whole
        self.microseconds = Int32(fraction)
    }

    /// Microseconds since the Unix epoch, UTC; exact (integer arithmetic only).
    public var microsecondsSinceEpoch: Int64 {
        seconds * 1_000_000 + Int64(microseconds)
    }

    public var description: String { raw }

    public static func < (lhs: SlackTimestamp, rhs: SlackTimestamp) -> Bool {
        (lhs.seconds, lhs.microseconds, lhs.raw) < (rhs.seconds, rhs.microseconds, rhs.raw)
    }

    /// The value of a run of 1...`maxCount` ASCII digits, or `nil`.
    private static func digits(_ bytes: Substring.UTF8View, maxCount: Int) -> Int64? {
        guard (1...maxCount).contains(bytes.count) else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
