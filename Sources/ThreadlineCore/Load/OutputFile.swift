import Crypto
import Foundation
import ThreadlineFiles

#if canImport(Glibc)
import Glibc
#endif

/// An output written to a staging file beside its final path and renamed into place only when the run
/// succeeds, so a run that fails or is killed leaves the previous output whole.
public final class OutputFile: @unchecked Sendable {
    /// Path relative to `output_root`.
    public let relativePath: String
    public let finalPath: String
    /// Where writers write; a hidden file in the same folder, so the rename is atomic.
    public let stagingPath: String
    /// A second name for the previous output while the run's files are renamed into place, so a
    /// failed rename can put every earlier file back (`.name.old-PID`).
    let backupPath: String
    /// Whether ``swapIn()`` kept the previous output at ``backupPath``.
    private var hasBackup = false
    /// Whether there was a previous output when ``swapIn()`` ran.
    private var hadPrevious = false

    public init(outputRoot: String, relativePath: String) throws {
        self.relativePath = relativePath
        self.finalPath = (outputRoot as NSString).appendingPathComponent(relativePath)
        let folder = (finalPath as NSString).deletingLastPathComponent
        let name = (finalPath as NSString).lastPathComponent
        self.stagingPath = (folder as NSString).appendingPathComponent(".\(name).tmp-\(getpid())")
        self.backupPath = (folder as NSString).appendingPathComponent(".\(name).old-\(getpid())")
        StagingFiles.shared.add(stagingPath)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ThreadlineError(.runtimeFailure, "cannot create output folder '\(folder)': \(error.localizedDescription)")
        }
    }

    /// Makes the staged file durable and renames it over the final path. Returns its size and SHA-256:
    /// `known` when the writer hashed what it wrote, else read back from the file.
    @discardableResult
    public func commit(known: (bytes: Int64, sha256: String)? = nil) throws -> (bytes: Int64, sha256: String) {
        let digest = try prepare(known: known)
        try swapIn()
        dropBackup()
        return digest
    }

    /// The first phase of a commit: makes the staged file durable and checks that it can replace the
    /// final path. Returns its size and SHA-256 (`known`, or read back).
    func prepare(known: (bytes: Int64, sha256: String)? = nil) throws -> (bytes: Int64, sha256: String) {
        let digest = try known ?? OutputFile.sha256(ofFileAt: stagingPath)
        try OutputFile.fsync(path: stagingPath)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: finalPath, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ThreadlineError(.runtimeFailure, "cannot write '\(finalPath)': it is a folder",
                                  notes: ["remove or rename the folder, or choose another path for this output"])
        }
        return digest
    }

    /// The second phase: renames the staged file over the final path, keeping the previous output
    /// under a second name (a hard link, so the final path never goes missing) until ``dropBackup()``.
    func swapIn() throws {
        StagingFiles.shared.remove(stagingPath)
        unlink(backupPath)
        hadPrevious = access(finalPath, F_OK) == 0
        hasBackup = hadPrevious && link(finalPath, backupPath) == 0
        guard rename(stagingPath, finalPath) == 0 else {
            let reason = String(cString: strerror(errno))
            dropBackup()
            throw ThreadlineError(.runtimeFailure, "cannot rename '\(stagingPath)' to '\(finalPath)': \(reason)")
        }
        try OutputFile.fsync(path: (finalPath as NSString).deletingLastPathComponent)
    }

    /// Undoes ``swapIn()``: the previous output back in place, or no file where there was none. (On a
    /// file system without hard links there is no backup, and the new file stays.)
    func rollBack() {
        if hasBackup {
            rename(backupPath, finalPath)
            hasBackup = false
        } else if !hadPrevious {
            unlink(finalPath)
        }
    }

    /// Forgets the previous output once every file of the run is in place.
    func dropBackup() {
        if hasBackup { unlink(backupPath) }
        hasBackup = false
    }

    /// Removes staging files and backups that a killed run left behind (`.name.tmp-PID`,
    /// `.name.old-PID`). Call only while holding the output folder's `RunLock`, so no live run owns them.
    public static func removeAbandonedStagingFiles(in outputRoot: String) {
        guard let walker = FileManager.default.enumerator(atPath: outputRoot) else { return }
        for case let relative as String in walker {
            let name = (relative as NSString).lastPathComponent
            guard name.hasPrefix("."),
                  let range = name.range(of: ".tmp-", options: .backwards) ?? name.range(of: ".old-", options: .backwards),
                  !name[range.upperBound...].isEmpty, name[range.upperBound...].allSatisfy(\.isNumber)
            else { continue }
            unlink((outputRoot as NSString).appendingPathComponent(relative))
        }
    }

    /// Removes the staged file, leaving any previous output as it was.
    public func discard() {
        StagingFiles.shared.remove(stagingPath)
        unlink(stagingPath)
    }

    static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = Glibc.fsync(fd)
    }

    /// Size and hex SHA-256 of a file, read in 1 MiB blocks.
    public static func sha256(ofFileAt path: String) throws -> (bytes: Int64, sha256: String) {
        let fd: Int32
        switch RegularFile.open(path) {
        case .success(let opened): fd = opened.descriptor
        case .failure(.cannotOpen(let why)): throw ThreadlineError(.runtimeFailure, "cannot read '\(path)': \(why)")
        case .failure(let refusal): throw ThreadlineError(.runtimeFailure, "cannot read '\(path)': \(refusal.reason)")
        }
        defer { close(fd) }
        var hasher = SHA256()
        var total: Int64 = 0
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { throw ThreadlineError(.runtimeFailure, "cannot read '\(path)': \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            buffer.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            total += Int64(count)
        }
        return (total, Hex.string(hasher.finalize()))
    }
}

/// The staging files of the outputs being written, so that a run stopped by a signal can remove them
/// (`removeAll()`) instead of leaving them, possibly hundreds of MB, until the next run.
public final class StagingFiles: @unchecked Sendable {
    public static let shared = StagingFiles()
    private let lock = NSLock()
    private var paths: Set<String> = []
    private var stopping = false

    /// Whether ``removeAll()`` ran: the run is being stopped, and an error its writers meet next (a
    /// staging file gone) is not the run's to report.
    public var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    func add(_ path: String) {
        lock.lock()
        paths.insert(path)
        lock.unlock()
    }

    func remove(_ path: String) {
        lock.lock()
        paths.remove(path)
        lock.unlock()
    }

    /// Unlinks every staging file still registered; the previous outputs stay as they are.
    public func removeAll() {
        lock.lock()
        stopping = true
        for path in paths { unlink(path) }
        paths.removeAll()
        lock.unlock()
    }
}

/// A buffered writer of bytes to a file descriptor that hashes what it writes; used by the text
/// writers, so the manifest's SHA-256 costs no second read of the file.
public final class BufferedFileWriter {
    private let fd: Int32
    private let path: String
    private var buffer: [UInt8] = []
    private let capacity: Int
    private var hasher = SHA256()
    private var written: Int64 = 0

    public init(path: String, capacity: Int = 1 << 18) throws {
        self.path = path
        self.capacity = capacity
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ThreadlineError(.runtimeFailure, "cannot write '\(path)': \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(capacity)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    public func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= capacity { try flush() }
    }

    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    /// Lets `encode` append bytes straight to the buffer (a row, say), then writes the buffer out once
    /// it is full. `encode` must only append.
    public func append(_ encode: (inout [UInt8]) throws -> Void) throws {
        try encode(&buffer)
        if buffer.count >= capacity { try flush() }
    }

    /// Size and hex SHA-256 of everything written; call after the last `flush()`.
    public var digest: (bytes: Int64, sha256: String) {
        (written, Hex.string(hasher.finalize()))
    }

    public func flush() throws {
        buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        written += Int64(buffer.count)
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ThreadlineError(.runtimeFailure, "cannot write '\(path)': \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
