/// A problem writing a Parquet file, with the column and row it concerns where there is one.
public struct ParquetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem this is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        let name: String

        /// An option is out of range or inconsistent.
        public static let invalidOption = Code(name: "invalid option")
        /// The columns cannot form a valid schema.
        public static let invalidSchema = Code(name: "invalid schema")
        /// A row does not fit the schema.
        public static let invalidRow = Code(name: "invalid row")
        /// The file could not be opened, written or closed.
        public static let io = Code(name: "i/o")
        /// A codec library failed.
        public static let compression = Code(name: "compression")
        /// The writer was used after `close()` or after a failed write.
        public static let closed = Code(name: "closed")

        public var description: String { name }
    }

    /// The kind of problem.
    public var code: Code
    /// A lowercase, specific message.
    public var message: String
    /// The column concerned, if any.
    public var column: String?
    /// The 0-based index of the row concerned (counted over the whole file), if any.
    public var row: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, column: String? = nil, row: Int? = nil) {
        self.code = code
        self.message = message
        self.column = column
        self.row = row
    }

    public var description: String {
        var location: [String] = []
        if let row { location.append("row \(row)") }
        if let column { location.append("column '\(column)'") }
        return location.isEmpty ? message : "\(location.joined(separator: ", ")): \(message)"
    }
}
