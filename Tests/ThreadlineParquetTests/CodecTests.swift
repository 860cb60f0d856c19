import CDeflate
import CSnappy
import CZstd
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineParquet

/// Decompresses with the C libraries' own decoders, independently of the writer's code paths.
enum Decompress {
    static func snappy(_ input: [UInt8]) -> [UInt8]? {
        var length = 0
        let chars = input.map { CChar(bitPattern: $0) }
        guard snappy_uncompressed_length(chars, chars.count, &length) == SNAPPY_OK else { return nil }
        var output = [CChar](repeating: 0, count: length)
        guard snappy_uncompress(chars, chars.count, &output, &length) == SNAPPY_OK else { return nil }
        return output.prefix(length).map { UInt8(bitPattern: $0) }
    }

    static func zstd(_ input: [UInt8]) -> [UInt8]? {
        let size = ZSTD_getFrameContentSize(input, input.count)
        guard size < UInt64.max - 1 else { return nil }
        var output = [UInt8](repeating: 0, count: Int(size))
        let written = ZSTD_decompress(&output, output.count, input, input.count)
        guard ZSTD_isError(written) == 0 else { return nil }
        return Array(output.prefix(written))
    }

    static func gzip(_ input: [UInt8], expectedSize: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { inflateEnd(&stream) }
        var input = input
        var output = [UInt8](repeating: 0, count: expectedSize + 16)
        let status = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = UInt32(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = UInt32(target.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, stream.avail_in == 0 else { return nil }
        return Array(output.prefix(Int(stream.total_out)))
    }
}

@Suite struct CodecTests {
    /// Text-like bytes with repetition, plus every byte value.
    static let sample: [UInt8] =
        Array(String(repeating: "the quick brown fox jumps over the lazy dog; ", count: 200).utf8) + (0...255).map { UInt8($0) }

    @Test(arguments: [[UInt8](), [0x41], sample])
    func snappyIsARawBlock(input: [UInt8]) throws {
        let compressed = try PageCompressor(compression: .snappy, level: nil).compress(input)
        #expect(compressed.starts(with: [0xFF, 0x06]) == false)  // not the framing format
        #expect(Decompress.snappy(compressed) == input)
    }

    @Test(arguments: [1, 6, 9])
    func gzipIsOneRFC1952Member(level: Int) throws {
        let compressed = try PageCompressor(compression: .gzip, level: level).compress(Self.sample)
        #expect(Array(compressed.prefix(3)) == [0x1F, 0x8B, 0x08])
        #expect(compressed.count < Self.sample.count)
        #expect(Decompress.gzip(compressed, expectedSize: Self.sample.count) == Self.sample)
    }

    @Test(arguments: [1, 3, 19])
    func zstdIsOneStandardFrame(level: Int) throws {
        let compressed = try PageCompressor(compression: .zstd, level: level).compress(Self.sample)
        #expect(Array(compressed.prefix(4)) == [0x28, 0xB5, 0x2F, 0xFD])
        #expect(Decompress.zstd(compressed) == Self.sample)
    }

    @Test func emptyInputsRoundTripThroughEveryCodec() throws {
        #expect(Decompress.zstd(try PageCompressor(compression: .zstd, level: nil).compress([])) == [])
        #expect(Decompress.gzip(try PageCompressor(compression: .gzip, level: nil).compress([]), expectedSize: 0) == [])
        #expect(try PageCompressor(compression: .none, level: nil).compress(Self.sample) == Self.sample)
    }

    /// One compressor serves every page of a file: a page bigger than the buffer it keeps, then small
    /// and empty ones, each come back whole, in arrays of their own.
    @Test(arguments: [ParquetCompression.zstd, .gzip, .snappy, .none])
    func oneCompressorForPagesOfEverySize(compression: ParquetCompression) throws {
        let compressor = PageCompressor(compression: compression, level: nil)
        var generator = SplitMix64(seed: 7)
        let big = (0..<(PageCompressor.keptBufferLimit + 4096)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for input in [Self.sample, big, [0x41], Self.sample, [], big, Self.sample] {
            let compressed = try compressor.compress(input)
            let decompressed: [UInt8]? =
                switch compression {
                case .zstd: Decompress.zstd(compressed)
                case .gzip: Decompress.gzip(compressed, expectedSize: input.count)
                case .snappy: Decompress.snappy(compressed)
                case .none: compressed
                }
            #expect(decompressed == input, "\(compression) page of \(input.count) bytes")
            #expect(compressed.capacity <= compressed.count + 4096, "a kept page holds its bytes, not the scratch buffer")
            compressed.withUnsafeBufferPointer { page in
                input.withUnsafeBufferPointer { #expect(page.count == 0 || page.baseAddress != $0.baseAddress) }
            }
        }
    }

    @Test func higherZstdLevelsAreNotLarger() throws {
        let fast = try PageCompressor(compression: .zstd, level: 1).compress(Self.sample)
        let strong = try PageCompressor(compression: .zstd, level: 19).compress(Self.sample)
        #expect(strong.count <= fast.count)
    }
}
