import Crypto
import Foundation

/// Where shard K of N keeps what it leaves for `merge`, in `output_root/.threadline/shards/K-of-N/`:
///
/// - `shard.json`: the shard (``ShardState``): its run, the pipeline it ran (``RunSnapshot``), the
///   whole run's plan digest, its inputs and their records, the documents it kept, its part files;
/// - `records/`: one ``InputRecord`` per input of the shard, in plan order;
/// - `parts/`: its part files of the partitioned outputs (`part-K-of-N-00000.parquet`, named so that
///   shards never collide), which `merge` links into the final folders.
///
/// The shard first withdraws what an earlier run of it left, then writes a fresh folder beside it
/// and puts it in place whole when it ends, then writes `_manifest.K-of-N.json` in `output_root`.
/// A shard holds `.threadline.K-of-N.lock`, so the N shards run at once, on one machine or several
/// sharing the folder.
struct ShardArea {
    static let stateFile = "shard.json"
    static let recordsFolder = "records"
    static let partsFolder = "parts"

    let outputRoot: String
    let shard: Shard

    static func shardsFolder(_ outputRoot: String) -> String {
        (outputRoot as NSString).appendingPathComponent(".threadline/shards")
    }

    var path: String { (ShardArea.shardsFolder(outputRoot) as NSString).appendingPathComponent(shard.name) }
    var manifestName: String { ShardArea.manifestName(shard) }

    static func manifestName(_ shard: Shard) -> String { "_manifest.\(shard.name).json" }

    /// A shard's folder being written by process `pid`.
    func stagingPath(pid: Int32 = getpid()) -> String {
        (ShardArea.shardsFolder(outputRoot) as NSString).appendingPathComponent(".\(shard.name).tmp-\(pid)")
    }

    /// Removes what an earlier run of this shard left for `merge`, its manifest first, then its
    /// folder: from here until this run ends the shard is missing, so a run of it that fails or is
    /// killed is never merged as the earlier run's result, made of inputs as they were then. Call
    /// while holding its lock.
    func withdrawEarlierRun() {
        unlink((outputRoot as NSString).appendingPathComponent(manifestName))
        OutputFolder.removeTree(path)
        OutputFile.syncFolder(outputRoot)
    }

    /// Removes folders this shard's earlier runs left unfinished. Call while holding its lock.
    func removeAbandonedStaging() {
        let prefix = ".\(shard.name).tmp-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: ShardArea.shardsFolder(outputRoot))) ?? [] where name.hasPrefix(prefix) {
            OutputFolder.removeTree((ShardArea.shardsFolder(outputRoot) as NSString).appendingPathComponent(name))
        }
    }
}

/// `shard.json`: what a shard did and left, for `merge`.
struct ShardState {
    /// Changes whenever what a shard leaves changes: `merge` reads only its own format.
    static let format = 1

    struct Part {
        var output: LoadOutput
        var file: PartFile
    }

    var shard: Shard
    var toolVersion: String
    var runID: String
    var startedAt: String
    var endedAt: String
    var pipeline: RunSnapshot
    /// Inputs of the whole run's plan, and a digest of their paths and sizes: every shard of one
    /// run saw the same inputs, and a shard left from a run over inputs that have since grown or
    /// shrunk is not merged with newer ones.
    var planInputs: Int
    var planDigest: String
    /// The shard's inputs in plan order, each with its record's file name.
    var inputs: [(record: String, info: InputRecord.InputInfo)]
    /// The documents the shard wrote, with the index of their input in `inputs`.
    var documents: [(id: String, input: Int)]
    var parts: [Part]
    /// The shard's rows, rejects and notes, as its manifest has them.
    var report: RunReport

    /// The digest of a plan: SHA-256 of a line `step<TAB>path<TAB>bytes` per input, in plan order.
    static func digest(_ plan: PipelineRunner.Plan) -> String {
        var hasher = SHA256()
        for entry in plan.entries {
            hasher.update(data: Array("\(entry.step)\t\(entry.input.relativePath)\t\(entry.input.bytes)\n".utf8))
        }
        return Hex.string(hasher.finalize())
    }

    var json: JSONValue {
        .object([
            "format": .int(Int64(ShardState.format)), "shard": .object(["index": .int(Int64(shard.index)), "count": .int(Int64(shard.count))]),
            "tool_version": .string(toolVersion), "run_id": .string(runID), "started_at": .string(startedAt), "ended_at": .string(endedAt),
            "pipeline": pipeline.json, "plan": .object(["inputs": .int(Int64(planInputs)), "digest": .string(planDigest)]),
            "inputs": .array(inputs.map { record, info in
                .object([
                    "record": .string(record), "step": .string(info.step), "step_index": .int(Int64(info.stepIndex)), "path": .string(info.path),
                    "relative_path": .string(info.relativePath), "sort_key": .string(info.sortKey), "bytes": .int(info.bytes),
                    "parts": .int(Int64(info.parts)),
                ])
            }),
            "documents": .array(documents.map { .object(["id": .string($0.id), "input": .int(Int64($0.input))]) }),
            "parts": .array(parts.map { part in
                .object([
                    "dataset": .string(part.output.relativePath), "table": .string(part.output.tables[0].rawValue),
                    "format": .string(part.output.format), "partition_by": .array(part.output.partitionBy.map { .string($0.rawValue) }),
                    "path": .string(part.file.relativePath), "rows": .int(Int64(part.file.rows)), "bytes": .int(part.file.bytes),
                    "sha256": .string(part.file.sha256),
                    "partition": .array(part.file.partition.map { .object(["column": .string($0.column), "value": $0.value.map(JSONValue.string) ?? .null]) }),
                ])
            }),
            "report": .object([
                "inputs": .int(Int64(report.inputs.count)), "rows_in": .int(Int64(report.inputRows)), "rows_rejected": .int(Int64(report.rejectedRows)),
                "rejects": .int(Int64(report.rejects)),
            ]),
        ])
    }

    /// Reads `shard.json` of the shard folder at `path`.
    init(path: String) throws {
        let file = (path as NSString).appendingPathComponent(ShardArea.stateFile)
        guard let data = FileManager.default.contents(atPath: file),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ShardState.unreadable(file, "it cannot be read as JSON") }
        guard object["format"] as? Int == ShardState.format else {
            throw ShardState.unreadable(file, "it is of another format (\(object["format"] ?? "none")), written by another threadline version")
        }
        guard let shard = object["shard"] as? [String: Any], let index = shard["index"] as? Int, let count = shard["count"] as? Int,
              let toolVersion = object["tool_version"] as? String, let runID = object["run_id"] as? String,
              let pipeline = object["pipeline"] as? [String: Any], let plan = object["plan"] as? [String: Any],
              let planInputs = plan["inputs"] as? Int, let planDigest = plan["digest"] as? String
        else { throw ShardState.unreadable(file, "a field is missing") }
        self.shard = Shard(index: index, count: count)
        self.toolVersion = toolVersion
        self.runID = runID
        startedAt = object["started_at"] as? String ?? ""
        endedAt = object["ended_at"] as? String ?? ""
        self.pipeline = try RunSnapshot(json: pipeline)
        self.planInputs = planInputs
        self.planDigest = planDigest
        inputs = try (object["inputs"] as? [[String: Any]] ?? []).map { input in
            guard let record = input["record"] as? String, let step = input["step"] as? String, let stepIndex = input["step_index"] as? Int,
                  let path = input["path"] as? String, let relative = input["relative_path"] as? String,
                  let sortKey = input["sort_key"] as? String, let bytes = input["bytes"] as? Int, let parts = input["parts"] as? Int
            else { throw ShardState.unreadable(file, "an input") }
            return (record, InputRecord.InputInfo(
                step: step, stepIndex: stepIndex, path: path, relativePath: relative, sortKey: sortKey, bytes: Int64(bytes), parts: parts))
        }
        documents = (object["documents"] as? [[String: Any]] ?? []).compactMap { document in
            guard let id = document["id"] as? String, let input = document["input"] as? Int else { return nil }
            return (id, input)
        }
        parts = try (object["parts"] as? [[String: Any]] ?? []).map { part in
            guard let dataset = part["dataset"] as? String, let tableName = part["table"] as? String, let table = Table(rawValue: tableName),
                  let format = part["format"] as? String, let path = part["path"] as? String, let rows = part["rows"] as? Int,
                  let bytes = part["bytes"] as? Int, let sha = part["sha256"] as? String
            else { throw ShardState.unreadable(file, "a part file") }
            let partitionBy = (part["partition_by"] as? [String] ?? []).compactMap(PartitionColumn.init(rawValue:))
            let partition = (part["partition"] as? [[String: Any]] ?? []).map {
                PartitionValue(column: $0["column"] as? String ?? "", value: $0["value"] as? String)
            }
            return Part(
                output: LoadOutput(relativePath: dataset, tables: [table], format: format, partitionBy: partitionBy),
                file: PartFile(relativePath: path, partition: partition, rows: rows, bytes: Int64(bytes), sha256: sha))
        }
        report = RunReport(runID: runID, pipeline: self.pipeline.file, pipelineSHA256: self.pipeline.sha256, startedAt: .now, endedAt: .now)
    }

    init(
        shard: Shard, runID: String, startedAt: String, endedAt: String, pipeline: RunSnapshot, planInputs: Int, planDigest: String,
        inputs: [(record: String, info: InputRecord.InputInfo)], documents: [(id: String, input: Int)], parts: [Part], report: RunReport
    ) {
        self.shard = shard
        toolVersion = ThreadlineVersion.current
        self.runID = runID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.pipeline = pipeline
        self.planInputs = planInputs
        self.planDigest = planDigest
        self.inputs = inputs
        self.documents = documents
        self.parts = parts
        self.report = report
    }

    static func unreadable(_ file: String, _ why: String) -> ThreadlineError {
        ThreadlineError(.dataError, "cannot read the shard state '\(file)': \(why)",
                        notes: ["run that shard again with this threadline (threadline run PIPELINE --shard K/N)"])
    }
}

extension PipelineRunner {
    /// Runs shard `shard` of a sharded run: reads the inputs of the whole plan that are the shard's,
    /// records each, writes the shard's part files of the partitioned outputs, and leaves them with
    /// its state for `merge`. Writes no table file of `output_root` itself, and no `_runs.jsonl` line
    /// (the merge does).
    func runShard(_ shard: Shard) throws -> RunReport {
        var report = RunReport(starting: spec)
        logWarnings(into: &report)
        let lock = RunLock(outputRoot: spec.outputRoot, shard: shard)
        try lock.acquire()
        defer { lock.release() }
        let area = ShardArea(outputRoot: spec.outputRoot, shard: shard)
        area.withdrawEarlierRun()
        area.removeAbandonedStaging()

        let whole = try plan()
        try checkMinInputs(whole)
        guard !whole.entries.isEmpty else {
            throw ThreadlineError(
                .runtimeFailure, "no input matched any extract step under input_root '\(spec.inputRoot)'", at: spec.extract.first?.location,
                notes: ["nothing was written; check that input_root is mounted and the include patterns match its files"])
        }
        let plan = Plan(entries: whole.entries.filter { shard.contains($0.input.relativePath) }, extract: whole.extract)
        logger.info("shard \(shard): \(plan.entries.count) of the run's \(whole.entries.count) inputs; `threadline merge \(spec.outputRoot)` completes the run once every shard has ended")
        let staging = area.stagingPath()
        try OutputPaths.makeFolders(of: ".threadline/shards/x", in: spec.outputRoot)
        OutputFolder.removeTree(staging)
        let records = try InputRecordFolder(folder: (staging as NSString).appendingPathComponent(ShardArea.recordsFolder))
        let partsRoot = (staging as NSString).appendingPathComponent(ShardArea.partsFolder)
        try FileManager.default.createDirectory(atPath: partsRoot, withIntermediateDirectories: true)
        let outputs = try OutputSet(spec: spec, outputRoot: partsRoot, partPrefix: "part-\(shard.name)", include: \.isPartitioned)
        let writer = RunWriter(spec: spec, outputs: outputs, report: report, alterRows: alterRows)
        var recordNames: [(record: String, info: InputRecord.InputInfo)] = []
        do {
            try readInputs(plan) { entry, result, isLast in
                guard let result else { return }
                let info = plan.info(of: plan.entries[entry])
                if recordNames.last?.info != info {
                    let digits = String(recordNames.count + 1)
                    recordNames.append((String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".rec", info))
                }
                let recorder = try records.writer(for: entry, name: recordNames[recordNames.count - 1].record, info: info)
                try writer.take(result, of: info, origin: .processed, isLast: isLast, recorder: recorder)
                if isLast { try records.finish(entry) }
            }
            report = writer.report
            report.rowsPerTable = outputs.rowCounts
            report.endedAt = .now
            atPhase?(.writing)
            let parts = try outputs.commitParts(RunSummary(pipelineName: spec.name, report: report, rejects: writer.rejects))
            report.outputs = parts
            let partOutputs = spec.load.flatMap(\.step.outputs).filter(\.isPartitioned)
            let state = ShardState(
                shard: shard, runID: report.runID, startedAt: report.startedAt.iso8601, endedAt: report.endedAt.iso8601,
                pipeline: RunSnapshot(spec), planInputs: whole.entries.count, planDigest: ShardState.digest(whole), inputs: recordNames,
                documents: writer.keptDocuments.compactMap { document in
                    recordNames.firstIndex { $0.info == document.input }.map { (document.id, $0) }
                },
                parts: parts.compactMap { output in
                    guard let dataset = output.dataset, let load = partOutputs.first(where: { $0.relativePath == dataset }) else { return nil }
                    return ShardState.Part(output: load, file: PartFile(
                        relativePath: output.path, partition: output.partition, rows: output.rows, bytes: output.bytes, sha256: output.sha256))
                },
                report: report)
            var bytes: [UInt8] = []
            state.json.write(to: &bytes, indent: 0)
            bytes.append(UInt8(ascii: "\n"))
            let stateWriter = try BufferedFileWriter(path: (staging as NSString).appendingPathComponent(ShardArea.stateFile))
            try stateWriter.write(bytes)
            try stateWriter.flush()
            try OutputFile.fsync(path: (staging as NSString).appendingPathComponent(ShardArea.stateFile))
            atPhase?(.renaming)
            // The shard's folder goes in place whole, then its manifest says it is there.
            try PipelineRunner.replaceFolder(area.path, with: staging)
            report.endedAt = .now
            let manifest = try OutputFile(outputRoot: spec.outputRoot, relativePath: area.manifestName)
            let manifestWriter = try BufferedFileWriter(manifest.staged)
            try manifestWriter.write(Manifest.bytes(report, spec: spec, extra: [
                "shard": .object([
                    "index": .int(Int64(shard.index)), "count": .int(Int64(shard.count)), "folder": .string(".threadline/shards/\(shard.name)"),
                    "plan_inputs": .int(Int64(whole.entries.count)),
                ]),
            ]))
            try manifestWriter.flush()
            try manifest.commit(known: manifestWriter.digest)
        } catch {
            outputs.discard()
            OutputFolder.removeTree(staging)
            throw error
        }
        return report
    }

    /// Puts the folder `staging` at `path`, exchanged with what is there (then removed) or renamed.
    static func replaceFolder(_ path: String, with staging: String) throws {
        var status = stat()
        if lstat(path, &status) == 0 {
            guard OutputFolder.exchange(staging, path) else {
                throw ThreadlineError(.runtimeFailure, "cannot put '\(path)' in place: \(String(cString: strerror(errno)))")
            }
            OutputFolder.removeTree(staging)
        } else {
            guard rename(staging, path) == 0 else {
                throw ThreadlineError(.runtimeFailure, "cannot rename '\(staging)' to '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        OutputFile.syncFolder((path as NSString).deletingLastPathComponent)
    }
}
