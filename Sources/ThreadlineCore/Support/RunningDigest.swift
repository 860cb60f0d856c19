import Crypto

/// The size and SHA-256 of a file taken as its bytes go by: as a writer writes them, so the
/// manifest's hash costs no second read of the file, or as ``FileDigest`` reads them. Used on one
/// thread at a time.
package final class RunningDigest {
    private var hasher = SHA256()
    private var bytes: Int64 = 0

    package init() {}

    /// Adds the next bytes written.
    package func update(_ buffer: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: buffer)
        bytes += Int64(buffer.count)
    }

    /// Size and hex SHA-256 of everything added so far.
    package var digest: (bytes: Int64, sha256: String) {
        (bytes, Hex.string(hasher.finalize()))
    }
}
