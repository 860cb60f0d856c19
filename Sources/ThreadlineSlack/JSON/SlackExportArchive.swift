import Foundation
internal import ThreadlineFiles
internal import ZIPFoundation

/// Size bounds that keep a hostile export from exhausting memory.
public struct SlackExportLimits: Sendable, Hashable {
    /// The largest single file read, in bytes (a bigger day file is rejected, the rest is read).
    public var maxFileBytes: Int
    /// The most files (or zip entries) an export may list.
    public var maxFiles: Int
    /// The most bytes read from all files together.
    public var maxTotalBytes: Int

    public init(maxFileBytes: Int = 256 << 20, maxFiles: Int = 200_000, maxTotalBytes: Int = 2 << 30) {
        self.maxFileBytes = maxFileBytes
        self.maxFiles = maxFiles
        self.maxTotalBytes = maxTotalBytes
    }
}

/// The files of a Slack export, from a folder or a `.zip`, listed once and then read one at a time
/// with bounded sizes.
///
/// Paths are relative and `/`-separated (`general/2021-03-08.json`). A zip whose entries all sit
/// in one top folder is read as if that folder were the root. Slack writes UTF-8 entry names
/// without setting the zip's UTF-8 flag, so a name is decoded as UTF-8 whenever its bytes are
/// valid UTF-8, and as code page 437 (the zip default) only otherwise.
///
/// The listing never changes after `init`, so one archive serves every thread; files are read
/// through a `Reader`, one per thread (a zip's reader holds its own open file).
public final class SlackExportArchive: @unchecked Sendable {  // every stored property is an immutable value
    /// Every regular file, sorted.
    let paths: [String]
    /// Zip entries left out, with why: unsafe paths (`..`, absolute) and repeated names.
    let ignoredEntries: [(path: String, reason: String)]
    let limits: SlackExportLimits
    private let storage: Storage

    private enum Storage {
        /// The folder, with each file's size as listed.
        case folder(URL, sizes: [String: Int])
        /// The zip file, with its entries by path (below the common root).
        case zip(URL, entries: [String: Entry])
    }

    /// Opens `url`, a folder or a `.zip` file, and lists it; `name` is how issues refer to the export itself.
    init(url: URL, name: String, limits: SlackExportLimits) throws(SlackExportIssue) {
        self.limits = limits
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw SlackExportIssue(.rejected, file: name, reason: "slack export not found")
        }
        if isDirectory.boolValue {
            let (files, ignored) = try Self.listFolder(url, name: name, limits: limits)
            paths = files.map(\.path).sorted()
            let sizes = Dictionary(files.map { ($0.path, $0.size) }, uniquingKeysWith: { first, _ in first })
            ignoredEntries = ignored
            storage = .folder(url, sizes: sizes)
            return
        }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw SlackExportIssue(.rejected, file: name, reason: "not a folder or a readable zip archive (\(error))")
        }
        var entries: [String: Entry] = [:]
        var ignored: [(path: String, reason: String)] = []
        for entry in archive where entry.type == .file {
            guard entries.count < limits.maxFiles else {
                throw SlackExportIssue(.rejected, file: name, reason: "zip has more than \(limits.maxFiles) files")
            }
            let path = Self.decodedPath(of: entry)
            if path.hasPrefix("__MACOSX/") { continue }
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.hasPrefix("/") || components.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) {
                ignored.append((path, "zip entry with an unsafe path was not read"))
            } else if entries[path] != nil {
                ignored.append((path, "zip entry repeats a name; only the first was read"))
            } else {
                entries[path] = entry
            }
        }
        let root = Self.commonRoot(of: entries.keys)
        if !root.isEmpty {
            entries = Dictionary(uniqueKeysWithValues: entries.map { (String($0.key.dropFirst(root.count)), $0.value) })
        }
        paths = entries.keys.sorted()
        ignoredEntries = ignored
        storage = .zip(url, entries: entries)
    }

    /// The size `path` is listed with: the file's size, or the zip entry's uncompressed size.
    func listedSize(of path: String) -> Int? {
        switch storage {
        case .folder(_, let sizes): sizes[path]
        case .zip(_, let entries): entries[path].map { Int(clamping: $0.uncompressedSize) }
        }
    }

    /// The bytes `path` takes in the input: the file's size, or the zip entry's compressed size.
    func storedBytes(of path: String) -> Int64 {
        switch storage {
        case .folder(_, let sizes): Int64(sizes[path] ?? 0)
        case .zip(_, let entries): entries[path].map { Int64(clamping: $0.compressedSize) } ?? 0
        }
    }

    /// The most bytes each file may have when the files are read in `order`: `maxFileBytes`, or less
    /// when the files before it, at their listed sizes, leave less of `maxTotalBytes`. A file over its
    /// allowance is rejected and uses none of the total.
    ///
    /// Worked out from the listing alone, the allowances do not depend on which thread reads a file or
    /// when, so the parts of an export read in parallel reject exactly the files a reader going
    /// through `order` alone would.
    func allowances(readingOrder order: [String]) -> [String: Int] {
        var used = 0
        var allowances: [String: Int] = [:]
        allowances.reserveCapacity(order.count)
        for path in order {
            let allowance = min(limits.maxFileBytes, limits.maxTotalBytes - used)
            allowances[path] = allowance
            if let size = listedSize(of: path), size <= allowance { used += size }
        }
        return allowances
    }

    /// A reader of this archive's files, for one thread.
    func makeReader() -> Reader { Reader(self) }

    /// Reads files of an archive, on one thread at a time.
    final class Reader {
        private let archive: SlackExportArchive
        /// The zip, opened at the first read.
        private var zip: Archive?

        fileprivate init(_ archive: SlackExportArchive) {
            self.archive = archive
        }

        /// The bytes of `path`, at most `allowance` of them (see `allowances(readingOrder:)`); a
        /// larger file is an issue, never a partial read.
        func read(_ path: String, allowance: Int) throws(SlackExportIssue) -> Data {
            let limits = archive.limits
            func tooLarge() -> SlackExportIssue {
                allowance < limits.maxFileBytes
                    ? SlackExportIssue(.rejected, file: path,
                                       reason: "export is larger than the limit of \(limits.maxTotalBytes) bytes in total")
                    : SlackExportIssue(.rejected, file: path,
                                       reason: "file is larger than the limit of \(limits.maxFileBytes) bytes")
            }
            switch archive.storage {
            case .folder(let root, _):
                let data: Data
                do {
                    let handle = try FileHandle(forReadingFrom: root.appendingPathComponent(path))
                    defer { try? handle.close() }
                    data = try handle.read(upToCount: allowance + 1) ?? Data()
                } catch {
                    throw SlackExportIssue(.rejected, file: path, reason: "cannot read file (\(error.localizedDescription))")
                }
                guard data.count <= allowance else { throw tooLarge() }
                return data
            case .zip(let url, let entries):
                guard let entry = entries[path] else {
                    throw SlackExportIssue(.rejected, file: path, reason: "no such file in the zip")
                }
                guard entry.uncompressedSize <= UInt64(allowance) else { throw tooLarge() }
                let listed = Int(entry.uncompressedSize)
                var buffer = Data()
                do {
                    let archive: Archive
                    if let zip {
                        archive = zip
                    } else {
                        archive = try Archive(url: url, accessMode: .read)
                        zip = archive
                    }
                    // Headers can lie about sizes: count what is actually inflated. An entry may not
                    // inflate past its listed size either, which the allowances were worked out from.
                    _ = try archive.extract(entry, skipCRC32: false) { chunk in
                        guard buffer.count + chunk.count <= listed else {
                            throw SlackExportIssue(.rejected, file: path,
                                                   reason: "zip entry inflates to more than the \(listed) bytes its header lists")
                        }
                        buffer.append(chunk)
                    }
                } catch let issue as SlackExportIssue {
                    throw issue
                } catch {
                    throw SlackExportIssue(.rejected, file: path, reason: "cannot inflate zip entry (\(error))")
                }
                return buffer
            }
        }
    }

    // MARK: - Listing

    /// The folder's regular files by path below it, and what was left out and why. A symbolic link
    /// stands for what it points to, under its own name, as in `input_root`; a FIFO, a device or a
    /// link to nothing is left out, with a warning, never read.
    public static func listFolder(
        _ root: URL, name: String, limits: SlackExportLimits
    ) throws(SlackExportIssue) -> (files: [(path: String, size: Int)], ignored: [(path: String, reason: String)]) {
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [], options: [.skipsHiddenFiles])
        else { throw SlackExportIssue(.rejected, file: name, reason: "cannot list folder") }
        let rootPath = root.standardizedFileURL.path
        var files: [(path: String, size: Int)] = []
        var ignored: [(path: String, reason: String)] = []
        for case let url as URL in enumerator {
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(rootPath + "/") else { continue }
            let relativePath = String(path.dropFirst(rootPath.count + 1))
            switch RegularFile.kind(of: path) {
            case .unreadable(let reason):
                ignored.append((relativePath, reason))
            case .folder:
                if RegularFile.isSymbolicLink(path) {
                    ignored.append((relativePath, "a symbolic link to a folder: not walked into"))
                }
            case .file(let bytes):
                guard files.count < limits.maxFiles else {
                    throw SlackExportIssue(.rejected, file: name, reason: "folder has more than \(limits.maxFiles) files")
                }
                files.append((relativePath, Int(bytes)))
            }
        }
        return (files, ignored)
    }

    /// The entry's name as UTF-8 when its bytes are UTF-8 (whatever the flag says), else code page 437.
    private static func decodedPath(of entry: Entry) -> String {
        let utf8 = entry.path(using: .utf8)
        return utf8.isEmpty ? entry.path : utf8
    }

    /// `"top/"` when every path sits in the same folder and below it still has folders
    /// (`top/general/2021-03-08.json`), else `""`.
    private static func commonRoot(of paths: some Collection<String>) -> String {
        guard let first = paths.first, let slash = first.firstIndex(of: "/") else { return "" }
        let root = String(first[...slash])
        guard paths.allSatisfy({ $0.hasPrefix(root) }) else { return "" }
        return paths.contains { $0.dropFirst(root.count).contains("/") } ? root : ""
    }
}
