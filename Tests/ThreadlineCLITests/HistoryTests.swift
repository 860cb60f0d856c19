import Foundation
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineCLI
@testable import ThreadlineCore

/// `_runs.jsonl` and `threadline history`, as a cron user reads them.
@Suite struct HistoryTests {
    /// Three runs are three lines; the third, with one of two archives gone, is flagged; a fourth that
    /// fails is recorded with its exit status and error, and compared with nothing.
    @Test func threeRunsAreThreeLinesAndADropIsFlagged() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", validSeed)
        try scratch.write("inputs/b.md", validSeed)
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: markdown\n    include: [\"*.md\"]"))
        for _ in 0..<2 { #expect(try runThreadline(["run", "-q", "pipeline.yaml"], in: scratch.root).status == 0) }
        try FileManager.default.removeItem(atPath: scratch.path("inputs/b.md"))
        #expect(try runThreadline(["run", "-q", "pipeline.yaml"], in: scratch.root).status == 0)

        let result = try runThreadline(["history", "out"], in: scratch.root)
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        // The header, the three runs, and a line per table that dropped (the authors did not).
        #expect(lines.count == 1 + 3 + 3)
        #expect(lines[0].hasPrefix("run "))
        #expect(lines[1...3].allSatisfy { $0.contains("  ok  ") })
        #expect(lines[3].contains("2 !") && lines[3].contains("1 !"))
        #expect(lines[4...].map { $0.split(separator: ":", maxSplits: 1)[1] } == [
            " documents dropped 50.0% (2 → 1) since the last successful run",
            " messages dropped 50.0% (4 → 2) since the last successful run",
            " threads dropped 50.0% (2 → 1) since the last successful run",
        ])
        #expect(try runThreadline(["history", "out", "--fail-on-drop"], in: scratch.root).status == 1)
        #expect(try runThreadline(["history", "out", "--fail-on-drop", "--drop-threshold", "60"], in: scratch.root).status == 0)

        try FileManager.default.removeItem(atPath: scratch.path("inputs/a.md"))
        #expect(try runThreadline(["run", "-q", "pipeline.yaml"], in: scratch.root).status == 1)
        let json = try runThreadline(["history", "out", "--format", "json", "--last", "2"], in: scratch.root)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(runs.map { $0["status"] as? String } == ["ok", "failed"])
        #expect(runs.map { $0["exit_code"] as? Int } == [0, 1])
        #expect((runs[1]["error"] as? String)?.hasPrefix("extract step 'markdown' matched 0 inputs") == true)
        #expect((runs[0]["drops"] as? [[String: Any]])?.map { $0["table"] as? String } == ["documents", "messages", "threads"])
        #expect((runs[0]["drops"] as? [[String: Any]])?.map { $0["percent"] as? Double } == [50, 50, 50])
        #expect((runs[1]["drops"] as? [Any])?.isEmpty == true)
    }

    /// A line cut short (a crash or a full disk in the middle of its write) stays one unreadable line:
    /// the next run's line starts on a line of its own and is read.
    @Test func aLineCutShortDoesNotSwallowTheNextRun() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", validSeed)
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: markdown\n    include: [\"*.md\"]"))
        for _ in 0..<2 { #expect(try runThreadline(["run", "-q", "pipeline.yaml"], in: scratch.root).status == 0) }
        let history = scratch.path("out/_runs.jsonl")
        let lines = try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n")
        try #require(lines.count == 2)
        // The second line loses its end and its line break.
        try (lines[0] + "\n" + lines[1].prefix(40)).write(toFile: history, atomically: false, encoding: .utf8)
        #expect(try runThreadline(["run", "-q", "pipeline.yaml"], in: scratch.root).status == 0)

        let read = try RunHistory.read(outputRoot: scratch.path("out"))
        #expect(read.entries.count == 2)
        #expect(read.unreadable == 1)
        #expect(read.entries.map(\.runID) == [String(lines[0]), try lastLine(history)].map { runID(inLine: $0) })
    }

    /// A line with a field of the wrong type is not a run (read as one, its zero rows would flag every
    /// table of the next run as dropped); a field that is missing reads as empty.
    @Test func aLineWithAFieldOfTheWrongTypeIsUnreadable() throws {
        let scratch = try Scratch()
        try scratch.write("out/_runs.jsonl", """
            {"run_id":"a","status":"ok","tables":{"messages":4}}
            {"run_id":"b","status":"ok","tables":{"messages":"4"}}
            {"run_id":"c","status":"ok","rows":{"in":true}}
            {"run_id":"d","status":"ok","exit_code":1.5}
            {"run_id":"e","status":7}
            ["run_id","f"]
            {"run_id":"g","status":"ok","tables":{"messages":3},"error":null}

            """)
        let read = try RunHistory.read(outputRoot: scratch.path("out"))
        #expect(read.entries.map(\.runID) == ["a", "g"])
        #expect(read.entries.map(\.exitCode) == [-1, -1])
        #expect(read.unreadable == 5)
        let result = try runThreadline(["history", "out"], in: scratch.root)
        #expect(result.stdout.hasSuffix("(5 lines of _runs.jsonl could not be read)\n"), "\(result.stdout)")
    }

    /// A table no load step writes any more (a load step removed, a table taken off its list) is not
    /// counted as written: it shows as `-`, flagged, and `--fail-on-drop` fails, since its file in the
    /// folder is now the last run's.
    @Test func aTableNoLongerWrittenIsFlagged() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", validSeed)
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: markdown\n    include: [\"*.md\"]"))
        #expect(try runThreadline(["run", "-q", "pipeline.yaml"], in: scratch.root).status == 0)
        try scratch.write("pipeline.yaml", """
            version: 1
            name: test
            input_root: inputs
            output_root: out
            extract:
              - type: markdown
                include: ["*.md"]
            load:
              - type: jsonl
                tables: [messages, threads, documents]
            """)
        #expect(try runThreadline(["run", "-q", "pipeline.yaml"], in: scratch.root).status == 0)

        let read = try RunHistory.read(outputRoot: scratch.path("out"))
        #expect(read.entries.map { $0.tables.keys.sorted() } == [
            ["authors", "documents", "messages", "threads"], ["documents", "messages", "threads"],
        ])
        let result = try runThreadline(["history", "out"], in: scratch.root)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1 + 2 + 1)
        // messages, threads and documents as before; authors not written; nothing rejected.
        #expect(lines[2].split(separator: " ").suffix(6) == ["2", "1", "1", "-", "!", "0"], "\(lines[2])")
        let runID = try #require(read.entries.last?.runID)
        #expect(lines[3] == "! run \(runID): authors is no longer written (2 rows in the last successful run)")
        #expect(try runThreadline(["history", "out", "--fail-on-drop"], in: scratch.root).status == 1)
    }

    @Test func aFolderWithoutHistoryIsAUsageError() throws {
        let scratch = try Scratch()
        let result = try runThreadline(["history", scratch.path("nowhere")], in: scratch.root)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: no run history at '\(scratch.path("nowhere"))/_runs.jsonl'"))
    }

    /// A drop is measured against the last `ok` run: a run over max_rejects is compared, not compared with.
    @Test func dropsCompareWithTheLastSuccessfulRun() {
        func entry(_ status: String, _ messages: Int) -> RunHistory.Entry {
            RunHistory.Entry(runID: "r", pipeline: "p", startedAt: "", endedAt: "", status: status, exitCode: 0, tables: ["messages": messages])
        }
        let drops = RunHistory.drops([entry("ok", 100), entry("rejects_over_limit", 50), entry("ok", 95), entry("ok", 80)], threshold: 10)
        #expect(drops.map { $0.map { "\($0.previous)→\($0.rows)" } } == [[], ["100→50"], [], ["95→80"]])
    }

    private func lastLine(_ path: String) throws -> String {
        String(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").last ?? "")
    }

    private func runID(inLine line: String) -> String {
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return object?["run_id"] as? String ?? "(line \(line.prefix(60)) has no run_id)"
    }
}
