import Foundation

/// Every output file of a run: one sink per load step and table, staged until the run commits.
///
/// Each sink writes on a serial queue of its own, so the formats are encoded in parallel with each
/// other and with extraction; batches reach a sink in the order they were written, and at most
/// `SinkWorker.depth` batches wait per sink, which bounds memory.
final class OutputSet {
    private struct Target {
        let output: LoadOutput
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
                for output in load.outputs {
                    let file = try OutputFile(outputRoot: spec.outputRoot, relativePath: output.relativePath)
                    let sink = try load.makeSink(for: output, staged: file.staged)
                    targets.append(Target(output: output, file: file, sink: sink, worker: SinkWorker(sink, label: file.relativePath)))
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
        for index in targets.indices where targets[index].output.tables.contains(table) {
            try targets[index].worker.submit(rows, of: table)
            targets[index].rows += rows.count
        }
    }

    /// Finishes every file, writes `_rejects.jsonl` and the data package, then `_manifest.json` from
    /// what `manifest` makes of the outputs' sizes and hashes, and renames everything into place, the
    /// manifest last: all of the run's files, or, when one cannot be put in place or the run is stopped
    /// meanwhile, none (the ones already renamed are put back).
    func commit(
        _ run: RunSummary, quarantine: Bool, atPhase: (@Sendable (RunPhase) -> Void)? = nil,
        manifest: ([RunReport.Output]) throws -> [UInt8]
    ) throws -> [RunReport.Output] {
        let rejects = run.rejects
        // Every file ends on its own worker while `_rejects.jsonl` is written here; a file's error
        // comes first, as when they ended one after the other before it.
        for target in targets { target.worker.startFinishing(run) }
        let staged = Result { try OutputFile(outputRoot: outputRoot, relativePath: "_rejects.jsonl") }
        defer { (try? staged.get())?.discard() }
        let written = staged.flatMap { file in Result { try RejectsFile.write(rejects, quarantine: quarantine, to: file.stagingPath) } }
        for target in targets { try target.worker.finish() }
        let rejectsFile = try staged.get()
        try written.get()
        var outputs: [RunReport.Output] = []
        for target in targets {
            let (bytes, digest) = try target.file.prepare(known: target.sink.digest)
            outputs.append(RunReport.Output(
                path: target.file.relativePath, tables: target.output.tables.map(\.rawValue), format: target.output.format,
                rows: target.rows, bytes: bytes, sha256: digest))
        }
        let (bytes, digest) = try rejectsFile.prepare()
        outputs.append(RunReport.Output(path: "_rejects.jsonl", tables: ["_rejects"], format: "jsonl", rows: rejects.count, bytes: bytes, sha256: digest))

        // The data package describes the table files just prepared, and is put in place with them.
        let packageFile = try OutputFile(outputRoot: outputRoot, relativePath: DataPackage.fileName)
        defer { packageFile.discard() }
        var package: [UInt8] = []
        DataPackage.json(outputs, pipelineName: run.pipelineName, runID: run.report.runID).write(to: &package, indent: 0)
        package.append(UInt8(ascii: "\n"))
        let packageWriter = try BufferedFileWriter(path: packageFile.stagingPath)
        try packageWriter.write(package)
        try packageWriter.flush()
        let packageDigest = try packageFile.prepare(known: packageWriter.digest)
        outputs.append(RunReport.Output(
            path: DataPackage.fileName, tables: [], format: "json", rows: 0, bytes: packageDigest.bytes, sha256: packageDigest.sha256))

        let manifestFile = try OutputFile(outputRoot: outputRoot, relativePath: "_manifest.json")
        defer { manifestFile.discard() }
        let writer = try BufferedFileWriter(path: manifestFile.stagingPath)
        try writer.write(try manifest(outputs))
        try writer.flush()
        _ = try manifestFile.prepare(known: writer.digest)

        let files = targets.map(\.file) + [rejectsFile, packageFile, manifestFile]
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
