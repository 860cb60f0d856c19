import Foundation
import Testing

@testable import ThreadlineSlack

@Suite struct SlackThreadAssemblerTests {
    /// Records from one-line JSON messages; the file is `day<N>.json` and the line is the index + 1.
    private func records(_ lines: [String], file: String = "c/2021-01-01.json") throws -> [SlackMessageRecord] {
        try lines.enumerated().map { index, json in
            let message = try JSONDecoder().decode(SlackMessage.self, from: Data(json.utf8))
            return SlackMessageRecord(
                message: message, file: file, line: index + 1,
                author: SlackDirectory().author(of: message), text: message.text)
        }
    }

    private func shape(_ threads: [SlackThread]) -> [String] {
        threads.map { thread in
            "\(thread.root?.message.ts.raw ?? "missing:\(thread.key.raw)") <- "
                + thread.replies.map(\.message.ts.raw).joined(separator: ",")
        }
    }

    @Test func groupsRepliesAcrossDayFilesInTSOrder() throws {
        let day1 = try records([
            #"{"ts":"100.000001","user":"U1","thread_ts":"100.000001","reply_count":2}"#,
            #"{"ts":"100.000300","user":"U2","thread_ts":"100.000001"}"#,
            #"{"ts":"150.000000","user":"U2"}"#,
        ])
        let day2 = try records([#"{"ts":"100.000020","user":"U1","thread_ts":"100.000001"}"#], file: "c/2021-01-02.json")
        let result = SlackThreadAssembler().assemble(day2 + day1)
        #expect(shape(result.threads) == ["100.000001 <- 100.000020,100.000300", "150.000000 <- "])
        #expect(result.threads[0].replies.map(\.file) == ["c/2021-01-02.json", "c/2021-01-01.json"])
        #expect(result.counts.threads == 2)
        #expect(result.counts.replies == 2)
        #expect(result.counts.kept == 4)
    }

    @Test func oldRepliesListsPlaceRepliesWithoutThreadTS() throws {
        let result = SlackThreadAssembler().assemble(try records([
            #"{"ts":"1.000001","user":"U1","replies":[{"user":"U2","ts":"2.000000"},{"ts":"9.000000"}]}"#,
            #"{"ts":"2.000000","user":"U2"}"#,
        ]))
        #expect(shape(result.threads) == ["1.000001 <- 2.000000"])
        #expect(result.counts.placedByRepliesList == 1)
        #expect(result.counts.listedRepliesNotFound == 1)
    }

    @Test func keepsTombstoneParentsAndRepliesToMissingParents() throws {
        let result = SlackThreadAssembler().assemble(try records([
            #"{"ts":"5.000000","subtype":"tombstone","user":"USLACKBOT","hidden":true,"thread_ts":"5.000000","text":"This message was deleted."}"#,
            #"{"ts":"6.000000","user":"U1","thread_ts":"5.000000"}"#,
            #"{"ts":"8.000000","user":"U1","thread_ts":"3.000000","parent_user_id":"U2"}"#,
            #"{"ts":"9.000000","user":"U2","thread_ts":"3.000000"}"#,
        ]))
        #expect(shape(result.threads) == ["missing:3.000000 <- 8.000000,9.000000", "5.000000 <- 6.000000"])
        #expect(result.threads[0].isParentMissing)
        #expect(result.threads[1].root?.isTombstone == true)
        #expect(result.counts.missingParents == 1)
        #expect(result.counts.tombstones == 1)
        #expect(result.counts.kept == 4)
    }

    @Test func countsABroadcastOnceInItsThread() throws {
        let result = SlackThreadAssembler().assemble(try records([
            #"{"ts":"1.000000","user":"U1","thread_ts":"1.000000"}"#,
            #"{"ts":"2.000000","subtype":"thread_broadcast","user":"U2","thread_ts":"1.000000","root":{"ts":"1.000000"}}"#,
        ]))
        #expect(shape(result.threads) == ["1.000000 <- 2.000000"])
        #expect(result.counts.broadcasts == 1)
        #expect(result.threads[0].replies[0].isBroadcast)
    }

    @Test func skipsConfiguredSubtypesAndDropsDuplicatesWithCounts() throws {
        let input = try records([
            #"{"ts":"1.000000","subtype":"channel_join","user":"U1"}"#,
            #"{"ts":"2.000000","subtype":"channel_topic","user":"U1"}"#,
            #"{"ts":"3.000000","subtype":"channel_join","user":"U2"}"#,
            #"{"ts":"4.000000","user":"U2"}"#,
            #"{"ts":"4.000000","user":"U2","text":"again"}"#,
        ])
        let result = SlackThreadAssembler().assemble(input)
        #expect(result.counts.skippedBySubtype == ["channel_join": 2, "channel_topic": 1])
        #expect(result.counts.duplicates == 1)
        #expect(result.duplicates.map { [$0.duplicate.line, $0.original.line] } == [[5, 4]])
        #expect(result.counts.kept + result.counts.skipped + result.counts.duplicates == input.count)

        let keepAll = SlackThreadAssembler(skipSubtypes: []).assemble(input)
        #expect(keepAll.counts.kept == 4)
        #expect(keepAll.counts.skippedBySubtype.isEmpty)
    }
}
