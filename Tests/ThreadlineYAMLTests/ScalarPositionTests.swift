import Testing

import ThreadlineYAML

/// Places inside a scalar's value traced back to the line and column they are written at, whatever
/// the scalar's style: what puts a finding inside a multi-line text on its own line.
@Suite struct ScalarPositionTests {
    /// The value of `key` in `yaml`, and the position of the first `needle` in it.
    func position(of needle: String, in yaml: String, key: String = "text") throws -> YAMLPosition {
        let root = try #require(try YAMLReader().parse(yaml))
        let node = try #require(root[key])
        let value = try #require(node.scalar)
        let range = try #require(value.range(of: needle), "\(needle) not in \(value.debugDescription)")
        return node.position(ofValueOffset: value.utf8.distance(from: value.startIndex, to: range.lowerBound), in: yaml)
    }

    @Test func plainScalarsFoldTheirLines() throws {
        let yaml = "a: 1\ntext: first line\n  second   line\n\n\n    third :code:, line\nb: 2\n"
        #expect(try YAMLReader().parse(yaml)?["text"]?.scalar == "first line second   line\n\nthird :code:, line")
        #expect(try position(of: ":code:", in: yaml) == YAMLPosition(line: 6, column: 11))
        #expect(try position(of: "second", in: yaml) == YAMLPosition(line: 3, column: 3))
        // A folded line break stands at the end of the line it breaks.
        #expect(try position(of: " second", in: yaml) == YAMLPosition(line: 2, column: 17))
    }

    @Test func singleQuotedScalarsReadDoubledQuotes() throws {
        let yaml = "text: 'it''s é\n   on two '' lines :x:'\n"
        #expect(try YAMLReader().parse(yaml)?["text"]?.scalar == "it's é on two ' lines :x:")
        #expect(try position(of: ":x:", in: yaml) == YAMLPosition(line: 2, column: 20))
        #expect(try position(of: "é", in: yaml) == YAMLPosition(line: 1, column: 14))
    }

    @Test func doubleQuotedScalarsReadEscapes() throws {
        let yaml = "text: \"tab\\there \\u263A \\x41\\\n    joined\\ \n  \n  :x: \\\"q\\\"\"\n"
        #expect(try YAMLReader().parse(yaml)?["text"]?.scalar == "tab\there ☺ Ajoined \n:x: \"q\"")
        // An escape is at its backslash.
        #expect(try position(of: "\t", in: yaml) == YAMLPosition(line: 1, column: 11))
        #expect(try position(of: "☺", in: yaml) == YAMLPosition(line: 1, column: 18))
        #expect(try position(of: "A", in: yaml) == YAMLPosition(line: 1, column: 25))
        // An escaped line break adds nothing: the next line's text follows at once.
        #expect(try position(of: "joined", in: yaml) == YAMLPosition(line: 2, column: 5))
        #expect(try position(of: ":x:", in: yaml) == YAMLPosition(line: 4, column: 3))
        #expect(try position(of: "\"q", in: yaml) == YAMLPosition(line: 4, column: 7))
    }

    @Test func literalBlocksKeepTheirLines() throws {
        let yaml = "archive:\n  - text: |\n      line one\n        indented :x:\n\n      \tafter a tab :y:\n    name: Ana\n"
        let root = try #require(try YAMLReader().parse(yaml))
        let node = try #require(root["archive"]?.items?.first?["text"])
        #expect(node.scalar == "line one\n  indented :x:\n\n\tafter a tab :y:\n")
        let positions = try #require(node.valuePositions(in: yaml))
        let value = Array(node.scalar!.unicodeScalars)
        let x = try #require(value.firstIndex(of: "x"))
        #expect(positions[x] == YAMLPosition(line: 4, column: 19))
        let y = try #require(value.firstIndex(of: "y"))
        #expect(positions[y] == YAMLPosition(line: 6, column: 21))
    }

    @Test func foldedBlocksFoldTheirLines() throws {
        let yaml = "text: >-\n  one\n  two :x:\n\n    more indented\n  three :y:\n\nnext: 1\n"
        #expect(try YAMLReader().parse(yaml)?["text"]?.scalar == "one two :x:\n\n  more indented\nthree :y:")
        #expect(try position(of: ":x:", in: yaml) == YAMLPosition(line: 3, column: 7))
        #expect(try position(of: "more", in: yaml) == YAMLPosition(line: 5, column: 5))
        #expect(try position(of: ":y:", in: yaml) == YAMLPosition(line: 6, column: 9))
    }

    /// An indentation indicator is relative to an indentation this reading does not know: each
    /// indentation is tried until one gives libyaml's value.
    @Test func blocksWithAnIndentationIndicator() throws {
        let yaml = "list:\n  - text: |2+\n        code :x:\n      back\n\n  - other: 1\n"
        let root = try #require(try YAMLReader().parse(yaml))
        let node = try #require(root["list"]?.items?.first?["text"])
        #expect(node.scalar == "  code :x:\nback\n\n")
        let positions = try #require(node.valuePositions(in: yaml))
        let value = Array(node.scalar!.unicodeScalars)
        #expect(positions[try #require(value.firstIndex(of: ":"))] == YAMLPosition(line: 3, column: 14))
    }

    /// Where a value cannot be traced back exactly, the node's own start stands in: YAML 1.1 reads
    /// U+0085 (NEL) as a line break, folded into a space, which a text editor does not show as one.
    @Test func whereTracingIsImpossibleTheScalarsStartStandsIn() throws {
        let yaml = "text: one\u{85}  two :x:.\n"
        let root = try #require(try YAMLReader().parse(yaml))
        let node = try #require(root["text"])
        #expect(node.scalar == "one two :x:.")
        #expect(node.valuePositions(in: yaml) == nil)
        #expect(try position(of: ":x:", in: yaml) == YAMLPosition(line: 1, column: 7))
    }

    /// Over generated values in every style, each scalar of the value that is written as it is in the
    /// source is found at its place: the source text there is that scalar.
    @Test func everyScalarWrittenAsItIsIsFoundAtItsPlace() throws {
        var random = SplitMix(seed: 16)
        let words = ["a", "bc", "é", "日本", "👋🏼", ":x:", "'", "\"", "#", "-", "12:30"]
        for round in 0..<300 {
            var parts: [String] = []
            for _ in 0..<(1 + random.next(8)) { parts.append(words[random.next(words.count)]) }
            let value = parts.joined(separator: random.next(3) == 0 ? "  " : " ")
            let indent = String(repeating: " ", count: 2 + random.next(3))
            let yaml: String
            switch round % 4 {
            case 0: yaml = "k: 1\ntext: \"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: " ", with: "\n\(indent)", options: [], range: nil) + "\"\n"
            case 1: yaml = "text: '" + value.replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "  ", with: "\n\n\(indent)") + "'\n"
            case 2: yaml = "text: |\n" + value.split(separator: " ").map { indent + $0 }.joined(separator: "\n") + "\nz: 0\n"
            default: yaml = "text: >\n" + value.split(separator: " ").map { indent + $0 }.joined(separator: "\n\n") + "\n"
            }
            let node = try #require(try YAMLReader().parse(yaml)?["text"], "\(yaml)")
            let positions = try #require(node.valuePositions(in: yaml), "\(yaml.debugDescription) → \(node.scalar!.debugDescription)")
            let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
            for (scalar, place) in zip(node.scalar!.unicodeScalars, positions) where scalar != " " && scalar != "\n" && scalar != "'" && scalar != "\"" {
                #expect(lines[place.line - 1][place.column - 1] == scalar, "\(yaml.debugDescription) at \(place)")
            }
        }
    }

    @Test func tabIndentationOutsideQuotedAndBlockScalars() throws {
        let yaml = "a: \"x\n\tcontinued in quotes\"\nb: |\n  block\n  \twith a tab\nc: plain\n \tcontinued after a tab\n# a comment\nd: [1,\n\t2]\n"
        #expect(try YAMLReader().parse(yaml)?["c"]?.scalar == "plain continued after a tab")
        #expect(YAMLReader.tabIndentations(in: yaml) == [YAMLPosition(line: 7, column: 2), YAMLPosition(line: 10, column: 1)])
        #expect(YAMLReader.tabIndentations(in: "a: 1\nb: \"tab\there\"\n") == [])
    }

    @Test func syntaxErrorsSayWhatToDo() throws {
        func hint(_ yaml: String) -> String? {
            do {
                _ = try YAMLReader().parse(yaml)
                return nil
            } catch {
                return error.hint
            }
        }
        #expect(hint("title: From X: to Y\n")?.hasPrefix("a ': ' inside an unquoted value reads as a new key") == true)
        // A ':' that ends a line (an emoji code last), whatever the line break, has no ': ' to look for.
        let endOfLine = "a ':' at the end of a line of an unquoted value (an emoji code such as :wave:) reads as a key: put the value in quotes (text: \"Hello :wave:\")"
        #expect(hint("text: Hello :wave:\n") == endOfLine)
        #expect(hint("a: 1\r\ntext: Hello :wave:\r\nb: 2\r\n") == endOfLine)
        #expect(hint("text: Hello :wave:") == endOfLine)
        #expect(hint("text: Grüße :wave:\n") == endOfLine)
        #expect(hint("text: Hello :wave: there: you\n")?.hasPrefix("a ': ' inside an unquoted value reads as a new key") == true)
        #expect(hint("a:\n\tb: 1\n")?.hasPrefix("this line is indented with a tab") == true)
        #expect(hint("a: [1, 2\nb: 3\n")?.hasPrefix("a list opened with '[' is not closed") == true)
        #expect(hint("a: \"open\n") == "a quoted value is not closed: add the closing quote")
        #expect(hint("a: @me\n")?.hasPrefix("'@' cannot start an unquoted value") == true)
        #expect(hint("a: 1\na: 2\n")?.hasPrefix("a key may appear once in a mapping") == true)
    }
}

/// A small seeded generator (SplitMix64), so generated cases are the same on every run.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
