import Foundation
import ZIPFoundation

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

/// The files of a Slack export, from a folder or a `.zip`, read one at a time with bounded sizes.
///
/// Paths are relative and `/`-separated (`general/2021-03-08.json`). A zip whose entries all sit
/// in one top folder is read as if that folder were the root. Slack writes UTF-8 entry names
/// without setting the zip's UTF-8 flag, so a name is decoded as UTF-8 whenever its bytes are
/// valid UTF-8, and as code page 437 (the zip default) only otherwise.
final class SlackExportArchive {
    /// Every regular file, sorted.
    let paths: [String]
    /// Zip entries left out, with why: unsafe paths (`..`, absolute) and repeated names.
    private(set) var ignoredEntries: [(path: String, reason: String)] = []
    private let storage: Storage
    private let limits: SlackExportLimits
    private var bytesRead = 0

    private enum Storage {
        case folder(URL)
        case zip(Archive, entries: [String: Entry])
    }

    /// Opens `url`, a folder or a `.zip` file; `name` is how issues refer to the export itself.
    init(url: URL, name: String, limits: SlackExportLimits) throws(SlackExportIssue) {
        self.limits = limits
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw SlackExportIssue(.rejected, file: name, reason: "slack export not found")
        }
        if isDirectory.boolValue {
            paths = try Self.listFolder(url, name: name, limits: limits)
            storage = .folder(url)
            return
        }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw SlackExportIssue(.rejected, file: name, reason: "not a folder or a readable zip archive (\(error))")
        }
        var entries: [String: Entry] = [:]
        for entry in archive where entry.type == .file {
            guard entries.count < limits.maxFiles else {
                throw SlackExportIssue(.rejected, file: name, reason: "zip has more than \(limits.maxFiles) files")
            }
            let path = Self.decodedPath(of: entry)
            if path.hasPrefix("__MACOSX/") { continue }
            let components = path.split(separator: "/", omittingEmptySubsequences: false)
            if path.hasPrefix("/") || components.contains(where: { $0 == ".." || $0 == "." || $0.isEmpty }) {
                ignoredEntries.append((path, "zip entry with an unsafe path was not read"))
            } else if entries[path] != nil {
                ignoredEntries.append((path, "zip entry repeats a name; only the first was read"))
            } else {
                entries[path] = entry
            }
        }
        let root = Self.commonRoot(of: entries.keys)
        if !root.isEmpty {
            entries = Dictionary(uniqueKeysWithValues: entries.map { (String($0.key.dropFirst(root.count)), $0.value) })
        }
        paths = entries.keys.sorted()
        storage = .zip(archive, entries: entries)
    }

    /// The bytes of `path`; a file over the size limits is an issue, never a partial read.
    func read(_ path: String) throws(SlackExportIssue) -> Data {
        let remaining = limits.maxTotalBytes - bytesRead
        let limit = min(limits.maxFileBytes, remaining)
        func tooLarge() -> SlackExportIssue {
            limit < limits.maxFileBytes
                ? SlackExportIssue(.rejected, file: path,
                                   reason: "export is larger than the limit of \(limits.maxTotalBytes) bytes in total")
                : SlackExportIssue(.rejected, file: path,
                                   reason: "file is larger than the limit of \(limits.maxFileBytes) bytes")
        }
        let data: Data
        switch storage {
        case .folder(let root):
            let url = root.appendingPathComponent(path)
            do {
                let handle = try FileHandle(forReadingFrom: url)
                defer { try? handle.close() }
                data = try handle.read(upToCount: limit + 1) ?? Data()
            } catch {
                throw SlackExportIssue(.rejected, file: path, reason: "cannot read file (\(error.localizedDescription))")
            }
            guard data.count <= limit else { throw tooLarge() }
        case .zip(let archive, let entries):
            guard let entry = entries[path] else {
                throw SlackExportIssue(.rejected, file: path, reason: "no such file in the zip")
            }
            guard entry.uncompressedSize <= UInt64(limit) else { throw tooLarge() }
            var buffer = Data()
            do {
                // Headers can lie about sizes: count what is actually inflated.
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    guard buffer.count + chunk.count <= limit else { throw tooLarge() }
                    buffer.append(chunk)
                }
            } catch let issue as SlackExportIssue {
                throw issue
            } catch {
                throw SlackExportIssue(.rejected, file: path, reason: "cannot inflate zip entry (\(error))")
            }
            data = buffer
        }
        bytesRead += data.count
        return data
    }

    // MARK: - Listing

    private static func listFolder(_ root: URL, name: String, limits: SlackExportLimits) throws(SlackExportIssue) -> [String] {
        let keys: [URLResourceKey] = [.isRegularFileKey]
        guard let enumerator = FileManager.default.enumerator(
            at: root, includingPropertiesForKeys: keys, options: [.skipsHiddenFiles])
        else { throw SlackExportIssue(.rejected, file: name, reason: "cannot list folder") }
        let rootPath = root.standardizedFileURL.resolvingSymlinksInPath().path
        var paths: [String] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: Set(keys)))?.isRegularFile == true else { continue }
            guard paths.count < limits.maxFiles else {
                throw SlackExportIssue(.rejected, file: name, reason: "folder has more than \(limits.maxFiles) files")
            }
            let path = url.standardizedFileURL.resolvingSymlinksInPath().path
            guard path.hasPrefix(rootPath + "/") else { continue }
            paths.append(String(path.dropFirst(rootPath.count + 1)))
        }
        return paths.sorted()
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
