import Foundation

/// A buffered writer of bytes to a file descriptor that hashes what it writes; used by the text
/// writers, so the manifest's SHA-256 costs no second read of the file.
package final class BufferedFileWriter {
    private let fd: Int32
    /// The file as errors name it.
    private let name: String
    private var buffer: [UInt8] = []
    private let capacity: Int
    private let running = RunningDigest()

    /// Creates the file at `path`; errors name it `name` (by default its path).
    package init(path: String, name: String? = nil, capacity: Int = 1 << 18) throws {
        self.name = name ?? path
        self.capacity = capacity
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw OutputWriteFailure.error(path: self.name, reason: String(cString: strerror(errno)))
        }
        buffer.reserveCapacity(capacity)
    }

    /// Creates an output's staging file; errors name the output as the user knows it, not the hidden
    /// file it is staged in.
    package convenience init(_ output: StagedOutput) throws {
        try self.init(path: output.stagingPath, name: output.relativePath)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    package func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= capacity { try flush() }
    }

    package func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { try flush() }
    }

    /// Lets `encode` append bytes straight to the buffer (a row, say), then writes the buffer out once
    /// it is full. `encode` must only append.
    package func append(_ encode: (inout [UInt8]) throws -> Void) throws {
        try encode(&buffer)
        if buffer.count >= capacity { try flush() }
    }

    /// Size and hex SHA-256 of everything written; call after the last `flush()`.
    package var digest: (bytes: Int64, sha256: String) {
        running.digest
    }

    package func flush() throws {
        buffer.withUnsafeBytes { running.update($0) }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw OutputWriteFailure.error(path: name, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
