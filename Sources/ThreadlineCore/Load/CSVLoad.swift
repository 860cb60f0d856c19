/// Writes tables as RFC 4180 CSV: a header row, fields with a comma, quote, CR or LF quoted, quotes
/// doubled, rows ended by CRLF-free `\n`; null is an empty unquoted field and an empty string is `""`;
/// lists are JSON arrays; timestamps ISO 8601 with `Z`.
///
/// ```yaml
/// - type: csv
///   tables: [messages, threads]
///   path: "{table}.csv"
/// ```
public struct CSVLoad: LoadStep {
    static let keys = TableSelection.Keys(extension: "csv")

    public static let type = StepType.load(
        name: "csv",
        summary: "RFC 4180 CSV with a header row; null is an empty unquoted field, an empty string is \"\"",
        options: keys.specs,
        example: """
            - type: csv
              tables: [messages, threads]
              path: "{table}.csv"
            """,
        make: { options, _ in try CSVLoad(selection: TableSelection(options: options, keys: keys)) })

    let selection: TableSelection

    public var outputs: [LoadOutput] { selection.outputs(format: "csv") }

    public func makeSink(for output: LoadOutput, staged: StagedOutput) throws -> any TableSink {
        let table = output.tables[0]
        let writer = try BufferedFileWriter(path: staged.stagingPath)
        var header: [UInt8] = []
        for (index, column) in table.schema.columns.enumerated() {
            if index > 0 { header.append(UInt8(ascii: ",")) }
            TextEncoding.appendCSVField(column.name, to: &header)
        }
        header.append(UInt8(ascii: "\n"))
        try writer.write(header)
        return CSVSink(writer: writer)
    }
}

final class CSVSink: TableSink {
    private let writer: BufferedFileWriter

    init(writer: BufferedFileWriter) {
        self.writer = writer
    }

    func write(_ rows: [Row], of _: Table) throws {
        for row in rows {
            try writer.append { line in
                // Through a buffer pointer the values are borrowed, not copied for each use.
                row.withUnsafeBufferPointer { values in
                    for index in values.indices {
                        if index > 0 { line.append(UInt8(ascii: ",")) }
                        TextEncoding.appendCSV(values[index], to: &line)
                    }
                }
                line.append(UInt8(ascii: "\n"))
            }
        }
    }

    func finish(_: RunSummary) throws {
        try writer.flush()
    }

    var digest: (bytes: Int64, sha256: String)? { writer.digest }
}
