import Testing

@testable import ThreadlineSlack

/// Where a message starts: the line and column of its container's `<`, so a reject points at it.
@Suite struct MessagePositionTests {
    /// Every message of every sample page starts, at its line and column, with its layout's container tag.
    @Test(arguments: [
        "slack-html/channel/book-of-the-week/index.html",
        "slack-html-single/slack-export.html",
        "slackdump/archives/C0BOTW/index.html",
        "slackdump/archives/C0BOTW/threads/1615561200.000200.html",
    ])
    func sampleMessagesStartAtTheirContainer(page: String) throws {
        let result = try SlackHTMLReader().readAll(fixture: page)
        let lines = try String(decoding: Fixture.bytes(page), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: false)
        #expect(!result.messages.isEmpty)
        for message in result.messages {
            let column = try #require(message.column, "line \(message.line) has no column")
            let rest = String(String.UnicodeScalarView(lines[message.line - 1].unicodeScalars.dropFirst(column - 1)))
            #expect(rest.hasPrefix("<div class=\"message-container") || rest.hasPrefix("<article class=\"message"))
        }
    }

    /// A minified page: every message on one line far longer than libxml2 keeps buffered, with
    /// multi-byte text before each container. Columns count Unicode scalars, as everywhere else.
    @Test func messagesOnOneLongLineGetTheirColumns() throws {
        let message = viewerMessage(user: "Zoë 🦊", time: "2020-01-01 00:00:00", body: "café ☕️ naïve")
            .split(separator: "\n").map { $0.drop { $0 == " " } }.joined()
        let body = String(repeating: message, count: 600)
        let page = "<html><head><title>Slack Export - #général</title></head><body><div class=\"messages\">"
            + body + "</div></body></html>"
        let result = try SlackHTMLReader().readAll(html: page)
        let scalars = Array(page.unicodeScalars)
        let opener = Array("<div class=\"message-container".unicodeScalars)
        let expected = scalars.indices.filter { scalars[$0...].starts(with: opener) }.map { $0 + 1 }
        #expect(expected.count == 600)
        // Well past the 64 KiB chunks libxml2 is fed, so it has let go of the line's start.
        #expect(page.utf8.count > 150_000)
        #expect(result.messages.map(\.line) == Array(repeating: 1, count: 600))
        #expect(result.messages.map(\.column) == expected)
    }

    /// A container tag broken over lines is placed at its `<`, not where libxml2 finished it; a `<div`
    /// quoted in an attribute value is not taken for the tag's start.
    @Test(arguments: [
        "<div\n   class=\"message-container\"\n>",
        "<div title='a <div> b' class=\"message-container\">",
    ])
    func anUnusualContainerTagIsPlacedAtItsStart(tag: String) throws {
        let message = viewerMessage(user: "Ann", time: "2020-01-01 00:00:00", body: "hi")
            .replacingOccurrences(of: "<div class=\"message-container\">", with: tag)
        let result = try SlackHTMLReader().readAll(html: viewerPage(channel: "general", message))
        // viewerPage puts the first message on line 10, indented by four spaces.
        #expect(result.messages.map(\.line) == [10])
        #expect(result.messages.map(\.column) == [5])
    }

    /// A tag broken over lines whose first line is longer than libxml2 keeps buffered is placed from
    /// where libxml2 was at the event before it.
    @Test func aTagOverSeveralLinesAfterALongLineIsPlaced() throws {
        let filler = String(repeating: "𝒳", count: 40_000)
        let message = viewerMessage(user: "Ann", time: "2020-01-01 00:00:00", body: filler)
            .split(separator: "\n").map { $0.drop { $0 == " " } }.joined()
        let split = message.replacingOccurrences(of: "<div class=\"message-container\">", with: "<div\nclass=\"message-container\">")
        let page = "<html><head><title>Slack Export - #general</title></head><body><div class=\"messages\">"
            + message + message + split + "</div></body></html>"
        let result = try SlackHTMLReader().readAll(html: page)
        let line = Array(page.split(separator: "\n", omittingEmptySubsequences: false)[0].unicodeScalars)
        let opener = Array("<div".unicodeScalars)
        let third = try #require(line.indices.last { line[$0...].starts(with: opener) })
        #expect(page.utf8.count > 400_000)
        #expect(result.messages.map(\.line) == [1, 1, 1])
        #expect(result.messages.last?.column == third + 1)
    }

    /// A message that is rejected carries its column too.
    @Test func aRejectedMessageHasItsColumn() throws {
        let good = viewerMessage(user: "Ann", time: "2020-01-01 00:00:00", body: "hi")
        let bad = viewerMessage(user: "Bob", time: "yesterday", body: "oops")
        let result = try SlackHTMLReader().readAll(html: viewerPage(channel: "general", good, bad))
        #expect(result.rejected.map(\.line) == [22])
        #expect(result.rejected.map(\.column) == [5])
        #expect(result.rejected.map(\.description) == [
            "line 22, column 5: time 'yesterday' in div.time is not 'YYYY-MM-DD HH:MM:SS'"
        ])
    }
}
