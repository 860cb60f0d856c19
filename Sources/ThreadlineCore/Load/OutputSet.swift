import Foundation

/// Every output file of a run: one sink per load step and table, staged until the run commits.
final class OutputSet {
    private struct Target {
        let table: Table
        let file: OutputFile
        let sink: any TableSink
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
                    targets.append(Target(table: table, file: file, sink: try load.makeSink(for: table, output: file)))
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
            try targets[index].sink.write(rows)
            targets[index].rows += rows.count
        }
    }

    /// Finishes every file, writes `_rejects.jsonl`, and renames everything into place.
    func commit(rejects: [Reject], quarantine: Bool) throws -> [RunReport.Output] {
        for target in targets { try target.sink.finish() }
        let rejectsFile = try OutputFile(outputRoot: outputRoot, relativePath: "_rejects.jsonl")
        try RejectsFile.write(rejects, quarantine: quarantine, to: rejectsFile.stagingPath)
        var outputs: [RunReport.Output] = []
        for target in targets {
            let (bytes, digest) = try target.file.commit(known: target.sink.digest)
            outputs.append(RunReport.Output(
                path: target.file.relativePath, table: target.table.rawValue, format: target.sink.format, rows: target.rows,
                bytes: bytes, sha256: digest))
        }
        let (bytes, digest) = try rejectsFile.commit()
        outputs.append(RunReport.Output(path: "_rejects.jsonl", table: "_rejects", format: "jsonl", rows: rejects.count, bytes: bytes, sha256: digest))
        targets.removeAll()
        return outputs
    }

    func discard() {
        for target in targets { target.file.discard() }
        targets.removeAll()
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
        let object: [String: Any] = [
            "run_id": report.runID,
            "tool": "threadline",
            "tool_version": toolVersion,
            "pipeline": ["file": report.pipeline, "name": pipelineName, "sha256": report.pipelineSHA256],
            "started_at": report.startedAt.iso8601,
            "ended_at": report.endedAt.iso8601,
            "status": report.status == .success ? "ok" : "rejects_over_limit",
            "rows": [
                "in": report.inputRows, "out": report.outputRows, "rejected": report.rejectedRows,
                "balanced": report.inputRows == report.outputRows + report.rejectedRows,
            ] as [String: Any],
            "tables": Dictionary(uniqueKeysWithValues: report.rowsPerTable.map { ($0.key.rawValue, $0.value) }),
            "inputs": report.inputs.map {
                ["step": $0.step, "path": $0.path, "bytes": $0.bytes, "sha256": $0.sha256, "rows": $0.rows,
                 "rejected_rows": $0.rejectedRows, "status": $0.status] as [String: Any]
            },
            "outputs": report.outputs.map {
                ["path": $0.path, "table": $0.table, "format": $0.format, "rows": $0.rows, "bytes": $0.bytes, "sha256": $0.sha256] as [String: Any]
            },
            "notes": report.notes.counts,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        let file = try OutputFile(outputRoot: outputRoot, relativePath: "_manifest.json")
        guard FileManager.default.createFile(atPath: file.stagingPath, contents: data + Data("\n".utf8)) else {
            throw ThreadlineError(.runtimeFailure, "cannot write '\(file.stagingPath)'")
        }
        try file.commit()
    }
}

/// The tool's version, as `threadline --version` and every artefact report it.
public enum ThreadlineVersion {
    public static let current = "0.1.0"
}
