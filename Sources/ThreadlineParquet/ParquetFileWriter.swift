/// What a finished file holds.
public struct ParquetWriteSummary: Sendable, Hashable {
    /// The number of rows written.
    public var rows: Int
    /// The number of row groups.
    public var rowGroups: Int
    /// The file's size in bytes.
    public var bytes: Int
}

/// Streams rows into an Apache Parquet file.
///
/// Rows are buffered as encoded, compressed pages for the current row group only; a row group is
/// written out when it reaches `rowGroupMaxRows` rows or `rowGroupMaxBytes` buffered bytes, so memory
/// is bounded by one row group whatever the number of rows. `close()` writes the footer.
///
/// ```swift
/// let writer = try ParquetFileWriter(
///     path: "messages.parquet.tmp",
///     columns: [ParquetColumn(name: "id", type: .string), ParquetColumn(name: "sent_at", type: .timestampMicrosUTC, nullable: true)],
///     options: ParquetWriterOptions(compression: .zstd))
/// try writer.write(row: [.string("m1"), .timestamp(1_700_000_000_000_000)])
/// let summary = try writer.close()
/// ```
///
/// A row that does not fit the schema is rejected with `ParquetError.Code.invalidRow` and nothing of
/// it is written; the writer stays usable. An I/O or codec failure leaves the writer closed.
public final class ParquetFileWriter {
    /// The columns, in file order.
    public let columns: [ParquetColumn]
    /// The options the file is written with.
    public let options: ParquetWriterOptions

    private let sink: FileSink
    private var chunkWriters: [ColumnChunkWriter]
    private var rowGroups: [RowGroupMetadata] = []
    private var rowsInGroup = 0
    private var rowCount = 0
    private var isOpen = true

    /// The `CompressionCodec` written for every chunk.
    private var codec: Int32 { options.compression.thriftValue }

    /// Validates the schema and options, then creates (or truncates) `path` and writes the magic.
    ///
    /// `onWrite`, when given, is called with every byte of the file as it is written, in order, on
    /// the writer's thread: a caller can hash the file without reading it back.
    public init(
        path: String, columns: [ParquetColumn], options: ParquetWriterOptions = ParquetWriterOptions(),
        onWrite: ((UnsafeRawBufferPointer) -> Void)? = nil
    ) throws(ParquetError) {
        try options.validate()
        try Self.validate(columns)
        self.columns = columns
        self.options = options
        let compressor = PageCompressor(compression: options.compression, level: options.compressionLevel)
        chunkWriters = columns.map {
            ColumnChunkWriter(leaf: LeafDescriptor($0), compressor: compressor, options: options)
        }
        sink = try FileSink(path: path, onWrite: onWrite)
        try sink.write(Self.magic)
    }

    /// `PAR1`, at the start and at the end of every file.
    static let magic: [UInt8] = Array("PAR1".utf8)

    /// Appends one row: one value per column, in column order.
    public func write(row: [ParquetValue]) throws(ParquetError) {
        guard isOpen else { throw ParquetError(.closed, "the writer for '\(sink.path)' is closed") }
        try check(row)
        do {
            let bufferedSize = try chunkWriters.withUnsafeMutableBufferPointer { writers throws(ParquetError) in
                var total = 0
                for index in writers.indices {
                    total += try writers[index].append(row[index])
                }
                return total
            }
            rowsInGroup += 1
            rowCount += 1
            if rowsInGroup >= options.rowGroupMaxRows || bufferedSize >= options.rowGroupMaxBytes {
                try flushRowGroup()
            }
        } catch {
            isOpen = false
            throw error
        }
    }

    /// Appends rows in order; stops at the first row that fails.
    public func write<Rows: Sequence<[ParquetValue]>>(rows: Rows) throws(ParquetError) {
        for row in rows {
            try write(row: row)
        }
    }

    /// Writes the last row group and the footer, and closes the file.
    public func close() throws(ParquetError) -> ParquetWriteSummary {
        guard isOpen else { throw ParquetError(.closed, "the writer for '\(sink.path)' is closed") }
        isOpen = false
        if rowsInGroup > 0 { try flushRowGroup() }
        let footer = FileMetadata(
            schema: Self.schemaElements(for: columns),
            rowCount: Int64(rowCount),
            rowGroups: rowGroups,
            keyValues: options.keyValueMetadata.map { KeyValueMetadata(key: $0.key, value: $0.value) },
            createdBy: options.createdBy,
            leafCount: columns.count
        ).thriftBytes
        try sink.write(footer)
        try sink.write(PlainEncoder.littleEndianBytes(UInt32(footer.count)))
        try sink.write(Self.magic)
        try sink.close()
        return ParquetWriteSummary(rows: rowCount, rowGroups: rowGroups.count, bytes: Int(sink.offset))
    }

    // MARK: Row groups

    /// Writes every column's chunk for the current rows and records the row group.
    private func flushRowGroup() throws(ParquetError) {
        let groupStart = sink.offset
        var chunks: [ColumnChunkMetadata] = []
        chunks.reserveCapacity(chunkWriters.count)
        for index in chunkWriters.indices {
            let metadata = try chunkWriters[index].flushChunk(to: sink, codec: codec)
            chunks.append(ColumnChunkMetadata(metadata: metadata))
        }
        rowGroups.append(
            RowGroupMetadata(
                columns: chunks,
                totalByteSize: chunks.reduce(0) { $0 + $1.metadata.totalUncompressedSize },
                rowCount: Int64(rowsInGroup),
                fileOffset: groupStart,
                totalCompressedSize: chunks.reduce(0) { $0 + $1.metadata.totalCompressedSize },
                ordinal: Int16(exactly: rowGroups.count)))
        rowsInGroup = 0
    }

    // MARK: Checks

    /// Rejects a row whose length, nulls or value kinds do not fit the columns.
    private func check(_ row: [ParquetValue]) throws(ParquetError) {
        guard row.count == columns.count else {
            throw ParquetError(
                .invalidRow, "expected \(columns.count) values, got \(row.count)", row: rowCount)
        }
        for index in row.indices {
            if case .null = row[index] {
                guard columns[index].nullable else {
                    throw ParquetError(.invalidRow, "null in a non-nullable column", column: columns[index].name, row: rowCount)
                }
            } else if !row[index].matches(columns[index].type) {
                throw ParquetError(
                    .invalidRow, "expected a \(columns[index].type.rawValue) value, got \(row[index].kindName)",
                    column: columns[index].name, row: rowCount)
            }
        }
    }

    /// Rejects empty or duplicate column names (compared case-insensitively, as Spark does).
    static func validate(_ columns: [ParquetColumn]) throws(ParquetError) {
        guard !columns.isEmpty else { throw ParquetError(.invalidSchema, "a file needs at least one column") }
        var seen: Set<String> = []
        for column in columns {
            guard !column.name.isEmpty else { throw ParquetError(.invalidSchema, "a column name is empty") }
            guard seen.insert(column.name.lowercased()).inserted else {
                throw ParquetError(.invalidSchema, "duplicate column name (case-insensitive)", column: column.name)
            }
        }
    }

    /// The flattened, depth-first schema: the root, then each column (a list adds two group nodes).
    static func schemaElements(for columns: [ParquetColumn]) -> [SchemaElement] {
        var elements = [SchemaElement(name: "schema", numChildren: Int32(columns.count))]
        for column in columns {
            let repetition: Repetition = column.nullable ? .optional : .required
            switch column.type {
            case .string:
                elements.append(
                    SchemaElement(
                        type: .byteArray, repetition: repetition, name: column.name, convertedType: .utf8,
                        logicalType: .string))
            case .int32:
                elements.append(SchemaElement(type: .int32, repetition: repetition, name: column.name))
            case .int64:
                elements.append(SchemaElement(type: .int64, repetition: repetition, name: column.name))
            case .bool:
                elements.append(SchemaElement(type: .boolean, repetition: repetition, name: column.name))
            case .timestampMicrosUTC:
                elements.append(
                    SchemaElement(
                        type: .int64, repetition: repetition, name: column.name, convertedType: .timestampMicros,
                        logicalType: .timestampMicrosUTC))
            case .stringList:
                elements.append(
                    SchemaElement(
                        repetition: repetition, name: column.name, numChildren: 1, convertedType: .list,
                        logicalType: .list))
                elements.append(SchemaElement(repetition: .repeated, name: "list", numChildren: 1))
                elements.append(
                    SchemaElement(
                        type: .byteArray, repetition: .optional, name: "element", convertedType: .utf8,
                        logicalType: .string))
            }
        }
        return elements
    }
}
