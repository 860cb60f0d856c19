import Foundation
import Testing
import _CAllocationCount

@testable import ThreadlineCore

/// Work that must grow linearly with the input. Timing cannot show it on a shared machine, so these
/// tests count the heap allocations of the thread that reads an input, and the bytes they ask for
/// (`_CAllocationCount` stands in for malloc in the test executable), at two sizes: five times the
/// entries must cost about five times as much, where per-entry work that copies or splits the whole
/// file again (as quoting each reject's record once did) would cost about 25 times.
@Suite struct LinearWorkTests {
    /// What reading an input cost on this thread.
    struct Cost {
        var allocations: UInt64
        var bytes: UInt64

        /// How many times `other` this is, in allocations and in bytes.
        func ratio(to other: Cost) -> (allocations: Double, bytes: Double) {
            (Double(allocations) / Double(other.allocations), Double(bytes) / Double(other.bytes))
        }
    }

    /// What `work` cost on this thread, and what it gave.
    static func counting<Result>(_ work: () -> Result) -> (cost: Cost, result: Result) {
        let before = Cost(allocations: threadline_thread_allocations(), bytes: threadline_thread_allocated_bytes())
        let result = work()
        let cost = Cost(
            allocations: threadline_thread_allocations() - before.allocations, bytes: threadline_thread_allocated_bytes() - before.bytes)
        return (cost, result)
    }

    /// A podcast transcript whose entries have no author (`who`): section headers and stage
    /// directions, each rejected with its raw line as its record.
    static func transcript(entries: Int) -> String {
        var text = "---\ntitle: Episode 1\nstart: 2021-03-08 18:00:00\ntranscript:\n"
        for index in 0..<entries {
            text += index % 2 == 0 ? "- header: Part number \(index)\n" : "- line: '[laughter number \(index)]'\n"
        }
        return text + "---\n\nShow notes.\n"
    }

    static let transcriptOptions: [String: OptionValue] = [
        "include": .list(["*.md"]), "archive_key": .string("transcript"), "author_key": .string("who"), "text_key": .string("line"),
    ]

    /// Reads `text` as a markdown file through the markdown step on this thread; what it cost and
    /// what it gave.
    static func read(_ text: String, options: [String: OptionValue]) throws -> (cost: Cost, result: ExtractResult) {
        let scratch = try Scratch()
        _ = try scratch.write("episode.md", text)
        let source = MarkdownSource(options: StepOptions(MarkdownSource.type.options, values: options, stepLocation: SourceLocation(file: "test")))
        let input = Input(path: scratch.path("episode.md"), relativePath: "episode.md", sortKey: "episode", bytes: Int64(text.utf8.count))
        return Self.counting { source.read(input) }
    }

    @Test func aFileOfFiftyThousandRejectedEntriesCostsFiveTimesOneOfTenThousand() throws {
        let small = try Self.read(Self.transcript(entries: 10_000), options: Self.transcriptOptions)
        let large = try Self.read(Self.transcript(entries: 50_000), options: Self.transcriptOptions)
        // Every entry is a rejected row with its own line as its record.
        #expect(small.result.rejects.count == 10_000)
        #expect(large.result.rejects.count == 50_000)
        #expect(large.result.inputRows == 50_000)
        #expect(large.result.documents.first?.threads.isEmpty == true)
        let last = try #require(large.result.rejects.last)
        // `---`, title, start and `transcript:` come first: entry n is on line n + 5.
        #expect(last.line == 50_004)
        #expect(last.record == "- line: '[laughter number 49999]'")
        #expect(large.result.rejects[25_000].record == "- header: Part number 25000")
        // Each reject's record is a string of its own: at least one allocation per entry.
        #expect(small.cost.allocations >= 10_000)
        let ratio = large.cost.ratio(to: small.cost)
        #expect(ratio.allocations > 4.5 && ratio.allocations < 5.5, "\(large.cost) for 50,000 entries, \(small.cost) for 10,000")
        // Arrays grow by doubling, so the bytes may be a little under five times.
        #expect(ratio.bytes > 3.5 && ratio.bytes < 6, "\(large.cost) for 50,000 entries, \(small.cost) for 10,000")
    }

    /// The same for entries that are read: messages of a document, linked into threads.
    @Test func aFileOfFiftyThousandEntriesCostsFiveTimesOneOfTenThousand() throws {
        func archive(_ entries: Int) -> String {
            var text = "---\ntitle: Week 1\narchive:\n"
            for index in 0..<entries { text += "- name: Person \(index % 97)\n  text: Question number \(index), with some words\n" }
            return text + "---\n"
        }
        let small = try Self.read(archive(10_000), options: ["include": .list(["*.md"])])
        let large = try Self.read(archive(50_000), options: ["include": .list(["*.md"])])
        #expect(small.result.documents.first?.threads.count == 10_000)
        #expect(large.result.documents.first?.threads.count == 50_000)
        #expect(large.result.rejects.isEmpty)
        let ratio = large.cost.ratio(to: small.cost)
        #expect(ratio.allocations > 4.5 && ratio.allocations < 5.5, "\(large.cost) for 50,000 entries, \(small.cost) for 10,000")
        #expect(ratio.bytes > 3.5 && ratio.bytes < 6, "\(large.cost) for 50,000 entries, \(small.cost) for 10,000")
    }

    /// A Slack export of one conversation of `messages` messages on one day: a thread every ten
    /// messages, its replies after it, some messages with a key given twice (rejected with their JSON).
    static func export(messages: Int, in scratch: Scratch) throws -> String {
        _ = try scratch.write("export/users.json", #"[{"id": "U1", "name": "ana", "profile": {"display_name": "Ana"}}]"#)
        _ = try scratch.write("export/channels.json", #"[{"id": "C1", "name": "general"}]"#)
        var day = "[\n"
        for index in 0..<messages {
            let ts = "1609459200.\(String(format: "%06d", index))"
            let parent = "1609459200.\(String(format: "%06d", index - index % 10))"
            let thread = index % 10 == 0 ? "" : #", "thread_ts": "\#(parent)", "parent_user_id": "U1""#
            let twice = index % 50 == 49 ? #", "user": "U1""# : ""
            day += #"{"type": "message", "user": "U1", "ts": "\#(ts)", "text": "message &amp; number \#(index) :wave:"\#(thread)\#(twice)}"#
            day += index + 1 < messages ? ",\n" : "\n]\n"
        }
        return try scratch.write("export/general/2021-01-01.json", day)
    }

    /// Reads the Slack export `export` in `scratch` through the slack_json step on this thread; what
    /// it cost and what it gave.
    static func readExport(in scratch: Scratch) throws -> (cost: Cost, result: ExtractResult) {
        let source = SlackJSONSource(options: StepOptions(
            SlackJSONSource.type.options, values: ["include": .list(["export"])], stepLocation: SourceLocation(file: "test")))
        let input = try #require(try source.plan(InputCatalog(root: scratch.root)).first)
        return Self.counting { source.read(input) }
    }

    /// The same for a conversation of a Slack export: its messages are read, rejected and put
    /// into threads in time proportional to their number.
    @Test func aConversationOfFiftyThousandMessagesCostsFiveTimesOneOfTenThousand() throws {
        func read(_ messages: Int) throws -> (cost: Cost, result: ExtractResult) {
            let scratch = try Scratch()
            _ = try Self.export(messages: messages, in: scratch)
            return try Self.readExport(in: scratch)
        }
        // A first read pays for what is made once per process (tables built on first use), so the
        // two measured reads count only what grows with the messages, whatever ran before.
        _ = try read(100)
        let small = try read(10_000)
        let large = try read(50_000)
        #expect(large.result.inputRows == 50_000)
        #expect(large.result.rejects.count == 1_000)
        #expect(large.result.rejects.first?.reason.contains("the key 'user' twice") == true)
        #expect(large.result.documents.first?.threads.count == 5_000)
        #expect(large.result.documents.first?.messageCount == 49_000)
        let ratio = large.cost.ratio(to: small.cost)
        #expect(ratio.allocations > 4.5 && ratio.allocations < 5.5, "\(large.cost) for 50,000 messages, \(small.cost) for 10,000")
        #expect(ratio.bytes > 3.5 && ratio.bytes < 6, "\(large.cost) for 50,000 messages, \(small.cost) for 10,000")
    }

    /// One message of a day file with many keys (a hostile export): its keys are checked for
    /// repeats in time proportional to their number, not their square.
    @Test func aMessageOfFiftyThousandKeysCostsFiveTimesOneOfTenThousand() throws {
        func read(_ keys: Int) throws -> (cost: Cost, result: ExtractResult) {
            let scratch = try Scratch()
            _ = try scratch.write("export/users.json", "[]")
            _ = try scratch.write("export/channels.json", #"[{"id": "C1", "name": "general"}]"#)
            let fields = (0..<keys).map { #""field\#($0)": \#($0)"# }.joined(separator: ", ")
            _ = try scratch.write("export/general/2021-01-01.json", #"[{"ts": "1609459200.000001", "text": "many keys", \#(fields)}]"#)
            return try Self.readExport(in: scratch)
        }
        let small = try read(10_000)
        let large = try read(50_000)
        #expect(large.result.rejects.isEmpty)
        #expect(large.result.documents.first?.messageCount == 1)
        let ratio = large.cost.ratio(to: small.cost)
        #expect(ratio.allocations > 4 && ratio.allocations < 6, "\(large.cost) for 50,000 keys, \(small.cost) for 10,000")
        #expect(ratio.bytes > 3.5 && ratio.bytes < 6.5, "\(large.cost) for 50,000 keys, \(small.cost) for 10,000")
    }
}
