import Foundation
import Testing

@testable import ThreadlineCore

/// Incremental runs: an input unchanged since the last run is written from its record, and the
/// outputs are byte for byte those of a full run, after changes, additions and deletions too; a
/// state that cannot be used means a full run.
@Suite(.serialized) struct IncrementalTests {
    /// Inputs of every source in `inputs/`: three markdown archives made from the seed book, the
    /// Slack export as a folder and as a zip, the HTML pages and the edge export.
    func inputs(_ scratch: Scratch) throws {
        let book = try String(contentsOfFile: Samples.path("books/20210308-designing-data-intensive-applications.md"), encoding: .utf8)
        for name in ["a", "b", "c"] {
            try scratch.write("inputs/books/\(name).md", book.replacingOccurrences(of: "Kleppmann", with: "Kleppmann \(name.uppercased())"))
        }
        for sample in ["slack-export", "slack-export.zip", "slack-html", "slack-json"] {
            try FileManager.default.copyItem(atPath: Samples.path(sample), toPath: scratch.path("inputs/\(sample)"))
        }
    }

    func pipeline(output: String, incremental: Bool, extra: String = "") -> String {
        samplesPipeline(output: output, extra: "incremental: \(incremental)\n" + extra)
            .replacingOccurrences(of: "input_root: \(Samples.root.path)", with: "input_root: inputs")
            .replacingOccurrences(of: ", \"slack-html-single/*.html\", \"slackdump/**/*.html\"", with: "")
    }

    /// Runs incrementally into `inc/` and fully into `full/`; expects the same bytes in every table
    /// file and `_rejects.jsonl`; returns the incremental run's manifest inputs (path → origin).
    @discardableResult
    func runBoth(_ scratch: Scratch, arguments: [String] = []) throws -> (origins: [String: String], stderr: String) {
        try scratch.write("inc.yaml", pipeline(output: "inc", incremental: true))
        try scratch.write("full.yaml", pipeline(output: "full", incremental: false))
        let incremental = try runThreadline(["run", "inc.yaml"] + arguments, in: scratch.root)
        try #require(incremental.status == 0, "\(incremental.stderr)")
        let full = try runThreadline(["run", "-q", "full.yaml"] + arguments, in: scratch.root)
        try #require(full.status == 0, "\(full.stderr)")
        try expectSameTables(scratch, "inc", as: "full")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("inc/_manifest.json").utf8)) as? [String: Any])
        let full_ = try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("full/_manifest.json").utf8)) as? [String: Any])
        func summary(_ manifest: [String: Any]) -> [String] {
            (manifest["inputs"] as? [[String: Any]] ?? []).map { input in
                ["path", "sha256", "rows", "rejected_rows", "status", "bytes"].map { "\(input[$0] ?? "")" }.joined(separator: " ")
            }
        }
        #expect(summary(manifest) == summary(full_))
        var origins: [String: String] = [:]
        for input in manifest["inputs"] as? [[String: Any]] ?? [] { origins[input["path"] as? String ?? ""] = input["origin"] as? String }
        return (origins, incremental.stderr)
    }

    @Test func anUnchangedRerunReusesEveryInputAndWritesTheSameBytes() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        let first = try runBoth(scratch)
        #expect(first.origins.count == 8)
        #expect(first.origins.values.allSatisfy { $0 == "processed" })
        #expect(first.stderr.contains("info: incremental: every input is read: there is no state of an earlier incremental run in .threadline/incremental"))
        let second = try runBoth(scratch)
        #expect(second.origins.values.allSatisfy { $0 == "reused" })
        #expect(second.stderr.contains("info: incremental: 8 of 8 inputs unchanged since the last run, written from its state"))
        let runs = try scratch.read("inc/_runs.jsonl").split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        #expect(runs.map { ($0["inputs"] as? [String: Int])?["processed"] } == [8, 0])
        #expect(runs.map { ($0["inputs"] as? [String: Int])?["reused"] } == [0, 8])
    }

    /// A changed input is read again alone, an added one is read, a deleted one's rows are gone; a
    /// document id the deleted input held passes to the input that repeated it.
    @Test func changesAdditionsAndDeletionsGiveWhatAFullRunGives() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        try runBoth(scratch)
        try scratch.write("inputs/books/b.md", try scratch.read("inputs/books/b.md").replacingOccurrences(of: "Kleppmann B", with: "Kleppmann Bee"))
        try FileManager.default.removeItem(atPath: scratch.path("inputs/books/c.md"))
        try scratch.write("inputs/books/d.md", try scratch.read("inputs/books/a.md").replacingOccurrences(of: "Kleppmann A", with: "Kleppmann D"))
        // The folder export goes: the channel's id passes to the zip's copy of it.
        try FileManager.default.removeItem(atPath: scratch.path("inputs/slack-export"))
        let after = try runBoth(scratch)
        #expect(after.origins == [
            "books/a.md": "reused", "books/b.md": "processed", "books/d.md": "processed", "slack-export.zip": "reused",
            "slack-html/channel/book-of-the-week/index.html": "reused", "slack-json/edge": "reused", "slack-json/no-users": "reused",
        ])
        #expect(try !scratch.read("inc/messages.jsonl").contains("Kleppmann C"))
        // A changed Slack export folder is read again; its unchanged sibling is not.
        try scratch.write("inputs/slack-json/edge/general/2021-01-03.json", "[{\"type\": \"message\", \"user\": \"U1\", \"text\": \"late\", \"ts\": \"1609632000.000100\"}]")
        let edge = try runBoth(scratch)
        #expect(edge.origins["slack-json/edge"] == "processed")
        #expect(edge.origins["slack-json/no-users"] == "reused")
        #expect(try scratch.read("inc/messages.jsonl").contains("\"text\":\"late\""))
    }

    /// The state is only a cache: one that is corrupt, of another version or of another pipeline
    /// means a full run (said on an info line), and a record that cannot be read too.
    @Test func aStateThatCannotBeUsedMeansAFullRun() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        try runBoth(scratch)
        let state = scratch.path("inc/.threadline/incremental/state.json")
        try "{\"format\": 1, \"inputs\": [".write(toFile: state, atomically: false, encoding: .utf8)
        let corrupt = try runBoth(scratch)
        #expect(corrupt.origins.values.allSatisfy { $0 == "processed" })
        #expect(corrupt.stderr.contains("info: incremental: every input is read: the state .threadline/incremental/state.json cannot be read (it is not JSON)"))
        #expect(try runBoth(scratch).origins.values.allSatisfy { $0 == "reused" }, "the full run wrote a new state")

        let text = try String(contentsOfFile: state, encoding: .utf8)
        try text.replacingOccurrences(of: "\"tool_version\": \"\(ThreadlineVersion.current)\"", with: "\"tool_version\": \"0.0.1\"")
            .write(toFile: state, atomically: false, encoding: .utf8)
        let version = try runBoth(scratch)
        #expect(version.stderr.contains("every input is read: the state was written by threadline 0.0.1, this is \(ThreadlineVersion.current)"))
        #expect(version.origins.values.allSatisfy { $0 == "processed" })

        // Another build of the same version (an upgrade from source, a rebuild with a fix) may read
        // inputs otherwise: a full run too.
        #expect(ThreadlineVersion.build.count == 40, "the executable's GNU build id: \(ThreadlineVersion.build)")
        let built = try String(contentsOfFile: state, encoding: .utf8)
        try #require(built.contains("\"tool_build\": \""))
        try built.replacingOccurrences(of: #""tool_build": "[0-9a-f]*""#, with: #""tool_build": "0000""#, options: .regularExpression)
            .write(toFile: state, atomically: false, encoding: .utf8)
        let rebuilt = try runBoth(scratch)
        #expect(rebuilt.stderr.contains("every input is read: the state was written by another build of threadline \(ThreadlineVersion.current)"))
        #expect(rebuilt.origins.values.allSatisfy { $0 == "processed" })

        // A record cut short: found when it is read, then the run reads every input.
        let records = scratch.path("inc/.threadline/incremental/records")
        let record = try #require(try FileManager.default.contentsOfDirectory(atPath: records).sorted().first)
        let data = try Data(contentsOf: URL(fileURLWithPath: records + "/" + record))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: records + "/" + record))
        let cut = try runBoth(scratch)
        #expect(cut.origins.values.allSatisfy { $0 == "processed" })
        #expect(cut.stderr.contains("info: incremental: every input is read: the state's record"))
        #expect(cut.stderr.contains("corrupt record"))
        #expect(try runBoth(scratch).origins.values.allSatisfy { $0 == "reused" })
    }

    @Test func anotherTransformConfigurationReadsEveryInput() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        try runBoth(scratch)
        let changed = try runBoth(scratch, arguments: ["--set", "transform.1.unknown=strip"])
        #expect(changed.origins.values.allSatisfy { $0 == "processed" })
        #expect(changed.stderr.contains("every input is read: the pipeline's extract or transform steps, their options or files, or input_root changed"))
        // The load steps are not part of it: other outputs of the same records.
        try scratch.write("inc.yaml", pipeline(output: "inc", incremental: true))
        let reload = try runThreadline(["run", "inc.yaml", "--set", "transform.1.unknown=strip", "--set", "load.1.partition_by=[source]"], in: scratch.root)
        #expect(reload.status == 0)
        #expect(reload.stderr.contains("8 of 8 inputs unchanged"))
        #expect(scratch.exists("inc/messages.csv/source=markdown/part-00000.csv"))
    }

    /// A slackdump channel page is read with its `threads/` pages, so they are part of its input: a
    /// late reply added to a thread page, a new thread page and a removed one make the channel page's
    /// input read again, though the channel page itself is unchanged.
    @Test func aSlackdumpThreadPageIsPartOfItsChannelPagesInput() throws {
        let scratch = try Scratch()
        try FileManager.default.copyItem(atPath: Samples.path("slackdump"), toPath: scratch.path("inputs/slackdump"))
        func write(_ name: String, incremental: Bool) throws {
            // No report: when no input changed, the outputs are kept and no record is read.
            let load = "  - type: jsonl\n  - type: csv\n  - type: parquet"
            try scratch.write("\(name).yaml", samplesPipeline(output: name, extra: "incremental: \(incremental)\n", load: load)
                .replacingOccurrences(of: "input_root: \(Samples.root.path)", with: "input_root: inputs")
                .replacingOccurrences(of: "include: [\"books/*.md\"]", with: "include: [\"books/*.md\"]\n    min_inputs: 0")
                .replacingOccurrences(of: "include: [\"slack-export\", \"slack-export.zip\", \"slack-json/*\"]", with: "include: [\"slack-export\"]\n    min_inputs: 0"))
        }
        try write("inc", incremental: true)
        try write("full", incremental: false)
        func runBoth() throws -> (origin: String?, messages: String) {
            let incremental = try runThreadline(["run", "inc.yaml"], in: scratch.root)
            try #require(incremental.status == 0, "\(incremental.stderr)")
            // Decided input by input: never a fall back to reading every input.
            #expect(!incremental.stderr.contains("every input is read") || !FileManager.default.fileExists(atPath: scratch.path("full")), "\(incremental.stderr)")
            try? FileManager.default.removeItem(atPath: scratch.path("full"))
            let full = try runThreadline(["run", "-q", "full.yaml"], in: scratch.root)
            try #require(full.status == 0, "\(full.stderr)")
            try expectSameTables(scratch, "inc", as: "full")
            let manifest = try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("inc/_manifest.json").utf8)) as? [String: Any])
            let fullManifest = try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("full/_manifest.json").utf8)) as? [String: Any])
            let inputs = try #require(manifest["inputs"] as? [[String: Any]])
            #expect(inputs.map { $0["sha256"] as? String } == (fullManifest["inputs"] as? [[String: Any]])?.map { $0["sha256"] as? String })
            return (inputs.first { $0["path"] as? String == "slackdump/archives/C0BOTW/index.html" }?["origin"] as? String, try scratch.read("inc/messages.jsonl"))
        }
        #expect(try runBoth().origin == "processed")
        #expect(try runBoth().origin == "reused")

        let threads = scratch.path("inputs/slackdump/archives/C0BOTW/threads")
        let page = threads + "/1615561200.000200.html"
        let late = """
            <article class="message"><div class="message-inner">
              <header class="message-header" id="1615650000.000600">
                <span class="message-sender"><a href="../../team/U0/index.html">Dana Kowalska</a></span>
                <span class="message-timestamp grey">2021-03-13 15:40:00</span></header>
                <div class="reply-context">↩ <a href="threads/1615561200.000200.html">replying to thread</a></div>
              <div class="message-content"><p>a late reply</p></div>
            </div></article>
                    </section>
            """
        try String(contentsOfFile: page, encoding: .utf8).replacingOccurrences(of: "        </section>", with: late)
            .write(toFile: page, atomically: false, encoding: .utf8)
        let replied = try runBoth()
        #expect(replied.origin == "processed")
        #expect(replied.messages.contains("a late reply"))

        // The same size: only the thread page's hash tells.
        try String(contentsOfFile: page, encoding: .utf8).replacingOccurrences(of: "a late reply", with: "a LATE reply")
            .write(toFile: page, atomically: false, encoding: .utf8)
        let edited = try runBoth()
        #expect(edited.origin == "processed")
        #expect(edited.messages.contains("a LATE reply"))

        try FileManager.default.copyItem(atPath: page, toPath: threads + "/1615561201.000200.html")
        let added = try runBoth()
        #expect(added.origin == "processed")

        try FileManager.default.removeItem(atPath: page)
        let removed = try runBoth()
        #expect(removed.origin == "processed")
        #expect(try runBoth().origin == "reused")
    }

    /// An input whose size, times and inode are those recorded, and older than the state by more
    /// than 2 s, is not hashed: here its recorded hash is wrong, and it is reused all the same. A
    /// content change that keeps the size and puts the modification time back changes the change
    /// time, so it is found.
    @Test func theStatOfAnOldInputIsEnoughAndAChangeBehindItsBackIsFound() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        let old = Date(timeIntervalSinceNow: -3600)
        for book in ["a", "b", "c"] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: scratch.path("inputs/books/\(book).md"))
        }
        try runBoth(scratch)
        let state = scratch.path("inc/.threadline/incremental/state.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: Any])
        let entries = try #require(object["inputs"] as? [[String: Any]])
        let sha = try #require(entries.first { $0["relative_path"] as? String == "books/a.md" }?["sha256"] as? String)
        // The state is from the past too, so the books are older than it by more than 2 s.
        var text = try String(contentsOfFile: state, encoding: .utf8).replacingOccurrences(of: sha, with: String(repeating: "0", count: 64))
        if let writtenAt = object["written_at_us"] as? Int {
            text = text.replacingOccurrences(of: "\"written_at_us\": \(writtenAt)", with: "\"written_at_us\": \(writtenAt + 10_000_000)")
        }
        try text.write(toFile: state, atomically: false, encoding: .utf8)
        let statOnly = try runBoth(scratch)
        #expect(statOnly.origins["books/a.md"] == "reused")

        let path = scratch.path("inputs/books/b.md")
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try original.replacingOccurrences(of: "Kleppmann B", with: "Kleppmann Z").write(toFile: path, atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: path)
        let behind = try runBoth(scratch)
        #expect(behind.origins["books/b.md"] == "processed")
        #expect(try scratch.read("inc/messages.jsonl").contains("Kleppmann Z"))
    }

    /// When nothing changed, the tables are kept as they are (same inode, same modification time)
    /// and no record is read; a table file changed since is written again, the others kept.
    @Test func whenNothingChangedTheOutputsAreKept() throws {
        let scratch = try Scratch()
        try inputs(scratch)
        let load = """
              - type: jsonl
              - type: csv
                partition_by: [document_id]
              - type: parquet
            """
        try scratch.write("p.yaml", samplesPipeline(output: "out", extra: "incremental: true", load: load)
            .replacingOccurrences(of: "input_root: \(Samples.root.path)", with: "input_root: inputs"))
        func files() throws -> [String: String] {
            var found: [String: String] = [:]
            for path in try filesUnder(scratch.path("out")).keys where !path.hasPrefix("_") && path != "datapackage.json" {
                let attributes = try FileManager.default.attributesOfItem(atPath: scratch.path("out/" + path))
                found[path] = "\(attributes[.systemFileNumber] ?? 0) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
            }
            return found
        }
        func manifest() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: Data(scratch.read("out/_manifest.json").utf8)) as? [String: Any])
        }
        let firstRun = try runThreadline(["run", "p.yaml"], in: scratch.root)
        #expect(firstRun.status == 0)
        let before = try files(), first = try manifest()
        let second = try runThreadline(["run", "p.yaml"], in: scratch.root)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(try files() == before)
        let kept = try manifest()
        #expect(kept["run_id"] as? String != first["run_id"] as? String)
        for key in ["rows", "tables", "checks", "notes"] {
            #expect((kept[key] as? NSObject) == (first[key] as? NSObject), "\(key)")
        }
        // Every output as the first run listed it; the data package names the new run.
        func tables(_ manifest: [String: Any]) -> NSArray {
            ((manifest["outputs"] as? [[String: Any]] ?? []).filter { $0["path"] as? String != "datapackage.json" }) as NSArray
        }
        #expect(tables(kept) == tables(first))
        #expect((kept["inputs"] as? [[String: Any]] ?? []).allSatisfy { $0["origin"] as? String == "reused" })
        let rowsLine = try #require(firstRun.stderr.split(separator: "\n").first { $0.hasPrefix("rows:") })
        #expect(second.stderr.contains(rowsLine))

        // A table file changed behind the run's back is written again, from the records.
        try "tampered\n".write(toFile: scratch.path("out/messages.jsonl"), atomically: false, encoding: .utf8)
        #expect(try runThreadline(["run", "-q", "p.yaml"], in: scratch.root).status == 0)
        let after = try files()
        #expect(after["messages.jsonl"] != before["messages.jsonl"])
        #expect(after.filter { $0.key != "messages.jsonl" } == before.filter { $0.key != "messages.jsonl" })
        #expect(try FileDigest.sha256(ofFileAt: scratch.path("out/messages.jsonl")).sha256
            == ((first["outputs"] as? [[String: Any]])?.first { $0["path"] as? String == "messages.jsonl" }?["sha256"] as? String))
    }
}
