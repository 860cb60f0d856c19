import Foundation
import ThreadlineFiles

#if canImport(Glibc)
import Glibc
#endif

/// An output written to a staging file beside its final path and renamed into place only when the run
/// succeeds, so a run that fails or is killed leaves the previous output whole.
///
/// Used by the thread that runs the pipeline; writers get its ``staged`` paths.
package final class OutputFile {
    /// Path relative to `output_root`.
    package let relativePath: String
    package let finalPath: String
    /// Where writers write; a hidden file in the same folder, so the rename is atomic.
    package let stagingPath: String
    /// A second name for the previous output while the run's files are renamed into place, so a
    /// failed rename can put every earlier file back (`.name.old-PID`).
    let backupPath: String
    /// Whether ``swapIn()`` kept the previous output at ``backupPath``.
    private var hasBackup = false
    /// Whether there was a previous output when ``swapIn()`` ran.
    private var hadPrevious = false
    /// Whether ``swapIn()`` exchanged the file for a partitioned dataset's folder, now at `stagingPath`.
    private var replacedFolder = false

    /// Where a sink writes this output.
    package var staged: StagedOutput { StagedOutput(stagingPath: stagingPath, relativePath: relativePath) }

    package init(outputRoot: String, relativePath: String) throws {
        self.relativePath = relativePath
        self.finalPath = (outputRoot as NSString).appendingPathComponent(relativePath)
        let folder = (finalPath as NSString).deletingLastPathComponent
        let name = (finalPath as NSString).lastPathComponent
        self.stagingPath = (folder as NSString).appendingPathComponent(".\(name).tmp-\(getpid())")
        self.backupPath = (folder as NSString).appendingPathComponent(".\(name).old-\(getpid())")
        try OutputPaths.makeFolders(of: relativePath, in: outputRoot)
        try StagingFiles.shared.add(stagingPath)
    }

    /// Makes the staged file durable and renames it over the final path. Returns its size and SHA-256:
    /// `known` when the writer hashed what it wrote, else read back from the file.
    @discardableResult
    package func commit(known: (bytes: Int64, sha256: String)? = nil) throws -> (bytes: Int64, sha256: String) {
        let digest = try prepare(known: known)
        try swapIn()
        dropBackup()
        return digest
    }

    /// The first phase of a commit: makes the staged file durable and checks that it can replace the
    /// final path. Returns its size and SHA-256 (`known`, or read back).
    func prepare(known: (bytes: Int64, sha256: String)? = nil) throws -> (bytes: Int64, sha256: String) {
        let digest = try known ?? FileDigest.sha256(ofFileAt: stagingPath)
        try OutputFile.fsync(path: stagingPath)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: finalPath, isDirectory: &isDirectory), isDirectory.boolValue,
           !OutputFolder.isPartitionedDataset(finalPath) {
            throw ThreadlineError(.runtimeFailure, "cannot write '\(finalPath)': it is a folder",
                                  notes: ["remove or rename the folder, or choose another path for this output"])
        }
        return digest
    }

    /// The second phase: renames the staged file over the final path, keeping the previous output
    /// under a second name (a hard link, so the final path never goes missing) until ``dropBackup()``.
    func swapIn() throws {
        StagingFiles.shared.remove(stagingPath)
        try renameIntoPlace()
    }

    /// ``swapIn()`` but for the staging file's registration, which the caller has dropped.
    func renameIntoPlace() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: finalPath, isDirectory: &isDirectory), isDirectory.boolValue {
            // The partitioned dataset an earlier run wrote here is exchanged for the file as a whole.
            guard OutputFolder.exchange(stagingPath, finalPath) else {
                throw ThreadlineError(.runtimeFailure, "cannot put '\(finalPath)' in place of its folder: \(String(cString: strerror(errno)))")
            }
            replacedFolder = true
            OutputFile.syncFolder((finalPath as NSString).deletingLastPathComponent)
            return
        }
        unlink(backupPath)
        var previous = stat()
        hadPrevious = lstat(finalPath, &previous) == 0
        hasBackup = hadPrevious && link(finalPath, backupPath) == 0
        guard rename(stagingPath, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            dropBackup()
            throw ThreadlineError(.runtimeFailure, "cannot rename '\(stagingPath)' to '\(finalPath)': \(reason)")
        }
        OutputFile.syncFolder((finalPath as NSString).deletingLastPathComponent)
    }

    /// Undoes ``swapIn()``: the previous output back in place, or no file where there was none. (On a
    /// file system without hard links there is no backup, and the new file stays.)
    func rollBack() {
        placement.rollBack()
        hasBackup = false
        replacedFolder = false
    }

    /// Forgets the previous output once every file of the run is in place.
    func dropBackup() {
        placement.dropBackup()
        hasBackup = false
        replacedFolder = false
    }

    /// What ``swapIn()`` did, as a value that can undo or settle it from any thread (a signal's).
    var placement: Placement {
        if replacedFolder { return Placement(exchanged: finalPath, with: stagingPath) }
        return Placement(finalPath: finalPath, backupPath: backupPath, hasBackup: hasBackup, hadPrevious: hadPrevious)
    }

    /// An output renamed into place, with what was there before it.
    struct Placement: Sendable {
        let finalPath: String
        let backupPath: String
        /// Whether the previous output is kept at `backupPath`.
        let hasBackup: Bool
        /// Whether there was a previous output.
        let hadPrevious: Bool
        /// Where the previous output is when it was exchanged with the new one (a folder for a file,
        /// a partitioned output's folder): `backupPath` holds it until ``dropBackup()``.
        var exchanged = false

        init(finalPath: String, backupPath: String, hasBackup: Bool, hadPrevious: Bool) {
            self.finalPath = finalPath
            self.backupPath = backupPath
            self.hasBackup = hasBackup
            self.hadPrevious = hadPrevious
        }

        /// An output exchanged with what was at `finalPath`, which is now at `previous`.
        init(exchanged finalPath: String, with previous: String) {
            self.init(finalPath: finalPath, backupPath: previous, hasBackup: true, hadPrevious: true)
            exchanged = true
        }

        /// A folder renamed to `finalPath` where there was nothing: undone by renaming it back to
        /// `stagingPath`.
        init(placedFolder finalPath: String, from stagingPath: String) {
            self.init(finalPath: finalPath, backupPath: stagingPath, hasBackup: false, hadPrevious: false)
            exchanged = true
        }

        /// The previous output back in place, or no file where there was none.
        func rollBack() {
            if exchanged {
                if hasBackup {
                    _ = OutputFolder.exchange(backupPath, finalPath)
                } else {
                    rename(finalPath, backupPath)
                }
                OutputFolder.removeTree(backupPath)
            } else if hasBackup {
                rename(backupPath, finalPath)
            } else if !hadPrevious {
                unlink(finalPath)
            }
        }

        func dropBackup() {
            if exchanged {
                if hasBackup { OutputFolder.removeTree(backupPath) }
            } else if hasBackup {
                unlink(backupPath)
            }
        }
    }

    /// Removes staging files and backups that a killed run left behind (`.name.tmp-PID`,
    /// `.name.old-PID`). Call only while holding the output folder's `RunLock`, so no live run owns them.
    package static func removeAbandonedStagingFiles(in outputRoot: String) {
        guard let walker = FileManager.default.enumerator(atPath: outputRoot) else { return }
        for case let relative as String in walker {
            let name = (relative as NSString).lastPathComponent
            // The state of sharded and incremental runs keeps its own staging, under its own locks.
            if relative == ".threadline" {
                walker.skipDescendants()
                continue
            }
            guard name.hasPrefix("."),
                  let range = name.range(of: ".tmp-", options: .backwards) ?? name.range(of: ".old-", options: .backwards),
                  !name[range.upperBound...].isEmpty, name[range.upperBound...].allSatisfy(\.isNumber)
            else { continue }
            // A partitioned output's staging folder goes with all it holds.
            walker.skipDescendants()
            OutputFolder.removeTree((outputRoot as NSString).appendingPathComponent(relative))
        }
    }

    /// Removes the staged file, leaving any previous output as it was.
    package func discard() {
        StagingFiles.shared.remove(stagingPath)
        unlink(stagingPath)
    }

    /// Flushes a written file to disk before it is renamed into place. A failure fails the run: the
    /// disk's error (`EIO`), or a full disk that the file system reports only now, when it allocates the
    /// blocks it deferred (`ENOSPC`, `EDQUOT`), would otherwise leave an output the manifest vouches for
    /// that may never reach the disk.
    static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ThreadlineError(.runtimeFailure, "cannot flush '\(path)' to disk: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        while Glibc.fsync(fd) != 0 {
            if errno == EINTR { continue }
            // A file system that cannot sync (EINVAL) keeps what it has; nothing more can be done.
            if errno == EINVAL { return }
            throw ThreadlineError(.runtimeFailure, "cannot flush '\(path)' to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// Flushes a folder's entries (a rename into it) to disk, as far as the file system allows. Called
    /// once the run's files are in place, so a failure here is not the run's: the files themselves
    /// were flushed by ``fsync(path:)``.
    static func syncFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = Glibc.fsync(fd)
    }
}
