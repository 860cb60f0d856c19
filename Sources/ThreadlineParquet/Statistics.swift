#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Collects a column chunk's statistics: the null count, and min/max where the order is defined.
///
/// Integers and timestamps compare as signed numbers, booleans as false < true, and strings by
/// unsigned byte-wise comparison of their UTF-8 bytes (never Swift's `String` ordering). Min/max are
/// left out when every value is null, or when a string bound is longer than `maxStringBoundLength`
/// (readers would have to keep huge bounds, and a truncated bound would no longer be exact).
struct StatisticsCollector {
    /// The longest string bound written, in bytes.
    static let maxStringBoundLength = 4096

    /// The physical type whose PLAIN bytes the bounds are written in.
    let type: PhysicalType
    /// Level entries that hold no value (nulls, and for lists also empty lists).
    private(set) var nullCount: Int64 = 0
    private var minInteger = Int64.max
    private var maxInteger = Int64.min
    private var minBytes: [UInt8]?
    private var maxBytes: [UInt8]?
    private var hasValue = false

    init(type: PhysicalType) {
        self.type = type
    }

    /// Counts one missing value.
    mutating func addNull() {
        nullCount += 1
    }

    /// Adds an integer, timestamp or boolean (as 0 or 1).
    mutating func add(integer value: Int64) {
        hasValue = true
        if value < minInteger { minInteger = value }
        if value > maxInteger { maxInteger = value }
    }

    /// Adds a byte string.
    mutating func add(bytes value: UnsafeRawBufferPointer) {
        hasValue = true
        if minBytes?.withUnsafeBytes({ Self.precedes(value, $0) }) ?? true { minBytes = Array(value) }
        if maxBytes?.withUnsafeBytes({ Self.precedes($0, value) }) ?? true { maxBytes = Array(value) }
    }

    /// Whether `lhs` sorts before `rhs` by unsigned byte-wise comparison (a prefix sorts first).
    static func precedes(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        let common = min(lhs.count, rhs.count)
        if common > 0 {
            // memcmp compares bytes as unsigned char.
            let order = memcmp(lhs.baseAddress!, rhs.baseAddress!, common)
            if order != 0 { return order < 0 }
        }
        return lhs.count < rhs.count
    }

    /// Forgets everything, for the next column chunk.
    mutating func reset() {
        self = StatisticsCollector(type: type)
    }

    /// The statistics as written to the column metadata.
    var metadata: StatisticsMetadata {
        var result = StatisticsMetadata(nullCount: nullCount)
        guard hasValue else { return result }
        switch type {
        case .boolean:
            result.minValue = [UInt8(minInteger)]
            result.maxValue = [UInt8(maxInteger)]
        case .int32:
            result.minValue = PlainEncoder.littleEndianBytes(Int32(minInteger))
            result.maxValue = PlainEncoder.littleEndianBytes(Int32(maxInteger))
        case .int64:
            result.minValue = PlainEncoder.littleEndianBytes(minInteger)
            result.maxValue = PlainEncoder.littleEndianBytes(maxInteger)
        case .byteArray:
            if let minBytes, let maxBytes, minBytes.count <= Self.maxStringBoundLength,
                maxBytes.count <= Self.maxStringBoundLength
            {
                result.minValue = minBytes
                result.maxValue = maxBytes
            }
        }
        return result
    }
}
