import Crypto
import Foundation
import ThreadlineFiles

/// Size and SHA-256 of files: the manifest's hashes of inputs and outputs.
package enum FileDigest {
    /// Size and hex SHA-256 of a file, read in 1 MiB blocks.
    package static func sha256(ofFileAt path: String) throws -> (bytes: Int64, sha256: String) {
        let fd: Int32
        let size: Int64
        switch RegularFile.open(path) {
        case .success(let opened): (fd, size) = (opened.descriptor, opened.size)
        case .failure(.cannotOpen(let why)): throw ThreadlineError(.runtimeFailure, "cannot read '\(path)': \(why)")
        case .failure(let refusal): throw ThreadlineError(.runtimeFailure, "cannot read '\(path)': \(refusal.reason)")
        }
        defer { close(fd) }
        let running = RunningDigest()
        // A small file gets a buffer its size (one byte more, to see the end in one read): most inputs
        // are day files of a few kilobytes, and the buffer is never zeroed.
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(min(Int64(1 << 20), max(4096, size + 1))), alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 { throw ThreadlineError(.runtimeFailure, "cannot read '\(path)': \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            running.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return running.digest
    }

    /// The SHA-256 of several files as one: of the lines `sha256sum` prints for them (`DIGEST  NAME`),
    /// in byte order of name, so `LC_ALL=C sha256sum NAMES… | sha256sum` gives it too. A file whose
    /// digest is `known` is not read again. Nil when a file cannot be read.
    package static func sha256(ofFiles names: [String], in folder: String, known: [String: String] = [:]) -> String? {
        var hasher = SHA256()
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let digest = known[name] ?? (try? sha256(ofFileAt: folder + "/" + name))?.sha256 else { return nil }
            hasher.update(data: Array("\(digest)  \(name)\n".utf8))
        }
        return Hex.string(hasher.finalize())
    }
}
