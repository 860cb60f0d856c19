import Foundation
import ThreadlineFiles

/// The files and folders under `input_root`, listed once per run and matched against sources' globs.
package final class InputCatalog: Sendable {
    package struct Entry: Sendable, Hashable {
        /// Path relative to the root, with `/` separators.
        package var relativePath: String
        package var isDirectory: Bool
        package var bytes: Int64
        /// Why the entry cannot be read (a FIFO, a device, a link to nothing); nil for a file or folder.
        package var unreadable: String?
    }

    package let root: String
    package let entries: [Entry]

    /// Lists `root` recursively. Hidden files and folders (`.name`) are left out. A symbolic link
    /// stands for what it points to (its size is the target's), but a link to a folder is not walked
    /// into, so a link cycle cannot make the listing endless; `root` itself may be a link to a folder
    /// (a mount point, a `current` link), which is followed. What is neither a regular file nor a
    /// folder (a FIFO, a device, a socket, a link to nothing) is listed as unreadable: a source that
    /// matches it rejects it instead of blocking on it or reading it forever.
    package init(root: String) throws {
        self.root = root
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ThreadlineError(.runtimeFailure, "input_root '\(root)' is not a folder",
                                  notes: ["set input_root in the pipeline file, or --set input_root=PATH"])
        }
        let walked = FolderWalk.entries(under: root) ?? []
        self.entries = walked.map { Self.entry($0.kind, relativePath: $0.relativePath) }
            .sorted { $0.relativePath < $1.relativePath }
    }

    /// What `path` is, following a symbolic link to its target.
    static func entry(at path: String, relativePath: String) -> Entry {
        entry(RegularFile.kind(of: path), relativePath: relativePath)
    }

    private static func entry(_ kind: RegularFile.Kind, relativePath: String) -> Entry {
        switch kind {
        case .folder: Entry(relativePath: relativePath, isDirectory: true, bytes: 0)
        case .file(let bytes): Entry(relativePath: relativePath, isDirectory: false, bytes: bytes)
        case .unreadable(let reason): Entry(relativePath: relativePath, isDirectory: false, bytes: 0, unreadable: reason)
        }
    }

    /// Readable entries matching any `include` glob and no `exclude` glob, sorted by path. `directories`
    /// selects folders instead of files (a Slack export folder); files are matched too when `orFiles`
    /// is set (a Slack export `.zip`).
    package func matching(include: [String], exclude: [String], directories: Bool = false, orFiles: Bool = true) -> [Entry] {
        matchingAll(include: include, exclude: exclude, directories: directories, orFiles: orFiles).filter { $0.unreadable == nil }
    }

    /// Unreadable entries that `include` and `exclude` would match: a source rejects each.
    package func unreadable(include: [String], exclude: [String]) -> [Entry] {
        matchingAll(include: include, exclude: exclude, directories: false, orFiles: true).filter { $0.unreadable != nil }
    }

    private func matchingAll(include: [String], exclude: [String], directories: Bool, orFiles: Bool) -> [Entry] {
        let includes = include.map(Glob.init)
        let excludes = exclude.map(Glob.init)
        return entries.filter { entry in
            let kindMatches = directories ? (entry.isDirectory || orFiles) : !entry.isDirectory
            return kindMatches && includes.contains { $0.matches(entry.relativePath) }
                && !excludes.contains { $0.matches(entry.relativePath) }
        }
    }

    /// The size of a folder's files, or of a file.
    package func totalBytes(under relativePath: String) -> Int64 {
        entries.lazy.filter { !$0.isDirectory && ($0.relativePath == relativePath || $0.relativePath.hasPrefix(relativePath + "/")) }
            .reduce(0) { $0 + $1.bytes }
    }

    package func absolutePath(_ relativePath: String) -> String {
        (root as NSString).appendingPathComponent(relativePath)
    }
}
