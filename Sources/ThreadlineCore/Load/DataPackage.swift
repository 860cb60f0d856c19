/// `datapackage.json`: a Frictionless Data Package describing every table file a run writes, so a
/// notebook, a data catalogue or `frictionless validate` learns the types and keys from the files
/// themselves.
///
/// One tabular resource per table file (CSV, JSON Lines, Parquet), named after its path, with its
/// size and SHA-256 (a partitioned table: one resource whose `path` lists its part files), its fields (types and descriptions from the table declarations), its primary key
/// and its foreign keys. A foreign key refers to the resource of the referenced table in the same
/// format, else in any format the run wrote, and is left out when the run wrote that table nowhere.
/// Files that are not tables (the HTML report) are not resources.
enum DataPackage {
    static let fileName = "datapackage.json"

    /// The package of `outputs` (the run's table files, with their sizes and hashes).
    static func json(_ outputs: [RunReport.Output], pipelineName: String, runID: String) -> JSONValue {
        // A partitioned table is one resource of many files, named after its folder.
        var parts: [String: [String]] = [:]
        for output in outputs {
            if let dataset = output.dataset { parts[dataset, default: []].append(output.path) }
        }
        let tableFiles = outputs.compactMap { output -> (output: RunReport.Output, table: Table)? in
            guard output.tables.count == 1, let table = Table(rawValue: output.tables[0]), mediaTypes[output.format] != nil else { return nil }
            if let dataset = output.dataset {
                // The first part stands for them all.
                guard parts[dataset]?.first == output.path else { return nil }
                var whole = output
                whole.path = dataset
                return (whole, table)
            }
            return (output, table)
        }
        let names = resourceNames(tableFiles.map(\.output.path))
        func resource(of table: Table, preferring format: String) -> String? {
            let candidates = tableFiles.indices.filter { tableFiles[$0].table == table }
            return (candidates.first { tableFiles[$0].output.format == format } ?? candidates.first).map { names[$0] }
        }
        let resources: [JSONValue] = tableFiles.indices.map { index in
            let (output, table) = tableFiles[index]
            let schema = table.schema
            let foreignKeys: [JSONValue] = schema.foreignKeys.compactMap { key in
                // A key of the table itself refers to the resource itself: Frictionless writes that "".
                let target = key.table == table ? "" : resource(of: key.table, preferring: output.format)
                guard let target else { return nil }
                return .object([
                    "fields": .array([.string(key.column)]),
                    "reference": .object(["resource": .string(target), "fields": .array([.string(key.referencedColumn)])]),
                ])
            }
            let path: JSONValue = output.dataset.map { .array((parts[$0] ?? []).map(JSONValue.string)) } ?? .string(output.path)
            var fields: [String: JSONValue] = [
                "name": .string(names[index]), "path": path, "profile": .string("tabular-data-resource"),
                "format": .string(output.format), "mediatype": .string(mediaTypes[output.format] ?? ""),
                "title": .string(table.rawValue), "description": .string(schema.doc),
                "schema": .object([
                    "fields": .array(schema.columns.map { column in
                        .object([
                            "name": .string(column.name), "type": .string(fieldType(column.type, format: output.format)),
                            "description": .string(column.doc),
                        ])
                    }),
                    "primaryKey": .array([.string(schema.primaryKey)]),
                    "foreignKeys": .array(foreignKeys),
                    // An empty unquoted CSV field is null; JSON Lines and Parquet have their own nulls.
                    "missingValues": .array([.string("")]),
                ]),
            ]
            if output.format != "parquet" {
                fields["encoding"] = .string("utf-8")
            }
            if output.format != "parquet", output.dataset == nil {
                // Frictionless reads a Parquet file through a library that gives no byte count, so it
                // could not check these, and a resource of many files has no one size or hash; the
                // manifest has every file's.
                fields["bytes"] = .int(output.bytes)
                fields["hash"] = .string("sha256:" + output.sha256)
            }
            return .object(fields)
        }
        return .object([
            "name": .string(slug(pipelineName).isEmpty ? "threadline" : slug(pipelineName)),
            "title": .string(pipelineName),
            "profile": .string("tabular-data-package"),
            "description": .string("Tables written by threadline run \(runID) of the pipeline '\(pipelineName)'."),
            "threadline": .object([
                "run_id": .string(runID), "pipeline": .string(pipelineName), "tool_version": .string(ThreadlineVersion.current),
            ]),
            "resources": .array(resources),
        ])
    }

    static let mediaTypes = ["csv": "text/csv", "jsonl": "application/jsonl", "parquet": "application/vnd.apache.parquet"]

    /// The Table Schema type of a column in a file of `format`. A list of strings is `array` in CSV
    /// (a JSON array) and JSON Lines, and `any` in Parquet, whose typed LIST<STRING> Frictionless's
    /// Parquet reader hands over as arrays that are not JSON.
    static func fieldType(_ type: ColumnType, format: String) -> String {
        switch type {
        case .string: "string"
        case .int32, .int64: "integer"
        case .bool: "boolean"
        case .timestamp: "datetime"
        case .stringList: format == "parquet" ? "any" : "array"
        }
    }

    /// A resource name for each path: lowercase letters, digits, `-`, `.` and `_` (`messages.csv` →
    /// `messages-csv`, `tables/Messages.jsonl` → `tables-messages-jsonl`), made unique with a number.
    static func resourceNames(_ paths: [String]) -> [String] {
        var seen = Set<String>()
        return paths.map { path in
            let base = slug(path).isEmpty ? "table" : slug(path)
            var name = base, number = 2
            while !seen.insert(name).inserted {
                name = "\(base)-\(number)"
                number += 1
            }
            return name
        }
    }

    /// `text` lowercased with every run of other characters than `a-z`, `0-9` and `_` made one `-`.
    static func slug(_ text: String) -> String {
        var out = ""
        var pendingDash = false
        for scalar in text.lowercased().unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_" {
                if pendingDash, !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingDash = true
            }
        }
        return out
    }
}
