// Reports the Parquet writer's throughput and peak memory for message-shaped rows.
//
//     swift run -c release --package-path Benchmarks parquet-writer-bench [rows] [none|snappy|gzip|zstd] [output path]
//
// Rows follow the messages table's schema with realistic shapes: unique 16-hex-digit ids, threads of
// 1-8 messages, a few thousand authors, 50 documents, and unique texts of 5-80 words. The rows are
// generated as they are written; generation alone is timed first and reported apart.

#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import ThreadlineParquet

let arguments = CommandLine.arguments
let rowCount = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let compression = arguments.count > 2 ? ParquetCompression(rawValue: arguments[2]) ?? .zstd : .zstd
let outputPath = arguments.count > 3 ? arguments[3] : "/tmp/threadline-bench-messages.parquet"

let columns: [ParquetColumn] = [
    ParquetColumn(name: "message_id", type: .string),
    ParquetColumn(name: "thread_id", type: .string),
    ParquetColumn(name: "parent_id", type: .string, nullable: true),
    ParquetColumn(name: "position", type: .int32),
    ParquetColumn(name: "document_id", type: .string),
    ParquetColumn(name: "source", type: .string),
    ParquetColumn(name: "source_file", type: .string),
    ParquetColumn(name: "source_line", type: .int32, nullable: true),
    ParquetColumn(name: "author_id", type: .string),
    ParquetColumn(name: "author", type: .string),
    ParquetColumn(name: "author_raw", type: .string),
    ParquetColumn(name: "is_host", type: .bool),
    ParquetColumn(name: "text", type: .string),
    ParquetColumn(name: "text_raw", type: .string),
    ParquetColumn(name: "sent_at", type: .timestampMicrosUTC, nullable: true),
    ParquetColumn(name: "reply_count", type: .int32),
]

/// A deterministic generator, so every run writes the same file.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Makes message rows one at a time.
struct MessageRows {
    private var random = SplitMix64(state: 7)
    private let words: [String]
    private let authors: [(id: String, name: String)]
    private var threadID = ""
    private var parentID = ""
    private var position = 0
    private var threadLength = 0
    private var document = 0
    private var line = 1
    private var time: Int64 = 1_615_161_600_000_000

    init() {
        var random = SplitMix64(state: 11)
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        let vocabulary = (0..<5000).map { _ in
            String((0..<(2 + random.below(9))).map { _ in letters[random.below(26)] })
        }
        words = vocabulary
        authors = (0..<3000).map { index in
            let name = "\(vocabulary[index].capitalized) \(vocabulary[(index + 1777) % 5000].capitalized)"
            return (name.lowercased().replacingOccurrences(of: " ", with: "-"), name)
        }
    }

    private mutating func hexID() -> String {
        let value = random.next()
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    private mutating func text() -> String {
        (0..<(5 + random.below(76))).map { _ in words[random.below(words.count)] }.joined(separator: " ")
    }

    mutating func next() -> [ParquetValue] {
        let id = hexID()
        if position >= threadLength {
            threadID = id
            parentID = id
            position = 0
            threadLength = 1 + random.below(8)
            if random.below(200) == 0 { document = (document + 1) % 50 }
        }
        let author = authors[random.below(authors.count)]
        let body = text()
        time += Int64(random.below(600_000_000))
        line += 3 + random.below(20)
        let row: [ParquetValue] = [
            .string(id), .string(threadID), position == 0 ? .null : .string(parentID), .int32(Int32(position)),
            .string("2021\(String(1001 + document).dropFirst())-book-\(document)"), .string("markdown"),
            .string("books/2021\(String(1001 + document).dropFirst())-book-\(document).md"), .int32(Int32(line)),
            .string(author.id), .string(author.name), .string(author.name), .bool(author.id.hasPrefix("a")),
            .string(body), .string(body + (random.below(4) == 0 ? " &amp;" : "")),
            random.below(10) == 0 ? .null : .timestamp(time), .int32(position == 0 ? Int32(threadLength - 1) : 0),
        ]
        parentID = id
        position += 1
        return row
    }
}

extension String {
    var capitalized: String { prefix(1).uppercased() + dropFirst() }
}

func seconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// User plus system CPU seconds of this process so far (the machine may be shared, so wall time can mislead).
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024  // KiB on Linux
}

// Generation alone, to tell the writer's time apart.
var generator = MessageRows()
var start = seconds()
var startCPU = cpuSeconds()
var textBytes = 0
for _ in 0..<rowCount {
    if case .string(let text) = generator.next()[12] { textBytes += text.utf8.count }
}
let generationTime = seconds() - start
let generationCPU = cpuSeconds() - startCPU
let baselineRSS = peakResidentMiB()

generator = MessageRows()
start = seconds()
startCPU = cpuSeconds()
do {
    let writer = try ParquetFileWriter(
        path: outputPath, columns: columns, options: ParquetWriterOptions(compression: compression))
    for _ in 0..<rowCount {
        try writer.write(row: generator.next())
    }
    let summary = try writer.close()
    let total = seconds() - start
    let totalCPU = cpuSeconds() - startCPU
    let writeTime = max(total - generationTime, 1e-9)
    let writeCPU = max(totalCPU - generationCPU, 1e-9)
    print("rows:             \(summary.rows) (\(summary.rowGroups) row group(s)), text \(textBytes >> 20) MiB")
    print("file:             \(outputPath), \(summary.bytes) bytes (\(compression.rawValue))")
    print("generation:       \(String(format: "%.2f", generationTime)) s wall, \(String(format: "%.2f", generationCPU)) s cpu")
    print("generate + write: \(String(format: "%.2f", total)) s wall, \(String(format: "%.2f", totalCPU)) s cpu")
    print(
        "writer:           \(Int(Double(summary.rows) / writeTime)) rows/s by wall time, "
            + "\(Int(Double(summary.rows) / writeCPU)) rows/s by cpu time")
    print("peak RSS:         \(String(format: "%.0f", peakResidentMiB())) MiB (\(String(format: "%.0f", baselineRSS)) MiB before writing)")
} catch {
    print("error: \(error)")
    exit(1)
}
