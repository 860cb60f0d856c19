/// A step that writes tables.
public protocol LoadStep: Sendable {
    /// The files it writes, each with the tables whose rows it takes: a table file takes one table,
    /// the run report several.
    var outputs: [LoadOutput] { get }
    /// Opens the writer of one of its outputs, writing to the output's staging file (for a
    /// partitioned output, to one of its part files).
    func makeSink(for output: LoadOutput, staged: StagedOutput) throws -> any TableSink
    /// Part files of one partitioned output open at once, at most: what bounds the memory of a
    /// partitioned writer.
    var maxOpenPartitions: Int { get }
}

/// One file a load step writes.
public struct LoadOutput: Sendable, Hashable {
    /// Relative to `output_root`.
    public let relativePath: String
    /// The tables whose rows it takes, in schema order.
    public let tables: [Table]
    /// `jsonl`, `csv`, `parquet`, `html`: as the manifest and the data package name it.
    public let format: String
    /// The columns its table is partitioned by: then `relativePath` is a folder of Hive partitions,
    /// each a folder `column=value` of part files (see `PartitionedSink`). Empty: one file.
    public let partitionBy: [PartitionColumn]

    public init(relativePath: String, tables: [Table], format: String, partitionBy: [PartitionColumn] = []) {
        self.relativePath = relativePath
        self.tables = tables
        self.format = format
        self.partitionBy = partitionBy
    }

    /// Whether it is a folder of partitions rather than one file.
    public var isPartitioned: Bool { !partitionBy.isEmpty }
}

extension LoadStep {
    /// Part files of one partitioned output open at once, at most (see `PartitionedSink`).
    public var maxOpenPartitions: Int { 32 }

    /// The tables it writes, in schema order.
    public var tables: [Table] {
        Table.allCases.filter { table in outputs.contains { $0.tables.contains(table) } }
    }

    /// The path of the file that holds `table` alone, if the step writes one.
    public func relativePath(for table: Table) -> String? {
        outputs.first { $0.tables == [table] }?.relativePath
    }
}

/// Where a sink writes: a staging file that the run renames into place when it commits.
public struct StagedOutput: Sendable {
    /// The file the sink creates and writes.
    public let stagingPath: String
    /// The output's path relative to `output_root`, for messages.
    public let relativePath: String

    public init(stagingPath: String, relativePath: String) {
        self.stagingPath = stagingPath
        self.relativePath = relativePath
    }
}

/// Writes the rows of one output file. A sink is used by one thread at a time.
public protocol TableSink: AnyObject {
    /// Rows of one of its output's tables, in the order the run writes them.
    func write(_ rows: [Row], of table: Table) throws
    /// Ends the file once every row is written; `run` says what the run did (for the report).
    func finish(_ run: RunSummary) throws
    /// Size and SHA-256 of the finished file when the sink hashed it while writing; nil makes the
    /// runner read the file back.
    var digest: (bytes: Int64, sha256: String)? { get }
}

extension TableSink {
    public var digest: (bytes: Int64, sha256: String)? { nil }
}

/// What a run did, for the sinks that write about the run as a whole: its report so far (rows,
/// inputs, notes, status), every reject, and the pipeline's name.
public struct RunSummary: Sendable {
    public let pipelineName: String
    public let report: RunReport
    public let rejects: [Reject]

    public init(pipelineName: String, report: RunReport, rejects: [Reject]) {
        self.pipelineName = pipelineName
        self.report = report
        self.rejects = rejects
    }
}
