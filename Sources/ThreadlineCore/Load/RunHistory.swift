import Foundation
import Logging
import Synchronization

/// `_runs.jsonl` in `output_root`: one line per run that got as far as taking the folder's lock,
/// appended when it ends, whether it succeeded or not, so a cron user sees yesterday's run and when
/// rows started to drop (`threadline history`).
package enum RunHistory {
    package static let fileName = "_runs.jsonl"

    /// One run, as its line holds it.
    package struct Entry: Sendable, Equatable {
        package var runID: String
        package var pipeline: String
        package var startedAt: String
        package var endedAt: String
        /// `ok`, `rejects_over_limit` or `failed`.
        package var status: String
        package var exitCode: Int
        package var rowsIn: Int
        package var rowsOut: Int
        package var rowsRejected: Int
        package var rejects: Int
        /// Rows written per table; empty for a run that failed before writing.
        package var tables: [String: Int]
        package var inputsProcessed: Int
        package var inputsReused: Int
        /// Why a failed run failed.
        package var error: String?

        package init(
            runID: String, pipeline: String, startedAt: String, endedAt: String, status: String, exitCode: Int, rowsIn: Int = 0,
            rowsOut: Int = 0, rowsRejected: Int = 0, rejects: Int = 0, tables: [String: Int] = [:], inputsProcessed: Int = 0,
            inputsReused: Int = 0, error: String? = nil
        ) {
            self.runID = runID
            self.pipeline = pipeline
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.status = status
            self.exitCode = exitCode
            self.rowsIn = rowsIn
            self.rowsOut = rowsOut
            self.rowsRejected = rowsRejected
            self.rejects = rejects
            self.tables = tables
            self.inputsProcessed = inputsProcessed
            self.inputsReused = inputsReused
            self.error = error
        }

        /// The entry of a run of `spec` that ended with `report`: the tables its load steps wrote (a table
        /// none of them takes is not written, so not counted).
        init(_ report: RunReport, spec: PipelineSpec) {
            let written = Set(spec.load.flatMap { $0.step.outputs.flatMap(\.tables) })
            self.init(
                runID: report.runID, pipeline: spec.name, startedAt: report.startedAt.iso8601, endedAt: report.endedAt.iso8601,
                status: report.status == .success ? "ok" : "rejects_over_limit", exitCode: Int(report.status.rawValue),
                rowsIn: report.inputRows, rowsOut: report.outputRows, rowsRejected: report.rejectedRows, rejects: report.rejects,
                tables: Dictionary(uniqueKeysWithValues: report.rowsPerTable.filter { written.contains($0.key) }.map { ($0.key.rawValue, $0.value) }),
                inputsProcessed: report.inputs.count { $0.origin != .reused }, inputsReused: report.inputs.count { $0.origin == .reused })
        }

        /// The line of a run that ended with `error`, with what it had counted by then.
        init(failed report: RunReport, pipeline: String, error: any Error) {
            let failure = error as? ThreadlineError
            self.init(
                runID: report.runID, pipeline: pipeline, startedAt: report.startedAt.iso8601, endedAt: Timestamp.now.iso8601,
                status: "failed", exitCode: Int(failure?.status.rawValue ?? ExitStatus.runtimeFailure.rawValue),
                rowsIn: report.inputRows, rowsRejected: report.rejectedRows, rejects: report.rejects,
                error: failure?.diagnostics.first?.message ?? "\(error)")
        }

        var json: JSONValue {
            var fields: [String: JSONValue] = [
                "run_id": .string(runID), "pipeline": .string(pipeline), "started_at": .string(startedAt), "ended_at": .string(endedAt),
                "status": .string(status), "exit_code": .int(Int64(exitCode)),
                "rows": .object(["in": .int(Int64(rowsIn)), "out": .int(Int64(rowsOut)), "rejected": .int(Int64(rowsRejected))]),
                "rejects": .int(Int64(rejects)), "tables": .object(tables.mapValues { .int(Int64($0)) }),
                "inputs": .object(["processed": .int(Int64(inputsProcessed)), "reused": .int(Int64(inputsReused))]),
            ]
            if let error { fields["error"] = .string(error) }
            return .object(fields)
        }
    }

    /// A line of `_runs.jsonl` as it is decoded: a field that is missing reads as empty, but a field of
    /// the wrong type makes the line unreadable (a hand-edited line must not read as a run of zero
    /// rows, which would flag every table as dropped).
    private struct Line: Decodable {
        struct Rows: Decodable {
            var `in`: Int?, out: Int?, rejected: Int?
        }
        struct Inputs: Decodable {
            var processed: Int?, reused: Int?
        }
        var runID: String
        var status: String
        var pipeline: String?, startedAt: String?, endedAt: String?, error: String?
        var exitCode: Int?, rejects: Int?
        var rows: Rows?
        var tables: [String: Int]?
        var inputs: Inputs?

        enum CodingKeys: String, CodingKey {
            case runID = "run_id", status, pipeline, startedAt = "started_at", endedAt = "ended_at", error
            case exitCode = "exit_code", rejects, rows, tables, inputs
        }

        var entry: Entry {
            Entry(
                runID: runID, pipeline: pipeline ?? "", startedAt: startedAt ?? "", endedAt: endedAt ?? "", status: status,
                exitCode: exitCode ?? -1, rowsIn: rows?.in ?? 0, rowsOut: rows?.out ?? 0, rowsRejected: rows?.rejected ?? 0,
                rejects: rejects ?? 0, tables: tables ?? [:], inputsProcessed: inputs?.processed ?? 0,
                inputsReused: inputs?.reused ?? 0, error: error)
        }
    }

    /// Appends `entry` as one line, with one write to a file opened for appending (never through a
    /// symbolic link), and makes it durable. A last line cut short (a crash or a full disk in the
    /// middle of its write) is ended first, so that it stays one unreadable line and this one is read.
    /// Call only while holding the folder's `RunLock`.
    static func append(_ entry: Entry, to outputRoot: String) throws {
        let path = (outputRoot as NSString).appendingPathComponent(fileName)
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw ThreadlineError(.runtimeFailure, "cannot append to '\(path)': \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var line: [UInt8] = []
        let size = lseek(fd, 0, SEEK_END)
        var last: UInt8 = 0
        if size > 0, pread(fd, &last, 1, size - 1) == 1, last != UInt8(ascii: "\n") { line.append(UInt8(ascii: "\n")) }
        JSONValue.compact(entry.json, to: &line)
        line.append(UInt8(ascii: "\n"))
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else {
            throw ThreadlineError(.runtimeFailure, "cannot append to '\(path)': \(String(cString: strerror(errno)))")
        }
        _ = fsync(fd)
    }

    /// Runs `run`, a run of `spec` that holds `outputRoot`'s lock and starts as `report`, and appends how
    /// it ended: its entry when it succeeds, a failed entry with its error when it throws (a failure to
    /// record that is only logged, so the run's own error is the one reported). A stop signal that ends
    /// the process meanwhile records it instead (``recordStopped(by:status:)``).
    static func recording(
        _ report: inout RunReport, of spec: PipelineSpec, in outputRoot: String, logger: Logger,
        _ run: (inout RunReport) throws -> Void
    ) throws {
        begin(report, pipeline: spec.name, outputRoot: outputRoot)
        do {
            try run(&report)
        } catch {
            guard claim(report.runID) else { throw error }
            do {
                try append(Entry(failed: report, pipeline: spec.name, error: error), to: outputRoot)
            } catch let failure {
                logger.warning("the run could not be recorded in \(fileName): \(failure)")
            }
            throw error
        }
        if claim(report.runID) { try append(Entry(report, spec: spec), to: outputRoot) }
    }

    /// The runs of this process that hold an output folder's lock and have not recorded themselves
    /// yet, by run id, with their folder: a stop signal records them as it ends the process.
    private static let unrecorded = Mutex<[String: (entry: Entry, outputRoot: String)]>([:])

    /// Notes that the run `report` starts holds `outputRoot`'s lock: until it records itself
    /// (``claim(_:)``), a stop signal records it as stopped (``recordStopped(by:status:)``).
    private static func begin(_ report: RunReport, pipeline: String, outputRoot: String) {
        let entry = Entry(
            runID: report.runID, pipeline: pipeline, startedAt: report.startedAt.iso8601, endedAt: report.startedAt.iso8601,
            status: "failed", exitCode: -1)
        unrecorded.withLock { $0[report.runID] = (entry, outputRoot) }
    }

    /// Whether the run is still the one to record how it ended: false once a stop signal recorded it,
    /// or while a stop signal is ending the process (which records it).
    private static func claim(_ runID: String) -> Bool {
        unrecorded.withLock { runs in
            guard !StagingFiles.shared.isStopping else { return false }
            return runs.removeValue(forKey: runID) != nil
        }
    }

    /// Records every run of this process not yet recorded as `failed`, stopped by the signal `name`,
    /// with the status the process ends with: a cron job's `timeout` shows in the history.
    package static func recordStopped(by name: String, status: Int32) {
        let runs = unrecorded.withLock { runs in
            defer { runs.removeAll() }
            return Array(runs.values)
        }
        for (started, outputRoot) in runs {
            var entry = started
            entry.endedAt = Timestamp.now.iso8601
            entry.exitCode = Int(status)
            entry.error = "stopped by \(name); the previous outputs are as they were"
            try? append(entry, to: outputRoot)
        }
    }

    /// The runs recorded in `outputRoot`, oldest first; lines that are not runs (a line cut by a full
    /// disk) are counted in `unreadable`, not fatal.
    package static func read(outputRoot: String) throws -> (entries: [Entry], unreadable: Int) {
        let path = (outputRoot as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ThreadlineError(
                .usageError, "no run history at '\(path)'",
                notes: ["runs record themselves in output_root's _runs.jsonl; name the output folder of a pipeline that has run"])
        }
        var entries: [Entry] = [], unreadable = 0
        let decoder = JSONDecoder()
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            if let decoded = try? decoder.decode(Line.self, from: Data(line)) {
                entries.append(decoded.entry)
            } else {
                unreadable += 1
            }
        }
        return (entries, unreadable)
    }

    /// `runs` as a JSON array, oldest first, each entry with its `drops` (percentages to one decimal).
    package static func json(_ runs: [(entry: Entry, drops: [Drop])]) -> String {
        let array = JSONValue.array(
            runs.map { entry, drops in
                guard case .object(var fields) = entry.json else { preconditionFailure("an entry is an object") }
                fields["drops"] = .array(
                    drops.map {
                        .object([
                            "table": .string($0.table), "previous": .int(Int64($0.previous)), "rows": .int(Int64($0.rows)),
                            "percent": .number(($0.percent * 10).rounded() / 10), "written": .bool($0.written),
                        ])
                    })
                return .object(fields)
            })
        var out: [UInt8] = []
        array.write(to: &out, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    /// A table whose rows fell, between a successful run and the successful run before it, by more
    /// than a threshold, or that the run did not write at all.
    package struct Drop: Sendable, Equatable {
        package var table: String
        package var previous: Int
        package var rows: Int
        /// Of the previous count, 0–100.
        package var percent: Double
        /// False when no load step of the run wrote the table (its file, if any, is an older run's).
        package var written = true
    }

    /// For each entry, the tables whose rows dropped by more than `threshold` percent since the last
    /// successful (`ok`) run before it; a failed run wrote nothing and is compared with nothing.
    package static func drops(_ entries: [Entry], threshold: Double) -> [[Drop]] {
        var previous: Entry?
        return entries.map { entry in
            guard entry.status != "failed" else { return [] }
            defer { if entry.status == "ok" { previous = entry } }
            guard let previous else { return [] }
            return previous.tables.keys.sorted().compactMap { table in
                let before = previous.tables[table] ?? 0, now = entry.tables[table] ?? 0
                guard before > 0, now < before else { return nil }
                let percent = Double(before - now) / Double(before) * 100
                guard percent > threshold else { return nil }
                return Drop(table: table, previous: before, rows: now, percent: percent, written: entry.tables[table] != nil)
            }
        }
    }
}
