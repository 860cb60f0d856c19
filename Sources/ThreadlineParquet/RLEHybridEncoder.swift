/// Encodes unsigned integers with Parquet's RLE / bit-packing hybrid (Encodings.md, "RLE").
///
/// Runs of at least eight equal values become RLE runs (`varint(count << 1)` then the value in
/// `ceil(bitWidth / 8)` little-endian bytes). Everything else is bit-packed LSB-first in groups of
/// eight (`varint(groups << 1 | 1)` then `groups * bitWidth` bytes). Only the last run of a stream is
/// ever zero-padded; a run of equal values that ends the stream is always written as an RLE run, so
/// a bit width of 0 still produces a run header.
enum RLEHybridEncoder {
    /// The number of bits needed to store `maxValue` (0 for 0).
    static func bitWidth(forMaxValue maxValue: UInt32) -> Int {
        maxValue == 0 ? 0 : 32 - maxValue.leadingZeroBitCount
    }

    /// Appends the hybrid encoding of `values` at `bitWidth` bits each to `output`.
    static func encode<Values: RandomAccessCollection>(
        _ values: Values, bitWidth: Int, into output: inout [UInt8]
    ) where Values.Element: FixedWidthInteger & UnsignedInteger, Values.Index == Int {
        precondition((0...32).contains(bitWidth), "bit width must be 0...32")
        let start = values.startIndex
        let end = values.endIndex
        var literalStart = start
        var index = start
        while index < end {
            let value = values[index]
            var runEnd = index + 1
            while runEnd < end && values[runEnd] == value { runEnd += 1 }
            // A pending literal run must hold a multiple of eight values; borrow from this run to fill it.
            let pending = index - literalStart
            let fill = (8 - pending % 8) % 8
            let repeated = runEnd - index - fill
            if repeated >= 8 || (runEnd == end && repeated > 0) {
                if pending + fill > 0 {
                    writeBitPacked(values[literalStart..<(index + fill)], bitWidth: bitWidth, into: &output)
                }
                writeRepeated(UInt32(value), count: repeated, bitWidth: bitWidth, into: &output)
                literalStart = runEnd
            }
            index = runEnd
        }
        if literalStart < end {
            writeBitPacked(values[literalStart..<end], bitWidth: bitWidth, into: &output)
        }
    }

    /// Appends `varint(count << 1)` and `value` in `ceil(bitWidth / 8)` little-endian bytes.
    static func writeRepeated(_ value: UInt32, count: Int, bitWidth: Int, into output: inout [UInt8]) {
        writeVarint(UInt64(count) << 1, into: &output)
        var rest = value
        for _ in 0..<((bitWidth + 7) / 8) {
            output.append(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
    }

    /// Appends a bit-packed run of `values`, zero-padded to a multiple of eight values.
    static func writeBitPacked<Values: Collection>(
        _ values: Values, bitWidth: Int, into output: inout [UInt8]
    ) where Values.Element: FixedWidthInteger & UnsignedInteger {
        let groups = (values.count + 7) / 8
        writeVarint(UInt64(groups) << 1 | 1, into: &output)
        let byteCount = groups * bitWidth
        guard bitWidth > 0 else { return }
        output.reserveCapacity(output.count + byteCount)
        var written = 0
        var buffer: UInt64 = 0
        var bitsInBuffer = 0
        let mask: UInt64 = bitWidth == 64 ? .max : (1 << UInt64(bitWidth)) - 1
        for value in values {
            buffer |= (UInt64(value) & mask) << UInt64(bitsInBuffer)
            bitsInBuffer += bitWidth
            while bitsInBuffer >= 8 {
                output.append(UInt8(truncatingIfNeeded: buffer))
                buffer >>= 8
                bitsInBuffer -= 8
                written += 1
            }
        }
        if bitsInBuffer > 0 {
            output.append(UInt8(truncatingIfNeeded: buffer))
            written += 1
        }
        // Pad the last group with zero values.
        while written < byteCount {
            output.append(0)
            written += 1
        }
    }

    /// Appends `value` as an unsigned LEB128 varint.
    static func writeVarint(_ value: UInt64, into output: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        output.append(UInt8(rest))
    }

    /// Appends V1 page levels: a 4-byte little-endian length, then the hybrid encoding.
    static func writeLevels(_ levels: [UInt8], maxLevel: UInt8, into output: inout [UInt8]) {
        let lengthAt = output.count
        output.append(contentsOf: [0, 0, 0, 0])
        encode(levels, bitWidth: bitWidth(forMaxValue: UInt32(maxLevel)), into: &output)
        let length = UInt32(output.count - lengthAt - 4)
        for byte in 0..<4 {
            output[lengthAt + byte] = UInt8(truncatingIfNeeded: length >> (8 * UInt32(byte)))
        }
    }
}
