/// A place in an input: a file and, where known, a 1-based line and column.
package struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    package var file: String
    package var line: Int?
    package var column: Int?

    package init(file: String, line: Int? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, leaving out what is unknown.
    package var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        return text
    }
}

/// A finding about an input or a pipeline file: what is wrong, where, and what to do.
package struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    package enum Severity: String, Sendable, Hashable {
        case error, warning, note
    }

    package var severity: Severity
    package var message: String
    package var location: SourceLocation?
    /// Follow-up lines: suggestions (`did you mean 'markdown'?`) and hints.
    package var notes: [String]
    /// The id of the rule that found it (see `Rule`); nil for what no rule checks (a runtime failure).
    package var rule: String?

    package init(
        _ severity: Severity = .error, _ message: String, at location: SourceLocation? = nil, notes: [String] = [], rule: String? = nil
    ) {
        self.severity = severity
        self.message = message
        self.location = location
        self.notes = notes
        self.rule = rule
    }

    /// The message, then the rule's id in brackets when there is one: `unknown emoji code ':x:' [unknown-emoji]`.
    package var messageWithRule: String {
        rule.map { "\(message) [\($0)]" } ?? message
    }

    /// `file:line:col: `, or nothing without a location; control characters written as `\u{0A}`.
    var printedPlace: String {
        location.map { "\(DiagnosticFormat.printable($0.description)): " } ?? ""
    }

    /// `file:line:col: error: message [rule]`, the first line of every text form of the diagnostic.
    /// Control characters quoted from a file or its name are written as `\u{0A}`: each line is one
    /// the diagnostic printed, and a terminal or a CI log does not act on what an input holds.
    var headline: String {
        printedPlace + "\(severity.rawValue): \(DiagnosticFormat.printable(messageWithRule))"
    }

    /// ``headline``, then one `note:` line per note, as compilers print them.
    package var description: String {
        let place = printedPlace
        var text = headline
        for note in notes { text += "\n" + place + "note: \(DiagnosticFormat.printable(note))" }
        return text
    }
}

/// How a command ends: the exit statuses of docs/operations.md.
public enum ExitStatus: Int32, Sendable {
    case success = 0
    /// Invalid input files, a rejected record under `on_error: fail`, rejects over `max_rejects`.
    case dataError = 1
    /// Usage or pipeline-file errors.
    case usageError = 2
    /// I/O failures, a held lock.
    case runtimeFailure = 3
}

/// An error that ends a command, carrying the diagnostics to print and the exit status.
public struct ThreadlineError: Error, Sendable, CustomStringConvertible {
    public package(set) var status: ExitStatus
    package var diagnostics: [Diagnostic]

    package init(_ status: ExitStatus, _ diagnostics: [Diagnostic]) {
        self.status = status
        self.diagnostics = diagnostics
    }

    package init(_ status: ExitStatus, _ message: String, at location: SourceLocation? = nil, notes: [String] = [], rule: Rule? = nil) {
        self.init(status, [Diagnostic(.error, message, at: location, notes: notes, rule: rule?.id)])
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }

    /// The error with `note` added to its first diagnostic.
    package func adding(note: String) -> ThreadlineError {
        var error = self
        if error.diagnostics.isEmpty { return error }
        error.diagnostics[0].notes.append(note)
        return error
    }
}
