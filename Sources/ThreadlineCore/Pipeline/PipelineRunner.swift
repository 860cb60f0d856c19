import Dispatch
import Foundation
import Logging
import Synchronization

/// Runs a validated pipeline: extract → transform → load, streaming documents through the steps in
/// bounded windows of inputs that are extracted in parallel and written in a fixed order.
///
/// A pipeline with a run-wide transform (``RunTransformStep``, e.g. `dedupe`) streams its inputs the
/// same way but holds their documents (after the per-document transforms) until the last input is
/// read, applies the run-wide steps to all of them, and writes them then: its memory grows with the
/// run's documents.
public final class PipelineRunner: Sendable {
    package let spec: PipelineSpec
    package let logger: Logger
    /// Inputs extracted but not yet written, at most.
    package let window: Int
    /// Bytes of input extracted but not yet written, at most (one input always goes through): with
    /// `window`, what bounds the run's memory.
    package let inFlightBytes: Int64
    /// Called after each input (all of its parts) is written, with the inputs done and the total, for
    /// progress display.
    package let progress: (@Sendable (_ done: Int, _ total: Int, _ bytesDone: Int64) -> Void)?
    /// Called after an input of at least ``largeInputBytes`` has been handed to the writers and its
    /// documents let go: the moment to give the memory they held back to the system (the command line
    /// trims glibc's heaps here, so one big input does not leave the process large for the rest of the
    /// run).
    package let afterLargeInput: (@Sendable () -> Void)?
    /// Inputs at least this big trigger ``afterLargeInput``.
    package static let largeInputBytes: Int64 = 4 << 20
    /// Rows handed to the writers at a time: a big document's messages and threads, and the authors of a
    /// run, are built a batch at a time.
    static let rowBatch = 4096

    /// Changes rows on their way to the writers: for tests that need a run to write what a correct run
    /// never writes (a duplicated key, to see the key check fire).
    let alterRows: (@Sendable (Table, inout [Row]) -> Void)?
    /// Called once as the run enters each ``RunPhase``, on the thread that runs it: for tests that stop
    /// a run at a phase (the command line's `THREADLINE_TEST_PAUSE_AT`).
    package let atPhase: (@Sendable (RunPhase) -> Void)?

    public convenience init(
        spec: PipelineSpec, logger: Logger = Logger(label: "threadline"), window: Int = 64, inFlightBytes: Int64 = 32 << 20,
        progress: (@Sendable (Int, Int, Int64) -> Void)? = nil, afterLargeInput: (@Sendable () -> Void)? = nil,
        atPhase: (@Sendable (RunPhase) -> Void)? = nil
    ) {
        self.init(
            spec: spec, logger: logger, window: window, inFlightBytes: inFlightBytes, progress: progress, afterLargeInput: afterLargeInput,
            alterRows: nil, atPhase: atPhase)
    }

    init(
        spec: PipelineSpec, logger: Logger = Logger(label: "threadline"), window: Int = 64, inFlightBytes: Int64 = 32 << 20,
        progress: (@Sendable (Int, Int, Int64) -> Void)? = nil, afterLargeInput: (@Sendable () -> Void)? = nil,
        alterRows: (@Sendable (Table, inout [Row]) -> Void)?, atPhase: (@Sendable (RunPhase) -> Void)? = nil
    ) {
        self.spec = spec
        self.logger = logger
        self.window = window
        self.inFlightBytes = inFlightBytes
        self.progress = progress
        self.afterLargeInput = afterLargeInput
        self.alterRows = alterRows
        self.atPhase = atPhase
    }

    /// Every input of every extract step, in the order their rows are written.
    package struct Plan: Sendable {
        /// An input and the index of its extract step in `extract`.
        package struct Entry: Sendable {
            package var step: Int
            package var input: Input
        }

        package var entries: [Entry]
        package var extract: [Configured<any ExtractStep>]

        /// The inputs of one extract step, in order.
        package func inputs(of step: Int) -> [Input] {
            entries.filter { $0.step == step }.map(\.input)
        }

        /// How a record of the entry's input describes it.
        func info(of entry: Entry) -> InputRecord.InputInfo {
            InputRecord.InputInfo(
                step: extract[entry.step].name, stepIndex: entry.step, path: entry.input.path, relativePath: entry.input.relativePath,
                sortKey: entry.input.sortKey, bytes: entry.input.bytes, parts: entry.input.parts.count)
        }
    }

    /// Lists the inputs every extract step will read. Reads no input.
    package func plan() throws -> Plan {
        try PipelineRunner.plan(spec) { configured in
            // A step that needs inputs fails the run instead (see checkMinInputs).
            guard configured.options[.minInputs] == 0 else { return }
            logger.warning("no input matches this step's include patterns", metadata: ["step": "\(configured.name)", "at": "\(configured.location)"])
        }
    }

    /// The inputs every extract step of `spec` will read, in the order a run writes their rows;
    /// `unmatched` hears of each step that matches nothing. What `run` and `validate --pipeline` read.
    package static func plan(_ spec: PipelineSpec, unmatched: (Configured<any ExtractStep>) -> Void = { _ in }) throws -> Plan {
        let catalog = try InputCatalog(root: spec.inputRoot)
        var entries: [Plan.Entry] = []
        for (index, configured) in spec.extract.enumerated() {
            let source = configured.step
            // What the patterns match but nobody can read is planned too, to be rejected by name.
            let unreadable = catalog.unreadable(include: source.include, exclude: source.exclude).map { entry in
                Input(path: catalog.absolutePath(entry.relativePath), relativePath: entry.relativePath,
                      sortKey: entry.relativePath, bytes: 0, unreadable: entry.unreadable)
            }
            let found = try source.plan(catalog) + unreadable
            if found.isEmpty { unmatched(configured) }
            entries += found.map { Plan.Entry(step: index, input: $0) }
        }
        entries.sort {
            ($0.input.sortKey, $0.step, $0.input.relativePath) < ($1.input.sortKey, $1.step, $1.input.relativePath)
        }
        return Plan(entries: entries, extract: spec.extract)
    }

    /// Fails the run, before anything is written, when a step matched fewer inputs than its
    /// `min_inputs`: a nightly run whose sources vanished must not replace yesterday's tables with
    /// part of them.
    func checkMinInputs(_ plan: Plan) throws {
        let short = spec.extract.indices.compactMap { index -> Diagnostic? in
            let configured = spec.extract[index]
            let needed = configured.options[.minInputs], found = plan.inputs(of: index).count
            guard found < needed else { return nil }
            let patterns = configured.step.include.map { "'\($0)'" }.joined(separator: ", ")
            return Diagnostic(
                .error, "extract step '\(configured.name)' matched \(found) input\(found == 1 ? "" : "s"), fewer than its min_inputs (\(needed))",
                at: configured.location,
                notes: [
                    "its include patterns \(patterns) match under input_root '\(spec.inputRoot)'"
                        + (configured.step.exclude.isEmpty ? "" : ", less exclude " + configured.step.exclude.map { "'\($0)'" }.joined(separator: ", ")),
                    "nothing was written and the previous outputs are as they were; check that the inputs are there, or lower min_inputs",
                ])
        }
        guard short.isEmpty else { throw ThreadlineError(.dataError, short) }
    }

    /// One unit of extraction work: a part of a planned input.
    private struct Work {
        let entry: Int
        let part: Int
        /// Whether it is the input's last part, after which the input is done.
        let isLast: Bool
    }

    /// Reads the inputs of `plan`'s entries part by part, several at once within the run's window
    /// and byte budget, and hands each part's result to `consume` on this thread in plan order, with
    /// the entry's index and whether it is the input's last part. An entry that `reuse` picks is not
    /// read: `consume` gets nil for it, once, in its turn (its rows come from elsewhere).
    func readInputs(
        _ plan: Plan, reuse: (Int) -> Bool = { _ in false }, consume: (_ entry: Int, _ result: ExtractResult?, _ isLast: Bool) throws -> Void
    ) throws {
        // Run-wide transforms come after every input is read: the writer applies them.
        let transforms = spec.transform.map(\.step).filter { !($0 is any RunTransformStep) }
        let readers = spec.extract.map { PipelineRunner.partReader($0.step, stepName: $0.name, transforms: transforms) }
        let entries = plan.entries
        let reused = entries.indices.map(reuse)
        let work = entries.indices.flatMap { entry in
            let parts = reused[entry] ? 1 : entries[entry].input.parts.count
            return (0..<parts).map { Work(entry: entry, part: $0, isLast: $0 == parts - 1) }
        }
        /// The bytes a work item reads: none for a reused input.
        func bytes(_ item: Work) -> Int64 {
            reused[item.entry] ? 0 : entries[item.entry].input.parts[item.part].bytes
        }
        var bytesDone: Int64 = 0
        var inputsDone = 0
        try orderedParallel(
            count: work.count, maxInFlight: window, maxCost: inFlightBytes,
            cost: { bytes(work[$0]) }, work: { index in
            let item = work[index], entry = entries[item.entry]
            if reused[item.entry] { return ExtractResult?.none }
            return readers[entry.step](item.entry, entry.input, entry.input.parts[item.part])
        }, consume: { index, result in
            if index == 0 { atPhase?(.reading) }
            let item = work[index]
            try consume(item.entry, result, item.isLast)
            bytesDone += reused[item.entry] ? entries[item.entry].input.bytes : bytes(item)
            if item.isLast {
                inputsDone += 1
                progress?(inputsDone, entries.count, bytesDone)
            }
        }, released: { index in
            if bytes(work[index]) >= PipelineRunner.largeInputBytes { afterLargeInput?() }
        })
    }

    /// Runs the pipeline. Outputs are committed only when the run gets to its end; under `on_error: fail`
    /// a reject ends the run with status 1 and leaves the previous outputs as they were.
    public func run() throws -> RunReport {
        if let shard = spec.shard { return try runShard(shard) }
        var report = RunReport(starting: spec)
        logWarnings(into: &report)
        let lock = RunLock(outputRoot: spec.outputRoot)
        try lock.acquire()
        defer { lock.release() }
        if let previous = lock.previousHolder {
            logger.warning("took over the lock of a run that did not finish", metadata: ["previous": "\(previous)"])
        }
        // Every run that holds the folder records how it ended in _runs.jsonl, failed runs too, and
        // runs stopped by a signal (recorded by the signal's handler).
        try RunHistory.recording(&report, of: spec, in: spec.outputRoot, logger: logger) { try runHoldingLock(&$0) }
        return report
    }

    /// The run, once the output folder's lock is held.
    private func runHoldingLock(_ report: inout RunReport) throws {
        OutputFile.removeAbandonedStagingFiles(in: spec.outputRoot)
        let plan = try plan()
        try checkMinInputs(plan)
        guard !plan.entries.isEmpty else {
            // An unmounted input folder must not replace last night's tables with empty ones.
            throw ThreadlineError(
                .runtimeFailure, "no input matched any extract step under input_root '\(spec.inputRoot)'",
                at: spec.extract.first?.location,
                notes: ["nothing was written and the previous outputs are as they were; check that input_root is mounted and the include patterns match its files"])
        }
        guard spec.incremental else { return try write(plan, into: &report, incremental: nil) }
        let started = report
        let incremental = try IncrementalRun(spec: spec, plan: plan)
        if let reason = incremental.fullRunReason {
            logger.info("incremental: every input is read: \(reason)")
        } else {
            logger.info("incremental: \(incremental.reused.count) of \(plan.entries.count) inputs unchanged since the last run, written from its state")
        }
        do {
            try write(plan, into: &report, incremental: incremental)
        } catch let failure as InputRecordReader.Failure {
            // A record that cannot be read costs the reuse, not the run.
            incremental.discard()
            logger.info("incremental: every input is read: the state's record \(failure)")
            report = started
            let full = try IncrementalRun(spec: spec, plan: plan, reuse: false)
            do {
                try write(plan, into: &report, incremental: full)
            } catch {
                full.discard()
                throw error
            }
        } catch {
            incremental.discard()
            throw error
        }
    }

    /// Reads (or, in an incremental run, takes from their records) the inputs of `plan`, writes the
    /// outputs and commits them with the manifest, then the incremental state.
    private func write(_ plan: Plan, into report: inout RunReport, incremental: IncrementalRun?) throws {
        let keep: (outputs: [String: [RunReport.Output]], rejects: RunReport.Output?) = incremental?.keepable() ?? ([:], nil)
        if let incremental, let previous = incremental.previousSummary, keep.rejects != nil,
           spec.load.flatMap(\.step.outputs).allSatisfy({ keep.outputs[$0.relativePath] != nil }) {
            return try keepEverything(incremental, previous: previous, keep: keep, into: &report)
        }
        let outputs = try OutputSet(spec: spec, keep: keep.outputs, keepRejects: keep.rejects)
        let writer = RunWriter(spec: spec, outputs: outputs, report: report, alterRows: alterRows)
        do {
            try readInputs(plan, reuse: { incremental?.reused[$0] != nil }) { entry, result, isLast in
                let info = plan.info(of: plan.entries[entry])
                guard let result else {
                    return try writer.take(recorded: try incremental!.reader(for: entry), expected: info, origin: .reused)
                }
                try writer.take(result, of: info, origin: .processed, isLast: isLast, recorder: try incremental?.recorder(for: entry))
                if isLast { try incremental?.recorded(entry, sha256: writer.report.inputs.last?.sha256 ?? "") }
            }
            try writer.finish()
            report = writer.report
            try commit(outputs, rejects: writer.rejects, into: &report)
        } catch {
            outputs.discard()
            // A failed run is recorded with what it had counted.
            if report.inputs.isEmpty { report = writer.report }
            throw error
        }
        commitState(incremental, of: report)
    }

    /// Commits the run's outputs: the manifest is renamed into place with the outputs it describes,
    /// last. Rejects over `max_rejects` make the run's status a data error.
    private func commit(_ outputs: OutputSet, rejects: [Reject], into report: inout RunReport) throws {
        report.endedAt = .now
        if spec.maxRejects.isExceeded(report) { report.status = .dataError }
        atPhase?(.writing)
        report.outputs = try outputs.commit(
            RunSummary(pipelineName: spec.name, report: report, rejects: rejects), quarantine: spec.onError == .quarantine, atPhase: atPhase
        ) { written in
            report.outputs = written
            report.endedAt = .now
            return Manifest.bytes(report, spec: spec)
        }
    }

    /// Writes the incremental state after the outputs it was made with; a state that is not written
    /// costs the next run only time.
    private func commitState(_ incremental: IncrementalRun?, of report: RunReport) {
        do {
            try incremental?.commit(report)
        } catch {
            incremental?.discard()
            IncrementalRun.remove(spec.outputRoot)
            logger.warning("the incremental state could not be written, the next run reads every input: \(error)")
        }
    }

    /// An incremental run where nothing changed and every output can be kept: no record is read,
    /// the tables stay as they are, and the manifest, the data package and the state are written
    /// with the last run's counts.
    private func keepEverything(
        _ incremental: IncrementalRun, previous: RunReport, keep: (outputs: [String: [RunReport.Output]], rejects: RunReport.Output?),
        into report: inout RunReport
    ) throws {
        try incremental.keepRecords()
        report.inputs = previous.inputs
        report.rowsPerTable = previous.rowsPerTable
        report.inputRows = previous.inputRows
        report.rejectedRows = previous.rejectedRows
        report.rejects = previous.rejects
        report.rejectedFiles = previous.rejectedFiles
        report.rejectedFileBytes = previous.rejectedFileBytes
        report.notes = previous.notes
        report.keyChecks = previous.keyChecks
        progress?(report.inputs.count, report.inputs.count, report.inputBytes)
        let outputs = try OutputSet(spec: spec, keep: keep.outputs, keepRejects: keep.rejects)
        do {
            try commit(outputs, rejects: [], into: &report)
        } catch {
            outputs.discard()
            throw error
        }
        commitState(incremental, of: report)
    }

    /// Rejects each document whose id an earlier input already gave (two markdown files of one name in
    /// different folders, one channel in two exports read by one step): `document_id` is a key, and the
    /// first input in plan order keeps it. The document's messages are rejected rows.
    static func rejectRepeatedDocuments(in result: inout ExtractResult, seen: inout [String: String], step: String, input: Input? = nil) {
        result.documents.removeAll { document in
            // A later part of a document goes where its first part went.
            if let fragment = document.fragment, fragment.index > 0 { return seen[document.id] != document.sourceFile }
            guard let first = seen[document.id] else {
                seen[document.id] = document.sourceFile
                return false
            }
            result.rejects.append(repeatedDocumentReject(
                InputRecord.DocumentHeader(document), first: first,
                step: step, input: input.map { (path: $0.path, relativePath: $0.relativePath, parts: $0.parts.count) }))
            return true
        }
    }

    /// The reject of a document whose id the document of `first` already gave. The document's file is
    /// its record, when it is one file (not a Slack export's folder or zip).
    static func repeatedDocumentReject(
        _ document: InputRecord.DocumentHeader, first: String, step: String, input: (path: String, relativePath: String, parts: Int)?
    ) -> Reject {
        var reject = Reject(
            file: document.sourceFile, step: step, rule: InputRules.repeatedDocument,
            reason: "document_id '\(document.id)' is already the id of a document of '\(first)': "
                + "its \(document.messageCount) messages are not written (exclude one of the two inputs, or read them in separate pipelines)",
            rows: document.messageCount)
        // The input's file is the record when the document is read from one file (a markdown file, an
        // HTML page, whole or in parts), not from an export (a folder or a zip) of conversations.
        var isFolder: ObjCBool = false
        if let input, input.relativePath == document.sourceFile, !input.path.lowercased().hasSuffix(".zip"),
           !FileManager.default.fileExists(atPath: input.path, isDirectory: &isFolder) || !isFolder.boolValue {
            reject.keep(fileAt: input.path)
        }
        return reject
    }

    /// How one extract step's input parts are read: each input opened once for all its parts (see
    /// ``ExtractStep/open(_:)``), each part extracted, then transformed document by document. Called
    /// concurrently for different parts.
    typealias PartReader = @Sendable (_ entry: Int, _ input: Input, _ part: InputPart) -> ExtractResult

    static func partReader<Source: ExtractStep>(_ source: Source, stepName: String, transforms: [any TransformStep]) -> PartReader {
        let opened = OpenedInputs<Source.Opened>()
        return { entry, input, part in
            var result = ExtractResult()
            if let reason = input.unreadable {
                result.rejects.append(.wholeFile(input.relativePath, step: stepName, rule: InputRules.unreadable, reason: reason, bytes: 0))
                return result
            }
            if input.parts.count == 1 {
                source.extract(part, of: input, opened: source.open(input), into: &result)
            } else {
                let shared = opened.value(for: entry, parts: input.parts.count) { source.open(input) }
                source.extract(part, of: input, opened: shared, into: &result)
                opened.partDone(entry)
            }
            for d in result.documents.indices {
                for transform in transforms { transform.apply(to: &result.documents[d], notes: &result.notes) }
            }
            result.documents.sortByIDKeepingCutDocumentsAtTheEnds()
            if result.inputSHA256.isEmpty, part.scope == .whole {
                // Sources that read the file whole hash it as they read; the others are hashed here.
                result.inputSHA256 = (try? FileDigest.sha256(ofFileAt: input.path)).flatMap {
                    Input.sha256(ofFile: input.path, sha256: $0.sha256, companions: input.companions)
                } ?? ""
            }
            return result
        }
    }

    /// The step type of each extract step, in the pipeline's order, each once.
    static func sources(of spec: PipelineSpec) -> [String] {
        var sources: [String] = []
        for step in spec.extract where !sources.contains(step.name) { sources.append(step.name) }
        return sources
    }

    /// Logs the pipeline file's warnings and counts them in the run's notes.
    func logWarnings(into report: inout RunReport) {
        for warning in spec.warnings {
            logger.warning("\(warning.message)", metadata: warning.location.map { ["at": "\($0)"] } ?? [:])
            report.notes.count(.warnings, warning.description)
        }
    }

    static func makeRunID(_ time: Timestamp) -> String {
        let stamp = time.iso8601.filter { $0.isNumber }
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(stamp.prefix(14))-\(String(repeating: "0", count: 8 - random.count))\(random)"
    }
}

extension RunReport.Input {
    /// The input with one more of its parts counted in: the first hash, the worst status.
    func adding(rows: Int, rejectedRows: Int, sha256: String, status: RunReport.InputStatus) -> RunReport.Input {
        var sum = self
        sum.rows += rows
        sum.rejectedRows += rejectedRows
        if sum.sha256.isEmpty { sum.sha256 = sha256 }
        sum.status = max(sum.status, status)
        return sum
    }
}

/// The phases of a run, in order, after the lock is taken and the inputs planned.
public enum RunPhase: String, Sendable, CaseIterable {
    /// Reading inputs; the outputs' staging files are open.
    case reading
    /// Every row handed to the writers, which finish the staging files.
    case writing
    /// Renaming the staging files into place: some outputs are the new run's, some the last one's.
    case renaming
    /// Every output is the new run's; the run records itself in `_runs.jsonl` and ends.
    case committed
}

/// What the parts of each input being read share, made once by the first part to ask and let go
/// after the last part is done.
final class OpenedInputs<Opened: Sendable>: Sendable {
    private final class Slot: Sendable {
        let value = Mutex<Opened?>(nil)
        let remaining: Mutex<Int>

        init(parts: Int) {
            remaining = Mutex(parts)
        }
    }

    private let slots = Mutex<[Int: Slot]>([:])

    /// Inputs whose shared value is held now.
    var count: Int { slots.withLock { $0.count } }

    /// The shared value of input `entry`, read in `parts` parts, made with `open` if no part has asked
    /// yet; the input's other parts wait while it is made.
    func value(for entry: Int, parts: Int, open: () -> Opened) -> Opened {
        let slot = slots.withLock { slots in
            if let slot = slots[entry] { return slot }
            let slot = Slot(parts: parts)
            slots[entry] = slot
            return slot
        }
        return slot.value.withLock { value in
            if let value { return value }
            let opened = open()
            value = opened
            return opened
        }
    }

    /// Counts one part of input `entry` as read; after its last part, the shared value is let go.
    func partDone(_ entry: Int) {
        slots.withLock { slots in
            guard let slot = slots[entry] else { return }
            let remaining = slot.remaining.withLock { count in
                count -= 1
                return count
            }
            if remaining <= 0 { slots[entry] = nil }
        }
    }
}

extension Timestamp {
    /// The current time.
    package static var now: Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }
}

extension [Document] {
    /// Puts a part's documents in `document_id` order, except a document cut between parts (a page
    /// read in parts through a spool): one that goes on from the part before stays first, and one
    /// that goes on in the next part stays last, so each joins its other parts, and the key checks,
    /// which settle after each document, never see a document's rows before its last part is written.
    mutating func sortByIDKeepingCutDocumentsAtTheEnds() {
        var lower = startIndex
        var upper = endIndex
        if let fragment = first?.fragment, fragment.index > 0 { lower += 1 }
        if upper > lower, let fragment = last?.fragment, !fragment.isLast { upper -= 1 }
        self[lower..<upper].sort { $0.id < $1.id }
    }
}
