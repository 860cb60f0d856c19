/// The error for an output file the disk did not take (a full disk, an I/O error, a folder that
/// cannot be written): every output is written to a staging file first, so none has changed yet, and
/// the note says so and what to do.
enum OutputWriteFailure {
    static let note = "no output was changed: free space on the disk, or fix what the error names, and run again"

    /// `cannot write 'PATH': REASON`, status 3, with `note`.
    static func error(path: String, reason: String) -> ThreadlineError {
        ThreadlineError(.runtimeFailure, "cannot write '\(path)': \(reason)", notes: [note])
    }
}
