/// Settings for checking packets; the repository's policy provides them, defaults follow DESIGN.md.
public struct CheckConfiguration: Sendable, Hashable {
    /// The folder holding packets.
    public var packetRoot: String
    /// `## ` sections every `context.md` must have.
    public var requiredSections: [String]
    /// Bounds on the work per packet.
    public var limits: CheckLimits
    /// Severities the repository's policy sets for rule ids, replacing the rules' defaults.
    public var severityOverrides: [String: Severity]

    /// Creates a configuration.
    public init(
        packetRoot: String = "specs",
        requiredSections: [String] = ["Background", "System context", "Dependencies", "Out of scope"],
        limits: CheckLimits = .default,
        severityOverrides: [String: Severity] = [:]
    ) {
        self.packetRoot = packetRoot
        self.requiredSections = requiredSections
        self.limits = limits
        self.severityOverrides = severityOverrides
    }

    /// `finding` with the policy's severity for its rule, when the policy sets one.
    func applyingPolicy(to finding: Finding) -> Finding {
        guard let severity = severityOverrides[finding.rule] else { return finding }
        var copy = finding
        copy.severity = severity
        return copy
    }
}

/// Checks packets against the definition of ready, through a read-only ``TreeView``.
///
/// Never throws for content: every problem in a packet is a finding with a file and a line. It throws only
/// when the view itself fails (I/O or a corrupt repository).
public struct PacketChecker: Sendable {
    /// The settings in force.
    public var configuration: CheckConfiguration
    /// Memoised contract results, reused for files whose content id the view knows.
    public var cache: CheckCache?
    /// What the checks of one commit may spend in all; nil for no bound beyond the per-file limits.
    public var budget: CheckBudget?

    /// Creates a checker; give it a cache to reuse contract checks across packets, commits and runs, and a
    /// budget to bound what all the packets it checks may cost together.
    public init(configuration: CheckConfiguration = CheckConfiguration(), cache: CheckCache? = nil, budget: CheckBudget? = nil) {
        self.configuration = configuration
        self.cache = cache
        self.budget = budget
    }

    /// The ids of every packet folder under the packet root, and findings for folders whose names are not ids.
    public func packetIDs(in view: any TreeView) throws -> (ids: [PacketID], findings: [Finding]) {
        guard let entries = try view.entries(inFolder: configuration.packetRoot) else { return ([], []) }
        var ids: [PacketID] = []
        var findings: [Finding] = []
        for entry in entries where entry.kind == .folder {
            if let id = PacketID(entry.name) {
                ids.append(id)
            } else {
                findings.append(
                    configuration.applyingPolicy(
                        to: Finding(
                            .invalidPacketID, file: entry.path,
                            message: "folder '\(entry.name)' is not a valid packet id")))
            }
        }
        return (ids.sorted(), findings)
    }

    /// Checks every packet under the packet root.
    public func checkAll(in view: any TreeView) throws -> [PacketReport] {
        try packetIDs(in: view).ids.map { try check($0, in: view) }
    }

    /// Checks packet `id`. A `depends_on` entry must name a packet folder of the same view.
    public func check(_ id: PacketID, in view: any TreeView) throws -> PacketReport {
        let folder = configuration.packetRoot.isEmpty ? id.rawValue : "\(configuration.packetRoot)/\(id.rawValue)"
        let limits = configuration.limits
        if let exhaustion = budget?.exhaustion {
            let finding = configuration.applyingPolicy(to: CheckBudget.finding(exhaustion, folder: folder))
            return PacketReport(id: id, folder: folder, manifest: nil, criteria: [], findings: [finding])
        }
        var findings: [Finding] = []
        var manifest: Manifest?
        var criteria: [String] = []
        // Contracts charge the budget file by file; the other files are charged at the end.
        var cost = CheckCost()

        if let walked = try view.walk(folder, limit: limits.maxEntriesPerPacket) {
            if walked.truncated {
                findings.append(
                    Finding(
                        .tooManyFiles, file: folder,
                        message: "the packet holds more than \(limits.maxEntriesPerPacket) entries; checked the first ones only"))
            }
            for entry in walked.entries where entry.kind == .symlink || entry.kind == .submodule || entry.kind == .special {
                findings.append(
                    Finding(
                        .unsupportedEntry, file: entry.path,
                        message: "\(baseName(entry.path)) is a \(entry.kind.rawValue); packets hold real files only"))
            }
        }

        let manifestPath = "\(folder)/\(Manifest.fileName)"
        switch try TextFile.read(manifestPath, from: view, limits: limits, cost: &cost) {
        case .missing:
            findings.append(Finding(.manifestMissing, file: manifestPath, message: "\(baseName(manifestPath)) is missing"))
        case .unusable(let finding):
            findings.append(finding)
        case .text(let text):
            // A pure function of the bytes, the path (the folder is the id it must match) and the YAML limits.
            let key = try cache.flatMap { _ in try view.contentID(at: manifestPath) }
                .map { "\($0):\(manifestPath):\(limits.maxYAMLDepth):\(limits.maxYAMLNodes)" }
            let parsed: Manifest?
            let manifestFindings: [Finding]
            if let key, let cached = cache?.manifest(for: key) {
                (parsed, manifestFindings) = (cached.manifest, cached.findings)
                cost = cost + cached.cost  // what the parse cost is charged on every hit, as for contracts
            } else {
                var parseCost = CheckCost()
                (parsed, manifestFindings) = Manifest.parse(text, file: manifestPath, folderID: id.rawValue, limits: limits, cost: &parseCost)
                cost = cost + parseCost
                if let key { cache?.store(CheckCache.ManifestEntry(manifest: parsed, findings: manifestFindings, cost: parseCost), for: key) }
            }
            manifest = parsed
            findings += manifestFindings
            for dependency in parsed?.dependsOn ?? [] {
                guard let dependencyID = PacketID(dependency) else { continue }
                if dependencyID == id {
                    findings.append(
                        Finding(
                            .manifestUnknownDependency, file: manifestPath,
                            message: "\(id) depends on itself"))
                } else if try view.entry(
                    at: configuration.packetRoot.isEmpty
                        ? dependencyID.rawValue
                        : "\(configuration.packetRoot)/\(dependencyID.rawValue)")?.kind != .folder
                {
                    // Looked up one by one: listing the packet root for every check cost as much as its size.
                    findings.append(
                        Finding(
                            .manifestUnknownDependency, file: manifestPath,
                            message: "depends_on names '\(dependency)', which is not a packet here"))
                }
            }
        }

        let contextPath = "\(folder)/\(ContextCheck.fileName)"
        switch try TextFile.read(contextPath, from: view, limits: limits, cost: &cost) {
        case .missing:
            findings.append(Finding(.contextMissing, file: contextPath, message: "\(baseName(contextPath)) is missing"))
        case .unusable(let finding):
            findings.append(finding)
        case .text(let text):
            findings += try ContextCheck.check(text, file: contextPath, requiredSections: configuration.requiredSections, view: view)
        }

        let contracts = try ContractCheck.check(folder: folder, in: view, limits: limits, cache: cache, budget: budget)
        findings += contracts.findings
        if let exhaustion = contracts.exhausted { findings.append(CheckBudget.finding(exhaustion, folder: folder)) }
        if !contracts.hasContract {
            findings.append(
                Finding(
                    .contractsMissing, file: "\(folder)/contracts/",
                    message: "the packet has no contract under contracts/"))
        }

        let markdownPath = "\(folder)/\(AcceptanceCheck.markdownFile)"
        let gherkinPath = "\(folder)/\(AcceptanceCheck.gherkinFile)"
        // acceptance.md, or else acceptance.feature: whichever is read is checked the same way.
        var acceptance: (path: String, text: String, isGherkin: Bool)?
        switch try TextFile.read(markdownPath, from: view, limits: limits, cost: &cost) {
        case .text(let text):
            acceptance = (markdownPath, text, false)
        case .unusable(let finding):
            findings.append(finding)
        case .missing:
            switch try TextFile.read(gherkinPath, from: view, limits: limits, cost: &cost) {
            case .text(let text):
                acceptance = (gherkinPath, text, true)
            case .unusable(let finding):
                findings.append(finding)
            case .missing:
                findings.append(
                    Finding(
                        .acceptanceMissing, file: markdownPath,
                        message: "the packet has neither acceptance.md nor acceptance.feature"))
            }
        }
        if let (path, text, isGherkin) = acceptance {
            // The result depends only on the bytes and the path: memoised by blob id.
            let key = try cache.flatMap { _ in try view.contentID(at: path) }.map { AcceptanceCheck.cacheKey(contentID: $0, path: path) }
            let result: (criteria: [AcceptanceCheck.Criterion], findings: [Finding])
            if let key, let cached = cache?.acceptance(for: key) {
                result = (cached.criteria, cached.findings)
            } else {
                result = isGherkin ? AcceptanceCheck.checkGherkin(text, file: path) : AcceptanceCheck.checkMarkdown(text, file: path)
                if let key { cache?.store(CheckCache.AcceptanceEntry(criteria: result.criteria, findings: result.findings), for: key) }
            }
            criteria = AcceptanceCheck.ids(result.criteria)
            findings += result.findings
            findings += AcceptanceCheck.unknownOperations(result.criteria, operations: contracts.operations, file: path)
        }
        budget?.charge(cost)
        budget?.chargePacket(findings: findings.count)
        // Capped after the policy's severities apply, so the omitted counts are the severities in force.
        let (kept, omitted) = findings.map(configuration.applyingPolicy).cappedPerRule(limits.maxFindingsPerRule)
        return PacketReport(id: id, folder: folder, manifest: manifest, criteria: criteria, findings: kept, omitted: omitted)
    }
}
