import Foundation
import Testing

@testable import ThreadlineCore

/// A conversation read in parts (`part_bytes`): spooled to disk, sorted into threads and handed to the
/// transforms and writers a fragment at a time, it gives what reading it whole gives, byte for byte.
@Suite struct ConversationPartsTests {
    /// The samples with every conversation over `partBytes` read in parts.
    func pipeline(output: String, partBytes: String?) -> String {
        var text = samplesPipeline(output: output)
        if let partBytes {
            text = text.replacingOccurrences(
                of: "include: [\"slack-export\", \"slack-export.zip\", \"slack-json/*\"]",
                with: "include: [\"slack-export\", \"slack-export.zip\", \"slack-json/*\"]\n    part_bytes: \(partBytes)")
        }
        return text
    }

    @Test(arguments: ["700", "2KB", "16KB"])
    func aConversationReadInPartsGivesWhatReadingItWholeGives(partBytes: String) throws {
        let scratch = try Scratch()
        let whole = try runPipeline(scratch, pipeline(output: "whole", partBytes: nil))
        let file = try scratch.write("parts.yaml", pipeline(output: "parts", partBytes: partBytes))
        let spec = try PipelineLoader(environment: [:]).load(path: file)
        let runner = PipelineRunner(spec: spec)
        // The export's channel is read in parts: book-of-the-week/1/N … N/N.
        let plan = try runner.plan()
        let export = try #require(plan.entries.first { $0.input.relativePath == "slack-export" }?.input)
        let pieces = export.parts.compactMap { part -> String? in if case .piece(let name) = part.scope { name } else { nil } }
        #expect(pieces.count > 2)
        #expect(pieces.allSatisfy { SlackJSONSource.segment($0)?.name == "book-of-the-week" })
        #expect(export.parts.reduce(0) { $0 + $1.bytes } == export.bytes)
        let parts = try runner.run()
        for table in Table.allCases {
            for format in ["jsonl", "csv", "parquet"] {
                let name = "\(table.rawValue).\(format)"
                #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.path("parts/" + name)))
                    == Data(contentsOf: URL(fileURLWithPath: scratch.path("whole/" + name))), "\(name)")
            }
        }
        #expect(try scratch.read("parts/_rejects.jsonl") == scratch.read("whole/_rejects.jsonl"))
        #expect(parts.notes == whole.notes)
        #expect(parts.inputs.map { "\($0.path) \($0.rows) \($0.rejectedRows) \($0.status) \($0.sha256)" }
            == whole.inputs.map { "\($0.path) \($0.rows) \($0.rejectedRows) \($0.status) \($0.sha256)" })
        // The spool is gone with the run.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("parts/.threadline")).filter { $0.hasPrefix(".spool-") }.isEmpty)
    }

    /// The spool on its own: messages added out of order come back sorted by document, thread and
    /// place, cut into fragments of whole threads; each fragment knows the whole's counts and authors.
    @Test func theSpoolSortsAndCutsIntoFragmentsOfWholeThreads() throws {
        let scratch = try Scratch()
        let spool = try DocumentSpool(root: scratch.path(".threadline"), memoryBytes: 600)
        func message(_ key: String, _ author: String) -> Message { Message(key: key, authorRaw: author, textRaw: "text of \(key)") }
        var expected: [[String]] = []
        for thread in (0..<12).reversed() {
            let keys = (0..<(thread % 4 + 1)).map { "t\(thread)-m\($0)" }
            expected.insert(keys, at: 0)
            for (position, key) in keys.enumerated().reversed() {
                try spool.add(
                    document: 0, thread: .init(rank: 0, number: Int64(thread), text: ""), order: .init(rank: position == 0 ? 0 : 1, number: Int64(position), text: ""),
                    message(key, thread % 3 == 0 ? "Ann" : "Bo"))
            }
        }
        // 30 messages in 4 fragments: a fragment ends with the thread that takes it to 8 messages.
        let spooled = try spool.finish(fragments: 4, documents: [Document(id: "d", source: "slack_json", sourceFile: "x")])
        #expect(spooled.fragmentCount == 3)
        var threads: [[String]] = []
        for index in 0..<spooled.fragmentCount {
            let documents = try spooled.documents(ofFragment: index)
            #expect(documents.count == 1)
            #expect(index == 2 || documents[0].messageCount >= 8)
            let fragment = try #require(documents[0].fragment)
            #expect(fragment.index == index && fragment.isLast == (index == 2))
            #expect(fragment.whole.threadCount == 12 && fragment.whole.messageCount == 30)
            #expect(fragment.whole.authors.map(\.raw) == ["Ann", "Bo"])
            #expect(fragment.whole.authors.map(\.messages) == [1 + 4 + 3 + 2, 30 - 10])
            threads += documents[0].threads.map { $0.messages.map(\.key) }
        }
        #expect(threads == expected)
        #expect(try spooled.documents(ofFragment: 3).isEmpty)
    }
}
