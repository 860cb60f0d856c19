import ArgumentParser
import Foundation
import Logging
import ThreadlineCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the command line prints: results on stdout, diagnostics and progress on stderr.
enum Console {
    static func error(_ text: String) {
        writeToStderr(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Writes `text` to stderr whole. When the reader of a stderr pipe has gone (EPIPE), the run stops
    /// as SIGPIPE stops it, its outputs put back first, unless they are all in place already (see
    /// `StopSignals`); other failures (stderr closed), and an EPIPE too late to stop the run, lose the
    /// text, as there is nowhere else to say it.
    static func writeToStderr(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let count = write(STDERR_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if count > 0 {
                    offset += count
                } else if count < 0, errno == EINTR {
                    continue
                } else {
                    if count < 0, errno == EPIPE { StopSignals.stopUnlessCommitted(SIGPIPE) }
                    return
                }
            }
        }
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Prints a `ThreadlineError`'s diagnostics and exits with its status; rethrows anything else.
    /// With a `logger` (`run --log-format json`), each diagnostic, or any other error, is a log line
    /// instead, so that every line on stderr is a JSON object.
    static func exit(for error: any Error, logger: Logger? = nil) -> any Error {
        if let failure = error as? ThreadlineError {
            for diagnostic in failure.diagnostics {
                if let logger { log(diagnostic, to: logger) } else { Console.error(diagnostic.description) }
            }
            return ExitCode(failure.status.rawValue)
        }
        if let logger, !(error is ExitCode) {
            logger.error("\(error)")
            return ExitCode.failure
        }
        return error
    }

    /// A diagnostic as a log line: its message, its file, line and column and its notes in the fields.
    static func log(_ diagnostic: Diagnostic, to logger: Logger) {
        var fields: Logger.Metadata = [:]
        if let location = diagnostic.location {
            fields["file"] = .string(location.file)
            if let line = location.line { fields["line"] = .stringConvertible(line) }
            if let column = location.column { fields["column"] = .stringConvertible(column) }
        }
        if let rule = diagnostic.rule { fields["rule"] = .string(rule) }
        if !diagnostic.notes.isEmpty { fields["note"] = .string(diagnostic.notes.joined(separator: "\n")) }
        let level: Logger.Level = switch diagnostic.severity {
        case .error: .error
        case .warning: .warning
        case .note: .notice
        }
        logger.log(level: level, "\(diagnostic.message)", metadata: fields)
    }
}
