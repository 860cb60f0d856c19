/// Writes tables as JSON Lines: one object per row, keys in schema column order, UTF-8, timestamps as
/// ISO 8601 strings with `Z`, lists as arrays, null as `null`.
///
/// ```yaml
/// - type: jsonl
///   tables: [messages, threads, documents, authors]
///   path: "{table}.jsonl"
/// ```
public struct JSONLinesLoad: LoadStep {
    public static let type = StepType(
        name: "jsonl", kind: .load,
        summary: "JSON Lines: one object per row in schema column order",
        options: TableSelection.options(extension: "jsonl", tablesDefault: .list(["all"])),
        example: """
            - type: jsonl
              tables: all
              path: "{table}.jsonl"
            """,
        make: { options, _ in .load(try JSONLinesLoad(selection: TableSelection(options: options))) })

    let selection: TableSelection

    public var tables: [Table] { selection.tables }

    public func relativePath(for table: Table) -> String { selection.path(for: table) }

    public func makeSink(for table: Table, output: OutputFile) throws -> any TableSink {
        try JSONLinesSink(schema: table.schema, writer: BufferedFileWriter(path: output.stagingPath))
    }
}

final class JSONLinesSink: TableSink {
    let format = "jsonl"
    private let writer: BufferedFileWriter
    /// `{"name":` and `,"name":` prefixes, encoded once.
    private let keyPrefixes: [[UInt8]]
    private var line: [UInt8] = []

    init(schema: TableSchema, writer: BufferedFileWriter) {
        self.writer = writer
        keyPrefixes = schema.columns.enumerated().map { index, column in
            var prefix: [UInt8] = index == 0 ? [UInt8(ascii: "{")] : [UInt8(ascii: ",")]
            TextEncoding.appendJSONString(column.name, to: &prefix)
            prefix.append(UInt8(ascii: ":"))
            return prefix
        }
    }

    func write(_ rows: [Row]) throws {
        for row in rows {
            line.removeAll(keepingCapacity: true)
            for (index, value) in row.enumerated() {
                line.append(contentsOf: keyPrefixes[index])
                TextEncoding.appendJSON(value, to: &line)
            }
            line.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
            try writer.write(line)
        }
    }

    func finish() throws {
        try writer.flush()
    }

    var digest: (bytes: Int64, sha256: String)? { writer.digest }
}
