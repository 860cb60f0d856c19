import Crypto
import Foundation

/// What an incremental run remembers of the outputs it wrote, so that a run in which no input and
/// no setting of the outputs changed keeps them as they are instead of writing the same bytes again.
///
/// The state lists every file the run wrote (table files, part files, `_rejects.jsonl`) with its
/// manifest entry and its `stat` (size, modification time in nanoseconds, inode) once in place,
/// the load steps' fingerprint, and the run's counts. A later run keeps an output when every input
/// is reused and none was added or removed, the load steps (and the pipeline's name, `on_error`,
/// `output_root` and the tool version) are the same, and each of the output's files still has the
/// recorded `stat` (a file changed or replaced since is written again). The run report, which is
/// about the run itself, is never kept. When every output is kept, the records are not read at all:
/// the manifest's counts, checks and inputs come from the state.
struct IncrementalOutputs {
    /// An output file as the state recorded it.
    struct File {
        var output: RunReport.Output
        var stat: String
    }

    var loadFingerprint: String
    var files: [File]
    /// The counts of the run that wrote them, for a run that reads no record.
    var summary: RunReport

    /// The fingerprint of what the outputs' bytes depend on besides the rows: the load steps and
    /// their options, the pipeline's name (in Parquet metadata), `on_error` (in `_rejects.jsonl`),
    /// `output_root` and the tool version.
    static func loadFingerprint(_ spec: PipelineSpec) -> String {
        let snapshot = RunSnapshot(spec)
        var bytes: [UInt8] = []
        JSONValue.compact(.object([
            "tool": .string(ThreadlineVersion.current), "name": .string(spec.name), "on_error": .string(spec.onError.rawValue),
            "output_root": .string(spec.outputRoot),
            "load": .array(snapshot.load.map { step in
                .object(["type": .string(step.type), "options": .object(step.options.mapValues(RunSnapshot.json))])
            }),
        ]), to: &bytes)
        return Hex.string(SHA256.hash(data: bytes))
    }

    /// The `stat` of an output file in place.
    static func stat(_ path: String) -> String? {
        var status = Glibc.stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return "\(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec) \(status.st_ino)"
    }

    /// The outputs of `report`, just committed in `outputRoot`, with their `stat`.
    init(report: RunReport, spec: PipelineSpec) {
        loadFingerprint = Self.loadFingerprint(spec)
        files = report.outputs.filter { $0.format != "html" && $0.path != DataPackage.fileName }.compactMap { output in
            Self.stat((spec.outputRoot as NSString).appendingPathComponent(output.path)).map { File(output: output, stat: $0) }
        }
        summary = report
    }

    /// The outputs `spec` writes that can be kept as they are: each table file or partitioned
    /// folder, by path, with its manifest entries; and `_rejects.jsonl`.
    func keepable(_ spec: PipelineSpec) -> (outputs: [String: [RunReport.Output]], rejects: RunReport.Output?) {
        guard loadFingerprint == Self.loadFingerprint(spec) else { return ([:], nil) }
        let unchanged = files.filter { Self.stat((spec.outputRoot as NSString).appendingPathComponent($0.output.path)) == $0.stat }
        var outputs: [String: [RunReport.Output]] = [:]
        for load in spec.load.map(\.step) {
            for output in load.outputs where output.format != "html" {
                let mine = files.filter { ($0.output.dataset ?? $0.output.path) == output.relativePath }
                guard !mine.isEmpty, mine.allSatisfy({ file in unchanged.contains { $0.output.path == file.output.path } }) else { continue }
                outputs[output.relativePath] = mine.map(\.output)
            }
        }
        let rejects = unchanged.first { $0.output.path == "_rejects.jsonl" }?.output
        return (outputs, rejects)
    }

    // MARK: JSON

    var json: JSONValue {
        .object([
            "load_fingerprint": .string(loadFingerprint),
            "files": .array(files.map { file in
                var fields = Self.json(file.output)
                fields["stat"] = .string(file.stat)
                return .object(fields)
            }),
            "summary": Self.json(summary),
        ])
    }

    init?(json object: [String: Any]) {
        guard let fingerprint = object["load_fingerprint"] as? String, let files = object["files"] as? [[String: Any]],
              let summary = object["summary"] as? [String: Any], let report = Self.report(summary)
        else { return nil }
        loadFingerprint = fingerprint
        var read: [File] = []
        for file in files {
            guard let output = Self.output(file), let stat = file["stat"] as? String else { return nil }
            read.append(File(output: output, stat: stat))
        }
        self.files = read
        self.summary = report
    }

    static func json(_ output: RunReport.Output) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [
            "path": .string(output.path), "tables": .array(output.tables.map(JSONValue.string)), "format": .string(output.format),
            "rows": .int(Int64(output.rows)), "bytes": .int(output.bytes), "sha256": .string(output.sha256),
        ]
        if let dataset = output.dataset {
            fields["dataset"] = .string(dataset)
            fields["partition"] = .array(output.partition.map { .object(["column": .string($0.column), "value": $0.value.map(JSONValue.string) ?? .null]) })
        }
        return fields
    }

    static func output(_ object: [String: Any]) -> RunReport.Output? {
        guard let path = object["path"] as? String, let tables = object["tables"] as? [String], let format = object["format"] as? String,
              let rows = object["rows"] as? Int, let bytes = object["bytes"] as? Int, let sha = object["sha256"] as? String
        else { return nil }
        return RunReport.Output(
            path: path, tables: tables, format: format, rows: rows, bytes: Int64(bytes), sha256: sha, dataset: object["dataset"] as? String,
            partition: (object["partition"] as? [[String: Any]] ?? []).map { PartitionValue(column: $0["column"] as? String ?? "", value: $0["value"] as? String) })
    }

    /// The counts of a run: what a run that reads no record reports.
    static func json(_ report: RunReport) -> JSONValue {
        .object([
            "rows_per_table": .object(Dictionary(uniqueKeysWithValues: report.rowsPerTable.map { ($0.key.rawValue, .int(Int64($0.value))) })),
            "input_rows": .int(Int64(report.inputRows)), "rejected_rows": .int(Int64(report.rejectedRows)), "rejects": .int(Int64(report.rejects)),
            "rejected_files": .int(Int64(report.rejectedFiles)), "rejected_file_bytes": .int(report.rejectedFileBytes),
            "notes": .array(report.notes.counts.sorted { $0.key < $1.key }.map { category, items in
                .object([
                    "label": .string(category.label), "key": .string(category.key),
                    "items": .object(items.mapValues { .int(Int64($0)) }),
                ])
            }),
            "key_checks": .array(report.keyChecks.map { check in
                .object([
                    "kind": .string(check.kind.rawValue), "table": .string(check.table.rawValue), "column": .string(check.column),
                    "references": check.references.map(JSONValue.string) ?? .null, "rows": .int(Int64(check.rows)),
                    "failures": .int(Int64(check.failures)), "examples": .array(check.examples.map(JSONValue.string)),
                ])
            }),
            "inputs": .array(report.inputs.map { input in
                .object([
                    "step": .string(input.step), "path": .string(input.path), "bytes": .int(input.bytes), "sha256": .string(input.sha256),
                    "rows": .int(Int64(input.rows)), "rejected_rows": .int(Int64(input.rejectedRows)), "status": .string(input.status.rawValue),
                ])
            }),
        ])
    }

    static func report(_ object: [String: Any]) -> RunReport? {
        var report = RunReport(runID: "", pipeline: "", pipelineSHA256: "", startedAt: .now, endedAt: .now)
        guard let rows = object["rows_per_table"] as? [String: Int], let inputRows = object["input_rows"] as? Int,
              let rejectedRows = object["rejected_rows"] as? Int, let rejects = object["rejects"] as? Int,
              let rejectedFiles = object["rejected_files"] as? Int, let rejectedFileBytes = object["rejected_file_bytes"] as? Int,
              let notes = object["notes"] as? [[String: Any]], let checks = object["key_checks"] as? [[String: Any]],
              let inputs = object["inputs"] as? [[String: Any]]
        else { return nil }
        for (name, count) in rows {
            guard let table = Table(rawValue: name) else { return nil }
            report.rowsPerTable[table] = count
        }
        report.inputRows = inputRows
        report.rejectedRows = rejectedRows
        report.rejects = rejects
        report.rejectedFiles = rejectedFiles
        report.rejectedFileBytes = Int64(rejectedFileBytes)
        for note in notes {
            guard let label = note["label"] as? String, let key = note["key"] as? String, let items = note["items"] as? [String: Int] else { return nil }
            for (item, count) in items { report.notes.count(NoteCategory(label, key: key), item, by: count) }
        }
        for check in checks {
            guard let kind = (check["kind"] as? String).flatMap(KeyCheck.Outcome.Kind.init(rawValue:)),
                  let table = (check["table"] as? String).flatMap(Table.init(rawValue:)), let column = check["column"] as? String
            else { return nil }
            var outcome = KeyCheck.Outcome(kind: kind, table: table, column: column, references: check["references"] as? String)
            outcome.rows = check["rows"] as? Int ?? 0
            outcome.failures = check["failures"] as? Int ?? 0
            outcome.examples = check["examples"] as? [String] ?? []
            report.keyChecks.append(outcome)
        }
        for input in inputs {
            guard let step = input["step"] as? String, let path = input["path"] as? String, let bytes = input["bytes"] as? Int,
                  let sha = input["sha256"] as? String, let inputRows = input["rows"] as? Int, let rejected = input["rejected_rows"] as? Int,
                  let status = (input["status"] as? String).flatMap(RunReport.InputStatus.init(rawValue:))
            else { return nil }
            report.inputs.append(RunReport.Input(
                step: step, path: path, bytes: Int64(bytes), sha256: sha, rows: inputRows, rejectedRows: rejected, status: status, origin: .reused))
        }
        return report
    }
}
