/// An ISO 8601 week: weeks start on Monday, and week 1 is the week holding the year's first Thursday,
/// so 2021-01-03 (a Sunday) is in 2020-W53 and 2024-12-30 (a Monday) in 2025-W01.
public struct ISOWeek: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var week: Int

    public init(year: Int, week: Int) {
        self.year = year
        self.week = week
    }

    /// The week holding the calendar date `year`-`month`-`day` (proleptic Gregorian).
    public init(year: Int, month: Int, day: Int) {
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        // 1970-01-01 was a Thursday: weekday 1 is Monday, 7 Sunday.
        let weekday = Self.floorMod(days + 3, 7) + 1
        let ordinal = days - Self.daysSinceEpoch(year: year, month: 1, day: 1) + 1
        let week = (ordinal - weekday + 10) / 7
        if week < 1 {
            self.init(year: year - 1, week: Self.weeks(inYear: year - 1))
        } else if week > Self.weeks(inYear: year) {
            self.init(year: year + 1, week: 1)
        } else {
            self.init(year: year, week: week)
        }
    }

    /// `2021-W10`.
    public var description: String {
        "\(year)-W\(week < 10 ? "0" : "")\(week)"
    }

    /// The week after this one.
    public var next: ISOWeek {
        week >= Self.weeks(inYear: year) ? ISOWeek(year: year + 1, week: 1) : ISOWeek(year: year, week: week + 1)
    }

    /// 53 for a year that starts on a Thursday, or a leap year that starts on a Wednesday; else 52.
    public static func weeks(inYear year: Int) -> Int {
        func dayOfDecember31(_ year: Int) -> Int {
            floorMod(year + floorDiv(year, 4) - floorDiv(year, 100) + floorDiv(year, 400), 7)
        }
        return dayOfDecember31(year) == 4 || dayOfDecember31(year - 1) == 3 ? 53 : 52
    }

    public static func < (lhs: ISOWeek, rhs: ISOWeek) -> Bool {
        (lhs.year, lhs.week) < (rhs.year, rhs.week)
    }

    /// Days from 1970-01-01 to the date, negative before it.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        // Years counted from March, so that the leap day ends a year.
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    static func floorMod(_ a: Int, _ b: Int) -> Int {
        a - floorDiv(a, b) * b
    }
}
