import ThreadlineReport

/// Writes one self-contained HTML page about the run, for the people who run the community: the
/// run's health (rows in, out and rejected; rejects by rule and by file), questions and answers
/// per week and per document, the share of threads a host answered, the authors who answer most,
/// unknown emoji and guessed author merges. Inline CSS and SVG charts, no script and nothing
/// loaded from the network: it reads offline and as a CI artifact.
///
/// It takes the rows of every table as the run writes them and keeps only counts; messages of bots
/// (`is_bot`) are left out of the questions, answers and authors.
///
/// ```yaml
/// - type: report
///   path: report.html
/// ```
package struct ReportLoad: LoadStep {
    static let path = OptionKey<String>.string("path", default: "report.html", "output path of the page, relative to output_root")
    static let topAuthors = OptionKey<Int>.integer("top_authors", default: 10, "how many of the most answering authors the page lists")

    package static let type = StepType.load(
        name: "report",
        summary: "one self-contained HTML page with the run's health and charts of its questions, answers, hosts and authors",
        options: [path.spec, topAuthors.spec],
        example: """
            - type: report
              path: report.html
            """,
        make: { options, _ in try ReportLoad(options: options) })

    let relativePath: String
    let topAuthors: Int

    init(options: StepOptions) throws {
        relativePath = try TableSelection.checkedPath(options[Self.path], at: options.location(of: Self.path), tables: [])
        topAuthors = options[Self.topAuthors]
        guard topAuthors >= 1 else {
            throw ThreadlineError(.usageError, "top_authors must be at least 1, not \(topAuthors)", at: options.location(of: Self.topAuthors))
        }
    }

    package var outputs: [LoadOutput] {
        [LoadOutput(relativePath: relativePath, tables: Table.allCases, format: "html")]
    }

    package func makeSink(for output: LoadOutput, staged: StagedOutput) throws -> any TableSink {
        try ReportSink(writer: BufferedFileWriter(staged), topAuthors: topAuthors)
    }
}

/// Counts what the page shows as the rows go by, and renders it when the run ends.
final class ReportSink: TableSink {
    private let writer: BufferedFileWriter
    private let topAuthors: Int
    private var counts = ReportCounts()

    init(writer: BufferedFileWriter, topAuthors: Int) {
        self.writer = writer
        self.topAuthors = topAuthors
    }

    func write(_ rows: [Row], of table: Table) throws {
        switch table {
        case .messages: for row in rows { counts.addMessage(row) }
        case .threads: for row in rows { counts.addThread(row) }
        case .documents: for row in rows { counts.addDocument(row) }
        case .authors: break
        }
    }

    func finish(_ run: RunSummary) throws {
        try writer.write(ReportRenderer(topAuthors: topAuthors).html(counts.data(run)))
        try writer.flush()
    }

    var digest: (bytes: Int64, sha256: String)? { writer.digest }
}

/// The report's numbers, counted row by row: per week, per document and per author.
struct ReportCounts {
    private static let messages = Columns(.messages)
    private static let threads = Columns(.threads)
    private static let documents = Columns(.documents)

    /// The positions of the columns read, found once by name.
    private struct Columns {
        let schema: TableSchema

        init(_ table: Table) { schema = table.schema }

        func callAsFunction(_ name: String) -> Int {
            guard let index = schema.index(of: name) else { preconditionFailure("\(schema.name) has no column '\(name)'") }
            return index
        }
    }

    private struct Author {
        var name: String
        var questions = 0
        var answers = 0
        var isHost = false
    }

    private struct DocumentCounts {
        var activity = Activity()
        var threads = 0
        var hostAnswered = 0
        var title: String?
        var source = ""
    }

    private var weeks: [ISOWeek: Activity] = [:]
    private var undated = Activity()
    private var documents: [String: DocumentCounts] = [:]
    /// Documents in the order their first row came, which is the tables' order.
    private var documentOrder: [String] = []
    private var authors: [String: Author] = [:]

    private let position = messages("position"), documentID = messages("document_id"), authorID = messages("author_id")
    private let author = messages("author"), isHost = messages("is_host"), sentAt = messages("sent_at"), isBot = messages("is_bot")
    private let threadDocument = threads("document_id"), hostReplied = threads("host_replied")
    private let documentKey = documents("document_id"), documentSource = documents("source"), documentTitle = documents("title")

    mutating func addMessage(_ row: Row) {
        guard row[isBot] != .bool(true) else { return }
        let isQuestion = row[position] == .int(0)
        func count(_ activity: inout Activity) {
            if isQuestion { activity.questions += 1 } else { activity.answers += 1 }
        }
        if case .timestamp(let time) = row[sentAt] {
            let (year, month, day) = time.civilDate
            count(&weeks[ISOWeek(year: year, month: month, day: day), default: Activity()])
        } else {
            count(&undated)
        }
        if case .string(let id) = row[documentID] { count(&self[document: id].activity) }
        guard case .string(let id) = row[authorID], case .string(let name) = row[author] else { return }
        var entry = authors[id] ?? Author(name: name)
        if isQuestion { entry.questions += 1 } else { entry.answers += 1 }
        if row[isHost] == .bool(true) { entry.isHost = true }
        authors[id] = entry
    }

    mutating func addThread(_ row: Row) {
        guard case .string(let id) = row[threadDocument] else { return }
        self[document: id].threads += 1
        if row[hostReplied] == .bool(true) { self[document: id].hostAnswered += 1 }
    }

    mutating func addDocument(_ row: Row) {
        guard case .string(let id) = row[documentKey] else { return }
        if case .string(let title) = row[documentTitle] { self[document: id].title = title }
        if case .string(let source) = row[documentSource] { self[document: id].source = source }
    }

    private subscript(document id: String) -> DocumentCounts {
        get { documents[id] ?? DocumentCounts() }
        set {
            if documents[id] == nil { documentOrder.append(id) }
            documents[id] = newValue
        }
    }

    /// The page's data: these counts and the run's summary.
    func data(_ run: RunSummary) -> ReportData {
        let report = run.report
        var titles: [String: Int] = [:]
        for id in documentOrder { titles[documents[id]?.title ?? id, default: 0] += 1 }
        let documentRows = documentOrder.map { id in
            let entry = documents[id] ?? DocumentCounts()
            let title = entry.title ?? id
            // Two documents of one title (a channel read from an export and from its HTML) are told
            // apart by their source.
            let label = titles[title, default: 0] > 1 ? "\(title) (\(entry.source))" : title
            return DocumentActivity(
                label, questions: entry.activity.questions, answers: entry.activity.answers,
                threadsHostAnswered: entry.hostAnswered, threads: entry.threads)
        }
        var rejectsByReason: [String: Int] = [:], rejectsByFile: [String: Int] = [:], filesRejected: [String: Int] = [:]
        for reject in run.rejects {
            switch reject.extent {
            case .records(let rows) where rows > 0:
                // By rule: a reason names its line and values, a rule is what went wrong.
                rejectsByReason["\(reject.rule.id): \(reject.rule.summary)", default: 0] += rows
                rejectsByFile[reject.file, default: 0] += rows
            case .records:
                break
            case .file:
                // Its rows are not counted, so it is not shown as rows.
                filesRejected["\(reject.file) (\(reject.rule.id))", default: 0] += 1
            }
        }
        let merges = (report.notes.counts[NormaliseAuthors.guessCategory] ?? [:]).compactMap { item, count -> AuthorMerge? in
            guard let guess = NormaliseAuthors.parseGuessNote(item) else { return nil }
            return AuthorMerge(from: guess.from, to: guess.to, reason: guess.reason, messages: count)
        }
        return ReportData(
            pipelineName: run.pipelineName, runID: report.runID, startedAt: report.startedAt.iso8601, endedAt: report.endedAt.iso8601,
            status: report.status == .success ? "ok" : "rejects over max_rejects",
            rows: RowCounts(input: report.inputRows, output: report.outputRows, rejected: report.rejectedRows, merged: report.mergedRows),
            tables: Table.allCases.map { Count($0.rawValue, report.rowsPerTable[$0] ?? 0) },
            rejectsByReason: rejectsByReason.map { Count($0.key, $0.value) }, rejectsByFile: rejectsByFile.map { Count($0.key, $0.value) },
            filesRejected: filesRejected.map { Count($0.key, $0.value) },
            weeks: weeks.sorted { $0.key < $1.key }.map { WeekActivity($0.key, questions: $0.value.questions, answers: $0.value.answers) },
            undated: undated, documents: documentRows,
            hostAnswered: Share(
                part: documents.values.reduce(0) { $0 + $1.hostAnswered }, whole: documents.values.reduce(0) { $0 + $1.threads }),
            authors: authors.values.map { AuthorActivity($0.name, answers: $0.answers, questions: $0.questions, isHost: $0.isHost) },
            unknownEmoji: (report.notes.counts[CleanEmoji.unknownCategory] ?? [:]).map { Count($0.key, $0.value) },
            guessedMerges: merges)
    }
}
