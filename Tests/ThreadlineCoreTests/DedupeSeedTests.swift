import Foundation
import Testing

@testable import ThreadlineCore

/// The default pipeline on `seeds/`: the book of the week, its Slack export and the export's
/// slack-export-viewer pages, with `dedupe` (markdown preferred). Counts are the seed's: 96 book
/// messages in 29 threads; the export's 102 messages (the channel join left out) are those 96 and 6
/// that only Slack has: Dana's thread of 4 (a question, Martin's answer, Raj's broadcast, Dana's
/// thanks two days later), the bot's reminder and Raj's upload.
@Suite struct DedupeSeedTests {
    /// Rows by message id, of a run with `dedupe` and of one without it.
    static func runs() throws -> (deduped: [[String: Any]], all: [String: [String: Any]], report: RunReport, scratch: Scratch) {
        let scratch = try Scratch()
        let report = try SeedTransformTests().runDefaultPipeline(scratch)
        let plain = try Scratch()
        _ = try SeedTransformTests().runDefaultPipeline(plain, dedupe: false)
        let all = try readJSONLines(plain.path("out/messages.jsonl"))
        return (
            try readJSONLines(scratch.path("out/messages.jsonl")),
            Dictionary(uniqueKeysWithValues: all.map { ($0["message_id"] as! String, $0) }), report, scratch
        )
    }

    @Test func everyRealMessageOnceWithItsSlackTime() throws {
        let (rows, all, report, scratch) = try Self.runs()
        #expect(rows.count == 96 + 6)
        #expect(rows.filter { $0["source"] as? String == "markdown" }.count == 96)
        #expect(rows.filter { $0["source"] as? String == "slack_json" }.count == 6)
        #expect(rows.filter { $0["source"] as? String == "slack_html" }.isEmpty)
        for row in rows {
            let twins = try #require(row["duplicate_ids"] as? [String]).map { try #require(all[$0]) }
            let sources = twins.map { $0["source"] as? String ?? "" }
            if row["source"] as? String == "markdown" {
                // Both Slack renderings of every book message; the export's time to the microsecond.
                #expect(sources == ["slack_json", "slack_html"], "\(row["source_line"] ?? "")")
                let export = try #require(twins.first)
                #expect(row["sent_at"] as? String == export["sent_at"] as? String)
                #expect(row["author_id"] as? String == export["author_id"] as? String)
                // The same place: its position in the thread whose first message is the twin's first.
                #expect(row["position"] as? Int == export["position"] as? Int)
                let root = try #require(rows.first { $0["message_id"] as? String == row["thread_id"] as? String })
                #expect((root["duplicate_ids"] as? [String])?.first == export["thread_id"] as? String)
            } else {
                #expect(sources == ["slack_html"])
            }
            if let html = twins.last {
                // The page's time is the export's to the second.
                #expect((html["sent_at"] as? String)?.prefix(19) == (row["sent_at"] as? String)?.prefix(19))
            }
        }
        #expect(report.mergedRows == 96 * 2 + 6)
        #expect(report.isBalanced && report.inputRows == 300)
        #expect(report.notes.counts[Dedupe.matchedCategory] == ["markdown": 96, "slack_json": 102, "slack_html": 102])
        #expect(report.notes.total(Dedupe.unmatchedCategory) == 0 && report.notes.total(Dedupe.ambiguousCategory) == 0)
        #expect(report.keyChecks.allSatisfy { $0.passed })

        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/_manifest.json")))) as? [String: Any])
        let counts = try #require(manifest["rows"] as? [String: Any])
        #expect(counts["in"] as? Int == 300 && counts["out"] as? Int == 102 && counts["merged"] as? Int == 198)
        #expect(counts["balanced"] as? Bool == true)
        let notes = try #require(manifest["notes"] as? [String: Any])
        #expect(notes["dedupe_matched"] as? [String: Int] == ["markdown": 96, "slack_json": 102, "slack_html": 102])
        // Every source in every category, 0 when none: a key a nightly check can read.
        #expect(notes["dedupe_unmatched"] as? [String: Int] == ["markdown": 0, "slack_json": 0, "slack_html": 0])
        #expect(notes["dedupe_ambiguous"] as? [String: Int] == ["markdown": 0, "slack_json": 0, "slack_html": 0])
    }

    @Test func threadsAndAuthorsCountRealMessages() throws {
        let (rows, _, _, scratch) = try Self.runs()
        let threads = try readJSONLines(scratch.path("out/threads.jsonl"))
        // The book's 29 threads and the export's 3 others; each reply counted once.
        #expect(threads.count == 32)
        #expect(threads.reduce(0) { $0 + ($1["reply_count"] as? Int ?? 0) } == rows.count - threads.count)
        let dana = try #require(threads.first { $0["author"] as? String == "Dana Kowalska" })
        #expect(dana["reply_count"] as? Int == 3 && dana["participant_count"] as? Int == 3 && dana["host_replied"] as? Bool == true)
        #expect(dana["last_reply_at"] as? String == "2021-03-14T15:00:00.000300Z")
        // Every book thread starts at its Slack question's time.
        #expect(threads.filter { $0["source"] as? String == "markdown" }.allSatisfy { $0["started_at"] is String })
        let authors = try readJSONLines(scratch.path("out/authors.jsonl"))
        let martin = try #require(authors.first { $0["author_id"] as? String == "martin-kleppmann" })
        // 56 answers in the book and one in Dana's thread, which only Slack has.
        #expect(martin["message_count"] as? Int == 57)
        #expect(authors.reduce(0) { $0 + ($1["message_count"] as? Int ?? 0) } == rows.count)
        let documents = try readJSONLines(scratch.path("out/documents.jsonl"))
        let counts = Dictionary(uniqueKeysWithValues: documents.map { ($0["document_id"] as? String ?? "", $0["message_count"] as? Int ?? -1) })
        #expect(counts == ["20210308-designing-data-intensive-applications": 96, "slack_json:book-of-the-week": 6, "slack_html:book-of-the-week": 0])
    }
}
