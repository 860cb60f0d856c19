import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Making the folders outputs go to, so that nothing is written outside `output_root`.
///
/// `output_root` itself is the user's choice and may be, or go through, a symbolic link. Beneath it,
/// every folder of an output's path is made or checked one at a time without following links: a link
/// there (planted, or left by someone else) could send the run's files anywhere, so it is refused.
/// (The output files themselves are renamed into place, which replaces a link rather than writing
/// through it, and staging files are opened with `O_NOFOLLOW`.)
enum OutputPaths {
    /// Makes `root` and the folders above it that are missing, or says why it cannot, with the
    /// system's reason.
    static func createRoot(_ root: String) throws {
        var made = ""
        for component in root.split(separator: "/", omittingEmptySubsequences: true) {
            made += "/" + component
            if mkdir(made, 0o755) == 0 { continue }
            let code = errno
            var status = stat()
            // An existing folder, or a link to one: the root's own path may go through links.
            if code == EEXIST, stat(made, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { continue }
            throw ThreadlineError(.runtimeFailure, "cannot create output_root '\(root)': \(reason(made, errno: code))",
                                  notes: ["set output_root to a folder this user can write, or --set output_root=PATH"])
        }
    }

    /// Why `path` could not be made as a folder, `mkdir` having failed with `code`: the system's
    /// reason, or what is in the way.
    private static func reason(_ path: String, errno code: Int32) -> String {
        guard code == EEXIST else { return String(cString: strerror(code)) }
        var status = stat()
        guard lstat(path, &status) == 0 else { return String(cString: strerror(errno)) }
        if status.st_mode & S_IFMT == S_IFLNK {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
            return "'\(path)' is a symbolic link to '\(target)', which is not a folder (missing, or a file)"
        }
        return "'\(path)' is a file, not a folder"
    }

    /// Makes the folders of `relativePath` (an output's path) beneath `root`, refusing one that is a
    /// symbolic link or not a folder.
    static func makeFolders(of relativePath: String, in root: String) throws {
        let folders = relativePath.split(separator: "/", omittingEmptySubsequences: true).dropLast()
        var path = root
        var shown = ""
        func refuse(_ why: String, _ notes: [String]) -> ThreadlineError {
            ThreadlineError(.runtimeFailure, "cannot write '\(relativePath)' in output_root '\(root)': '\(shown)' \(why)", notes: notes)
        }
        for folder in folders {
            path += "/" + folder
            shown += (shown.isEmpty ? "" : "/") + folder
            var status = stat()
            if lstat(path, &status) != 0 {
                guard errno == ENOENT else { throw refuse(String(cString: strerror(errno)), []) }
                if mkdir(path, 0o755) == 0 { continue }
                // Made meanwhile by a sink of the same run: checked below as any existing entry.
                guard errno == EEXIST, lstat(path, &status) == 0 else {
                    throw refuse("cannot be made: \(String(cString: strerror(errno)))", [])
                }
            }
            switch status.st_mode & S_IFMT {
            case S_IFDIR: continue
            case S_IFLNK:
                throw refuse("is a symbolic link, which could lead outside output_root",
                             ["replace the link with a folder, or choose another path for this output"])
            default:
                throw refuse("is not a folder", ["remove or rename it, or choose another path for this output"])
            }
        }
    }
}
