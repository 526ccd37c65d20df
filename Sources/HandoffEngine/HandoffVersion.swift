/// The release both executables report (`handoff --version`, `handoffd --version`).
public enum HandoffVersion {
    /// The version, raised with each release.
    public static let current = "0.4.0"
}
