import Foundation

/// Whether a run would read what it writes: `output_root` inside `input_root`, where an extract
/// step's patterns reach the run's files (`PipelineLoader` refuses it).
enum OutputOverlap {
    /// `path` with its symbolic links resolved, as far as it exists: the folder it names, or will
    /// name once made.
    static func resolved(_ path: String) -> String {
        var existing = (path as NSString).standardizingPath
        var missing: [String] = []
        while true {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                return ([String(cString: real)] + missing.reversed()).joined(separator: "/").replacingOccurrences(of: "//", with: "/")
            }
            let parent = (existing as NSString).deletingLastPathComponent
            guard parent != existing, !parent.isEmpty else { return path }
            missing.append((existing as NSString).lastPathComponent)
            existing = parent
        }
    }

    /// The first of `files` (paths relative to `input_root`) that `step` would read, itself or as
    /// part of a folder it reads whole, described for an error; nil when it reads none.
    static func firstRead(by step: any ExtractStep, of files: [String]) -> String? {
        for file in files {
            if step.wouldRead(file, isFolder: false) { return "'\(file)'" }
            var folder = ""
            for component in file.split(separator: "/").dropLast() {
                folder += (folder.isEmpty ? "" : "/") + component
                if step.wouldRead(folder, isFolder: true) { return "'\(folder)', a folder it reads whole" }
            }
        }
        return nil
    }
}
