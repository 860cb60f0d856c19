/// The physical shape of one column: its leaf type, levels and schema path.
struct LeafDescriptor {
    let column: ParquetColumn
    let physicalType: PhysicalType
    /// The highest definition level: +1 per OPTIONAL or REPEATED node on the path.
    let maxDefinitionLevel: UInt8
    /// The highest repetition level: +1 per REPEATED node on the path.
    let maxRepetitionLevel: UInt8
    /// The leaf's path from the root's children (`["tags", "list", "element"]` for a list).
    let path: [String]

    init(_ column: ParquetColumn) {
        self.column = column
        switch column.type {
        case .string, .stringList: physicalType = .byteArray
        case .int32: physicalType = .int32
        case .int64, .timestampMicrosUTC: physicalType = .int64
        case .bool: physicalType = .boolean
        }
        let optionalLevel: UInt8 = column.nullable ? 1 : 0
        if column.type == .stringList {
            // optional-or-required group (LIST) > repeated group list > optional element
            maxDefinitionLevel = optionalLevel + 2
            maxRepetitionLevel = 1
            path = [column.name, "list", "element"]
        } else {
            maxDefinitionLevel = optionalLevel
            maxRepetitionLevel = 0
            path = [column.name]
        }
    }

    /// Whether values are byte strings, which are dictionary-encoded when enabled.
    var isByteArray: Bool { physicalType == .byteArray }
}

/// A finished, compressed page: its serialized header and body.
struct EncodedPage {
    let header: [UInt8]
    let body: [UInt8]
    let uncompressedBodySize: Int

    /// The page's size in the file.
    var compressedSize: Int { header.count + body.count }
    /// The page's size with an uncompressed body.
    var uncompressedSize: Int { header.count + uncompressedBodySize }
}

/// Buffers one column's values for the current row group and turns them into a column chunk.
///
/// Values arrive one row at a time. They go into the current data page as levels and values
/// (dictionary indices or PLAIN bytes); a page is closed at a row boundary once it reaches the page
/// size or value count, then compressed and kept until the row group is flushed, because the dictionary page, which
/// grows until then, must come first in the chunk. When the dictionary outgrows its limit, the current
/// page is closed and the rest of the chunk is written as PLAIN.
struct ColumnChunkWriter {
    let leaf: LeafDescriptor
    private let compressor: PageCompressor
    private let dataPageSize: Int
    private let dataPageMaxValues: Int
    private let dictionaryLimit: Int
    private let dictionaryEnabled: Bool

    // The current page.
    private var repetitionLevels: [UInt8] = []
    private var definitionLevels: [UInt8] = []
    private var levelCount = 0
    private var dictionaryIndices: [UInt32] = []
    private var plainValues = PlainEncoder()
    /// The page body being encoded, kept between pages so a page does not grow a new buffer (about
    /// 1 MiB, by doubling) each time.
    private var pageBody: [UInt8] = []

    // The current chunk.
    private var dictionary = DictionaryEncoder()
    private var usesDictionary: Bool
    private var pages: [EncodedPage] = []
    private var pagesSize = 0
    private var chunkValueCount = 0
    private var dataPageEncodings: Set<Encoding> = []
    private var statistics: StatisticsCollector

    init(leaf: LeafDescriptor, compressor: PageCompressor, options: ParquetWriterOptions) {
        self.leaf = leaf
        self.compressor = compressor
        dataPageSize = options.dataPageSize
        dataPageMaxValues = options.dataPageMaxValues
        dictionaryLimit = options.dictionaryPageSizeLimit
        dictionaryEnabled = options.dictionary && leaf.isByteArray
        usesDictionary = dictionaryEnabled
        statistics = StatisticsCollector(type: leaf.physicalType)
    }

    /// The bytes this chunk would take if flushed now (an estimate for the current page).
    ///
    /// The dictionary counts even after a fallback to PLAIN: its page is still written first.
    ///
    /// Inlined, as is `currentPageSize`, because both are read after every value from mutating code,
    /// and a call would copy the whole writer to pass it.
    @inline(__always)
    var bufferedSize: Int {
        pagesSize + dictionary.pageBody.count + currentPageSize
    }

    /// An estimate of the current page's uncompressed size.
    @inline(__always)
    private var currentPageSize: Int {
        let levelBits = levelCount * (leaf.maxDefinitionLevel > 1 ? 2 : 1)
        let levels = (leaf.maxDefinitionLevel > 0 ? levelBits / 8 : 0) + (leaf.maxRepetitionLevel > 0 ? levelCount / 8 : 0)
        let indexBits = RLEHybridEncoder.bitWidth(forMaxValue: UInt32(max(dictionary.count, 1) - 1))
        return levels + plainValues.count + dictionaryIndices.count * indexBits / 8
    }

    // MARK: Appending

    /// Appends one row's value, which has already been checked against the column, and returns
    /// `bufferedSize`.
    @discardableResult
    mutating func append(_ value: ParquetValue) throws(ParquetError) -> Int {
        let maxDefinition = leaf.maxDefinitionLevel
        switch value {
        case .null:
            addLevels(repetition: 0, definition: 0)
            statistics.addNull()
        case .string(let text):
            addLevels(repetition: 0, definition: maxDefinition)
            appendBytes(of: text)
        case .int32(let number):
            addLevels(repetition: 0, definition: maxDefinition)
            plainValues.append(int32: number)
            statistics.add(integer: Int64(number))
        case .int64(let number), .timestamp(let number):
            addLevels(repetition: 0, definition: maxDefinition)
            plainValues.append(int64: number)
            statistics.add(integer: number)
        case .bool(let flag):
            addLevels(repetition: 0, definition: maxDefinition)
            plainValues.append(bool: flag)
            statistics.add(integer: flag ? 1 : 0)
        case .stringList(let elements):
            if elements.isEmpty {
                // An empty list is defined up to the list group, one level below the element.
                addLevels(repetition: 0, definition: maxDefinition - 2)
                statistics.addNull()
            }
            for (position, element) in elements.enumerated() {
                addLevels(repetition: position == 0 ? 0 : 1, definition: maxDefinition)
                appendBytes(of: element)
            }
        }
        return try endRow()
    }

    private mutating func addLevels(repetition: UInt8, definition: UInt8) {
        if leaf.maxRepetitionLevel > 0 { repetitionLevels.append(repetition) }
        if leaf.maxDefinitionLevel > 0 { definitionLevels.append(definition) }
        levelCount += 1
    }

    /// Appends a string's UTF-8 bytes, as a dictionary index or PLAIN.
    private mutating func appendBytes(of text: String) {
        // A native string's bytes are read in place; others are made contiguous first.
        if text.utf8.withContiguousStorageIfAvailable({ appendBytes(UnsafeRawBufferPointer($0)) }) == nil {
            var text = text
            text.withUTF8 { appendBytes(UnsafeRawBufferPointer($0)) }
        }
    }

    /// Appends a byte string, as a dictionary index or PLAIN.
    private mutating func appendBytes(_ bytes: UnsafeRawBufferPointer) {
        if usesDictionary {
            let (index, inserted) = dictionary.index(of: bytes)
            dictionaryIndices.append(index)
            if inserted { statistics.add(bytes: bytes) }
        } else {
            plainValues.append(byteArray: bytes)
            statistics.add(bytes: bytes)
        }
    }

    /// Closes the page when it is full, and falls back to PLAIN when the dictionary is too big; returns
    /// `bufferedSize`.
    private mutating func endRow() throws(ParquetError) -> Int {
        if usesDictionary && dictionary.pageBody.count > dictionaryLimit {
            try finishPage()
            usesDictionary = false
        } else if levelCount >= dataPageMaxValues || currentPageSize >= dataPageSize {
            try finishPage()
        }
        return bufferedSize
    }

    // MARK: Pages

    /// Encodes, compresses and keeps the current page, if it has any levels.
    private mutating func finishPage() throws(ParquetError) {
        guard levelCount > 0 else { return }
        pageBody.removeAll(keepingCapacity: true)
        if leaf.maxRepetitionLevel > 0 {
            RLEHybridEncoder.writeLevels(repetitionLevels, maxLevel: leaf.maxRepetitionLevel, into: &pageBody)
        }
        if leaf.maxDefinitionLevel > 0 {
            RLEHybridEncoder.writeLevels(definitionLevels, maxLevel: leaf.maxDefinitionLevel, into: &pageBody)
        }
        let encoding: Encoding
        if usesDictionary && !dictionaryIndices.isEmpty {
            encoding = .rleDictionary
            let bitWidth = RLEHybridEncoder.bitWidth(forMaxValue: UInt32(dictionary.count - 1))
            pageBody.append(UInt8(bitWidth))
            RLEHybridEncoder.encode(dictionaryIndices, bitWidth: bitWidth, into: &pageBody)
        } else {
            encoding = .plain
            pageBody.append(contentsOf: plainValues.finishedBytes)
        }
        let page = try makePage(
            kind: .data(valueCount: Int32(clamping: levelCount), encoding: encoding), body: pageBody)
        if pageBody.capacity > PageCompressor.keptBufferLimit { pageBody = [] }
        pages.append(page)
        pagesSize += page.compressedSize
        chunkValueCount += levelCount
        dataPageEncodings.insert(encoding)

        repetitionLevels.removeAll(keepingCapacity: true)
        definitionLevels.removeAll(keepingCapacity: true)
        dictionaryIndices.removeAll(keepingCapacity: true)
        plainValues.removeAll()
        levelCount = 0
    }

    /// Compresses `body` and builds its header.
    private func makePage(kind: PageHeader.Kind, body: [UInt8]) throws(ParquetError) -> EncodedPage {
        guard body.count <= Int32.max else {
            throw ParquetError(
                .invalidRow, "a page of \(body.count) bytes is over parquet's 2 GiB page limit",
                column: leaf.column.name)
        }
        let compressed = try compressor.compress(body)
        guard compressed.count <= Int32.max else {
            throw ParquetError(
                .compression, "a compressed page of \(compressed.count) bytes is over the 2 GiB page limit",
                column: leaf.column.name)
        }
        let header = PageHeader(
            kind: kind, uncompressedSize: Int32(body.count), compressedSize: Int32(compressed.count))
        return EncodedPage(header: header.thriftBytes, body: compressed, uncompressedBodySize: body.count)
    }

    // MARK: Chunks

    /// Writes the chunk (dictionary page first, then the data pages) and starts a new one.
    ///
    /// Returns the chunk's metadata, with offsets taken from `sink`.
    mutating func flushChunk(to sink: FileSink, codec: Int32) throws(ParquetError) -> ColumnMetadata {
        try finishPage()
        let chunkStart = sink.offset
        var totalCompressed = 0
        var totalUncompressed = 0
        var encodings = dataPageEncodings
        var dictionaryPageOffset: Int64?
        if dataPageEncodings.contains(.rleDictionary) {
            let page = try makePage(kind: .dictionary(entryCount: Int32(dictionary.count)), body: dictionary.pageBody)
            dictionaryPageOffset = chunkStart
            try sink.write(page.header)
            try sink.write(page.body)
            totalCompressed += page.compressedSize
            totalUncompressed += page.uncompressedSize
            encodings.insert(.plain)
        }
        if leaf.maxDefinitionLevel > 0 || leaf.maxRepetitionLevel > 0 { encodings.insert(.rle) }
        let dataPageOffset = sink.offset
        for page in pages {
            try sink.write(page.header)
            try sink.write(page.body)
            totalCompressed += page.compressedSize
            totalUncompressed += page.uncompressedSize
        }
        let metadata = ColumnMetadata(
            type: leaf.physicalType,
            encodings: encodings.sorted(),
            path: leaf.path,
            codec: codec,
            valueCount: Int64(chunkValueCount),
            totalUncompressedSize: Int64(totalUncompressed),
            totalCompressedSize: Int64(totalCompressed),
            dataPageOffset: dataPageOffset,
            dictionaryPageOffset: dictionaryPageOffset,
            statistics: statistics.metadata)
        resetChunk()
        return metadata
    }

    private mutating func resetChunk() {
        dictionary.removeAll()
        usesDictionary = dictionaryEnabled
        pages = []
        pagesSize = 0
        chunkValueCount = 0
        dataPageEncodings = []
        statistics.reset()
    }
}
