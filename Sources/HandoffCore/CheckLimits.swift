/// Bounds on the work one packet can cause: everything in it arrives by git from outside the company.
public struct CheckLimits: Sendable, Hashable {
    /// Largest file read, in bytes.
    public var maxFileBytes: Int
    /// Most entries walked in one packet folder.
    public var maxEntriesPerPacket: Int
    /// Deepest YAML nesting accepted (flow brackets or block indentation levels).
    public var maxYAMLDepth: Int

    /// Creates limits.
    public init(maxFileBytes: Int = 512 * 1024, maxEntriesPerPacket: Int = 1_000, maxYAMLDepth: Int = 64) {
        self.maxFileBytes = maxFileBytes
        self.maxEntriesPerPacket = maxEntriesPerPacket
        self.maxYAMLDepth = maxYAMLDepth
    }

    /// The defaults: 512 KiB per file, 1,000 entries per packet, YAML 64 levels deep.
    public static let `default` = CheckLimits()
}
