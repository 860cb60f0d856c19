import Foundation
import Testing
import _CAllocationCount

@testable import ThreadlineCore

/// A conversation or an HTML page read in parts (`part_bytes`): spooled to disk, sorted into threads and
/// handed to the transforms and writers a fragment at a time, it gives what reading it whole gives,
/// byte for byte.
@Suite struct ConversationPartsTests {
    /// The samples with every conversation over `partBytes` read in parts.
    func pipeline(output: String, partBytes: String?) -> String {
        var text = samplesPipeline(output: output)
        if let partBytes {
            text = text.replacingOccurrences(
                of: "include: [\"slack-export\", \"slack-export.zip\", \"slack-json/*\"]",
                with: "include: [\"slack-export\", \"slack-export.zip\", \"slack-json/*\"]\n    part_bytes: \(partBytes)")
            text = text.replacingOccurrences(
                of: "include: [\"slack-html/**/*.html\", \"slack-html-single/*.html\", \"slackdump/**/*.html\"]",
                with: "include: [\"slack-html/**/*.html\", \"slack-html-single/*.html\", \"slackdump/**/*.html\"]\n    part_bytes: \(partBytes)")
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
        // So are the HTML pages, the slackdump page with its thread page.
        for page in ["slack-html/channel/book-of-the-week/index.html", "slack-html-single/slack-export.html", "slackdump/archives/C0BOTW/index.html"] {
            let input = try #require(plan.entries.first { $0.input.relativePath == page }?.input)
            #expect(input.parts.count > 1 || partBytes == "16KB" && page.hasPrefix("slackdump"), "\(page)")
            #expect(input.parts.reduce(0) { $0 + $1.bytes } == input.bytes)
        }
        let parts = try runner.run()
        try expectSameTables(scratch, "parts", as: "whole")
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

    /// What the spool's merge of its last runs may hold more for one channel than for another:
    /// from 1 to 16 runs, each a read buffer and a chunk.
    static let mergeBuffers = Int64(DocumentSpool.maxMerged * 2 * DocumentSpool.readBytes)

    /// A Slack export of one channel of `messages` messages, 250 a day: a thread every ten
    /// messages, whose replies come up to 2,000 messages (eight day files) later, texts of about 20 words.
    static func export(messages: Int, perDay: Int = 250, in scratch: Scratch) throws {
        _ = try scratch.write("export/users.json", #"[{"id": "U1", "name": "ana", "profile": {"display_name": "Ana"}}, {"id": "U2", "name": "bo"}]"#)
        _ = try scratch.write("export/channels.json", #"[{"id": "C1", "name": "general"}]"#)
        let words = ["replica", "leader", "log", "commit", "snapshot", "the", "a", "partition", "stream", "isolation"]
        for day in 0..<((messages + perDay - 1) / perDay) {
            var text = "[\n"
            for index in (day * perDay)..<min(messages, day * perDay + perDay) {
                let ts = "\(1_609_459_200 + index * 30).000100"
                // Message n of a run of ten replies to thread n / 10 - 200 (the first threads have none).
                let parent = index % 10 == 0 || index < 2_000 ? nil : "\(1_609_459_200 + (index / 10 * 10 - 2_000 + (index % 7) * 10) * 30).000100"
                let body = (0..<20).map { words[(index * 7 + $0 * 3) % words.count] }.joined(separator: " ") + " number \(index)"
                text += #"{"type": "message", "user": "U\#(index % 3 == 0 ? 1 : 2)", "ts": "\#(ts)", "text": "\#(body)""#
                text += (parent.map { #", "thread_ts": "\#($0)""# } ?? "") + "}"
                text += index + 1 < min(messages, day * perDay + perDay) ? ",\n" : "\n]\n"
            }
            _ = try scratch.write("export/general/\(Self.day(day)).json", text)
        }
    }

    /// `2021-01-01` and the days after it.
    static func day(_ number: Int) -> String {
        let date = Date(timeIntervalSince1970: 1_609_459_200 + Double(number) * 86_400)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// What reading a channel part by part, as the runner does (each part's result let go before the
    /// next), held at most at once on this thread, and what the parts gave.
    static func readByParts(
        messages: Int, perDay: Int = 250, partBytes: Int
    ) throws -> (peak: Int64, allocated: UInt64, messages: Int, threads: Int, parts: Int, bytes: Int64) {
        let scratch = try Scratch()
        try export(messages: messages, perDay: perDay, in: scratch)
        let context = StepContext(
            pipelineDirectory: scratch.root, inputRoot: scratch.root, outputRoot: scratch.path("out"), pipelineName: "t",
            location: SourceLocation(file: "t"))
        let source = SlackJSONSource(
            options: StepOptions(
                SlackJSONSource.type.options, values: ["include": .list(["export"]), "part_bytes": .int(partBytes)],
                stepLocation: SourceLocation(file: "t")),
            context: context)
        let input = try #require(try source.plan(InputCatalog(root: scratch.root)).first)
        var counted = (messages: 0, threads: 0)
        let allocatedBefore = threadline_thread_allocated_bytes()
        let live = threadline_thread_live_bytes()
        threadline_thread_reset_peak_live_bytes()
        source.forEachPart(of: input) { result in
            #expect(result.rejects.isEmpty)
            for document in result.documents {
                counted.messages += document.messageCount
                counted.threads += document.threads.count
            }
        }
        let peak = threadline_thread_peak_live_bytes() - live
        return (peak, threadline_thread_allocated_bytes() - allocatedBefore, counted.messages, counted.threads, input.parts.count, input.bytes)
    }

    /// The parts that read the channel: an export's parts but its common part and its digest.
    static func pieces(_ parts: Int) -> Int { parts - 2 }

    /// Memory, not time: a channel five times the size, read in parts, needs at most a few bytes more
    /// per message at once (its `ts` hash, the compact state that spans the parts), where read whole it
    /// needs every message at once. Counted by the test executable's malloc (`_CAllocationCount`):
    /// the peak of the bytes this thread holds.
    @Test func aChannelReadInPartsHoldsTheSameWhateverItsSize() throws {
        let small = try Self.readByParts(messages: 10_000, partBytes: 64 << 10)
        let large = try Self.readByParts(messages: 50_000, partBytes: 64 << 10)
        #expect(small.messages == 10_000 && large.messages == 50_000)
        // A thread every ten messages, and each message from the 2,000th on not a tenth replies.
        #expect(large.threads == 50_000 / 10 + 2_000 - 200)
        #expect(Self.pieces(large.parts) > 5 * Self.pieces(small.parts) - 1)
        // The work grows with the channel...
        #expect(Double(large.allocated) > 4.5 * Double(small.allocated))
        // ...what is held at once by at most 16 bytes a message more (the scan's set of `ts` hashes),
        // and the read buffers of the runs merged last.
        let growth = large.peak - small.peak
        #expect(growth < 40_000 * 16 + Self.mergeBuffers, "peak \(large.peak) bytes for 50,000 messages, \(small.peak) for 10,000")

        // Read whole (one part for the channel), the same channels hold every message at once.
        let smallWhole = try Self.readByParts(messages: 10_000, partBytes: 1 << 30)
        let largeWhole = try Self.readByParts(messages: 50_000, partBytes: 1 << 30)
        #expect(Self.pieces(largeWhole.parts) == 1 && largeWhole.messages == 50_000)
        #expect(largeWhole.peak - smallWhole.peak > 40_000 * 300, "peak \(largeWhole.peak) bytes for 50,000 messages, \(smallWhole.peak) for 10,000")
        #expect(largeWhole.peak > 4 * large.peak)
    }

    /// A channel of one day file (a day of a busy channel, or an export cut by hand): read in parts,
    /// a day file five times the size holds its own bytes more at once, and a few bytes a message for
    /// where each element is, not its messages: they are decoded a batch at a time.
    @Test func aDayFileReadInPartsHoldsItsBytesNotItsMessages() throws {
        let small = try Self.readByParts(messages: 10_000, perDay: 50_000, partBytes: 64 << 10)
        let large = try Self.readByParts(messages: 50_000, perDay: 50_000, partBytes: 64 << 10)
        #expect(small.messages == 10_000 && large.messages == 50_000)
        #expect(Self.pieces(large.parts) > 5 * Self.pieces(small.parts) - 1)
        // What is held at once grows by the file's bytes, at most 128 bytes a message (where each
        // element is, its `ts` hash) and the read buffers of the runs merged last...
        let growth = large.peak - small.peak
        #expect(
            growth < (large.bytes - small.bytes) + 40_000 * 128 + Self.mergeBuffers,
            "peak \(large.peak) bytes for 50,000 messages (\(large.bytes) bytes), \(small.peak) for 10,000 (\(small.bytes) bytes)")
        // ...where read whole the same channel holds every message, at over 300 bytes each.
        let smallWhole = try Self.readByParts(messages: 10_000, perDay: 50_000, partBytes: 1 << 30)
        let largeWhole = try Self.readByParts(messages: 50_000, perDay: 50_000, partBytes: 1 << 30)
        #expect(largeWhole.peak - smallWhole.peak > (large.bytes - small.bytes) + 40_000 * 300)
    }

    /// An old export whose replies have no `thread_ts`: a parent's `replies` list places them, even
    /// a reply that comes before the list (here earlier in the same day file). Read in parts, the
    /// channel is scanned a second time knowing such replies, and gives what reading it whole gives.
    @Test func aRepliesListAfterItsReplyPlacesItInParts() throws {
        let scratch = try Scratch()
        _ = try scratch.write("inputs/export/users.json", #"[{"id": "U1", "name": "ana"}, {"id": "U2", "name": "bo"}]"#)
        _ = try scratch.write("inputs/export/channels.json", #"[{"id": "C1", "name": "old"}]"#)
        func message(_ ts: String, _ text: String, replies: [String] = []) -> String {
            let list = replies.isEmpty ? "" : #", "replies": ["# + replies.map { #"{"user": "U2", "ts": "\#($0)"}"# }.joined(separator: ", ") + "]"
            return #"{"type": "message", "user": "U1", "ts": "\#(ts)", "text": "\#(text)"\#(list)}"#
        }
        // The reply 1609459260 comes before its parent's list; 1609459320 after it; a duplicate of the parent too.
        _ = try scratch.write("inputs/export/old/2021-01-01.json", "[\n" + [
            message("1609459100.000100", "before everything, a thread of its own"),
            message("1609459260.000100", "a reply read before the list naming it"),
            message("1609459200.000100", "the parent", replies: ["1609459260.000100", "1609459320.000100"]),
            message("1609459320.000100", "a reply read after the list"),
            message("1609459200.000100", "the parent again"),
        ].joined(separator: ",\n") + "\n]\n")
        _ = try scratch.write("inputs/export/old/2021-01-02.json", "[\n" + (0..<20).map { message("16095456\($0 + 10).000100", "another day, message \($0)") }.joined(separator: ",\n") + "\n]\n")
        func run(_ output: String, partBytes: Int) throws -> RunReport {
            try runPipeline(scratch, basicPipeline(
                extract: "  - type: slack_json\n    include: [\"export\"]\n    part_bytes: \(partBytes)", extra: "output_root: \(output)")
                .replacingOccurrences(of: "output_root: out\n", with: ""))
        }
        let whole = try run("whole", partBytes: 1 << 20)
        let parts = try run("parts", partBytes: 300)
        let messages = try readJSONLines(scratch.path("whole/messages.jsonl"))
        #expect(messages.count == 24)
        // Read whole, both replies are in the parent's thread.
        let parent = try #require(messages.first { $0["text"] as? String == "the parent" })
        let placed = messages.filter { ($0["text"] as? String)?.hasPrefix("a reply") == true }
        #expect(placed.count == 2 && placed.allSatisfy { $0["thread_id"] as? String == parent["message_id"] as? String })
        for name in ["messages.jsonl", "threads.jsonl", "documents.jsonl", "authors.jsonl", "_rejects.jsonl"] {
            #expect(try scratch.read("parts/" + name) == scratch.read("whole/" + name), "\(name)")
        }
        #expect(parts.notes == whole.notes)
        #expect(parts.rowsPerTable == whole.rowsPerTable)
    }

    /// The default pipeline, which dedupes (a run-wide transform, for which the run holds every
    /// document): with the seed's Slack channel read in parts, the parts are joined again before
    /// `dedupe`, and every table in every format is what reading the channel whole gives.
    @Test func theDefaultPipelineWithItsChannelInPartsWritesTheSameTables() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let pipeline = repository.appendingPathComponent("pipelines/default.yaml").path
        let scratch = try Scratch()
        func run(_ output: String, overrides: [String]) throws -> (RunReport, PipelineSpec) {
            let spec = try PipelineLoader(environment: ["THREADLINE_OUTPUT": scratch.path(output)], overrides: overrides).load(path: pipeline)
            return (try PipelineRunner(spec: spec).run(), spec)
        }
        let (whole, _) = try run("whole", overrides: [])
        let (parts, spec) = try run("parts", overrides: ["extract.2.part_bytes=2KB"])
        let export = try #require(try PipelineRunner(spec: spec).plan().entries.first { $0.input.relativePath == "slack-export" }?.input)
        #expect(export.parts.count > 3)
        #expect(parts.mergedRows == whole.mergedRows && parts.mergedRows > 0)
        try expectSameTables(scratch, "parts", as: "whole")
        #expect(parts.notes == whole.notes)
    }

    /// What reading a slack-export-viewer page of the sample channel's messages `copies` times over,
    /// part by part, held at most at once on this thread, and what the parts gave.
    static func readPageByParts(copies: Int, partBytes: Int) throws -> (peak: Int64, messages: Int, parts: Int) {
        let scratch = try Scratch()
        let sample = try String(contentsOf: Samples.root.appendingPathComponent("slack-html/channel/book-of-the-week/index.html"), encoding: .utf8)
        let start = try #require(sample.range(of: #"<div class="message-container"#)).lowerBound
        let end = try #require(sample.range(of: "</div>\n</div>\n\n<script>", options: .backwards)).lowerBound
        let page = String(sample[..<start]) + String(repeating: String(sample[start..<end]), count: copies) + String(sample[end...])
        _ = try scratch.write("slack-html/channel/general/index.html", page)
        let context = StepContext(
            pipelineDirectory: scratch.root, inputRoot: scratch.root, outputRoot: scratch.path("out"), pipelineName: "t",
            location: SourceLocation(file: "t"))
        let source = try SlackHTMLSource(
            options: StepOptions(
                SlackHTMLSource.type.options, values: ["include": .list(["slack-html/**/*.html"]), "part_bytes": .int(partBytes)],
                stepLocation: SourceLocation(file: "t")),
            context: context)
        let input = try #require(try source.plan(InputCatalog(root: scratch.root)).first)
        var messages = 0
        let live = threadline_thread_live_bytes()
        threadline_thread_reset_peak_live_bytes()
        source.forEachPart(of: input) { result in messages += result.documents.reduce(0) { $0 + $1.messageCount } }
        return (threadline_thread_peak_live_bytes() - live, messages, input.parts.count)
    }

    /// The same for one big HTML page: read in parts, a page five times the size holds about the same
    /// at its peak; read whole, it holds every message.
    @Test func aPageReadInPartsHoldsTheSameWhateverItsSize() throws {
        // Parts of 16 KB: both pages make more sorted runs than the spool merges at once.
        let small = try Self.readPageByParts(copies: 10, partBytes: 16 << 10)
        let large = try Self.readPageByParts(copies: 50, partBytes: 16 << 10)
        // The sample page has 102 messages and a channel join, which is skipped.
        #expect(small.messages == 1_020 && large.messages == 5_100)
        #expect(large.parts > 4 * small.parts)
        // A page of about 1 KB a message: at most 64 bytes a message more at the peak, and the read
        // buffers of the runs merged last (from 1 to 16 of them).
        #expect(large.peak - small.peak < 4_080 * 64 + Self.mergeBuffers, "peak \(large.peak) bytes for 50 copies, \(small.peak) for 10")
        let smallWhole = try Self.readPageByParts(copies: 10, partBytes: 1 << 30)
        let largeWhole = try Self.readPageByParts(copies: 50, partBytes: 1 << 30)
        #expect(largeWhole.parts == 1 && largeWhole.messages == 5_100)
        #expect(largeWhole.peak - smallWhole.peak > 4_080 * 1_000, "peak \(largeWhole.peak) bytes for 50 copies, \(smallWhole.peak) for 10")
    }

    /// Shards and incremental runs record what each part gave: with channels and pages in parts,
    /// shards merged, and an incremental run that reuses every record, write what one run reading
    /// them whole writes.
    @Test func shardsAndIncrementalRunsOfChannelsInPartsWriteWhatOneRunWrites() throws {
        let scratch = try Scratch()
        func write(_ name: String, output: String, partBytes: String?) throws {
            let text = pipeline(output: output, partBytes: partBytes).replacingOccurrences(of: "  - type: report\n", with: "")
            try scratch.write(name, text)
        }
        try write("whole.yaml", output: "whole", partBytes: nil)
        try write("sharded.yaml", output: "sharded", partBytes: "2KB")
        try write("incremental.yaml", output: "incremental", partBytes: "2KB")
        #expect(try runThreadline(["run", "--quiet", "whole.yaml"], in: scratch.root).status == 0)
        for index in 1...2 {
            let shard = try runThreadline(["run", "--quiet", "sharded.yaml", "--shard", "\(index)/2"], in: scratch.root)
            try #require(shard.status == 0, "\(shard.stderr)")
        }
        let merge = try runThreadline(["merge", "sharded"], in: scratch.root)
        try #require(merge.status == 0, "\(merge.stderr)")
        for run in 1...2 {
            let incremental = try runThreadline(["run", "--quiet", "--incremental", "incremental.yaml"], in: scratch.root)
            try #require(incremental.status == 0, "\(incremental.stderr)")
            if run == 2 {
                let manifest = try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("incremental/_manifest.json").utf8)) as? [String: Any])
                let origins = (manifest["inputs"] as? [[String: Any]] ?? []).map { $0["origin"] as? String }
                #expect(!origins.isEmpty && origins.allSatisfy { $0 == "reused" })
            }
            for output in ["sharded", "incremental"] {
                try expectSameTables(scratch, output, as: "whole")
            }
        }
    }

    /// A single-file export page whose channels do not come in `document_id` order, read in parts:
    /// a message before the first heading is filed under the page's name (`zz`), then the heading's
    /// channel follows. The spool hands the channels back in id order, and a part's documents are
    /// put in id order except a channel cut between parts, which stays last, where its next part
    /// goes on: every key holds and the tables are those of reading the page whole, byte for byte.
    @Test func aPageWhoseChannelsAreOutOfIDOrderReadInPartsKeepsItsKeys() throws {
        let scratch = try Scratch()
        let sample = try String(contentsOf: Samples.root.appendingPathComponent("slack-html-single/slack-export.html"), encoding: .utf8)
        let block = try #require(sample.range(of: #"<div class="channel-block">"#)).lowerBound
        let first = try #require(sample.range(of: #"<div class="message-container">"#))
        let next = try #require(sample.range(of: #"<div class="message-container">"#, range: first.upperBound..<sample.endIndex)).lowerBound
        _ = try scratch.write("in/zz.html", String(sample[..<block]) + String(sample[first.lowerBound..<next]) + String(sample[block...]))
        func run(_ output: String, partBytes: String) throws -> RunReport {
            try runPipeline(scratch, """
                version: 1
                name: order
                input_root: in
                output_root: \(output)
                extract:
                  - type: slack_html
                    include: ["*.html"]
                    part_bytes: \(partBytes)
                load:
                  - type: jsonl
                """)
        }
        let whole = try run("whole", partBytes: "1MB")
        let parts = try run("parts", partBytes: "16KB")
        #expect(try PipelineRunner(spec: PipelineLoader(environment: [:]).load(path: scratch.path("pipeline.yaml"))).plan().entries[0].input.parts.count == 7)
        #expect(parts.keyChecks.allSatisfy { $0.failures == 0 })
        #expect(parts.rowsPerTable == whole.rowsPerTable)
        #expect(whole.rowsPerTable[.messages] == 103 && whole.rowsPerTable[.documents] == 2)
        for table in ["messages", "threads", "documents", "authors"] {
            #expect(try scratch.read("parts/\(table).jsonl") == scratch.read("whole/\(table).jsonl"), "\(table)")
        }
        let documents = try readJSONLines(scratch.path("parts/documents.jsonl")).compactMap { $0["document_id"] as? String }
        #expect(documents.sorted() == ["slack_html:book-of-the-week", "slack_html:zz"])
    }
}
