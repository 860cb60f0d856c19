import Foundation
import Logging

/// `threadline merge OUTPUT_ROOT`: completes a sharded run once its N shards have ended.
///
/// It checks that every shard 1…N left its folder and manifest, that none is still running, and
/// that all ran the same pipeline (file hash, `--set` overrides, load steps, tool version) over the
/// same plan of inputs. Then it writes the run's outputs as one run would have: the inputs' records
/// are taken in the whole run's plan order, across shards, through the same ``RunWriter`` a run
/// uses, so the document ids two shards gave are decided again, the authors table counts every
/// shard's messages, the keys are checked over everything, and each file of a load step without
/// `partition_by` is built byte for byte as a single run builds it. The partitioned outputs are the
/// shards' part files, linked into place (written again from the records only when two shards kept
/// one document id, which a single run would have rejected in one of them). `_manifest.json` lists
/// every shard; the data package, `_rejects.jsonl` and a `_runs.jsonl` line are written as after a
/// run. The shards' folders and manifests are removed once the outputs are in place.
package struct ShardMerge {
    package let outputRoot: String
    package let logger: Logger

    package init(outputRoot: String, logger: Logger = Logger(label: "threadline")) {
        self.outputRoot = URL(fileURLWithPath: outputRoot).standardizedFileURL.path
        self.logger = logger
    }

    /// A shard found in the folder, read.
    struct Found {
        let area: ShardArea
        let state: ShardState
    }

    package func run() throws -> RunReport {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outputRoot, isDirectory: &isFolder), isFolder.boolValue else {
            throw ThreadlineError(.usageError, "no output folder '\(outputRoot)'", notes: ["name the output_root the shards ran into"])
        }
        let lock = RunLock(outputRoot: outputRoot)
        try lock.acquire()
        defer { lock.release() }
        OutputFile.removeAbandonedStagingFiles(in: outputRoot)
        let shards = try findShards()
        // No shard may run while the merge reads its folder; holding their locks keeps them off.
        var shardLocks: [RunLock] = []
        defer { for shardLock in shardLocks { shardLock.release() } }
        for found in shards {
            let shardLock = RunLock(outputRoot: outputRoot, shard: found.state.shard)
            do {
                try shardLock.acquire()
            } catch {
                throw ThreadlineError(.runtimeFailure, "shard \(found.state.shard) is still running in '\(outputRoot)'",
                                      notes: ["wait for every shard to end, then merge"])
            }
            shardLocks.append(shardLock)
        }
        try checkSamePipeline(shards)
        let spec = try shards[0].state.pipeline.spec(outputRoot: outputRoot)
        var report = RunReport(starting: spec)
        for warning in shards[0].state.pipeline.warnings { report.notes.count(.warnings, warning) }
        try RunHistory.recording(&report, of: spec, in: outputRoot, logger: logger) { try merge(shards, spec: spec, into: &$0) }
        // The shards are merged: their folders and manifests go, so they are never merged twice.
        for found in shards {
            OutputFolder.removeTree(found.area.path)
            unlink((outputRoot as NSString).appendingPathComponent(found.area.manifestName))
        }
        for shardLock in shardLocks { unlink(shardLock.path) }
        return report
    }

    /// Every shard's folder and manifest, of one N, each read; exit 1 naming what is missing.
    func findShards() throws -> [Found] {
        func shards(in names: [String], prefix: String, suffix: String) -> [Shard] {
            names.compactMap { name -> Shard? in
                guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
                let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
                let parts = middle.components(separatedBy: "-of-")
                guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, (1...count).contains(index) else { return nil }
                return Shard(index: index, count: count)
            }
        }
        let folders = Set(shards(in: (try? FileManager.default.contentsOfDirectory(atPath: ShardArea.shardsFolder(outputRoot))) ?? [], prefix: "", suffix: ""))
        let manifests = Set(shards(in: (try? FileManager.default.contentsOfDirectory(atPath: outputRoot)) ?? [], prefix: "_manifest.", suffix: ".json"))
        let counts = Set((folders.union(manifests)).map(\.count)).sorted()
        guard let count = counts.first else {
            throw ThreadlineError(.dataError, "no shard to merge in '\(outputRoot)'",
                                  notes: ["run the shards first: threadline run PIPELINE --shard K/N for K = 1 to N, each into this output_root"])
        }
        guard counts.count == 1 else {
            let found = folders.union(manifests).sorted { ($0.count, $0.index) < ($1.count, $1.index) }.map(\.description)
            throw ThreadlineError(.dataError, "the shards in '\(outputRoot)' are of runs split \(counts.map(String.init).joined(separator: " and ")) ways: \(found.joined(separator: ", "))",
                                  notes: ["remove the shards of the run you do not merge (.threadline/shards/K-of-N and _manifest.K-of-N.json), or run the missing ones"])
        }
        let all = (1...count).map { Shard(index: $0, count: count) }
        let missing = all.filter { !folders.contains($0) || !manifests.contains($0) }
        guard missing.isEmpty else {
            throw ThreadlineError(
                .dataError, "missing \(missing.count == 1 ? "shard" : "shards") \(missing.map(\.description).joined(separator: ", ")) of \(count) in '\(outputRoot)'",
                notes: missing.map { shard in
                    let what = !folders.contains(shard) && !manifests.contains(shard) ? "never ended" : "did not finish writing"
                    return "shard \(shard) \(what): run it (threadline run PIPELINE --shard \(shard)), then merge"
                })
        }
        return try all.map { shard in
            let area = ShardArea(outputRoot: outputRoot, shard: shard)
            let state = try ShardState(path: area.path)
            let manifestPath = (outputRoot as NSString).appendingPathComponent(area.manifestName)
            let manifest = FileManager.default.contents(atPath: manifestPath).flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
            guard state.shard == shard, manifest?["run_id"] as? String == state.runID else {
                throw ThreadlineError(.dataError, "shard \(shard): its folder and its manifest '\(area.manifestName)' are of different runs",
                                      notes: ["run shard \(shard) again, then merge"])
            }
            return Found(area: area, state: state)
        }
    }

    /// Exit 1 unless every shard ran the first one's pipeline, tool version and plan.
    func checkSamePipeline(_ shards: [Found]) throws {
        let first = shards[0].state
        func describe(_ state: ShardState) -> String {
            let overrides = state.pipeline.overrides.isEmpty ? "no --set" : "--set " + state.pipeline.overrides.joined(separator: " --set ")
            return "'\(state.pipeline.file)' (sha256 \(state.pipeline.sha256.prefix(12))…, \(overrides))"
        }
        for found in shards.dropFirst() {
            let state = found.state
            guard state.pipeline.isSamePipeline(as: first.pipeline) else {
                throw ThreadlineError(
                    .dataError, "shard \(state.shard) ran another pipeline than shard \(first.shard): \(describe(state)) against \(describe(first))",
                    notes: ["every shard of a run must run the same pipeline file with the same --set values; run the shards again with one of them"])
            }
            guard state.toolVersion == first.toolVersion else {
                throw ThreadlineError(
                    .dataError, "shard \(state.shard) ran threadline \(state.toolVersion) and shard \(first.shard) threadline \(first.toolVersion)",
                    notes: ["run every shard with one version of threadline"])
            }
            guard state.planDigest == first.planDigest else {
                throw ThreadlineError(
                    .dataError,
                    "shard \(state.shard) planned other inputs than shard \(first.shard) (\(state.planInputs) against \(first.planInputs) in the whole run)",
                    notes: ["the inputs changed between the shards' runs; run every shard again over the same inputs"])
            }
        }
    }

    /// The outputs written from the shards' records and part files, committed with the manifest.
    private func merge(_ shards: [Found], spec: PipelineSpec, into report: inout RunReport) throws {
        // Which input keeps each document id, in the whole run's order.
        typealias Key = (sortKey: String, step: Int, path: String)
        func key(_ info: InputRecord.InputInfo) -> Key { (info.sortKey, info.stepIndex, info.relativePath) }
        var holders: [String: (key: Key, shard: Int)] = [:]
        for found in shards {
            for document in found.state.documents {
                let holder = (key(found.state.inputs[document.input].info), found.state.shard.index)
                if let known = holders[document.id], known.key <= holder.0 { continue }
                holders[document.id] = holder
            }
        }
        let conflicts = shards.flatMap { found in
            found.state.documents.filter { holders[$0.id]?.shard != found.state.shard.index }.map(\.id)
        }
        if let example = conflicts.first {
            logger.info("document_id '\(example)' was written by two shards: the partitioned outputs are written again from the records")
        }
        let outputs = try OutputSet(spec: spec, include: { !$0.isPartitioned || !conflicts.isEmpty })
        let writer = RunWriter(spec: spec, outputs: outputs, report: report, alterRows: nil)
        do {
            if conflicts.isEmpty {
                for output in spec.load.flatMap(\.step.outputs) where output.isPartitioned {
                    let parts = shards.flatMap { found in
                        found.state.parts.filter { $0.output.relativePath == output.relativePath }.map { (found.area, $0.file) }
                    }.sorted { $0.1.relativePath < $1.1.relativePath }
                    try outputs.adopt(output, parts: parts.map(\.1)) { folder in
                        for (area, part) in parts {
                            try ShardMerge.link(
                                (area.path as NSString).appendingPathComponent(ShardArea.partsFolder + "/" + part.relativePath),
                                to: folder.stagingPath + String(part.relativePath.dropFirst(output.relativePath.count)))
                        }
                    }
                }
            }
            let inputs = shards.flatMap { found in found.state.inputs.map { (found, $0.record, $0.info) } }
                .sorted { key($0.2) < key($1.2) }
            for (found, record, info) in inputs {
                let reader = try InputRecordReader(path: (found.area.path as NSString).appendingPathComponent(ShardArea.recordsFolder + "/" + record))
                try writer.take(recorded: reader, expected: info, origin: .shard(found.state.shard.index))
            }
            try writer.finish()
            report = writer.report
            report.endedAt = .now
            if spec.maxRejects.isExceeded(report) { report.status = .dataError }
            let shardList: JSONValue = .array(shards.map { found in
                .object([
                    "index": .int(Int64(found.state.shard.index)), "count": .int(Int64(found.state.shard.count)),
                    "run_id": .string(found.state.runID), "started_at": .string(found.state.startedAt), "ended_at": .string(found.state.endedAt),
                    "inputs": .int(Int64(found.state.inputs.count)),
                ])
            })
            report.outputs = try outputs.commit(
                RunSummary(pipelineName: spec.name, report: report, rejects: writer.rejects), quarantine: spec.onError == .quarantine
            ) { written in
                report.outputs = written
                report.endedAt = .now
                return Manifest.bytes(report, spec: spec, extra: ["shards": shardList])
            }
        } catch let failure as InputRecordReader.Failure {
            outputs.discard()
            report = writer.report
            throw ThreadlineError(.dataError, "cannot read a shard's record \(failure)", notes: ["run that shard again, then merge"])
        } catch {
            outputs.discard()
            report = writer.report
            throw error
        }
    }

    /// A second name for a shard's part file in the merged folder (a copy where links cannot be made).
    static func link(_ source: String, to target: String) throws {
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if Glibc.link(source, target) == 0 { return }
        do {
            try FileManager.default.copyItem(atPath: source, toPath: target)
        } catch {
            throw ThreadlineError(.runtimeFailure, "cannot put the shard's part '\(source)' into '\(target)': \(error.localizedDescription)")
        }
    }
}
