/// A run's start or end as the manifest writes it (`2026-12-07T06:16:17.479860Z`), read without
/// Foundation: shown as `2026-12-07 06:16:17 UTC`, and subtracted for the run's duration.
struct RunTime: Equatable {
    /// Seconds since 1970-01-01T00:00:00Z.
    var seconds: Double
    /// `2026-12-07 06:16:17 UTC`.
    var shown: String

    /// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil for anything else.
    init?(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count else { return nil }
            var value = 0
            for index in range {
                guard ("0"..."9").contains(scalars[index]) else { return nil }
                value = value * 10 + Int(scalars[index].value - 48)
            }
            return value
        }
        func isScalar(_ index: Int, _ expected: Unicode.Scalar) -> Bool {
            index < scalars.count && scalars[index] == expected
        }
        guard let year = number(0..<4), isScalar(4, "-"), let month = number(5..<7), isScalar(7, "-"),
            let day = number(8..<10), isScalar(10, "T") || isScalar(10, " "), let hour = number(11..<13), isScalar(13, ":"),
            let minute = number(14..<16), isScalar(16, ":"), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if isScalar(index, ".") {
            index += 1
            var scale = 0.1
            while index < scalars.count, let digit = number(index..<index + 1) {
                fraction += Double(digit) * scale
                scale /= 10
                index += 1
            }
        }
        var offset = 0
        if isScalar(index, "Z"), index + 1 == scalars.count {
            offset = 0
        } else if isScalar(index, "+") || isScalar(index, "-"), let hours = number(index + 1..<index + 3),
            isScalar(index + 3, ":"), let minutes = number(index + 4..<index + 6), index + 6 == scalars.count
        {
            offset = (isScalar(index, "-") ? -1 : 1) * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        let days = ISOWeek.daysSinceEpoch(year: year, month: month, day: day)
        let whole = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        self.seconds = Double(whole) + fraction
        let clock = text.unicodeScalars.prefix(19).dropFirst(11)
        let date = text.unicodeScalars.prefix(10)
        self.shown = String(String.UnicodeScalarView(date)) + " " + String(String.UnicodeScalarView(clock))
            + (offset == 0 ? " UTC" : " " + String(String.UnicodeScalarView(text.unicodeScalars.dropFirst(index))))
    }

    /// `0.35 s`, `12.4 s`, `6 min 54 s`, `2 h 05 min`.
    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 10 { return NumberFormat.fixed(seconds, digits: 2) + " s" }
        if seconds < 60 { return NumberFormat.fixed(seconds, digits: 1) + " s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
        let minutes = (whole % 3600) / 60
        return "\(whole / 3600) h \(minutes < 10 ? "0" : "")\(minutes) min"
    }
}
