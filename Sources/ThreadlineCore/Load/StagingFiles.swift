import Foundation
import Synchronization

/// The files of the run being written, so that a run stopped by a signal leaves the outputs as the
/// previous run left them: ``removeAll()`` removes the staging files (possibly hundreds of MB) and,
/// when the stop comes while the outputs are being renamed into place, puts back the ones already
/// renamed, as a failed rename does.
///
/// Renames go through ``place(_:)`` and end with ``settle()``, each under the same lock as
/// ``removeAll()``: a stop waits for the rename under way, and after ``settle()`` every output is the
/// new run's and there is nothing to put back.
package final class StagingFiles: Sendable {
    package static let shared = StagingFiles()

    private struct State {
        var paths: Set<String> = []
        /// The folders staging files were registered in, kept after they are renamed or discarded.
        var folders: Set<String> = []
        /// Outputs renamed into place by the commit under way, in order.
        var placed: [OutputFile.Placement] = []
        /// Every output of the last commit is in place, and no staging file has been made since.
        var settled = false
        var stopping = false
    }

    private let state = Mutex<State>(State())

    /// Whether ``removeAll()`` ran: the run is being stopped, and an error its writers meet next (a
    /// staging file gone) is not the run's to report.
    package var isStopping: Bool {
        state.withLock { $0.stopping }
    }

    /// Registers a staging file about to be made; refused once the run is being stopped.
    func add(_ path: String) throws {
        try state.withLock { state in
            guard !state.stopping else {
                throw ThreadlineError(.runtimeFailure, "the run is being stopped: no output is written")
            }
            state.settled = false
            state.paths.insert(path)
            state.folders.insert((path as NSString).deletingLastPathComponent)
        }
    }

    func remove(_ path: String) {
        state.withLock { _ = $0.paths.remove(path) }
    }

    /// Renames `file` into place (``OutputFile/swapIn()``), unless the run is being stopped, and
    /// remembers it until ``settle()`` or ``rollBack()``.
    func place(_ file: any PlaceableOutput) throws {
        try state.withLock { state in
            guard !state.stopping else {
                throw ThreadlineError(.runtimeFailure, "the run is being stopped: no output was renamed into place")
            }
            state.paths.remove(file.stagingPath)
            try file.renameIntoPlace()
            state.placed.append(file.placement)
        }
    }

    /// Every output of the commit is in place: the previous ones' backups go, and a stop from now on
    /// has nothing to put back.
    func settle() {
        state.withLock { state in
            for placement in state.placed { placement.dropBackup() }
            state.placed.removeAll()
            state.settled = true
        }
    }

    /// Puts back the outputs renamed so far, last first (a rename failed).
    func rollBack() {
        state.withLock { state in
            for placement in state.placed.reversed() { placement.rollBack() }
            state.placed.removeAll()
        }
    }

    /// The run is stopping: unlinks every staging file still registered and puts back the outputs the
    /// commit under way has renamed, so the previous outputs are as they were. Returns false, and does
    /// nothing, once ``settle()`` has put every output in place: too late to stop, the run has
    /// succeeded and only records itself from then on.
    @discardableResult
    package func removeAll() -> Bool {
        state.withLock { state in
            guard !state.settled else { return false }
            state.stopping = true
            for path in state.paths { unlink(path) }
            state.paths.removeAll()
            // A writer may have made its file since: every staging file of this process goes.
            let suffix = ".tmp-\(getpid())"
            for folder in state.folders {
                for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(".") && name.hasSuffix(suffix) {
                    // A partitioned output's staging folder goes with its part files.
                    OutputFolder.removeTree((folder as NSString).appendingPathComponent(name))
                }
            }
            for placement in state.placed.reversed() { placement.rollBack() }
            state.placed.removeAll()
            return true
        }
    }
}
