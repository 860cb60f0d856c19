import Testing

@testable import ThreadlineText

/// The word-at-a-time tests every scan relies on, checked against byte-by-byte answers.
@Suite struct ByteWordTests {
    /// Words that put `byte` at each position among neighbours that trip the usual bugs (zero bytes
    /// that borrow, bytes with the high bit set, bytes just above and below the one looked for).
    static func words(with byte: UInt8) -> [[UInt8]] {
        let neighbours: [UInt8] = [0x00, 0x01, 0x1F, 0x20, 0x7F, 0x80, 0xFF, byte &+ 1, byte &- 1]
        return neighbours.flatMap { neighbour in
            (0..<ByteWord.width).map { position in
                var word = [UInt8](repeating: neighbour, count: ByteWord.width)
                word[position] = byte
                return word
            }
        }
    }

    static func load(_ bytes: [UInt8]) -> ByteWord.Word {
        bytes.withUnsafeBufferPointer { ByteWord.load($0, at: 0) }
    }

    @Test func wordTestsAgreeWithByteTests() {
        for byte in UInt8.min...UInt8.max {
            for bytes in Self.words(with: byte) {
                let word = Self.load(bytes)
                for probe: UInt8 in [byte, 0x00, 0x0A, 0x22, 0x3A, 0x5C, 0xC2, 0xE2] {
                    #expect(ByteWord.contains(probe, in: word) == bytes.contains(probe))
                }
                for bound: UInt8 in [1, 0x20, 0x80] {
                    #expect(ByteWord.hasByte(below: bound, in: word) == bytes.contains { $0 < bound })
                }
                #expect(ByteWord.isASCII(word) == bytes.allSatisfy { $0 < 0x80 })
                for probe: UInt8 in [byte, 0x00, 0x0A, 0x7F, 0x80, 0xFF] {
                    #expect(ByteWord.count(probe, in: word) == bytes.count { $0 == probe })
                }
            }
        }
    }

    @Test func countingOverARangeAgreesWithCountingBytes() {
        // Line breaks in every position and run, so a range starts and ends at every offset of a word.
        let text = Array("a\n\n\nbc\nd\u{e9}\n\n\nefgh\nijklmnopq\n\n\u{2028}\n\nrstu\n".utf8)
        text.withUnsafeBufferPointer { bytes in
            for start in 0...bytes.count {
                for end in start...bytes.count {
                    #expect(ByteWord.count(0x0A, in: bytes, start..<end) == text[start..<end].count { $0 == 0x0A })
                }
            }
        }
    }

    @Test func firstIndexOfAByteInARangeFindsEachOccurrence() {
        let text = Array("a:b::c\u{e9}:d:".utf8)
        text.withUnsafeBufferPointer { bytes in
            for start in 0...bytes.count {
                for end in start...bytes.count {
                    #expect(bytes.firstIndex(ofByte: UInt8(ascii: ":"), in: start..<end) == text[start..<end].firstIndex(of: UInt8(ascii: ":")))
                }
            }
        }
        #expect(UnsafeBufferPointer<UInt8>(start: nil, count: 0).firstIndex(ofByte: 0, in: 0..<0) == nil)
    }

    private enum Colon: ByteSet {
        static func contains(_ byte: UInt8) -> Bool { byte == UInt8(ascii: ":") }
        static func containsAny(_ word: ByteWord.Word) -> Bool { ByteWord.contains(UInt8(ascii: ":"), in: word) }
    }

    @Test func firstIndexFindsEachOccurrenceFromAnyStart() {
        let text = Array("no colon here, then one: and two:: and one at the very end:".utf8)
        let expected = text.indices.filter { text[$0] == UInt8(ascii: ":") }
        text.withUnsafeBufferPointer { bytes in
            for start in 0...bytes.count {
                #expect(bytes.firstIndex(of: Colon.self, from: start) == (expected.first { $0 >= start } ?? bytes.count))
            }
        }
    }
}
