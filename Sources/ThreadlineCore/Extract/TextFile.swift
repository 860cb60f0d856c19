import Crypto
import Foundation
import ThreadlineFiles
import ThreadlineText

/// A UTF-8 text file read whole, after the checks every text source needs: not empty, not binary,
/// valid UTF-8, not too large. Problems are reported at a line and column.
package struct TextFile: Sendable {
    package var text: String
    /// SHA-256 of the file's bytes as 64 hex digits, when read from a path: taken while the bytes
    /// are in memory, so the run's manifest need not read the file again.
    package var sha256: String?

    /// Why a file cannot be read as text.
    package struct Problem: Error, Sendable {
        package var reason: String
        package var line: Int?
        package var column: Int?
        /// The rule the file breaks.
        package var rule: Rule
    }

    package init(path: String, maxBytes: Int) throws(Problem) {
        let (descriptor, fileSize): (Int32, Int64)
        switch RegularFile.open(path) {
        case .success(let opened): (descriptor, fileSize) = opened
        case .failure(let refusal): throw Problem(reason: refusal.reason, rule: InputRules.unreadable)
        }
        defer { close(descriptor) }
        let size = Int(fileSize)
        guard size <= maxBytes else {
            throw Problem(reason: "file is \(size) bytes, over the limit of \(maxBytes) (max_file_bytes)", rule: InputRules.tooLarge)
        }
        // One byte more than the size, so reading ends at end of file in one pass; a file that grows
        // while it is read is read to its end, up to the limit.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var count = 0
        while true {
            if count == bytes.count {
                guard count <= maxBytes else {
                    throw Problem(reason: "file is over the limit of \(maxBytes) bytes (max_file_bytes)", rule: InputRules.tooLarge)
                }
                bytes.append(contentsOf: repeatElement(0, count: min(max(count, 4096), maxBytes + 1 - count)))
            }
            let got = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
            if got < 0, errno == EINTR { continue }
            guard got >= 0 else { throw Problem(reason: "cannot read file: \(String(cString: strerror(errno)))", rule: InputRules.unreadable) }
            if got == 0 { break }
            count += got
        }
        let (decoded, digest) = bytes.withUnsafeBytes { raw in
            let content = UnsafeRawBufferPointer(rebasing: raw[..<count])
            return (Result { () throws(Problem) in try TextFile.decode(content) }, Hex.string(SHA256.hash(data: content)))
        }
        self.text = try decoded.get()
        self.sha256 = digest
    }

    package init(bytes data: Data) throws(Problem) {
        let decoded = data.withUnsafeBytes { raw in Result { () throws(Problem) in try TextFile.decode(raw) } }
        self.text = try decoded.get()
    }

    /// The bytes as text, or why they are not: empty, binary (a NUL byte) or not UTF-8. A byte-order
    /// mark is dropped.
    static func decode(_ raw: UnsafeRawBufferPointer) throws(Problem) -> String {
        guard !raw.isEmpty else { throw Problem(reason: "empty file", line: 1, column: 1, rule: MarkdownRules.emptyFile) }
        var bytes = raw.bindMemory(to: UInt8.self)[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        if let nul = bytes.base.firstIndex(ofByte: 0, in: bytes.startIndex..<bytes.endIndex) {
            let (line, column) = TextPosition.lineAndColumn(ofByte: nul, in: bytes)
            throw Problem(reason: "binary file: NUL byte at offset \(nul - bytes.startIndex)", line: line, column: column, rule: MarkdownRules.binaryFile)
        }
        if let decoded = String(validating: bytes, as: UTF8.self) { return decoded }
        let bad = TextFile.firstInvalidUTF8(in: bytes)
        let (line, column) = TextPosition.lineAndColumn(ofByte: bad, in: bytes)
        throw Problem(
            reason: "not valid UTF-8: byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at offset \(bad - bytes.startIndex)",
            line: line, column: column, rule: MarkdownRules.notUTF8)
    }

    /// Index of the first byte that does not start a valid UTF-8 sequence.
    static func firstInvalidUTF8(in bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = bytes.startIndex
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .error: return offset
            case .emptyInput: return offset
            }
        }
    }
}

/// A markdown file split into its YAML front matter and body.
package struct FrontMatter: Sendable {
    /// The YAML between the `---` lines.
    package var yaml: String
    /// Line of the file on which the YAML's first line stands (2 when the file starts with `---`).
    package var firstLine: Int
    package var body: String

    package struct Problem: Error, Sendable {
        package var reason: String
        package var line: Int
    }

    /// Splits `text`. The file must start with a `---` line; the front matter ends at the next line that
    /// is `---` or `...` (trailing spaces, tabs and a CR allowed).
    package init(splitting text: String) throws(Problem) {
        var text = text
        let found = text.withUTF8 { FrontMatter.delimiters(in: $0) }
        guard let (yamlStart, yamlEnd, bodyStart) = try found.get() else {
            throw Problem(reason: "front matter is not closed: no '---' line after the opening one", line: 1)
        }
        let utf8 = text.utf8
        let index = { (offset: Int) in utf8.index(utf8.startIndex, offsetBy: offset) }
        self.yaml = String(text[index(yamlStart)..<index(yamlEnd)])
        self.firstLine = 2
        self.body = String(text[index(bodyStart)...])
    }

    /// Byte offsets of the YAML's start and end and of the body's start; nil when the front matter
    /// is not closed.
    private static func delimiters(in bytes: UnsafeBufferPointer<UInt8>) -> Result<(Int, Int, Int)?, Problem> {
        /// Whether the line `bytes[start..<end]` is `marker` followed only by spaces, tabs or a CR.
        func isDelimiter(_ start: Int, _ end: Int, _ marker: UInt8) -> Bool {
            guard end - start >= 3, bytes[start] == marker, bytes[start + 1] == marker, bytes[start + 2] == marker else { return false }
            return bytes[(start + 3)..<end].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        }
        var lineStart = 0
        var yamlStart: Int?
        while lineStart < bytes.count {
            let lineEnd = bytes.firstIndex(ofByte: UInt8(ascii: "\n"), in: lineStart..<bytes.count) ?? bytes.count
            let next = lineEnd < bytes.count ? lineEnd + 1 : lineEnd
            if let start = yamlStart {
                if isDelimiter(lineStart, lineEnd, UInt8(ascii: "-")) || isDelimiter(lineStart, lineEnd, UInt8(ascii: ".")) {
                    // The YAML ends before the delimiter line's newline.
                    return .success((start, lineStart > start ? lineStart - 1 : start, next))
                }
            } else {
                guard isDelimiter(lineStart, lineEnd, UInt8(ascii: "-")) else {
                    return .failure(Problem(reason: "no front matter: the file must start with a '---' line", line: 1))
                }
                yamlStart = next
            }
            lineStart = next
        }
        return .success(nil)
    }
}

extension Substring {
    func trimmingTrailingWhitespace() -> Substring {
        var end = endIndex
        while end > startIndex, let last = self[index(before: end)].unicodeScalars.first,
              last == " " || last == "\t" || last == "\r" {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}
