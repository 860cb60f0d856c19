import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One part file of a partitioned output, once written.
struct PartFile: Sendable {
    /// Relative to `output_root`: `messages.parquet/document_id=x/part-00000.parquet`.
    var relativePath: String
    /// Its partition: each column with its value (nil for Hive's default partition).
    var partition: [PartitionValue]
    var rows: Int
    var bytes: Int64
    var sha256: String
}

/// Writes one table as a folder of Hive partitions: each row goes to the part file of its partition
/// (`document_id=x/part-00000.parquet`), written by a sink of the output's format made for it.
///
/// The partition columns stay in the files, so every part is a whole table of its own (a reader
/// that knows nothing of partitions, the data package, `frictionless`), and readers that take the
/// values from the folder names read the same values (see docs/pipeline.md).
///
/// Memory: at most `maxOpen` part files are open at once; when another partition needs one, the
/// one written least recently is finished, and a later row of its partition starts its next part
/// (`part-00001`). Rows come ordered by `document_id`, so a `document_id` partition is written in
/// one go; a `sent_month` partition may take several parts.
final class PartitionedSink: TableSink {
    private struct Open {
        let sink: any TableSink
        let relativePath: String
        let stagingPath: String
        let partition: [PartitionValue]
        var rows = 0
        var lastUse = 0
    }

    private let table: Table
    /// Each partition column with the index of the table column its values come from.
    private let columns: [(column: PartitionColumn, index: Int)]
    private let folder: StagedOutput
    private let fileExtension: String
    /// Part file names start with it: `part` (`part-00000.parquet`), or a shard's `part-2-of-3`.
    private let partPrefix: String
    private let maxOpen: Int
    private let makeSink: (StagedOutput) throws -> any TableSink

    private var open: [String: Open] = [:]
    /// Parts started per partition folder: the number of the next one.
    private var started: [String: Int] = [:]
    private var uses = 0
    private(set) var parts: [PartFile] = []

    init(
        table: Table, partitionBy: [PartitionColumn], folder: StagedOutput, fileExtension: String, partPrefix: String, maxOpen: Int,
        makeSink: @escaping (StagedOutput) throws -> any TableSink
    ) {
        self.table = table
        columns = partitionBy.compactMap { column in column.sourceColumn(in: table).map { (column, $0) } }
        self.folder = folder
        self.fileExtension = fileExtension
        self.partPrefix = partPrefix
        self.maxOpen = max(1, maxOpen)
        self.makeSink = makeSink
    }

    func write(_ rows: [Row], of table: Table) throws {
        // Consecutive rows of one partition go to its sink as one batch.
        var batch: [Row] = []
        var batchFolder = ""
        var batchPartition: [PartitionValue] = []
        for row in rows {
            let partition = columns.map { PartitionValue(column: $0.column.rawValue, value: $0.column.value(row[$0.index])) }
            let folderPath = partition.map { HivePath.folderName(column: $0.column, value: $0.value) }.joined(separator: "/")
            if folderPath != batchFolder, !batch.isEmpty {
                try write(batch, to: batchFolder, partition: batchPartition)
                batch.removeAll(keepingCapacity: true)
            }
            batchFolder = folderPath
            batchPartition = partition
            batch.append(row)
        }
        if !batch.isEmpty { try write(batch, to: batchFolder, partition: batchPartition) }
    }

    private func write(_ rows: [Row], to folderPath: String, partition: [PartitionValue]) throws {
        uses += 1
        if open[folderPath] == nil {
            if open.count >= maxOpen, let oldest = open.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                try close(oldest)
            }
            let number = started[folderPath, default: 0]
            started[folderPath] = number + 1
            let digits = String(number)
            let name = "\(partPrefix)-\(String(repeating: "0", count: max(0, 5 - digits.count)))\(digits).\(fileExtension)"
            let relative = folderPath + "/" + name
            let staging = (folder.stagingPath as NSString).appendingPathComponent(relative)
            let partFolder = (staging as NSString).deletingLastPathComponent
            try checkFolderNames(of: folderPath, row: rows[0])
            do {
                try FileManager.default.createDirectory(atPath: partFolder, withIntermediateDirectories: true)
            } catch {
                throw ThreadlineError(.runtimeFailure, "cannot create partition folder '\(folder.relativePath)/\(folderPath)': \(error.localizedDescription)")
            }
            try StagingFiles.shared.add(staging)
            let sink = try makeSink(StagedOutput(stagingPath: staging, relativePath: folder.relativePath + "/" + relative))
            open[folderPath] = Open(sink: sink, relativePath: folder.relativePath + "/" + relative, stagingPath: staging, partition: partition)
        }
        try open[folderPath]!.sink.write(rows, of: table)
        open[folderPath]!.rows += rows.count
        open[folderPath]!.lastUse = uses
    }

    /// A file name is at most 255 bytes (`NAME_MAX`) on Linux file systems, and Hive's folder names
    /// cannot be shortened without changing the value readers take from them: a value too long for
    /// one fails the run as a data error (its input's name is the cause), naming the value, the input
    /// it came from and what to do.
    private func checkFolderNames(of folderPath: String, row: Row) throws {
        let nameMax = 255
        for (name, (column, index)) in zip(folderPath.split(separator: "/"), columns) where name.utf8.count > nameMax {
            var value = column.value(row[index]) ?? ""
            if value.count > 60 { value = String(value.prefix(60)) + "…" }
            var message = "cannot write partition '\(column.rawValue)=\(value)' of '\(folder.relativePath)': "
                + "its folder name of \(name.utf8.count) bytes is over the 255 a file system takes"
            if let file = table.schema.index(of: "source_file"), case .string(let path) = row[file] { message += " (from \(path))" }
            throw ThreadlineError(.dataError, message, notes: [
                "partition this table by another column, or shorten the value (a markdown file's document_id is its name)",
            ])
        }
    }

    /// Finishes the part file open for a partition. Table sinks write nothing about the run, so they
    /// are finished with an empty summary before the run ends.
    private func close(_ folderPath: String, run: RunSummary? = nil) throws {
        guard let part = open.removeValue(forKey: folderPath) else { return }
        try part.sink.finish(run ?? .empty)
        let digest = try part.sink.digest ?? FileDigest.sha256(ofFileAt: part.stagingPath)
        parts.append(PartFile(relativePath: part.relativePath, partition: part.partition, rows: part.rows, bytes: digest.bytes, sha256: digest.sha256))
    }

    func finish(_ run: RunSummary) throws {
        for folderPath in open.keys.sorted() { try close(folderPath, run: run) }
        parts.sort { $0.relativePath < $1.relativePath }
    }
}

extension RunSummary {
    /// A summary of nothing, for sinks finished before the run ends.
    static var empty: RunSummary {
        RunSummary(pipelineName: "", report: RunReport(runID: "", pipeline: "", pipelineSHA256: "", startedAt: .now, endedAt: .now), rejects: [])
    }
}

/// A folder output (a partitioned table) staged as a hidden folder beside its final path and put in
/// place as a whole: the final folder is exchanged with the staging folder in one `renameat2`
/// (`RENAME_EXCHANGE`), so readers see the old dataset or the new one, never a mix, and no part
/// file of an earlier run (a partition this run no longer writes) stays beside the new ones. The
/// old folder, left at the staging path by the exchange, is removed once every output of the run
/// is in place; a failed or stopped commit exchanges it back (see `OutputFile.Placement`).
final class OutputFolder: PlaceableOutput {
    let relativePath: String
    let finalPath: String
    let stagingPath: String
    /// What ``renameIntoPlace()`` did.
    private(set) var placement: OutputFile.Placement

    var staged: StagedOutput { StagedOutput(stagingPath: stagingPath, relativePath: relativePath) }

    init(outputRoot: String, relativePath: String) throws {
        self.relativePath = relativePath
        finalPath = (outputRoot as NSString).appendingPathComponent(relativePath)
        let parent = (finalPath as NSString).deletingLastPathComponent
        stagingPath = (parent as NSString).appendingPathComponent(".\((finalPath as NSString).lastPathComponent).tmp-\(getpid())")
        placement = OutputFile.Placement(finalPath: finalPath, backupPath: stagingPath, hasBackup: false, hadPrevious: false)
        try OutputPaths.makeFolders(of: relativePath, in: outputRoot)
        OutputFolder.removeTree(stagingPath)
        try StagingFiles.shared.add(stagingPath)
        guard mkdir(stagingPath, 0o755) == 0 else {
            throw ThreadlineError(.runtimeFailure, "cannot create output folder '\(stagingPath)': \(String(cString: strerror(errno)))")
        }
    }

    /// Makes every staged part file and folder durable.
    func prepare(_ parts: [PartFile]) throws {
        var folders = Set<String>()
        for part in parts {
            let staged = stagingPath + String(part.relativePath.dropFirst(relativePath.count))
            try OutputFile.fsync(path: staged)
            StagingFiles.shared.remove(staged)
            var folder = (staged as NSString).deletingLastPathComponent
            while folder.count >= stagingPath.count, folders.insert(folder).inserted {
                folder = (folder as NSString).deletingLastPathComponent
            }
        }
        for folder in folders.sorted(by: >) { OutputFile.syncFolder(folder) }
        var status = stat()
        if lstat(finalPath, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, !OutputFolder.isPartitionedDataset(finalPath) {
            throw ThreadlineError(.runtimeFailure, "cannot write '\(finalPath)': it is a folder that is not a partitioned dataset",
                                  notes: ["remove or rename the folder, or choose another path for this output"])
        }
    }

    /// Puts the staged folder in place: exchanged with what is at the final path (a folder of an
    /// earlier run, or the single file an unpartitioned run wrote), or renamed there when nothing is.
    func renameIntoPlace() throws {
        var status = stat()
        if lstat(finalPath, &status) == 0 {
            guard OutputFolder.exchange(stagingPath, finalPath) else {
                throw ThreadlineError(.runtimeFailure, "cannot put '\(finalPath)' in place: \(String(cString: strerror(errno)))",
                                      notes: ["the file system must support renameat2 with RENAME_EXCHANGE (ext4, xfs, btrfs, tmpfs do)"])
            }
            placement = OutputFile.Placement(exchanged: finalPath, with: stagingPath)
        } else {
            guard rename(stagingPath, finalPath) == 0 else {
                throw ThreadlineError(.runtimeFailure, "cannot rename '\(stagingPath)' to '\(finalPath)': \(String(cString: strerror(errno)))")
            }
            placement = OutputFile.Placement(placedFolder: finalPath, from: stagingPath)
        }
        OutputFile.syncFolder((finalPath as NSString).deletingLastPathComponent)
    }

    /// Removes the staged folder, leaving any previous output as it was (nothing once it is placed).
    func discard() {
        StagingFiles.shared.remove(stagingPath)
        if !placement.exchanged { OutputFolder.removeTree(stagingPath) }
    }

    /// Whether `path` is a folder that holds only partition folders (`column=value`), as a
    /// partitioned output is: such a folder an output may replace; any other it refuses to.
    static func isPartitionedDataset(_ path: String) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { return false }
        let partitions = names.filter { !$0.hasPrefix(".") }
        return !partitions.isEmpty && partitions.allSatisfy { $0.contains("=") && !$0.hasPrefix("=") }
    }

    /// Removes a file or a folder and all it holds (links are removed, never followed).
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                removeTree((path as NSString).appendingPathComponent(name))
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's `renameat2`, found at run time (Swift's Glibc module does not declare it).
    private static let renameat2: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Exchanges two paths atomically (`RENAME_EXCHANGE`): both must exist.
    static func exchange(_ a: String, _ b: String) -> Bool {
        guard let renameat2 else {
            errno = ENOSYS
            return false
        }
        let renameExchange: UInt32 = 1 << 1
        return renameat2(AT_FDCWD, a, AT_FDCWD, b, renameExchange) == 0
    }
}

/// An output the commit renames into place (``StagingFiles/place(_:)``): a file or a folder.
protocol PlaceableOutput: AnyObject {
    var stagingPath: String { get }
    /// Puts the staged output at its final path.
    func renameIntoPlace() throws
    /// What ``renameIntoPlace()`` did, to undo or settle it.
    var placement: OutputFile.Placement { get }
}

extension OutputFile: PlaceableOutput {}
