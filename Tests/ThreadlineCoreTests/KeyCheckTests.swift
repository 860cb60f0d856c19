import Foundation
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineCore

/// The tables' keys: declared in the schema, and checked on the rows every run writes.
@Suite struct KeyCheckTests {
    @Test func theSchemaDeclaresEveryTablesKeys() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Reference.schemaJSON().utf8)) as? [[String: Any]])
        let keys = json.map { table in
            let foreign = (table["foreign_keys"] as? [[String: Any]] ?? []).map { key in
                let target = key["references"] as? [String: String] ?? [:]
                return "\(key["column"] ?? "") → \(target["table"] ?? "").\(target["column"] ?? "")"
            }
            return "\(table["table"] ?? ""): \(table["primary_key"] ?? "") [\(foreign.joined(separator: ", "))]"
        }
        #expect(keys == [
            "messages: message_id [thread_id → threads.thread_id, parent_id → messages.message_id, document_id → documents.document_id, author_id → authors.author_id]",
            "threads: thread_id [thread_id → messages.message_id, document_id → documents.document_id, author_id → authors.author_id]",
            "documents: document_id []",
            "authors: author_id []",
        ])
    }

    /// The default pipeline over every source: every key holds, and the manifest lists each check.
    @Test func everyKeyHoldsOnTheDefaultRunAndTheManifestListsTheChecks() throws {
        let scratch = try Scratch()
        let report = try SeedTransformTests().runDefaultPipeline(scratch)
        #expect(report.keyChecks.count == 4 * 2 + 4 + 3)
        #expect(report.keyChecks.allSatisfy { $0.passed })
        let messages = try #require(report.keyChecks.first { $0.name == "messages.message_id unique" })
        #expect(messages.rows == report.rowsPerTable[.messages])
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/_manifest.json")))) as? [String: Any])
        let checks = try #require(manifest["checks"] as? [[String: Any]])
        #expect(checks.count == 15)
        #expect(checks.allSatisfy { $0["status"] as? String == "pass" && $0["failures"] as? Int == 0 })
        let parent = try #require(checks.first { $0["column"] as? String == "parent_id" })
        #expect(parent["check"] as? String == "relationship")
        #expect(parent["references"] as? String == "messages.message_id")
    }

    /// A run that writes a duplicated message id and a reply to a message that is not there (as a bug
    /// would) fails with status 1, names the values, and changes no output.
    @Test func aBrokenKeyFailsTheRunNamingTheValuesAndChangesNoOutput() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(MarkdownSourceTests.seed, to: "inputs/" + MarkdownSourceTests.seed)
        let file = try scratch.write("pipeline.yaml", basicPipeline())
        let spec = try PipelineLoader(environment: [:]).load(path: file)
        _ = try PipelineRunner(spec: spec).run()
        let before = try scratch.read("out/messages.jsonl")
        let runner = PipelineRunner(spec: spec, alterRows: { table, rows in
            guard table == .messages, rows.count > 2 else { return }
            rows[1][0] = rows[0][0]
            rows[2][2] = .string("no-such-message")
        })
        let error = try #require(throws: ThreadlineError.self) { try runner.run() }
        #expect(error.status == .dataError)
        let message = try #require(error.diagnostics.first?.message)
        let duplicated = try Self.firstMessageID(before)
        #expect(message.contains("messages.message_id unique: 1 of 96 rows fail ('\(duplicated)')"))
        #expect(message.contains("messages.parent_id → messages.message_id: 1 of 96 rows fail ('no-such-message')"))
        #expect(try scratch.read("out/messages.jsonl") == before)
    }

    static func firstMessageID(_ jsonl: String) throws -> String {
        let first = try #require(jsonl.split(separator: "\n").first)
        let row = try #require(try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any])
        return try #require(row["message_id"] as? String)
    }

    /// The key check's set of hashes answers as `Set<UInt64>` does, through its growths, for 0 and
    /// for hashes that share their low bits (one slot of the table, probed past).
    @Test func keyHashSetAnswersAsASetDoes() {
        var generator = SplitMix64(seed: 18)
        let random = (0..<50_000).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }
        let sameSlot = (1...200).map { UInt64($0) << 40 }
        let values = random + sameSlot + [0, 1, UInt64.max]
        var set = KeyHashSet()
        var expected = Set<UInt64>()
        let differing = (values + values.prefix(1_000) + [0]).filter { set.insert($0) != expected.insert($0).inserted }
        #expect(differing.isEmpty)
        #expect(set.count == expected.count)
        #expect(values.filter { !set.contains($0) }.isEmpty)
        let absent = (0..<5_000).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }.filter { !expected.contains($0) }
        #expect((absent + [2, 201 << 40]).filter { set.contains($0) }.isEmpty)
        #expect(!KeyHashSet().contains(0) && !KeyHashSet().contains(7))
    }

    @Test func keysAreHashedTheSameWayInEveryRun() {
        #expect(KeyCheck.hash("") != KeyCheck.hash("a"))
        #expect(KeyCheck.hash("2f3c9a1b0d4e5f60") == KeyCheck.hash("2f3c9a1b0d4e5f60"))
        #expect(KeyCheck.hash("ab") != KeyCheck.hash("ba"))
    }
}
