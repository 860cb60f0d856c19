import Testing

import ThreadlineSlack

@Suite struct SlackTimestampTests {
    @Test func keepsTheExactStringAndMicroseconds() throws {
        let ts = try #require(SlackTimestamp("1615199838.116739"))
        #expect(ts.raw == "1615199838.116739")
        #expect(ts.seconds == 1_615_199_838)
        #expect(ts.microseconds == 116_739)
        #expect(ts.microsecondsSinceEpoch == 1_615_199_838_116_739)
    }

    @Test(arguments: [
        ("1615199838", 1_615_199_838_000_000),
        ("1615199838.5", 1_615_199_838_500_000),
        ("1615199838.000001", 1_615_199_838_000_001),
        ("0.000000", 0),
    ] as [(String, Int64)])
    func padsShortFractions(raw: String, micros: Int64) throws {
        #expect(try #require(SlackTimestamp(raw)).microsecondsSinceEpoch == micros)
    }

    // The latest instant is the last microsecond of 9999-12-31 (UTC), the last an ISO 8601 date-time
    // with a four-digit year can state, so every ts can be written to JSON Lines and CSV.
    @Test func theLastMicrosecondOfYear9999IsTheLatest() throws {
        let last = try #require(SlackTimestamp("253402300799.999999"))
        #expect(last.microsecondsSinceEpoch == 253_402_300_799_999_999)
        #expect(SlackTimestamp("253402300800") == nil)
        #expect(SlackTimestamp("253402300800.000000") == nil)
        #expect(SlackTimestamp("999999999999.999999") == nil)
        #expect(SlackTimestamp("9999999999999") == nil)
        #expect(SlackTimestamp("99999999999999999.000600") == nil)
    }

    @Test(arguments: [
        "", ".5", "1.", "1.1234567", "-1.000001", "+1.000001", "1e9", "1.2.3", " 1.000001", "1.000001 ", "1234567890123.0",
        "１.0", "1.٢", "0x10.0",
    ])
    func rejectsWhatIsNotSecondsAndMicros(raw: String) {
        #expect(SlackTimestamp(raw) == nil)
    }

    @Test func ordersBySecondsThenMicroseconds() throws {
        let earlier = try #require(SlackTimestamp("1615199838.116739"))
        let later = try #require(SlackTimestamp("1615199838.116740"))
        #expect(earlier < later)
        let nine = try #require(SlackTimestamp("9.000001"))
        let ten = try #require(SlackTimestamp("10.000000"))
        #expect(nine < ten)
    }

    // Every spelling of an instant is one key, in Slack's form: `thread_ts` and `replies` lists name a
    // message however either spells it.
    @Test(arguments: [
        ("1615199838.5", "1615199838.500000"), ("1615199838", "1615199838.000000"),
        ("01615199838.000100", "1615199838.000100"), ("0.5", "0.500000"), ("1615199838.000100", "1615199838.000100"),
    ])
    func otherSpellingsOfAnInstantAreWrittenInSlacksForm(spelling: String, slackForm: String) throws {
        let ts = try #require(SlackTimestamp(spelling))
        #expect(ts.raw == slackForm)
        #expect(ts == SlackTimestamp(slackForm))
        #expect(!(ts < SlackTimestamp(slackForm)!) && !(SlackTimestamp(slackForm)! < ts))
    }
}
