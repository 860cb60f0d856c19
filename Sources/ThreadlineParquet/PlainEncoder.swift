/// Appends values in Parquet's PLAIN encoding (Encodings.md, "Plain").
///
/// INT32 and INT64 are little-endian, BYTE_ARRAY is a 4-byte little-endian length then the bytes,
/// and BOOLEAN is bit-packed LSB-first with the last byte zero-padded.
struct PlainEncoder {
    /// The encoded bytes (for booleans, the complete bytes only; see `finishedBytes`).
    private(set) var bytes: [UInt8] = []
    /// The bits of a partial boolean byte.
    private var pendingBits: UInt8 = 0
    /// How many bits of `pendingBits` are used.
    private var pendingBitCount = 0

    init() {}

    /// The size of the encoded values so far, a partial boolean byte included.
    var count: Int { bytes.count + (pendingBitCount > 0 ? 1 : 0) }

    /// Appends a little-endian INT32.
    mutating func append(int32 value: Int32) {
        Self.appendLittleEndian(value, to: &bytes)
    }

    /// Appends a little-endian INT64.
    mutating func append(int64 value: Int64) {
        Self.appendLittleEndian(value, to: &bytes)
    }

    /// Appends a length-prefixed BYTE_ARRAY.
    mutating func append<Bytes: Collection<UInt8>>(byteArray value: Bytes) {
        Self.appendLittleEndian(UInt32(value.count), to: &bytes)
        bytes.append(contentsOf: value)
    }

    /// Appends one bit-packed BOOLEAN.
    mutating func append(bool value: Bool) {
        if value { pendingBits |= 1 << UInt8(pendingBitCount) }
        pendingBitCount += 1
        if pendingBitCount == 8 {
            bytes.append(pendingBits)
            pendingBits = 0
            pendingBitCount = 0
        }
    }

    /// The encoded values with any partial boolean byte zero-padded.
    var finishedBytes: [UInt8] {
        pendingBitCount > 0 ? bytes + [pendingBits] : bytes
    }

    /// Forgets every value, keeping the allocated capacity.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        pendingBits = 0
        pendingBitCount = 0
    }

    /// Appends `value` as little-endian bytes.
    @inline(__always)
    static func appendLittleEndian<Value: FixedWidthInteger>(_ value: Value, to output: inout [UInt8]) {
        var rest = value
        for _ in 0..<MemoryLayout<Value>.size {
            output.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
    }

    /// `value` as little-endian bytes.
    static func littleEndianBytes<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        var output: [UInt8] = []
        appendLittleEndian(value, to: &output)
        return output
    }
}
