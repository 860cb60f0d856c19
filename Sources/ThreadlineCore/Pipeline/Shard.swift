import Crypto

/// One of the N shards of a sharded run (`threadline run P --shard K/N`): the inputs whose path
/// relative to `input_root` hashes to it.
///
/// An input belongs to shard `K` when the first 8 bytes of the SHA-256 of its path relative to
/// `input_root` (UTF-8, `/` between folders), read as a big-endian unsigned integer, modulo `N`, is
/// `K - 1`. The hash depends on nothing but the path, so every machine puts an input in the same
/// shard, and an input keeps its shard from night to night.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    /// 1...count.
    package let index: Int
    package let count: Int

    package init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `K/N` as the command line takes it; nil with why when it is not one.
    package static func parse(_ text: String) -> Result<Shard, ShardParseError> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            return .failure(ShardParseError("--shard takes K/N (the K-th of N shards, e.g. 2/8), not '\(text)'"))
        }
        guard count >= 1, count <= 10_000 else { return .failure(ShardParseError("--shard \(text): N must be from 1 to 10000")) }
        guard index >= 1, index <= count else { return .failure(ShardParseError("--shard \(text): K must be from 1 to N (\(count))")) }
        return .success(Shard(index: index, count: count))
    }

    /// `K-of-N`: in the shard's lock, manifest and part file names.
    package var name: String { "\(index)-of-\(count)" }

    public var description: String { "\(index)/\(count)" }

    /// The shard (1...count) of an input's path relative to `input_root`.
    package static func of(_ relativePath: String, count: Int) -> Int {
        let digest = Array(SHA256.hash(data: Array(relativePath.utf8)))
        let number = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Int(number % UInt64(count)) + 1
    }

    /// Whether the input at `relativePath` is this shard's.
    package func contains(_ relativePath: String) -> Bool {
        Shard.of(relativePath, count: count) == index
    }
}

package struct ShardParseError: Error, CustomStringConvertible {
    package let description: String

    init(_ description: String) {
        self.description = description
    }
}
