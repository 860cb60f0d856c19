/// A step that writes tables.
package protocol LoadStep: Sendable {
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
package struct LoadOutput: Sendable, Hashable {
    /// Relative to `output_root`.
    package let relativePath: String
    /// The tables whose rows it takes, in schema order.
    package let tables: [Table]
    /// `jsonl`, `csv`, `parquet`, `html`: as the manifest and the data package name it.
    package let format: String
    /// The columns its table is partitioned by: then `relativePath` is a folder of Hive partitions,
    /// each a folder `column=value` of part files (see `PartitionedSink`). Empty: one file.
    package let partitionBy: [PartitionColumn]

    package init(relativePath: String, tables: [Table], format: String, partitionBy: [PartitionColumn] = []) {
        self.relativePath = relativePath
        self.tables = tables
        self.format = format
        self.partitionBy = partitionBy
    }

    /// Whether it is a folder of partitions rather than one file.
    package var isPartitioned: Bool { !partitionBy.isEmpty }
}

extension LoadStep {
    /// Part files of one partitioned output open at once, at most (see `PartitionedSink`).
    package var maxOpenPartitions: Int { 32 }

    /// The tables it writes, in schema order.
    package var tables: [Table] {
        Table.allCases.filter { table in outputs.contains { $0.tables.contains(table) } }
    }

    /// The path of the file that holds `table` alone, if the step writes one.
    package func relativePath(for table: Table) -> String? {
        outputs.first { $0.tables == [table] }?.relativePath
    }
}

/// Where a sink writes: a staging file that the run renames into place when it commits.
package struct StagedOutput: Sendable {
    /// The file the sink creates and writes.
    package let stagingPath: String
    /// The output's path relative to `output_root`, for messages.
    package let relativePath: String

    package init(stagingPath: String, relativePath: String) {
        self.stagingPath = stagingPath
        self.relativePath = relativePath
    }
}

/// Writes the rows of one output file. A sink is used by one thread at a time.
package protocol TableSink: AnyObject {
    /// Rows of one of its output's tables, in the order the run writes them.
    func write(_ rows: [Row], of table: Table) throws
    /// Ends the file once every row is written; `run` says what the run did (for the report).
    func finish(_ run: RunSummary) throws
    /// Size and SHA-256 of the finished file when the sink hashed it while writing; nil makes the
    /// runner read the file back.
    var digest: (bytes: Int64, sha256: String)? { get }
}

extension TableSink {
    package var digest: (bytes: Int64, sha256: String)? { nil }
}

/// What a run did, for the sinks that write about the run as a whole: its report so far (rows,
/// inputs, notes, status), every reject, and the pipeline's name.
package struct RunSummary: Sendable {
    package let pipelineName: String
    package let report: RunReport
    package let rejects: [Reject]

    package init(pipelineName: String, report: RunReport, rejects: [Reject]) {
        self.pipelineName = pipelineName
        self.report = report
        self.rejects = rejects
    }
}
