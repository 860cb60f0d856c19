import Testing
import _ThreadlineTestSupport

@testable import ThreadlineParquet

/// Decodes the RLE / bit-packing hybrid, independently of the encoder, for round trips.
func decodeHybrid(_ bytes: [UInt8], bitWidth: Int, count: Int) throws -> [UInt32] {
    var reader = ThriftCompactReader(bytes)
    var values: [UInt32] = []
    while values.count < count {
        let header = try reader.readVarint()
        if header & 1 == 0 {
            var value: UInt32 = 0
            for byte in 0..<((bitWidth + 7) / 8) { value |= UInt32(try reader.readByte()) << UInt32(8 * byte) }
            values += Array(repeating: value, count: Int(header >> 1))
        } else {
            let groups = Int(header >> 1)
            var packed: [UInt8] = []
            for _ in 0..<(groups * bitWidth) { packed.append(try reader.readByte()) }
            for index in 0..<(groups * 8) {
                var value: UInt32 = 0
                for bit in 0..<bitWidth {
                    let position = index * bitWidth + bit
                    if packed[position / 8] & (1 << UInt8(position % 8)) != 0 { value |= 1 << UInt32(bit) }
                }
                values.append(value)
            }
        }
    }
    #expect(reader.position == bytes.count, "the stream has trailing bytes")
    return Array(values.prefix(count))
}

@Suite struct RLEHybridEncoderTests {
    private func encode(_ values: [UInt32], bitWidth: Int) -> [UInt8] {
        var output: [UInt8] = []
        RLEHybridEncoder.encode(values, bitWidth: bitWidth, into: &output)
        return output
    }

    @Test func specExampleBitPacksZeroToSevenAtThreeBits() {
        #expect(encode(Array(0...7), bitWidth: 3) == [0x03, 0x88, 0xC6, 0xFA])
    }

    @Test func fiveOnesAreOneRLERun() {
        #expect(encode([1, 1, 1, 1, 1], bitWidth: 1) == [0x0A, 0x01])
    }

    @Test func bitWidthZeroStillWritesARunHeader() {
        #expect(encode([0, 0, 0, 0, 0], bitWidth: 0) == [0x0A])
    }

    @Test func shortMixedRunIsOnePaddedBitPackedGroup() {
        #expect(encode([1, 0, 1], bitWidth: 1) == [0x03, 0x05])
    }

    @Test func levelsGetAFourByteLengthPrefix() {
        var output: [UInt8] = []
        RLEHybridEncoder.writeLevels([1, 0, 1], maxLevel: 1, into: &output)
        #expect(output == [0x02, 0x00, 0x00, 0x00, 0x03, 0x05])
    }

    @Test func longRunAfterLiteralsBorrowsToFillTheGroup() throws {
        // 3 distinct values, then 13 sevens: the literal takes 5 sevens to make 8, then an RLE run of 8.
        let values: [UInt32] = [1, 2, 3] + Array(repeating: 7, count: 13)
        let bytes = encode(values, bitWidth: 3)
        #expect(bytes.first == 0x03)  // one bit-packed group
        #expect(Array(bytes.suffix(2)) == [0x10, 0x07])  // run of 8 sevens
        #expect(try decodeHybrid(bytes, bitWidth: 3, count: values.count) == values)
    }

    @Test func multiByteRunValuesAreLittleEndian() {
        #expect(encode(Array(repeating: 0x1_0203, count: 9), bitWidth: 17) == [0x12, 0x03, 0x02, 0x01])
    }

    @Test(arguments: [0, 1, 2, 3, 5, 8, 13, 20, 32])
    func pseudoRandomSequencesRoundTrip(bitWidth: Int) throws {
        var generator = SplitMix64(seed: UInt64(bitWidth) &+ 17)
        let maxValue: UInt64 = bitWidth == 0 ? 0 : (1 << UInt64(bitWidth)) - 1
        for length in [1, 7, 8, 9, 63, 64, 65, 1000] {
            var values: [UInt32] = []
            while values.count < length {
                let value = UInt32(generator.next() & maxValue)
                let repeats = generator.next() % 4 == 0 ? Int(generator.next() % 20) + 1 : 1
                values += Array(repeating: value, count: min(repeats, length - values.count))
            }
            let bytes = encode(values, bitWidth: bitWidth)
            #expect(try decodeHybrid(bytes, bitWidth: bitWidth, count: values.count) == values)
        }
    }
}
