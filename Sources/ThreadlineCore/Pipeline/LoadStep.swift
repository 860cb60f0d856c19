/// A step that writes tables.
public protocol LoadStep: Sendable {
    /// The tables it writes, in schema order.
    var tables: [Table] { get }
    /// The output path of a table, relative to `output_root`.
    func relativePath(for table: Table) -> String
    /// Opens the writer of one table, writing to the staging file of `output`.
    func makeSink(for table: Table, output: StagedOutput) throws -> any TableSink
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

/// Writes the rows of one table to one file. A sink is used by one thread at a time.
public protocol TableSink: AnyObject {
    var format: String { get }
    func write(_ rows: [Row]) throws
    /// Ends the file; the runner then commits it into place.
    func finish() throws
    /// Size and SHA-256 of the finished file when the sink hashed it while writing; nil makes the
    /// runner read the file back.
    var digest: (bytes: Int64, sha256: String)? { get }
}

extension TableSink {
    public var digest: (bytes: Int64, sha256: String)? { nil }
}
