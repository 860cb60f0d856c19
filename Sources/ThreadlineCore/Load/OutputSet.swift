import Foundation

/// Every output file of a run: one sink per load step and table, staged until the run commits.
///
/// Each sink writes on a serial queue of its own, so the formats are encoded in parallel with each
/// other and with extraction; batches reach a sink in the order they were written, and at most
/// `SinkWorker.depth` batches wait per sink, which bounds memory.
final class OutputSet {
    private struct Target {
        let table: Table
        let file: OutputFile
        let sink: any TableSink
        let worker: SinkWorker
        var rows = 0
    }

    private var targets: [Target] = []
    private let outputRoot: String
    private(set) var rowCounts: [Table: Int] = [:]

    init(spec: PipelineSpec) throws {
        outputRoot = spec.outputRoot
        do {
            for load in spec.load.map(\.step) {
                for table in load.tables {
                    let file = try OutputFile(outputRoot: spec.outputRoot, relativePath: load.relativePath(for: table))
                    let sink = try load.makeSink(for: table, output: file.staged)
                    targets.append(Target(table: table, file: file, sink: sink, worker: SinkWorker(sink, label: file.relativePath)))
                }
            }
        } catch {
            discard()
            throw error
        }
        for table in Table.allCases { rowCounts[table] = 0 }
    }

    func write(_ table: Table, _ rows: [Row]) throws {
        guard !rows.isEmpty else { return }
        rowCounts[table, default: 0] += rows.count
        for index in targets.indices where targets[index].table == table {
            try targets[index].worker.submit(rows)
            targets[index].rows += rows.count
        }
    }

    /// Finishes every file, writes `_rejects.jsonl`, and renames everything into place: all of the
    /// run's files, or, when one cannot be put in place, none (the ones already renamed are put back).
    func commit(rejects: [Reject], quarantine: Bool, atPhase: (@Sendable (RunPhase) -> Void)? = nil) throws -> [RunReport.Output] {
        for target in targets { try target.worker.finish() }
        let rejectsFile = try OutputFile(outputRoot: outputRoot, relativePath: "_rejects.jsonl")
        defer { rejectsFile.discard() }
        try RejectsFile.write(rejects, quarantine: quarantine, to: rejectsFile.stagingPath)
        var outputs: [RunReport.Output] = []
        for target in targets {
            let (bytes, digest) = try target.file.prepare(known: target.sink.digest)
            outputs.append(RunReport.Output(
                path: target.file.relativePath, table: target.table.rawValue, format: target.sink.format, rows: target.rows,
                bytes: bytes, sha256: digest))
        }
        let (bytes, digest) = try rejectsFile.prepare()
        outputs.append(RunReport.Output(path: "_rejects.jsonl", table: "_rejects", format: "jsonl", rows: rejects.count, bytes: bytes, sha256: digest))

        let files = targets.map(\.file) + [rejectsFile]
        var placed: [OutputFile] = []
        do {
            for file in files {
                try file.swapIn()
                placed.append(file)
                if placed.count == 1 { atPhase?(.renaming) }
            }
        } catch {
            for file in placed.reversed() { file.rollBack() }
            guard var failure = error as? ThreadlineError, !failure.diagnostics.isEmpty else { throw error }
            failure.diagnostics[0].notes.append("the outputs already renamed were put back: no output changed")
            throw failure
        }
        for file in placed { file.dropBackup() }
        targets.removeAll()
        return outputs
    }

    func discard() {
        for target in targets {
            target.worker.drain()
            target.file.discard()
        }
        targets.removeAll()
    }
}
