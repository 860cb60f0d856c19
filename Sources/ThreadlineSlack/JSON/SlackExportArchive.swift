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
    /// Zip entries that are not read, with why: encrypted, unsafe paths (`..`, absolute), repeated
    /// names, links, and the entries a zip cannot be listed past. Each is a reject.
    let rejectedEntries: [RejectedEntry]
    let limits: SlackExportLimits
    private let storage: Storage

    private enum Storage {
        /// The folder, with each file's size as listed.
        case folder(URL, sizes: [String: Int])
        /// The zip file, with its entries by path (below the common root) and each as the central
        /// directory lists it (its CRC-32, the bytes it takes).
        case zip(URL, entries: [String: Entry], listing: [String: ZipDirectory.Entry])
    }

    /// A zip entry that is not read: its path as listed, why, the bytes it takes in the zip, and,
    /// for an entry that can be read (a repeated or unsafe name), the entry, for its record.
    struct RejectedEntry {
        let path: String
        let reason: String
        let bytes: Int64
        fileprivate let entry: Entry?
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
            folderWarnings = ignored
            rejectedEntries = []
            storage = .folder(url, sizes: sizes)
            return
        }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw SlackExportIssue(.rejected, file: name, reason: "not a folder or a readable zip archive (\(error))")
        }
        // The central directory read on its own: what the zip library does not hand over is rejected
        // by name, and what it does is checked against the CRC-32s listed here. The library is
        // handed no entry past the first whose ZIP64 fields no file could hold (it would trap on them).
        let directory: [ZipDirectory.Entry]
        let listedCount: UInt64
        switch ZipDirectory.read(url) {
        case .success(let read):
            (directory, listedCount) = (read.entries, read.listedCount)
        case .failure(let failure):
            throw SlackExportIssue(.rejected, file: name, reason: "not a folder or a readable zip archive (\(failure.reason))")
        }
        let plausible = directory.firstIndex { !$0.isPlausible } ?? directory.count
        var entries: [String: Entry] = [:]
        var listing: [String: ZipDirectory.Entry] = [:]
        var rejected: [RejectedEntry] = []
        var listed = 0
        for entry in archive.prefix(plausible) {
            let index = listed
            listed += 1
            guard entry.type != .directory else { continue }
            guard entries.count < limits.maxFiles else {
                throw SlackExportIssue(.rejected, file: name, reason: "zip has more than \(limits.maxFiles) files")
            }
            let path = Self.decodedPath(of: entry)
            if path.hasPrefix("__MACOSX/") { continue }
            let bytes = directory[index].storedBytes
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            if entry.type == .symlink {
                rejected.append(RejectedEntry(path: path, reason: "zip entry is a symbolic link: not read", bytes: bytes, entry: nil))
            } else if path.hasPrefix("/") || components.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) {
                rejected.append(RejectedEntry(path: path, reason: "zip entry with an unsafe path: not read", bytes: bytes, entry: entry))
            } else if entries[path] != nil {
                rejected.append(RejectedEntry(
                    path: path, reason: "zip entry repeats the name of an earlier entry: this copy was not read", bytes: bytes, entry: entry))
            } else {
                entries[path] = entry
                listing[path] = directory[index]
            }
        }
        if listed < directory.count {
            // The library stopped at entry `listed`: it and every entry after it are rejects.
            let blocker = directory[listed]
            for skipped in directory[listed...] where !skipped.name.starts(with: Array("__MACOSX/".utf8)) && skipped.name.last != UInt8(ascii: "/") {
                let reason =
                    skipped.isEncrypted
                    ? "zip entry is encrypted: not read"
                    : !skipped.isPlausible
                    ? "zip entry is damaged: its ZIP64 offset or sizes are more than the zip can hold: not read"
                    : blocker.isEncrypted
                        ? "zip entry not read: the zip cannot be read past the encrypted entry '\(blocker.displayName)'"
                        : "zip entry not read: the zip cannot be read past the entry '\(blocker.displayName)', whose header is damaged"
                rejected.append(RejectedEntry(path: skipped.displayName, reason: reason, bytes: skipped.storedBytes, entry: nil))
            }
        }
        if UInt64(directory.count) < listedCount {
            // Entries the end record counts but the directory does not hold (it ends, or is damaged,
            // before them) cannot be named: one reject of the export says how many.
            rejected.append(RejectedEntry(
                path: ".", reason: "zip lists \(listedCount) entries, but its central directory holds \(directory.count) that can be read: "
                    + "the others cannot be read", bytes: 0, entry: nil))
        }
        let root = Self.commonRoot(of: entries.keys)
        if !root.isEmpty {
            entries = Dictionary(uniqueKeysWithValues: entries.map { (String($0.key.dropFirst(root.count)), $0.value) })
            listing = Dictionary(uniqueKeysWithValues: listing.map { (String($0.key.dropFirst(root.count)), $0.value) })
            rejected = rejected.map { entry in
                entry.path.hasPrefix(root)
                    ? RejectedEntry(path: String(entry.path.dropFirst(root.count)), reason: entry.reason, bytes: entry.bytes, entry: entry.entry)
                    : entry
            }
        }
        paths = entries.keys.sorted()
        folderWarnings = []
        rejectedEntries = rejected
        storage = .zip(url, entries: entries, listing: listing)
    }

    /// Files of an export folder that are left out, with why (a FIFO, a link to a folder): warnings.
    let folderWarnings: [(path: String, reason: String)]

    /// The size `path` is listed with: the file's size, or the zip entry's uncompressed size.
    func listedSize(of path: String) -> Int? {
        switch storage {
        case .folder(_, let sizes): sizes[path]
        case .zip(_, let entries, _): entries[path].map { Int(clamping: $0.uncompressedSize) }
        }
    }

    /// Every file of a folder export, as listed when it was opened; nil for a zip.
    var folderFiles: [String]? {
        switch storage {
        case .folder: paths
        case .zip: nil
        }
    }

    /// The bytes `path` takes in the input: the file's size, or the zip entry's compressed size.
    func storedBytes(of path: String) -> Int64 {
        switch storage {
        case .folder(_, let sizes): Int64(sizes[path] ?? 0)
        case .zip(_, _, let listing): listing[path]?.storedBytes ?? 0
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
                guard data.count <= allowance else {
                    var issue = tooLarge()
                    issue.record = String(decoding: data.prefix(SlackExportIssue.maxRecordBytes), as: UTF8.self)
                    issue.recordBytes = archive.listedSize(of: path)
                    throw issue
                }
                return data
            case .zip(let url, let entries, let listing):
                guard let entry = entries[path] else {
                    throw SlackExportIssue(.rejected, file: path, reason: "no such file in the zip")
                }
                guard entry.uncompressedSize <= UInt64(allowance) else {
                    // Only its beginning is inflated, for the record.
                    var issue = tooLarge()
                    if let data = try? beginning(of: entry, in: url, limit: SlackExportIssue.maxRecordBytes) {
                        issue.record = String(decoding: data, as: UTF8.self)
                        issue.recordBytes = Int(clamping: entry.uncompressedSize)
                    }
                    throw issue
                }
                let listed = Int(entry.uncompressedSize)
                var buffer = Data()
                let checksum: UInt32
                do {
                    // Headers can lie about sizes: count what is actually inflated. An entry may not
                    // inflate past its listed size either, which the allowances were worked out from.
                    checksum = try zipArchive(url).extract(entry, skipCRC32: false) { chunk in
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
                // The library computes the CRC-32 of what it inflated but does not compare it.
                let expected = listing[path]?.crc32 ?? entry.checksum
                guard checksum == expected else {
                    var issue = SlackExportIssue(.rejected, file: path, reason: "zip entry is damaged: its bytes have CRC-32 "
                        + Self.hex(checksum) + ", its header lists " + Self.hex(expected))
                    // What was read is the record, damaged as it is.
                    issue.record = String(decoding: buffer.prefix(SlackExportIssue.maxRecordBytes), as: UTF8.self)
                    if buffer.count > SlackExportIssue.maxRecordBytes { issue.recordBytes = buffer.count }
                    throw issue
                }
                return buffer
            }
        }

        /// The first `limit` bytes of a rejected entry that can be read (for its record), with the
        /// entry's listed size; nil when it cannot be read.
        func beginning(of rejected: RejectedEntry, limit: Int) -> (data: Data, size: Int)? {
            guard let entry = rejected.entry, case .zip(let url, _, _) = archive.storage,
                let data = try? beginning(of: entry, in: url, limit: limit)
            else { return nil }
            return (data, Int(clamping: entry.uncompressedSize))
        }

        /// The first `limit` bytes `entry` inflates to (fewer when it is shorter).
        private func beginning(of entry: Entry, in url: URL, limit: Int) throws -> Data {
            struct Enough: Error {}
            var buffer = Data()
            do {
                _ = try zipArchive(url).extract(entry, skipCRC32: true) { chunk in
                    buffer.append(chunk.prefix(limit - buffer.count))
                    if buffer.count >= limit { throw Enough() }
                }
            } catch is Enough {}
            return buffer
        }

        /// The zip, opened at the first read.
        private func zipArchive(_ url: URL) throws -> Archive {
            if let zip { return zip }
            let archive = try Archive(url: url, accessMode: .read)
            zip = archive
            return archive
        }

        private static func hex(_ value: UInt32) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 8 - digits.count) + digits
        }
    }

    // MARK: - Listing

    /// The folder's regular files by path below it, and what was left out and why. A symbolic link
    /// stands for what it points to, under its own name, as in `input_root`; a FIFO, a device or a
    /// link to nothing is left out, with a warning, never read.
    public static func listFolder(
        _ root: URL, name: String, limits: SlackExportLimits
    ) throws(SlackExportIssue) -> (files: [(path: String, size: Int)], ignored: [(path: String, reason: String)]) {
        guard let entries = FolderWalk.entries(under: root.path) else {
            throw SlackExportIssue(.rejected, file: name, reason: "cannot list folder")
        }
        var files: [(path: String, size: Int)] = []
        var ignored: [(path: String, reason: String)] = []
        for entry in entries {
            switch entry.kind {
            case .unreadable(let reason):
                ignored.append((entry.relativePath, reason))
            case .folder:
                if entry.isSymbolicLink {
                    ignored.append((entry.relativePath, "a symbolic link to a folder: not walked into"))
                }
            case .file(let bytes):
                guard files.count < limits.maxFiles else {
                    throw SlackExportIssue(.rejected, file: name, reason: "folder has more than \(limits.maxFiles) files")
                }
                files.append((entry.relativePath, Int(bytes)))
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
