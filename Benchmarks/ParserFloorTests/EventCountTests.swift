import Foundation
import Testing
import ThreadlineHTML

@testable import parser_floor

@Suite struct EventCountTests {
    // Stream, document, mapping start/end, the scalars a, 1, b, x, y and the list's start/end: 13 events.
    @Test func countingYAMLEventsBuildsNothingAndRefusesBadYAML() {
        #expect(yamlEventCount("a: 1\nb: [x, y]\n") == 13)
        #expect(yamlEventCount("a: [1, 2\n") == nil)
        #expect(yamlEventCount("") == 2)
    }

    // Counted by hand: libxml2 adds `html` and `body`, so 5 start tags, 5 end tags and 3 text runs.
    @Test func countingEventsOfASmallPage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("count-\(UInt32.random(in: 0...UInt32.max)).html").path
        try Data("<p>a<b>c</b><i>d</i></p>".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let counted = try #require(htmlEventCount(file: path))
        #expect(counted.events == 13)
        #expect(counted.bytes == 24)
    }

    // The floor's counter sees exactly the start tags, end tags and text runs that threadline's
    // parser delivers, on the sample page, whatever the chunk size.
    @Test(arguments: [4096, 64 << 10])
    func countingAgreesWithThreadlinesParser(chunkSize: Int) throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Tests/Samples/slack-html/channel/book-of-the-week/index.html").path
        var delivered = 0
        let report = try HTMLStreamParser(chunkSize: chunkSize).parse(file: path) { event in
            switch event {
            case .startElement, .endElement, .text: delivered += 1
            case .endOfData, .stopped: break
            }
        }
        let counted = try #require(htmlEventCount(file: path, chunkSize: chunkSize))
        #expect(counted.events == delivered)
        #expect(counted.events > 1000)
        #expect(counted.bytes == report.bytesRead)
    }
}

@Suite struct FrontMatterSplitTests {
    private func yaml(of text: String) throws -> String? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("front-\(UInt32.random(in: 0...UInt32.max)).md").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return frontMatterYAML(ofFileAt: path)?.yaml
    }

    // The YAML between the delimiter lines, without the newline before the closing one.
    @Test func theYAMLBetweenTheDelimiters() throws {
        #expect(try yaml(of: "---\na: 1\nb: 2\n---\nbody\n") == "a: 1\nb: 2")
        #expect(try yaml(of: "--- \r\na: 1\r\n...\r\n") == "a: 1\r")
        #expect(try yaml(of: "---\n---\n") == "")
    }

    // A file that does not open with `---`, one never closed, and bytes that are not UTF-8.
    @Test func filesWithoutAClosedFrontMatterAreRefused() throws {
        #expect(try yaml(of: "a: 1\n---\n") == nil)
        #expect(try yaml(of: "---\na: 1\n") == nil)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("front-\(UInt32.random(in: 0...UInt32.max)).md").path
        try Data([0x2D, 0x2D, 0x2D, 0x0A, 0xFF, 0x0A, 0x2D, 0x2D, 0x2D, 0x0A]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(frontMatterYAML(ofFileAt: path) == nil)
    }
}
