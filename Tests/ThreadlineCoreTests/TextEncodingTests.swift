import Testing
import _ThreadlineTestSupport

@testable import ThreadlineCore

/// The byte-level encoders against plain byte-by-byte references, on strings that put every byte the
/// encoders look for at every position of an eight-byte word.
@Suite struct TextEncodingTests {
    /// Bytes the encoders treat specially, their neighbours, and multi-byte UTF-8.
    static let pieces = ["a", "\"", "\\", ",", "\n", "\r", "\t", "\u{0}", "\u{1F}", " ", "!", "#", "[", "]", "+", "-", "é", "👋", "\u{7F}"]

    /// Strings of 0 to 40 pieces: every special piece alone at each offset in a run of plain text, and
    /// random mixes (the same every run, so a failure reproduces).
    static var samples: [String] {
        var samples = [""]
        for piece in pieces {
            for offset in 0..<20 {
                samples.append(String(repeating: "x", count: offset) + piece + String(repeating: "y", count: 19 - offset))
            }
        }
        var generator = SplitMix64(seed: 2024)
        for _ in 0..<2000 {
            let length = Int.random(in: 0...40, using: &generator)
            samples.append((0..<length).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        return samples
    }

    static func referenceJSON(_ text: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += Array(#"\""#.utf8)
            case UInt8(ascii: "\\"): out += Array(#"\\"#.utf8)
            case UInt8(ascii: "\n"): out += Array(#"\n"#.utf8)
            case UInt8(ascii: "\r"): out += Array(#"\r"#.utf8)
            case UInt8(ascii: "\t"): out += Array(#"\t"#.utf8)
            case ..<0x20:
                let hex = String(byte, radix: 16)
                out += Array(("\\u00" + (hex.count == 1 ? "0" : "") + hex).utf8)
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    static func referenceCSV(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard bytes.isEmpty || bytes.contains(where: { [UInt8(ascii: ","), UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: "\r")].contains($0) })
        else { return bytes }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { out.append(byte) }
            out.append(byte)
        }
        out.append(UInt8(ascii: "\""))
        return out
    }

    @Test func jsonStringsMatchTheReference() {
        for sample in Self.samples {
            var out: [UInt8] = [UInt8(ascii: "=")]
            TextEncoding.appendJSONString(sample, to: &out)
            #expect(out == [UInt8(ascii: "=")] + Self.referenceJSON(sample), "\(Array(sample.utf8))")
        }
    }

    @Test func csvFieldsMatchTheReference() {
        for sample in Self.samples {
            var out: [UInt8] = [UInt8(ascii: "=")]
            TextEncoding.appendCSVField(sample, to: &out)
            #expect(out == [UInt8(ascii: "=")] + Self.referenceCSV(sample), "\(Array(sample.utf8))")
        }
    }

    @Test func csvListsAreQuotedJSONArrays() {
        var out: [UInt8] = []
        TextEncoding.appendCSV(.list(["a", "b\"c"]), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""[""a"",""b\""c""]""#)
    }

    @Test(arguments: [Int64.min, Int64.min + 1, -1_000_000, -10, -9, -1, 0, 1, 9, 10, 99, 100, 65_535, 1 << 31, Int64.max - 1, Int64.max])
    func decimalsMatchStringFormatting(_ value: Int64) {
        var out: [UInt8] = []
        TextEncoding.appendDecimal(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == String(value))
    }

    @Test(arguments: [(Int64(0), 4, "0000"), (7, 2, "07"), (2021, 4, "2021"), (12345, 4, "12345"), (-5, 4, "00-5"), (-2021, 4, "-2021")])
    func decimalsPadLikeStrings(_ value: Int64, _ width: Int, _ expected: String) {
        var out: [UInt8] = []
        TextEncoding.appendDecimal(value, width: width, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"),
        (-1, "1969-12-31T23:59:59.999999Z"),
        (1_615_199_838_116_739, "2021-03-08T10:37:18.116739Z"),
        (1_615_199_838_000_300, "2021-03-08T10:37:18.000300Z"),
        (-62_167_219_200_000_000, "0000-01-01T00:00:00Z"),
        (-62_167_219_200_000_001, "00-1-12-31T23:59:59.999999Z"),
        (253_402_300_800_000_000, "10000-01-01T00:00:00Z"),
    ])
    func timestampsFormatTheSameAsBytesAndAsStrings(_ microseconds: Int64, _ expected: String) {
        let time = Timestamp(microseconds: microseconds)
        var out: [UInt8] = []
        time.appendISO8601(to: &out)
        #expect(String(decoding: out, as: UTF8.self) == expected)
        #expect(time.iso8601 == expected)
    }
}
