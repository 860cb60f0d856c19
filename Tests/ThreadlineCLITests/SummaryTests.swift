import Foundation
import Logging
import Testing
import _ThreadlineTestSupport

@testable import ThreadlineCLI
@testable import ThreadlineCore

/// What `run` prints when it ends, and what `--dry-run` prints, from a run's report and plan.
@Suite struct SummaryTests {
    static func report() -> RunReport {
        var report = RunReport(
            runID: "20261207060000-0000abcd", pipeline: "p.yaml", pipelineSHA256: "", startedAt: Timestamp(microseconds: 0),
            endedAt: Timestamp(microseconds: 2_000_000))
        report.inputs = [
            RunReport.Input(step: "markdown", path: "a.md", bytes: 3_000_000, sha256: "", rows: 10, rejectedRows: 1, status: .partial),
            RunReport.Input(step: "markdown", path: "b.md", bytes: 1_000_000, sha256: "", rows: 0, rejectedRows: 0, status: .rejected),
        ]
        report.rowsPerTable = [.messages: 9, .threads: 4, .documents: 1, .authors: 3]
        report.inputRows = 10
        report.rejectedRows = 1
        report.rejects = 2
        report.rejectedFiles = 1
        report.rejectedFileBytes = 1_000_000
        report.notes.count(CleanEmoji.unknownCategory, "party_parrot", by: 3)
        report.notes.count(CleanEmoji.unknownCategory, "shipit")
        report.notes.count(MarkdownSource.emptyTexts, "a.md", by: 2)
        return report
    }

    @Test func theSummaryCountsRowsRejectsAndNotesByTheirLabels() {
        #expect(Summary.text(Self.report()) == """
            rows: messages 9, threads 4, documents 1, authors 3
            inputs: 2 (4000000 bytes); rows in 10 = out 9 + rejected 1; 1 file rejected whole or in part (1000000 bytes, rows uncounted)
            rejects: 2 (see _rejects.jsonl)
            empty texts kept: 2 — a.md ×2
            unknown emoji: 4 — party_parrot ×3, shipit ×1
            done in 2.00 s (2.0 MB/s)
            """)
    }

    @Test func theJSONSummaryNamesNotesByTheirKeys() {
        let fields = Summary.metadata(Self.report())
        #expect(fields["unknown_emoji"] == .stringConvertible(4))
        #expect(fields["empty_texts_kept"] == .stringConvertible(2))
        #expect(fields["rows_messages"] == .stringConvertible(9))
        #expect(fields["rows_rejected"] == .stringConvertible(1))
        #expect(fields["mb_per_second"] == .stringConvertible(2.0))
    }

    @Test func theDryRunListsEachInputOnceAndTheStepsTheLoaderAdded() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/books/a.md", "---\ntitle: A\n---\n")
        try scratch.write("inputs/books/b.md", "---\ntitle: B\n---\n")
        let file = try scratch.write("pipeline.yaml", basicPipeline())
        let spec = try PipelineLoader(environment: [:]).load(path: file)
        let text = Planner.describe(try PipelineRunner(spec: spec).plan(), spec: spec)
        #expect(text == """
            pipeline test (\(file))
            input_root \(scratch.path("inputs"))
            extract markdown (\(file):8:5): 2 inputs, 34 bytes
              books/a.md
              books/b.md
            transform link_threads (added: gives every message its ids; runs after the other transforms of a document when the file does not list it)
            output_root \(scratch.path("out"))
            load jsonl: messages -> messages.jsonl
            load jsonl: threads -> threads.jsonl
            load jsonl: documents -> documents.jsonl
            load jsonl: authors -> authors.jsonl
            load csv: messages -> messages.csv
            load csv: threads -> threads.csv
            load csv: documents -> documents.csv
            load csv: authors -> authors.csv
              _manifest.json, _rejects.jsonl

            """)
    }
}
