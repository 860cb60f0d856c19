import Testing

@testable import ThreadlineSlack

@Suite struct TimestampTableTests {
    /// Timestamps with the same instant written differently are different keys, as their strings are.
    @Test func findsEachTimestampByItsStringNotOnlyItsInstant() throws {
        let raws = ["1.5", "1.500000", "1.50", "1700000000.000100", "1700000000.000200", "42"]
        let timestamps = try raws.map { try #require(SlackTimestamp($0)) }
        var table = TimestampTable(capacity: timestamps.count)
        for (position, timestamp) in timestamps.enumerated() {
            #expect(table.position(of: timestamp) { timestamps[$0] == timestamp } == nil)
            table.insert(position, for: timestamp)
        }
        #expect(table.count == 6)
        for (position, timestamp) in timestamps.enumerated() {
            #expect(table.position(of: timestamp) { timestamps[$0] == timestamp } == position)
        }
        let absent = try #require(SlackTimestamp("1.500"))
        #expect(table.position(of: absent) { timestamps[$0] == absent } == nil)
    }

    /// A full conversation's worth: every position comes back, none is lost to a collision.
    @Test func holdsAsManyTimestampsAsItWasMadeFor() throws {
        let timestamps = try (0..<5_000).map { try #require(SlackTimestamp("1700000000.\(String(format: "%06d", $0 * 7))")) }
        var table = TimestampTable(capacity: timestamps.count)
        for (position, timestamp) in timestamps.enumerated() { table.insert(position, for: timestamp) }
        let found = timestamps.map { timestamp in table.position(of: timestamp) { timestamps[$0] == timestamp } }
        #expect(found == Array(timestamps.indices))
    }
}
