import CParserFloor

#if canImport(Glibc)
    import Glibc
#endif

/// Streams the file at `path` through libxml2's HTML push parser, as threadline's HTMLStreamParser
/// feeds it (64 KiB chunks; RECOVER, NONET, NOERROR, NOWARNING), with callbacks that only count start
/// tags, end tags and text runs: what parsing costs before any Swift value is made. Nil when the file
/// cannot be read or libxml2 cannot start.
func htmlEventCount(file path: String, chunkSize: Int = 64 * 1024) -> (events: Int, bytes: Int)? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var counter = Counter()
    return withUnsafeMutablePointer(to: &counter) { counter -> (events: Int, bytes: Int)? in
        var callbacks = htmlSAXHandler()
        callbacks.initialized = XML_SAX2_MAGIC
        callbacks.startElement = { context, _, _ in Counter.from(context).pointee.events += 1 }
        callbacks.endElement = { context, _ in Counter.from(context).pointee.events += 1 }
        callbacks.characters = { context, _, length in
            if length > 0 { Counter.from(context).pointee.events += 1 }
        }
        callbacks.ignorableWhitespace = callbacks.characters
        callbacks.serror = { _, _ in }
        guard let parser = htmlCreatePushParserCtxt(&callbacks, counter, nil, 0, nil, XML_CHAR_ENCODING_UTF8)
        else { return nil }
        defer { htmlFreeParserCtxt(parser) }
        htmlCtxtUseOptions(
            parser,
            Int32(HTML_PARSE_RECOVER.rawValue) | Int32(HTML_PARSE_NONET.rawValue) | Int32(HTML_PARSE_NOERROR.rawValue)
                | Int32(HTML_PARSE_NOWARNING.rawValue))
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var bytes = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { return nil }
            if count == 0 { break }
            bytes += count
            // libxml2 2.9 can resume a look-ahead past the byte it needs and then buffer the rest of
            // the page; HTMLStreamParser starts each chunk's look-ahead afresh, and so does this.
            parser.pointee.checkIndex = 0
            _ = buffer.withUnsafeBytes { htmlParseChunk(parser, $0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(count), 0) }
        }
        _ = htmlParseChunk(parser, nil, 0, 1)
        return (counter.pointee.events, bytes)
    }
}

/// What the callbacks count, reached through libxml2's user-data pointer.
private struct Counter {
    var events = 0

    static func from(_ context: UnsafeMutableRawPointer?) -> UnsafeMutablePointer<Counter> {
        context!.assumingMemoryBound(to: Counter.self)
    }
}
