import Foundation
import Testing
import ThreadlineFiles
import _ThreadlineTestSupport

/// The one folder walk behind `input_root`'s catalog and a Slack export folder's listing, on a folder
/// with what real deliveries hold: hidden files, links to files, folders and nothing, a link cycle and
/// a FIFO.
@Suite struct FolderWalkTests {
    func delivery() throws -> Scratch {
        let scratch = try Scratch()
        try scratch.write("in/general/2021-03-08.json", "[]")
        try scratch.write("in/general/deep/note.txt", "12345")
        try scratch.write("in/.git/config", "hidden")
        try scratch.write("in/general/.DS_Store", "hidden")
        try scratch.write("outside/x.json", "[1]")
        let links = FileManager.default
        try links.createSymbolicLink(atPath: scratch.path("in/copy.json"), withDestinationPath: scratch.path("in/general/2021-03-08.json"))
        try links.createSymbolicLink(atPath: scratch.path("in/elsewhere"), withDestinationPath: scratch.path("outside"))
        try links.createSymbolicLink(atPath: scratch.path("in/loop"), withDestinationPath: scratch.path("in"))
        try links.createSymbolicLink(atPath: scratch.path("in/gone.json"), withDestinationPath: scratch.path("in/nothing-here"))
        #expect(mkfifo(scratch.path("in/pipe"), 0o600) == 0)
        return scratch
    }

    @Test func listsWhatADeliveryHoldsWithoutWalkingThroughLinksOrHiddenEntries() throws {
        let scratch = try delivery()
        let entries = try #require(FolderWalk.entries(under: scratch.path("in")))
        let byPath = Dictionary(uniqueKeysWithValues: entries.map { ($0.relativePath, $0) })
        #expect(byPath.keys.sorted() == [
            "copy.json", "elsewhere", "general", "general/2021-03-08.json", "general/deep", "general/deep/note.txt",
            "gone.json", "loop", "pipe",
        ])
        #expect(byPath["general/deep/note.txt"]?.kind == .file(bytes: 5))
        // A link stands for its target, and says it is a link.
        #expect(byPath["copy.json"]?.kind == .file(bytes: 2))
        #expect(byPath["copy.json"]?.isSymbolicLink == true)
        #expect(byPath["elsewhere"]?.kind == .folder)
        #expect(byPath["elsewhere"]?.isSymbolicLink == true)
        #expect(byPath["loop"]?.kind == .folder)
        #expect(byPath["general"]?.isSymbolicLink == false)
        #expect(byPath["gone.json"]?.kind == .unreadable("a symbolic link to nothing (its target is missing, or the links loop): not read"))
        #expect(byPath["pipe"]?.kind == .unreadable(RegularFile.notRegular))
        // Each folder comes before what it holds.
        let order = entries.map(\.relativePath)
        #expect(order.firstIndex(of: "general")! < order.firstIndex(of: "general/deep")!)
        #expect(order.firstIndex(of: "general/deep")! < order.firstIndex(of: "general/deep/note.txt")!)
    }

    /// Each entry is what `RegularFile.kind(of:)` says of its path.
    @Test func agreesWithTheKindOfEachPath() throws {
        let scratch = try delivery()
        let entries = try #require(FolderWalk.entries(under: scratch.path("in")))
        for entry in entries {
            #expect(entry.kind == RegularFile.kind(of: scratch.path("in/" + entry.relativePath)), "\(entry.relativePath)")
        }
    }

    /// A tree deeper than the process may hold folders open (here 300 levels under a limit of 64
    /// descriptors) is walked whole: one folder is open at a time.
    @Test func aTreeDeeperThanTheDescriptorLimitIsWalkedWhole() throws {
        let scratch = try Scratch()
        let deep = Array(repeating: "d", count: 300).joined(separator: "/")
        try scratch.write("inputs/\(deep)/20210308-book.md", validSeed)
        try scratch.write("pipeline.yaml", basicPipeline())
        #expect(FolderWalk.entries(under: scratch.path("inputs"))?.count == 301)
        let result = try runThreadline(["run", "pipeline.yaml"], in: scratch.root, as: ["/usr/bin/prlimit", "--nofile=64:64"])
        #expect(result.status == 0, "\(result.stderr)")
        let manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/_manifest.json")))) as? [String: Any])
        #expect((manifest["inputs"] as? [[String: Any]])?.map { $0["path"] as? String } == ["\(deep)/20210308-book.md"])
    }

    /// A root that is a link to a folder is walked; a file or nothing is no folder.
    @Test func aRootLinkIsFollowedAndAFileIsNoFolder() throws {
        let scratch = try delivery()
        try FileManager.default.createSymbolicLink(atPath: scratch.path("current"), withDestinationPath: scratch.path("in"))
        #expect(FolderWalk.entries(under: scratch.path("current"))?.count == 9)
        #expect(FolderWalk.entries(under: scratch.path("in/general/2021-03-08.json")) == nil)
        #expect(FolderWalk.entries(under: scratch.path("missing")) == nil)
    }
}
