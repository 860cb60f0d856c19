import Foundation
import Testing
import ThreadlineSlack

@testable import ThreadlineCore

/// One text form (docs/tables.md, "The text form"): the sample export read from its JSON and from its
/// two slack-export-viewer renderings, cleaned as the default pipeline cleans, gives each message the
/// same `text`, except where the page no longer holds what was written.
@Suite struct TextFormTests {
    /// The messages whose page lost part of their text, by the line of the page where they start,
    /// with what the renderer did.
    static let multiPageLosses: [Int: SlackHTMLTextLoss] = [
        // `<https://…_ohr_…|Distributed Systems>`: the viewer's markdown turned `_ohr_` into
        // `<em>ohr</em>` inside the raw link, and libxml2 drops the `</em>`: one `_` is gone.
        1906: .rawLinkWithMarkup,
        // `SELECT * FROM` in a code block shows as `SELECT ** FROM`.
        2456: .doubledAsterisks,
    ]
    static let singleFileLosses: [Int: SlackHTMLTextLoss] = [2036: .rawLinkWithMarkup, 2542: .doubledAsterisks]

    /// The JSON export and one rendering, through clean_text and clean_emoji, into a scratch folder;
    /// the messages of each source by the second they were sent and their author.
    func read(rendering include: String) throws -> (json: [String: [String: Any]], html: [String: [String: Any]], report: RunReport) {
        let scratch = try Scratch()
        let report = try runPipeline(
            scratch,
            """
            version: 1
            name: text-form
            input_root: \(Samples.root.path)
            output_root: \(scratch.path("out"))
            extract:
              - type: slack_json
                include: ["slack-export"]
              - type: slack_html
                include: ["\(include)"]
            transform:
              - type: clean_text
              - type: clean_emoji
            load:
              - type: jsonl
                tables: [messages]
                path: "{table}.jsonl"
            """)
        var bySource: [String: [String: [String: Any]]] = [:]
        for row in try readJSONLines(scratch.path("out/messages.jsonl")) {
            let second = String((row["sent_at"] as? String ?? "").prefix(19))
            let key = second + " " + (row["author"] as? String ?? "")
            #expect(bySource[row["source"] as? String ?? "", default: [:]].updateValue(row, forKey: key) == nil, "two messages at \(key)")
        }
        return (bySource["slack_json"] ?? [:], bySource["slack_html"] ?? [:], report)
    }

    @Test(arguments: [
        ("slack-html/channel/book-of-the-week/index.html", multiPageLosses),
        ("slack-html-single/slack-export.html", singleFileLosses),
    ])
    func everyRenderingGivesTheJSONExportsText(rendering: String, losses: [Int: SlackHTMLTextLoss]) throws {
        let (json, html, report) = try read(rendering: rendering)
        #expect(json.count == 102)
        #expect(Set(html.keys) == Set(json.keys))
        var differing: [Int] = []
        for (key, page) in html {
            guard let export = json[key], export["text"] as? String != page["text"] as? String else { continue }
            differing.append(page["source_line"] as? Int ?? 0)
        }
        #expect(differing.sorted() == losses.keys.sorted())
        // The run summary counts the same messages, by what the renderer did.
        var byLoss: [String: Int] = [:]
        for loss in losses.values { byLoss[loss.rawValue, default: 0] += 1 }
        #expect(report.notes.counts[SlackHTMLSource.textLossCategory] == byLoss)
    }

    /// What the text form looks like on the sample, the same from both sources.
    @Test func theFormOnTheSample() throws {
        let (json, html, _) = try read(rendering: "slack-html/channel/book-of-the-week/index.html")
        func text(_ key: String) -> [String?] { [json[key]?["text"] as? String, html[key]?["text"] as? String] }
        let bold = text("2021-03-08T10:41:12 Martin Kleppmann")
        #expect(bold.allSatisfy { $0?.contains("I would specifically advise **against** investing") == true })
        let italicAndLink = text("2021-03-09T09:10:30 Jonathan Diaz")
        #expect(
            italicAndLink.allSatisfy {
                $0?.contains("\"_Machine learning is like money laundering for bias_\"") == true
                    && $0?.contains("[here](https://idlewords.com/talks/sase_panel.htm)") == true
            })
        let mentionsAndEmoji = text("2021-03-14T15:00:00 Dana Kowalska")
        #expect(mentionsAndEmoji == ["Thanks @raj & @Martin Kleppmann! <3", "Thanks @raj & @Martin Kleppmann! <3"])
        let toneAndCode = text("2021-03-12T15:10:00 Martin Kleppmann")
        #expect(
            toneAndCode.allSatisfy {
                $0 == "Yes ✅ - `FOR UPDATE` takes a lock; under SSI you would not need it. Meeting at 10:30:00 UTC? 👋🏼"
            })
    }
}
