import Dispatch
import Foundation
import Logging

/// Runs a validated pipeline: extract → transform → load, streaming documents through the steps in
/// bounded windows of inputs that are extracted in parallel and written in a fixed order.
public final class PipelineRunner: Sendable {
    public let spec: PipelineSpec
    public let logger: Logger
    /// Inputs extracted but not yet written, at most.
    public let window: Int
    /// Bytes of input extracted but not yet written, at most (one input always goes through): with
    /// `window`, what bounds the run's memory.
    public let inFlightBytes: Int64
    /// Called after each input (all of its parts) is written, with the inputs done and the total, for
    /// progress display.
    public let progress: (@Sendable (_ done: Int, _ total: Int, _ bytesDone: Int64) -> Void)?
    /// Called after an input of at least ``largeInputBytes`` has been handed to the writers and its
    /// documents let go: the moment to give the memory they held back to the system (the command line
    /// trims glibc's heaps here, so one big input does not leave the process large for the rest of the
    /// run).
    public let afterLargeInput: (@Sendable () -> Void)?
    /// Inputs at least this big trigger ``afterLargeInput``.
    public static let largeInputBytes: Int64 = 4 << 20
    /// Rows handed to the writers at a time: a big document's messages and threads, and the authors of a
    /// run, are built a batch at a time.
    static let rowBatch = 4096

    public init(
        spec: PipelineSpec, logger: Logger = Logger(label: "threadline"), window: Int = 64, inFlightBytes: Int64 = 32 << 20,
        progress: (@Sendable (Int, Int, Int64) -> Void)? = nil, afterLargeInput: (@Sendable () -> Void)? = nil
    ) {
        self.spec = spec
        self.logger = logger
        self.window = window
        self.inFlightBytes = inFlightBytes
        self.progress = progress
        self.afterLargeInput = afterLargeInput
    }

    /// Sources with the units they will read, in the order rows will be written.
    public struct Plan: Sendable {
        public var units: [(source: Int, unit: InputUnit)]
        public var sources: [ConfiguredStep]

        /// Whether the unit at `index` is a later part of the input of the unit before it (a Slack
        /// export's conversations follow its export part): the manifest, the progress and `--dry-run`
        /// count such an input once.
        public func continuesInput(at index: Int) -> Bool {
            index > 0 && units[index].unit.part != nil && units[index].source == units[index - 1].source
                && units[index].unit.relativePath == units[index - 1].unit.relativePath
        }

        /// The inputs, the parts of one counted once.
        public var inputCount: Int { units.indices.count { !continuesInput(at: $0) } }
    }

    /// Lists the inputs every source will read. Reads no input.
    public func plan() throws -> Plan {
        let catalog = try InputCatalog(root: spec.inputRoot)
        var units: [(source: Int, unit: InputUnit)] = []
        for (index, configured) in spec.extract.enumerated() {
            guard case .source(let source) = configured.step else { continue }
            // What the patterns match but nobody can read is planned too, to be rejected by name.
            let unreadable = catalog.unreadable(include: source.include, exclude: source.exclude).map { entry in
                InputUnit(path: catalog.absolutePath(entry.relativePath), relativePath: entry.relativePath,
                          sortKey: entry.relativePath, bytes: 0, unreadable: entry.unreadable)
            }
            let found = try source.plan(catalog) + unreadable
            if found.isEmpty {
                logger.warning("no input matches this step's include patterns", metadata: ["step": "\(configured.type.name)", "at": "\(configured.location)"])
            }
            units += found.map { (index, $0) }
        }
        units.sort {
            ($0.unit.sortKey, $0.source, $0.unit.relativePath, $0.unit.part ?? "")
                < ($1.unit.sortKey, $1.source, $1.unit.relativePath, $1.unit.part ?? "")
        }
        return Plan(units: units, sources: spec.extract)
    }

    /// Runs the pipeline. Outputs are committed only when the run gets to its end; under `on_error: fail`
    /// a reject ends the run with status 1 and leaves the previous outputs as they were.
    public func run() throws -> RunReport {
        let started = Timestamp.now
        var report = RunReport(
            runID: PipelineRunner.makeRunID(started), pipeline: spec.file, pipelineSHA256: spec.sha256, startedAt: started, endedAt: started)
        report.overrides = spec.overrides
        let lock = RunLock(outputRoot: spec.outputRoot)
        try lock.acquire()
        defer { lock.release() }
        if let previous = lock.previousHolder {
            logger.warning("took over the lock of a run that did not finish", metadata: ["previous": "\(previous)"])
        }
        OutputFile.removeAbandonedStagingFiles(in: spec.outputRoot)
        let plan = try plan()
        guard !plan.units.isEmpty else {
            // An unmounted input folder must not replace last night's tables with empty ones.
            throw ThreadlineError(
                .runtimeFailure, "no input matched any extract step under input_root '\(spec.inputRoot)'",
                at: spec.extract.first?.location,
                notes: ["nothing was written and the previous outputs are as they were; check that input_root is mounted and the include patterns match its files"])
        }
        let transforms = transformSteps()
        let outputs = try OutputSet(spec: spec)
        var authors = AuthorsAccumulator()
        var rejects: [Reject] = []
        do {
            var bytesDone: Int64 = 0
            var inputsDone = 0
            let units = plan.units, sources = plan.sources, inputCount = plan.inputCount
            try orderedParallel(
                count: units.count, maxInFlight: window, maxCost: inFlightBytes,
                cost: { units[$0].unit.bytes }, work: { index in
                PipelineRunner.extract(units[index].unit, with: sources[units[index].source], transforms: transforms)
            }, consume: { index, result in
                let item = units[index]
                let sourceName = sources[item.source].type.name
                report.notes.merge(result.notes)
                report.inputRows += result.inputRows
                let rejectedRows = result.rejects.reduce(0) { $0 + $1.rows }
                report.rejectedRows += rejectedRows
                report.rejects += result.rejects.count
                for reject in result.rejects where reject.isWholeFile {
                    report.rejectedFiles += 1
                    report.rejectedFileBytes += reject.bytes ?? 0
                }
                rejects += result.rejects
                if spec.onError == .fail, let first = result.rejects.first {
                    throw ThreadlineError(.dataError, "rejected: \(first.reason)", at: first.location,
                                          notes: ["on_error is 'fail'; no output was changed. Use on_error: quarantine to go on and collect rejects"])
                }
                let wholeFile = result.rejects.contains { $0.rows == 0 && result.documents.isEmpty }
                let input = RunReport.Input(
                    step: sourceName, path: item.unit.relativePath, bytes: item.unit.bytes, sha256: result.inputSHA256, rows: result.inputRows,
                    rejectedRows: rejectedRows, status: wholeFile ? "rejected" : rejectedRows > 0 ? "partial" : "ok")
                if plan.continuesInput(at: index), let last = report.inputs.last {
                    report.inputs[report.inputs.count - 1] = last.adding(part: input)
                } else {
                    report.inputs.append(input)
                }
                for document in result.documents {
                    authors.add(document)
                    try TableRows.messages(document, batchSize: PipelineRunner.rowBatch) { try outputs.write(.messages, $0) }
                    try TableRows.threads(document, batchSize: PipelineRunner.rowBatch) { try outputs.write(.threads, $0) }
                    try outputs.write(.documents, [TableRows.document(document)])
                }
                bytesDone += item.unit.bytes
                if index + 1 == units.count || !plan.continuesInput(at: index + 1) {
                    inputsDone += 1
                    progress?(inputsDone, inputCount, bytesDone)
                }
            }, released: { index in
                if units[index].unit.bytes >= PipelineRunner.largeInputBytes { afterLargeInput?() }
            })
            try authors.rows(batchSize: PipelineRunner.rowBatch) { try outputs.write(.authors, $0) }
            report.rowsPerTable = outputs.rowCounts
            report.outputs = try outputs.commit(rejects: rejects, quarantine: spec.onError == .quarantine)
        } catch {
            outputs.discard()
            throw error
        }
        report.endedAt = .now
        if spec.maxRejects.isExceeded(report) {
            report.status = .dataError
        }
        try Manifest.write(report, to: spec.outputRoot, pipelineName: spec.name)
        return report
    }

    func transformSteps() -> [any TransformStep] {
        var steps = spec.transform.compactMap { configured -> (any TransformStep)? in
            if case .transform(let step) = configured.step { return step }
            return nil
        }
        if !spec.transform.contains(where: { $0.type.name == LinkThreads.type.name }) { steps.append(LinkThreads()) }
        return steps
    }

    /// Extracts and transforms one unit: what a worker does, concurrently with other units.
    static func extract(_ unit: InputUnit, with configured: ConfiguredStep, transforms: [any TransformStep]) -> ExtractResult {
        var result = ExtractResult()
        guard case .source(let source) = configured.step else { return result }
        if let reason = unit.unreadable {
            result.rejects.append(.wholeFile(unit.relativePath, step: configured.type.name, reason: reason, bytes: 0))
            return result
        }
        source.extract(unit, into: &result)
        for d in result.documents.indices {
            for transform in transforms { transform.apply(to: &result.documents[d], notes: &result.notes) }
        }
        result.documents.sort { $0.id < $1.id }
        if result.inputSHA256.isEmpty, unit.part == nil {
            // Sources that read the file whole hash it as they read; the others are hashed here.
            result.inputSHA256 = (try? OutputFile.sha256(ofFileAt: unit.path))?.sha256 ?? ""
        }
        return result
    }

    static func makeRunID(_ time: Timestamp) -> String {
        let stamp = time.iso8601.filter { $0.isNumber }
        return "\(stamp.prefix(14))-\(String(UInt32.random(in: 0...UInt32.max), radix: 16).leftPadded(to: 8))"
    }
}

extension RunReport.Input {
    /// The input with one more of its parts (`InputUnit.part`) counted in: the first hash, the worst status.
    func adding(part: RunReport.Input) -> RunReport.Input {
        let severity = ["ok": 0, "partial": 1, "rejected": 2]
        var sum = self
        sum.bytes += part.bytes
        sum.rows += part.rows
        sum.rejectedRows += part.rejectedRows
        if sum.sha256.isEmpty { sum.sha256 = part.sha256 }
        if severity[part.status, default: 0] > severity[sum.status, default: 0] { sum.status = part.status }
        return sum
    }
}

extension Timestamp {
    /// The current time.
    public static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}
