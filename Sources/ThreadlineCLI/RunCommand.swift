import CMallocTuning
import ArgumentParser
import Foundation
import Logging
import ThreadlineCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline (default pipelines/default.yaml).")

    @OptionGroup var arguments: PipelineArguments

    @Flag(help: "Print the plan (inputs matched per step, outputs) and write nothing.")
    var dryRun = false

    @Option(help: "Log lines on stderr as text or json (one object a line).")
    var logFormat: LogFormat = .text

    @Flag(name: .shortAndLong, help: "Print only warnings and errors: no progress, no summary.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "Seconds between progress lines in the log when stderr is not a terminal (0: a line per input).",
            valueName: "seconds"))
    var progressInterval: Double = 10

    func validate() throws {
        guard progressInterval >= 0, progressInterval.isFinite else {
            throw ValidationError("--progress-interval takes a number of seconds, 0 or more")
        }
    }

    func run() throws {
        let logger = StderrLogHandler.bootstrap(format: logFormat, quiet: quiet)
        // A bar for a person at a terminal; log lines for a cron job's log or a log shipper.
        let progress: (any ProgressDisplay)? =
            if quiet { nil } else if logFormat == .text && Console.stderrIsTerminal { ProgressBar() } else {
                ProgressLog(logger: logger, interval: progressInterval)
            }
        let report: RunReport
        do {
            let spec = try arguments.load()
            var onProgress: (@Sendable (Int, Int, Int64) -> Void)?
            if let progress {
                onProgress = { done, total, bytes in progress.update(done: done, total: total, bytes: bytes) }
            }
            let runner = PipelineRunner(
                spec: spec, logger: logger, progress: onProgress, afterLargeInput: { threadline_release_free_memory() },
                atPhase: TestPause.hook())
            if dryRun {
                var plan = try runner.plan()
                if let shard = spec.shard { plan.entries.removeAll { !shard.contains($0.input.relativePath) } }
                print(Planner.describe(plan, spec: spec), terminator: "")
                return
            }
            StopSignals.install(logger: logger)
            report = try runner.run()
            progress?.finish()
        } catch {
            StopSignals.waitIfStopping()
            progress?.finish()
            throw Console.exit(for: error, logger: logFormat == .json ? logger : nil)
        }
        let overLimit = report.status != .success
        func reportOverLimit() {
            logger.error(
                "rejected input is over max_rejects; see _rejects.jsonl",
                metadata: ["rejected_rows": .stringConvertible(report.rejectedRows), "rejected_files": .stringConvertible(report.rejectedFiles)])
        }
        if logFormat == .json {
            // The summary is the last line a log shipper reads.
            if overLimit { reportOverLimit() }
            logger.info("run finished", metadata: Summary.metadata(report))
        } else {
            if !quiet { Console.error(Summary.text(report)) }
            if overLimit { reportOverLimit() }
        }
        if overLimit { throw ExitCode(report.status.rawValue) }
    }
}

/// `--dry-run`: what a run would read and write.
enum Planner {
    static func describe(_ plan: PipelineRunner.Plan, spec: PipelineSpec) -> String {
        var out = "pipeline \(spec.name) (\(spec.file))\ninput_root \(spec.inputRoot)\n"
        for (index, source) in plan.extract.enumerated() {
            let inputs = plan.inputs(of: index)
            let bytes = inputs.reduce(Int64(0)) { $0 + $1.bytes }
            out += "extract \(source.name) (\(source.location)): \(inputs.count) input\(inputs.count == 1 ? "" : "s"), \(bytes) bytes\n"
            for input in inputs { out += "  \(input.relativePath)\n" }
        }
        for transform in spec.transform {
            out += "transform \(transform.name)"
            if case .implicit(let reason) = transform.origin { out += " (added: \(reason))" }
            out += "\n"
        }
        out += "output_root \(spec.outputRoot)\n"
        for load in spec.load {
            for output in load.step.outputs {
                out += "load \(load.name): \(output.tables.map(\.rawValue).joined(separator: ", ")) -> \(output.relativePath)"
                out += output.isPartitioned ? "/ (partitioned by \(output.partitionBy.map(\.rawValue).joined(separator: ", ")))\n" : "\n"
            }
        }
        out += "  _manifest.json, _rejects.jsonl\n"
        return out
    }
}

/// The closing summary of a run.
enum Summary {
    static func text(_ report: RunReport) -> String {
        var lines: [String] = []
        let tables = Table.allCases.map { "\($0.rawValue) \(report.rowsPerTable[$0] ?? 0)" }.joined(separator: ", ")
        lines.append("rows: \(tables)")
        var rows = "rows in \(report.inputRows) \(report.isBalanced ? "=" : "≠") out \(report.outputRows) + rejected \(report.rejectedRows)"
        if report.mergedRows > 0 { rows += " + merged \(report.mergedRows)" }
        if report.rejectedFiles > 0 {
            rows += "; \(report.rejectedFiles) file\(report.rejectedFiles == 1 ? "" : "s") rejected whole or in part (\(report.rejectedFileBytes) bytes, rows uncounted)"
        }
        lines.append("inputs: \(report.inputs.count) (\(report.inputBytes) bytes); " + rows)
        if report.rejects > 0 { lines.append("rejects: \(report.rejects) (see _rejects.jsonl)") }
        for (category, items) in report.notes.counts.sorted(by: { $0.key < $1.key }) {
            let total = items.values.reduce(0, +)
            let top = items.filter { $0.value > 0 }.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5)
                .map { $0.key.isEmpty ? "\($0.value)" : "\($0.key) ×\($0.value)" }
            lines.append("\(category.label): \(total)" + (top.isEmpty ? "" : " — " + top.joined(separator: ", ")))
        }
        lines.append("done in \(String(format: "%.2f", report.elapsedSeconds)) s (\(String(format: "%.1f", throughput(report))) MB/s)")
        return lines.joined(separator: "\n")
    }

    static func throughput(_ report: RunReport) -> Double {
        report.elapsedSeconds > 0 ? Double(report.inputBytes) / report.elapsedSeconds / 1_000_000 : 0
    }

    static func metadata(_ report: RunReport) -> Logger.Metadata {
        // Counts and measures are numbers, which `--log-format json` writes as JSON numbers.
        var fields: Logger.Metadata = [
            "run_id": .string(report.runID), "rows_in": .stringConvertible(report.inputRows), "rows_out": .stringConvertible(report.outputRows),
            "rows_rejected": .stringConvertible(report.rejectedRows), "rows_merged": .stringConvertible(report.mergedRows),
            "rejects": .stringConvertible(report.rejects),
            "rejected_files": .stringConvertible(report.rejectedFiles), "rejected_file_bytes": .stringConvertible(report.rejectedFileBytes),
            "elapsed_seconds": .stringConvertible((report.elapsedSeconds * 1000).rounded() / 1000),
            "mb_per_second": .stringConvertible((throughput(report) * 10).rounded() / 10),
        ]
        for table in Table.allCases { fields["rows_\(table.rawValue)"] = .stringConvertible(report.rowsPerTable[table] ?? 0) }
        for (category, items) in report.notes.counts {
            fields[category.key] = .stringConvertible(items.values.reduce(0, +))
        }
        return fields
    }
}

/// For tests only: `THREADLINE_TEST_PAUSE_AT=reading|writing|renaming|committed` pauses a run as it enters that
/// phase, so a test can stop it there (a signal, a closed stderr, a second run). The run says
/// `threadline-test: paused at PHASE` on stderr, waits for a line (or the end) on stdin, then says
/// `threadline-test: resumed at PHASE` and goes on. Without the variable nothing is paused.
enum TestPause {
    static func hook() -> (@Sendable (RunPhase) -> Void)? {
        guard let name = ProcessInfo.processInfo.environment["THREADLINE_TEST_PAUSE_AT"], let phase = RunPhase(rawValue: name) else {
            return nil
        }
        return { current in
            guard current == phase else { return }
            Console.error("threadline-test: paused at \(phase.rawValue)")
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) < 0, errno == EINTR {}
            Console.error("threadline-test: resumed at \(phase.rawValue)")
        }
    }
}
