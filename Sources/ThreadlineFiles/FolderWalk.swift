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
    public static func entries(under root: String) -> [Entry]? {
        guard let top = opendir(root) else { return nil }
        var entries: [Entry] = []
        // Open folders, innermost last, each with the prefix of its entries' relative paths.
        var stack: [(folder: OpaquePointer, prefix: String)] = [(top, "")]
        while let (folder, prefix) = stack.last {
            guard let entry = readdir(folder) else {
                closedir(folder)
                stack.removeLast()
                continue
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(cString: bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            guard name.utf8.first != UInt8(ascii: ".") else { continue }
            let relativePath = prefix + name
            let parent = dirfd(folder)
            let (kind, isLink) = Self.kind(of: name, in: parent, type: entry.pointee.d_type)
            entries.append(Entry(relativePath: relativePath, kind: kind, isSymbolicLink: isLink))
            guard kind == .folder, !isLink else { continue }
            let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard descriptor >= 0 else { continue }
            guard let inner = fdopendir(descriptor) else {
                close(descriptor)
                continue
            }
            stack.append((inner, relativePath + "/"))
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
