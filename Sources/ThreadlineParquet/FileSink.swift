#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes bytes to a file with plain POSIX calls and counts them.
///
/// The file is created (or truncated) with mode 0644. Writes loop over partial writes and `EINTR`.
/// Making the file appear atomically (a temporary name, then a rename) is the caller's job.
final class FileSink {
    let path: String
    private var descriptor: Int32
    /// The number of bytes written so far, which is the offset of the next byte.
    private(set) var offset: Int64 = 0
    /// Called with the bytes of each write once they are written, in file order.
    private let onWrite: ((UnsafeRawBufferPointer) -> Void)?

    /// Opens `path` for writing.
    init(path: String, onWrite: ((UnsafeRawBufferPointer) -> Void)? = nil) throws(ParquetError) {
        self.path = path
        self.onWrite = onWrite
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard descriptor >= 0 else {
            throw ParquetError(.io, "cannot create '\(path)': \(Self.lastErrorMessage())")
        }
    }

    deinit {
        if descriptor >= 0 { _ = closeDescriptor(descriptor) }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws(ParquetError) {
        guard descriptor >= 0 else { throw ParquetError(.closed, "'\(path)' is already closed") }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let result = writeDescriptor(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += result
            }
        }
        guard failure == 0 else {
            throw ParquetError(.io, "cannot write '\(path)': \(Self.message(for: failure))")
        }
        offset += Int64(bytes.count)
        if let onWrite { bytes.withUnsafeBytes(onWrite) }
    }

    /// Closes the file, reporting errors the kernel defers to close (such as a full disk).
    func close() throws(ParquetError) {
        guard descriptor >= 0 else { return }
        let result = closeDescriptor(descriptor)
        descriptor = -1
        guard result == 0 else {
            throw ParquetError(.io, "cannot close '\(path)': \(Self.lastErrorMessage())")
        }
    }

    private static func lastErrorMessage() -> String {
        message(for: errno)
    }

    private static func message(for code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// `close(2)`, named apart from `FileSink.close()`.
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}

/// `write(2)`, named apart from `FileSink.write(_:)`.
private func writeDescriptor(_ descriptor: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
