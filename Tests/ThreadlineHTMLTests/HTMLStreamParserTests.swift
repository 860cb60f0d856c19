import Foundation
import Testing

@testable import ThreadlineHTML

@Suite struct HTMLStreamParserTests {
    private func events(_ html: String, chunkSize: Int = 64 << 10) throws -> ([HTMLEvent], HTMLParseReport) {
        var events: [HTMLEvent] = []
        let report = try HTMLStreamParser(chunkSize: chunkSize).parse(bytes: Array(html.utf8)) { events.append($0) }
        return (events, report)
    }

    @Test func reportsElementsWithLinesAndDecodesEntitiesOnce() throws {
        let (events, report) = try events("<html><body>\n<div class=\"a b\" id=x>1 &amp;lt; 2 &lt; 3</div>\n</body></html>")
        let starts = events.compactMap { if case .startElement(let element) = $0 { element } else { nil } }
        #expect(starts.map(\.name) == ["html", "body", "div"])
        #expect(starts.map(\.line) == [1, 1, 2])
        #expect(starts[2].attribute("id") == "x")
        #expect(starts[2].is("div", class: "b"))
        #expect(!starts[2].is("div", class: "a b"))
        #expect(starts[2].extraClasses == ["b"])
        let text = events.compactMap { if case .text(let text) = $0 { text } else { nil } }.joined()
        #expect(text.contains("1 &lt; 2 < 3"))
        // Every element was closed by its tag, so the end of data comes last.
        #expect(Array(events.suffix(2)) == [.endElement(name: "html"), .endOfData])
        #expect(events.filter { $0 == .endOfData }.count == 1)
        #expect(report.closedAtEnd == 0)
        #expect(report.bytesRead == 75)
    }

    @Test func elementsLeftOpenAreClosedAfterEndOfData() throws {
        let (events, report) = try events("<html><body><div><p>cut")
        let end = try #require(events.firstIndex(of: .endOfData))
        #expect(Array(events[(end + 1)...]) == ["p", "div", "body", "html"].map { HTMLEvent.endElement(name: $0) })
        #expect(report.closedAtEnd == 4)
    }

    /// Feeding one byte at a time must give the same events as one big chunk (text may be split
    /// differently, so texts are compared joined between elements).
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

    @Test func diagnosticsCarryLinesAndAreCapped() throws {
        let html = "<html><body>\n" + String(repeating: "<div></span></div>\n", count: 150) + "</body></html>"
        var events: [HTMLEvent] = []
        let report = try HTMLStreamParser(maximumDiagnostics: 10).parse(bytes: Array(html.utf8)) { events.append($0) }
        #expect(report.diagnosticCount == 150)
        #expect(report.diagnostics.count == 10)
        #expect(report.diagnostics.map(\.line) == Array(2...11))
        #expect(report.diagnostics.first?.message == "Unexpected end tag : span")
        #expect(report.diagnostics.first?.severity == .error)
    }

    @Test func anErrorFromTheHandlerStopsTheParseAndIsRethrown() throws {
        struct Stop: Error, Equatable {}
        var seen = 0
        #expect(throws: Stop.self) {
            _ = try HTMLStreamParser(chunkSize: 16).parse(bytes: Array(String(repeating: "<p>x</p>", count: 1000).utf8)) { _ in
                seen += 1
                if seen == 5 { throw Stop() }
            }
        }
        #expect(seen == 5)
    }

    @Test func aMissingFileIsAReadError() throws {
        let error = try #require(throws: HTMLReadError.self) {
            _ = try HTMLStreamParser().parse(file: "/nonexistent/page.html") { _ in }
        }
        #expect(error.description == "/nonexistent/page.html: cannot open: No such file or directory")
    }
}

@Suite struct MessageTextRendererTests {
    /// Renders `body` as the inside of a viewer `div.msg`.
    private func render(_ body: String) throws -> String {
        let html = viewerPage(
            channel: "c",
            "<div class=\"message-container\"><div class=\"message\"><div class=\"username\">A</div>"
                + "<div class=\"time\">2020-01-01 00:00:00</div><div class=\"msg\">\(body)</div></div></div>")
        let page = try SlackHTMLReader().readAll(html: html)
        return try #require(page.messages.first).text
    }

    @Test(arguments: [
        ("<p>one</p><p>two</p>", "one\ntwo"),
        ("a<br>b<br><br>c", "a\nb\n\nc"),
        ("  lots   of\n  space  ", "lots of space"),
        ("<a href=\"https://x.io/\">https://x.io/</a>", "https://x.io/"),
        ("see <a href=\"https://x.io\">the <b>site</b></a>!", "see [the site](https://x.io)!"),
        ("<a href=\"https://x.io\"></a>", "https://x.io"),
        ("<code>a  *  b</code>", "`a  *  b`"),
        ("<pre>line 1\n  line 2</pre>after", "```line 1\n  line 2```\nafter"),
        ("<ul><li>a</li><li>b</li></ul>", "• a\n• b"),
        ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
        ("<blockquote>q</blockquote>r", "> q\nr"),
        ("&amp;amp; &lt;b&gt; &quot;", "&amp; <b> \""),
        ("👋:skin<em>tone</em>3: hi", "👋:skin-tone-3: hi"),
        (":party<em>parrot</em>fast:", ":party_parrot_fast:"),
        ("an <em>emphasised</em> word", "an emphasised word"),
        ("<p><strong><strong>Thread Reply:</strong></strong> answer</p>", "answer"),
        ("<p>Thread Reply: not bold stays</p>", "Thread Reply: not bold stays"),
        ("text<div class=\"message-reaction\">👍 Bob</div>", "text"),
        ("<img src=\"x.png\" alt=\":custom:\"> ok", ":custom: ok"),
        ("see <https://example.com/a?b=1&amp;c=2|Example> ok", "see [Example](https://example.com/a?b=1&c=2) ok"),
        ("<https://example.com/x>", "https://example.com/x"),
        ("<mailto:ann@example.com|Ann> <https://e.com|https://e.com>", "[Ann](mailto:ann@example.com) https://e.com"),
    ])
    func rendersHTMLAsText(html: String, expected: String) throws {
        #expect(try render(html) == expected)
    }

    @Test func threadReplyMarkerWithoutReplyClassMarksAReply() throws {
        // slack-export-viewer ≤ 1.1 had no div.reply: the marker was the only sign of a reply.
        let html = viewerPage(
            channel: "c",
            "<div class=\"message-container\"><div class=\"message\"><div class=\"username\">A</div>"
                + "<div class=\"time\">2020-01-01 00:00:00</div><div class=\"msg\"><p><strong>Thread Reply:</strong> x</p></div></div></div>")
        let page = try SlackHTMLReader().readAll(html: html)
        #expect(page.messages.map(\.isReply) == [true])
        #expect(page.messages.map(\.text) == ["x"])
    }

    @Test func markupIsKeptReserialised() throws {
        let html = viewerPage(channel: "c", viewerMessage(user: "A", time: "2020-01-01 00:00:00", body: "a &amp; <b class=\"x\">b</b><br>c"))
        let message = try #require(try SlackHTMLReader().readAll(html: html).messages.first)
        #expect(message.html == "<p>a &amp; <b class=\"x\">b</b><br>c</p>")
    }

    @Test(arguments: [
        ("2021-03-08 10:37:18", "2021-03-08 10:37:18"),
        ("  2024-02-29 23:59:59\n", "2024-02-29 23:59:59"),
    ])
    func parsesLocalTimes(text: String, expected: String) throws {
        #expect(try #require(SlackLocalTime(parsing: text)).description == expected)
    }

    @Test(arguments: ["2023-02-29 00:00:00", "2021-13-01 00:00:00", "2021-03-08 24:00:00", "2021-03-08T10:37:18", "2021-3-8 1:2:3", ""])
    func rejectsOtherTimes(text: String) {
        #expect(SlackLocalTime(parsing: text) == nil)
    }

    // The floor benchmark's counter sees exactly the start tags, end tags and text runs the event API delivers.
    @Test func countingEventsAgreesWithTheEventAPI() throws {
        let path = try Fixture.path("slack-html/channel/book-of-the-week/index.html")
        var delivered = 0
        let report = try HTMLStreamParser().parse(file: path) { event in
            switch event {
            case .startElement, .endElement, .text: delivered += 1
            case .endOfData, .stopped: break
            }
        }
        let (counted, countReport) = try HTMLStreamParser().countEvents(file: path)
        #expect(counted == delivered)
        #expect(counted > 1000)
        #expect(countReport == report)
    }

    // Counted by hand: libxml2 adds `html` and `body`, so 5 start tags, 5 end tags and 3 text runs.
    @Test func countingEventsOfASmallPage() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("count-\(UInt32.random(in: 0...UInt32.max)).html").path
        try Data("<p>a<b>c</b><i>d</i></p>".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try HTMLStreamParser().countEvents(file: path).events == 13)
    }
}

