import ArgumentParser
import Foundation
import ThreadlineCore

#if canImport(Glibc)
import Glibc
#endif

/// Where the command line prints: results on stdout, diagnostics and progress on stderr.
enum Console {
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Prints a `ThreadlineError`'s diagnostics and exits with its status; rethrows anything else.
    static func exit(for error: any Error) -> any Error {
        if let failure = error as? ThreadlineError {
            for diagnostic in failure.diagnostics { Console.error(diagnostic.description) }
            return ExitCode(failure.status.rawValue)
        }
        return error
    }
}
