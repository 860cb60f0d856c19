import Testing

@testable import ThreadlineReport

@Suite struct HTMLTextTests {
    @Test func markupCharactersAreEscaped() {
        #expect(HTMLText.escape(#"<script>alert("x")</script> O'Brien & Co"#)
            == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; Co")
        #expect(HTMLText.escape("&amp;") == "&amp;amp;")
    }

    @Test func charactersNoPageMayHoldAreReplaced() {
        #expect(HTMLText.escape("a\u{0}b\u{1B}c\u{7F}d\u{85}e\u{FFFF}f\u{1FFFE}") == "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{FFFD}f\u{FFFD}")
        #expect(HTMLText.escape("tab\tline\nreturn\r") == "tab\tline\nreturn\r")
        #expect(HTMLText.escape("Zoë 🦊 张伟 محمد") == "Zoë 🦊 张伟 محمد")
    }

    @Test func attributeValuesCannotBeLeft() {
        var m = Markup()
        m.element("text", ["class": "a\" onmouseover=\"alert(1)"], text: "<b>")
        #expect(m.text == "<text class=\"a&quot; onmouseover=&quot;alert(1)\">&lt;b&gt;</text>")
        let tag = Scan.tags(m.text)[0]
        #expect(tag.attributes == ["class": "a\" onmouseover=\"alert(1)"])
    }

    @Test func shortTextIsNotCut() {
        #expect(HTMLText.truncate("Martin Kleppmann", toEm: 19) == "Martin Kleppmann")
        #expect(HTMLText.truncate("", toEm: 19) == "")
    }

    @Test func cutTextEndsInAnEllipsisWithoutTrailingSpace() {
        let cut = HTMLText.truncate("aaaa bbbb cccc dddd", toEm: 3.5)
        #expect(cut == "aaaa…")
    }
}

@Suite struct NumberFormatTests {
    @Test func grouped() {
        #expect(NumberFormat.grouped(0) == "0")
        #expect(NumberFormat.grouped(999) == "999")
        #expect(NumberFormat.grouped(1_000) == "1,000")
        #expect(NumberFormat.grouped(1_234_567) == "1,234,567")
        #expect(NumberFormat.grouped(-45_000) == "-45,000")
        #expect(NumberFormat.grouped(Int.min) == "-9,223,372,036,854,775,808")
    }

    @Test func percentagesNeverRoundToNoneOrAll() {
        #expect(NumberFormat.percent(Share(part: 86, whole: 93)) == "92%")
        #expect(NumberFormat.percent(Share(part: 0, whole: 93)) == "0%")
        #expect(NumberFormat.percent(Share(part: 93, whole: 93)) == "100%")
        #expect(NumberFormat.percent(Share(part: 1, whole: 1_000)) == "<1%")
        #expect(NumberFormat.percent(Share(part: 999, whole: 1_000)) == ">99%")
        #expect(NumberFormat.percent(Share(part: 1, whole: 200)) == "1%")
        #expect(NumberFormat.percent(Share(part: 3, whole: 0)) == "–")
    }

    @Test func compact() {
        #expect(NumberFormat.compact(9_999) == "9,999")
        #expect(NumberFormat.compact(10_000) == "10k")
        #expect(NumberFormat.compact(12_345) == "12.3k")
        #expect(NumberFormat.compact(12_350) == "12.4k")
        #expect(NumberFormat.compact(250_000) == "250k")
        #expect(NumberFormat.compact(1_500_000) == "1.5M")
        #expect(NumberFormat.compact(2_000_000_000) == "2B")
        #expect(NumberFormat.compact(Int.max) == "9.2E")
    }

    @Test func fixed() {
        #expect(NumberFormat.fixed(0) == "0")
        #expect(NumberFormat.fixed(12.5) == "12.5")
        #expect(NumberFormat.fixed(100.0 / 3) == "33.33")
        #expect(NumberFormat.fixed(-3.256) == "-3.26")
        #expect(NumberFormat.fixed(0.004) == "0")
        #expect(NumberFormat.fixed(-0.004) == "0")
        #expect(NumberFormat.fixed(7.25, digits: 1) == "7.3")
        #expect(NumberFormat.fixed(.infinity) == "0")
    }
}

@Suite struct ISOWeekTests {
    @Test(arguments: [
        (2021, 3, 8, "2021-W10"), (2021, 3, 14, "2021-W10"), (2021, 3, 15, "2021-W11"),
        (2021, 1, 3, "2020-W53"), (2021, 1, 4, "2021-W01"), (2020, 12, 31, "2020-W53"),
        (2024, 12, 30, "2025-W01"), (2026, 1, 1, "2026-W01"), (2027, 1, 1, "2026-W53"),
        (2000, 2, 29, "2000-W09"), (1970, 1, 1, "1970-W01"), (1969, 12, 29, "1970-W01"),
    ])
    func weekOfADate(year: Int, month: Int, day: Int, week: String) {
        #expect(ISOWeek(year: year, month: month, day: day).description == week)
    }

    @Test func yearsOf53Weeks() {
        let long = (1990...2040).filter { ISOWeek.weeks(inYear: $0) == 53 }
        #expect(long == [1992, 1998, 2004, 2009, 2015, 2020, 2026, 2032, 2037])
    }

    /// Walking every day of forty years: the week changes exactly on Mondays, to the week `next` gives.
    @Test func weeksChangeOnMondaysAndFollowEachOther() {
        func daysIn(_ month: Int, _ year: Int) -> Int {
            switch month {
            case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
            case 4, 6, 9, 11: return 30
            default: return 31
            }
        }
        var previous = ISOWeek(year: 1979, month: 12, day: 31)
        var weekday = 1  // 1979-12-31 was a Monday.
        var weeks = 1
        for year in 1980...2019 {
            for month in 1...12 {
                for day in 1...daysIn(month, year) {
                    weekday = weekday % 7 + 1
                    let week = ISOWeek(year: year, month: month, day: day)
                    if weekday == 1 {
                        #expect(week == previous.next, "\(year)-\(month)-\(day)")
                        weeks += 1
                    } else {
                        #expect(week == previous, "\(year)-\(month)-\(day)")
                    }
                    previous = week
                }
            }
        }
        // 1980-W01 through 2020-W01 (which starts on 2019-12-30), each counted once.
        #expect(weeks == (1980...2019).reduce(0) { $0 + ISOWeek.weeks(inYear: $1) } + 1)
        #expect(previous == ISOWeek(year: 2020, week: 1))
    }

    @Test func weeksAreOrderedByYearThenWeek() {
        #expect(ISOWeek(year: 2020, week: 53) < ISOWeek(year: 2021, week: 1))
        #expect(ISOWeek(year: 2021, week: 9) < ISOWeek(year: 2021, week: 10))
        #expect(ISOWeek(year: 2020, week: 53).next == ISOWeek(year: 2021, week: 1))
        #expect(ISOWeek(year: 2021, week: 52).next == ISOWeek(year: 2022, week: 1))
    }
}

@Suite struct RunTimeTests {
    @Test func manifestTimesAreShownInUTCAndSubtracted() throws {
        let start = try #require(RunTime("2026-12-07T06:16:17.479860Z"))
        let end = try #require(RunTime("2026-12-07T06:16:17.828231Z"))
        #expect(start.shown == "2026-12-07 06:16:17 UTC")
        #expect(RunTime.duration(end.seconds - start.seconds) == "0.35 s")
        let midnight = try #require(RunTime("2027-01-01T00:00:00Z"))
        let before = try #require(RunTime("2026-12-31T23:59:59.5Z"))
        #expect(midnight.seconds - before.seconds == 0.5)
        #expect(try #require(RunTime("1970-01-02T00:00:00Z")).seconds == 86_400)
    }

    @Test func offsetsCountTowardsUTC() throws {
        let local = try #require(RunTime("2026-12-07T08:16:17+02:00"))
        #expect(local.seconds == (try #require(RunTime("2026-12-07T06:16:17Z"))).seconds)
        #expect(local.shown == "2026-12-07 08:16:17 +02:00")
    }

    @Test(arguments: ["", "yesterday", "2026-12-07", "2026-13-07T06:16:17Z", "2026-12-07T06:16:17", "2026-12-07T06:16:17Zjunk", "２０２６-12-07T06:16:17Z"])
    func anythingElseIsShownAsWritten(text: String) {
        #expect(RunTime(text) == nil)
    }

    @Test func durations() {
        #expect(RunTime.duration(12.44) == "12.4 s")
        #expect(RunTime.duration(414) == "6 min 54 s")
        #expect(RunTime.duration(7_500) == "2 h 05 min")
        #expect(RunTime.duration(-1) == "–")
    }
}
