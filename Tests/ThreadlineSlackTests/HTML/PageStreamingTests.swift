import Foundation
import Testing
import ThreadlineHTML

@testable import ThreadlineSlack

@Suite struct PageStreamingTests {
    /// Feeding one byte at a time must give the same messages as one big chunk.
    @Test(arguments: [1, 7, 4096])
    func chunkSizeDoesNotChangeTheResult(chunkSize: Int) throws {
        let page = try SlackHTMLReader(parser: HTMLStreamParser(chunkSize: chunkSize))
            .readAll(fixture: SampleExportTests.multiPage)
        let reference = try SlackHTMLReader().readAll(fixture: SampleExportTests.multiPage)
        #expect(page.messages == reference.messages)
        #expect(page.problems == reference.problems)
    }

    /// libxml2 2.9's push parser can stop making progress mid-page and buffer the rest (a stale
    /// look-ahead index); with a small pending-bytes bound that would stop the read. Twenty copies of
    /// the sample's messages (2 MB) must stream through with at most 256 KiB held unparsed.
    @Test(arguments: [4096, 65536])
    func aLongPageStreamsWithoutBufferingIt(chunkSize: Int) throws {
        let sample = String(decoding: try Fixture.bytes(SampleExportTests.multiPage), as: UTF8.self)
        let start = try #require(sample.range(of: "<div class=\"message-container"))
        let end = try #require(sample.range(of: "</div>\n</div>\n\n<script>"))
        let messages = String(sample[start.lowerBound..<end.lowerBound])
        let page = String(sample[..<start.lowerBound]) + String(repeating: messages, count: 20) + String(sample[end.lowerBound...])
        let reader = SlackHTMLReader(parser: HTMLStreamParser(chunkSize: chunkSize, maximumPendingBytes: 256 << 10))
        let result = try reader.readAll(html: page)
        #expect(result.report?.parse.stoppedEarly == nil)
        #expect(result.messages.count == 20 * 103)
        #expect(result.rejected.isEmpty)
    }
}
