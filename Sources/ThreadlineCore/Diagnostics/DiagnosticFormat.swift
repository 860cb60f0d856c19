import Foundation

/// Renders diagnostics for the tools that read them: people, GitHub Actions, scripts, JUnit readers
/// (GitLab, Jenkins). `validate` and `check` print their findings through it, each with its rule id.
package enum DiagnosticFormat: String, Sendable, CaseIterable {
    case text, github, json, junit

    /// A format by name; `human`, what `text` was called, is `text`.
    package init?(name: String) {
        self.init(rawValue: name == "human" ? "text" : name)
    }

    /// The whole report of `tool` (`threadline validate`) for the files checked. The text format
    /// shows the source line of a finding only when `canShowSource` allows its file.
    package func render(
        files: [String], diagnostics: [Diagnostic], tool: String = "threadline validate",
        canShowSource: (String) -> Bool = { _ in true }
    ) -> String {
        switch self {
        case .text: return DiagnosticFormat.text(files: files, diagnostics: diagnostics, canShowSource: canShowSource)
        case .github: return DiagnosticFormat.github(diagnostics, tool: tool)
        case .json: return DiagnosticFormat.json(files: files, diagnostics: diagnostics)
        case .junit: return DiagnosticFormat.junit(files: files, diagnostics: diagnostics, tool: tool)
        }
    }

    /// Like a compiler: `file:line:col: error: message [rule]`, the source line, a caret under the
    /// column, the notes; then a count.
    static func text(files: [String], diagnostics: [Diagnostic], canShowSource: (String) -> Bool = { _ in true }) -> String {
        var out = ""
        var sources = SourceLines()
        for diagnostic in diagnostics {
            out += diagnostic.headline + "\n"
            if let location = diagnostic.location, let line = location.line, canShowSource(location.file),
               let text = sources.line(line, of: location.file) {
                let (shown, caret) = excerpt(of: text, column: location.column, width: 160)
                out += "    \(shown)\n"
                if let caret { out += "    " + String(repeating: " ", count: caret) + "^\n" }
            }
            for note in diagnostic.notes { out += "    note: \(printable(note))\n" }
        }
        let errors = diagnostics.filter { $0.severity == .error }.count
        let warnings = diagnostics.filter { $0.severity == .warning }.count
        out += "\(files.count) file\(files.count == 1 ? "" : "s") checked: \(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")\n"
        return out
    }

    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=tool (rule)::message`.
    static func github(_ diagnostics: [Diagnostic], tool: String = "threadline validate") -> String {
        diagnostics.map { diagnostic in
            let command = diagnostic.severity == .error ? "error" : diagnostic.severity == .warning ? "warning" : "notice"
            var properties: [String] = []
            if let location = diagnostic.location {
                properties.append("file=" + escapeProperty(printable(location.file)))
                if let line = location.line { properties.append("line=\(line)") }
                if let column = location.column { properties.append("col=\(column)") }
            }
            properties.append("title=" + escapeProperty(tool + (diagnostic.rule.map { " (\($0))" } ?? "")))
            let message = ([diagnostic.message] + diagnostic.notes).map(printable).joined(separator: "\n")
            return "::\(command) \(properties.joined(separator: ","))::\(escapeData(message))\n"
        }.joined()
    }

    /// `text` with control characters (C0 but tab, DEL, C1) written as `\u{1B}`: a terminal or a log
    /// shows them, and does not act on them.
    static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                out += "\\u{" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || (0x7F...0x9F).contains(scalar.value)
    }

    /// Whether a source line can be shown as it is: no control characters, and no U+FFFD standing for
    /// bytes that were not UTF-8.
    static func isPrintable(_ line: String) -> Bool {
        !line.unicodeScalars.contains { isControl($0) || $0 == "\u{FFFD}" }
    }

    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D").replacingOccurrences(of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }

    static func json(files: [String], diagnostics: [Diagnostic]) -> String {
        let object: [String: Any] = [
            "files": files,
            "errors": diagnostics.filter { $0.severity == .error }.count,
            "warnings": diagnostics.filter { $0.severity == .warning }.count,
            "diagnostics": diagnostics.map { diagnostic in
                [
                    "file": diagnostic.location?.file ?? NSNull(), "line": diagnostic.location?.line ?? NSNull(),
                    "column": diagnostic.location?.column ?? NSNull(), "severity": diagnostic.severity.rawValue,
                    "rule": diagnostic.rule ?? NSNull(), "message": diagnostic.message, "notes": diagnostic.notes,
                ] as [String: Any]
            },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// JUnit XML: one test case per file, one `<failure>` per error; warnings go to `<system-out>`.
    static func junit(files: [String], diagnostics: [Diagnostic], tool: String = "threadline validate") -> String {
        // A diagnostic inside a Slack export (`export.zip/general/2021-01-02.json`) belongs to the export.
        let checked = Set(files)
        let byFile = Dictionary(grouping: diagnostics) { diagnostic -> String in
            let file = diagnostic.location?.file ?? ""
            if checked.contains(file) { return file }
            return files.filter { file.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }.max { $0.count < $1.count } ?? file
        }
        let failed = files.filter { file in byFile[file]?.contains { $0.severity == .error } == true }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(xml(tool, attribute: true))\" tests=\"\(files.count)\" failures=\"\(failed)\" errors=\"0\">\n"
        out += "  <testsuite name=\"\(xml(tool, attribute: true))\" tests=\"\(files.count)\" failures=\"\(failed)\" errors=\"0\" skipped=\"0\">\n"
        for file in files {
            let found = byFile[file] ?? []
            out += "    <testcase classname=\"\(xml(tool.replacingOccurrences(of: " ", with: "."), attribute: true))\" name=\"\(xml(file, attribute: true))\" file=\"\(xml(file, attribute: true))\""
            if found.isEmpty {
                out += "/>\n"
                continue
            }
            out += ">\n"
            for diagnostic in found where diagnostic.severity == .error {
                out += "      <failure type=\"\(xml(diagnostic.rule ?? "error", attribute: true))\" message=\"\(xml(diagnostic.message, attribute: true))\">\(xml(diagnostic.description))</failure>\n"
            }
            let others = found.filter { $0.severity != .error }
            if !others.isEmpty {
                out += "      <system-out>\(xml(others.map(\.description).joined(separator: "\n")))</system-out>\n"
            }
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n</testsuites>\n"
        return out
    }

    /// `text` escaped for XML 1.0 content or an attribute value. Line breaks and tabs in an attribute,
    /// and carriage returns anywhere, are character references, which a parser keeps as they are
    /// (it would make them spaces or line feeds); what XML 1.0 has no place for (control characters
    /// and U+FFFE, U+FFFF) becomes U+FFFD.
    static func xml(_ text: String, attribute: Bool = false) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\r": out += "&#13;"
            case "\n": out += attribute ? "&#10;" : "\n"
            case "\t": out += attribute ? "&#9;" : "\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// At most `width` characters of `line` around the 1-based `column`, with `…` where it was cut, and
    /// the caret's offset in what is shown: a 100 MB line is not copied to the terminal. A column past
    /// the end of the line (the line's trailing blanks are not shown) puts the caret just after it.
    static func excerpt(of line: String, column: Int?, width: Int = 160) -> (shown: String, caret: Int?) {
        excerpt(of: Array(line.unicodeScalars), column: column, width: width)
    }

    /// `excerpt(of:column:width:)` over a line's scalars, which a report keeps for all the
    /// diagnostics on one line: each is then cut in time proportional to `width`, not to the line.
    static func excerpt(of line: [Unicode.Scalar], column: Int?, width: Int) -> (shown: String, caret: Int?) {
        let target = min(max(0, (column ?? 1) - 1), line.count)
        let start = max(0, min(target - width / 2, line.count - width))
        let end = min(line.count, start + width)
        var shown = String(String.UnicodeScalarView(line[start..<end]))
        var caret = target - start
        if start > 0 {
            shown = "…" + shown
            caret += 1
        }
        if end < line.count { shown += "…" }
        return (shown, column.map { _ in caret })
    }

    /// The lines diagnostics point at, for the caret display: each file read once per report, and the
    /// last line shown kept, since one line of a minified day file can carry thousands of findings.
    struct SourceLines {
        /// Each file's lines, or nil for a file that is not UTF-8 text (its bytes never reach the terminal).
        private var files: [String: [Substring]?] = [:]
        private var last: (file: String, line: Int, scalars: [Unicode.Scalar]?)?

        /// Line `number` of `file` as scalars (tabs as spaces, trailing blanks dropped); nil when there
        /// is no such line or it holds control characters.
        mutating func line(_ number: Int, of file: String) -> [Unicode.Scalar]? {
            if let last, last.file == file, last.line == number { return last.scalars }
            if files[file] == nil { files[file] = Self.read(file) }
            var scalars: [Unicode.Scalar]?
            if let lines = files[file] ?? nil, number >= 1, number <= lines.count {
                let text = lines[number - 1].trimmingTrailingWhitespace()
                if isPrintable(String(text)) { scalars = text.unicodeScalars.map { $0 == "\t" ? " " : $0 } }
            }
            last = (file, number, scalars)
            return scalars
        }

        private static func read(_ file: String) -> [Substring]? {
            guard let data = FileManager.default.contents(atPath: file), !data.contains(0),
                  let text = String(validating: data, as: UTF8.self)
            else { return nil }
            // `\r\n` is one Character: both end a line.
            return text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        }
    }
}
