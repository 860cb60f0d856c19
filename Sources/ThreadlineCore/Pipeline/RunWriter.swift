/// The writing half of a run: takes each input part's result in plan order and turns it into the
/// run's rows, rejects and manifest entries, whether the part was just read or comes from an
/// ``InputRecord`` (an incremental run's reused input, a shard's input at `merge`). Both go through
/// the same steps, so a record written out gives exactly the rows, rejects and counts reading the
/// input gives.
///
/// For each part: documents whose id an earlier input gave are rejected; rejects, notes and counts
/// go to the report (under `on_error: fail` a reject ends the run); each kept document's messages,
/// threads and own row go to the outputs, checked by `KeyCheck` and counted into the authors. With
/// a ``InputRecordWriter``, each part is recorded too, every document's rows included.
///
/// With run-wide transforms (`dedupe`) in the pipeline, kept documents are held instead, and written
/// by ``finish()`` once those transforms have seen all of them (such a pipeline is never incremental
/// nor sharded, so nothing is recorded then).
final class RunWriter {
    let spec: PipelineSpec
    let outputs: OutputSet
    var report: RunReport
    private(set) var rejects: [Reject] = []
    private var keys = KeyCheck()
    private var authors = AuthorsAccumulator()
    /// Where each document id written so far came from.
    private var documentSources: [String: String] = [:]
    /// The documents written, each with the input that gave it, in order: what a shard leaves for
    /// `merge` to decide again which input keeps a `document_id` that two shards gave.
    private(set) var keptDocuments: [(id: String, input: InputRecord.InputInfo)] = []
    /// The input whose parts are being taken, summed over them.
    private var input: RunReport.Input?
    private let alterRows: (@Sendable (Table, inout [Row]) -> Void)?
    /// The pipeline's run-wide transforms, in order, and the documents held for them in write order.
    private let runTransforms: [any RunTransformStep]
    private var held: [Document] = []

    init(spec: PipelineSpec, outputs: OutputSet, report: RunReport, alterRows: (@Sendable (Table, inout [Row]) -> Void)?) {
        self.spec = spec
        self.outputs = outputs
        self.report = report
        self.alterRows = alterRows
        self.runTransforms = spec.transform.compactMap { $0.step as? any RunTransformStep }
    }

    /// Every row reaches the writers through here, checked on its way.
    private func write(_ table: Table, _ rows: [Row]) throws {
        var rows = rows
        alterRows?(table, &rows)
        keys.check(table, rows)
        if table == .messages { authors.add(messageRows: rows) }
        try outputs.write(table, rows)
    }

    /// Takes a part just read: its documents, transformed and linked. Returns whether the input is
    /// done (it was its last part), after which `report.inputs` lists it.
    func take(
        _ result: ExtractResult, of info: InputRecord.InputInfo, origin: RunReport.InputOrigin, isLast: Bool,
        recorder: InputRecordWriter? = nil
    ) throws {
        let header = InputRecord.PartHeader(
            rejects: result.rejects, notes: result.notes, inputRows: result.inputRows, inputSHA256: result.inputSHA256,
            documents: result.documents.map { InputRecord.DocumentHeader(id: $0.id, sourceFile: $0.sourceFile, messageCount: $0.messageCount) })
        try recorder?.part(header)
        let kept = try takeHeader(header, of: info, origin: origin)
        if !runTransforms.isEmpty {
            held += result.documents.indices.filter { kept[$0] }.map { result.documents[$0] }
            if isLast { finishInput() }
            return
        }
        for (index, document) in result.documents.enumerated() {
            func emit(_ table: Table, _ rows: [Row]) throws {
                try recorder?.rows(table, rows)
                if kept[index] { try write(table, rows) }
            }
            try TableRows.messages(document, batchSize: PipelineRunner.rowBatch) { try emit(.messages, $0) }
            try TableRows.threads(document, batchSize: PipelineRunner.rowBatch) { try emit(.threads, $0) }
            try emit(.documents, [TableRows.document(document)])
            try recorder?.documentEnd()
            // A document's threads and its own row follow its messages; its authors come at the end.
            if kept[index] { keys.settle(except: [.authors]) }
        }
        if isLast { finishInput() }
    }

    /// Takes every part of a recorded input, as ``take(_:of:origin:isLast:recorder:)`` took them when
    /// they were read. Returns the recorded input's description.
    func take(recorded reader: InputRecordReader, expected: InputRecord.InputInfo? = nil, origin: RunReport.InputOrigin) throws {
        guard case .input(let info)? = try reader.next() else {
            throw InputRecordReader.Failure(path: reader.path, reason: "corrupt record: no input")
        }
        if let expected, expected != info {
            throw InputRecordReader.Failure(path: reader.path, reason: "a record of another input ('\(info.relativePath)')")
        }
        var parts = 0
        while let item = try reader.next() {
            guard case .part(let header) = item else { throw InputRecordReader.Failure(path: reader.path, reason: "corrupt record: rows outside a part") }
            parts += 1
            let kept = try takeHeader(header, of: info, origin: origin)
            for index in header.documents.indices {
                documentLoop: while true {
                    switch try reader.next() {
                    case .rows(let table, let rows)?:
                        if kept[index] { try write(table, rows) }
                    case .documentEnd?:
                        break documentLoop
                    default:
                        throw InputRecordReader.Failure(path: reader.path, reason: "corrupt record: a document is cut")
                    }
                }
                if kept[index] { keys.settle(except: [.authors]) }
            }
        }
        guard parts == info.parts else {
            throw InputRecordReader.Failure(path: reader.path, reason: "corrupt record: \(parts) of \(info.parts) parts")
        }
        finishInput()
    }

    /// The bookkeeping of one part: repeated documents rejected, counts, rejects and the input's
    /// manifest entry. Returns which of its documents are written.
    private func takeHeader(_ header: InputRecord.PartHeader, of info: InputRecord.InputInfo, origin: RunReport.InputOrigin) throws -> [Bool] {
        var partRejects = header.rejects
        let kept = header.documents.map { document in
            guard let first = documentSources[document.id] else {
                documentSources[document.id] = document.sourceFile
                keptDocuments.append((document.id, info))
                return true
            }
            partRejects.append(PipelineRunner.repeatedDocumentReject(
                document, first: first, step: info.step, input: (path: info.path, relativePath: info.relativePath, parts: info.parts)))
            return false
        }
        report.notes.merge(header.notes)
        report.inputRows += header.inputRows
        let rejectedRows = partRejects.reduce(0) { $0 + $1.rows }
        report.rejectedRows += rejectedRows
        report.rejects += partRejects.count
        for reject in partRejects {
            guard let bytes = reject.bytes else { continue }
            report.rejectedFiles += 1
            report.rejectedFileBytes += bytes
        }
        rejects += partRejects
        if spec.onError == .fail, let first = partRejects.first {
            throw ThreadlineError(.dataError, "rejected: \(first.reason)", at: first.location,
                                  notes: first.notes + ["on_error is 'fail'; no output was changed. Use on_error: quarantine to go on and collect rejects"],
                                  rule: first.rule)
        }
        let documentsLeft = kept.contains(true)
        let status: RunReport.InputStatus =
            partRejects.contains { $0.isWholeFile && !documentsLeft } ? .rejected : rejectedRows > 0 ? .partial : .ok
        input = input?.adding(rows: header.inputRows, rejectedRows: rejectedRows, sha256: header.inputSHA256, status: status)
            ?? RunReport.Input(
                step: info.step, path: info.relativePath, bytes: info.bytes, sha256: header.inputSHA256, rows: header.inputRows,
                rejectedRows: rejectedRows, status: status, origin: origin)
        return kept
    }

    private func finishInput() {
        if let done = input { report.inputs.append(done) }
        input = nil
    }

    /// After the last input: the authors table, the key checks settled; the report's checks and
    /// row counts. Throws when a key does not hold.
    func finish() throws {
        if !runTransforms.isEmpty {
            let context = RunContext(sources: PipelineRunner.sources(of: spec))
            for step in runTransforms {
                report.mergedRows += step.apply(to: &held, context: context, notes: &report.notes).mergedRows
            }
            for document in held {
                try TableRows.messages(document, batchSize: PipelineRunner.rowBatch) { try write(.messages, $0) }
                try TableRows.threads(document, batchSize: PipelineRunner.rowBatch) { try write(.threads, $0) }
                try write(.documents, [TableRows.document(document)])
                keys.settle(except: [.authors])
            }
            held = []
        }
        try authors.rows(batchSize: PipelineRunner.rowBatch) { try write(.authors, $0) }
        keys.settle()
        report.keyChecks = keys.outcomes
        if let failure = KeyCheck.failure(report.keyChecks) { throw failure }
        report.rowsPerTable = outputs.rowCounts
    }
}
