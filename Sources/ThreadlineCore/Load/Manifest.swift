/// `_manifest.json`: the run's inputs and outputs with sizes, hashes and row counts.
enum Manifest {
    static let toolVersion = ThreadlineVersion.current

    /// The manifest of `report`, as written: renamed into place with the outputs it lists (see
    /// `OutputSet.commit`).
    /// `extra` adds top-level fields: a shard's `shard`, a merged run's `shards`.
    static func bytes(_ report: RunReport, spec: PipelineSpec, extra: [String: JSONValue] = [:]) -> [UInt8] {
        var notes: [String: JSONValue] = [:]
        for (category, items) in report.notes.counts {
            notes[category.key] = .object(items.mapValues { .int(Int64($0)) })
        }
        let steps: [JSONValue] = spec.steps.map { step in
            var fields: [String: JSONValue] = ["stage": .string(step.kind.rawValue), "type": .string(step.name)]
            if let line = step.location.line { fields["line"] = .int(Int64(line)) }
            if case .implicit(let reason) = step.origin { fields["implicit"] = .string(reason) }
            return .object(fields)
        }
        var manifest: [String: JSONValue] = [
            "run_id": .string(report.runID),
            "tool": .string("threadline"),
            "tool_version": .string(toolVersion),
            "pipeline": .object([
                "file": .string(report.pipeline), "name": .string(spec.name), "sha256": .string(report.pipelineSHA256),
                "overrides": .array(report.overrides.map(JSONValue.string)), "steps": .array(steps),
            ]),
            "started_at": .string(report.startedAt.iso8601),
            "ended_at": .string(report.endedAt.iso8601),
            "status": .string(report.status == .success ? "ok" : "rejects_over_limit"),
            "rows": .object([
                "in": .int(Int64(report.inputRows)), "out": .int(Int64(report.outputRows)), "rejected": .int(Int64(report.rejectedRows)),
                "merged": .int(Int64(report.mergedRows)), "balanced": .bool(report.isBalanced),
                "rejected_files": .int(Int64(report.rejectedFiles)), "rejected_file_bytes": .int(report.rejectedFileBytes),
            ]),
            "tables": .object(Dictionary(uniqueKeysWithValues: report.rowsPerTable.map { ($0.key.rawValue, .int(Int64($0.value))) })),
            "inputs": .array(report.inputs.map {
                var fields: [String: JSONValue] = [
                    "step": .string($0.step), "path": .string($0.path), "bytes": .int($0.bytes), "sha256": .string($0.sha256),
                    "rows": .int(Int64($0.rows)), "rejected_rows": .int(Int64($0.rejectedRows)), "status": .string($0.status.rawValue),
                ]
                switch $0.origin {
                case .processed: fields["origin"] = .string("processed")
                case .reused: fields["origin"] = .string("reused")
                case .shard(let index):
                    fields["origin"] = .string("processed")
                    fields["shard"] = .int(Int64(index))
                }
                return .object(fields)
            }),
            "outputs": .array(report.outputs.map {
                var fields: [String: JSONValue] = [
                    "path": .string($0.path), "format": .string($0.format), "rows": .int(Int64($0.rows)),
                    "bytes": .int($0.bytes), "sha256": .string($0.sha256),
                ]
                if $0.tables.count == 1 { fields["table"] = .string($0.tables[0]) } else if !$0.tables.isEmpty { fields["tables"] = .array($0.tables.map(JSONValue.string)) }
                if let dataset = $0.dataset {
                    fields["dataset"] = .string(dataset)
                    fields["partition"] = .object(Dictionary(uniqueKeysWithValues: $0.partition.map { ($0.column, $0.value.map(JSONValue.string) ?? .null) }))
                }
                return .object(fields)
            }),
            "notes": .object(notes),
            "checks": .array(report.keyChecks.map { check in
                var fields: [String: JSONValue] = [
                    "check": .string(check.kind.rawValue), "table": .string(check.table.rawValue), "column": .string(check.column),
                    "rows": .int(Int64(check.rows)), "failures": .int(Int64(check.failures)),
                    "status": .string(check.passed ? "pass" : "fail"),
                ]
                if let references = check.references { fields["references"] = .string(references) }
                return .object(fields)
            }),
        ]
        manifest.merge(extra) { _, new in new }
        var bytes: [UInt8] = []
        JSONValue.object(manifest).write(to: &bytes, indent: 0)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
