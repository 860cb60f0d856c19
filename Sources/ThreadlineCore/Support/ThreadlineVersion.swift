/// The tool's version, as `threadline --version` and every artefact report it.
package enum ThreadlineVersion {
    package static let current = "0.1.0"
}
