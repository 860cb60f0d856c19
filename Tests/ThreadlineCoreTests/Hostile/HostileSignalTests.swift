import Foundation
import Testing

@testable import ThreadlineCore

/// Fault injection: the real binary is stopped at each phase of a run (reading inputs, writing the
/// outputs' staging files, renaming them into place) by SIGTERM, by SIGPIPE (its stderr pipe
/// closed), by SIGKILL, or by a second run. The outputs are then all the previous run's or all the
/// new run's, and no staging (`.NAME.tmp-PID`) or backup (`.NAME.old-PID`) file is left.
///
/// The run is paused at a phase by `THREADLINE_TEST_PAUSE_AT`, a hook for tests only: at the named
/// phase the run says `threadline-test: paused at PHASE` on stderr and waits for a line on stdin.
@Suite(.serialized) struct HostileSignalTests {
    enum Phase: String, CaseIterable {
        case reading, writing, renaming, committed

        /// The phases a stop signal can still undo: before every output is in place.
        static let beforeCommit: [Phase] = [.reading, .writing, .renaming]
    }

    /// A run of the binary paused at a phase, with its stdin and stderr pipes.
    final class PausedRun {
        let process = Process()
        let stdin = Pipe()
        let stderr = Pipe()
        private(set) var said = ""

        init(_ scratch: Scratch, at phase: Phase?) throws {
            process.executableURL = URL(fileURLWithPath: try threadlineBinary())
            process.arguments = ["run", "--progress-interval", "0", "pipeline.yaml"]
            process.currentDirectoryURL = URL(fileURLWithPath: scratch.root)
            var environment = ProcessInfo.processInfo.environment
            if let phase { environment["THREADLINE_TEST_PAUSE_AT"] = phase.rawValue }
            process.environment = environment
            process.standardInput = stdin
            process.standardError = stderr
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            guard let phase else { return }
            let marker = "threadline-test: paused at \(phase.rawValue)\n"
            while !said.contains(marker) {
                let data = stderr.fileHandleForReading.availableData
                guard !data.isEmpty else { throw TestSupportError("the run ended before it paused at \(phase): \(said)") }
                said += String(decoding: data, as: UTF8.self)
            }
        }

        var pid: Int32 { process.processIdentifier }

        /// Lets the paused run go on.
        func resume() throws {
            try stdin.fileHandleForWriting.write(contentsOf: Data("\n".utf8))
            try stdin.fileHandleForWriting.close()
        }

        /// Waits for the end (a stopped run ends without going on: its stdin stays open until then, at
        /// most 60 s); returns how the process ended and the rest of what it said.
        func finish() -> (reason: Process.TerminationReason, status: Int32, said: String) {
            for _ in 0..<6000 where process.isRunning { usleep(10_000) }
            try? stdin.fileHandleForWriting.close()
            let rest = (try? stderr.fileHandleForReading.readToEnd()) ?? nil
            process.waitUntilExit()
            return (process.terminationReason, process.terminationStatus, said + String(decoding: rest ?? Data(), as: UTF8.self))
        }
    }

    /// A scratch folder with three inputs, run once: the previous outputs. Then a fourth input, so
    /// that the next run changes every table.
    func previousRun() throws -> Scratch {
        let scratch = try Scratch()
        for name in ["a", "b", "c"] {
            try scratch.write("inputs/\(name).md", BadInputTests.good.replacingOccurrences(of: "Ana", with: "Ana \(name)"))
        }
        try scratch.write("pipeline.yaml", basicPipeline())
        let first = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        try #require(first.status == 0, "\(first.stderr)")
        try scratch.write("inputs/d.md", BadInputTests.good.replacingOccurrences(of: "Ana", with: "Dee"))
        return scratch
    }

    /// Every file in `out/` (hidden ones included) with its SHA-256; the lock's contents aside, and
    /// `_runs.jsonl`, to which every run adds its line, failed or not.
    func state(_ scratch: Scratch) throws -> [String: String] {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: scratch.path("out"))
        where name != ".threadline.lock" && name != RunHistory.fileName {
            files[name] = try FileDigest.sha256(ofFileAt: scratch.path("out/" + name)).sha256
        }
        return files
    }

    /// The lines of `_runs.jsonl`.
    func history(_ scratch: Scratch) throws -> [Substring] {
        try String(contentsOfFile: scratch.path("out/" + RunHistory.fileName), encoding: .utf8).split(separator: "\n")
    }

    /// `_runs.jsonl` is the lines it had, and one more: a failed run, stopped by `signal`, with the
    /// status the process ended with.
    func expectStoppedRunRecorded(
        _ scratch: Scratch, after lines: [Substring], status: Int, by signal: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        let now = try history(scratch)
        #expect(Array(now.prefix(lines.count)) == lines, sourceLocation: sourceLocation)
        #expect(now.count == lines.count + 1, "\(now.dropFirst(lines.count))", sourceLocation: sourceLocation)
        let read = try RunHistory.read(outputRoot: scratch.path("out"))
        #expect(read.unreadable == 0, sourceLocation: sourceLocation)
        let last = try #require(read.entries.last, sourceLocation: sourceLocation)
        #expect(last.status == "failed" && last.exitCode == status, "\(last)", sourceLocation: sourceLocation)
        #expect(last.error?.hasPrefix("stopped by \(signal)") == true, "\(last)", sourceLocation: sourceLocation)
        #expect(last.runID != read.entries.dropLast().last?.runID, sourceLocation: sourceLocation)
    }

    /// The outputs are a whole run's: no staging or backup file, and the manifest lists exactly the
    /// files on disk with their hashes.
    func expectWhole(_ scratch: Scratch, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).sorted()
        #expect(!names.contains { $0.contains(".tmp-") || $0.contains(".old-") }, "\(names)", sourceLocation: sourceLocation)
        let data = try Data(contentsOf: URL(fileURLWithPath: scratch.path("out/_manifest.json")))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let outputs = try #require(manifest["outputs"] as? [[String: Any]])
        let files = names.filter { !$0.hasPrefix(".") && $0 != "_manifest.json" && $0 != RunHistory.fileName }
        #expect(Set(outputs.compactMap { $0["path"] as? String }) == Set(files),
                sourceLocation: sourceLocation)
        for output in outputs {
            let path = try #require(output["path"] as? String)
            #expect(output["sha256"] as? String == (try FileDigest.sha256(ofFileAt: scratch.path("out/" + path)).sha256), "\(path)",
                    sourceLocation: sourceLocation)
        }
    }

    /// The run went through: its outputs replaced `before`'s, whole, and it added one `ok` line to the
    /// history, which held `runs` before it.
    func expectFinishedAndRecorded(
        _ scratch: Scratch, before: [String: String], runs: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) throws {
        #expect(try state(scratch)["messages.jsonl"] != before["messages.jsonl"], sourceLocation: sourceLocation)
        try expectWhole(scratch, sourceLocation: sourceLocation)
        let lines = try String(contentsOfFile: scratch.path("out/" + RunHistory.fileName), encoding: .utf8)
        #expect(lines.hasPrefix(runs), sourceLocation: sourceLocation)
        let added = lines.dropFirst(runs.count)
        #expect(added.split(separator: "\n").count == 1, sourceLocation: sourceLocation)
        #expect(added.contains("\"status\":\"ok\""), sourceLocation: sourceLocation)
    }

    // MARK: 10. SIGTERM and SIGPIPE at each phase

    /// SIGTERM at each phase: the run ends as the signal ends it, and the outputs are the previous
    /// run's, whole; in the rename phase, the files already renamed are put back.
    @Test(arguments: Phase.beforeCommit)
    func sigtermAtEachPhaseLeavesThePreviousOutputsWhole(phase: Phase) throws {
        let scratch = try previousRun()
        let before = try state(scratch)
        let runs = try history(scratch)
        let run = try PausedRun(scratch, at: phase)
        kill(run.pid, SIGTERM)
        let end = run.finish()
        #expect(end.reason == .uncaughtSignal && end.status == SIGTERM, "\(end)")
        #expect(try state(scratch) == before)
        try expectWhole(scratch)
        // The history has the stopped run, as failed with the status it ended with.
        try expectStoppedRunRecorded(scratch, after: runs, status: 143, by: "SIGTERM")
        // The next run goes through and writes the new outputs. The stopped run let its lock go as
        // it ended, so there is no lock of "a run that did not finish" to take over (a SIGKILL's).
        let next = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(next.status == 0)
        #expect(!next.stderr.contains("took over the lock"), "\(next.stderr)")
        #expect(try state(scratch)["messages.jsonl"] != before["messages.jsonl"])
        try expectWhole(scratch)
    }

    /// A log reader that goes away (the stderr pipe closed) ends the run as SIGTERM does: SIGPIPE
    /// used to kill it on the spot, leaving its staging files, and, while renaming, a mix of old and
    /// new outputs with backups beside them.
    @Test(arguments: Phase.beforeCommit)
    func aClosedStderrPipeAtEachPhaseStopsTheRunCleanly(phase: Phase) throws {
        let scratch = try previousRun()
        let before = try state(scratch)
        let runs = try history(scratch)
        let run = try PausedRun(scratch, at: phase)
        try run.stderr.fileHandleForReading.close()
        try run.resume()
        run.process.waitUntilExit()
        #expect(run.process.terminationReason == .uncaughtSignal && run.process.terminationStatus == SIGPIPE,
                "\(run.process.terminationReason) \(run.process.terminationStatus)")
        #expect(try state(scratch) == before)
        try expectWhole(scratch)
        try expectStoppedRunRecorded(scratch, after: runs, status: 141, by: "SIGPIPE")
    }

    /// SIGTERM once every output is in place (the run recording itself in `_runs.jsonl`, printing its
    /// summary) comes too late to put anything back: the run says so and finishes as it would have,
    /// status 0 and recorded, instead of ending as the signal would, which says "the previous
    /// outputs" while the new ones are in place, and leaves the run out of the history.
    @Test func sigtermAfterTheCommitLetsTheRunFinishAndRecordItself() throws {
        let scratch = try previousRun()
        let before = try state(scratch)
        let runs = try String(contentsOfFile: scratch.path("out/" + RunHistory.fileName), encoding: .utf8)
        let run = try PausedRun(scratch, at: .committed)
        kill(run.pid, SIGTERM)
        let marker = "stop signal came after every output was in place"
        var said = ""
        while !said.contains(marker) {
            let data = run.stderr.fileHandleForReading.availableData
            if data.isEmpty { break }
            said += String(decoding: data, as: UTF8.self)
        }
        try run.resume()
        let end = run.finish()
        #expect(end.reason == .exit && end.status == 0, "\(end)")
        #expect((said + end.said).contains(marker))
        try expectFinishedAndRecorded(scratch, before: before, runs: runs)
    }

    /// A log reader that goes away once every output is in place is too late to stop the run as well:
    /// what the run would say is lost, and it finishes, status 0 and recorded, instead of ending as
    /// SIGPIPE with the new outputs in place and no line in the history.
    @Test func aClosedStderrPipeAfterTheCommitLetsTheRunFinishAndRecordItself() throws {
        let scratch = try previousRun()
        let before = try state(scratch)
        let runs = try String(contentsOfFile: scratch.path("out/" + RunHistory.fileName), encoding: .utf8)
        let run = try PausedRun(scratch, at: .committed)
        try run.stderr.fileHandleForReading.close()
        try run.resume()
        run.process.waitUntilExit()
        #expect(run.process.terminationReason == .exit && run.process.terminationStatus == 0,
                "\(run.process.terminationReason) \(run.process.terminationStatus)")
        try expectFinishedAndRecorded(scratch, before: before, runs: runs)
    }

    /// Resumed, a paused run finishes as any run does: the hook changes nothing else.
    @Test func aResumedRunFinishes() throws {
        let scratch = try previousRun()
        let run = try PausedRun(scratch, at: .renaming)
        try run.resume()
        let end = run.finish()
        #expect(end.reason == .exit && end.status == 0, "\(end.said)")
        #expect(end.said.contains("threadline-test: resumed at renaming\n"))
        try expectWhole(scratch)
    }

    // MARK: Already handled: SIGKILL, two runs at once

    /// SIGKILL cannot be caught: a run killed while writing leaves its staging files, but the
    /// previous outputs are whole, and the next run removes what the killed one left and takes its
    /// lock over.
    @Test func aRunKilledWhileWritingLeavesThePreviousOutputsWhole() throws {
        let scratch = try previousRun()
        let before = try state(scratch)
        let run = try PausedRun(scratch, at: .writing)
        kill(run.pid, SIGKILL)
        let end = run.finish()
        #expect(end.reason == .uncaughtSignal && end.status == SIGKILL)
        let left = try state(scratch)
        #expect(left.filter { !$0.key.contains(".tmp-") } == before)
        #expect(left.keys.contains(".messages.jsonl.tmp-\(run.pid)"))
        let next = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(next.status == 0)
        #expect(next.stderr.contains("took over the lock of a run that did not finish previous=pid \(run.pid), started "))
        try expectWhole(scratch)
        #expect(try state(scratch)["messages.jsonl"] != before["messages.jsonl"])
    }

    /// A second run on the same output folder is refused with status 3 at once, naming the first;
    /// the first is not disturbed.
    @Test func aSecondRunOnTheSameOutputIsRefusedWithStatusThree() throws {
        let scratch = try previousRun()
        let run = try PausedRun(scratch, at: .writing)
        let second = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(second.status == 3)
        #expect(second.stderr.contains("error: another run (pid \(run.pid), started "))
        #expect(second.stderr.contains("is writing to '\(URL(fileURLWithPath: scratch.path("out")).standardizedFileURL.path)'"))
        #expect(second.stderr.contains("note: wait for it to finish, or use another output_root"))
        try run.resume()
        let end = run.finish()
        #expect(end.reason == .exit && end.status == 0, "the first run is not disturbed")
        try expectWhole(scratch)
    }

    /// A full disk (here a file-size limit: writes past it fail with EFBIG, as on a full disk they
    /// fail with ENOSPC) fails the run with status 3 and changes no output.
    @Test func aFullDiskFailsTheRunAndChangesNoOutput() throws {
        let scratch = try previousRun()
        let padding = String(repeating: "lorem ipsum ", count: 20_000)
        try scratch.write("inputs/e.md", BadInputTests.good.replacingOccurrences(of: "text: hello", with: "text: \(padding)"))
        let before = try state(scratch)
        // `ulimit -f 64`: files of at most 64 blocks of 1 KiB; SIGXFSZ ignored, so the write fails
        // with EFBIG instead of killing the process.
        let result = try runThreadline(
            ["run", "pipeline.yaml"], in: scratch.root, as: ["/bin/sh", "-c", "trap '' XFSZ; ulimit -f 64; exec \"$0\" \"$@\""])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("File too large"), "\(result.stderr)")
        // It names the output as the user knows it, not the hidden file it was being staged in.
        #expect(result.stderr.contains(try Regex("error: cannot write 'messages\\.(jsonl|csv)': File too large")), "\(result.stderr)")
        #expect(!result.stderr.contains(".tmp-"), "\(result.stderr)")
        // The error says what to do, as every error does.
        #expect(result.stderr.contains("note: \(OutputWriteFailure.note)\n"), "\(result.stderr)")
        #expect(try state(scratch) == before)
        try expectWhole(scratch)
    }
}
