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

    /// A start tag's bytes as the page has them, asked for during the start event: libxml2 reads
    /// `<https://x.io/?a=1&b|x y>` as an element named like the URL's start, its rest as attributes.
    @Test func aStartTagGivesItsSourceText() throws {
        struct Sources: HTMLContentHandler {
            var found: [String: String] = [:]
            mutating func startElement(_ tag: HTMLStartTag) { found[tag.name.text] = tag.sourceText() ?? "-" }
            mutating func endElement(_ name: HTMLName) {}
            mutating func characters(_ text: UnsafeBufferPointer<UInt8>) {}
            mutating func stopped(_ diagnostic: HTMLDiagnostic) {}
            mutating func endOfData() {}
        }
        var sources = Sources()
        let page = "<p>see <https://x.io/?a=1&b|x y> and <b\nclass=\"k\">b</b></p>"
        _ = try HTMLStreamParser().parse(bytes: Array(page.utf8), into: &sources)
        let link = try #require(sources.found.first { $0.key.hasPrefix("https:") })
        #expect(link.value == "<https://x.io/?a=1&b|x y>")
        #expect(sources.found["b"] == "<b\nclass=\"k\">")
        #expect(sources.found["p"] == "<p>")
    }

    /// A token that arrives over many chunks (a quoted attribute value, a comment, a text run, a run
    /// of `&` each waiting for its end) is looked over a bounded number of times, not once per
    /// chunk: libxml2 is offered at most three times the page's bytes, and parses it all.
    static let longTokens: [(body: String, lastText: String)] = {
        let run = String(repeating: "x", count: 4 << 20)
        let quoted: String = "<div class=\"" + run + "\">quoted</div>"
        let comment: String = "<!--" + run + "--><div>comment</div>"
        let text: String = "<p>" + run + "</p><div>text</div>"
        let ampersands: String = "<p>" + String(repeating: "&", count: 1 << 20) + "</p><div>ampersands</div>"
        let short: String = String(repeating: "<div><p>a message</p></div><div>short</div>\n", count: 100_000)
        return [(quoted, "quoted"), (comment, "comment"), (text, "text"), (ampersands, "ampersands"), (short, "short")]
    }()

    @Test(arguments: longTokens.indices)
    func aLongTokenIsLookedOverABoundedNumberOfTimes(index: Int) throws {
        let (body, lastText) = Self.longTokens[index]
        let html = "<html><body>" + body + "</body></html>"
        var lastDiv = ""
        var inDiv = false
        let report = try HTMLStreamParser().parse(bytes: Array(html.utf8)) { event in
            switch event {
            case .startElement(let element): inDiv = element.name == "div"
            case .endElement: inDiv = false
            case .text(let text) where inDiv: lastDiv = text
            default: break
            }
        }
        #expect(report.stoppedEarly == nil)
        #expect(report.bytesRead == html.utf8.count)
        #expect(report.bytesOffered <= 3 * report.bytesRead, "\(report.bytesOffered) bytes offered for \(report.bytesRead)")
        #expect(lastDiv == lastText)
    }
}
