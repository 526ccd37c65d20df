/// The outcome of checking one packet.
public struct PacketReport: Sendable, Hashable {
    /// The packet's id (its folder name).
    public var id: PacketID
    /// The packet's folder, e.g. `specs/PAY-142`.
    public var folder: String
    /// The manifest, when it could be read.
    public var manifest: Manifest?
    /// The acceptance criteria ids, in order.
    public var criteria: [String]
    /// Every finding, sorted for display.
    public var findings: [Finding]

    /// Number of error findings.
    public var errorCount: Int { findings.count { $0.severity == .error } }
    /// Number of warning findings.
    public var warningCount: Int { findings.count { $0.severity == .warning } }
    /// Ready means no errors (DESIGN.md §3).
    public var isReady: Bool { errorCount == 0 }

    /// 0–100: 100 minus 20 per error and 5 per warning, never below 0. Infos cost nothing.
    public var score: Int { max(0, 100 - 20 * errorCount - 5 * warningCount) }
}
