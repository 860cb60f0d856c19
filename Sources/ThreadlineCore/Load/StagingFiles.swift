import Foundation
import Synchronization

/// The staging files of the outputs being written, so that a run stopped by a signal can remove them
/// (`removeAll()`) instead of leaving them, possibly hundreds of MB, until the next run.
public final class StagingFiles: Sendable {
    public static let shared = StagingFiles()
    private let state = Mutex<(paths: Set<String>, stopping: Bool)>(([], false))

    /// Whether ``removeAll()`` ran: the run is being stopped, and an error its writers meet next (a
    /// staging file gone) is not the run's to report.
    public var isStopping: Bool {
        state.withLock { $0.stopping }
    }

    func add(_ path: String) {
        state.withLock { _ = $0.paths.insert(path) }
    }

    func remove(_ path: String) {
        state.withLock { _ = $0.paths.remove(path) }
    }

    /// Unlinks every staging file still registered; the previous outputs stay as they are.
    public func removeAll() {
        state.withLock { state in
            state.stopping = true
            for path in state.paths { unlink(path) }
            state.paths.removeAll()
        }
    }
}
