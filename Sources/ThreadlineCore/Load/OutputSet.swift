import Foundation

/// Every output file of a run: one sink per load step and table, staged until the run commits.
///
/// Each sink writes on a serial queue of its own, so the formats are encoded in parallel with each
/// other and with extraction; batches reach a sink in the order they were written, and at most
/// `SinkWorker.depth` batches wait per sink, which bounds memory.
final class OutputSet {
    private struct Target {
        let output: LoadOutput
        let place: StagedPlace
        let sink: any TableSink
        let worker: SinkWorker
        var rows = 0
    }

    private var targets: [Target] = []
    /// Partitioned outputs made of part files written elsewhere (the shards' parts at `merge`).
    private var adopted: [(output: LoadOutput, folder: OutputFolder, parts: [PartFile])] = []
    private let outputRoot: String
    private(set) var rowCounts: [Table: Int] = [:]
    /// Outputs a run keeps as the previous run wrote them (an incremental run where nothing they
    /// hold changed), by path, with their manifest entries; and `_rejects.jsonl`, when kept.
    private let kept: [String: [RunReport.Output]]
    private let keptRejects: RunReport.Output?
    /// Every output's path in load-step order, kept ones included: the order of the manifest.
    private var order: [String] = []

    /// The sinks of every output of `spec`'s load steps, or of those `include` keeps, written in
    /// `outputRoot` (the spec's by default); part files of partitioned outputs are named
    /// `partPrefix-00000.ext`.
    init(
        spec: PipelineSpec, outputRoot: String? = nil, partPrefix: String = "part", include: (LoadOutput) -> Bool = { _ in true },
        keep kept: [String: [RunReport.Output]] = [:], keepRejects keptRejects: RunReport.Output? = nil
    ) throws {
        let outputRoot = outputRoot ?? spec.outputRoot
        self.outputRoot = outputRoot
        self.kept = kept
        self.keptRejects = keptRejects
        do {
            for load in spec.load.map(\.step) {
                for output in load.outputs {
                    order.append(output.relativePath)
                    if !include(output) || kept[output.relativePath] != nil { continue }
                    let place: StagedPlace
                    let sink: any TableSink
                    if output.isPartitioned {
                        let folder = try OutputFolder(outputRoot: outputRoot, relativePath: output.relativePath)
                        place = .folder(folder)
                        sink = PartitionedSink(
                            table: output.tables[0], partitionBy: output.partitionBy, folder: folder.staged, fileExtension: output.format,
                            partPrefix: partPrefix, maxOpen: load.maxOpenPartitions
                        ) { staged in try load.makeSink(for: output, staged: staged) }
                    } else {
                        let file = try OutputFile(outputRoot: outputRoot, relativePath: output.relativePath)
                        place = .file(file)
                        sink = try load.makeSink(for: output, staged: file.staged)
                    }
                    targets.append(Target(output: output, place: place, sink: sink, worker: SinkWorker(sink, label: output.relativePath)))
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
        let rejectsWritten = staged.flatMap { file in
            Result { if keptRejects == nil { try RejectsFile.write(rejects, quarantine: quarantine, to: file.staged) } }
        }
        for target in targets { try target.worker.finish() }
        let rejectsFile = try staged.get()
        try rejectsWritten.get()
        var written: [String: [RunReport.Output]] = kept
        for target in targets {
            written[target.output.relativePath] = try target.place.prepare(target.output, sink: target.sink, rows: target.rows)
        }
        for (output, folder, parts) in adopted {
            try folder.prepare(parts)
            written[output.relativePath] = parts.map { part in
                RunReport.Output(
                    path: part.relativePath, tables: output.tables.map(\.rawValue), format: output.format, rows: part.rows, bytes: part.bytes,
                    sha256: part.sha256, dataset: folder.relativePath, partition: part.partition)
            }
        }
        var outputs = order.flatMap { written[$0] ?? [] }
        if let keptRejects {
            outputs.append(keptRejects)
        } else {
            let (bytes, digest) = try rejectsFile.prepare()
            outputs.append(RunReport.Output(path: "_rejects.jsonl", tables: ["_rejects"], format: "jsonl", rows: rejects.count, bytes: bytes, sha256: digest))
        }

        // The data package describes the table files just prepared, and is put in place with them.
        let packageFile = try OutputFile(outputRoot: outputRoot, relativePath: DataPackage.fileName)
        defer { packageFile.discard() }
        var package: [UInt8] = []
        DataPackage.json(outputs, pipelineName: run.pipelineName, runID: run.report.runID).write(to: &package, indent: 0)
        package.append(UInt8(ascii: "\n"))
        let packageWriter = try BufferedFileWriter(packageFile.staged)
        try packageWriter.write(package)
        try packageWriter.flush()
        let packageDigest = try packageFile.prepare(known: packageWriter.digest)
        outputs.append(RunReport.Output(
            path: DataPackage.fileName, tables: [], format: "json", rows: 0, bytes: packageDigest.bytes, sha256: packageDigest.sha256))

        let manifestFile = try OutputFile(outputRoot: outputRoot, relativePath: "_manifest.json")
        defer { manifestFile.discard() }
        let writer = try BufferedFileWriter(manifestFile.staged)
        try writer.write(try manifest(outputs))
        try writer.flush()
        _ = try manifestFile.prepare(known: writer.digest)

        let files: [any PlaceableOutput] =
            targets.map(\.place.output) + adopted.map(\.folder) + (keptRejects == nil ? [rejectsFile] : []) + [packageFile, manifestFile]
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
        atPhase?(.committed)
        targets.removeAll()
        adopted.removeAll()
        return outputs
    }

    /// Takes a partitioned output whose part files are already written: `place(folder)` links them
    /// into the staged folder, and the commit puts it in place with the run's other outputs.
    func adopt(_ output: LoadOutput, parts: [PartFile], place: (OutputFolder) throws -> Void) throws {
        let folder = try OutputFolder(outputRoot: outputRoot, relativePath: output.relativePath)
        adopted.append((output, folder, parts))
        try place(folder)
    }

    /// Finishes every output and renames each into place inside `outputRoot`, one by one, with no
    /// artefacts (`_rejects.jsonl`, the data package, a manifest): for a shard, whose folder is
    /// staged and put in place as a whole. Returns the outputs' entries.
    func commitParts(_ run: RunSummary) throws -> [RunReport.Output] {
        var outputs: [RunReport.Output] = []
        for target in targets { target.worker.startFinishing(run) }
        for target in targets {
            try target.worker.finish()
            outputs += try target.place.prepare(target.output, sink: target.sink, rows: target.rows)
            StagingFiles.shared.remove(target.place.output.stagingPath)
            try target.place.output.renameIntoPlace()
        }
        targets.removeAll()
        return outputs
    }

    func discard() {
        for target in targets {
            target.worker.drain()
            target.place.discard()
        }
        for entry in adopted { entry.folder.discard() }
        targets.removeAll()
        adopted.removeAll()
    }
}

/// Where an output is staged until the run commits: a file, or the folder of a partitioned table.
enum StagedPlace {
    case file(OutputFile)
    case folder(OutputFolder)

    var output: any PlaceableOutput {
        switch self {
        case .file(let file): file
        case .folder(let folder): folder
        }
    }

    /// The first phase of the commit: the staged output made durable; its manifest entries (one per
    /// part file of a folder).
    func prepare(_ output: LoadOutput, sink: any TableSink, rows: Int) throws -> [RunReport.Output] {
        let tables = output.tables.map(\.rawValue)
        switch self {
        case .file(let file):
            let (bytes, digest) = try file.prepare(known: sink.digest)
            return [RunReport.Output(path: file.relativePath, tables: tables, format: output.format, rows: rows, bytes: bytes, sha256: digest)]
        case .folder(let folder):
            let parts = (sink as? PartitionedSink)?.parts ?? []
            try folder.prepare(parts)
            return parts.map { part in
                RunReport.Output(
                    path: part.relativePath, tables: tables, format: output.format, rows: part.rows, bytes: part.bytes, sha256: part.sha256,
                    dataset: folder.relativePath, partition: part.partition)
            }
        }
    }

    func discard() {
        switch self {
        case .file(let file): file.discard()
        case .folder(let folder): folder.discard()
        }
    }
}
