import ArgumentParser
import Logging
import ThreadlineCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline (default pipelines/default.yaml).")

    @OptionGroup var arguments: PipelineArguments

    @Flag(name: .shortAndLong, help: "Print only errors.")
    var quiet = false

    func run() throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = quiet ? .error : .info
            return handler
        }
        let report: RunReport
        do {
            let spec = try arguments.load()
            report = try PipelineRunner(spec: spec, logger: Logger(label: "threadline")).run()
        } catch {
            throw Console.exit(for: error)
        }
        if !quiet { Console.error(Summary.text(report)) }
        if report.status != .success {
            Console.error("error: \(report.rejectedRows) rejected rows are over max_rejects; see _rejects.jsonl")
            throw ExitCode(report.status.rawValue)
        }
    }
}

/// The closing summary of a run.
enum Summary {
    static func text(_ report: RunReport) -> String {
        var lines: [String] = []
        let tables = Table.allCases.map { "\($0.rawValue) \(report.rowsPerTable[$0] ?? 0)" }.joined(separator: ", ")
        lines.append("rows: \(tables)")
        lines.append("inputs: \(report.inputs.count) (\(report.inputBytes) bytes); rows in \(report.inputRows) = out \(report.outputRows) + rejected \(report.rejectedRows)")
        if report.rejects > 0 { lines.append("rejects: \(report.rejects) (see _rejects.jsonl)") }
        for (category, items) in report.notes.counts.sorted(by: { $0.key < $1.key }) {
            let total = items.values.reduce(0, +)
            let top = items.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5).map { $0.key.isEmpty ? "\($0.value)" : "\($0.key) ×\($0.value)" }
            lines.append("\(category): \(total)" + (top.isEmpty ? "" : " — " + top.joined(separator: ", ")))
        }
        let seconds = report.elapsedSeconds
        let rate = seconds > 0 ? Double(report.inputBytes) / seconds / 1_000_000 : 0
        lines.append("done in \(String(format: "%.2f", seconds)) s (\(String(format: "%.1f", rate)) MB/s)")
        return lines.joined(separator: "\n")
    }
}
