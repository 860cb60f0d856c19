import Foundation
import Testing

@testable import ThreadlineCore

/// Sharded runs: `run --shard K/N` for every K, then `merge`, give what one run gives; `merge`
/// refuses a missing shard and shards of different pipelines; shards run at once without
/// disturbing each other. (The Spark integration test, `Tests/interop/test_spark_shards.py`, runs
/// the shards as Spark tasks.)
@Suite struct ShardTests {
    /// Every table as JSON Lines and Parquet, CSV partitioned by document_id, and the report.
    static let load = """
          - type: jsonl
          - type: parquet
          - type: csv
            partition_by: [document_id]
          - type: report
        """

    /// Runs the pipeline whole into `single/` and in `count` shards into `sharded/`, then merges.
    func singleAndSharded(_ scratch: Scratch, count: Int, pipeline: (String) -> String) throws -> (single: CommandResult, merge: CommandResult) {
        try scratch.write("single.yaml", pipeline("single"))
        try scratch.write("sharded.yaml", pipeline("sharded"))
        let single = try runThreadline(["run", "--quiet", "single.yaml"], in: scratch.root)
        try #require(single.status == 0, "\(single.stderr)")
        for index in 1...count {
            let shard = try runThreadline(["run", "--quiet", "sharded.yaml", "--shard", "\(index)/\(count)"], in: scratch.root)
            try #require(shard.status == 0, "\(shard.stderr)")
            #expect(scratch.exists("sharded/_manifest.\(index)-of-\(count).json"))
            #expect(!scratch.exists("sharded/messages.jsonl"), "a shard writes no table of output_root")
        }
        let merge = try runThreadline(["merge", "sharded"], in: scratch.root)
        return (single, merge)
    }

    func rows(ofCSVFolder folder: String) throws -> [String: [String]] {
        var byPartition: [String: [String]] = [:]
        for (path, data) in try filesUnder(folder) {
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
            byPartition[(path as NSString).deletingLastPathComponent, default: []] += lines.dropFirst()
        }
        return byPartition.mapValues { $0.sorted() }
    }

    func bytes(_ scratch: Scratch, _ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: scratch.path(path)))
    }

    func manifest(_ scratch: Scratch, _ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(scratch.read(path).utf8)) as? [String: Any])
    }

    @Test(arguments: [1, 2, 3])
    func shardsMergedEqualASingleRun(count: Int) throws {
        let scratch = try Scratch()
        let (_, merge) = try singleAndSharded(scratch, count: count) { samplesPipeline(output: $0, load: Self.load) }
        #expect(merge.status == 0, "\(merge.stderr)")
        // Every file without partition_by, byte for byte; the rejects too.
        for table in Table.allCases {
            for format in ["jsonl", "parquet"] {
                #expect(try bytes(scratch, "sharded/\(table.rawValue).\(format)") == bytes(scratch, "single/\(table.rawValue).\(format)"),
                        "\(table.rawValue).\(format)")
            }
        }
        #expect(try scratch.read("sharded/_rejects.jsonl") == scratch.read("single/_rejects.jsonl"))
        #expect(try scratch.read("sharded/authors.csv") == scratch.read("single/authors.csv"))
        // The partitioned tables: the same rows in the same partitions.
        for table in ["messages", "threads", "documents"] {
            let merged = try rows(ofCSVFolder: scratch.path("sharded/\(table).csv"))
            #expect(!merged.isEmpty)
            #expect(merged == (try rows(ofCSVFolder: scratch.path("single/\(table).csv"))), "\(table).csv")
        }
        // The manifest: the same inputs, rows and checks, and every shard.
        let single = try manifest(scratch, "single/_manifest.json"), merged = try manifest(scratch, "sharded/_manifest.json")
        func inputs(_ manifest: [String: Any]) -> [String] {
            (manifest["inputs"] as? [[String: Any]] ?? []).map { input in
                ["step", "path", "sha256", "rows", "rejected_rows", "status"].map { "\(input[$0] ?? "")" }.joined(separator: " ")
            }
        }
        #expect(inputs(merged) == inputs(single))
        #expect(inputs(merged).count == 8)
        #expect(NSDictionary(dictionary: merged["rows"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: single["rows"] as? [String: Any] ?? [:]))
        #expect(NSDictionary(dictionary: merged["tables"] as? [String: Any] ?? [:]) == NSDictionary(dictionary: single["tables"] as? [String: Any] ?? [:]))
        let shards = try #require(merged["shards"] as? [[String: Any]])
        #expect(shards.map { $0["index"] as? Int } == Array(1...count))
        #expect(shards.reduce(0) { $0 + ($1["inputs"] as? Int ?? 0) } == 8)
        let shardOfInputs = (merged["inputs"] as? [[String: Any]] ?? []).map { $0["shard"] as? Int }
        #expect(shardOfInputs == (merged["inputs"] as? [[String: Any]] ?? []).map { Shard.of($0["path"] as? String ?? "", count: count) })
        #expect((merged["checks"] as? [[String: Any]] ?? []).allSatisfy { $0["status"] as? String == "pass" })
        // The shards are consumed, and the run recorded once.
        #expect(!scratch.exists("sharded/.threadline/shards/1-of-\(count)"))
        #expect(!scratch.exists("sharded/_manifest.1-of-\(count).json"))
        #expect(try scratch.read("sharded/_runs.jsonl").split(separator: "\n").count == 1)
    }

    /// Without a document id that two shards give, the partitioned outputs are the shards' own part
    /// files, linked into place; with one, they are written again (the test above, where the export
    /// and its zip give one channel, and the two renderings of it another).
    @Test func thePartitionedOutputsAreTheShardsParts() throws {
        let scratch = try Scratch()
        let (_, merge) = try singleAndSharded(scratch, count: 2) { output in
            // Without the zip of the export and the single-page rendering, no channel is read twice.
            samplesPipeline(output: output, load: Self.load).replacingOccurrences(of: "\"slack-export.zip\", ", with: "")
                .replacingOccurrences(of: "\"slack-html-single/*.html\", ", with: "")
        }
        #expect(merge.status == 0, "\(merge.stderr)")
        let names = try filesUnder(scratch.path("sharded/messages.csv")).keys.map { ($0 as NSString).lastPathComponent }
        #expect(!names.isEmpty && names.allSatisfy { $0.hasPrefix("part-1-of-2-") || $0.hasPrefix("part-2-of-2-") })
        #expect(Set(names.map { String($0.prefix(11)) }) == ["part-1-of-2", "part-2-of-2"])
        for table in ["messages", "threads", "documents"] {
            #expect(try rows(ofCSVFolder: scratch.path("sharded/\(table).csv")) == rows(ofCSVFolder: scratch.path("single/\(table).csv")))
        }
        #expect(try bytes(scratch, "sharded/messages.parquet") == bytes(scratch, "single/messages.parquet"))
    }

    @Test func mergeNamesTheMissingShards() throws {
        let scratch = try Scratch()
        try scratch.write("p.yaml", samplesPipeline(output: "out", load: "  - type: jsonl"))
        #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "2/4"], in: scratch.root).status == 0)
        let merge = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(merge.status == 1)
        #expect(merge.stderr.contains("error: missing shards 1/4, 3/4, 4/4 of 4 in '\(scratch.path("out"))'"), "\(merge.stderr)")
        #expect(merge.stderr.contains("note: shard 3/4 never ended: run it (threadline run PIPELINE --shard 3/4), then merge"))
        #expect(!scratch.exists("out/messages.jsonl"))
        // A shard folder without its manifest did not finish.
        try FileManager.default.removeItem(atPath: scratch.path("out/_manifest.2-of-4.json"))
        for index in [1, 3, 4] { _ = try runThreadline(["run", "-q", "p.yaml", "--shard", "\(index)/4"], in: scratch.root) }
        let again = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(again.status == 1)
        #expect(again.stderr.contains("error: missing shard 2/4 of 4"))
        #expect(again.stderr.contains("note: shard 2/4 did not finish writing"))
        // Shards of a run split another way are not mixed in.
        #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "2/4"], in: scratch.root).status == 0)
        #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "1/2"], in: scratch.root).status == 0)
        let mixed = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(mixed.status == 1)
        #expect(mixed.stderr.contains("are of runs split 2 and 4 ways: 1/2, 1/4, 2/4, 3/4, 4/4"), "\(mixed.stderr)")
        #expect(try runThreadline(["merge", "empty"], in: scratch.root).status == 2)
    }

    @Test func mergeRefusesShardsOfDifferentPipelines() throws {
        let scratch = try Scratch()
        try scratch.write("p.yaml", samplesPipeline(output: "out", load: "  - type: jsonl"))
        #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "1/2"], in: scratch.root).status == 0)
        #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "2/2", "--set", "on_error=skip"], in: scratch.root).status == 0)
        let merge = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(merge.status == 1)
        #expect(merge.stderr.contains("error: shard 2/2 ran another pipeline than shard 1/2: 'p.yaml' (sha256 "), "\(merge.stderr)")
        #expect(merge.stderr.contains("--set on_error=skip) against 'p.yaml' (sha256 "))
        #expect(merge.stderr.contains("no --set)"))
        // The same overrides, another file: refused too.
        try scratch.write("p.yaml", samplesPipeline(output: "out", name: "renamed", load: "  - type: jsonl"))
        #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "2/2"], in: scratch.root).status == 0)
        let renamed = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(renamed.status == 1)
        #expect(renamed.stderr.contains("ran another pipeline"))
        #expect(!scratch.exists("out/messages.jsonl"))
        #expect(scratch.exists("out/.threadline/shards/1-of-2"), "a refused merge consumes nothing")
    }

    /// Shard 1 is paused with its folder written but not yet in place; shard 2 runs to its end
    /// meanwhile, a second shard 1 and a merge are refused, then shard 1 goes on: both shards are
    /// whole and the merge equals one run.
    @Test func twoShardsWriteAtOnceIntoOneFolder() throws {
        let scratch = try Scratch()
        try scratch.write("single.yaml", samplesPipeline(output: "single", load: Self.load))
        try scratch.write("p.yaml", samplesPipeline(output: "out", load: Self.load))
        #expect(try runThreadline(["run", "-q", "single.yaml"], in: scratch.root).status == 0)

        let first = Process(), stdin = Pipe(), stderr = Pipe()
        first.executableURL = URL(fileURLWithPath: try threadlineBinary())
        first.arguments = ["run", "-q", "p.yaml", "--shard", "1/2"]
        first.currentDirectoryURL = URL(fileURLWithPath: scratch.root)
        first.environment = ProcessInfo.processInfo.environment.merging(["THREADLINE_TEST_PAUSE_AT": "renaming"]) { $1 }
        first.standardInput = stdin
        first.standardError = stderr
        try first.run()
        var said = ""
        while !said.contains("paused at renaming") {
            let data = stderr.fileHandleForReading.availableData
            try #require(!data.isEmpty, "shard 1 ended before it paused: \(said)")
            said += String(decoding: data, as: UTF8.self)
        }
        let second = try runThreadline(["run", "-q", "p.yaml", "--shard", "2/2"], in: scratch.root)
        #expect(second.status == 0, "\(second.stderr)")
        let again = try runThreadline(["run", "-q", "p.yaml", "--shard", "1/2"], in: scratch.root)
        #expect(again.status == 3)
        #expect(again.stderr.contains("is writing to"))
        #expect(!scratch.exists("out/_manifest.1-of-2.json"))
        let early = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(early.status == 1, "\(early.stderr)")
        #expect(early.stderr.contains("missing shard 1/2"))

        try stdin.fileHandleForWriting.write(contentsOf: Data("\n".utf8))
        try stdin.fileHandleForWriting.close()
        _ = try stderr.fileHandleForReading.readToEnd()
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let merge = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(merge.status == 0, "\(merge.stderr)")
        for name in ["messages.jsonl", "threads.parquet", "authors.jsonl", "_rejects.jsonl"] {
            #expect(try bytes(scratch, "out/\(name)") == bytes(scratch, "single/\(name)"), "\(name)")
        }
        #expect(try rows(ofCSVFolder: scratch.path("out/messages.csv")) == rows(ofCSVFolder: scratch.path("single/messages.csv")))
    }

    /// Night 1's shards end but are never merged (another shard failed that night, say); on night 2
    /// shard 1 ends and shard 2 fails on a file that changed. The merge must not take night 1's
    /// shard 2, made of the file before it changed, for night 2's: shard 2 is missing.
    @Test func aShardThatFailedIsMissingNotItsEarlierRun() throws {
        let scratch = try Scratch()
        let names = (1...20).map { "f\($0).md" }
        let first = try #require(names.first { Shard.of($0, count: 2) == 1 })
        let second = try #require(names.first { Shard.of($0, count: 2) == 2 })
        func book(_ author: String) -> String {
            "---\ntitle: t\narchive:\n- name: Ana\n  text: question\n  replies:\n  - name: \"\(author)\"\n    text: answer\n---\n"
        }
        try scratch.write("in/\(first)", book("Bo"))
        try scratch.write("in/\(second)", book("Cy"))
        try scratch.write("p.yaml", """
            version: 1
            name: nightly
            input_root: in
            output_root: out
            on_error: fail
            extract:
              - type: markdown
                include: ["*.md"]
            load:
              - type: jsonl
            """)
        for index in 1...2 {
            #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "\(index)/2"], in: scratch.root).status == 0)
        }
        try scratch.write("in/\(second)", book(""))
        #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "1/2"], in: scratch.root).status == 0)
        let failed = try runThreadline(["run", "-q", "p.yaml", "--shard", "2/2"], in: scratch.root)
        #expect(failed.status == 1, "\(failed.stderr)")
        let merge = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(merge.status == 1, "\(merge.stderr)")
        #expect(merge.stderr.contains("error: missing shard 2/2 of 2"), "\(merge.stderr)")
        #expect(!scratch.exists("out/messages.jsonl"))
        #expect(scratch.exists("out/.threadline/shards/1-of-2"), "a refused merge consumes nothing")
    }

    /// Night 1's shards end but are never merged; on night 2 a file of shard 2 grows, shard 1 runs
    /// and shard 2 never starts. Night 1's shard 2 read the file as it was: the merge refuses it.
    @Test func mergeRefusesAShardThatSawAnInputOfAnotherSize() throws {
        let scratch = try Scratch()
        let names = (1...20).map { "f\($0).md" }
        let first = try #require(names.first { Shard.of($0, count: 2) == 1 })
        let second = try #require(names.first { Shard.of($0, count: 2) == 2 })
        let book = "---\ntitle: t\narchive:\n- name: Ana\n  text: question\n---\n"
        try scratch.write("in/\(first)", book)
        try scratch.write("in/\(second)", book)
        try scratch.write("p.yaml", "version: 1\nname: nightly\ninput_root: in\noutput_root: out\nextract:\n  - type: markdown\n    include: [\"*.md\"]\nload:\n  - type: jsonl\n")
        for index in 1...2 {
            #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "\(index)/2"], in: scratch.root).status == 0)
        }
        try scratch.write("in/\(second)", book.replacingOccurrences(of: "---\n", with: "- name: Bo\n  text: another\n---\n", options: .backwards, range: book.index(book.startIndex, offsetBy: 4)..<book.endIndex))
        #expect(try runThreadline(["run", "-q", "p.yaml", "--shard", "1/2"], in: scratch.root).status == 0)
        let merge = try runThreadline(["merge", "out"], in: scratch.root)
        #expect(merge.status == 1, "\(merge.stderr)")
        #expect(merge.stderr.contains("planned other inputs than shard 1/2"), "\(merge.stderr)")
        #expect(!scratch.exists("out/messages.jsonl"))
    }

    /// A shard's inputs are those whose path hashes to it: every input in exactly one shard, always
    /// the same one.
    @Test func anInputBelongsToOneShardByItsPath() throws {
        #expect(Shard.of("books/20210308-designing-data-intensive-applications.md", count: 1) == 1)
        let paths = (0..<300).map { "books/\($0).md" }
        for count in [2, 3, 7] {
            let shards = paths.map { Shard.of($0, count: count) }
            #expect(Set(shards) == Set(1...count))
            for index in 1...count {
                let shard = Shard(index: index, count: count)
                #expect(paths.filter(shard.contains).count == shards.filter { $0 == index }.count)
            }
        }
        // The first 8 bytes of SHA-256("a"), ca978112ca1bbdca, as a big-endian integer mod N.
        #expect(Shard.of("a", count: 1000) == Int(UInt64(0xca97_8112_ca1b_bdca) % 1000) + 1)
        #expect(try Shard.parse("2/8").get() == Shard(index: 2, count: 8))
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", "2/3/4"] {
            #expect((try? Shard.parse(bad).get()) == nil, "\(bad)")
        }
    }

    /// A transform that needs the whole run is refused in a shard, by `check` and by `run`.
    @Test func aStepThatNeedsTheWholeRunIsRefusedInAShard() throws {
        struct WholeRun: TransformStep {
            static let type = StepType.transform(name: "whole_run", summary: "test", options: [], example: "") { _, _ in WholeRun() }
            func apply(to document: inout Document, notes: inout RunNotes) {}
            var needsWholeRun: Bool { true }
        }
        let builtIn = StepRegistry.builtIn
        let registry = StepRegistry(extract: builtIn.extract, transform: builtIn.transform + [WholeRun.type], load: builtIn.load)
        let scratch = try Scratch()
        let file = try scratch.write("p.yaml", samplesPipeline(load: "  - type: jsonl").replacingOccurrences(
            of: "  - type: normalise_authors", with: "  - type: normalise_authors\n  - type: whole_run"))
        _ = try PipelineLoader(registry: registry, environment: [:]).load(path: file)
        let error = try #require(throws: ThreadlineError.self) {
            try PipelineLoader(registry: registry, environment: [:], shard: Shard(index: 2, count: 3)).load(path: file)
        }
        #expect(error.status == .usageError)
        #expect(error.diagnostics.map(\.message) == ["transform 'whole_run' needs every input of the run at once; it cannot run in shard 2/3 of a sharded run"])
        #expect(error.diagnostics.first?.rule == "pipeline-whole-run")
        #expect(error.diagnostics.first?.location?.line == 19)
        let incremental = try #require(throws: ThreadlineError.self) {
            try PipelineLoader(registry: registry, environment: [:], incremental: true).load(path: file)
        }
        #expect(incremental.diagnostics.map(\.message) == ["transform 'whole_run' needs every input of the run at once; it cannot run incrementally"])
    }
}
