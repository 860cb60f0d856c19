/// One check threadline makes of inputs or pipeline files, declared once as data by what owns the data
/// it judges (a step type, the pipeline file, `validate` itself): a stable id that every finding of it
/// carries in every format, how `validate` and `check` weigh it, and what a run does with it.
///
/// `RuleBook` lists every rule for `threadline rules`, the docs and `--ignore`.
package struct Rule: Sendable, Hashable, CustomStringConvertible {
    /// What a run does with what the rule finds.
    package enum RunAction: String, Sendable, CaseIterable {
        /// The record or file is rejected: a line of `_rejects.jsonl`, and under `on_error: fail` the
        /// end of the run.
        case reject
        /// Kept, and counted in the run's summary and manifest notes.
        case count = "counted"
        /// Nothing: only `validate` checks it.
        case nothing
        /// The pipeline file is refused before any input is read (exit 2).
        case refuse = "refused"
    }

    /// Lowercase words joined by `-`: `unknown-emoji`.
    package let id: String
    /// How `validate` (or `check`) reports it: an error fails it, a warning fails `--strict`, a note
    /// never fails.
    package let severity: Diagnostic.Severity
    package let run: RunAction
    /// What it checks, in a sentence.
    package let summary: String

    package init(_ id: String, _ severity: Diagnostic.Severity, run: RunAction, _ summary: String) {
        self.id = id
        self.severity = severity
        self.run = run
        self.summary = summary
    }

    /// Whether `--ignore` and `validate.ignore` may silence it: a rule whose findings a run rejects or
    /// refuses cannot be, or `validate` would pass a file the run does not.
    package var canBeIgnored: Bool { run == .count || run == .nothing }

    package var description: String { id }

    package static func == (lhs: Rule, rhs: Rule) -> Bool { lhs.id == rhs.id }

    package func hash(into hasher: inout Hasher) { hasher.combine(id) }
}

extension Diagnostic {
    /// A finding of `rule`, at its severity.
    package init(_ rule: Rule, _ message: String, at location: SourceLocation? = nil, notes: [String] = []) {
        self.init(rule.severity, message, at: location, notes: notes, rule: rule.id)
    }
}

/// The rules every source applies to the inputs it is given, and the run's own.
package enum InputRules {
    package static let unreadable = Rule(
        "unreadable-input", .error, run: .reject,
        "a FIFO, a device, a socket, a link to nothing, or a file that cannot be opened or read: not read")
    package static let tooLarge = Rule(
        "file-too-large", .error, run: .reject, "a file over its step's `max_file_bytes`: rejected whole before it is read")
    package static let repeatedDocument = Rule(
        "repeated-document-id", .error, run: .reject,
        "a document whose `document_id` an earlier input already gave (two files of one name, one channel in two exports): its messages are rejected")

    /// The rules of every source; `file-too-large` is listed by the steps that have `max_file_bytes`.
    package static let all = [unreadable, repeatedDocument]
}
