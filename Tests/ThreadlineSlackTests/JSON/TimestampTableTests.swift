import Testing

@testable import ThreadlineSlack

@Suite struct TimestampTableTests {
    /// Each timestamp is found at its position; another spelling of one of the instants
    /// (`1.500` for `1.5`) is the same key, as every spelling of an instant is.
    @Test func findsEachTimestampByItsInstantWhateverItsSpelling() throws {
        let raws = ["1.5", "1.000050", "1700000000.000100", "1700000000.000200", "42"]
        let timestamps = try raws.map { try #require(SlackTimestamp($0)) }
        var table = TimestampTable(capacity: timestamps.count + 1)
        for (position, timestamp) in timestamps.enumerated() {
            #expect(table.position(of: timestamp) { timestamps[$0] == timestamp } == nil)
            table.insert(position, for: timestamp)
        }
        #expect(table.count == 5)
        for (position, timestamp) in timestamps.enumerated() {
            #expect(table.position(of: timestamp) { timestamps[$0] == timestamp } == position)
        }
        let respelt = try #require(SlackTimestamp("1.500"))
        #expect(table.position(of: respelt) { timestamps[$0] == respelt } == 0)
        let absent = try #require(SlackTimestamp("1.05"))
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
