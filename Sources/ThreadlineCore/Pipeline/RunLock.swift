import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on an output folder, so two runs never write one `output_root` at once.
///
/// The lock is `flock(2)` on `output_root/.threadline.lock`: the kernel releases it when the holding
/// process ends in any way, SIGKILL included, so the lock of a dead process is simply taken over. The
/// file records the holder's pid and start time for the message the second run prints.
///
/// Held by the thread that runs the pipeline.
public final class RunLock {
    public let path: String
    private var fd: Int32 = -1
    /// The holder recorded in the file when this lock was taken over from a process that had died.
    public private(set) var previousHolder: String?

    public init(outputRoot: String) {
        path = (outputRoot as NSString).appendingPathComponent(".threadline.lock")
    }

    /// Takes the lock or throws status 3 naming the run that holds it.
    public func acquire() throws {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ThreadlineError(.runtimeFailure, "cannot open lock file '\(path)': \(String(cString: strerror(errno)))")
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
    }

    /// Releases the lock and empties the file (an empty file means nobody holds it).
    public func release() {
        guard fd >= 0 else { return }
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
