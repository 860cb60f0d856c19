import ThreadlineParquet

/// Writes tables as Apache Parquet with threadline's native writer: STRING, INT32, BOOLEAN,
/// TIMESTAMP(MICROS, UTC) and LIST<STRING> columns, dictionary-encoded strings, statistics, and one of
/// four codecs. Memory is bounded by one row group, whatever the number of rows.
///
/// Options: `tables`, `path`, `compression` (none | snappy | gzip | zstd), `compression_level`
/// (gzip 1–9, zstd 1–22), `dictionary`, `row_group_rows`, `row_group_bytes`.
///
/// ```yaml
/// - type: parquet
///   tables: all
///   path: "{table}.parquet"
///   compression: zstd
///   compression_level: 3
/// ```
package struct ParquetLoad: LoadStep {
    static let keys = TableSelection.Keys(extension: "parquet")
    static let compression = OptionKey<ParquetCompression>.choice("compression", default: .zstd, "the codec of every page")
    static let compressionLevel = OptionKey<Int?>.integer(
        "compression_level", "the codec's level: gzip 1-9 (default 6), zstd 1-22 (default 3); none and snappy take none")
    static let dictionary = OptionKey<Bool>.boolean(
        "dictionary", default: true, "dictionary-encode string columns (a chunk falls back to plain once its dictionary passes 1 MiB)")
    static let rowGroupRows = OptionKey<Int>.integer("row_group_rows", default: 1_000_000, "the most rows in one row group")
    static let rowGroupBytes = OptionKey<Int>.byteSize(
        "row_group_bytes", default: 8 << 20, "the most encoded bytes in one row group; the writer holds at most one row group in memory")

    package static let type = StepType.load(
        name: "parquet",
        summary: "Apache Parquet: typed columns, dictionary-encoded strings, statistics, none/snappy/gzip/zstd",
        options: keys.specs + [compression.spec, compressionLevel.spec, dictionary.spec, rowGroupRows.spec, rowGroupBytes.spec],
        example: """
            - type: parquet
              tables: all
              path: "{table}.parquet"
              compression: zstd
            """,
        make: { options, context in try ParquetLoad(options: options, context: context) })

    let selection: TableSelection
    let writerOptions: ParquetWriterOptions

    init(options: StepOptions, context: StepContext) throws {
        selection = try TableSelection(options: options, keys: Self.keys)
        let compression = options[Self.compression]
        let level = options[Self.compressionLevel]
        if let level {
            guard let range = compression.levelRange else {
                throw ThreadlineError(
                    .usageError, "compression '\(compression.rawValue)' takes no compression_level",
                    at: options.location(of: Self.compressionLevel),
                    notes: ["remove compression_level, or use gzip (1-9) or zstd (1-22)"])
            }
            guard range.contains(level) else {
                throw ThreadlineError(
                    .usageError,
                    "compression_level \(level) is out of range for \(compression.rawValue) "
                        + "(\(range.lowerBound)-\(range.upperBound))",
                    at: options.location(of: Self.compressionLevel))
            }
        }
        for key in [Self.rowGroupRows, Self.rowGroupBytes] where options[key] < 1 {
            throw ThreadlineError(.usageError, "\(key.name) must be at least 1, not \(options[key])", at: options.location(of: key))
        }
        writerOptions = ParquetWriterOptions(
            compression: compression,
            compressionLevel: level,
            dictionary: options[Self.dictionary],
            rowGroupMaxRows: options[Self.rowGroupRows],
            rowGroupMaxBytes: options[Self.rowGroupBytes],
            createdBy: "threadline version \(ThreadlineVersion.current)",
            keyValueMetadata: [
                ParquetKeyValue(key: "threadline.pipeline", value: context.pipelineName),
                ParquetKeyValue(key: "threadline.version", value: ThreadlineVersion.current),
            ])
    }

    package var outputs: [LoadOutput] { selection.outputs(format: "parquet") }

    /// An open Parquet part holds up to a row group in memory: as many as fit in 64 MiB, 2 to 32.
    package var maxOpenPartitions: Int { min(32, max(2, (64 << 20) / max(1, writerOptions.rowGroupMaxBytes))) }

    package func makeSink(for output: LoadOutput, staged: StagedOutput) throws -> any TableSink {
        let table = output.tables[0]
        var options = writerOptions
        options.keyValueMetadata.append(ParquetKeyValue(key: "threadline.table", value: table.rawValue))
        return try ParquetSink(
            schema: table.schema, path: staged.stagingPath, displayPath: staged.relativePath, options: options)
    }
}

/// Streams one table's rows into a `ParquetFileWriter`.
final class ParquetSink: TableSink {
    private let schema: TableSchema
    /// The output's path relative to `output_root`, for messages.
    private let path: String
    private let writer: ParquetFileWriter
    /// The file's size and hash, taken as the writer writes it.
    private let running = RunningDigest()
    /// The type of each column, in order.
    private let columnTypes: [ColumnType]

    /// Opens the writer on `path` (the staging file); `displayPath` names the output in errors.
    init(schema: TableSchema, path: String, displayPath: String, options: ParquetWriterOptions) throws {
        self.schema = schema
        self.path = displayPath
        columnTypes = schema.columns.map(\.type)
        do {
            writer = try ParquetFileWriter(
                path: path, columns: schema.columns.map(ParquetSink.column), options: options, onWrite: running.update)
        } catch {
            throw ParquetSink.runtimeError(error, path: displayPath)
        }
    }

    func write(_ rows: [Row], of _: Table) throws {
        do {
            // One row of writer values, overwritten for each row.
            var values = [ParquetValue](repeating: .null, count: columnTypes.count)
            for row in rows {
                try convert(row, into: &values)
                // A short row goes to the writer short, which rejects it.
                try writer.write(row: row.count < values.count ? Array(values[..<row.count]) : values)
            }
        } catch let error as ParquetError {
            throw ParquetSink.runtimeError(error, path: path)
        }
    }

    var digest: (bytes: Int64, sha256: String)? { running.digest }

    func finish(_: RunSummary) throws {
        do {
            _ = try writer.close()
        } catch {
            throw ParquetSink.runtimeError(error, path: path)
        }
    }

    /// The writer's column for a table column.
    static func column(_ column: Column) -> ParquetColumn {
        let type: ParquetColumnType =
            switch column.type {
            case .string: .string
            case .int32: .int32
            case .int64: .int64
            case .bool: .bool
            case .timestamp: .timestampMicrosUTC
            case .stringList: .stringList
            }
        return ParquetColumn(name: column.name, type: type, nullable: column.nullable)
    }

    /// A row's values as the writer's values, stored over `values`, which has one per column; a value
    /// that does not fit its column is a bug upstream.
    private func convert(_ row: Row, into values: inout [ParquetValue]) throws {
        for index in 0..<min(row.count, values.count) {
            let value = row[index]
            switch (value, columnTypes[index]) {
            case (.null, _): values[index] = .null
            case (.string(let text), .string): values[index] = .string(text)
            case (.int(let number), .int64): values[index] = .int64(number)
            case (.int(let number), .int32):
                guard let narrow = Int32(exactly: number) else {
                    throw ThreadlineError(
                        .runtimeFailure,
                        "cannot write '\(path)': \(number) in column '\(schema.columns[index].name)' does not fit int32")
                }
                values[index] = .int32(narrow)
            case (.bool(let flag), .bool): values[index] = .bool(flag)
            case (.timestamp(let instant), .timestamp): values[index] = .timestamp(instant.microseconds)
            case (.list(let items), .stringList): values[index] = .stringList(items)
            default:
                throw ThreadlineError(
                    .runtimeFailure,
                    "cannot write '\(path)': column '\(schema.columns[index].name)' is \(columnTypes[index].rawValue), got \(value)")
            }
        }
    }

    private static func runtimeError(_ error: ParquetError, path: String) -> ThreadlineError {
        ThreadlineError(
            .runtimeFailure, "cannot write parquet file '\(path)': \(error)",
            notes: error.code == .io ? [OutputWriteFailure.note] : [])
    }
}
