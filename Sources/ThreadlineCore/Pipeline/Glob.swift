/// A path glob: `*` and `?` within one path segment, `[abc]` classes, `**` for any number of folders.
package struct Glob: Sendable, Hashable {
    package let pattern: String
    private let segments: [String]

    package init(_ pattern: String) {
        self.pattern = pattern
        self.segments = pattern.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    package func matches(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map { Array($0.utf8) }
        return Glob.match(segments.map { Array($0.utf8) }, parts)
    }

    /// Whether the pattern's segments match the path's parts, `**` standing for any number of parts.
    ///
    /// Worked backwards over every (segment, part) pair once: `matched[n]` says whether the segments
    /// from the current one on match the parts from `n` on. Linear in segments × parts, where trying
    /// each split for each `**` in turn was exponential in the number of `**`s.
    private static func match(_ pattern: [[UInt8]], _ path: [[UInt8]]) -> Bool {
        let doubleStar = Array("**".utf8)
        // Past the last segment only the end of the path matches.
        var matched = [Bool](repeating: false, count: path.count + 1)
        matched[path.count] = true
        for head in pattern.reversed() {
            var current = [Bool](repeating: false, count: path.count + 1)
            for n in stride(from: path.count, through: 0, by: -1) {
                if head == doubleStar {
                    current[n] = matched[n] || (n < path.count && current[n + 1])
                } else {
                    current[n] = n < path.count && matched[n + 1] && segment(head[...], path[n][...])
                }
            }
            matched = current
        }
        return matched[0]
    }

    /// One segment against a name, iteratively with backtracking on the last `*` (linear for hostile names).
    private static func segment(_ pattern: ArraySlice<UInt8>, _ name: ArraySlice<UInt8>) -> Bool {
        var p = pattern.startIndex, n = name.startIndex
        var star: (p: Int, n: Int)?
        while n < name.endIndex {
            if p < pattern.endIndex {
                let c = pattern[p]
                if c == UInt8(ascii: "*") {
                    star = (p, n)
                    p += 1
                    continue
                }
                if c == UInt8(ascii: "?") {
                    p += 1
                    n += 1
                    continue
                }
                if c == UInt8(ascii: "["), let (matched, next) = matchClass(pattern, p, name[n]) {
                    if matched {
                        p = next
                        n += 1
                        continue
                    }
                } else if c == name[n] {
                    p += 1
                    n += 1
                    continue
                }
            }
            guard let s = star else { return false }
            star = (s.p, s.n + 1)
            p = s.p + 1
            n = s.n + 1
        }
        while p < pattern.endIndex, pattern[p] == UInt8(ascii: "*") { p += 1 }
        return p == pattern.endIndex
    }

    /// `[abc]`, `[a-z]`, `[!x]` at `start`: whether `byte` matches, and where the class ends.
    private static func matchClass(_ pattern: ArraySlice<UInt8>, _ start: Int, _ byte: UInt8) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < pattern.endIndex, pattern[i] == UInt8(ascii: "!") || pattern[i] == UInt8(ascii: "^") {
            negate = true
            i += 1
        }
        var matched = false
        var first = true
        while i < pattern.endIndex, pattern[i] != UInt8(ascii: "]") || first {
            first = false
            if i + 2 < pattern.endIndex, pattern[i + 1] == UInt8(ascii: "-"), pattern[i + 2] != UInt8(ascii: "]") {
                if pattern[i] <= byte && byte <= pattern[i + 2] { matched = true }
                i += 3
            } else {
                if pattern[i] == byte { matched = true }
                i += 1
            }
        }
        guard i < pattern.endIndex else { return nil }
        return (matched != negate, i + 1)
    }
}
