/// The value type of a column, as threadline's tables need them.
///
/// Each case maps to one Parquet physical type with its logical and converted annotations:
/// - `string`: BYTE_ARRAY, STRING / UTF8;
/// - `int32`, `int64`: INT32, INT64;
/// - `bool`: BOOLEAN;
/// - `timestampMicrosUTC`: INT64, TIMESTAMP(isAdjustedToUTC=true, MICROS) / TIMESTAMP_MICROS;
/// - `stringList`: the three-level LIST group around an optional BYTE_ARRAY STRING element.
public enum ParquetColumnType: String, Sendable, Hashable, CaseIterable {
    case string
    case int32
    case int64
    case bool
    case timestampMicrosUTC
    case stringList
}

/// One column of a Parquet file: its name, its type and whether it may hold nulls.
public struct ParquetColumn: Sendable, Hashable {
    /// The column name, written as the field name in the schema.
    public var name: String
    /// The value type.
    public var type: ParquetColumnType
    /// Whether the column accepts `ParquetValue.null` (an OPTIONAL field) or not (REQUIRED).
    public var nullable: Bool

    /// Creates a column.
    public init(name: String, type: ParquetColumnType, nullable: Bool = false) {
        self.name = name
        self.type = type
        self.nullable = nullable
    }
}

/// One cell of a row handed to `ParquetFileWriter`.
public enum ParquetValue: Sendable, Hashable {
    case null
    case string(String)
    case int32(Int32)
    case int64(Int64)
    case bool(Bool)
    /// Microseconds since 1970-01-01T00:00:00Z.
    case timestamp(Int64)
    case stringList([String])

    /// A short name of the case, for error messages.
    var kindName: String {
        switch self {
        case .null: "null"
        case .string: "string"
        case .int32: "int32"
        case .int64: "int64"
        case .bool: "bool"
        case .timestamp: "timestamp"
        case .stringList: "string list"
        }
    }

    /// Whether this value may be stored in a column of `type` (nulls are checked separately).
    func matches(_ type: ParquetColumnType) -> Bool {
        switch (self, type) {
        case (.string, .string), (.int32, .int32), (.int64, .int64), (.bool, .bool),
            (.timestamp, .timestampMicrosUTC), (.stringList, .stringList):
            true
        default:
            false
        }
    }
}
