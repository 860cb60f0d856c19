import ThreadlineReport

/// Report data the tests and the headless-browser check render.
enum SampleReports {
    /// What the default pipeline counts on `seeds/`: 300 messages in 93 threads of 3 documents by 24
    /// authors, no rejects, one unknown emoji. The book archive's messages have no times, the Slack
    /// ones all fall in 2021-W10. (Counted from a default run's tables; the run id and times are one
    /// such run's.)
    static let seeds = ReportData(
        pipelineName: "book-of-the-week", runID: "20261207061617-b0326592",
        startedAt: "2026-12-07T06:16:17.479860Z", endedAt: "2026-12-07T06:16:17.828231Z", status: "ok",
        rows: RowCounts(input: 300, output: 300, rejected: 0),
        tables: [Count("messages", 300), Count("threads", 93), Count("documents", 3), Count("authors", 24)],
        weeks: [WeekActivity(ISOWeek(year: 2021, week: 10), questions: 64, answers: 140)],
        undated: Activity(questions: 29, answers: 67),
        documents: [
            DocumentActivity("Designing Data-Intensive Applications (markdown)", questions: 29, answers: 67, threadsHostAnswered: 28, threads: 29),
            DocumentActivity("#book-of-the-week (slack_html)", questions: 32, answers: 70, threadsHostAnswered: 29, threads: 32),
            DocumentActivity("#book-of-the-week (slack_json)", questions: 32, answers: 70, threadsHostAnswered: 29, threads: 32),
        ],
        hostAnswered: Share(part: 86, whole: 93),
        authors: [
            AuthorActivity("Martin Kleppmann", answers: 170, questions: 0, isHost: true),
            AuthorActivity("pie_f11235", answers: 9, questions: 3),
            AuthorActivity("Slim", answers: 6, questions: 6),
            AuthorActivity("Rishabh Bhargava", answers: 6, questions: 0),
            AuthorActivity("Nikolay", answers: 3, questions: 18),
            AuthorActivity("Alexey Grigorev", answers: 3, questions: 9),
            AuthorActivity("Elias", answers: 3, questions: 3),
            AuthorActivity("RH", answers: 3, questions: 3),
            AuthorActivity("Dana Kowalska", answers: 2, questions: 2),
            AuthorActivity("Raj Iyer", answers: 2, questions: 2),
            AuthorActivity("A McCauley", answers: 0, questions: 6),
            AuthorActivity("Vladimir Finkelshtein", answers: 0, questions: 6),
            AuthorActivity("Alexey Shvets", answers: 0, questions: 3),
            AuthorActivity("Alisher", answers: 0, questions: 3),
            AuthorActivity("Amr Alaa", answers: 0, questions: 3),
            AuthorActivity("André Duarte", answers: 0, questions: 3),
            AuthorActivity("Jonathan Diaz", answers: 0, questions: 3),
            AuthorActivity("Manoj Agarwal", answers: 0, questions: 3),
            AuthorActivity("Martin Mihal", answers: 0, questions: 3),
            AuthorActivity("Pavel Bukhmatov", answers: 0, questions: 3),
            AuthorActivity("Sal DiStefano", answers: 0, questions: 3),
            AuthorActivity("Tino", answers: 0, questions: 3),
            AuthorActivity("Uriah Stephenson-Ward", answers: 0, questions: 3),
            AuthorActivity("bookbot", answers: 0, questions: 2),
        ],
        unknownEmoji: [Count("blob_wave", 2)])

    /// A name written to break a page: markup, quotes, an ampersand.
    static let hostileName = "<script>alert(\"x\")</script> O'Brien & \"Co\""

    /// A long-running community with everything the seeds lack: a year and a half of weeks across a
    /// 53-week year with quiet weeks, rejects of many reasons and files, hostile, long, right-to-left
    /// and wide names, emoji codes and guessed merges, a failed status and rows that do not add up.
    static let stress: ReportData = {
        var weeks: [WeekActivity] = []
        var week = ISOWeek(year: 2020, week: 45)
        for index in 0..<80 {
            // Quiet weeks (none given) every 9th week; otherwise counts that rise and fall.
            if index % 9 != 4 {
                let questions = 12 + (index * 37) % 23 + (index > 40 ? 18 : 0)
                weeks.append(WeekActivity(week, questions: questions, answers: questions * (2 + index % 3) + index % 7))
            }
            week = week.next
        }
        let documents = (1...9).map { index in
            DocumentActivity(
                index == 3 ? "A book whose title goes on and on: the complete and unabridged guide to everything, volume \(index)"
                    : "Book of the week #\(index)",
                questions: 30 + index * 11 % 40, answers: 70 + index * 29 % 90,
                threadsHostAnswered: 20 + index * 3 % 10, threads: 30 + index * 11 % 40)
        }
        var authors = [
            AuthorActivity("Martin Kleppmann", answers: 412, questions: 1, isHost: true),
            AuthorActivity(hostileName, answers: 97, questions: 12),
            AuthorActivity("Maximilian Alexander Wolfgang von Hohenzollern-Sigmaringen", answers: 64, questions: 3),
            AuthorActivity("محمد عبد الله", answers: 51, questions: 8),
            AuthorActivity("张伟", answers: 48, questions: 20),
            AuthorActivity("Zoë 🦊 Ångström", answers: 33, questions: 2, isHost: true),
        ]
        for index in 1...30 { authors.append(AuthorActivity("Member \(index)", answers: 31 - index, questions: index % 4)) }
        return ReportData(
            pipelineName: "community-archive <nightly> & \"friends\"", runID: "20270101020304-deadbeef",
            startedAt: "2027-01-01T02:03:04.000001Z", endedAt: "2027-01-01T02:09:58.981200Z", status: "failed",
            rows: RowCounts(input: 1_234_567, output: 1_198_000, rejected: 36_560),
            tables: [Count("messages", 1_198_000), Count("threads", 96_113), Count("documents", 412), Count("authors", 10_245)],
            rejectsByReason: [
                Count("reply without an author", 21_004),
                Count("duplicate ts 1615200000.000100 (first at 12:3)", 9_870),
                Count("front matter is not YAML: mapping values are not allowed here, at line 4 column 17 of the front matter", 4_102),
                Count(hostileName, 1_500),
                Count("empty text", 84),
            ],
            rejectsByFile: [
                Count("books/20210308-designing-data-intensive-applications.md", 20_000),
                Count("slack-export/book-of-the-week/2021-03-08.json", 9_870),
                Count("slack-html/channel/a-channel-name-that-is-far-too-long-for-any-phone-screen-at-all/index.html", 6_000),
                Count("books/<img src=x onerror=alert(1)>.md", 690),
            ],
            weeks: weeks,
            undated: Activity(questions: 1_020, answers: 3_377),
            documents: documents,
            hostAnswered: Share(part: 250, whole: 391),
            authors: authors,
            unknownEmoji: [
                Count("blob_wave", 210), Count("partyparrot", 97), Count("skin<em>tone</em>3", 5), Count("this-is-fine", 1),
            ],
            guessedMerges: [
                AuthorMerge(from: "Kleppmann, Martin", to: "Martin Kleppmann", reason: "reversed order", messages: 12),
                AuthorMerge(from: "Martin J. Kleppmann", to: "Martin Kleppmann", reason: "initials", messages: 3),
                AuthorMerge(from: "zoe angstrom", to: "Zoë 🦊 Ångström", reason: "same name up to accents, punctuation or a parenthetical", messages: 40),
                AuthorMerge(from: hostileName, to: "O'Brien", reason: "a trailing parenthetical", messages: 1),
            ])
    }()
}
