import Foundation
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineSlack

/// The fast scan gives what the careful scan gives for every text without an error (elements with
/// their lines, columns, ranges and keys given twice; lone surrogates with their places), and
/// nothing for a text with one, which the careful scan then names.
@Suite struct JSONFastScanTests {
    /// The careful scan of `bytes`, or nil when it finds an error; and the fast scan.
    static func both(_ bytes: [UInt8]) -> (careful: JSONSyntaxScanner.Scan?, fast: JSONSyntaxScanner.Scan?) {
        let careful = try? JSONSyntaxScanner().carefulScan(bytes)
        let fast = bytes.withUnsafeBufferPointer { JSONSyntaxScanner.fastScan($0, maxDepth: 512) }
        return (careful, fast)
    }

    static func agree(_ bytes: [UInt8], _ comment: Comment? = nil) {
        let (careful, fast) = both(bytes)
        #expect((careful == nil) == (fast == nil), comment)
        #expect(careful?.elements == fast?.elements, comment)
        #expect(careful?.loneSurrogates == fast?.loneSurrogates, comment)
    }

    static let valid: [String] = [
        "[]", "[ ]", "{}", "42", "-0.5e+3", "\"text\"", "true", " null ",
        "[\n  {\"a\": 1, \"b\": [1, 2, {\"c\": null}]},\n  \"two\", 3, [], {},\n  -1.5E-7, true, false, null\n]",
        "[{\"ts\": \"1\", \"ts\": \"2\"}, {\"a\": {\"x\": 1, \"x\": 2}}, {\"a\": 1, \"\\u0061\": 2}, {\"b\": [{\"k\": 1}, {\"k\": 2}]}]",
        "[{\"k\\\"q\": 1, \"k\\\"q\": 2}]",
        "[\r\n\t{\"é\": \"ünïcödé ✓ 😀\",\r\n \"é\": 2},\r\n\t\"日本語\", {\"x\": \"\\ud800 lone high\", \"y\": \"\\udc00 lone low\"},\n {\"z\": \"\\ud83d\\ude00 pair \\ud83d\\ud83d\\ude00 \\ud800\\\"\"}]",
        "{\"\\ud800key\": \"\\udfff\", \"k\": 1, \"k\": 2}",
        "[{" + (0..<40).map { "\"key\($0)\": \($0)" }.joined(separator: ", ") + ", \"key33\": 0}]",
        "[{" + (0..<40).map { "\"key\($0)\": \($0)" }.joined(separator: ", ") + ", \"\\u006bey7\": 0}]",
        // Past `FastScanner.linearKeys` keys, an object's keys are hashed.
        "[{" + (0..<100).map { "\"key\($0)\": \($0)" }.joined(separator: ", ") + ", \"key93\": 0}]",
        "[{" + (0..<100).map { "\"key\($0)\": \($0)" }.joined(separator: ", ") + ", \"\\u006bey7\": 0}]",
        "[{" + (0..<100).map { "\"key\($0)\": \($0)" }.joined(separator: ", ") + "}]",
        "[\"a\\\\\", \"b\\\\\\\"c\", \"\\/\\b\\f\\n\\r\\t\"]",
        String(repeating: "[", count: 511) + String(repeating: "]", count: 511),
        String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
        "[" + String(repeating: "{\"a\":", count: 300) + "1" + String(repeating: "}", count: 300) + "]",
    ]

    static let invalid: [String] = [
        "", "   ", "[", "]", "[1,]", "[,1]", "{\"a\" 1}", "{\"a\":}", "{a: 1}", "[\"abc", "[\"a\nb\"]", "[\"a\\x\"]", "[\"\\u12G4\"]",
        "[01]", "[1.]", "[1e]", "[-]", "[tru]", "[nul]", "[1] x", "[1]]", "{\"a\": 1,}", "[\"\u{01}\"]",
        String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
    ]

    @Test func validTextsScanAlike() {
        for text in Self.valid {
            let (careful, fast) = Self.both(Array(text.utf8))
            #expect(careful != nil, "\(text.prefix(60))")
            #expect(fast != nil, "\(text.prefix(60))")
            Self.agree(Array(text.utf8), "\(text.prefix(60))")
        }
    }

    @Test func invalidTextsHaveNoFastScan() {
        for text in Self.invalid {
            let (careful, fast) = Self.both(Array(text.utf8))
            #expect(careful == nil, "\(text.prefix(60))")
            #expect(fast == nil, "\(text.prefix(60))")
        }
        // Bytes that are not UTF-8, inside a string and outside one.
        for bytes: [UInt8] in [[0x5B, 0x22, 0xC3, 0x22, 0x5D], [0x5B, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x5D], [0x5B, 0xC3, 0xA9, 0x5D]] {
            #expect(Self.both(bytes).careful == nil)
            #expect(Self.both(bytes).fast == nil)
        }
    }

    /// Every sample and fixture JSON file, and thousands of mutations of them (a byte changed, cut
    /// or doubled), scan alike or are refused alike.
    @Test func samplesAndTheirMutationsScanAlike() throws {
        let roots = [Samples.root.path, URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path]
        var files: [[UInt8]] = []
        for root in roots {
            for path in try FileManager.default.subpathsOfDirectory(atPath: root).sorted() where path.hasSuffix(".json") {
                files.append(Array(try Data(contentsOf: URL(fileURLWithPath: (root as NSString).appendingPathComponent(path)))))
            }
        }
        #expect(files.count >= 15)
        var random = SplitMix64(seed: 18)
        let alphabet = Array("{}[],:\"\\ u0aé\n\t-.e1".utf8)
        var refused = 0
        for file in files {
            Self.agree(file)
            for _ in 0..<200 where !file.isEmpty {
                var mutated = file
                let at = Int.random(in: 0..<mutated.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: mutated[at] = alphabet.randomElement(using: &random)!
                case 1: mutated.remove(at: at)
                default: mutated.insert(mutated[at], at: at)
                }
                Self.agree(mutated)
                if Self.both(mutated).careful == nil { refused += 1 }
            }
        }
        // Both kinds were tried.
        #expect(refused > 100)
    }
}
