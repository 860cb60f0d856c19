import Foundation

/// A markdown file's front matter, read the way threadline reads one: the file's bytes checked as
/// UTF-8, then the YAML between the opening `---` line and the next `---` or `...` line. Nil when the
/// file cannot be read, is not UTF-8 or has no closed front matter.
func frontMatterYAML(ofFileAt path: String) -> (yaml: String, fileBytes: Int)? {
    guard let data = FileManager.default.contents(atPath: path),
          let text = String(validating: data, as: UTF8.self)
    else { return nil }
    let bytes = Array(text.utf8)
    /// Whether `bytes[start..<end]` is the marker three times, then only spaces, tabs or a CR.
    func isDelimiter(_ start: Int, _ end: Int, _ marker: UInt8) -> Bool {
        guard end - start >= 3, bytes[start] == marker, bytes[start + 1] == marker, bytes[start + 2] == marker else { return false }
        return bytes[(start + 3)..<end].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
    var lineStart = 0
    var yamlStart: Int?
    while lineStart < bytes.count {
        let lineEnd = bytes[lineStart...].firstIndex(of: 0x0A) ?? bytes.count
        if let start = yamlStart {
            if isDelimiter(lineStart, lineEnd, UInt8(ascii: "-")) || isDelimiter(lineStart, lineEnd, UInt8(ascii: ".")) {
                return (String(decoding: bytes[start..<max(start, lineStart - 1)], as: UTF8.self), bytes.count)
            }
        } else {
            guard isDelimiter(lineStart, lineEnd, UInt8(ascii: "-")) else { return nil }
            yamlStart = lineEnd + 1
        }
        lineStart = lineEnd + 1
    }
    return nil
}
