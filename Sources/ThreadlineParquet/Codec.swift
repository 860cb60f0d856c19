import CDeflate
import CSnappy
import CZstd

/// Compresses page bodies with one codec, as Compression.md frames them.
///
/// - snappy: one raw snappy block (not the framing format);
/// - gzip: one RFC 1952 gzip member per page (not a zlib stream);
/// - zstd: one standard zstd frame.
///
/// A `PageCompressor` keeps the codec's context between pages, so it is a class and is used by one
/// writer at a time.
final class PageCompressor {
    let compression: ParquetCompression
    let level: Int32
    private var zstdContext: OpaquePointer?
    /// Where pages are compressed, kept between pages (a page's worst-case size, about 1 MiB) so it is
    /// not allocated and zeroed for every page; each page keeps an exact copy of its compressed bytes.
    /// One grown past ``keptBufferLimit`` for an outsized page is let go after that page.
    private var scratch: [UInt8] = []
    /// The largest buffer a writer keeps from one page to the next.
    static let keptBufferLimit = 4 << 20

    /// Creates a compressor; `level` must already be validated against the codec's range.
    init(compression: ParquetCompression, level: Int?) {
        self.compression = compression
        self.level = Int32(level ?? compression.defaultLevel ?? 0)
    }

    deinit {
        if let zstdContext { ZSTD_freeCCtx(zstdContext) }
    }

    /// The compressed form of `input`, in an array of its own; for `.none`, a copy of `input`, so the
    /// caller can reuse its buffer while the page is kept.
    func compress(_ input: [UInt8]) throws(ParquetError) -> [UInt8] {
        defer { if scratch.count > Self.keptBufferLimit { scratch = [] } }
        switch compression {
        case .none: return input.withUnsafeBufferPointer { Array($0) }
        case .snappy: return try compressSnappy(input)
        case .gzip: return try compressGzip(input)
        case .zstd: return try compressZstd(input)
        }
    }

    /// Makes ``scratch`` at least `count` bytes long.
    private func reserveScratch(_ count: Int) {
        if scratch.count < count { scratch = [UInt8](repeating: 0, count: count) }
    }

    private func compressSnappy(_ input: [UInt8]) throws(ParquetError) -> [UInt8] {
        var outputLength = snappy_max_compressed_length(input.count)
        reserveScratch(outputLength)
        let status = input.withUnsafeBufferPointer { source in
            scratch.withUnsafeMutableBufferPointer { target in
                source.withMemoryRebound(to: CChar.self) { sourceChars in
                    target.withMemoryRebound(to: CChar.self) { targetChars in
                        snappy_compress(sourceChars.baseAddress, source.count, targetChars.baseAddress, &outputLength)
                    }
                }
            }
        }
        guard status == SNAPPY_OK else {
            throw ParquetError(.compression, "snappy compression failed with status \(status.rawValue)")
        }
        return Array(scratch[..<outputLength])
    }

    private func compressZstd(_ input: [UInt8]) throws(ParquetError) -> [UInt8] {
        if zstdContext == nil { zstdContext = ZSTD_createCCtx() }
        guard let context = zstdContext else {
            throw ParquetError(.compression, "zstd could not allocate a compression context")
        }
        let bound = ZSTD_compressBound(input.count)
        reserveScratch(bound)
        let written = input.withUnsafeBytes { source in
            scratch.withUnsafeMutableBytes { target in
                ZSTD_compressCCtx(context, target.baseAddress, bound, source.baseAddress, source.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            let name = String(cString: ZSTD_getErrorName(written))
            throw ParquetError(.compression, "zstd compression failed: \(name)")
        }
        return Array(scratch[..<written])
    }

    private func compressGzip(_ input: [UInt8]) throws(ParquetError) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 asks zlib for a gzip header and trailer instead of a zlib stream.
        var status = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw ParquetError(.compression, "gzip could not start a stream (zlib status \(status))")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, UInt(input.count)))
        reserveScratch(bound)
        var input = input
        status = input.withUnsafeMutableBufferPointer { source in
            scratch.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else {
            throw ParquetError(.compression, "gzip compression did not finish (zlib status \(status))")
        }
        return Array(scratch[..<Int(stream.total_out)])
    }
}
