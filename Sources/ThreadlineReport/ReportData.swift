/// Everything the run report shows, as plain values: what a run counted, already aggregated.
///
/// The producer (the pipeline's `report` load step) fills it from the run's tables and summary; the
/// renderer only lays it out. Names, file paths, reasons and emoji codes come from the inputs and are
/// treated as untrusted text. Lists of counts are shown largest first (ties by label), whatever their
/// order here; weeks and documents keep the order given.
public struct ReportData: Sendable, Equatable {
    /// The pipeline's `name`.
    public var pipelineName: String
    /// The run's id, as in `_manifest.json`.
    public var runID: String
    /// When the run started and ended, as the manifest writes them (ISO 8601, UTC).
    public var startedAt: String
    public var endedAt: String
    /// The run's status word (`ok`, `failed`, …).
    public var status: String

    /// Rows read, written and rejected.
    public var rows: RowCounts
    /// Rows per output table, in the order to show.
    public var tables: [Count]
    /// Rejected rows per reason and per input file: the rows each reject of records dropped.
    public var rejectsByReason: [Count]
    public var rejectsByFile: [Count]
    /// Files rejected whole, or the rest of one that could not be read (their rows uncounted),
    /// labelled with their path and rule: how many such rejects each.
    public var filesRejected: [Count]

    /// Questions (first messages of threads) and answers (replies) per ISO week of their time.
    /// Weeks missing between the first and the last are shown as empty weeks, when they span at most
    /// the renderer's `maximumFilledWeeks`; over that, only these weeks are drawn, and the page says so.
    public var weeks: [WeekActivity]
    /// Questions and answers that have no time (an archive without timestamps).
    public var undated: Activity
    /// Questions, answers and threads a host answered, per document.
    public var documents: [DocumentActivity]
    /// Threads in all, and how many of them a host answered.
    public var hostAnswered: Share

    /// Authors with their answers and questions; the report shows the most answering first.
    public var authors: [AuthorActivity]
    /// Emoji codes no table knew (`blob_wave`), with how often each occurred.
    public var unknownEmoji: [Count]
    /// Spellings of a name merged into another by a guess, for a person to confirm.
    public var guessedMerges: [AuthorMerge]

    public init(
        pipelineName: String, runID: String, startedAt: String, endedAt: String, status: String,
        rows: RowCounts, tables: [Count] = [], rejectsByReason: [Count] = [], rejectsByFile: [Count] = [], filesRejected: [Count] = [],
        weeks: [WeekActivity] = [], undated: Activity = Activity(), documents: [DocumentActivity] = [],
        hostAnswered: Share = Share(part: 0, whole: 0), authors: [AuthorActivity] = [],
        unknownEmoji: [Count] = [], guessedMerges: [AuthorMerge] = []
    ) {
        self.pipelineName = pipelineName
        self.runID = runID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.status = status
        self.rows = rows
        self.tables = tables
        self.rejectsByReason = rejectsByReason
        self.rejectsByFile = rejectsByFile
        self.filesRejected = filesRejected
        self.weeks = weeks
        self.undated = undated
        self.documents = documents
        self.hostAnswered = hostAnswered
        self.authors = authors
        self.unknownEmoji = unknownEmoji
        self.guessedMerges = guessedMerges
    }
}

/// A label and how many.
public struct Count: Sendable, Equatable {
    public var label: String
    public var count: Int

    public init(_ label: String, _ count: Int) {
        self.label = label
        self.count = count
    }
}

/// Rows a run read, wrote and rejected.
public struct RowCounts: Sendable, Equatable {
    public var input: Int
    public var output: Int
    public var rejected: Int
    /// Rows a run-wide transform (`dedupe`) merged into another source's copy of the same message.
    public var merged: Int

    public init(input: Int, output: Int, rejected: Int, merged: Int = 0) {
        self.input = input
        self.output = output
        self.rejected = rejected
        self.merged = merged
    }
}

/// Questions asked and answers given.
public struct Activity: Sendable, Equatable {
    public var questions: Int
    public var answers: Int

    public init(questions: Int = 0, answers: Int = 0) {
        self.questions = questions
        self.answers = answers
    }

    public var total: Int { questions + answers }
}

/// `part` of `whole`: threads a host answered of all threads.
public struct Share: Sendable, Equatable {
    public var part: Int
    public var whole: Int

    public init(part: Int, whole: Int) {
        self.part = part
        self.whole = whole
    }

    /// The share from 0 to 1; 0 when there is no whole.
    public var fraction: Double { whole > 0 ? Double(min(max(part, 0), whole)) / Double(whole) : 0 }
}

/// One ISO 8601 week's questions and answers.
public struct WeekActivity: Sendable, Equatable {
    public var week: ISOWeek
    public var activity: Activity

    public init(_ week: ISOWeek, questions: Int, answers: Int) {
        self.week = week
        self.activity = Activity(questions: questions, answers: answers)
    }
}

/// One document's (a book page, a Slack channel) questions, answers and threads a host answered.
public struct DocumentActivity: Sendable, Equatable {
    /// What to call it: its title, with its source where two documents share a title.
    public var label: String
    public var activity: Activity
    public var hostAnswered: Share

    public init(_ label: String, questions: Int, answers: Int, threadsHostAnswered: Int, threads: Int) {
        self.label = label
        self.activity = Activity(questions: questions, answers: answers)
        self.hostAnswered = Share(part: threadsHostAnswered, whole: threads)
    }
}

/// One author's answers and questions.
public struct AuthorActivity: Sendable, Equatable {
    public var name: String
    public var answers: Int
    public var questions: Int
    /// Whether the author hosted a document (its guest or moderator).
    public var isHost: Bool

    public init(_ name: String, answers: Int, questions: Int, isHost: Bool = false) {
        self.name = name
        self.answers = answers
        self.questions = questions
        self.isHost = isHost
    }
}

/// A spelling merged into a canonical name by a guess, and why.
public struct AuthorMerge: Sendable, Equatable {
    public var from: String
    public var to: String
    public var reason: String
    /// Messages written under the merged spelling.
    public var messages: Int

    public init(from: String, to: String, reason: String, messages: Int) {
        self.from = from
        self.to = to
        self.reason = reason
        self.messages = messages
    }
}
