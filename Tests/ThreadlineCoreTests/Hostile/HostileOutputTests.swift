import Foundation
import Testing

@testable import ThreadlineCore

/// Nothing is written outside `output_root`: not through a planted link, not through a folder that is
/// a link, not into the inputs the next run reads; and what cannot be written says why.
@Suite struct HostileOutputTests {
    /// A scratch folder with one good input and the basic pipeline.
    func scratchWithInput(_ pipeline: String = basicPipeline()) throws -> Scratch {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        try scratch.write("pipeline.yaml", pipeline)
        return scratch
    }

    /// Every regular file under `relative`, with its contents, for "nothing changed there".
    func snapshot(_ scratch: Scratch, _ relative: String) throws -> [String: Data] {
        var files: [String: Data] = [:]
        guard let walker = FileManager.default.enumerator(atPath: scratch.path(relative)) else { return files }
        for case let path as String in walker {
            var isFolder: ObjCBool = false
            let full = scratch.path(relative + "/" + path)
            if FileManager.default.fileExists(atPath: full, isDirectory: &isFolder), !isFolder.boolValue {
                files[path] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return files
    }

    // MARK: 1. The lock file

    /// A link planted at `output_root/.threadline.lock` made every run create or empty its target
    /// (`open` followed it). The lock is now opened without following links, and a lock that is not
    /// a regular file is refused with status 3.
    @Test func aLockFileThatIsALinkIsRefusedAndItsTargetUntouched() throws {
        let scratch = try scratchWithInput()
        try scratch.write("victim.txt", "precious\n")
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out/.threadline.lock"), withDestinationPath: scratch.path("victim.txt"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out-missing"), withDestinationPath: scratch.path("nowhere"))
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 3)
        #expect(result.stderr.contains(
            "error: the lock file '\(scratch.path("out/.threadline.lock"))' is a symbolic link: refusing to open it"))
        #expect(result.stderr.contains("note: remove it; threadline makes the lock file itself"))
        #expect(try scratch.read("victim.txt") == "precious\n")
        #expect(!scratch.exists("out/messages.jsonl"))

        // A link to a file that does not exist yet is not created either.
        try FileManager.default.removeItem(atPath: scratch.path("out/.threadline.lock"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out/.threadline.lock"), withDestinationPath: scratch.path("created.txt"))
        #expect(try runThreadline(["run", "pipeline.yaml"], in: scratch.root).status == 3)
        #expect(!scratch.exists("created.txt"))
    }

    @Test func aLockThatIsAFolderOrAFIFOIsRefused() throws {
        let scratch = try scratchWithInput()
        try FileManager.default.createDirectory(atPath: scratch.path("out/.threadline.lock"), withIntermediateDirectories: true)
        let folder = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(folder.status == 3)
        #expect(folder.stderr.contains("error: the lock file '\(scratch.path("out/.threadline.lock"))' is not a regular file (a folder)"))
        try FileManager.default.removeItem(atPath: scratch.path("out/.threadline.lock"))
        #expect(mkfifo(scratch.path("out/.threadline.lock"), 0o644) == 0)
        let fifo = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(fifo.status == 3)
        #expect(fifo.stderr.contains("error: the lock file '\(scratch.path("out/.threadline.lock"))' is not a regular file (a FIFO, device or socket)"))
    }

    // MARK: 2. Folders inside output_root that are links

    /// `path: sub/{table}.jsonl` with `out/sub` a link to a folder elsewhere wrote the tables there.
    /// Output paths are now resolved beneath `output_root` without following links: a link on the way
    /// fails the run before anything is read or written.
    @Test func anOutputFolderThatIsALinkIsRefused() throws {
        let pipeline = basicPipeline().replacingOccurrences(of: "  - type: jsonl\n    tables: all", with: "  - type: jsonl\n    tables: all\n    path: \"sub/deeper/{table}.jsonl\"")
        let scratch = try scratchWithInput(pipeline)
        try FileManager.default.createDirectory(atPath: scratch.path("elsewhere"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out/sub"), withDestinationPath: scratch.path("elsewhere"))
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 3)
        #expect(result.stderr.contains(
            "error: cannot write 'sub/deeper/messages.jsonl' in output_root '\(scratch.path("out"))': 'sub' is a symbolic link, which could lead outside output_root"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("elsewhere")).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out")).sorted() == [".threadline.lock", RunHistory.fileName, "sub"])
    }

    /// The same through a link to a folder inside output_root: still a link, still refused, so what
    /// the run writes never depends on where a link points.
    @Test func aLinkedFolderIsRefusedWhereverItPoints() throws {
        let pipeline = basicPipeline().replacingOccurrences(of: "  - type: csv\n    tables: all", with: "  - type: csv\n    tables: all\n    path: \"csv/{table}.csv\"")
        let scratch = try scratchWithInput(pipeline)
        try FileManager.default.createDirectory(atPath: scratch.path("out/real"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out/csv"), withDestinationPath: "real")
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 3)
        #expect(result.stderr.contains("'csv' is a symbolic link, which could lead outside output_root"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path("out/real")).isEmpty)
    }

    /// An output file that is itself a link is replaced by the new file (rename replaces the link, it
    /// does not write through it): its target is left as it was.
    @Test func anOutputFileThatIsALinkIsReplacedNotWrittenThrough() throws {
        let scratch = try scratchWithInput()
        try scratch.write("victim.jsonl", "precious\n")
        try FileManager.default.createDirectory(atPath: scratch.path("out"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: scratch.path("out/messages.jsonl"), withDestinationPath: scratch.path("victim.jsonl"))
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0)
        #expect(try scratch.read("victim.jsonl") == "precious\n")
        var status = stat()
        #expect(lstat(scratch.path("out/messages.jsonl"), &status) == 0 && status.st_mode & S_IFMT == S_IFREG)
        #expect(try readJSONLines(scratch.path("out/messages.jsonl")).count == 1)
    }

    // MARK: 3. output_root inside input_root

    /// The run writes into input_root where the include patterns read: the next run would read its own
    /// outputs as inputs. `check` (and `run`) refuse, at output_root's line.
    @Test func anOutputRootTheIncludePatternsReachIsRefused() throws {
        let scratch = try Scratch()
        try scratch.write("inputs/a.md", BadInputTests.good)
        let reaching = basicPipeline(extract: "  - type: markdown\n    include: [\"**\"]").replacingOccurrences(of: "output_root: out", with: "output_root: inputs/out")
        try scratch.write("pipeline.yaml", reaching)
        let result = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 2)
        #expect(result.stderr == """
            pipeline.yaml:4:14: error: output_root 'inputs/out' is inside input_root, where extract step 'markdown' (pipeline.yaml:8:5) would read what the run writes ('out/messages.jsonl') [pipeline-output-overlap]
            pipeline.yaml:4:14: note: put output_root outside input_root, or leave it out of the step: exclude: ["out/**"]

            """)
        let run = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(run.status == 2)
        #expect(!scratch.exists("inputs/out"))

        // Excluded, or out of the patterns' reach, the same folder is fine.
        try scratch.write("pipeline.yaml", reaching.replacingOccurrences(of: "include: [\"**\"]", with: "include: [\"**\"]\n    exclude: [\"out/**\"]"))
        #expect(try runThreadline(["check", "pipeline.yaml"], in: scratch.root).status == 0)
        try scratch.write("pipeline.yaml", reaching.replacingOccurrences(of: "include: [\"**\"]", with: "include: [\"**/*.md\"]"))
        #expect(try runThreadline(["check", "pipeline.yaml"], in: scratch.root).status == 0)
    }

    /// output_root equal to input_root, and a Slack export step whose pattern matches the folder the
    /// outputs go to (it reads a matched folder whole).
    @Test func overlapsThroughTheRootItselfAndThroughAMatchedFolder() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: markdown\n    include: [\"*.jsonl\"]")
            .replacingOccurrences(of: "output_root: out", with: "output_root: inputs"))
        let same = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(same.status == 2)
        #expect(same.stderr.contains("error: output_root 'inputs' is input_root, where extract step 'markdown' (pipeline.yaml:8:5) would read what the run writes ('messages.jsonl')"))
        try scratch.write("pipeline.yaml", basicPipeline(extract: "  - type: slack_json\n    include: [\"*\"]")
            .replacingOccurrences(of: "output_root: out", with: "output_root: inputs/exports/out"))
        let folder = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(folder.status == 2)
        #expect(folder.stderr.contains("error: output_root 'inputs/exports/out' is inside input_root, where extract step 'slack_json' (pipeline.yaml:8:5) would read what the run writes ('exports', a folder it reads whole)"))
    }

    // MARK: Smaller

    /// A NUL in an output path passed `check` and failed at rename.
    @Test func aNULInAnOutputPathIsRefusedByCheck() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline().replacingOccurrences(of: "  - type: csv\n    tables: all", with: "  - type: csv\n    tables: all\n    path: \"a\\0b/{table}.csv\""))
        let result = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 2)
        #expect(result.stderr == "pipeline.yaml:15:11: error: path 'a\\0b/{table}.csv' has a NUL character, which no file name can hold [pipeline-step]\n")
        try scratch.write("pipeline.yaml", basicPipeline().replacingOccurrences(of: "output_root: out", with: "output_root: \"o\\0ut\""))
        let root = try runThreadline(["check", "pipeline.yaml"], in: scratch.root)
        #expect(root.status == 2)
        #expect(root.stderr == "pipeline.yaml:4:14: error: 'output_root' has a NUL character, which no file name can hold [pipeline-path]\n")
    }

    /// A value from `${VAR}` is never echoed in an error (it may be a secret): the error names the
    /// variable instead.
    @Test func pipelineErrorsNameTheVariableNotItsValue() throws {
        let scratch = try Scratch()
        try FileManager.default.createDirectory(atPath: scratch.path("inputs"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline(onError: "${MODE}")
            .replacingOccurrences(of: "    tables: all\n  - type: csv", with: "    tables: [\"${TABLE}\"]\n  - type: csv")
            .replacingOccurrences(of: "input_root: inputs", with: "input_root: ${ROOT}/inputs"))
        let secret = ["MODE": "hunter2-mode", "TABLE": "hunter2-table", "ROOT": "/hunter2-root"]
        let result = try runThreadline(["check", "pipeline.yaml"], in: scratch.root, environment: secret)
        #expect(result.status == 2)
        #expect(!result.stderr.contains("hunter2"), "\(result.stderr)")
        #expect(result.stderr.contains("pipeline.yaml:3:13: error: 'input_root': no such file or folder '${ROOT}/inputs'"))
        #expect(result.stderr.contains("pipeline.yaml:5:11: error: invalid value '${MODE}' for 'on_error'"))
        #expect(result.stderr.contains("error: unknown table '${TABLE}'"))
    }

    /// An output_root that cannot be created said "No such file or directory" (the lock file's open,
    /// after the folder's creation failed unreported); it now says why the folder cannot be made.
    @Test func anOutputRootThatCannotBeCreatedSaysWhy() throws {
        let scratch = try scratchWithInput()
        try FileManager.default.createDirectory(atPath: scratch.path("locked"), withIntermediateDirectories: true)
        try scratch.write("pipeline.yaml", basicPipeline().replacingOccurrences(of: "output_root: out", with: "output_root: locked/out"))
        let result: CommandResult
        if getuid() == 0 {
            // Root may write anywhere: run as nobody, who may not write in a folder root owns.
            chmod(scratch.root, 0o755)
            result = try runAsNobody(["run", "pipeline.yaml"], in: scratch.root)
        } else {
            chmod(scratch.path("locked"), 0o555)
            result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
            chmod(scratch.path("locked"), 0o755)
        }
        #expect(result.status == 3)
        #expect(result.stderr.contains("error: cannot create output_root '\(scratch.path("locked/out"))': Permission denied"), "\(result.stderr)")
        // A file where a folder of output_root should be.
        try scratch.write("file", "")
        try scratch.write("pipeline.yaml", basicPipeline().replacingOccurrences(of: "output_root: out", with: "output_root: file/out"))
        let notFolder = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(notFolder.status == 3)
        #expect(
            notFolder.stderr.contains("error: cannot create output_root '\(scratch.path("file/out"))': '\(scratch.path("file"))' is a file, not a folder"),
            "\(notFolder.stderr)")
        // A symbolic link to nothing (a mount that is not there tonight) where output_root should be.
        try FileManager.default.createSymbolicLink(atPath: scratch.path("gone"), withDestinationPath: "/nonexistent/mount")
        try scratch.write("pipeline.yaml", basicPipeline().replacingOccurrences(of: "output_root: out", with: "output_root: gone"))
        let dangling = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(dangling.status == 3)
        #expect(
            dangling.stderr.contains(
                "error: cannot create output_root '\(scratch.path("gone"))': '\(scratch.path("gone"))' is a symbolic link to '/nonexistent/mount', which is not a folder (missing, or a file)"),
            "\(dangling.stderr)")
    }

    /// The built binary run as user `nobody` (tests that need a permission root does not lack).
    func runAsNobody(_ arguments: [String], in directory: String) throws -> CommandResult {
        try runThreadline(arguments, in: directory, as: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"])
    }
}
