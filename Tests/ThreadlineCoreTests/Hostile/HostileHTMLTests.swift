import Foundation
import Testing
import ThreadlineHTML
import ThreadlineSlack

@testable import ThreadlineCore

/// Slack HTML pages that lose messages or time: every rejected message keeps its markup under
/// quarantine, a tag with more attributes than anyone writes cannot make the parse quadratic, and
/// entities are never loaded or expanded.
@Suite struct HostileHTMLTests {
    /// One slack-export-viewer message container with the given inner markup.
    static func container(_ inner: String) -> String {
        """
        <div class="message-container">
            <div id="x"><div class="message">
        \(inner)
            </div></div>
        </div>
        """
    }

    static let readable = container("""
                <div class="username">Ana</div>
                <div class="time">2021-03-08 10:00:00</div>
                <div class="msg"><p>readable</p></div>
        """)
    static let noAuthor = container("""
                <div class="time">2021-03-08 10:01:00</div>
                <div class="msg"><p>no author</p></div>
        """)
    static let badTime = container("""
                <div class="username">Bo</div>
                <div class="time">yesterday at noon</div>
                <div class="msg"><p>bad time</p></div>
        """)
    static let overLimit = container("""
                <div class="username">Cy</div>
                <div class="time">2021-03-08 10:03:00</div>
                <div class="msg"><p>\(String(repeating: "long text ", count: 30))</p></div>
        """)
    /// Cut off by the end of the file: its record runs to the end of the page.
    static let truncated = """
        <div class="message-container">
            <div id="x"><div class="message">
                <div class="username">Dee</div>
                <div class="time">2021-03-08 10:04:00</div>
                <div class="msg"><p>cut off
        """

    static func page(_ containers: [String]) -> String {
        "<!DOCTYPE html>\n<html><head><title>Slack Export - #general</title></head><body>\n<div id=\"slack-archive-viewer\">\n"
            + containers.joined(separator: "\n") + "\n"
    }

    static let pipeline = basicPipeline(extract: "  - type: slack_html\n    include: [\"*.html\"]\n    max_message_bytes: 200")

    // MARK: 8. Records of every reject

    /// Every slack_html message reject (no author, a bad time, over the size limit, cut off by the end
    /// of the page) had `record: null`; each now carries the message's markup as the page has it.
    @Test func everyRejectedMessageKeepsItsMarkup() throws {
        let scratch = try Scratch()
        let rejected = [Self.noAuthor, Self.badTime, Self.overLimit]
        try scratch.write("inputs/general.html", Self.page([Self.readable] + rejected + [Self.truncated]))
        let report = try runPipeline(scratch, Self.pipeline)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["reason"] as? String } == [
            "message has no author (div.username)",
            "time 'yesterday at noon' in div.time is not 'YYYY-MM-DD HH:MM:SS'",
            "message text is longer than the limit of 200 bytes: it was not kept",
            "the page ends inside this message (the file is truncated): its text is incomplete",
        ])
        #expect(rejects.map { $0["record"] as? String } == rejected + [Self.truncated + "\n"])
        #expect((report.inputRows, report.outputRows, report.rejectedRows) == (5, 1, 4))
    }

    /// slackdump's duplicate `ts` on one page: the second message's markup is the record.
    @Test func aDuplicateTSOnAPageKeepsItsRecord() throws {
        let scratch = try Scratch()
        let lines = try SlackHTMLSourceTests.slackdumpPageWithADuplicateTS(in: scratch)
        _ = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_html\n    include: [\"slackdump/**/*.html\"]"))
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(rejects.map { $0["line"] as? Int } == [26])
        #expect(rejects.map { $0["record"] as? String } == [lines[19..<25].joined(separator: "\n")])
    }

    // MARK: 11. Attributes

    /// A page whose one tag has `count` attributes, inside a message.
    static func attributePage(_ count: Int) -> [UInt8] {
        var tag = "<span"
        for index in 0..<count { tag += " a\(index)=\"\(index)\"" }
        tag += ">x</span>"
        return Array(page([container("""
                <div class="username">Ana</div>
                <div class="time">2021-03-08 10:00:00</div>
                <div class="msg"><p>\(tag)</p></div>
        """), readable]).utf8)
    }

    /// libxml2 checks each attribute of a tag against the ones before it: a tag of 200,000 attributes
    /// took 40 s, four times longer each time the count doubled. A tag over the documented limit now
    /// stops the page before libxml2 sees it, so doubling the attributes at most doubles the work.
    @Test func doublingATagsAttributesAtMostDoublesTheWork() throws {
        // The comparisons libxml2 made: n(n-1)/2 for each tag of n attributes it parsed and reported.
        var work: [Int] = []
        for count in [2048, 4096, 8192] {
            var comparisons = 0
            _ = try HTMLStreamParser().parse(bytes: Self.attributePage(count)) { event in
                if case .startElement(let element) = event {
                    comparisons += element.attributes.count * (element.attributes.count - 1) / 2
                }
            }
            work.append(comparisons)
        }
        #expect(work[1] <= 2 * work[0] + 64, "\(work)")
        #expect(work[2] <= 2 * work[1] + 64, "\(work)")
        // Under the limit nothing changes: every attribute reaches the page's reader.
        var seen = 0
        let report = try HTMLStreamParser().parse(bytes: Self.attributePage(HTMLStreamParser.maximumAttributes)) { event in
            if case .startElement(let element) = event, element.name == "span" { seen = element.attributes.count }
        }
        #expect(seen == HTMLStreamParser.maximumAttributes)
        #expect(report.stoppedEarly == nil)
    }

    /// What only looks like a tag of many attributes is not one: a comment, a script's or a style's
    /// text, a quoted attribute value, an end tag. None stops the page.
    @Test func markupThatOnlyLooksLikeATagIsNotCounted() throws {
        let many = (0..<300).map { "a\($0)" }.joined(separator: " ")
        let page = """
            <html><head><style>p < b \(many) {}</style><script>if (x <y \(many)) {}</script></head><body>
            <!-- <p \(many)> --><!DOCTYPE x \(many)><p title="<q \(many)>">text</p></p \(many)>
            <SCRIPT type="x">a <b \(many)</SCRIPT><p>after</p>
            </body></html>
            """
        for chunkSize in [7, 64, 65536] {
            var texts: [String] = []
            let report = try HTMLStreamParser(chunkSize: chunkSize).parse(bytes: Array(page.utf8)) { event in
                if case .text(let text) = event { texts.append(text) }
            }
            #expect(report.stoppedEarly == nil, "chunks of \(chunkSize)")
            #expect(texts.joined().contains("after"), "chunks of \(chunkSize)")
        }
    }

    /// Where a tag over the limit starts does not depend on how the page is cut into chunks: the
    /// line counts `\n`s, the column Unicode scalars (here after accented text, a quoted value holding
    /// a `<` and a `>`, and an end tag), however the bytes before the tag are fed.
    @Test func theTagOverTheLimitIsPlacedTheSameForEveryChunkSize() throws {
        let before = "<html><body><p title=\"a > b <c\">héllo wörld ✓</p>\n\n<div>ünïcode</div>  <b>x</b>"
        let attributes = (0...HTMLStreamParser.maximumAttributes).map { " a\($0)=\"\($0)\"" }.joined()
        let page = Array((before + "<span" + attributes + ">text</span></body></html>").utf8)
        let lastLine = try #require(before.split(separator: "\n", omittingEmptySubsequences: false).last)
        let expected = (line: 3, column: lastLine.unicodeScalars.count + 1)
        for chunkSize in [1, 2, 3, 5, 7, 16, 64, 4096] {
            var stopped: HTMLDiagnostic?
            let report = try HTMLStreamParser(chunkSize: chunkSize).parse(bytes: page) { event in
                if case .stopped(let diagnostic) = event { stopped = diagnostic }
            }
            #expect(report.stoppedEarly?.line == expected.line, "chunks of \(chunkSize)")
            #expect(report.stoppedEarly?.column == expected.column, "chunks of \(chunkSize)")
            #expect(stopped == report.stoppedEarly, "chunks of \(chunkSize)")
        }
        // In one chunk, the page is read up to the tag.
        let whole = try HTMLStreamParser(chunkSize: page.count).parse(bytes: page) { _ in }
        #expect(whole.bytesRead == before.utf8.count)
    }

    /// The place of a tag over the limit counts every line break before it, however many, in chunks
    /// of every size: here after 3,000 lines of varied length (some blank, some accented), so that a
    /// chunk holds many more breaks than fit in one byte.
    @Test func theTagOverTheLimitIsPlacedAfterThousandsOfLines() throws {
        var before = "<html><body>\n"
        for number in 0..<3000 {
            before += "<p>" + String(repeating: "é", count: number % 37) + "line \(number)</p>" + (number % 5 == 0 ? "\n\n" : "\n")
        }
        before += "<div>ünïcode ✓</div> "
        let attributes = (0...HTMLStreamParser.maximumAttributes).map { " a\($0)=\"\($0)\"" }.joined()
        let page = Array((before + "<span" + attributes + ">text</span></body></html>").utf8)
        let lines = before.split(separator: "\n", omittingEmptySubsequences: false)
        let expected = (line: lines.count, column: try #require(lines.last).unicodeScalars.count + 1)
        for chunkSize in [9, 100, 4096, 65536] {
            let report = try HTMLStreamParser(chunkSize: chunkSize).parse(bytes: page) { _ in }
            #expect(report.stoppedEarly?.line == expected.line, "chunks of \(chunkSize)")
            #expect(report.stoppedEarly?.column == expected.column, "chunks of \(chunkSize)")
        }
    }

    /// In a run, the page is read up to the tag, and the rest of it is rejected with its bytes.
    @Test func aTagOverTheAttributeLimitRejectsTheRestOfThePage() throws {
        let scratch = try Scratch()
        let bytes = Self.attributePage(200_000)
        try scratch.write("inputs/general.html", Data(bytes))
        let report = try runPipeline(scratch, Self.pipeline)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        let limit = HTMLStreamParser.maximumAttributes
        let text = String(decoding: bytes, as: UTF8.self)
        let container = try #require(text.range(of: "<div class=\"message-container\""))
        let tagStart = try #require(text.range(of: "<span"))
        let before = text[..<tagStart.lowerBound]
        let tagLine = before.split(separator: "\n", omittingEmptySubsequences: false).count
        // The message the tag is in is rejected (its record is its markup, cut), and the rest of the
        // page from the tag on, with its bytes.
        let messageBytes = bytes.count - text[..<container.lowerBound].utf8.count
        #expect(rejects.map { $0["reason"] as? String } == [
            "reading stopped inside this message at line \(tagLine), column 29: a tag with more than \(limit) attributes: reading stopped here",
            "a tag with more than \(limit) attributes: reading stopped here",
        ])
        // Records: the message from its container on, the rest of the page from the tag on; both cut.
        #expect(rejects.map { $0["record_bytes"] as? Int } == [messageBytes, bytes.count - before.utf8.count])
        #expect(rejects.map { ($0["record"] as? String)?.utf8.count } == [Reject.maxRecordBytes, Reject.maxRecordBytes])
        #expect((rejects.last?["record"] as? String)?.hasPrefix("<span a0=\"0\" a1=\"1\"") == true)
        #expect(rejects.map { "\($0["line"] ?? ""):\($0["column"] ?? "")" } == ["4:1", "\(tagLine):29"])
        #expect(report.rejectedFileBytes == Int64(bytes.count - before.utf8.count))
        #expect((report.inputRows, report.outputRows, report.rejectedRows) == (1, 0, 1))
    }

    // MARK: Bytes that are not UTF-8

    /// One Windows-1252 byte in a UTF-8 page (a curly quote pasted in an editor) made libxml2 read
    /// the rest of the page as Latin-1: every later `é` became `Ã©` in the tables, with only a count
    /// of recovered markup errors. The page is now read up to that byte; the message it is in and
    /// the rest of the page are rejected at its line and column, and `validate` reports it there.
    @Test func aByteThatIsNotUTF8StopsThePageWhereItIs() throws {
        let scratch = try Scratch()
        let stray = Self.container("""
                    <div class="username">Bo</div>
                    <div class="time">2021-03-08 10:01:00</div>
                    <div class="msg"><p>a STRAYquote</p></div>
            """)
        let later = Self.container("""
                    <div class="username">José</div>
                    <div class="time">2021-03-08 10:02:00</div>
                    <div class="msg"><p>café</p></div>
            """)
        let text = Self.page([Self.readable, stray, later])
        let marker = try #require(text.range(of: "STRAY"))
        let before = Array(text[..<marker.lowerBound].utf8)
        let bytes = before + [0x93] + Array(text[marker.upperBound...].utf8)
        try scratch.write("inputs/general.html", Data(bytes))
        let report = try runPipeline(scratch, Self.pipeline)

        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(messages.map { $0["text"] as? String } == ["readable"])
        let lines = text[..<marker.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        let (line, column) = (lines.count, lines.last!.count + 1)
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        let reason = "not valid UTF-8: byte 0x93: reading stopped here (save the page as UTF-8, or declare its charset in a <meta> tag)"
        #expect(rejects.map { $0["reason"] as? String } == [
            "reading stopped inside this message at line \(line), column \(column): \(reason)", reason,
        ])
        let containerLine = text[..<text.range(of: stray)!.lowerBound].split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(rejects.map { "\($0["line"] ?? ""):\($0["column"] ?? "")" } == ["\(containerLine):1", "\(line):\(column)"])
        // The rest of the page is lost from the byte on, and is the record (the byte shown as U+FFFD).
        #expect(report.rejectedFileBytes == Int64(bytes.count - before.count))
        #expect((rejects.last?["record"] as? String)?.hasPrefix("\u{FFFD}quote</p>") == true)
        #expect((report.inputRows, report.outputRows, report.rejectedRows) == (2, 1, 1))

        let spec = try PipelineLoader(environment: [:]).load(path: scratch.path("pipeline.yaml"))
        let validated = try SeedValidator(pipeline: spec).validate(paths: ["inputs"], in: scratch.root)
        #expect(validated.diagnostics.filter { $0.severity == .error }.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0)" }
            == ["\(containerLine):1", "\(line):\(column)"])
    }

    /// A page that declares its charset is read in it: no error, nothing stopped.
    @Test func aPageThatDeclaresWindows1252IsReadInIt() throws {
        let scratch = try Scratch()
        let text = Self.page([Self.container("""
                    <div class="username">José</div>
                    <div class="time">2021-03-08 10:02:00</div>
                    <div class="msg"><p>“café”</p></div>
            """)]).replacingOccurrences(of: "<head>", with: "<head><meta charset=\"windows-1252\">")
        try scratch.write("inputs/general.html", try #require(text.data(using: .windowsCP1252)))
        let report = try runPipeline(scratch, Self.pipeline)
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(messages.map { $0["text"] as? String } == ["“café”"])
        #expect(messages.map { $0["author"] as? String } == ["José"])
        #expect((report.inputRows, report.outputRows, report.rejectedRows) == (1, 1, 0))
    }

    /// In a page libxml2 reads from another charset, its offsets count the UTF-8 it made of the
    /// page, not the page's bytes: a rejected message after accented letters had for its record the
    /// bytes at that offset in the file, part of another message. It is rejected at its line without
    /// a record instead; in the same page saved as UTF-8, its record is its markup.
    @Test func aRejectedMessageInAWindows1252PageKeepsNoOtherMessagesMarkup() throws {
        let accents = Self.container("""
                    <div class="username">José</div>
                    <div class="time">2021-03-08 10:02:00</div>
                    <div class="msg"><p>\(String(repeating: "é", count: 500))</p></div>
            """)
        let text = Self.page([accents, Self.badTime, Self.readable])
        for (charset, encoding) in [("windows-1252", String.Encoding.windowsCP1252), ("UTF-8", .utf8)] {
            let scratch = try Scratch()
            let page = text.replacingOccurrences(of: "<head>", with: "<head><meta charset=\"\(charset)\">")
            try scratch.write("inputs/general.html", try #require(page.data(using: encoding)))
            let report = try runPipeline(scratch, Self.pipeline.replacingOccurrences(of: "max_message_bytes: 200", with: "max_message_bytes: 2000"))
            let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
            #expect(rejects.map { $0["reason"] as? String } == ["time 'yesterday at noon' in div.time is not 'YYYY-MM-DD HH:MM:SS'"], "\(charset)")
            #expect(rejects.map { $0["line"] as? Int } == [11], "\(charset)")
            #expect(rejects.map { $0["record"] as? String } == [charset == "UTF-8" ? Self.badTime : nil], "\(charset)")
            #expect((report.inputRows, report.outputRows, report.rejectedRows) == (3, 2, 1), "\(charset)")
        }
    }

    // MARK: Already handled: XXE, billion laughs

    /// An external entity, an external DTD and nested entity definitions: nothing is loaded, nothing
    /// expanded; the entity references stay literal text.
    @Test func entitiesAreNeitherLoadedNorExpanded() throws {
        let scratch = try Scratch()
        try scratch.write("secret.txt", "SECRET")
        let laughs = (1...9).map { level in
            "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">"
        }.joined(separator: "\n")
        let page = """
            <!DOCTYPE html [
            <!ENTITY lol0 "lol">
            \(laughs)
            <!ENTITY xxe SYSTEM "file://\(scratch.path("secret.txt"))">
            <!ENTITY % dtd SYSTEM "file://\(scratch.path("evil.dtd"))"> %dtd;
            ]>
            <html><head><title>Slack Export - #general</title></head><body>
            """ + Self.container("""
                    <div class="username">Mallory</div>
                    <div class="time">2021-03-08 10:00:00</div>
                    <div class="msg"><p>&lol9; &xxe;</p></div>
            """)
        try scratch.write("evil.dtd", "<!ENTITY evil SYSTEM \"file://\(scratch.path("secret.txt"))\">")
        try scratch.write("inputs/general.html", page)
        let report = try runPipeline(scratch, Self.pipeline)
        let messages = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(messages.map { $0["text"] as? String } == ["&lol9; &xxe;"])
        #expect(report.outputRows == 1)
    }
}
