import ArgumentParser
import Foundation
import ThreadlineCore

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the runs recorded in an output folder's _runs.jsonl, flagging tables whose rows dropped.",
        discussion: """
            Every run that takes an output folder's lock appends a line to its _runs.jsonl when it ends, \
            failed runs too. A table is flagged when its rows fell by more than --drop-threshold percent \
            since the last successful run before. With --fail-on-drop, a drop in the latest run exits 1.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json
    }

    @Argument(help: "The output folder (a pipeline's output_root).")
    var outputRoot: String = "output"

    @Option(help: "text or json.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Show only the last N runs.", valueName: "N"))
    var last: Int?

    @Option(help: ArgumentHelp("A drop in a table's rows larger than this percentage is flagged.", valueName: "percent"))
    var dropThreshold: Double = 10

    @Flag(help: "Exit 1 when the latest run dropped rows (for a cron job's check).")
    var failOnDrop = false

    func validate() throws {
        if let last, last < 1 { throw ValidationError("--last takes a number of runs, 1 or more") }
        guard dropThreshold >= 0, dropThreshold <= 100 else { throw ValidationError("--drop-threshold takes a percentage from 0 to 100") }
    }

    func run() throws {
        let history: (entries: [RunHistory.Entry], unreadable: Int)
        do {
            history = try RunHistory.read(outputRoot: outputRoot)
        } catch {
            throw Console.exit(for: error)
        }
        let drops = RunHistory.drops(history.entries, threshold: dropThreshold)
        let shown = history.entries.indices.suffix(last ?? history.entries.count)
        switch format {
        case .text: print(Self.text(shown.map { (history.entries[$0], drops[$0]) }, unreadable: history.unreadable), terminator: "")
        case .json: print(RunHistory.json(shown.map { (history.entries[$0], drops[$0]) }))
        }
        if failOnDrop, let latest = drops.last, !latest.isEmpty { throw ExitCode(ExitStatus.dataError.rawValue) }
    }

    static let tables = Table.allCases.map(\.rawValue)

    /// A table of runs, oldest first, then a line per flagged drop.
    static func text(_ runs: [(RunHistory.Entry, [RunHistory.Drop])], unreadable: Int) -> String {
        let header = ["run", "started", "status", "exit"] + tables + ["rejected"]
        let rows = runs.map { entry, drops in
            [entry.runID, entry.startedAt, entry.status, String(entry.exitCode)]
                + tables.map { table in
                    let count = entry.tables[table].map(String.init) ?? "-"
                    return drops.contains { $0.table == table } ? count + " !" : count
                } + [String(entry.rowsRejected)]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { cells[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        var out = line(header) + rows.map(line).joined()
        for (entry, drops) in runs {
            for drop in drops {
                if drop.written {
                    out += "! run \(entry.runID): \(drop.table) dropped \(String(format: "%.1f", drop.percent))% (\(drop.previous) → \(drop.rows)) since the last successful run\n"
                } else {
                    out += "! run \(entry.runID): \(drop.table) is no longer written (\(drop.previous) rows in the last successful run)\n"
                }
            }
            if let error = entry.error { out += "  run \(entry.runID) failed: \(error)\n" }
        }
        if unreadable > 0 { out += "(\(unreadable) line\(unreadable == 1 ? "" : "s") of _runs.jsonl could not be read)\n" }
        return out
    }
}
