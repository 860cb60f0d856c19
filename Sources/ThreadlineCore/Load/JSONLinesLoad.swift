/// Writes tables as JSON Lines: one object per row, keys in schema column order, UTF-8, timestamps as
/// ISO 8601 strings with `Z`, lists as arrays, null as `null`.
///
/// ```yaml
/// - type: jsonl
///   tables: [messages, threads, documents, authors]
///   path: "{table}.jsonl"
/// ```
package struct JSONLinesLoad: LoadStep {
    static let keys = TableSelection.Keys(extension: "jsonl")

    package static let type = StepType.load(
        name: "jsonl",
        summary: "JSON Lines: one object per row in schema column order",
        options: keys.specs,
        example: """
            - type: jsonl
              tables: all
              path: "{table}.jsonl"
            """,
        make: { options, _ in try JSONLinesLoad(selection: TableSelection(options: options, keys: keys)) })

    let selection: TableSelection

    package var outputs: [LoadOutput] { selection.outputs(format: "jsonl") }

    package func makeSink(for output: LoadOutput, staged: StagedOutput) throws -> any TableSink {
        let table = output.tables[0]
        return try JSONLinesSink(schema: table.schema, writer: BufferedFileWriter(staged))
    }
}

final class JSONLinesSink: TableSink {
    private let writer: BufferedFileWriter
    /// The `{"name":` and `,"name":` prefixes of the columns, encoded once, one after the other.
    private let keyPrefixes: [UInt8]
    /// Where each column's prefix ends in `keyPrefixes`.
    private let keyPrefixEnds: [Int]

    init(schema: TableSchema, writer: BufferedFileWriter) {
        self.writer = writer
        var prefixes: [UInt8] = []
        var ends: [Int] = []
        for (index, column) in schema.columns.enumerated() {
            prefixes.append(index == 0 ? UInt8(ascii: "{") : UInt8(ascii: ","))
            TextEncoding.appendJSONString(column.name, to: &prefixes)
            prefixes.append(UInt8(ascii: ":"))
            ends.append(prefixes.count)
        }
        keyPrefixes = prefixes
        keyPrefixEnds = ends
    }

    func write(_ rows: [Row], of _: Table) throws {
        // Through buffer pointers the prefixes and values are borrowed, not copied for each use.
        try keyPrefixes.withUnsafeBufferPointer { prefixes in
            for row in rows {
                try writer.append { line in
                    row.withUnsafeBufferPointer { values in
                        var prefixStart = 0
                        for index in values.indices {
                            let prefixEnd = keyPrefixEnds[index]
                            line.append(contentsOf: UnsafeBufferPointer(rebasing: prefixes[prefixStart..<prefixEnd]))
                            TextEncoding.appendJSON(values[index], to: &line)
                            prefixStart = prefixEnd
                        }
                    }
                    line.append(UInt8(ascii: "}"))
                    line.append(UInt8(ascii: "\n"))
                }
            }
        }
    }

    func finish(_: RunSummary) throws {
        try writer.flush()
    }

    var digest: (bytes: Int64, sha256: String)? { writer.digest }
}
