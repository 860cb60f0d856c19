import Foundation
import Testing

@testable import ThreadlineReport

@Suite struct ReportRendererTests {
    static let renderer = ReportRenderer()
    static let elements: Set<String> = [
        "!doctype", "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section", "h1", "h2",
        "h3", "p", "dl", "dt", "dd", "div", "span", "ul", "li", "figure", "details", "summary", "table", "caption",
        "thead", "tbody", "tr", "th", "td", "bdi", "code", "wbr", "svg", "desc", "g", "text", "rect", "line", "circle",
    ]

    @Test(arguments: ["seeds", "stress"])
    func onlyTheRenderersOwnElementsAndNoWayOut(sample: String) {
        let page = Self.renderer.html(sample == "seeds" ? SampleReports.seeds : SampleReports.stress)
        let tags = Scan.tags(page)
        let names = Set(tags.map(\.name))
        #expect(names.isSubset(of: Self.elements), "unexpected: \(names.subtracting(Self.elements))")
        let attributes = Set(tags.flatMap(\.attributes.keys))
        #expect(!attributes.contains { $0.hasPrefix("on") || $0 == "src" || $0 == "href" || $0 == "style" || $0.contains("href") })
        let lowered = page.lowercased()
        for forbidden in ["<script", "<img", "<link", "<iframe", "<object", "http:", "https:", "url(", "@import"] {
            #expect(!lowered.contains(forbidden), "\(forbidden)")
        }
        #expect(page.contains("content=\"default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;\""))
    }

    /// The chart's text alternative counts one question and one answer in the singular.
    @Test func oneQuestionAndOneAnswerAreSingular() {
        let data = ReportData(
            pipelineName: "one", runID: "r", startedAt: "2021-01-01T00:00:00Z", endedAt: "2021-01-01T00:00:01Z", status: "ok",
            rows: RowCounts(input: 2, output: 2, rejected: 0),
            documents: [DocumentActivity("Solo", questions: 1, answers: 1, threadsHostAnswered: 0, threads: 1)])
        let page = Self.renderer.html(data)
        #expect(Scan.texts(of: "desc", in: page).contains("Questions and answers in 1 document: Solo, 1 question and 1 answer."), "\(Scan.texts(of: "desc", in: page))")
    }

    @Test func hostileNamesStayText() throws {
        let page = Self.renderer.html(SampleReports.stress)
        let escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; &quot;Co&quot;"
        #expect(page.contains(escaped))
        // The whole name in the chart row's title, cut in its label; as itself in the tables.
        let name = SampleReports.hostileName
        #expect(Scan.texts(of: "title", in: page).contains("\(name): 97 answers, 12 questions"))
        #expect(Scan.texts(of: "title", in: page).contains("\(name): 1,500 rejected rows"))
        #expect(Scan.texts(of: "bdi", in: page).filter { $0 == name }.count == 3)
        #expect(Scan.texts(of: "h1", in: page) == [SampleReports.stress.pipelineName])
        #expect(!page.contains("<img src"))
    }

    @Test(arguments: ["seeds", "stress"])
    func everyChartIsAnImageWithATitleAndADescription(sample: String) throws {
        let page = Self.renderer.html(sample == "seeds" ? SampleReports.seeds : SampleReports.stress)
        let tags = Scan.tags(page)
        let charts = tags.filter { $0.name == "svg" && !$0.closing }
        #expect(charts.count == (sample == "seeds" ? 5 : 7))
        let ids = tags.compactMap { $0.attributes["id"] }
        #expect(Set(ids).count == ids.count)
        for chart in charts {
            #expect(chart.attributes["role"] == "img")
            let labels = try #require(chart.attributes["aria-labelledby"]).split(separator: " ").map(String.init)
            #expect(labels.count == 2)
            let title = try #require(tags.firstIndex { $0.attributes["id"] == labels[0] })
            #expect(tags[title].name == "title")
            #expect(tags[try #require(tags.firstIndex { $0.attributes["id"] == labels[1] })].name == "desc")
        }
        #expect(Scan.texts(of: "desc", in: page).allSatisfy { $0.count > 20 })
        // Each chart's numbers are in a table too: one per chart but the donut, which shares its
        // section's table with the per-document shares.
        #expect(Scan.texts(of: "caption", in: page).count == charts.count - 1 + (sample == "seeds" ? 1 : 2))
    }

    @Test func theNumbersOfTheSeedsAreOnThePage() throws {
        let data = SampleReports.seeds
        let page = Self.renderer.html(data)
        let cells = Self.tableRows(page)
        for week in data.weeks {
            #expect(cells.contains([week.week.description, "\(week.activity.questions)", "\(week.activity.answers)"]))
        }
        for document in data.documents {
            #expect(cells.contains([document.label, "\(document.activity.questions)", "\(document.activity.answers)"]))
            #expect(cells.contains([
                document.label, "\(document.hostAnswered.part)", "\(document.hostAnswered.whole)", NumberFormat.percent(document.hostAnswered),
            ]))
        }
        #expect(cells.contains(["All documents", "86", "93", "92%"]))
        let answering = data.authors.filter { $0.answers > 0 }
        #expect(answering.count == 10)
        for author in answering {
            #expect(cells.contains([author.isHost ? "\(author.name) (host)" : author.name, "\(author.answers)", "\(author.questions)"]))
        }
        #expect(cells.contains([":blob_wave:", "2"]))
        let paragraphs = Scan.texts(of: "p", in: page)
        #expect(paragraphs.contains("Without a time, so in no week: 29 questions and 67 answers."))
        #expect(paragraphs.contains("14 authors asked without answering."))
        #expect(paragraphs.contains("No rows were rejected."))
        #expect(paragraphs.contains("Tables: messages 300 · threads 93 · documents 3 · authors 24"))
        #expect(!paragraphs.contains { $0.hasPrefix("Rows do not add up") })
        let authorRows = Scan.tags(page).filter { $0.attributes["class"] == "row" || $0.attributes["class"] == "row highlighted" }
        #expect(authorRows.filter { $0.attributes["class"] == "row highlighted" }.count == 1)
    }

    @Test func theSameDataGivesTheSameBytesInAnyOrder() {
        var shuffled = SampleReports.stress
        shuffled.rejectsByReason.reverse()
        shuffled.rejectsByFile.reverse()
        shuffled.weeks.reverse()
        shuffled.authors.reverse()
        shuffled.unknownEmoji.reverse()
        shuffled.guessedMerges.reverse()
        let page = Self.renderer.html(SampleReports.stress)
        #expect(Self.renderer.html(shuffled) == page)
        #expect(Self.renderer.html(SampleReports.stress) == page)
        var changed = SampleReports.stress
        changed.documents.reverse()
        #expect(Self.renderer.html(changed) != page)
    }

    @Test func missingWeeksAreShownEmpty() {
        var data = Self.empty
        data.weeks = [
            WeekActivity(ISOWeek(year: 2021, week: 2), questions: 1, answers: 2),
            WeekActivity(ISOWeek(year: 2020, week: 52), questions: 3, answers: 4),
            WeekActivity(ISOWeek(year: 2021, week: 2), questions: 10, answers: 20),
        ]
        let rows = Self.tableRows(Self.renderer.html(data)).filter { $0.first?.contains("-W") == true }
        #expect(rows == [["2020-W52", "3", "4"], ["2020-W53", "0", "0"], ["2021-W01", "0", "0"], ["2021-W02", "11", "22"]])
    }

    @Test func aStrayWeekYearsAwayIsNotFilledIn() {
        var data = Self.empty
        data.weeks = [
            WeekActivity(ISOWeek(year: 2021, week: 10), questions: 1, answers: 0),
            WeekActivity(ISOWeek(year: 2041, week: 10), questions: 1, answers: 0),
        ]
        let page = Self.renderer.html(data)
        let rows = Self.tableRows(page).filter { $0.first?.contains("-W") == true }
        #expect(rows.map(\.first) == ["2021-W10", "2041-W10"])
        // Drawn side by side, the two weeks are not said to be the whole span: the description and a
        // note under the chart say that the empty weeks between them are left out.
        let summary = "Questions and answers per ISO week from 2021-W10 to 2041-W10, in the 2 weeks that have any "
            + "(the 1,042 empty weeks between them are left out): 2 in all, the most in 2021-W10 (1 question, 0 answers)."
        #expect(Scan.texts(of: "desc", in: page).contains(summary), "\(Scan.texts(of: "desc", in: page))")
        #expect(Scan.texts(of: "p", in: page).contains(
            "Only the 2 weeks with questions or answers are drawn, side by side: the 1,042 empty weeks between them, "
                + "over 530, are left out."))
    }

    @Test func rowsThatDoNotAddUpAreFlagged() {
        let page = Self.renderer.html(SampleReports.stress)
        #expect(Scan.texts(of: "p", in: page).contains("Rows do not add up: 1,234,567 read, but 1,198,000 written, 36,560 rejected and 0 merged."))
        #expect(page.contains("<span class=\"badge bad\">failed</span>"))
    }

    /// The default run dedupes: rows merged into another source's copy of a message are counted
    /// as such, and the rows add up.
    @Test func rowsMergedAsCopiesAreCountedAndAddUp() {
        var data = SampleReports.seeds
        data.rows = RowCounts(input: 300, output: 102, rejected: 0, merged: 198)
        let page = Self.renderer.html(data)
        let paragraphs = Scan.texts(of: "p", in: page)
        #expect(paragraphs.contains("198 rows were copies of a message another source also holds, merged into it: each message is written once."))
        #expect(!paragraphs.contains { $0.hasPrefix("Rows do not add up") })
        #expect(page.contains(#"<span class="number">198</span><span class="what">Rows merged as copies</span>"#))
        // Without dedupe there is no such figure.
        #expect(!Self.renderer.html(SampleReports.seeds).contains("Rows merged"))
        data.rows.merged = 197
        #expect(Scan.texts(of: "p", in: Self.renderer.html(data)).contains("Rows do not add up: 300 read, but 102 written, 0 rejected and 197 merged."))
    }

    @Test func anEmptyRunSaysSoInsteadOfDrawing() {
        let page = Self.renderer.html(Self.empty)
        #expect(!page.contains("<svg"))
        let paragraphs = Scan.texts(of: "p", in: page)
        for message in ["No question or answer has a time.", "No documents.", "No threads.", "No answers.", "No rows were rejected.",
                        "Every emoji code was known.", "No spellings were merged by a guess."] {
            #expect(paragraphs.contains(message), "\(message)")
        }
    }

    @Test func authorsBeyondTheTopAreCounted() {
        let page = ReportRenderer(topAuthors: 5).html(SampleReports.seeds)
        #expect(Scan.texts(of: "p", in: page).contains("And 5 more authors who answered."))
        #expect(Scan.tags(page).filter { $0.name == "g" && $0.attributes["class"]?.hasPrefix("row") == true }.count == 3 + 3 + 5)
    }

    /// Writes the sample reports for the headless-browser check (Tests/interop/test_report_browser.py):
    /// to `$THREADLINE_REPORT_OUT` when set, else to `.build/report-sample` in the package.
    @Test func writeSampleReports() throws {
        let folder: URL
        if let path = ProcessInfo.processInfo.environment["THREADLINE_REPORT_OUT"] {
            folder = URL(fileURLWithPath: path)
        } else {
            folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent(".build/report-sample")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, data) in [("report.html", SampleReports.seeds), ("report-stress.html", SampleReports.stress)] {
            let page = Self.renderer.html(data)
            let file = folder.appendingPathComponent(name)
            try Data(page.utf8).write(to: file, options: .atomic)
            #expect(try String(contentsOf: file, encoding: .utf8) == page)
        }
    }

    static let empty = ReportData(
        pipelineName: "empty", runID: "r", startedAt: "s", endedAt: "e", status: "ok",
        rows: RowCounts(input: 0, output: 0, rejected: 0))

    /// The cells of every table row in the page, header cells included, as text.
    static func tableRows(_ page: String) -> [[String]] {
        Scan.texts(of: "tr", in: page, decoded: false).map { row in
            var cells: [String] = []
            var rest = Substring(row)
            while let start = rest.firstIndex(of: "<") {
                let name = rest[rest.index(after: start)...].prefix(2)
                guard name == "th" || name == "td" else {
                    rest = rest[rest.index(after: start)...]
                    continue
                }
                guard let open = rest[start...].firstIndex(of: ">"), let close = rest.range(of: "</\(name)>") else { break }
                var cell = String(rest[rest.index(after: open)..<close.lowerBound])
                for tag in ["<bdi>", "</bdi>", "<code>", "</code>"] { cell = cell.replacing(tag, with: "") }
                cells.append(Scan.decode(cell))
                rest = rest[close.upperBound...]
            }
            return cells
        }
    }
}
