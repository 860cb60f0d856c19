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

/// Zips whose numbers no file can hold, found by fuzzing: the zip library turns a ZIP64 offset into a
/// file position unchecked and trapped on one past `Int64.max`, and the directory's own reader added
/// an offset and a size that overflowed. Each is now a reject, and so are entries the zip counts but
/// whose directory does not hold them.
@Suite struct HostileZipNumberTests {
    static let entries = [
        StoredZip.Entry("users.json", HostileZipTests.users),
        StoredZip.Entry("c/2021-01-01.json", HostileZipTests.first),
    ]

    func run(_ zip: Data) throws -> (RunReport, [String]) {
        let scratch = try Scratch()
        try scratch.write("inputs/export.zip", zip)
        let report = try runPipeline(scratch, basicPipeline(extract: "  - type: slack_json\n    include: [\"*.zip\"]"))
        let rejects = try readJSONLines(scratch.path("out/_rejects.jsonl"))
        return (report, rejects.map { "\($0["file"] as? String ?? ""): \($0["reason"] as? String ?? "")" })
    }

    /// A ZIP64 end record is read where zip readers look for it, just before its locator.
    @Test func aZIP64EndRecordIsReadWhereTheDirectoryIs() throws {
        let zip = StoredZip.archive(entries: Self.entries)
        let directoryOffset = (0..<4).reduce(UInt64(0)) { $0 | UInt64(zip[zip.count - 6 + $1]) << (8 * UInt64($1)) }
        let (report, rejects) = try run(StoredZip.withZIP64End(zip, directoryOffset: directoryOffset))
        #expect(rejects == [])
        #expect((report.inputRows, report.outputRows) == (1, 1))
    }

    /// A ZIP64 end record that places the directory past the end of the file (past `Int64.max`, or
    /// where adding the directory's size overflows) rejects the export whole; the run goes on.
    @Test(arguments: [UInt64(1) << 63, UInt64.max - 8, 1 << 40])
    func aZIP64EndRecordPlacingTheDirectoryOutsideTheFileIsAReject(directoryOffset: UInt64) throws {
        let (report, rejects) = try run(StoredZip.withZIP64End(StoredZip.archive(entries: Self.entries), directoryOffset: directoryOffset))
        #expect(rejects == [
            "export.zip: not a folder or a readable zip archive (its end record places the central directory outside the file)",
        ])
        #expect((report.inputRows, report.outputRows, report.rejectedFiles) == (0, 0, 1))
    }

    /// An entry whose ZIP64 local header offset is past `Int64.max` is a reject, and so is every
    /// entry listed after it (no reader can go past it); those before it are read.
    @Test func anEntryWithAZIP64OffsetNoFileCanHoldIsARejectWithThoseAfterIt() throws {
        var hostile = StoredZip.Entry("c/2021-01-02.json", HostileZipTests.second)
        hostile.zip64Offset = 1 << 63
        let (report, rejects) = try run(StoredZip.archive(entries: Self.entries + [hostile, StoredZip.Entry("c/2021-01-03.json", "[]")]))
        #expect(rejects == [
            "export.zip/c/2021-01-02.json: zip entry is damaged: its ZIP64 offset or sizes are more than the zip can hold: not read",
            "export.zip/c/2021-01-03.json: zip entry not read: the zip cannot be read past the entry 'c/2021-01-02.json', whose header is damaged",
        ])
        #expect((report.inputRows, report.outputRows, report.rejectedFiles) == (1, 1, 2))
    }

    /// A directory damaged in the middle (an entry's signature overwritten) ends the listing there:
    /// the entries the end record counts past it were dropped without a word. The export now has a
    /// reject that says how many could not be read.
    @Test func entriesTheZipCountsButItsDirectoryDoesNotHoldAreAReject() throws {
        var zip = StoredZip.archive(entries: Self.entries + [StoredZip.Entry("c/2021-01-02.json", HostileZipTests.second)])
        let directoryOffset = (0..<4).reduce(0) { $0 | Int(zip[zip.count - 6 + $1]) << (8 * $1) }
        // The second directory entry starts after the first's 46 bytes and name.
        zip[directoryOffset + 46 + "users.json".utf8.count] = UInt8(ascii: "X")
        let (report, rejects) = try run(zip)
        #expect(rejects == [
            "export.zip: zip lists 3 entries, but its central directory holds 1 that can be read: the others cannot be read",
        ])
        #expect((report.inputRows, report.outputRows, report.rejectedFiles) == (0, 0, 1))
    }
}
