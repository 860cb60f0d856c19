/// Writes tables as RFC 4180 CSV: a header row, fields with a comma, quote, CR or LF quoted, quotes
/// doubled, rows ended by CRLF-free `\n`; null is an empty unquoted field and an empty string is `""`;
/// lists are JSON arrays; timestamps ISO 8601 with `Z`. Text is written as it is, unless
/// `formula_escape` puts a `'` before text a spreadsheet would run as a formula.
///
/// ```yaml
/// - type: csv
///   tables: [messages, threads]
///   path: "{table}.csv"
///   formula_escape: true
/// ```
package struct CSVLoad: LoadStep {
    static let keys = TableSelection.Keys(extension: "csv")
    static let formulaEscape = OptionKey<Bool>.boolean(
        "formula_escape", default: false,
        "for files meant for spreadsheets: a text cell starting with =, +, -, @, a tab or a carriage return gets a ' in front, "
            + "so a spreadsheet shows it instead of running it as a formula; off, every cell is the text as it is")

    package static let type = StepType.load(
        name: "csv",
        summary: "RFC 4180 CSV with a header row; null is an empty unquoted field, an empty string is \"\"",
        options: keys.specs + [formulaEscape.spec],
        example: """
            - type: csv
              tables: [messages, threads]
              path: "{table}.csv"
            """,
        make: { options, _ in
            try CSVLoad(selection: TableSelection(options: options, keys: keys), formulaEscape: options[formulaEscape])
        })

    let selection: TableSelection
    /// Whether text a spreadsheet would run as a formula is written with a `'` in front.
    let formulaEscape: Bool

    package var outputs: [LoadOutput] { selection.outputs(format: "csv") }

    package func makeSink(for output: LoadOutput, staged: StagedOutput) throws -> any TableSink {
        let table = output.tables[0]
        let writer = try BufferedFileWriter(staged)
        var header: [UInt8] = []
        for (index, column) in table.schema.columns.enumerated() {
            if index > 0 { header.append(UInt8(ascii: ",")) }
            TextEncoding.appendCSVField(column.name, to: &header)
        }
        header.append(UInt8(ascii: "\n"))
        try writer.write(header)
        return CSVSink(writer: writer, formulaEscape: formulaEscape)
    }
}

final class CSVSink: TableSink {
    private let writer: BufferedFileWriter
    private let formulaEscape: Bool

    init(writer: BufferedFileWriter, formulaEscape: Bool = false) {
        self.writer = writer
        self.formulaEscape = formulaEscape
    }

    /// The first characters of a cell that spreadsheets (Excel, LibreOffice, Google Sheets) read as
    /// the start of a formula.
    static let formulaStarts: Set<UInt8> = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "\t"), UInt8(ascii: "\r"),
    ]

    func write(_ rows: [Row], of _: Table) throws {
        for row in rows {
            try writer.append { line in
                // Through a buffer pointer the values are borrowed, not copied for each use.
                row.withUnsafeBufferPointer { values in
                    for index in values.indices {
                        if index > 0 { line.append(UInt8(ascii: ",")) }
                        if formulaEscape, case .string(let text) = values[index], let first = text.utf8.first, Self.formulaStarts.contains(first) {
                            TextEncoding.appendCSVField("'" + text, to: &line)
                        } else {
                            TextEncoding.appendCSV(values[index], to: &line)
                        }
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
