import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Opening a file to read it whole: never blocking on a FIFO, and refusing what is not a regular file
/// (a device such as /dev/zero never ends). Every reader of inputs and outputs goes through here; the
/// catalog of `input_root` gives the same reason for what it will not hand to a source.
enum RegularFile {
    /// Why a FIFO, a device or a socket is not read.
    static let notRegular = "not a regular file (a FIFO, device or socket): not read"

    /// The size of the file at `path`, a symbolic link's target's for a link (what reading it reads);
    /// 0 when there is nothing there.
    static func size(of path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// An open descriptor of the regular file at `path` (the caller closes it) and its size, or why not.
    static func open(_ path: String) -> Result<(descriptor: Int32, size: Int64), Refusal> {
        let descriptor = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.cannotOpen(String(cString: strerror(errno)))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return .failure(status.st_mode & S_IFMT == S_IFDIR ? .folder : .notRegular)
        }
        return .success((descriptor, Int64(status.st_size)))
    }

    enum Refusal: Error {
        /// `open` failed, with the system's reason.
        case cannotOpen(String)
        case folder
        case notRegular

        var reason: String {
            switch self {
            case .cannotOpen(let why): "cannot open file: \(why)"
            case .folder: "is a folder, not a file"
            case .notRegular: RegularFile.notRegular
            }
        }
    }
}
