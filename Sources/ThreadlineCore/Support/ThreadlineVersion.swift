/// The tool's version, as `threadline --version` and every artefact report it.
public enum ThreadlineVersion {
    public static let current = "0.1.0"
}
