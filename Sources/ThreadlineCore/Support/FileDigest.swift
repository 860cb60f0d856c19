import Crypto
import Foundation
import ThreadlineFiles

/// Size and SHA-256 of files: the manifest's hashes of inputs and outputs.
package enum FileDigest {
    /// Size and hex SHA-256 of a file, read in 1 MiB blocks.
    package static func sha256(ofFileAt path: String) throws -> (bytes: Int64, sha256: String) {
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
