import Crypto
import Foundation

/// The state of incremental runs (`incremental: true`, `run --incremental`), kept in
/// `output_root/.threadline/incremental/`: `state.json` and, in `records/`, an ``InputRecord`` of
/// every input the last successful run took (its rows, rejects, notes and hash).
///
/// An input is not read again when it is the same as when its record was made, and so is the
/// pipeline: the same extract and transform steps with the same options (and the same contents of
/// the files their options name: people profiles, the aliases file), the same `input_root`, the
/// same threadline version. Its rows are written from its record, through the same ``RunWriter`` as
/// the rows of the inputs read, so the outputs are byte for byte those of a full run.
///
/// Whether an input changed is decided without parsing it:
/// - its `stat` (size, modification and change times in nanoseconds, inode; for a folder export,
///   of every file in it) is the one recorded, and its modification time is more than 2 s older than
///   the state: unchanged (a file changed within the same 2 s as the state was written could keep
///   its size and times, so such a file is hashed, as git does with its index);
/// - otherwise its SHA-256 (of the file; of a folder export, as the manifest gives it) is compared
///   with the recorded one: equal, it is reused (and its new `stat` recorded); else read again.
///
/// A state that is missing, cannot be read, is of another format, or was written for another
/// pipeline or threadline version is not used: the run reads every input, says why on an info
/// line, and writes a new state. So does a run whose record of a reused input turns out corrupt.
final class IncrementalRun {
    /// Changes whenever the state's layout changes.
    static let format = 1
    static let folderName = ".threadline/incremental"
    static let stateFile = "state.json"
    static let recordsFolder = "records"
    /// A file modified less than this before the state was written is hashed, whatever its `stat`.
    static let racyMicroseconds: Int64 = 2_000_000

    /// An input as the state knows it.
    struct Known: Sendable {
        var stepIndex: Int
        var relativePath: String
        var sha256: String
        var stat: String
        var record: String
    }

    let spec: PipelineSpec
    let plan: PipelineRunner.Plan
    let folder: String
    let staging: String
    let fingerprint: String
    /// The entries whose record is reused, with what the state knows of them.
    private(set) var reused: [Int: Known] = [:]
    /// The stat of each entry, as recorded in the new state.
    private var stats: [Int: String] = [:]
    private let records: InputRecordFolder
    /// The inputs of the new state, by entry.
    private var written: [Int: Known] = [:]
    /// Why the state is not used, when it is not: the info line of the run.
    private(set) var fullRunReason: String?
    /// What the last run wrote, and how many inputs it had.
    private var previousOutputs: IncrementalOutputs?
    private var previousInputs = -1

    /// Reads the state and decides, input by input, what is reused. Never fails on a bad state: it
    /// is a full run then, with `fullRunReason`.
    init(spec: PipelineSpec, plan: PipelineRunner.Plan, reuse: Bool = true) throws {
        self.spec = spec
        self.plan = plan
        folder = (spec.outputRoot as NSString).appendingPathComponent(IncrementalRun.folderName)
        staging = (spec.outputRoot as NSString).appendingPathComponent(".threadline/.incremental.tmp-\(getpid())")
        fingerprint = IncrementalRun.fingerprint(spec)
        try OutputPaths.makeFolders(of: ".threadline/x", in: spec.outputRoot)
        IncrementalRun.removeAbandonedStaging(spec.outputRoot)
        records = try InputRecordFolder(folder: (staging as NSString).appendingPathComponent(IncrementalRun.recordsFolder))
        guard reuse else {
            fullRunReason = "the state's records are not used"
            return
        }
        let state: (known: [String: Known], writtenAt: Int64, outputs: IncrementalOutputs?)
        switch IncrementalRun.readState(folder: folder, fingerprint: fingerprint) {
        case .success(let read):
            state = read
            previousOutputs = read.outputs
            previousInputs = read.known.count
        case .failure(let why):
            fullRunReason = why.reason
            return
        }
        for (index, entry) in plan.entries.enumerated() where entry.input.unreadable == nil {
            guard let known = state.known[IncrementalRun.key(entry)] else { continue }
            guard let current = IncrementalRun.fileStat(of: entry.input) else { continue }
            stats[index] = current.fingerprint
            let recordPath = (folder as NSString).appendingPathComponent(IncrementalRun.recordsFolder + "/" + known.record)
            guard FileManager.default.fileExists(atPath: recordPath) else { continue }
            if current.fingerprint == known.stat, current.newestModification < state.writtenAt - IncrementalRun.racyMicroseconds {
                reused[index] = known
            } else if IncrementalRun.sha256(of: entry.input) == known.sha256 {
                reused[index] = known
            }
        }
    }

    /// The name of an entry's record: 16 hex digits of SHA-256 over its step's position and its path.
    static func recordName(_ entry: PipelineRunner.Plan.Entry) -> String {
        Hex.string(SHA256.hash(data: Array(key(entry).utf8)), prefix: 8) + ".rec"
    }

    static func key(_ entry: PipelineRunner.Plan.Entry) -> String { "\(entry.step)\t\(entry.input.relativePath)" }

    /// Whether every input is reused and none was added or removed: nothing the tables hold changed.
    var nothingChanged: Bool {
        fullRunReason == nil && reused.count == plan.entries.count && previousInputs == plan.entries.count
    }

    /// The outputs the run can keep as the last run wrote them (see `IncrementalOutputs`).
    func keepable() -> (outputs: [String: [RunReport.Output]], rejects: RunReport.Output?) {
        guard nothingChanged, let previousOutputs else { return ([:], nil) }
        return previousOutputs.keepable(spec)
    }

    /// The last run's counts, for a run that keeps every output and reads no record.
    var previousSummary: RunReport? { previousOutputs?.summary }

    /// Keeps every reused record in the new state without reading it.
    func keepRecords() throws {
        for entry in reused.keys.sorted() { _ = try reader(for: entry) }
    }

    // MARK: During the run

    /// The reader of a reused entry's record.
    func reader(for entry: Int) throws -> InputRecordReader {
        let known = reused[entry]!
        let path = (folder as NSString).appendingPathComponent(IncrementalRun.recordsFolder + "/" + known.record)
        let reader = try InputRecordReader(path: path)
        // The new state keeps it: a second name in the staged records.
        let kept = (records.folder as NSString).appendingPathComponent(known.record)
        if link(path, kept) != 0 { try? FileManager.default.copyItem(atPath: path, toPath: kept) }
        var now = known
        now.stat = stats[entry] ?? known.stat
        written[entry] = now
        return reader
    }

    /// The recorder of an entry read by this run.
    func recorder(for entry: Int) throws -> InputRecordWriter {
        try records.writer(for: entry, name: IncrementalRun.recordName(plan.entries[entry]), info: plan.info(of: plan.entries[entry]))
    }

    /// After the last part of an entry read by this run.
    func recorded(_ entry: Int, sha256: String) throws {
        try records.finish(entry)
        let input = plan.entries[entry]
        written[entry] = Known(
            stepIndex: input.step, relativePath: input.input.relativePath, sha256: sha256,
            stat: stats[entry] ?? IncrementalRun.fileStat(of: input.input)?.fingerprint ?? "", record: IncrementalRun.recordName(input))
    }

    /// Puts the new state in place, once the run's outputs (`report`) are.
    func commit(_ report: RunReport) throws {
        let time = report.startedAt
        let inputs: [JSONValue] = written.keys.sorted().map { entry in
            let known = written[entry]!
            return .object([
                "step_index": .int(Int64(known.stepIndex)), "relative_path": .string(known.relativePath), "sha256": .string(known.sha256),
                "stat": .string(known.stat), "record": .string(known.record),
            ])
        }
        let state: JSONValue = .object([
            "format": .int(Int64(IncrementalRun.format)), "record_format": .int(Int64(InputRecord.version)),
            "tool_version": .string(ThreadlineVersion.current), "tool_build": .string(ThreadlineVersion.build),
            "fingerprint": .string(fingerprint),
            "written_at_us": .int(time.microseconds), "inputs": .array(inputs),
            "outputs": IncrementalOutputs(report: report, spec: spec).json,
        ])
        var bytes: [UInt8] = []
        state.write(to: &bytes, indent: 0)
        bytes.append(UInt8(ascii: "\n"))
        let writer = try BufferedFileWriter(path: (staging as NSString).appendingPathComponent(IncrementalRun.stateFile))
        try writer.write(bytes)
        try writer.flush()
        try OutputFile.fsync(path: (staging as NSString).appendingPathComponent(IncrementalRun.stateFile))
        try PipelineRunner.replaceFolder(folder, with: staging)
    }

    /// Drops what the run staged; the previous state stays.
    func discard() {
        OutputFolder.removeTree(staging)
    }

    /// Removes the state: the next incremental run reads every input.
    static func remove(_ outputRoot: String) {
        OutputFolder.removeTree((outputRoot as NSString).appendingPathComponent(folderName))
    }

    static func removeAbandonedStaging(_ outputRoot: String) {
        let parent = (outputRoot as NSString).appendingPathComponent(".threadline")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(".incremental.tmp-") {
            OutputFolder.removeTree((parent as NSString).appendingPathComponent(name))
        }
    }

    // MARK: The state

    struct Unusable: Error {
        let reason: String
    }

    static func readState(
        folder: String, fingerprint: String
    ) -> Result<(known: [String: Known], writtenAt: Int64, outputs: IncrementalOutputs?), Unusable> {
        let path = (folder as NSString).appendingPathComponent(stateFile)
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(Unusable(reason: "there is no state of an earlier incremental run in \(folderName)"))
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return .failure(Unusable(reason: "the state \(folderName)/\(stateFile) cannot be read (it is not JSON)"))
        }
        guard object["format"] as? Int == format, object["record_format"] as? Int == Int(InputRecord.version) else {
            return .failure(Unusable(reason: "the state \(folderName)/\(stateFile) is of another format"))
        }
        guard object["tool_version"] as? String == ThreadlineVersion.current else {
            return .failure(Unusable(reason: "the state was written by threadline \(object["tool_version"] ?? "?"), this is \(ThreadlineVersion.current)"))
        }
        // Another build of one version may read or transform inputs otherwise: its records are not this one's.
        guard object["tool_build"] as? String == ThreadlineVersion.build else {
            return .failure(Unusable(reason: "the state was written by another build of threadline \(ThreadlineVersion.current)"))
        }
        guard object["fingerprint"] as? String == fingerprint else {
            return .failure(Unusable(reason: "the pipeline's extract or transform steps, their options or files, or input_root changed since the state was written"))
        }
        guard let writtenAt = object["written_at_us"] as? Int, let inputs = object["inputs"] as? [[String: Any]] else {
            return .failure(Unusable(reason: "the state \(folderName)/\(stateFile) lacks a field"))
        }
        var known: [String: Known] = [:]
        for input in inputs {
            guard let step = input["step_index"] as? Int, let relative = input["relative_path"] as? String, let sha = input["sha256"] as? String,
                  let stat = input["stat"] as? String, let record = input["record"] as? String,
                  record.hasSuffix(".rec"), !record.contains("/")
            else { return .failure(Unusable(reason: "the state \(folderName)/\(stateFile) has an input it cannot read")) }
            known["\(step)\t\(relative)"] = Known(stepIndex: step, relativePath: relative, sha256: sha, stat: stat, record: record)
        }
        return .success((known, Int64(writtenAt), (object["outputs"] as? [String: Any]).flatMap(IncrementalOutputs.init(json:))))
    }

    /// What makes the records of a run the records of this pipeline: the tool version, `input_root`,
    /// each extract and transform step's type and options, and the contents of the files and folders
    /// their path options name.
    static func fingerprint(_ spec: PipelineSpec) -> String {
        var hasher = SHA256()
        func add(_ text: String) { hasher.update(data: Array((text + "\n").utf8)) }
        add("threadline \(ThreadlineVersion.current)")
        add("input_root \(spec.inputRoot)")
        func addStep(_ kind: String, _ type: String, _ specs: [OptionSpec], _ options: StepOptions) {
            add("\(kind) \(type)")
            for (name, value) in options.allValues.sorted(by: { $0.key < $1.key }) {
                add("  \(name) = \(RunSnapshot.jsonText(value))")
                if case .path = specs.first(where: { $0.name == name })?.type, case .string(let path) = value {
                    add("    contents \(contentsDigest(path))")
                }
            }
        }
        for step in spec.extract { addStep("extract", step.type.name, step.type.options, step.options) }
        for step in spec.transform { addStep("transform", step.type.name, step.type.options, step.options) }
        return Hex.string(hasher.finalize())
    }

    /// SHA-256 over a file's bytes, or a folder's files (their paths and bytes, in path order).
    static func contentsDigest(_ path: String) -> String {
        var hasher = SHA256()
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return "missing" }
        let files: [String] = isFolder.boolValue
            ? ((FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []).sorted().map { path + "/" + $0 } : [path]
        for file in files {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            hasher.update(data: Array("\(file)\n\((try? FileDigest.sha256(ofFileAt: file).sha256) ?? "unreadable")\n".utf8))
        }
        return Hex.string(hasher.finalize())
    }

    // MARK: Inputs

    /// The `stat` of an input and of the files read with it (`companions`), as one string, and
    /// their newest modification time in microseconds; nil when one of them is gone.
    static func fileStat(of input: Input) -> (fingerprint: String, newestModification: Int64)? {
        guard var stat = fileStat(of: input.path) else { return nil }
        guard !input.companions.isEmpty else { return stat }
        var lines = [stat.fingerprint]
        for companion in input.companions {
            guard let other = fileStat(of: companion) else { return nil }
            lines.append(companion + " " + other.fingerprint)
            stat.newestModification = max(stat.newestModification, other.newestModification)
        }
        var hasher = SHA256()
        hasher.update(data: Array(lines.joined(separator: "\n").utf8))
        return ("with companions " + Hex.string(hasher.finalize()), stat.newestModification)
    }

    /// The `stat` of a file, as one string (a folder: of every file in it), and its newest
    /// modification time in microseconds.
    static func fileStat(of path: String) -> (fingerprint: String, newestModification: Int64)? {
        func line(_ path: String, _ status: stat) -> String {
            "\(path) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec) \(status.st_ctim.tv_sec).\(status.st_ctim.tv_nsec) \(status.st_ino)"
        }
        func micros(_ status: stat) -> Int64 {
            max(Int64(status.st_mtim.tv_sec) * 1_000_000 + Int64(status.st_mtim.tv_nsec) / 1000,
                Int64(status.st_ctim.tv_sec) * 1_000_000 + Int64(status.st_ctim.tv_nsec) / 1000)
        }
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        guard status.st_mode & S_IFMT == S_IFDIR else { return (line("", status), micros(status)) }
        var lines: [String] = [], newest = micros(status)
        for relative in ((FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []).sorted() {
            var file = stat()
            guard stat(path + "/" + relative, &file) == 0, file.st_mode & S_IFMT == S_IFREG else { continue }
            lines.append(line(relative, file))
            newest = max(newest, micros(file))
        }
        var hasher = SHA256()
        hasher.update(data: Array(lines.joined(separator: "\n").utf8))
        return ("folder " + Hex.string(hasher.finalize()), newest)
    }

    /// An input's SHA-256 as the manifest gives it: of the file (with its companions), or of a
    /// folder export's files.
    static func sha256(of input: Input) -> String? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input.path, isDirectory: &isFolder) else { return nil }
        if isFolder.boolValue { return SlackJSONSource.sha256(ofExportAt: input.path) }
        guard let own = (try? FileDigest.sha256(ofFileAt: input.path))?.sha256 else { return nil }
        return Input.sha256(ofFile: input.path, sha256: own, companions: input.companions)
    }
}
