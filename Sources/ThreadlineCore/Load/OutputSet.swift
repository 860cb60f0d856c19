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
            for configured in spec.load {
                guard case .load(let load) = configured.step else { continue }
                for table in load.tables {
                    let file = try OutputFile(outputRoot: spec.outputRoot, relativePath: load.relativePath(for: table))
                    let sink = try load.makeSink(for: table, output: file)
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
    func commit(rejects: [Reject], quarantine: Bool) throws -> [RunReport.Output] {
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

/// Runs one sink's writes on a serial queue, keeping the first error for the next call.
private final class SinkWorker: @unchecked Sendable {
    /// Batches that may wait for one sink.
    static let depth = 2

    private let sink: any TableSink
    private let queue: DispatchQueue
    private let room = DispatchSemaphore(value: SinkWorker.depth)
    private let lock = NSLock()
    private var failure: (any Error)?

    init(_ sink: any TableSink, label: String) {
        self.sink = sink
        queue = DispatchQueue(label: "threadline.sink." + label)
    }

    /// Queues a batch; throws the error an earlier batch met.
    func submit(_ rows: [Row]) throws {
        try rethrowFailure()
        room.wait()
        queue.async { [self] in
            defer { room.signal() }
            guard currentFailure == nil else { return }
            do { try sink.write(rows) } catch { record(error) }
        }
    }

    /// Waits for every queued batch, then ends the file.
    func finish() throws {
        drain()
        try rethrowFailure()
        try sink.finish()
    }

    /// Waits for every queued batch.
    func drain() {
        queue.sync {}
    }

    private var currentFailure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return failure
    }

    private func record(_ error: any Error) {
        lock.lock()
        if failure == nil { failure = error }
        lock.unlock()
    }

    private func rethrowFailure() throws {
        if let failure = currentFailure { throw failure }
    }
}

/// `_rejects.jsonl`: one object per rejected file or record.
enum RejectsFile {
    static func write(_ rejects: [Reject], quarantine: Bool, to path: String) throws {
        let writer = try BufferedFileWriter(path: path)
        var line: [UInt8] = []
        for reject in rejects {
            line.removeAll(keepingCapacity: true)
            var fields: [(String, Value)] = [
                ("file", .string(reject.file)), ("line", Value(reject.line)), ("column", Value(reject.column)),
                ("step", .string(reject.step)), ("reason", .string(reject.reason)),
            ]
            if quarantine { fields.append(("record", Value(reject.record))) }
            for (index, (key, value)) in fields.enumerated() {
                line.append(index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
                TextEncoding.appendJSONString(key, to: &line)
                line.append(UInt8(ascii: ":"))
                TextEncoding.appendJSON(value, to: &line)
            }
            line.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
            try writer.write(line)
        }
        try writer.flush()
    }
}

/// `_manifest.json`: the run's inputs and outputs with sizes, hashes and row counts.
enum Manifest {
    static let toolVersion = ThreadlineVersion.current

    static func write(_ report: RunReport, to outputRoot: String, pipelineName: String) throws {
        var notes: [String: JSONValue] = [:]
        for (category, items) in report.notes.counts {
            notes[category] = .object(items.mapValues { .int(Int64($0)) })
        }
        let manifest: JSONValue = .object([
            "run_id": .string(report.runID),
            "tool": .string("threadline"),
            "tool_version": .string(toolVersion),
            "pipeline": .object([
                "file": .string(report.pipeline), "name": .string(pipelineName), "sha256": .string(report.pipelineSHA256),
                "overrides": .array(report.overrides.map(JSONValue.string)),
            ]),
            "started_at": .string(report.startedAt.iso8601),
            "ended_at": .string(report.endedAt.iso8601),
            "status": .string(report.status == .success ? "ok" : "rejects_over_limit"),
            "rows": .object([
                "in": .int(Int64(report.inputRows)), "out": .int(Int64(report.outputRows)), "rejected": .int(Int64(report.rejectedRows)),
                "balanced": .bool(report.isBalanced),
                "rejected_files": .int(Int64(report.rejectedFiles)), "rejected_file_bytes": .int(report.rejectedFileBytes),
            ]),
            "tables": .object(Dictionary(uniqueKeysWithValues: report.rowsPerTable.map { ($0.key.rawValue, .int(Int64($0.value))) })),
            "inputs": .array(report.inputs.map {
                .object([
                    "step": .string($0.step), "path": .string($0.path), "bytes": .int($0.bytes), "sha256": .string($0.sha256),
                    "rows": .int(Int64($0.rows)), "rejected_rows": .int(Int64($0.rejectedRows)), "status": .string($0.status),
                ])
            }),
            "outputs": .array(report.outputs.map {
                .object([
                    "path": .string($0.path), "table": .string($0.table), "format": .string($0.format), "rows": .int(Int64($0.rows)),
                    "bytes": .int($0.bytes), "sha256": .string($0.sha256),
                ])
            }),
            "notes": .object(notes),
        ])
        var bytes: [UInt8] = []
        manifest.write(to: &bytes, indent: 0)
        bytes.append(UInt8(ascii: "\n"))
        let file = try OutputFile(outputRoot: outputRoot, relativePath: "_manifest.json")
        let writer = try BufferedFileWriter(path: file.stagingPath)
        try writer.write(bytes)
        try writer.flush()
        try file.commit(known: writer.digest)
    }
}

/// A JSON document for the run artefacts: keys sorted, two-space indentation, UTF-8 as is.
enum JSONValue {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case int(Int64)
    case bool(Bool)

    func write(to out: inout [UInt8], indent: Int) {
        switch self {
        case .string(let text): TextEncoding.appendJSONString(text, to: &out)
        case .int(let number): TextEncoding.appendDecimal(number, to: &out)
        case .bool(let flag): flag ? TextEncoding.appendASCII("true", to: &out) : TextEncoding.appendASCII("false", to: &out)
        case .array(let items):
            guard !items.isEmpty else { return out.append(contentsOf: "[]".utf8) }
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                out.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent + 2))
                item.write(to: &out, indent: indent + 2)
            }
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return out.append(contentsOf: "{}".utf8) }
            out.append(UInt8(ascii: "{"))
            for (index, key) in members.keys.sorted().enumerated() {
                out.append(contentsOf: (index == 0 ? "\n" : ",\n").utf8)
                out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent + 2))
                TextEncoding.appendJSONString(key, to: &out)
                out.append(contentsOf: ": ".utf8)
                members[key]!.write(to: &out, indent: indent + 2)
            }
            out.append(UInt8(ascii: "\n"))
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: indent))
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// The tool's version, as `threadline --version` and every artefact report it.
public enum ThreadlineVersion {
    public static let current = "0.1.0"
}
