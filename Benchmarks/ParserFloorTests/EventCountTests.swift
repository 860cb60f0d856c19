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
