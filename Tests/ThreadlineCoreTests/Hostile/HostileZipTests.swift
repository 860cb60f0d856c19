import Foundation
import Testing
import ThreadlineSlack
import ZIPFoundation

@testable import ThreadlineCore

/// A Slack export zip gives every entry it lists to the run, read or rejected by name: encrypted
/// entries, entries whose bytes do not match their CRC-32, a name given twice, unsafe names, bombs.
@Suite struct HostileZipTests {
    static let users = #"[{"id":"U1","name":"ana"}]"#
    static let first = #"[{"ts":"1609459200.000100","user":"U1","text":"one"}]"#
    static let second = #"[{"ts":"1609545600.000100","user":"U1","text":"two"}]"#

    /// Runs slack_json over `export.zip` made of `entries`; returns the report and the rejects.
    func run(_ entries: [StoredZip.Entry], extra: String = "") throws -> (RunReport, [[String: Any]], Scratch) {
        let scratch = try Scratch()
        try scratch.write("inputs/export.zip", StoredZip.archive(entries: entries))
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"*.zip\"]", extra: extra))
        return (report, try readJSONLines(scratch.path("out/_rejects.jsonl")), scratch)
    }

    func describe(_ rejects: [[String: Any]]) -> [String] {
        rejects.map { "\($0["file"] as? String ?? ""): \($0["reason"] as? String ?? "")" }
    }

    /// A zip of the export's folder (macOS's Compress adds `__MACOSX/` entries beside it) is read as
    /// if that folder were the zip's root: the same documents as a flat zip, and locations below
    /// the folder, as the docs say.
    @Test func aZipOfTheExportsFolderIsReadAsTheExport() throws {
        let (report, rejects, scratch) = try run([
            StoredZip.Entry("Slack Export/users.json", Self.users),
            StoredZip.Entry("Slack Export/general/2021-01-01.json", Self.first),
            StoredZip.Entry("Slack Export/general/2021-01-02.json", "[{"),
            StoredZip.Entry("__MACOSX/Slack Export/._users.json", Data([0, 5, 22, 7])),
            StoredZip.Entry("__MACOSX/Slack Export/general/._2021-01-01.json", Data([0, 5, 22, 7])),
        ])
        #expect((report.inputRows, report.outputRows, report.rejectedFiles) == (1, 1, 1))
        let rows = try readJSONLines(scratch.path("out/messages.jsonl"))
        #expect(rows.map { $0["document_id"] as? String } == ["slack_json:general"])
        #expect(rows.map { $0["source_file"] as? String } == ["export.zip/general/2021-01-01.json"])
        #expect(rejects.map { $0["file"] as? String } == ["export.zip/general/2021-01-02.json"])
    }

    // MARK: 4. Encrypted entries

    /// An encrypted entry cannot be read; it was left out without a word (zip readers stop listing at
    /// it), so an encrypted export gave 0 rows and exit 0. Each is now a reject of that entry.
    @Test func anEncryptedEntryIsARejectOfThatEntry() throws {
        let (report, rejects, _) = try run([
            StoredZip.Entry("users.json", Self.users),
            StoredZip.Entry("c/2021-01-01.json", Self.first),
            StoredZip.Entry("c/2021-01-02.json", Data((0..<48).map { UInt8($0 * 7 & 0xFF) }), encrypted: true),
        ])
        #expect(describe(rejects) == ["export.zip/c/2021-01-02.json: zip entry is encrypted: not read"])
        #expect((report.inputRows, report.outputRows, report.rejectedFiles, report.rejectedFileBytes) == (1, 1, 1, 48))
        // Rows of the entry cannot be counted: the input is "rejected" (in part), as with a day file that is not JSON.
        #expect(report.inputs.map(\.status) == [.rejected])
    }

    /// A zip reader that stops at an encrypted entry cannot read the entries listed after it: each of
    /// those is a reject too, naming the entry in the way.
    @Test func entriesListedAfterAnEncryptedOneAreRejectedByName() throws {
        let (report, rejects, _) = try run([
            StoredZip.Entry("users.json", Self.users),
            StoredZip.Entry("c/2021-01-01.json", "sealed", encrypted: true),
            StoredZip.Entry("c/2021-01-02.json", Self.second),
        ])
        #expect(describe(rejects) == [
            "export.zip/c/2021-01-01.json: zip entry is encrypted: not read",
            "export.zip/c/2021-01-02.json: zip entry not read: the zip cannot be read past the encrypted entry 'c/2021-01-01.json'",
        ])
        #expect((report.outputRows, report.rejectedFiles) == (0, 2))
    }

    /// An export encrypted whole is rejected entry by entry, and fails `max_rejects` as usual; and
    /// `validate` fails it.
    @Test func aWhollyEncryptedExportFailsMaxRejectsAndValidate() throws {
        let entries = [("users.json", Self.users), ("c/2021-01-01.json", Self.first), ("c/2021-01-02.json", Self.second)]
            .map { StoredZip.Entry($0.0, $0.1, encrypted: true) }
        let (report, rejects, scratch) = try run(entries, extra: "max_rejects: 0")
        #expect(report.status == .dataError)
        #expect(describe(rejects) == [
            "export.zip/users.json: zip entry is encrypted: not read",
            "export.zip/c/2021-01-01.json: zip entry is encrypted: not read",
            "export.zip/c/2021-01-02.json: zip entry is encrypted: not read",
        ])
        #expect((report.outputRows, report.rejectedFiles) == (0, 3))
        let validate = try runThreadline(["validate", "inputs/export.zip"], in: scratch.root)
        #expect(validate.status == 1)
        #expect(validate.stdout.contains("inputs/export.zip/c/2021-01-01.json: error: zip entry is encrypted: not read"), "\(validate.stdout)")
    }

    // MARK: 5. CRC-32

    /// A stored entry whose bytes do not match its CRC-32 was read as good data.
    @Test func anEntryWhoseBytesDoNotMatchItsCRCIsRejected() throws {
        let (report, rejects, scratch) = try run([
            StoredZip.Entry("users.json", Self.users),
            StoredZip.Entry("c/2021-01-01.json", Self.first, listedCRC: 0x1234_5678),
            StoredZip.Entry("c/2021-01-02.json", Self.second),
        ])
        let actual = String(format: "%08x", StoredZip.crc32(Data(Self.first.utf8)))
        #expect(describe(rejects) == [
            "export.zip/c/2021-01-01.json: zip entry is damaged: its bytes have CRC-32 \(actual), its header lists 12345678",
        ])
        #expect((report.inputRows, report.outputRows, report.rejectedFiles) == (1, 1, 1))
        #expect(try readJSONLines(scratch.path("out/messages.jsonl")).map { $0["text"] as? String } == ["two"])
    }

    // MARK: 9. Repeated names

    /// A name given twice: the second copy was dropped with a warning. It is now a reject that
    /// carries the dropped copy under quarantine.
    @Test func aRepeatedEntryNameIsARejectCarryingTheDroppedCopy() throws {
        let dropped = #"[{"ts":"1609459300.000100","user":"U1","text":"second copy"}]"#
        let (report, rejects, _) = try run([
            StoredZip.Entry("users.json", Self.users),
            StoredZip.Entry("c/2021-01-01.json", Self.first),
            StoredZip.Entry("c/2021-01-01.json", dropped),
        ])
        #expect(describe(rejects) == [
            "export.zip/c/2021-01-01.json: zip entry repeats the name of an earlier entry: this copy was not read",
        ])
        #expect(rejects.first?["record"] as? String == dropped)
        #expect((report.outputRows, report.rejectedFiles, report.rejectedFileBytes) == (1, 1, Int64(dropped.utf8.count)))
    }

    /// A copy over the record bound is cut, and `record_bytes` says how long it was.
    @Test func aLongDroppedCopyIsCutWithANote() throws {
        let long = "[" + String(repeating: " ", count: 100_000) + "]"
        let (_, rejects, _) = try run([
            StoredZip.Entry("users.json", Self.users),
            StoredZip.Entry("c/2021-01-01.json", Self.first),
            StoredZip.Entry("c/2021-01-01.json", long),
        ])
        let record = try #require(rejects.first?["record"] as? String)
        #expect(record.utf8.count == Reject.maxRecordBytes)
        #expect(record == String(long.prefix(Reject.maxRecordBytes)))
        #expect(rejects.first?["record_bytes"] as? Int == 100_002)
        #expect(rejects.first?["reason"] as? String == "zip entry repeats the name of an earlier entry: this copy was not read")
    }

    // MARK: Already handled: unsafe names, bombs

    /// Names that climb out of the export (`..`, absolute) are never read as paths; each is a reject of
    /// that entry, with its bytes.
    @Test func zipSlipNamesAreRejectedNotFollowed() throws {
        let (report, rejects, scratch) = try run([
            StoredZip.Entry("users.json", Self.users),
            StoredZip.Entry("c/2021-01-01.json", Self.first),
            StoredZip.Entry("../../escape/2021-01-01.json", Self.second),
            StoredZip.Entry("/abs/2021-01-01.json", Self.second),
        ])
        #expect(describe(rejects) == [
            "export.zip/../../escape/2021-01-01.json: zip entry with an unsafe path: not read",
            "export.zip//abs/2021-01-01.json: zip entry with an unsafe path: not read",
        ])
        #expect((report.outputRows, report.rejectedFiles) == (1, 2))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("escape")))
        #expect(!FileManager.default.fileExists(atPath: "/abs"))
    }

    /// A small zip that inflates to much more than `max_file_bytes` is rejected from its listed size,
    /// before anything is inflated; the export's other files are read.
    @Test func aZipBombIsRejectedFromItsListedSize() throws {
        let scratch = try Scratch()
        let zip = URL(fileURLWithPath: scratch.path("inputs/export.zip"))
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        let archive = try Archive(url: zip, accessMode: .create)
        let bomb = 64 << 20
        for (path, contents) in [("users.json", Self.users), ("c/2021-01-01.json", Self.first)] {
            let data = Data(contents.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try archive.addEntry(with: "c/2021-01-02.json", type: .file, uncompressedSize: Int64(bomb), compressionMethod: .deflate) { _, size in
            Data(repeating: UInt8(ascii: " "), count: size)
        }
        let compressed = try #require(FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? Int)
        #expect(compressed < 1 << 20, "a bomb: small on disk")
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"*.zip\"]\n    max_file_bytes: 1MiB"))
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        #expect(describe(rejects) == ["export.zip/c/2021-01-02.json: file is larger than the limit of 1048576 bytes"])
        // Its record is its beginning, inflated that far only.
        #expect(rejects.first?["record"] as? String == String(repeating: " ", count: Reject.maxRecordBytes))
        #expect(rejects.first?["record_bytes"] as? Int == bomb)
        #expect(report.outputRows == 1)
    }
}
