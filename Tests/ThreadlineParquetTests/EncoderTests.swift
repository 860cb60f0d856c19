import Testing

@testable import ThreadlineParquet

@Suite struct PlainEncoderTests {
    private func packed(_ flags: [Bool]) -> [UInt8] {
        var encoder = PlainEncoder()
        for flag in flags { encoder.append(bool: flag) }
        return encoder.finishedBytes
    }

    @Test func booleansPackLSBFirstAndPadTheLastByte() {
        #expect(packed([true]) == [0x01])
        #expect(packed([true, false, true, true]) == [0x0D])
        #expect(packed([true, true, true, true, true, true, false]) == [0x3F])
        #expect(packed(Array(repeating: true, count: 8)) == [0xFF])
        #expect(packed(Array(repeating: true, count: 8) + [true]) == [0xFF, 0x01])
    }

    @Test func integersAndByteArraysAreLittleEndian() {
        var encoder = PlainEncoder()
        encoder.append(int32: 7)
        encoder.append(int32: -1)
        encoder.append(int64: 0x0102_0304_0506_0708)
        encoder.append(byteArray: Array("hé".utf8))
        #expect(
            encoder.finishedBytes == [
                0x07, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x03, 0, 0, 0,
                0x68, 0xC3, 0xA9,
            ])
    }
}

@Suite struct DictionaryEncoderTests {
    private func index(_ text: String, in dictionary: inout DictionaryEncoder) -> (UInt32, Bool) {
        Array(text.utf8).withUnsafeBytes { dictionary.index(of: $0) }
    }

    @Test func canonicallyEquivalentStringsStayDistinct() {
        var dictionary = DictionaryEncoder()
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        #expect(composed == decomposed)  // Swift says they are equal; the bytes differ.
        #expect(index(composed, in: &dictionary) == (0, true))
        #expect(index(decomposed, in: &dictionary) == (1, true))
        #expect(index(composed, in: &dictionary) == (0, false))
        #expect(dictionary.count == 2)
    }

    @Test func pageBodyIsPlainEntriesInIndexOrder() {
        var dictionary = DictionaryEncoder()
        _ = index("b", in: &dictionary)
        _ = index("a", in: &dictionary)
        _ = index("b", in: &dictionary)
        _ = index("", in: &dictionary)
        #expect(dictionary.pageBody == [0x01, 0, 0, 0, 0x62, 0x01, 0, 0, 0, 0x61, 0, 0, 0, 0])
    }

    @Test func repeatedValuesKeepTheirIndex() {
        var dictionary = DictionaryEncoder()
        #expect(index("doc-1", in: &dictionary) == (0, true))
        #expect(index("doc-1", in: &dictionary) == (0, false))
        #expect(index("doc-2", in: &dictionary) == (1, true))
        #expect(index("doc-2", in: &dictionary) == (1, false))
        #expect(index("doc-1", in: &dictionary) == (0, false))
        #expect(index("", in: &dictionary) == (2, true))
        #expect(index("", in: &dictionary) == (2, false))
        #expect(index("doc-3", in: &dictionary) == (3, true))
        #expect(dictionary.count == 4)
    }

    /// A dictionary emptied for the next chunk (after growing its table) is a new one: indices from 0,
    /// no entry of the chunk before found again, the same page body as a fresh dictionary's.
    @Test func removeAllStartsOverWithTheStorageKept() {
        var reused = DictionaryEncoder()
        for number in 0..<5000 { _ = index("old-\(number)", in: &reused) }
        _ = index("shared", in: &reused)
        reused.removeAll()
        #expect(reused.count == 0)
        #expect(reused.pageBody.isEmpty)
        var fresh = DictionaryEncoder()
        for text in ["shared", "old-7", "new", "shared", "old-7", ""] {
            #expect(index(text, in: &reused) == index(text, in: &fresh), "\(text)")
        }
        #expect(reused.count == 4)
        #expect(reused.pageBody == fresh.pageBody)
    }

    @Test func entriesReadBackWhateverTheirLength() {
        var dictionary = DictionaryEncoder()
        let texts = ["", "a", "", "prefix", "prefix-longer", String(repeating: "x", count: 300), "é"]
        for text in texts { _ = index(text, in: &dictionary) }
        #expect(dictionary.count == texts.count - 1)
        for (index, text) in ["", "a", "prefix", "prefix-longer", String(repeating: "x", count: 300), "é"].enumerated() {
            #expect(Array(dictionary.entry(index)) == Array(text.utf8))
        }
    }

    @Test func manyEntriesSurviveTableGrowth() {
        var dictionary = DictionaryEncoder()
        for round in 0..<2 {
            for number in 0..<20_000 {
                let (assigned, inserted) = index("key-\(number)", in: &dictionary)
                #expect(assigned == UInt32(number))
                #expect(inserted == (round == 0))
            }
        }
        #expect(dictionary.count == 20_000)
        #expect(Array(dictionary.entry(12_345)) == Array("key-12345".utf8))
    }
}

@Suite struct StatisticsCollectorTests {
    @Test func stringsCompareByUnsignedBytes() {
        var collector = StatisticsCollector(type: .byteArray)
        // Swift orders "é" (C3 A9) after "z" too, but "\u{7F}" < "é" only byte-wise; "ab" < "b".
        for text in ["b", "ab", "\u{E9}", "\u{7F}", "z"] {
            Array(text.utf8).withUnsafeBytes { collector.add(bytes: $0) }
        }
        collector.addNull()
        let metadata = collector.metadata
        #expect(metadata.nullCount == 1)
        #expect(metadata.minValue == Array("ab".utf8))
        #expect(metadata.maxValue == [0xC3, 0xA9])
    }

    @Test func allNullChunksHaveNoBounds() {
        var collector = StatisticsCollector(type: .int32)
        collector.addNull()
        collector.addNull()
        #expect(collector.metadata.nullCount == 2)
        #expect(collector.metadata.minValue == nil)
        #expect(collector.metadata.maxValue == nil)
    }

    @Test func integerBoundsAreSignedLittleEndian() {
        var collector = StatisticsCollector(type: .int32)
        for value in [5, -3, Int64(Int32.max)] { collector.add(integer: value) }
        #expect(collector.metadata.minValue == [0xFD, 0xFF, 0xFF, 0xFF])
        #expect(collector.metadata.maxValue == [0xFF, 0xFF, 0xFF, 0x7F])
    }

    @Test func longStringBoundsAreLeftOut() {
        var collector = StatisticsCollector(type: .byteArray)
        let long = String(repeating: "x", count: StatisticsCollector.maxStringBoundLength + 1)
        for text in ["a", long] { Array(text.utf8).withUnsafeBytes { collector.add(bytes: $0) } }
        #expect(collector.metadata.minValue == nil)
        #expect(collector.metadata.maxValue == nil)
    }
}
