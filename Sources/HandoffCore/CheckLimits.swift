/// Bounds on the work one packet can cause: everything in it arrives by git from outside the company.
public struct CheckLimits: Sendable, Hashable {
    /// Largest file read, in bytes.
    public var maxFileBytes: Int
    /// Most entries walked in one packet folder.
    public var maxEntriesPerPacket: Int
    /// Deepest YAML nesting accepted (flow brackets or block indentation levels).
    public var maxYAMLDepth: Int
    /// Most values (scalars and collections) in one YAML document: bounds the nodes Yams builds from it.
    public var maxYAMLNodes: Int
    /// Most findings kept per rule in one packet's report; the rest are counted in one summary finding,
    /// so a status file stays far below what handoffd reads back.
    public var maxFindingsPerRule: Int

    /// Creates limits.
    public init(
        maxFileBytes: Int = 512 * 1024, maxEntriesPerPacket: Int = 1_000, maxYAMLDepth: Int = 64,
        maxYAMLNodes: Int = 100_000, maxFindingsPerRule: Int = 50
    ) {
        self.maxFileBytes = maxFileBytes
        self.maxEntriesPerPacket = maxEntriesPerPacket
        self.maxYAMLDepth = maxYAMLDepth
        self.maxYAMLNodes = maxYAMLNodes
        self.maxFindingsPerRule = maxFindingsPerRule
    }

    /// The defaults: 512 KiB per file, 1,000 entries per packet, YAML 64 levels deep and 100,000 values,
    /// 50 findings per rule.
    public static let `default` = CheckLimits()
}
