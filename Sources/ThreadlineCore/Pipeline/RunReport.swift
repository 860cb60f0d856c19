/// What a run did: the manifest's content and the closing summary's numbers.
public struct RunReport: Sendable {
    /// How much of an input was read.
    package enum InputStatus: String, Sendable, Comparable {
        /// Every record was read.
        case ok
        /// Some records were rejected on their own.
        case partial
        /// The whole input (or one of its parts) was rejected: its rows could not be counted.
        case rejected

        package static func < (lhs: InputStatus, rhs: InputStatus) -> Bool { lhs.severity < rhs.severity }

        private var severity: Int {
            switch self {
            case .ok: 0
            case .partial: 1
            case .rejected: 2
            }
        }
    }

    /// How a run got an input's rows.
    package enum InputOrigin: Sendable, Equatable {
        /// Read and transformed by this run.
        case processed
        /// Unchanged since the run that recorded it: written from its record (incremental runs).
        case reused
        /// Read by shard `index` of a sharded run, written from its record by `merge`.
        case shard(Int)
    }

    /// One input of the manifest, all of its parts counted in.
    package struct Input: Sendable {
        package var step: String
        package var path: String
        package var bytes: Int64
        package var sha256: String
        /// Input rows read (messages plus records rejected on their own).
        package var rows: Int
        package var rejectedRows: Int
        package var status: InputStatus
        package var origin: InputOrigin = .processed
    }

    package struct Output: Sendable {
        package var path: String
        /// The table it holds; several for the run report; `_rejects` for `_rejects.jsonl`.
        package var tables: [String]
        package var format: String
        package var rows: Int
        package var bytes: Int64
        package var sha256: String
        /// For a part file of a partitioned output: the output's folder, and the part's partition.
        package var dataset: String?
        package var partition: [PartitionValue] = []
    }

    public package(set) var runID: String
    package var pipeline: String
    package var pipelineSHA256: String
    /// The `--set` overrides the run applied over the pipeline file.
    package var overrides: [String] = []
    package var startedAt: Timestamp
    package var endedAt: Timestamp
    package var inputs: [Input] = []
    package var outputs: [Output] = []
    public package(set) var rowsPerTable: [Table: Int] = [:]
    public package(set) var inputRows = 0
    public package(set) var rejectedRows = 0
    /// Message rows a run-wide transform merged into others (`dedupe`'s twins): read, not written.
    public package(set) var mergedRows = 0
    public package(set) var rejects = 0
    /// Files rejected whole, or in part (the rest of a page libxml2 stopped reading), whose rows could
    /// not be counted, and the input bytes not read.
    package var rejectedFiles = 0
    package var rejectedFileBytes: Int64 = 0
    package var notes = RunNotes()
    /// The checks of the tables' keys on the rows written, in table order.
    var keyChecks: [KeyCheck.Outcome] = []
    public package(set) var status: ExitStatus = .success

    /// Rows out: the messages written.
    public var outputRows: Int { rowsPerTable[.messages] ?? 0 }

    /// Whether every input row is accounted for: rows in = rows out + rows rejected + rows merged.
    public var isBalanced: Bool { inputRows == outputRows + rejectedRows + mergedRows }

    public var elapsedSeconds: Double { Double(endedAt.microseconds - startedAt.microseconds) / 1_000_000 }

    public var inputBytes: Int64 { inputs.reduce(0) { $0 + $1.bytes } }
}

extension RunReport {
    /// The report of a run of `spec` that starts now: a new run id, the pipeline and its overrides.
    init(starting spec: PipelineSpec) {
        let now = Timestamp.now
        self.init(runID: PipelineRunner.makeRunID(now), pipeline: spec.file, pipelineSHA256: spec.sha256, startedAt: now, endedAt: now)
        overrides = spec.overrides
    }
}
