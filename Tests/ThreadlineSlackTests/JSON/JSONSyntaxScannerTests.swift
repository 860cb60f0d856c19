import Testing

@testable import ThreadlineSlack

@Suite struct JSONSyntaxScannerTests {
    private func lines(_ text: String) throws(JSONSyntaxError) -> [Int] {
        try JSONSyntaxScanner().elements(of: Array(text.utf8)).map(\.line)
    }

    @Test func findsTheLineOfEachTopLevelElement() throws {
        let text = """
            [
              {"a": [1, 2, {"b": "x\\"]"}]},
              "two", 3,
              {
                "c": null
              }, true
            ]
            """
        #expect(try lines(text) == [2, 3, 3, 4, 6])
        #expect(try lines("[]") == [])
        #expect(try lines(#"{"a": [1]}"#) == [])
    }

    @Test func elementRangesCoverEachElementsRawText() throws {
        let text = "[ {\"a\": [1, {\"b\": 2}]} ,\n  \"two\",3, [] ]"
        let bytes = Array(text.utf8)
        let elements = try JSONSyntaxScanner().elements(of: bytes)
        #expect(elements.map { String(decoding: bytes[$0.range], as: UTF8.self) } == [
            #"{"a": [1, {"b": 2}]}"#, #""two""#, "3", "[]",
        ])
        #expect(elements.map(\.line) == [1, 2, 2, 2])
    }

    @Test(arguments: [
        ("[\n{\"a\": 1}\n{\"b\": 2}\n]", 3, 1, "expected ',' or ']'"),
        ("[\n{\"a\": 1,,}]", 2, 9, "expected a string key"),
        ("[{\"a\" 1}]", 1, 7, "expected ':' after an object key"),
        ("[\"abc", 1, 6, "unterminated string"),
        ("[\"a\nb\"]", 1, 4, "unterminated string"),
        ("[1, 2", 1, 6, "unexpected end of file"),
        ("", 1, 1, "no JSON value"),
        ("not json", 1, 1, "unexpected character 'n'"),
        ("[01]", 1, 3, "expected ',' or ']'"),
        ("[-]", 1, 3, "expected a digit"),
        ("[1.]", 1, 4, "expected a digit after '.'"),
        ("[\"\\x\"]", 1, 4, "invalid escape '\\x'"),
        ("[\"\\u12G4\"]", 1, 7, "expected four hex digits after \\u"),
        ("[1] [2]", 1, 5, "unexpected text after the JSON value"),
        ("[\"é\", ?]", 1, 7, "unexpected character '?'"),
    ] as [(String, Int, Int, String)])
    func reportsTheFirstErrorWithItsPosition(text: String, line: Int, column: Int, reason: String) {
        #expect(throws: JSONSyntaxError(line: line, column: column, reason: reason)) {
            try lines(text)
        }
    }

    @Test func rejectsInvalidUTF8InsideStringsWithItsPosition() throws {
        let valid = Array("[\"olá ☕ 😀\"]".utf8)
        #expect(try JSONSyntaxScanner().elements(of: valid).map(\.line) == [1])
        for bad: [UInt8] in [[0xC3], [0xE2, 0x98], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF]] {
            let bytes = Array("[\n\"ok\", \"é".utf8) + bad + Array("\"]".utf8)
            #expect(throws: JSONSyntaxError(line: 2, column: 9, reason: "invalid UTF-8 in a string")) {
                try JSONSyntaxScanner().elements(of: bytes)
            }
        }
    }

    @Test func boundsNestingWithoutRecursion() {
        let deep = String(repeating: "[", count: 200_000)
        #expect(throws: JSONSyntaxError(line: 1, column: 513, reason: "nesting deeper than 512 levels")) {
            try lines(deep)
        }
    }
}
