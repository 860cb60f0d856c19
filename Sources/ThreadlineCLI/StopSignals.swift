import Dispatch
import Logging
import ThreadlineCore

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM (a cron `timeout`), SIGINT (Ctrl-C) and SIGHUP stop a run as they would, after putting the
/// outputs back as the previous run left them: its staging files are removed and, in the middle of
/// the renames, the outputs already renamed are put back (see `StagingFiles`); the run is recorded in
/// `_runs.jsonl` as stopped. SIGPIPE, when stderr
/// is a pipe whose reader has gone (a log shipper that died), does the same: it is ignored, so that
/// the write fails with EPIPE instead of killing the run where it stands, and the write that fails
/// stops the run (`Console`). The lock is released by the kernel when the process ends. A stop that
/// comes once every output is in place is too late to put anything back: the run, which has
/// succeeded, finishes (records itself, prints its summary) with its own status, and after a signal
/// says so.
enum StopSignals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Called on the way out with an error: while a stop signal is being handled, waits for it to end
    /// the process, so the error its cleanup caused (a staging file gone) is not reported instead.
    static func waitIfStopping() {
        while StagingFiles.shared.isStopping { pause() }
    }

    /// How the log and the run history name a stop.
    static func name(of stop: Int32) -> String {
        switch stop {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGHUP: "SIGHUP"
        case SIGPIPE: "SIGPIPE (stderr closed)"
        default: "signal \(stop)"
        }
    }

    static func install(logger: Logger) {
        signal(SIGPIPE, SIG_IGN)
        for stop in [SIGTERM, SIGINT, SIGHUP] {
            signal(stop, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: stop, queue: .global())
            source.setEventHandler {
                stopUnlessCommitted(stop)
                // Still running: every output was in place already.
                logger.warning(
                    "a stop signal came after every output was in place: the run finishes",
                    metadata: ["signal": .string(name(of: stop))])
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Stops the run as ``stop(_:)`` does, unless every output is already in place: then it is too late
    /// to put anything back, and it returns, so the run finishes (records itself, prints its summary)
    /// with its own status.
    static func stopUnlessCommitted(_ stop: Int32) {
        guard StagingFiles.shared.removeAll() else { return }
        self.stop(stop)
    }

    /// Puts the outputs back as they were (if the signal's handler has not already), then ends the
    /// process as `stop` ends it (status 128+n).
    static func stop(_ stop: Int32) -> Never {
        signal(stop, SIG_DFL)
        StagingFiles.shared.removeAll()
        RunHistory.recordStopped(by: name(of: stop), status: 128 + stop)
        RunLock.forgetHoldersOnStop()
        // Raised on this thread with the signal unblocked here, since dispatch's threads (and a
        // parent's mask we inherited) may block it.
        var mask = sigset_t()
        sigemptyset(&mask)
        sigaddset(&mask, stop)
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        raise(stop)
        _exit(128 + stop)
    }
}
