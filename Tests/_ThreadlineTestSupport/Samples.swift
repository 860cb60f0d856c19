import Foundation

/// The sample inputs every test target shares, in `Tests/Samples`: the seed archive, the Slack
/// export of the same threads (folder and zip), its slack-export-viewer renderings (multi-page and
/// single-file), a slackdump rendering, and hostile pages. One copy, read in place.
public enum Samples {
    /// `Tests/Samples`, found from this file's own path.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Samples")

    /// The absolute path of `relative` inside `Tests/Samples`.
    public static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// Whether `relative` names a shared sample.
    public static func contains(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: path(relative))
    }
}

/// A book archive that passes every rule of `validate`, `--strict` included: its front matter
/// alone, without a body and without a final line break.
public let validSeed = """
    ---
    title: "A book"
    start: 2021-03-08 00:00:00
    end: 2021-03-12 22:59:58
    authors: [someone]
    archive:
    - name: Ana
      text: hello
      replies:
      - name: Bo
        text: hi
    ---
    """
