#if canImport(Glibc)
    import Glibc
#endif

/// Lists a folder recursively with the system's directory calls: one `readdir` per folder and one
/// `fstatat` per entry, with paths built relative to the folder. Every listing of inputs (the catalog of
/// `input_root`, a Slack export folder) goes through here, so they agree on what a folder holds.
///
/// Hidden entries (`.name`) are left out, with everything under them. A symbolic link stands for what it
/// points to (its kind and size are its target's), but a link to a folder is listed and not walked
/// into, so a link cycle cannot make the walk endless. A folder that cannot be opened is listed, with
/// nothing under it. Entries come depth first, each folder's entries in the order the system lists them
/// and each folder before what it holds; callers that need an order sort.
public enum FolderWalk {
    public struct Entry: Sendable, Hashable {
        /// The path below the walked folder, with `/` separators.
        public var relativePath: String
        /// What is there, following a symbolic link.
        public var kind: RegularFile.Kind
        /// Whether the entry itself is a symbolic link.
        public var isSymbolicLink: Bool
    }

    /// Every entry under `root` (not `root` itself), or nil when `root` cannot be opened as a folder.
    /// `root` may itself be a symbolic link to a folder.
    ///
    /// Besides `root`, one folder is open at a time, whatever the depth: a folder's entries are read
    /// whole and it is closed before the walk goes into its subfolders, each opened from `root` by its
    /// relative path.
    public static func entries(under root: String) -> [Entry]? {
        let rootDescriptor = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard rootDescriptor >= 0 else { return nil }
        defer { close(rootDescriptor) }
        guard let top = read(folder: dup(rootDescriptor), prefix: "") else { return nil }
        var entries: [Entry] = []
        // The entries still to visit in each open level, innermost last, in the order listed.
        var levels: [IndexingIterator<[Entry]>] = [top.makeIterator()]
        while !levels.isEmpty {
            guard let entry = levels[levels.count - 1].next() else {
                levels.removeLast()
                continue
            }
            entries.append(entry)
            guard entry.kind == .folder, !entry.isSymbolicLink else { continue }
            let descriptor = openat(rootDescriptor, entry.relativePath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if let inner = read(folder: descriptor, prefix: entry.relativePath + "/") { levels.append(inner.makeIterator()) }
        }
        return entries
    }

    /// The entries of the open folder `descriptor` (closed here), hidden ones left out; nil when it
    /// cannot be read.
    private static func read(folder descriptor: Int32, prefix: String) -> [Entry]? {
        guard descriptor >= 0 else { return nil }
        guard let folder = fdopendir(descriptor) else {
            close(descriptor)
            return nil
        }
        defer { closedir(folder) }
        let parent = dirfd(folder)
        var entries: [Entry] = []
        while let entry = readdir(folder) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(cString: bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard name.utf8.first != UInt8(ascii: ".") else { continue }
            let (kind, isLink) = Self.kind(of: name, in: parent, type: entry.pointee.d_type)
            entries.append(Entry(relativePath: prefix + name, kind: kind, isSymbolicLink: isLink))
        }
        return entries
    }

    /// What `name` in the folder `parent` is, following a symbolic link, and whether it is one. The
    /// folder's own listing says whether an entry is a link, when the file system tells.
    private static func kind(of name: String, in parent: Int32, type: UInt8) -> (RegularFile.Kind, isLink: Bool) {
        var isLink = type == UInt8(DT_LNK)
        if type == UInt8(DT_UNKNOWN) {
            var link = stat()
            isLink = fstatat(parent, name, &link, AT_SYMLINK_NOFOLLOW) == 0 && link.st_mode & S_IFMT == S_IFLNK
        }
        var status = stat()
        guard fstatat(parent, name, &status, 0) == 0 else {
            return (.unreadable(RegularFile.unreadableReason(isSymbolicLink: isLink, error: errno)), isLink)
        }
        return (RegularFile.kind(status), isLink)
    }
}
