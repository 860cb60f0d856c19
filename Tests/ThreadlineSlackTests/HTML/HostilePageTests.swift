import Foundation
import Testing
import ThreadlineHTML

@testable import ThreadlineSlack

/// Pages that are broken, cut off or hostile: each read must finish, keep what can be read and
/// account for the rest with a reason and a line.
@Suite struct HostilePageTests {
    @Test func truncatedPageKeepsEveryCompleteMessageAndRejectsTheCutOne() throws {
        let full = try Fixture.bytes(SampleExportTests.multiPage)
        // Cut inside the code block of the message that starts on line 2456.
        let cut = try #require(full.firstRange(of: Array("SELECT ** FROM".utf8)))
        let truncated = Array(full[..<cut.lowerBound])
        let page = try SlackHTMLReader().readAll(bytes: truncated, path: SampleExportTests.multiPage)
        let whole = try SlackHTMLReader().readAll(fixture: SampleExportTests.multiPage)
        let before = whole.messages.filter { $0.line < 2456 }
        #expect(page.messages.count == 97)
        #expect(page.messages == before)
        // Its markup runs from its container (16 spaces into line 2456) to the end of the page.
        let lineStart = truncated.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).prefix(2455).reduce(0) { $0 + $1.count + 1 }
        var cutMessage = SlackHTMLProblem(
            kind: .rejected, line: 2456, column: 17,
            reason: "the page ends inside this message (the file is truncated): its text is incomplete")
        cutMessage.bytes = PageBytes(start: lineStart + 16, end: nil)
        #expect(page.rejected == [cutMessage])
        #expect(truncated[(lineStart + 16)...].starts(with: Array("<div class=\"message-container".utf8)))
        // Nothing lost: every container in the truncated bytes is a message or a rejection.
        let containers = String(decoding: truncated, as: UTF8.self).components(separatedBy: "<div class=\"message-container").count - 1
        #expect(page.messages.count + page.rejected.count == containers)
    }

    @Test func pageCutAfterAMessageBodyClosedKeepsThatMessage() throws {
        let full = try Fixture.bytes(SampleExportTests.multiPage)
        // Cut after the last message's body closed but before its container did.
        let marker = try #require(full.firstRange(of: Array("<!-- no preview available -->".utf8)))
        let afterBody = try #require(full[marker.upperBound...].firstRange(of: Array("</div>\n            </div>".utf8)))
        let page = try SlackHTMLReader().readAll(bytes: Array(full[..<afterBody.lowerBound]) + Array("</div>".utf8))
        #expect(page.messages.count == 103)
        #expect(page.rejected.isEmpty)
        #expect(page.messages.last?.text == "Uploaded the slides")
    }

    /// slack-export-viewer's `--since` leaves `div.old-message` open, so libxml2 nests every
    /// following container inside the one before: messages must come out one by one regardless.
    @Test func nestedContainersFromUnbalancedMarkupGiveOneMessageEach() throws {
        let page = try SlackHTMLReader().readAll(fixture: "edge/viewer-nested.html")
        #expect(page.messages.map(\.author) == ["Ann Archer", "Bob Baker", "Ann Archer", "Cy Cole", "Bob Baker", "Dee Dunn"])
        #expect(page.messages.map(\.isReply) == [false, true, true, false, true, false])
        #expect(
            page.messages.map(\.text) == [
                "first question", "first answer", "thanks!", "second question\non two lines", "second answer", "a last word",
            ])
        #expect(page.messages.map(\.time.description).last == "2019-05-03 11:00:00")
        #expect(page.messages.map(\.line) == [10, 25, 40, 55, 70, 85])
        #expect(page.rejected.isEmpty)
        // The print-only e-mail in div.username is not part of the name.
        #expect(!page.messages.contains { $0.author.contains("@") })
        // The nesting is real: libxml2 closed all but the first container at </body>, not at their tags.
        #expect(page.report?.parse.closedAtEnd == 0)
    }

    @Test func unreadableMessagesAreRejectedWithTheirLinesAndReasons() throws {
        let page = try SlackHTMLReader().readAll(fixture: "edge/viewer-unreadable.html")
        #expect(page.messages.map(\.text) == ["readable one", "readable two"])
        #expect(page.messages.map(\.isReply) == [false, true])
        #expect(
            page.rejected.map(\.description) == [
                "line 24, column 9: message has no author (div.username)",
                "line 32, column 9: message has no time (div.time)",
                "line 40, column 9: time 'yesterday at noon' in div.time is not 'YYYY-MM-DD HH:MM:SS'",
                "line 54, column 9: message has no text element (div.msg)",
                "line 62, column 9: time '2019-02-30 09:05:00' in div.time is not 'YYYY-MM-DD HH:MM:SS'",
            ])
        #expect(page.report?.messageCount == 2)
        #expect(page.report?.rejectedCount == 5)
    }

    @Test func externalEntitiesAndDTDsAreNeverLoaded() throws {
        for fixture in ["edge/xxe.html", "edge/xxe-external-dtd.html"] {
            let page = try SlackHTMLReader().readAll(fixture: fixture)
            #expect(page.messages.first?.author == "Mallory", "\(fixture)")
            for message in page.messages {
                #expect(!message.text.contains("SECRET"), "\(fixture)")
                #expect(!message.html.contains("SECRET"), "\(fixture)")
            }
        }
        let page = try SlackHTMLReader().readAll(fixture: "edge/xxe.html")
        // Unknown entities stay literal text; the predefined &amp; is decoded once.
        #expect(page.messages.map(\.text) == ["see &xxe; and &evil;", "an honest & plain message"])
        let dtd = try SlackHTMLReader().readAll(fixture: "edge/xxe-external-dtd.html")
        #expect(dtd.messages.map(\.text) == ["dtd says &evil;"])
    }

    @Test func entityExpansionIsNotPerformed() throws {
        let page = try SlackHTMLReader().readAll(fixture: "edge/entity-expansion.html")
        #expect(page.messages.map(\.text) == ["&lol9;"])
        #expect(page.messages.map(\.author) == ["Mallory"])
        #expect(page.rejected.isEmpty)
    }

    @Test func brokenMarkupIsRecovered() throws {
        let page = try SlackHTMLReader().readAll(fixture: "edge/broken-markup.html")
        #expect(page.messages.map(\.channel) == ["random", "random", "random"])
        #expect(page.messages.map(\.author) == ["Ann Archer", "bookbot", "Bob Baker"])
        #expect(page.messages.map(\.subtype) == [nil, "bot_message", nil])
        #expect(page.messages.map(\.isReply) == [false, false, true])
        #expect(
            page.messages.map(\.text) == [
                "bold **and _italic_** mixed\nnext line\nsecond paragraph",
                "• one\n• two\n  1. first\n  2. second\n> quoted\n> twice\nafter",
                "https://example.com/a?b=1&c=2 and [mail me](mailto:x@example.com) &amp; no href",
            ])
        // The page never closes the last container, but the message's body was closed: it is whole.
        #expect(page.rejected.isEmpty)
        #expect(page.messages.map(\.line) == [9, 19, 28])
        #expect(page.report?.parse.diagnostics.contains { $0.line == 18 && $0.message == "Unexpected end tag : span" } == true)
    }

    @Test func aPageThatIsNotASlackExportIsRejectedAsAWhole() throws {
        let page = try SlackHTMLReader().readAll(fixture: "edge/not-slack.html")
        #expect(page.messages.isEmpty)
        #expect(
            page.rejected.map(\.description) == [
                "line 1, column 1: the page is not a slack-export-viewer or slackdump page: no messages were read"
            ])
        #expect(page.report?.layout == .auto)
        let forced = try SlackHTMLReader(layout: .slackdump).readAll(fixture: SampleExportTests.multiPage)
        #expect(forced.messages.isEmpty)
        #expect(
            forced.rejected.map(\.reason) == [
                "the page is not a slackdump page (no article.message): no messages were read"
            ])
    }

    @Test func emptyAndBinaryInputFinishWithoutMessages() throws {
        let empty = try SlackHTMLReader().readAll(bytes: [])
        #expect(empty.messages.isEmpty && empty.rejected.count == 1)
        var noise: [UInt8] = []
        var state: UInt32 = 12345
        for _ in 0..<200_000 {
            state = state &* 1_103_515_245 &+ 12345
            noise.append(UInt8(truncatingIfNeeded: state >> 16))
        }
        let binary = try SlackHTMLReader().readAll(bytes: noise)
        #expect(binary.messages.isEmpty)
        #expect(binary.rejected.last?.line == 1 && binary.rejected.last?.column == 1)
    }

    @Test func aGiganticTextRunStopsTheReadInsteadOfBufferingIt() throws {
        let head = viewerPage(channel: "general", viewerMessage(user: "Ann", time: "2020-01-01 00:00:00", body: "before"))
        let run = String(repeating: "x", count: 3 << 20)
        let html = head.replacingOccurrences(of: "</body>", with: "<p>" + run + "</p></body>")
        let reader = SlackHTMLReader(parser: HTMLStreamParser(chunkSize: 64 << 10, maximumPendingBytes: 1 << 20))
        let page = try reader.readAll(html: html)
        #expect(page.messages.map(\.text) == ["before"])
        let stop = try #require(page.report?.parse.stoppedEarly)
        #expect(page.rejected.map(\.scope) == [.restOfPage])
        // libxml2 stopped after line 24, before the run that starts on line 25.
        #expect(stop.line == 24)
        // What was read ends where the parse stopped, not a megabyte on, where the feeding stopped:
        // the rest of the page, the run included, is what was not read.
        let before = try #require(html.range(of: run)).lowerBound
        #expect(page.report?.parse.bytesRead == html.utf8.distance(from: html.startIndex, to: before))
        #expect(
            page.rejected.map(\.reason) == [
                "more than 1048576 bytes without a complete tag or text run: reading stopped here"
            ])
    }

    @Test func aGiganticRunInsideAMessageRejectsThatMessage() throws {
        let run = String(repeating: "y", count: 3 << 20)
        let html = viewerPage(
            channel: "general", viewerMessage(user: "Ann", time: "2020-01-01 00:00:00", body: "fine"),
            viewerMessage(user: "Bob", time: "2020-01-01 00:00:01", body: run))
        let reader = SlackHTMLReader(parser: HTMLStreamParser(chunkSize: 64 << 10, maximumPendingBytes: 1 << 20))
        let page = try reader.readAll(html: html)
        #expect(page.messages.map(\.author) == ["Ann"])
        #expect(
            page.rejected.map(\.description) == [
                // The run starts at line 29, column 24, after the body's `<p>`.
                "line 22, column 5: reading stopped inside this message at line 29, column 24: more than 1048576 bytes without a complete tag or text run: reading stopped here",
                "line 29, column 24: more than 1048576 bytes without a complete tag or text run: reading stopped here",
            ])
    }

    @Test func aMessageOverTheTextLimitIsRejected() throws {
        let big = String(repeating: "word ", count: 400)
        let html = viewerPage(
            channel: "general", viewerMessage(user: "Ann", time: "2020-01-01 00:00:00", body: big),
            viewerMessage(user: "Bob", time: "2020-01-01 00:00:01", body: "short"))
        let page = try SlackHTMLReader(textLimit: 1000).readAll(html: html)
        #expect(page.messages.map(\.author) == ["Bob"])
        #expect(
            page.rejected.map(\.description) == [
                "line 10, column 5: message text is longer than the limit of 1000 bytes: it was not kept"
            ])
    }

    @Test func deepNestingInsideABodyFinishes() throws {
        let depth = 20_000
        let body = String(repeating: "<span>", count: depth) + "deep" + String(repeating: "</span>", count: depth)
        let html = viewerPage(channel: "general", viewerMessage(user: "Ann", time: "2020-01-01 00:00:00", body: body))
        let page = try SlackHTMLReader().readAll(html: html)
        #expect(page.messages.map(\.text) == ["deep"])
    }
}
