/// The compression codec applied to every page of a file.
public enum ParquetCompression: String, Sendable, Hashable, CaseIterable {
    case none
    case snappy
    case gzip
    case zstd

    /// The `CompressionCodec` value written to the column metadata.
    var thriftValue: Int32 {
        switch self {
        case .none: 0
        case .snappy: 1
        case .gzip: 2
        case .zstd: 6
        }
    }

    /// The level range the codec accepts, or `nil` when it has no levels.
    public var levelRange: ClosedRange<Int>? {
        switch self {
        case .none, .snappy: nil
        case .gzip: 1...9
        case .zstd: 1...22
        }
    }

    /// The level used when none is given.
    public var defaultLevel: Int? {
        switch self {
        case .none, .snappy: nil
        case .gzip: 6
        case .zstd: 3
        }
    }
}

/// One key-value pair of the file's metadata.
public struct ParquetKeyValue: Sendable, Hashable {
    public var key: String
    public var value: String

    /// Creates a pair.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// How a `ParquetFileWriter` encodes, compresses and splits a file.
///
/// The defaults suit analysis tables: zstd, dictionary encoding for strings, row groups of up to a
/// million rows or 128 MiB, and data pages of about 1 MiB or 131,072 values.
public struct ParquetWriterOptions: Sendable, Hashable {
    /// The codec for every page.
    public var compression: ParquetCompression
    /// The codec level, for gzip (1...9) and zstd (1...22); `nil` uses the codec's default.
    public var compressionLevel: Int?
    /// Whether string columns start dictionary-encoded.
    public var dictionary: Bool
    /// The dictionary size, in encoded bytes, past which a column chunk falls back to PLAIN pages.
    ///
    /// The limit is checked at the end of each row, so a dictionary may exceed it by one row's values.
    public var dictionaryPageSizeLimit: Int
    /// The most rows in one row group.
    public var rowGroupMaxRows: Int
    /// The most buffered bytes (encoded pages and dictionaries) in one row group.
    public var rowGroupMaxBytes: Int
    /// The uncompressed size at which a data page is closed (at the next row boundary).
    public var dataPageSize: Int
    /// The level entries (values and nulls) at which a data page is closed (at the next row boundary).
    ///
    /// This bounds a page's buffers when its values are tiny on disk (a constant column encodes to
    /// almost nothing, but each entry is buffered until the page is encoded).
    public var dataPageMaxValues: Int
    /// The `created_by` string; readers expect the form `"<app> version <x.y.z> (build <id>)"`.
    public var createdBy: String
    /// Key-value metadata written to the footer, in order.
    public var keyValueMetadata: [ParquetKeyValue]

    /// Creates options; every argument has a default.
    public init(
        compression: ParquetCompression = .zstd,
        compressionLevel: Int? = nil,
        dictionary: Bool = true,
        dictionaryPageSizeLimit: Int = 1 << 20,
        rowGroupMaxRows: Int = 1_000_000,
        rowGroupMaxBytes: Int = 128 << 20,
        dataPageSize: Int = 1 << 20,
        dataPageMaxValues: Int = 1 << 17,
        createdBy: String = "threadline version 0.1.0",
        keyValueMetadata: [ParquetKeyValue] = []
    ) {
        self.compression = compression
        self.compressionLevel = compressionLevel
        self.dictionary = dictionary
        self.dictionaryPageSizeLimit = dictionaryPageSizeLimit
        self.rowGroupMaxRows = rowGroupMaxRows
        self.rowGroupMaxBytes = rowGroupMaxBytes
        self.dataPageSize = dataPageSize
        self.dataPageMaxValues = dataPageMaxValues
        self.createdBy = createdBy
        self.keyValueMetadata = keyValueMetadata
    }

    /// Checks every option and returns the first problem found.
    func validate() throws(ParquetError) {
        if let level = compressionLevel {
            guard let range = compression.levelRange else {
                throw ParquetError(.invalidOption, "compression '\(compression.rawValue)' takes no level")
            }
            guard range.contains(level) else {
                throw ParquetError(
                    .invalidOption,
                    "\(compression.rawValue) level \(level) is out of range \(range.lowerBound)...\(range.upperBound)")
            }
        }
        guard dictionaryPageSizeLimit > 0 else {
            throw ParquetError(.invalidOption, "dictionary page size limit must be positive")
        }
        guard rowGroupMaxRows > 0 else {
            throw ParquetError(.invalidOption, "row group max rows must be positive")
        }
        guard rowGroupMaxBytes > 0 else {
            throw ParquetError(.invalidOption, "row group max bytes must be positive")
        }
        guard dataPageSize > 0 else {
            throw ParquetError(.invalidOption, "data page size must be positive")
        }
        guard dataPageMaxValues > 0 else {
            throw ParquetError(.invalidOption, "data page max values must be positive")
        }
    }
}
