// The subset of parquet.thrift that this writer emits, with the spec's field ids.

/// Parquet's physical types (`Type`).
enum PhysicalType: Int32 {
    case boolean = 0
    case int32 = 1
    case int64 = 2
    case byteArray = 6
}

/// `FieldRepetitionType`.
enum Repetition: Int32 {
    case required = 0
    case optional = 1
    case repeated = 2
}

/// `ConvertedType`, the legacy annotations still written beside logical types for old readers.
enum ConvertedType: Int32 {
    case utf8 = 0
    case list = 3
    case timestampMicros = 10
}

/// `Encoding`.
enum Encoding: Int32, Comparable {
    case plain = 0
    case rle = 3
    case rleDictionary = 8

    static func < (lhs: Encoding, rhs: Encoding) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// `PageType`.
enum PageType: Int32 {
    case dataPage = 0
    case dictionaryPage = 2
}

/// The `LogicalType` union members this writer uses.
enum LogicalType: ThriftStruct {
    case string
    case list
    case timestampMicrosUTC

    func writeFields(to writer: inout ThriftCompactWriter) {
        switch self {
        case .string:
            writer.writeEmptyStructField(1)
        case .list:
            writer.writeEmptyStructField(3)
        case .timestampMicrosUTC:
            writer.beginStructField(8)
            writer.writeField(1, bool: true)  // isAdjustedToUTC
            writer.beginStructField(2)  // unit: TimeUnit
            writer.writeEmptyStructField(2)  // MICROS
            writer.endStruct()
            writer.endStruct()
        }
    }
}

/// `SchemaElement`: one node of the flattened, depth-first schema.
struct SchemaElement: ThriftStruct {
    var type: PhysicalType?
    var repetition: Repetition?
    var name: String
    var numChildren: Int32?
    var convertedType: ConvertedType?
    var logicalType: LogicalType?

    func writeFields(to writer: inout ThriftCompactWriter) {
        if let type { writer.writeField(1, i32: type.rawValue) }
        if let repetition { writer.writeField(3, i32: repetition.rawValue) }
        writer.writeField(4, string: name)
        if let numChildren { writer.writeField(5, i32: numChildren) }
        if let convertedType { writer.writeField(6, i32: convertedType.rawValue) }
        if let logicalType { logicalType.write(field: 10, to: &writer) }
    }
}

/// `Statistics` of a column chunk, with min/max as PLAIN bytes without a length prefix.
struct StatisticsMetadata: ThriftStruct {
    var nullCount: Int64
    var minValue: [UInt8]?
    var maxValue: [UInt8]?

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(3, i64: nullCount)
        if let maxValue { writer.writeField(5, binary: maxValue) }
        if let minValue { writer.writeField(6, binary: minValue) }
        if maxValue != nil { writer.writeField(7, bool: true) }  // is_max_value_exact
        if minValue != nil { writer.writeField(8, bool: true) }  // is_min_value_exact
    }
}

/// `PageHeader` with its `DataPageHeader` (V1) or `DictionaryPageHeader`.
struct PageHeader: ThriftStruct {
    enum Kind {
        /// A V1 data page; `valueCount` counts level entries, nulls included.
        case data(valueCount: Int32, encoding: Encoding)
        /// A dictionary page of `entryCount` PLAIN entries.
        case dictionary(entryCount: Int32)
    }

    var kind: Kind
    var uncompressedSize: Int32
    var compressedSize: Int32

    func writeFields(to writer: inout ThriftCompactWriter) {
        switch kind {
        case .data(let valueCount, let encoding):
            writer.writeField(1, i32: PageType.dataPage.rawValue)
            writer.writeField(2, i32: uncompressedSize)
            writer.writeField(3, i32: compressedSize)
            writer.beginStructField(5)
            writer.writeField(1, i32: valueCount)
            writer.writeField(2, i32: encoding.rawValue)
            writer.writeField(3, i32: Encoding.rle.rawValue)  // definition_level_encoding
            writer.writeField(4, i32: Encoding.rle.rawValue)  // repetition_level_encoding
            writer.endStruct()
        case .dictionary(let entryCount):
            writer.writeField(1, i32: PageType.dictionaryPage.rawValue)
            writer.writeField(2, i32: uncompressedSize)
            writer.writeField(3, i32: compressedSize)
            writer.beginStructField(7)
            writer.writeField(1, i32: entryCount)
            writer.writeField(2, i32: Encoding.plain.rawValue)
            writer.endStruct()
        }
    }
}

/// `ColumnMetaData` of one column chunk.
struct ColumnMetadata: ThriftStruct {
    var type: PhysicalType
    var encodings: [Encoding]
    var path: [String]
    var codec: Int32
    var valueCount: Int64
    var totalUncompressedSize: Int64
    var totalCompressedSize: Int64
    var dataPageOffset: Int64
    var dictionaryPageOffset: Int64?
    var statistics: StatisticsMetadata

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, i32: type.rawValue)
        writer.writeListField(2, .i32, count: encodings.count)
        for encoding in encodings { writer.writeZigzag(Int64(encoding.rawValue)) }
        writer.writeListField(3, .binary, count: path.count)
        for name in path { writer.writeBinary(name.utf8) }
        writer.writeField(4, i32: codec)
        writer.writeField(5, i64: valueCount)
        writer.writeField(6, i64: totalUncompressedSize)
        writer.writeField(7, i64: totalCompressedSize)
        writer.writeField(9, i64: dataPageOffset)
        if let dictionaryPageOffset { writer.writeField(11, i64: dictionaryPageOffset) }
        statistics.write(field: 12, to: &writer)
    }
}

/// `ColumnChunk`: the deprecated `file_offset` (always 0) and the chunk's metadata.
struct ColumnChunkMetadata: ThriftStruct {
    var metadata: ColumnMetadata

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(2, i64: 0)
        metadata.write(field: 3, to: &writer)
    }
}

/// `RowGroup`.
struct RowGroupMetadata: ThriftStruct {
    var columns: [ColumnChunkMetadata]
    var totalByteSize: Int64
    var rowCount: Int64
    var fileOffset: Int64
    var totalCompressedSize: Int64
    /// The row group's index in the file; left out past `Int16.max`, which the field cannot hold.
    var ordinal: Int16?

    func writeFields(to writer: inout ThriftCompactWriter) {
        columns.write(field: 1, to: &writer)
        writer.writeField(2, i64: totalByteSize)
        writer.writeField(3, i64: rowCount)
        writer.writeField(5, i64: fileOffset)
        writer.writeField(6, i64: totalCompressedSize)
        if let ordinal {
            writer.writeFieldHeader(7, .i16)
            writer.writeZigzag(Int64(ordinal))
        }
    }
}

/// `KeyValue`.
struct KeyValueMetadata: ThriftStruct {
    var key: String
    var value: String

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, string: key)
        writer.writeField(2, string: value)
    }
}

/// `FileMetaData`, the footer.
struct FileMetadata: ThriftStruct {
    var schema: [SchemaElement]
    var rowCount: Int64
    var rowGroups: [RowGroupMetadata]
    var keyValues: [KeyValueMetadata]
    var createdBy: String
    /// The number of leaf columns; each gets a `TYPE_ORDER` column order.
    var leafCount: Int

    func writeFields(to writer: inout ThriftCompactWriter) {
        writer.writeField(1, i32: 1)  // version
        schema.write(field: 2, to: &writer)
        writer.writeField(3, i64: rowCount)
        rowGroups.write(field: 4, to: &writer)
        if !keyValues.isEmpty { keyValues.write(field: 5, to: &writer) }
        writer.writeField(6, string: createdBy)
        writer.writeListField(7, .struct, count: leafCount)
        for _ in 0..<leafCount {
            writer.beginStruct()
            writer.writeEmptyStructField(1)  // TYPE_ORDER
            writer.endStruct()
        }
    }
}
