import Foundation
import Testing

@testable import ThreadlineCore

/// `input_root` given as a symbolic link to a folder (a mount point, a `current` link to the latest
/// delivery): the root link is followed; links inside that lead out of the root are not.
@Suite struct HostileInputRootTests {
    /// A scratch folder whose `inputs` is a link to `real/inputs`, holding one archive and a link to a
    /// folder outside it.
    func linkedRoot() throws -> Scratch {
        let scratch = try Scratch()
        try scratch.write("real/inputs/books/a.md", BadInputTests.good)
        try scratch.write("outside/b.md", BadInputTests.good.replacingOccurrences(of: "Ana", with: "Bo"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("real/inputs/elsewhere"), withDestinationPath: scratch.path("outside"))
        try FileManager.default.createSymbolicLink(atPath: scratch.path("inputs"), withDestinationPath: scratch.path("real/inputs"))
        try scratch.write("pipeline.yaml", basicPipeline())
        return scratch
    }

    /// It matched nothing (exit 3): the walk did not go through the root link.
    @Test func anInputRootThatIsALinkToAFolderIsRead() throws {
        let scratch = try linkedRoot()
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root)
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/_manifest.json")))) as? [String: Any])
        #expect((manifest["inputs"] as? [[String: Any]])?.map { $0["path"] as? String } == ["books/a.md"])
        #expect(try readJSONLines(scratch.path("out/messages.jsonl")).map { $0["author"] as? String } == ["Ana"])
    }

    /// The link inside the root, to a folder outside it, is still not walked into.
    @Test func linksInsideTheRootStillDoNotLeadOut() throws {
        let scratch = try linkedRoot()
        let report = try runPipeline(scratch, basicPipeline())
        #expect(report.inputs.map(\.path) == ["books/a.md"])
        #expect(report.outputRows == 1)
    }

    /// `validate` on the link walks the folder it points to (it exited 2: "no .md, .json, .html or
    /// .zip file in folder"); the link inside, to a folder outside, is still not walked.
    @Test func validateFollowsALinkToAFolderGivenAsItsPath() throws {
        let scratch = try linkedRoot()
        try FileManager.default.removeItem(atPath: scratch.path("real/inputs/books/a.md"))
        try scratch.write("real/inputs/books/20210308-book.md", validSeed)
        let result = try runThreadline(["validate", "inputs"], in: scratch.root)
        // The seed file behind the root link is checked; the link inside, to a folder outside, is not
        // followed, and validate says so.
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout == """
            inputs/elsewhere: error: a symbolic link that leads outside the paths given: not followed [link-outside]
                note: validate reads only what lies inside the paths it is given; give the link's target instead, if it is meant to be checked
            2 files checked: 1 error, 0 warnings

            """)
    }
}
