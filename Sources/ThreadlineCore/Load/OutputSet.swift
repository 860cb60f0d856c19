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

    /// Finishes every file, writes `_rejects.jsonl`, then `_manifest.json` from what `manifest` makes
    /// of the outputs' sizes and hashes, and renames everything into place, the manifest last: all of
    /// the run's files, or, when one cannot be put in place or the run is stopped meanwhile, none (the
    /// ones already renamed are put back).
    func commit(
        rejects: [Reject], quarantine: Bool, atPhase: (@Sendable (RunPhase) -> Void)? = nil,
        manifest: ([RunReport.Output]) throws -> [UInt8]
    ) throws -> [RunReport.Output] {
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

        let manifestFile = try OutputFile(outputRoot: outputRoot, relativePath: "_manifest.json")
        defer { manifestFile.discard() }
        let writer = try BufferedFileWriter(path: manifestFile.stagingPath)
        try writer.write(try manifest(outputs))
        try writer.flush()
        _ = try manifestFile.prepare(known: writer.digest)

        let files = targets.map(\.file) + [rejectsFile, manifestFile]
        do {
            for (index, file) in files.enumerated() {
                try StagingFiles.shared.place(file)
                if index == 0 { atPhase?(.renaming) }
            }
        } catch {
            StagingFiles.shared.rollBack()
            guard var failure = error as? ThreadlineError, !failure.diagnostics.isEmpty else { throw error }
            failure.diagnostics[0].notes.append("the outputs already renamed were put back: no output changed")
            throw failure
        }
        StagingFiles.shared.settle()
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
