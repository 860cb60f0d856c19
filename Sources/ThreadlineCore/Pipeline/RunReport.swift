/// What a run did: the manifest's content and the closing summary's numbers.
public struct RunReport: Sendable {
    /// How much of an input was read.
    public enum InputStatus: String, Sendable, Comparable {
        /// Every record was read.
        case ok
        /// Some records were rejected on their own.
        case partial
        /// The whole input (or one of its parts) was rejected: its rows could not be counted.
        case rejected

        public static func < (lhs: InputStatus, rhs: InputStatus) -> Bool { lhs.severity < rhs.severity }

        private var severity: Int {
            switch self {
            case .ok: 0
            case .partial: 1
            case .rejected: 2
            }
        }
    }

    /// How a run got an input's rows.
    public enum InputOrigin: Sendable, Equatable {
        /// Read and transformed by this run.
        case processed
        /// Unchanged since the run that recorded it: written from its record (incremental runs).
        case reused
        /// Read by shard `index` of a sharded run, written from its record by `merge`.
        case shard(Int)
    }

    /// One input of the manifest, all of its parts counted in.
    public struct Input: Sendable {
        public var step: String
        public var path: String
        public var bytes: Int64
        public var sha256: String
        /// Input rows read (messages plus records rejected on their own).
        public var rows: Int
        public var rejectedRows: Int
        public var status: InputStatus
        public var origin: InputOrigin = .processed
    }

    public struct Output: Sendable {
        public var path: String
        /// The table it holds; several for the run report; `_rejects` for `_rejects.jsonl`.
        public var tables: [String]
        public var format: String
        public var rows: Int
        public var bytes: Int64
        public var sha256: String
        /// For a part file of a partitioned output: the output's folder, and the part's partition.
        public var dataset: String?
        public var partition: [PartitionValue] = []
    }

    public var runID: String
    public var pipeline: String
    public var pipelineSHA256: String
    /// The `--set` overrides the run applied over the pipeline file.
    public var overrides: [String] = []
    public var startedAt: Timestamp
    public var endedAt: Timestamp
    public var inputs: [Input] = []
    public var outputs: [Output] = []
    public var rowsPerTable: [Table: Int] = [:]
    public var inputRows = 0
    public var rejectedRows = 0
    /// Message rows a run-wide transform merged into others (`dedupe`'s twins): read, not written.
    public var mergedRows = 0
    public var rejects = 0
    /// Files rejected whole, or in part (the rest of a page libxml2 stopped reading), whose rows could
    /// not be counted, and the input bytes not read.
    public var rejectedFiles = 0
    public var rejectedFileBytes: Int64 = 0
    public var notes = RunNotes()
    /// The checks of the tables' keys on the rows written, in table order.
    var keyChecks: [KeyCheck.Outcome] = []
    public var status: ExitStatus = .success

    /// Rows out: the messages written.
    public var outputRows: Int { rowsPerTable[.messages] ?? 0 }

    /// Whether every input row is accounted for: rows in = rows out + rows rejected + rows merged.
    public var isBalanced: Bool { inputRows == outputRows + rejectedRows + mergedRows }

    public var elapsedSeconds: Double { Double(endedAt.microseconds - startedAt.microseconds) / 1_000_000 }

    public var inputBytes: Int64 { inputs.reduce(0) { $0 + $1.bytes } }
}
