import Testing

@testable import ThreadlineCore

@Suite struct DocumentTimesTests {
    static func message(_ seconds: Int64?) -> Message {
        Message(key: "\(seconds ?? -1)", authorRaw: "A", textRaw: "", sentAt: seconds.map { Timestamp(microseconds: $0 * 1_000_000) })
    }

    @Test func spansTheEarliestAndLatestTimeOfAnyThreadSkippingMessagesWithoutOne() {
        var document = Document(id: "d", source: "slack_json", sourceFile: "e", threads: [
            Thread(messages: [Self.message(50), Self.message(nil), Self.message(70)]),
            Thread(messages: [Self.message(nil)]),
            Thread(messages: [Self.message(20), Self.message(90), Self.message(30)]),
        ])
        document.spanMessageTimes()
        #expect(document.startsAt == Timestamp(microseconds: 20_000_000))
        #expect(document.endsAt == Timestamp(microseconds: 90_000_000))
    }

    @Test func noTimesLeavesBothNil() {
        var document = Document(
            id: "d", source: "slack_json", sourceFile: "e", startsAt: Timestamp(microseconds: 1), endsAt: Timestamp(microseconds: 2),
            threads: [Thread(messages: [Self.message(nil)])])
        document.spanMessageTimes()
        #expect(document.startsAt == nil)
        #expect(document.endsAt == nil)
    }
}
