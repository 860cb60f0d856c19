/// A UTC instant with microsecond precision: what every timestamp column holds.
///
/// Stored as microseconds since the Unix epoch so that it maps one to one onto Parquet's
/// `TIMESTAMP(MICROS, isAdjustedToUTC=true)` and formats without Foundation's date machinery.
package struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var microseconds: Int64

    package init(microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// The instant at a civil date and time in UTC.
    package init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        let days = Int64(Timestamp.daysFromCivil(year: year, month: month, day: day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.microseconds = seconds * 1_000_000 + Int64(microsecond)
    }

    package static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    /// The instants an output can hold: years 1 to 9999, those an ISO 8601 date-time with a four-digit
    /// year states (and a Python `datetime`, which pandas and pyarrow readers make, can hold).
    package static let writable =
        Timestamp(year: 1, month: 1, day: 1)...Timestamp(
            year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59, microsecond: 999_999)

    /// ISO 8601 in UTC with `Z`: `2021-03-08T09:17:18Z`, with six fractional digits only when the
    /// instant has a sub-second part (`2021-03-08T09:17:18.116739Z`).
    package var description: String { iso8601 }

    package var iso8601: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        appendISO8601(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `iso8601`'s UTF-8 bytes to `out`, with no `String` in between.
    func appendISO8601(to out: inout [UInt8]) {
        var seconds = microseconds / 1_000_000
        var fraction = microseconds % 1_000_000
        if fraction < 0 {
            fraction += 1_000_000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = Int(seconds % 86_400)
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = Timestamp.civilFromDays(Int(days))
        // The year may fall outside 0...9999; every other field has a fixed number of digits.
        TextEncoding.appendDecimal(Int64(year), width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        TextEncoding.appendDigits(month, count: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        TextEncoding.appendDigits(day, count: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        TextEncoding.appendDigits(secondOfDay / 3600, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        TextEncoding.appendDigits(secondOfDay % 3600 / 60, count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        TextEncoding.appendDigits(secondOfDay % 60, count: 2, to: &out)
        if fraction != 0 {
            out.append(UInt8(ascii: "."))
            TextEncoding.appendDigits(Int(fraction), count: 6, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
    }

    /// The instant's date in UTC: year, month (1–12) and day.
    package var civilDate: (year: Int, month: Int, day: Int) {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds + 1) / 1_000_000 - 1
        let days = seconds >= 0 ? seconds / 86_400 : (seconds + 1) / 86_400 - 1
        return Self.civilFromDays(Int(days))
    }

    // Howard Hinnant's days_from_civil / civil_from_days, proleptic Gregorian calendar.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Timestamp {
    /// Parses the date-times archives use: `2021-03-08`, `2021-03-08 00:00:00`, `2021-03-08T00:00:00.5Z`,
    /// `2021-03-08T01:00:00+01:00`. A time without a zone is taken as UTC. Returns nil for anything else:
    /// an offset past 23:59, or an instant outside `writable` once the offset is applied.
    package init?(parsing text: some StringProtocol) {
        var scanner = DigitScanner(Array(text.utf8))
        scanner.skipSpaces()
        guard let year = scanner.number(digits: 4), scanner.take(UInt8(ascii: "-")),
              let month = scanner.number(digits: 2), scanner.take(UInt8(ascii: "-")),
              let day = scanner.number(digits: 2),
              (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, micro = 0, offsetSeconds = 0
        if scanner.take(UInt8(ascii: "T")) || scanner.take(UInt8(ascii: "t")) || scanner.takeSpaces() {
            guard let h = scanner.number(digits: 2), scanner.take(UInt8(ascii: ":")),
                  let m = scanner.number(digits: 2), h < 24, m < 60
            else { return nil }
            hour = h
            minute = m
            if scanner.take(UInt8(ascii: ":")) {
                guard let s = scanner.number(digits: 2), s < 60 else { return nil }
                second = s
                if scanner.take(UInt8(ascii: ".")) {
                    guard let (value, count) = scanner.fraction() else { return nil }
                    micro = value
                    for _ in count..<6 { micro *= 10 }
                }
            }
            scanner.skipSpaces()
            if scanner.take(UInt8(ascii: "Z")) || scanner.take(UInt8(ascii: "z")) {
            } else if let sign = scanner.takeSign() {
                guard let oh = scanner.number(digits: 2) else { return nil }
                _ = scanner.take(UInt8(ascii: ":"))
                let om = scanner.number(digits: 2) ?? 0
                guard oh < 24, om < 60 else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            }
        }
        scanner.skipSpaces()
        guard scanner.atEnd else { return nil }
        self.init(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: micro)
        microseconds -= Int64(offsetSeconds) * 1_000_000
        guard Timestamp.writable.contains(self) else { return nil }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// A cursor over ASCII digits and punctuation, for the fixed formats timestamps come in.
struct DigitScanner {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func takeSign() -> Int? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }

    mutating func skipSpaces() { _ = takeSpaces() }

    mutating func takeSpaces() -> Bool {
        let start = index
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") { index += 1 }
        return index > start
    }

    /// Exactly `digits` ASCII digits as a number.
    mutating func number(digits: Int) -> Int? {
        guard index + digits <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<digits {
            let byte = bytes[index + offset]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += digits
        return value
    }

    /// One to six fractional digits (more are read and truncated to microseconds).
    mutating func fraction() -> (Int, Int)? {
        var value = 0, count = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
            if count < 6 {
                value = value * 10 + Int(bytes[index] - 0x30)
                count += 1
            }
            index += 1
        }
        return count == 0 ? nil : (value, count)
    }
}
