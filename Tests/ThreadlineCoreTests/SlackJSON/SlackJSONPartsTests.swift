import Foundation
import Synchronization
import Testing
import ThreadlineSlack
import ZIPFoundation

@testable import ThreadlineCore

/// An export extracted as its parts (the export itself, then each conversation) gives what it gives
/// read whole: the same documents, rejects, notes and rows, with each problem of the export as a
/// whole reported once.
@Suite struct SlackJSONPartsTests {
    /// A scratch folder holding, under `prefix`, `edge` (the edge fixture folder), `edge.zip` (the
    /// same files) and `no-users`.
    static func inputs(under prefix: String = "") throws -> Scratch {
        let scratch = try Scratch()
        try scratch.copyFixture("slack-json/edge", to: prefix + "edge")
        try scratch.copyFixture("slack-json/no-users", to: prefix + "no-users")
        try FileManager.default.zipItem(
            at: URL(fileURLWithPath: scratch.path(prefix + "edge")), to: URL(fileURLWithPath: scratch.path(prefix + "edge.zip")),
            shouldKeepParent: false)
        return scratch
    }

    static func source(_ include: String, _ options: [String: OptionValue] = [:]) -> SlackJSONSource {
        var values: [String: OptionValue] = ["include": .list([include])]
        values.merge(options) { $1 }
        return SlackJSONSource(options: StepOptions(SlackJSONSource.type.options, values: values, stepLocation: SourceLocation(file: "test")))
    }

    /// Everything a result says, in a comparable form.
    static func summary(_ results: [ExtractResult]) -> [String] {
        var notes = RunNotes()
        for result in results { notes.merge(result.notes) }
        let documents = results.flatMap(\.documents).map { document in
            "\(document.id) \(document.title ?? "") \(document.sourceFile) \(document.startsAt?.iso8601 ?? "-") "
                + document.threads.map { $0.messages.map { "\($0.key)@\($0.sourceFile ?? ""):\($0.sourceLine ?? 0)" }.joined(separator: ",") }
                .joined(separator: " | ")
        }
        let rejects = results.flatMap(\.rejects).map { "\($0.location) \($0.reason) [\($0.rows)] \($0.record ?? "")" }
        let noteLines = notes.counts.sorted { $0.key < $1.key }.flatMap { category, items in
            items.sorted { $0.key < $1.key }.map { "\(category): \($0.key) ×\($0.value)" }
        }
        return documents + rejects + noteLines + ["rows \(results.reduce(0) { $0 + $1.inputRows })"]
    }

    @Test func anExportIsPlannedAsOneInputOfItsCommonPartThenItsConversationsInNameOrder() throws {
        let scratch = try Self.inputs()
        let catalog = try InputCatalog(root: scratch.root)
        for export in ["edge", "edge.zip"] {
            let inputs = try Self.source(export).plan(catalog)
            let input = try #require(inputs.first)
            #expect(inputs.count == 1)
            #expect(input.relativePath == export)
            #expect(input.parts.map(\.scope) == [.common] + ["D1", "broken", "general", "mpdm-ana--ben--wen-1", "private-team"].map { .piece($0) } + [.digest])
            // A folder export's conversation is its folder's day files (not `general/canvas.json`).
            if !export.hasSuffix(".zip") {
                for part in input.parts.dropFirst() {
                    guard case .piece(let name) = part.scope else { continue }
                    #expect(part.bytes == (try scratch.bytes(ofFilesIn: export + "/" + name) { $0.hasPrefix("20") }), "\(name)")
                }
            }
            // The parts' bytes add up to the input's, as the manifest lists it.
            let total = export.hasSuffix(".zip")
                ? try #require(try FileManager.default.attributesOfItem(atPath: scratch.path(export))[.size] as? Int64)
                : catalog.totalBytes(under: export)
            #expect(input.parts.reduce(0) { $0 + $1.bytes } == total)
            #expect(input.bytes == total)
        }
    }

    @Test func anExportWithoutConversationsOrThatCannotBeListedIsReadWhole() throws {
        let scratch = try Scratch()
        try scratch.write("empty/users.json", "[]")
        try scratch.write("broken.zip", "not a zip")
        let inputs = try Self.source("*").plan(try InputCatalog(root: scratch.root))
        #expect(inputs.map(\.relativePath) == ["broken.zip", "empty"])
        #expect(inputs.map { $0.parts.map(\.scope) } == [[.whole], [.whole]])
    }

    @Test(arguments: ["edge", "edge.zip", "no-users"], [
        [:], ["max_total_bytes": .int(2500)], ["max_file_bytes": .int(900)],
    ] as [[String: OptionValue]])
    func partsGiveWhatTheWholeExportGives(export: String, options: [String: OptionValue]) throws {
        let scratch = try Self.inputs()
        let source = Self.source(export, options)
        let input = try #require(try source.plan(try InputCatalog(root: scratch.root)).first)
        #expect(input.parts.count > 1)

        var whole = ExtractResult()
        source.extractWhole(input, into: &whole)
        // The parts, extracted last to first (as threads might), then put in plan order.
        let opened = source.open(input)
        var results = Array(repeating: ExtractResult(), count: input.parts.count)
        for index in input.parts.indices.reversed() { source.extract(input.parts[index], of: input, opened: opened, into: &results[index]) }

        #expect(Self.summary(results) == Self.summary([whole]))
        // What memory holds per part: one conversation, or none for the common part and the digest.
        #expect(results.map(\.documents.count) == [0] + Array(repeating: 1, count: input.parts.count - 2) + [0])
        // The export is hashed once, by its last part.
        #expect(results.map { !$0.inputSHA256.isEmpty } == Array(repeating: false, count: input.parts.count - 1) + [true])
        #expect(results.last?.inputSHA256 == SlackJSONSource.sha256(ofExportAt: input.path))
    }

    @Test func problemsOfTheExportAsAWholeAreReportedOnceByItsCommonPart() throws {
        let scratch = try Self.inputs()
        try scratch.write("no-users/other/2021-01-01.json", #"[{"ts":"1609459200.000100","user":"U1","text":"hi"}]"#)
        let source = Self.source("no-users")
        let input = try #require(try source.plan(try InputCatalog(root: scratch.root)).first)
        #expect(input.parts.map(\.scope) == [.common, .piece("chat"), .piece("other"), .digest])
        var results: [ExtractResult] = []
        source.forEachPart(of: input) { results.append($0) }
        let missing = "no-users/users.json: users.json is missing: authors are named from each message's user_profile or kept as ids"
        #expect(results.map { $0.notes.counts[.warnings]?[missing] ?? 0 } == [1, 0, 0, 0])
    }

    @Test func anExportGoneBetweenPlanAndExtractIsRejectedOnce() throws {
        let scratch = try Self.inputs()
        let source = Self.source("edge")
        let input = try #require(try source.plan(try InputCatalog(root: scratch.root)).first)
        try FileManager.default.removeItem(atPath: scratch.path("edge"))
        let result = source.read(input)
        #expect(result.rejects.map { "\($0.location): \($0.reason) [\($0.rows)]" } == ["edge: slack export not found [0]"])
        #expect(result.documents.isEmpty)
        #expect(result.inputRows == 0)
    }

    /// The runner opens an input once for all its parts, read at once on several threads, and lets
    /// what they share go after the last part.
    @Test func theRunnerOpensAnInputOnceForItsPartsAndLetsItGoAfterTheLast() async throws {
        final class Counter: Sendable {
            let value = Mutex(0)
        }
        let opened = OpenedInputs<Int>()
        let opens = Counter()
        await withTaskGroup(of: Void.self) { group in
            for input in 0..<3 {
                for _ in 0..<4 {
                    group.addTask {
                        let value = opened.value(for: input, parts: 4) {
                            opens.value.withLock { $0 += 1 }
                            return input * 10
                        }
                        #expect(value == input * 10)
                    }
                }
            }
        }
        #expect(opens.value.withLock { $0 } == 3)
        #expect(opened.count == 3)
        for input in 0..<3 {
            for _ in 0..<4 { opened.partDone(input) }
        }
        #expect(opened.count == 0)
    }

    /// With the runner: the export's conversations come out together, in name order, between the
    /// inputs placed before and after the export's path, and the manifest lists each export once. The
    /// same export read twice (as a folder and as a zip) would repeat its documents' ids: the first
    /// keeps them, and the second's documents are rejected, their rows counted.
    @Test func aRunWritesTheConversationsTogetherAndListsEachExportOnce() throws {
        let scratch = try Self.inputs(under: "inputs/")
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("inputs/edge-notes.md", BadInputTests.good)
        let report = try runPipeline(scratch, basicPipeline(extract: """
              - type: markdown
                include: ["*.md"]
              - type: slack_json
                include: ["edge", "edge.zip"]
            """))
        // "edge-notes" sorts between "edge" and "edge.zip".
        #expect(report.inputs.map(\.path) == ["a.md", "edge", "edge-notes.md", "edge.zip"])
        #expect(report.inputs.map(\.status) == [.ok, .partial, .ok, .rejected])
        #expect(report.inputs.map(\.rows) == [1, 24, 1, 24])
        #expect(report.inputs.map(\.rejectedRows) == [0, 4, 0, 24])
        // A folder's hash is that of its files' sha256sum lines, as the shell line in docs/operations.md gives it.
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", "cd \"$0\" && find . -type f ! -path '*/.*' -printf '%P\\n' | LC_ALL=C sort | xargs -d '\\n' sha256sum | sha256sum", scratch.path("inputs/edge")]
        let pipe = Pipe()
        shell.standardOutput = pipe
        try shell.run()
        shell.waitUntilExit()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(expected.count == 64)
        #expect(report.inputs[1].sha256 == String(expected))
        #expect(report.inputs[1].bytes == (try InputCatalog(root: scratch.path("inputs"))).totalBytes(under: "edge"))
        #expect(report.inputs[3].sha256 == (try FileDigest.sha256(ofFileAt: scratch.path("inputs/edge.zip"))).sha256)
        #expect(report.inputs[3].bytes == (try FileManager.default.attributesOfItem(atPath: scratch.path("inputs/edge.zip"))[.size] as? Int64))
        #expect(report.inputRows == report.outputRows + report.rejectedRows)
        #expect(report.notes.total(.warnings) == 6)

        let conversations = ["D1", "broken", "general", "mpdm-ana--ben--wen-1", "private-team"].map { "slack_json:" + $0 }
        let documents = try readJSONLines(scratch.path("out/documents.jsonl")).map { $0["document_id"] as? String ?? "?" }
        #expect(documents == ["a"] + conversations + ["edge-notes"])
        let repeated = try readJSONLines(scratch.path("out/_rejects.jsonl")).compactMap { $0["reason"] as? String }
            .filter { $0.contains("is already the id of a document of 'edge'") }
        #expect(repeated.count == conversations.count)
        #expect(repeated.first == "document_id 'slack_json:D1' is already the id of a document of 'edge': its 2 messages are not written (exclude one of the two inputs, or read them in separate pipelines)")
    }

    /// The allowances of `max_total_bytes` are worked out from the listed sizes: an entry may not
    /// inflate past the size its zip header lists.
    @Test func aZipEntryThatInflatesPastItsListedSizeIsRejected() throws {
        let scratch = try Scratch()
        let day = #"[{"ts":"1609459200.000100","user":"U1","text":"a message longer than its header says"}]"#
        let zip = URL(fileURLWithPath: scratch.path("lying.zip"))
        let archive = try Archive(url: zip, accessMode: .create)
        for (path, contents) in [("users.json", "[]"), ("c/2021-01-01.json", day)] {
            let data = Data(contents.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        // Lower the day file's uncompressed size to 10 in its local and central headers.
        var bytes = [UInt8](try Data(contentsOf: zip))
        let size = UInt32(day.utf8.count)
        let sizeBytes = (0..<4).map { UInt8(truncatingIfNeeded: size >> (8 * $0)) }
        for index in 0..<(bytes.count - 40) where bytes[index] == 0x50 && bytes[index + 1] == 0x4B {
            let offset: Int? = switch (bytes[index + 2], bytes[index + 3]) {
            case (3, 4): index + 22
            case (1, 2): index + 24
            default: nil
            }
            if let offset, Array(bytes[offset..<offset + 4]) == sizeBytes {
                bytes.replaceSubrange(offset..<offset + 4, with: [10, 0, 0, 0])
            }
        }
        try Data(bytes).write(to: zip)
        let export = try SlackExportReader().read(zip, name: "lying.zip") { _ in }
        #expect(export.issues.map(\.description) == [
            "c/2021-01-01.json: rejected: zip entry inflates to more than the 10 bytes its header lists",
        ])
        #expect(export.counts.kept == 0)
    }
}
