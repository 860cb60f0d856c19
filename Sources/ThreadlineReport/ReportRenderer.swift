/// Renders a `ReportData` as one self-contained HTML page: inline CSS, inline SVG charts, no script and
/// nothing loaded from anywhere (its Content-Security-Policy forbids both), readable offline and as a
/// CI artifact. Every chart has a title, a description and its numbers as a table. The same data
/// gives the same bytes.
public struct ReportRenderer: Sendable {
    /// How many authors the authors chart shows.
    public var topAuthors: Int
    /// Weeks missing between the first and the last are filled in as empty weeks when the span is at
    /// most this many weeks; a longer span (a stray date years away) shows the given weeks only.
    public var maximumFilledWeeks: Int

    public init(topAuthors: Int = 10, maximumFilledWeeks: Int = 530) {
        self.topAuthors = topAuthors
        self.maximumFilledWeeks = maximumFilledWeeks
    }

    public func html(_ data: ReportData) -> String {
        var m = Markup()
        m.add(markup: "<!doctype html>\n")
        m.open("html", ["lang": "en"])
        m.newline()
        m.open("head")
        m.newline()
        m.void("meta", ["charset": "utf-8"], selfClosing: false)
        m.void("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"], selfClosing: false)
        m.void("meta", ["http-equiv": "Content-Security-Policy", "content": "default-src 'none'; style-src 'unsafe-inline'"], selfClosing: false)
        m.void("meta", ["name": "color-scheme", "content": "light dark"], selfClosing: false)
        m.void("meta", ["name": "generator", "content": "threadline"], selfClosing: false)
        m.newline()
        m.element("title", text: "\(data.pipelineName) · run \(data.runID) · threadline report")
        m.newline()
        m.add(markup: "<style>\n" + Stylesheet.css + "\n</style>\n")
        m.close("head")
        m.newline()
        m.open("body")
        m.newline()
        header(data, &m)
        m.open("main")
        m.newline()
        health(data, &m)
        activity(data, &m)
        hosts(data, &m)
        authors(data, &m)
        quality(data, &m)
        m.close("main")
        m.newline()
        m.open("footer")
        m.open("p")
        m.add(text: "Written by threadline for run \(data.runID) of \(data.pipelineName). ")
        m.add(text: "This page is self-contained: it runs no scripts and loads nothing from the network.")
        m.close("p")
        m.close("footer")
        m.newline()
        m.close("body")
        m.newline()
        m.close("html")
        m.newline()
        return m.text
    }

    // MARK: - Sections

    func header(_ data: ReportData, _ m: inout Markup) {
        m.open("header")
        m.newline()
        m.element("p", ["class": "eyebrow"], text: "threadline run report")
        m.element("h1", text: data.pipelineName)
        m.newline()
        m.open("dl", ["class": "meta"])
        let status = data.status.isEmpty ? "unknown" : data.status
        let start = RunTime(data.startedAt)
        let end = RunTime(data.endedAt)
        var meta = [("Run", data.runID), ("Started", start?.shown ?? data.startedAt), ("Ended", end?.shown ?? data.endedAt)]
        if let start, let end { meta.append(("Took", RunTime.duration(end.seconds - start.seconds))) }
        for (term, value) in meta {
            m.open("div")
            m.element("dt", text: term)
            m.element("dd", text: value)
            m.close("div")
        }
        m.open("div")
        m.element("dt", text: "Status")
        m.open("dd")
        m.element("span", ["class": status == "ok" ? "badge ok" : "badge bad"], text: status)
        m.close("dd")
        m.close("div")
        m.close("dl")
        m.newline()
        m.close("header")
        m.newline()
    }

    func health(_ data: ReportData, _ m: inout Markup) {
        m.open("section", ["id": "health", "aria-labelledby": "health-heading"])
        m.newline()
        m.element("h2", ["id": "health-heading"], text: "Run health")
        let rows = data.rows
        m.open("ul", ["class": "stats"])
        stat("Rows read", NumberFormat.grouped(rows.input), &m)
        stat("Rows written", NumberFormat.grouped(rows.output), &m)
        stat(
            rows.rejected > 0 ? "Rows rejected, \(NumberFormat.percent(Share(part: rows.rejected, whole: rows.input))) of read" : "Rows rejected",
            NumberFormat.grouped(rows.rejected), bad: rows.rejected > 0, &m)
        if rows.merged > 0 { stat("Rows merged as copies", NumberFormat.grouped(rows.merged), &m) }
        stat("Threads a host answered", NumberFormat.percent(data.hostAnswered), &m)
        m.close("ul")
        m.newline()
        if !data.tables.isEmpty {
            m.open("p", ["class": "muted"])
            m.add(text: "Tables: ")
            m.add(text: data.tables.map { "\($0.label) \(NumberFormat.grouped($0.count))" }.joined(separator: " · "))
            m.close("p")
            m.newline()
        }
        if rows.merged > 0 {
            m.element(
                "p", ["class": "muted"],
                text: "\(NumberFormat.grouped(rows.merged)) \(rows.merged == 1 ? "row was a copy" : "rows were copies") of a message another "
                    + "source also holds, merged into it: each message is written once.")
        }
        if rows.input != rows.output + rows.rejected + rows.merged {
            m.element(
                "p", ["class": "note warn"],
                text: "Rows do not add up: \(NumberFormat.grouped(rows.input)) read, but \(NumberFormat.grouped(rows.output)) "
                    + "written, \(NumberFormat.grouped(rows.rejected)) rejected and \(NumberFormat.grouped(rows.merged)) merged.")
        }
        if data.rejectsByReason.isEmpty, data.rejectsByFile.isEmpty {
            if rows.rejected > 0 {
                m.element("p", ["class": "note ok"], text: "No reasons or files were recorded for the rejected rows.")
            } else if data.filesRejected.isEmpty {
                m.element("p", ["class": "note ok"], text: "No rows were rejected.")
            }
        } else {
            countChart(
                id: "rejects-reason", heading: "Rejected rows by reason", what: "reason", counts: data.rejectsByReason,
                series: "bad", unit: ("rejected row", "rejected rows"), cut: .end, &m)
            countChart(
                id: "rejects-file", heading: "Rejected rows by file", what: "file", counts: data.rejectsByFile,
                series: "bad", unit: ("rejected row", "rejected rows"), cut: .start, &m)
        }
        if !data.filesRejected.isEmpty {
            countChart(
                id: "rejects-whole-file", heading: "Files rejected whole or in part (rows uncounted)", what: "file",
                counts: data.filesRejected, series: "bad", unit: ("reject", "rejects"), column: "Rejects", cut: .start, &m)
        }
        m.close("section")
        m.newline()
    }

    func stat(_ what: String, _ number: String, bad: Bool = false, _ m: inout Markup) {
        m.open("li", ["class": bad ? "bad" : nil])
        // A long number may break only after a thousands separator.
        m.open("span", ["class": "number"])
        m.add(markup: number.split(separator: ",", omittingEmptySubsequences: false).map { HTMLText.escape(String($0)) }
            .joined(separator: ",<wbr>"))
        m.close("span")
        m.element("span", ["class": "what"], text: what)
        m.close("li")
    }

    func activity(_ data: ReportData, _ m: inout Markup) {
        m.open("section", ["id": "activity", "aria-labelledby": "activity-heading"])
        m.newline()
        m.element("h2", ["id": "activity-heading"], text: "Questions and answers")
        m.add(markup: "<ul class=\"legend\" aria-hidden=\"true\"><li><span class=\"swatch q\"></span>Questions</li>"
              + "<li><span class=\"swatch a\"></span>Answers</li></ul>\n")

        m.element("h3", text: "Per week")
        let (weeks, leftOut) = filledWeeks(data.weeks)
        if weeks.isEmpty {
            m.element("p", ["class": "muted"], text: "No question or answer has a time.")
        } else {
            let total = weeks.reduce(0) { $0 + $1.activity.total }
            let busiest = weeks.max { $0.activity.total < $1.activity.total || ($0.activity.total == $1.activity.total && $0.week > $1.week) }!
            let span = weeks.count == 1 ? "in \(weeks[0].week)" : "from \(weeks.first!.week) to \(weeks.last!.week)"
            // Weeks not filled in are drawn side by side: the text must not call them the whole span.
            let counted = leftOut > 0
                ? "in the \(plural(weeks.count, "week", "weeks")) that have any (the \(plural(leftOut, "empty week", "empty weeks")) "
                    + "between them \(leftOut == 1 ? "is" : "are") left out)"
                : plural(weeks.count, "week", "weeks")
            let chart = ColumnChart(
                id: "weekly", title: "Questions and answers per week",
                summary: "Questions and answers per ISO week \(span), \(counted): "
                    + "\(NumberFormat.grouped(total)) in all, the most in \(busiest.week) "
                    + "(\(plural(busiest.activity.questions, "question", "questions")), \(plural(busiest.activity.answers, "answer", "answers"))).",
                series: ["q", "a"],
                columns: weeks.map { week in
                    ColumnChart.Column(
                        label: "W\(week.week.week < 10 ? "0" : "")\(week.week.week)", group: String(week.week.year),
                        values: [week.activity.questions, week.activity.answers],
                        title: "\(week.week): \(plural(week.activity.questions, "question", "questions")), "
                            + "\(plural(week.activity.answers, "answer", "answers"))")
                })
            figure(chart.svg(), &m)
            if leftOut > 0 {
                m.element(
                    "p", ["class": "muted"],
                    text: "Only the \(plural(weeks.count, "week", "weeks")) with questions or answers \(weeks.count == 1 ? "is" : "are") drawn, "
                        + "side by side: the \(plural(leftOut, "empty week", "empty weeks")) between them, over "
                        + "\(NumberFormat.grouped(maximumFilledWeeks)), \(leftOut == 1 ? "is" : "are") left out.")
            }
            table(
                caption: "Questions and answers per ISO week", headers: ["Week", "Questions", "Answers"],
                rows: weeks.map { [$0.week.description, NumberFormat.grouped($0.activity.questions), NumberFormat.grouped($0.activity.answers)] },
                &m)
        }
        if data.undated.total > 0 {
            m.element(
                "p", ["class": "muted"],
                text: "Without a time, so in no week: \(plural(data.undated.questions, "question", "questions")) and "
                    + "\(plural(data.undated.answers, "answer", "answers")).")
        }

        m.element("h3", text: "Per document")
        if data.documents.isEmpty {
            m.element("p", ["class": "muted"], text: "No documents.")
        } else {
            let chart = BarChart(
                id: "documents", title: "Questions and answers per document",
                summary: "Questions and answers in \(plural(data.documents.count, "document", "documents")): "
                    + data.documents.map { "\($0.label), \(plural($0.activity.questions, "question", "questions")) and \(plural($0.activity.answers, "answer", "answers"))" }.joined(separator: "; ")
                    + ".",
                series: ["q", "a"],
                rows: data.documents.map { document in
                    BarChart.Row(
                        label: document.label, segments: [document.activity.questions, document.activity.answers], whole: nil,
                        value: "\(NumberFormat.grouped(document.activity.questions)) + \(NumberFormat.grouped(document.activity.answers))",
                        title: "\(document.label): \(plural(document.activity.questions, "question", "questions")), "
                            + "\(plural(document.activity.answers, "answer", "answers"))")
                },
                cut: .middle)
            figure(chart.svg(), &m)
            table(
                caption: "Questions and answers per document", headers: ["Document", "Questions", "Answers"],
                rows: data.documents.map {
                    [$0.label, NumberFormat.grouped($0.activity.questions), NumberFormat.grouped($0.activity.answers)]
                }, &m)
        }
        m.close("section")
        m.newline()
    }

    func hosts(_ data: ReportData, _ m: inout Markup) {
        m.open("section", ["id": "hosts", "aria-labelledby": "hosts-heading"])
        m.newline()
        m.element("h2", ["id": "hosts-heading"], text: "Threads a host answered")
        let share = data.hostAnswered
        if share.whole == 0 {
            m.element("p", ["class": "muted"], text: "No threads.")
            m.close("section")
            m.newline()
            return
        }
        m.open("div", ["class": "split"])
        m.newline()
        let donut = DonutChart(
            id: "host-share", title: "Share of threads a host answered",
            summary: "A host answered \(NumberFormat.grouped(share.part)) of \(plural(share.whole, "thread", "threads")) "
                + "(\(NumberFormat.percent(share))).",
            share: share, caption: "of \(plural(share.whole, "thread", "threads"))")
        figure(donut.svg(), &m)
        if !data.documents.isEmpty {
            let chart = BarChart(
                id: "host-documents", title: "Share of threads a host answered, per document",
                summary: data.documents.map {
                    "\($0.label): \(NumberFormat.grouped($0.hostAnswered.part)) of \($0.hostAnswered.whole) (\(NumberFormat.percent($0.hostAnswered)))"
                }.joined(separator: "; ") + ".",
                series: ["ok"],
                rows: data.documents.map { document in
                    let share = document.hostAnswered
                    return BarChart.Row(
                        label: document.label, segments: [share.part], whole: share.whole,
                        value: "\(NumberFormat.grouped(share.part)) of \(NumberFormat.grouped(share.whole)) · \(NumberFormat.percent(share))",
                        title: "\(document.label): a host answered \(NumberFormat.grouped(share.part)) of "
                            + "\(plural(share.whole, "thread", "threads")) (\(NumberFormat.percent(share)))")
                },
                cut: .middle)
            m.open("div")
            m.element("h3", text: "Per document")
            figure(chart.svg(), &m)
            m.close("div")
        }
        m.close("div")
        m.newline()
        table(
            caption: "Threads a host answered", headers: ["Document", "Answered", "Threads", "Share"],
            rows: data.documents.map {
                [$0.label, NumberFormat.grouped($0.hostAnswered.part), NumberFormat.grouped($0.hostAnswered.whole), NumberFormat.percent($0.hostAnswered)]
            } + [["All documents", NumberFormat.grouped(share.part), NumberFormat.grouped(share.whole), NumberFormat.percent(share)]],
            &m)
        m.close("section")
        m.newline()
    }

    func authors(_ data: ReportData, _ m: inout Markup) {
        m.open("section", ["id": "authors", "aria-labelledby": "authors-heading"])
        m.newline()
        m.element("h2", ["id": "authors-heading"], text: "Top authors by answers")
        let ranked = data.authors.filter { $0.answers > 0 }.sorted {
            ($0.answers, $1.name) > ($1.answers, $0.name)
        }
        let top = Array(ranked.prefix(topAuthors))
        if top.isEmpty {
            m.element("p", ["class": "muted"], text: "No answers.")
        } else {
            let chart = BarChart(
                id: "authors-chart", title: "Top authors by answers",
                summary: "The \(plural(top.count, "author", "authors")) with the most answers: "
                    + top.map { "\($0.name)\($0.isHost ? " (host)" : ""), \($0.answers)" }.joined(separator: "; ") + ".",
                series: ["a"],
                rows: top.map { author in
                    BarChart.Row(
                        label: author.isHost ? "\(author.name) · host" : author.name, segments: [author.answers], whole: nil,
                        value: NumberFormat.grouped(author.answers),
                        title: "\(author.name)\(author.isHost ? " (host)" : ""): \(plural(author.answers, "answer", "answers")), "
                            + "\(plural(author.questions, "question", "questions"))",
                        highlighted: author.isHost)
                })
            figure(chart.svg(), &m)
            let rest = ranked.count - top.count
            if rest > 0 {
                m.element("p", ["class": "muted"], text: "And \(plural(rest, "more author", "more authors")) who answered.")
            }
            table(
                caption: "Top authors by answers", headers: ["Author", "Answers", "Questions"],
                rows: top.map { [$0.isHost ? "\($0.name) (host)" : $0.name, NumberFormat.grouped($0.answers), NumberFormat.grouped($0.questions)] },
                &m)
        }
        let asking = data.authors.filter { $0.answers == 0 && $0.questions > 0 }.count
        if asking > 0 {
            m.element("p", ["class": "muted"], text: "\(plural(asking, "author", "authors")) asked without answering.")
        }
        m.close("section")
        m.newline()
    }

    func quality(_ data: ReportData, _ m: inout Markup) {
        m.open("section", ["id": "quality", "aria-labelledby": "quality-heading"])
        m.newline()
        m.element("h2", ["id": "quality-heading"], text: "For a person to check")
        m.element("h3", text: "Unknown emoji")
        let emoji = Self.ranked(data.unknownEmoji)
        if emoji.isEmpty {
            m.element("p", ["class": "muted"], text: "Every emoji code was known.")
        } else {
            m.element(
                "p", text: "\(plural(emoji.count, "emoji code", "emoji codes")) no table knew, kept as written: "
                    + "custom emoji, or names to add to the aliases.")
            table(
                caption: "Unknown emoji codes", headers: ["Code", "Times"],
                rows: emoji.map { [":\($0.label):", NumberFormat.grouped($0.count)] }, code: true, open: true, &m)
        }
        m.element("h3", text: "Guessed author merges")
        let merges = data.guessedMerges.sorted {
            ($0.to, $0.from, $0.reason) < ($1.to, $1.from, $1.reason)
        }
        if merges.isEmpty {
            m.element("p", ["class": "muted"], text: "No spellings were merged by a guess.")
        } else {
            m.element(
                "p", text: "Spellings merged into another name by a guess. Where one is wrong, name the person in "
                    + "normalise_authors' aliases file.")
            table(
                caption: "Guessed author merges", headers: ["Spelling", "Merged into", "Why", "Messages"],
                rows: merges.map { [$0.from, $0.to, $0.reason, NumberFormat.grouped($0.messages)] }, textColumns: 3, open: true, &m)
        }
        m.close("section")
        m.newline()
    }

    // MARK: - Parts

    /// A chart of counts, largest first, with its table.
    func countChart(
        id: String, heading: String, what: String, counts: [Count], series: String, unit: (String, String),
        column: String = "Rows", cut: BarChart.Cut, _ m: inout Markup
    ) {
        m.element("h3", text: heading)
        let ranked = Self.ranked(counts)
        if ranked.isEmpty {
            m.element("p", ["class": "muted"], text: "None recorded.")
            return
        }
        let chart = BarChart(
            id: id, title: heading,
            summary: "\(heading), \(plural(ranked.count, what, what + "s")): "
                + ranked.map { "\($0.label), \(NumberFormat.grouped($0.count))" }.joined(separator: "; ") + ".",
            series: [series],
            rows: ranked.map { count in
                BarChart.Row(
                    label: count.label, segments: [count.count], whole: nil, value: NumberFormat.grouped(count.count),
                    title: "\(count.label): \(plural(count.count, unit.0, unit.1))")
            },
            cut: cut)
        figure(chart.svg(), &m)
        table(
            caption: heading, headers: [what.prefix(1).uppercased() + what.dropFirst(), column],
            rows: ranked.map { [$0.label, NumberFormat.grouped($0.count)] }, &m)
    }

    func figure(_ svg: String, _ m: inout Markup) {
        m.open("figure")
        m.add(markup: svg)
        m.close("figure")
        m.newline()
    }

    /// A table of the numbers behind a chart: folded away under a summary, or `open` when the
    /// table is the section's content. The first `textColumns` columns hold text, the others numbers.
    /// A table of more than one text column is `stacked` on narrow screens: a block per row, each
    /// cell after its column's name.
    func table(
        caption: String, headers: [String], rows: [[String]], textColumns: Int = 1, code: Bool = false, open: Bool = false,
        _ m: inout Markup
    ) {
        let stacked = textColumns > 1
        if !open {
            m.open("details")
            m.element("summary", text: "Show the numbers as a table")
        }
        m.open("table", ["class": stacked ? "stack" : nil])
        m.element("caption", text: caption)
        m.open("thead")
        m.open("tr")
        for (index, header) in headers.enumerated() {
            m.element("th", ["scope": "col", "class": index >= textColumns ? "num" : nil], text: header)
        }
        m.close("tr")
        m.close("thead")
        m.open("tbody")
        for row in rows {
            m.newline()
            m.open("tr")
            for (index, cell) in row.enumerated() {
                let numeric = index >= textColumns
                if index == 0 {
                    m.open("th", ["scope": "row"])
                    if code {
                        m.element("code", text: cell)
                    } else {
                        m.element("bdi", text: cell)
                    }
                    m.close("th")
                } else if numeric {
                    m.element("td", ["class": "num", "data-label": stacked ? headers[index] : nil], text: cell)
                } else {
                    m.open("td", ["data-label": stacked ? headers[index] : nil])
                    m.element("bdi", text: cell)
                    m.close("td")
                }
            }
            m.close("tr")
        }
        m.close("tbody")
        m.close("table")
        if !open { m.close("details") }
        m.newline()
    }

    /// Weeks in order, the same week's counts added up, and missing weeks between the first and the
    /// last filled in as empty when the span is at most `maximumFilledWeeks`; else the given weeks
    /// only, with how many empty weeks between them are `leftOut`.
    func filledWeeks(_ weeks: [WeekActivity]) -> (weeks: [WeekActivity], leftOut: Int) {
        var byWeek: [ISOWeek: Activity] = [:]
        for week in weeks {
            byWeek[week.week, default: Activity()].questions += week.activity.questions
            byWeek[week.week, default: Activity()].answers += week.activity.answers
        }
        let given = byWeek.keys.sorted()
        guard let first = given.first, let last = given.last else { return ([], 0) }
        var all: [ISOWeek] = []
        var week = first
        while week <= last, all.count <= maximumFilledWeeks {
            all.append(week)
            week = week.next
        }
        var leftOut = 0
        if all.count > maximumFilledWeeks {
            all = given
            let span = (first.year..<last.year).reduce(0) { $0 + ISOWeek.weeks(inYear: $1) } + last.week - first.week + 1
            leftOut = span - given.count
        }
        return (all.map { week in
            let activity = byWeek[week] ?? Activity()
            return WeekActivity(week, questions: activity.questions, answers: activity.answers)
        }, leftOut)
    }

    /// Counts largest first, then by label; the same label's counts added up.
    static func ranked(_ counts: [Count]) -> [Count] {
        var byLabel: [String: Int] = [:]
        for count in counts { byLabel[count.label, default: 0] += count.count }
        return byLabel.map { Count($0.key, $0.value) }.sorted { ($0.count, $1.label) > ($1.count, $0.label) }
    }

    func plural(_ count: Int, _ one: String, _ many: String) -> String {
        "\(NumberFormat.grouped(count)) \(count == 1 ? one : many)"
    }
}
