import Testing

import ThreadlineYAML

@Suite struct YAMLReaderTests {
    // The markdown source reads an archive as the parser hands its entries over, so the entries' nodes
    // are never all held at once: the tree comes back with the list empty.
    @Test func streamedListItemsAreHandedOverAndNotKeptInTheTree() throws {
        let yaml = """
            title: t
            archive:
            - name: Ana
            - [x]
            - plain
            links:
              archive: [kept, too]
            after: 1
            """
        var items: [YAMLNode] = []
        let root = try #require(try YAMLReader().parse(yaml, streamingItemsOf: "archive") { items.append($0) })
        #expect(items.map(\.line) == [3, 4, 5])
        #expect(items.map(\.kindDescription) == ["a mapping", "a list", "a scalar"])
        #expect(items[0]["name"]?.scalar == "Ana")
        #expect(root["archive"]?.items?.isEmpty == true)
        #expect(root["links"]?["archive"]?.items?.compactMap(\.scalar) == ["kept", "too"])
        #expect(root["after"]?.scalar == "1")
        #expect(root.entries?.map(\.key) == ["title", "archive", "links", "after"])
    }

    // An alias may repeat an anchored list, so such a list stays in the tree and is not handed over.
    @Test func anAnchoredListIsKeptInTheTree() throws {
        var handed = 0
        let root = try #require(try YAMLReader().parse("archive: &a [x, y]\nagain: *a\n", streamingItemsOf: "archive") { _ in handed += 1 })
        #expect(handed == 0)
        #expect(root["archive"]?.items?.count == 2)
        #expect(root["again"]?.items?.compactMap(\.scalar) == ["x", "y"])
    }

    // An alias stands where it is written: the value is the anchor's, its place the alias's, so a
    // finding about it points at the alias (its items keep theirs, in the anchor's text).
    @Test func anAliasIsPlacedWhereItIsWritten() throws {
        let root = try #require(try YAMLReader().parse("name: &n t\nlist: &l [x]\nsize: *n\nagain:  *l\n"))
        #expect(root["name"].map { [$0.line, $0.column] } == [1, 7])
        #expect(root["size"].map { [$0.line, $0.column] } == [3, 7])
        #expect(root["size"]?.scalar == "t")
        #expect(root["again"].map { [$0.line, $0.column] } == [4, 9])
        #expect(root["again"]?.items?.map { [$0.line, $0.column] } == [[2, 11]])
    }

    // libyaml's reader reports a bad character by its byte offset: the problem is placed at its line,
    // and at its column counted in characters (the `é` before it is one column, not two bytes).
    @Test func aControlCharacterIsPlacedAtItsLineAndColumn() throws {
        let problem = try #require(throws: YAMLProblem.self) { try YAMLReader().parse("a: 1\nb: é\u{01}\n") }
        #expect(problem.line == 2)
        #expect(problem.column == 5)
        #expect(problem.message == "control characters are not allowed")
    }
}
