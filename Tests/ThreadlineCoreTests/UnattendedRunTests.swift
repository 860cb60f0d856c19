import Foundation
import Testing

@testable import ThreadlineCore

/// What a cron job relies on: atomic outputs, a manifest that matches the disk. (Signals, a second
/// run and a full disk are in `HostileSignalTests`.)
@Suite(.serialized) struct UnattendedRunTests {
    /// The hashes of the run's outputs in `out/`: the tables, the manifest, the rejects and the data
    /// package; not `_runs.jsonl`, to which every run, failed or not, adds its line.
    func hashes(_ scratch: Scratch) throws -> [String: String] {
        var result: [String: String] = [:]
        var isFolder: ObjCBool = false
        for name in try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")) where !name.hasPrefix(".") && name != RunHistory.fileName {
            guard FileManager.default.fileExists(atPath: scratch.path("out/" + name), isDirectory: &isFolder), !isFolder.boolValue else { continue }
            result[name] = try FileDigest.sha256(ofFileAt: scratch.path("out/" + name)).sha256
        }
        return result
    }

    /// The staging files and backups a run left in `out/`.
    func leftovers(_ scratch: Scratch) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).filter { $0.contains(".tmp-") || $0.contains(".old-") }
    }

    /// An output path taken by a folder fails the run before any file is renamed: every previous
    /// output, the manifest included, stays as it was, and no staging file is left.
    @Test func anOutputThatCannotBePutInPlaceChangesNoOutput() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", basicPipeline())
        #expect(try runThreadline(["run", "pipeline.yaml"], in: scratch.root).status == 0)
        try scratch.write("inputs/b.md", BadInputTests.good.replacingOccurrences(of: "Ana", with: "Bo"))
        try FileManager.default.removeItem(atPath: scratch.path("out/threads.csv"))
        try FileManager.default.createDirectory(atPath: scratch.path("out/threads.csv"), withIntermediateDirectories: false)
        let before = try hashes(scratch)
        #expect(before.count == 10)
        let failed = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(failed.status == 3)
        #expect(failed.stderr.contains("error: cannot write '\(scratch.path("out/threads.csv"))': it is a folder"))
        #expect(try hashes(scratch) == before)
        #expect(try leftovers(scratch).isEmpty)
    }

    /// When a rename fails partway, the files already renamed are put back: the previous outputs
    /// return, and a file that had no previous version is removed.
    @Test func aFailedRenamePutsBackTheFilesAlreadyRenamed() throws {
        let scratch = try Scratch()
        try scratch.write("out/a.jsonl", "old a\n")
        let files = try ["a.jsonl", "b.jsonl", "c.jsonl"].map { try OutputFile(outputRoot: scratch.path("out"), relativePath: $0) }
        for file in files { try "new\n".write(toFile: file.stagingPath, atomically: false, encoding: .utf8) }
        for file in files { _ = try file.prepare() }
        try files[0].swapIn()
        try files[1].swapIn()
        try #require(try scratch.read("out/a.jsonl") == "new\n")
        unlink(files[2].stagingPath)
        #expect(throws: ThreadlineError.self) { try files[2].swapIn() }
        files[1].rollBack()
        files[0].rollBack()
        #expect(try scratch.read("out/a.jsonl") == "old a\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")) == ["a.jsonl"])
    }

    /// A staged file that cannot be flushed to disk fails the commit's first phase, before anything is
    /// renamed: the previous output stays, and the error names the file and the reason. (A vanished
    /// file stands in for a disk's `EIO` or a full disk's deferred `ENOSPC`, which a test cannot make.)
    @Test func aFileThatCannotBeFlushedToDiskFailsTheCommitBeforeAnyRename() throws {
        let scratch = try Scratch()
        try scratch.write("out/a.jsonl", "old a\n")
        let file = try OutputFile(outputRoot: scratch.path("out"), relativePath: "a.jsonl")
        try "new\n".write(toFile: file.stagingPath, atomically: false, encoding: .utf8)
        let written = try FileDigest.sha256(ofFileAt: file.stagingPath)
        unlink(file.stagingPath)
        let error = try #require(throws: ThreadlineError.self) { try file.prepare(known: written) }
        #expect(error.diagnostics.first?.message == "cannot flush '\(file.stagingPath)' to disk: No such file or directory")
        #expect(try scratch.read("out/a.jsonl") == "old a\n")
        file.discard()
    }

    /// A warning about a place in the pipeline file reads like an error does, location first.
    /// A nightly run whose Slack sources vanished must not replace yesterday's tables with part of
    /// them: a step that matches fewer inputs than its `min_inputs` (1 by default) fails the run with
    /// status 1, naming the step at its line, even under `--quiet`.
    @Test func aStepThatMatchesTooFewInputsFailsTheRunNamingTheStep() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", basicPipeline(extract: """
              - type: markdown
                include: ["*.md"]
              - type: slack_html
                include: ["slack-html/**/*.html"]
            """))
        #expect(try runThreadline(["run", "pipeline.yaml", "--set", "extract.1.min_inputs=0"], in: scratch.root).status == 0)
        let before = try hashes(scratch)
        let result = try runThreadline(["run", "--quiet", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix(
            "pipeline.yaml:10:5: error: extract step 'slack_html' matched 0 inputs, fewer than its min_inputs (1)\n"
                + "pipeline.yaml:10:5: note: its include patterns 'slack-html/**/*.html' match under input_root '\(scratch.path("inputs"))'\n"))
        #expect(result.stderr.contains("note: nothing was written and the previous outputs are as they were"))
        #expect(try hashes(scratch) == before)
        // With min_inputs: 0 a step may match nothing; the run says so at the step's line.
        let allowed = try runThreadline(["run", "pipeline.yaml", "--set", "extract.1.min_inputs=0"], in: scratch.root)
        #expect(allowed.status == 0)
        let warning = allowed.stderr.split(separator: "\n").first { $0.contains("no input matches") }
        #expect(warning == "pipeline.yaml:10:5: warning: no input matches this step's include patterns step=slack_html")
    }

    /// An input folder that is empty (an unmounted share) ends the run with status 1 and leaves the
    /// previous outputs as they were, instead of replacing them with empty tables; with every step
    /// allowed to match nothing, it is a runtime failure (status 3).
    @Test func aRunThatMatchesNoInputChangesNothing() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", basicPipeline())
        #expect(try runThreadline(["run", "pipeline.yaml"], in: scratch.root).status == 0)
        let before = try hashes(scratch)
        try FileManager.default.removeItem(atPath: scratch.path("inputs/a.md"))
        let empty = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("pipeline.yaml:8:5: error: extract step 'markdown' matched 0 inputs, fewer than its min_inputs (1)"))
        #expect(try hashes(scratch) == before)
        let allowed = try runThreadline(["run", "pipeline.yaml", "--set", "extract.0.min_inputs=0"], in: scratch.root)
        #expect(allowed.status == 3)
        #expect(allowed.stderr.contains("pipeline.yaml:8:5: error: no input matched any extract step under input_root '\(scratch.path("inputs"))'"))
        #expect(allowed.stderr.contains("note: nothing was written and the previous outputs are as they were"))
        #expect(try hashes(scratch) == before)
    }

    @Test func theStaleLockOfADeadRunIsTakenOver() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", basicPipeline())
        // A lock file as a killed run leaves it: holder recorded, no process holding the flock.
        try scratch.write("out/.threadline.lock", "pid 999999, started 2026-01-01T00:00:00Z\n")
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0)
        #expect(result.stderr.contains("took over the lock of a run that did not finish previous=pid 999999, started 2026-01-01T00:00:00Z"))
        #expect(try scratch.read("out/.threadline.lock").isEmpty, "released at the end")
    }

    /// Every shared sample and edge-case export through all three sources in one run: every input row
    /// is written or rejected, and the inputs' rows add up to the run's.
    @Test func rowsBalanceOnEverySample() throws {
        let scratch = try Scratch()
        for sample in ["books", "slack-export", "slack-export.zip", "slack-html", "slack-html-single", "slackdump", "edge", "slack-json"] {
            try scratch.copyFixture(sample, to: "inputs/" + sample)
        }
        let report = try runPipeline(scratch, basicPipeline(extract: """
              - type: markdown
                include: ["books/*.md"]
              - type: slack_html
                include: ["slack-html/**/*.html", "slack-html-single/*.html", "slackdump/**/*.html", "edge/*.html"]
              - type: slack_json
                include: ["slack-export", "slack-export.zip", "slack-json/*"]
            """))
        #expect(report.inputs.count == 10)
        // Rejects in the Slack JSON edge export: a day file that is not JSON (no rows counted), two
        // messages without a string ts, one that is not an object and one with a duplicate ts. And
        // channels read a second time, whose document_id is taken: the sample export's channel from
        // its zip, from the viewer's single-file rendering of the pages read before, and a second
        // hostile page of channel `general`.
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        let repeated = rejects.filter { ($0["reason"] as? String)?.contains("is already the id of a document of") == true }
        #expect(repeated.map { "\($0["file"] ?? "") \(($0["reason"] as? String ?? "").split(separator: " ").prefix(2).joined(separator: " "))" } == [
            "slack-export.zip document_id 'slack_json:book-of-the-week'",
            "slack-html-single/slack-export.html document_id 'slack_html:book-of-the-week'",
            "edge/xxe.html document_id 'slack_html:general'",
        ])
        #expect((report.inputRows, report.outputRows, report.rejectedRows, report.rejects) == (542, 332, 210, 8))
        #expect(report.isBalanced)
        #expect(report.inputs.reduce(0) { $0 + $1.rows } == report.inputRows)
        #expect(report.inputs.reduce(0) { $0 + $1.rejectedRows } == report.rejectedRows)
        #expect(try readJSONLines(scratch.path("out/messages.jsonl")).count == report.outputRows)
        #expect(try readJSONLines(scratch.path("out/_rejects.jsonl")).count == report.rejects)
    }

    @Test func manifestMatchesTheFilesOnDiskAndRowsBalance() throws {
        let scratch = try Scratch()
        try scratch.copyFixture(MarkdownSourceTests.seed, to: "inputs/" + MarkdownSourceTests.seed)
        try scratch.write("inputs/empty.md", "")
        try scratch.write("inputs/partial.md", "---\narchive:\n- name: Ana\n  text: hi\n  replies: oops\n- text: no author\n---\n")
        try scratch.write("pipeline.yaml", basicPipeline())
        let result = try runThreadline(["run", "--set", "name=nightly", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0)
        let data = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/_manifest.json")))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        // The pipeline file's hash and the overrides applied over it say what the run was configured by.
        let pipeline = try #require(manifest["pipeline"] as? [String: Any])
        #expect(pipeline["name"] as? String == "nightly")
        #expect(pipeline["overrides"] as? [String] == ["name=nightly"])
        #expect(pipeline["sha256"] as? String == (try sha256sum(scratch.path("pipeline.yaml"))))
        // Every step the run ran, the one the loader added with why.
        let steps = try #require(pipeline["steps"] as? [[String: Any]])
        #expect(steps.map { "\($0["stage"] ?? "") \($0["type"] ?? "") \($0["line"] ?? "-")" } == [
            "extract markdown 8", "transform link_threads 1", "load jsonl 11", "load csv 13",
        ])
        #expect(steps.map { $0["implicit"] as? String } == [
            nil, "gives every message its ids; runs after the other transforms of a document when the file does not list it", nil, nil,
        ])
        let rows = try #require(manifest["rows"] as? [String: Any])
        // 96 seed messages + Ana; rejected: the replies value and the entry without author.
        #expect(rows["in"] as? Int == 99)
        #expect(rows["out"] as? Int == 97)
        #expect(rows["rejected"] as? Int == 2)
        #expect(rows["balanced"] as? Bool == true)
        let inputs = try #require(manifest["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["path"] as? String } == ["books/20210308-designing-data-intensive-applications.md", "empty.md", "partial.md"])
        #expect(inputs.map { $0["status"] as? String } == ["ok", "rejected", "partial"])
        for input in inputs {
            let path = scratch.path("inputs/" + (input["path"] as! String))
            #expect(input["bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
            #expect(input["sha256"] as? String == (try sha256sum(path)))
        }
        let outputs = try #require(manifest["outputs"] as? [[String: Any]])
        #expect(outputs.count == 10)
        for output in outputs where output["path"] as? String != DataPackage.fileName {
            let path = scratch.path("out/" + (output["path"] as! String))
            #expect(output["bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
            #expect(output["sha256"] as? String == (try sha256sum(path)))
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let lines = output["format"] as? String == "csv" ? try readCSV(path).count - 1 : text.split(separator: "\n").count
            #expect(output["rows"] as? Int == lines, "\(output["path"]!)")
        }
        #expect(try readJSONLines(scratch.path("out/_rejects.jsonl")).count == 3)
    }

    /// The hash as coreutils computes it, independent of our code.
    func sha256sum(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return String(output.prefix(64))
    }

    @Test func dryRunPrintsThePlanAndWritesNothing() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", basicPipeline())
        let result = try runThreadline(["run", "--dry-run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0)
        #expect(result.stdout.contains("extract markdown (pipeline.yaml:8:5): 1 input, \(BadInputTests.good.utf8.count) bytes\n  a.md\n"))
        #expect(result.stdout.contains("load csv: threads -> threads.csv\n"))
        #expect(!scratch.exists("out"))
    }

    // A Slack export is read in parts, one per conversation; the plan lists it as one input. The
    // step the loader adds is shown with why.
    @Test func dryRunListsASlackExportOnce() throws {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-export", to: "inputs/slack-export")
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: slack_json\n    include: [\"slack-export\"]"))
        let result = try runThreadline(["run", "--dry-run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0)
        // 64,405 bytes: the export's six files, counted once over its parts.
        #expect(result.stdout.contains("""
            extract slack_json (pipeline.yaml:8:5): 1 input, 64405 bytes
              slack-export
            transform link_threads (added: gives every message its ids; runs after the other transforms of a document when the file does not list it)
            output_root
            """))
    }

    // The command line trims glibc's heaps at this hook; it fires once per large input, after it is written.
    @Test func afterLargeInputRunsOncePerInputOfAtLeastFourMegabytes() throws {
        final class Counter: @unchecked Sendable {
            let lock = NSLock()
            var value = 0
            func increment() { lock.lock(); value += 1; lock.unlock() }
        }
        let scratch = try Scratch()
        try scratch.write("inputs/small.md", BadInputTests.good)
        let padding = String(repeating: "x", count: Int(PipelineRunner.largeInputBytes))
        try scratch.write("inputs/large.md", BadInputTests.good + "\n" + padding + "\n")
        let file = try scratch.write("pipeline.yaml", basicPipeline())
        let spec = try PipelineLoader(environment: [:]).load(path: file)
        let calls = Counter()
        let report = try PipelineRunner(spec: spec, afterLargeInput: { calls.increment() }).run()
        #expect(report.inputs.count == 2)
        #expect(calls.value == 1)
    }

    // Progress counts inputs as the manifest does: a Slack export read as several units is one input.
    @Test func progressCountsAnExportAsOneInput() throws {
        final class Calls: @unchecked Sendable {
            let lock = NSLock()
            var seen: [[Int]] = []
            func add(_ call: [Int]) { lock.lock(); seen.append(call); lock.unlock() }
        }
        let scratch = try Scratch()
        try scratch.copyFixture("slack-export", to: "inputs/slack-export")
        try scratch.write("inputs/a.md", BadInputTests.good)
        let file = try scratch.write("pipeline.yaml", basicPipeline(extract: """
              - type: markdown
                include: ["*.md"]
              - type: slack_json
                include: ["slack-export"]
            """))
        let spec = try PipelineLoader(environment: [:]).load(path: file)
        let runner = PipelineRunner(spec: spec)
        // The export is one input of three parts: what it shares, its conversation and its hash.
        #expect(try runner.plan().entries.map { $0.input.parts.count } == [1, 3])
        let calls = Calls()
        let report = try PipelineRunner(spec: spec, progress: { done, total, _ in calls.add([done, total]) }).run()
        #expect(report.inputs.map(\.path) == ["a.md", "slack-export"])
        #expect(calls.seen == [[1, 2], [2, 2]])
    }

    @Test func jsonLogsAreOneObjectPerLine() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("inputs/bad.md", "nope")
        try scratch.write("pipeline.yaml", basicPipeline())
        let result = try runThreadline(["run", "--log-format", "json", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["level"] is String && object["time"] is String && object["message"] is String)
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(lines.last!.utf8)) as? [String: Any])
        #expect(summary["message"] as? String == "run finished")
        let fields = try #require(summary["fields"] as? [String: Any])
        // Counts are JSON numbers, not strings.
        let numbers = lines.last!.replacingOccurrences(of: " ", with: "")
        for (name, count) in [("rows_messages", 1), ("rows_in", 1), ("rows_out", 1), ("rows_rejected", 0), ("rejects", 1), ("rows_authors", 1)] {
            #expect(fields[name] as? Int == count, "\(name)")
            #expect(numbers.contains("\"\(name)\":\(count),") || numbers.contains("\"\(name)\":\(count)}"), "\(name) is a number")
        }
        #expect(fields["elapsed_seconds"] is Double && fields["mb_per_second"] is Double)
        #expect(fields["run_id"] is String)
    }
}

/// `--log-format json`: every line on stderr is a JSON object, errors that end a run included, and the
/// last line is the run summary when there is one, else the error.
@Suite(.serialized) struct JSONLogTests {
    /// The stderr lines as JSON with `time` left out (after checking it is there), keys sorted.
    func lines(_ stderr: String) throws -> [String] {
        #expect(stderr.hasSuffix("\n"))
        return try stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            var object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not JSON: \(line)")
            #expect(object.removeValue(forKey: "time") is String)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        }
    }

    func run(_ scratch: Scratch, _ arguments: [String] = []) throws -> CommandResult {
        try runThreadline(["run", "--log-format", "json", "pipeline.yaml"] + arguments, in: scratch.root)
    }

    /// A cron job's log sees how far a long run has got: a progress line per interval (here 0: one
    /// per input), with numbers, then the summary last.
    @Test func progressIsLoggedPerIntervalWhenStderrIsNotATerminal() throws {
        let scratch = try Scratch()
        for name in ["a", "b", "c"] { try scratch.write("inputs/\(name).md", BadInputTests.good) }
        try scratch.write("pipeline.yaml", basicPipeline())
        let result = try run(scratch, ["--progress-interval", "0"])
        #expect(result.status == 0)
        let objects = try result.stderr.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let progress = objects.filter { $0["message"] as? String == "progress" }.compactMap { $0["fields"] as? [String: Any] }
        #expect(progress.map { $0["inputs_done"] as? Int } == [1, 2, 3])
        #expect(progress.map { $0["inputs"] as? Int } == [3, 3, 3])
        let size = Int64(BadInputTests.good.utf8.count)
        #expect(progress.map { $0["bytes_done"] as? Int64 } == [size, 2 * size, 3 * size])
        #expect(progress.allSatisfy { $0["elapsed_seconds"] is Double && $0["mb_per_second"] is Double })
        #expect(objects.last?["message"] as? String == "run finished")
        // At the default interval (10 s) a run this short logs no progress at all.
        let quick = try run(scratch)
        #expect(!quick.stderr.contains("\"progress\""))
        let negative = try run(scratch, ["--progress-interval=-1"])
        #expect(negative.status == 2)
        #expect(negative.stderr.contains("--progress-interval takes a number of seconds, 0 or more"))
    }

    @Test func aPipelineFileErrorIsAnObjectWithItsLocationAndNote() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: markdwon\n    include: [\"*.md\"]"))
        let result = try run(scratch)
        #expect(result.status == 2)
        #expect(try lines(result.stderr) == [
            #"{"fields":{"column":11,"file":"pipeline.yaml","line":8,"note":"did you mean 'markdown'?","rule":"pipeline-unknown-step"},"level":"error","logger":"threadline","message":"unknown extract step type 'markdwon'"}"#,
        ])
    }

    @Test func aRejectUnderOnErrorFailIsTheLastLine() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/bad.md", "no front matter")
        try scratch.write("pipeline.yaml", basicPipeline(onError: "fail"))
        let result = try run(scratch)
        #expect(result.status == 1)
        let found = try lines(result.stderr)
        #expect(found.last == #"{"fields":{"column":1,"file":"bad.md","line":1,"note":"on_error is 'fail'; no output was changed. Use on_error: quarantine to go on and collect rejects","rule":"no-front-matter"},"level":"error","logger":"threadline","message":"rejected: no front matter: the file must start with a '---' line"}"#)
    }

    @Test func aHeldLockIsAnObject() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", basicPipeline())
        let lock = RunLock(outputRoot: scratch.path("out"))
        try lock.acquire()
        defer { lock.release() }
        let holder = try scratch.read("out/.threadline.lock").trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try run(scratch)
        #expect(result.status == 3)
        #expect(try lines(result.stderr) == [
            #"{"fields":{"note":"wait for it to finish, or use another output_root (--set output_root=…)"},"level":"error","logger":"threadline","message":"another run ("#
                + holder + ") is writing to '" + scratch.path("out") + "'\"}",
        ])
    }

    @Test func anIOErrorIsAnObject() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", basicPipeline())
        // A folder where an output file goes: the output cannot be put in place.
        try scratch.write("out/messages.jsonl/keep", "")
        let result = try run(scratch, ["--quiet"])
        #expect(result.status == 3)
        let found = try lines(result.stderr)
        try #require(found.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(found[0].utf8)) as? [String: Any])
        #expect(object["level"] as? String == "error")
        #expect((object["fields"] as? [String: Any])?["note"] as? String == "remove or rename the folder, or choose another path for this output")
        let message = try #require(object["message"] as? String)
        #expect(message == "cannot write '\(scratch.path("out/messages.jsonl"))': it is a folder", "\(message)")
    }

    @Test func rejectsOverMaxRejectsComeBeforeTheSummary() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good.replacingOccurrences(of: "  text: hello\n---", with: "  text: hello\n- text: no author\n---"))
        try scratch.write("pipeline.yaml", basicPipeline(extra: "max_rejects: 0"))
        let result = try run(scratch)
        #expect(result.status == 1)
        let found = try lines(result.stderr)
        try #require(found.count >= 2)
        #expect(found[found.count - 2] == #"{"fields":{"rejected_files":0,"rejected_rows":1},"level":"error","logger":"threadline","message":"rejected input is over max_rejects; see _rejects.jsonl"}"#)
        #expect(found.last?.contains(#""message":"run finished""#) == true)
        let quiet = try run(scratch, ["--quiet"])
        #expect(quiet.status == 1)
        #expect(try lines(quiet.stderr) == [
            #"{"fields":{"rejected_files":0,"rejected_rows":1},"level":"error","logger":"threadline","message":"rejected input is over max_rejects; see _rejects.jsonl"}"#,
        ])
    }
}
