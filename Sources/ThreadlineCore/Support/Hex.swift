import Crypto

/// Lowercase hexadecimal text of SHA-256 digests (the manifest's hashes, message ids) and other bytes.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The first `count` bytes of `digest` (all of them by default), written straight into the string.
    static func string(_ digest: SHA256Digest, prefix count: Int = SHA256Digest.byteCount) -> String {
        digest.withUnsafeBytes { bytes in string(UnsafeRawBufferPointer(rebasing: bytes.prefix(count))) }
    }

    /// The bytes, two digits each, written straight into the string.
    static func string(_ bytes: some Collection<UInt8>) -> String {
        String(unsafeUninitializedCapacity: 2 * bytes.count) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = digits[Int(byte >> 4)]
                out[2 * index + 1] = digits[Int(byte & 0x0F)]
            }
            return 2 * bytes.count
        }
    }
}
