import Foundation
import Synchronization
import ThreadlineFiles

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on an output folder, so two runs never write one `output_root` at once.
///
/// The lock is `flock(2)` on `output_root/.threadline.lock`: the kernel releases it when the holding
/// process ends in any way, SIGKILL included, so the lock of a dead process is simply taken over. The
/// file records the holder's pid and start time for the message the second run prints.
///
/// Held by the thread that runs the pipeline. A run stopped by a signal empties the record as it ends
/// (``forgetHoldersOnStop()``), so only a process that could not clean up (SIGKILL, a crash) leaves
/// one for the next run to report.
package final class RunLock {
    package let path: String
    private var fd: Int32 = -1
    /// The descriptors of the locks this process holds.
    private static let held = Mutex<Set<Int32>>([])
    /// The holder recorded in the file when this lock was taken over from a process that had died.
    package private(set) var previousHolder: String?

    /// The lock of a whole run (and of `merge`): `.threadline.lock`; or of one shard of a sharded
    /// run, `.threadline.K-of-N.lock`, so the shards of one run write at once.
    package init(outputRoot: String, shard: Shard? = nil) {
        path = (outputRoot as NSString).appendingPathComponent(shard.map { ".threadline.\($0.name).lock" } ?? ".threadline.lock")
    }

    /// Takes the lock or throws status 3 naming the run that holds it. Makes `output_root` when it is
    /// not there yet.
    ///
    /// The lock file is opened without following a symbolic link (a link planted there would make the
    /// run create or empty the file it points to) and without blocking on a FIFO; what is not a regular
    /// file is refused.
    package func acquire() throws {
        try OutputPaths.createRoot((path as NSString).deletingLastPathComponent)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o644)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP, RegularFile.isSymbolicLink(path) {
                throw ThreadlineError(.runtimeFailure, "the lock file '\(path)' is a symbolic link: refusing to open it",
                                      notes: ["remove it; threadline makes the lock file itself"])
            }
            if code == EISDIR { throw notRegular("a folder") }
            throw ThreadlineError(
                .runtimeFailure, "cannot open lock file '\(path)': \(String(cString: strerror(code)))",
                notes: ["a run writes its lock and its outputs in output_root: make the folder writable, or use another (--set output_root=…)"])
        }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            let kind = status.st_mode & S_IFMT == S_IFDIR ? "a folder" : "a FIFO, device or socket"
            close(fd)
            fd = -1
            throw notRegular(kind)
        }
        let holder = readHolder()
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let who = holder.isEmpty ? "another run" : "another run (\(holder))"
            close(fd)
            fd = -1
            throw ThreadlineError(.runtimeFailure, "\(who) is writing to '\((path as NSString).deletingLastPathComponent)'",
                                  notes: ["wait for it to finish, or use another output_root (--set output_root=…)"])
        }
        if !holder.isEmpty { previousHolder = holder }
        let record = "pid \(getpid()), started \(Timestamp.now.iso8601)\n"
        _ = ftruncate(fd, 0)
        _ = record.withCString { pwrite(fd, $0, strlen($0), 0) }
        Self.held.withLock { _ = $0.insert(fd) }
    }

    /// Empties the record of every lock this process holds, as a stop signal ends it: the run ended
    /// as it should, recorded as stopped, and the kernel lets the lock go with the process.
    package static func forgetHoldersOnStop() {
        held.withLock { descriptors in
            for fd in descriptors { _ = ftruncate(fd, 0) }
        }
    }

    private func notRegular(_ kind: String) -> ThreadlineError {
        ThreadlineError(.runtimeFailure, "the lock file '\(path)' is not a regular file (\(kind)): refusing to use it",
                        notes: ["remove it; threadline makes the lock file itself"])
    }

    /// Releases the lock and empties the file (an empty file means nobody holds it).
    package func release() {
        guard fd >= 0 else { return }
        Self.held.withLock { _ = $0.remove(fd) }
        _ = ftruncate(fd, 0)
        flock(fd, LOCK_UN)
        close(fd)
        fd = -1
    }

    deinit { release() }

    private func readHolder() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return "" }
        return String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
