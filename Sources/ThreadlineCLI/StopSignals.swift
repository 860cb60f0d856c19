import Dispatch
import ThreadlineCore

#if canImport(Glibc)
import Glibc
#endif

/// SIGTERM (a cron `timeout`), SIGINT (Ctrl-C) and SIGHUP stop a run as they would, after removing
/// its staging files: the previous outputs are whole either way, and no half-written copy is left
/// behind. The lock is released by the kernel when the process ends.
enum StopSignals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// Called on the way out with an error: while a stop signal is being handled, waits for it to end
    /// the process, so the error its cleanup caused (a staging file gone) is not reported instead.
    static func waitIfStopping() {
        while StagingFiles.shared.isStopping { pause() }
    }

    static func install() {
        for stop in [SIGTERM, SIGINT, SIGHUP] {
            signal(stop, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: stop, queue: .global())
            source.setEventHandler {
                signal(stop, SIG_DFL)
                StagingFiles.shared.removeAll()
                // End as the signal would have ended the process, so the caller sees it (status 128+n):
                // raised on this thread with the signal unblocked here, since dispatch's threads (and a
                // parent's mask we inherited) may block it.
                var mask = sigset_t()
                sigemptyset(&mask)
                sigaddset(&mask, stop)
                pthread_sigmask(SIG_UNBLOCK, &mask, nil)
                raise(stop)
            }
            source.resume()
            sources.append(source)
        }
    }
}
