#if canImport(Glibc)
    import Glibc
#endif

/// Opening a file to read it whole: never blocking on a FIFO, and refusing what is not a regular file
/// (a device such as /dev/zero never ends). Every reader of inputs and outputs goes through here; the
/// catalog of `input_root` gives the same reason for what it will not hand to a source.
public enum RegularFile {
    /// Why a FIFO, a device or a socket is not read.
    public static let notRegular = "not a regular file (a FIFO, device or socket): not read"

    /// The size of the file at `path`, a symbolic link's target's for a link (what reading it reads);
    /// 0 when there is nothing there.
    public static func size(of path: String) -> Int64 {
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }

    /// An open descriptor of the regular file at `path` (the caller closes it) and its size, or why not.
    public static func open(_ path: String) -> Result<(descriptor: Int32, size: Int64), Refusal> {
        let descriptor = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(.cannotOpen(String(cString: strerror(errno)))) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return .failure(status.st_mode & S_IFMT == S_IFDIR ? .folder : .notRegular)
        }
        return .success((descriptor, Int64(status.st_size)))
    }

    /// Why ``open(_:)`` gave no descriptor.
    public enum Refusal: Error {
        /// `open` failed, with the system's reason.
        case cannotOpen(String)
        case folder
        case notRegular

        public var reason: String {
            switch self {
            case .cannotOpen(let why): "cannot open file: \(why)"
            case .folder: "is a folder, not a file"
            case .notRegular: RegularFile.notRegular
            }
        }
    }

    /// What is at `path`, following a symbolic link to its target: a folder, a regular file with its
    /// size, or why it cannot be read (a FIFO, a device, a socket, a link to nothing).
    public static func kind(of path: String) -> Kind {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let error = errno
            var link = stat()
            return .unreadable(unreadableReason(isSymbolicLink: lstat(path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK, error: error))
        }
        return kind(status)
    }

    /// What a `stat` (which followed any symbolic link) describes.
    public static func kind(_ status: stat) -> Kind {
        switch status.st_mode & S_IFMT {
        case S_IFDIR: .folder
        case S_IFREG: .file(bytes: Int64(status.st_size))
        default: .unreadable(notRegular)
        }
    }

    /// Why an entry whose `stat` failed with `error` cannot be read.
    static func unreadableReason(isSymbolicLink: Bool, error: Int32) -> String {
        isSymbolicLink
            ? "a symbolic link to nothing (its target is missing, or the links loop): not read"
            : "cannot read its type: \(String(cString: strerror(error)))"
    }

    /// What ``kind(of:)`` finds at a path.
    public enum Kind: Sendable, Hashable {
        case folder
        case file(bytes: Int64)
        /// Neither a regular file nor a folder, with why it is not read.
        case unreadable(String)
    }

    /// Whether `path` itself is a symbolic link (not followed).
    public static func isSymbolicLink(_ path: String) -> Bool {
        var link = stat()
        return lstat(path, &link) == 0 && link.st_mode & S_IFMT == S_IFLNK
    }
}
