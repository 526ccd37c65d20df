import GitPaths

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
        // A pure function of the bytes, the path (the folder is the id it must match) and the limits.
        let manifestRead = try judged(
            manifestPath, in: view, cost: &cost,
            key: { "\($0):\(BytePath(manifestPath).exactKey):\(limits.maxFileBytes):\(limits.maxYAMLDepth):\(limits.maxYAMLNodes)" },
            cached: { cache?.manifest(for: $0) }, store: { cache?.store($0, for: $1) }, entryCost: \.cost,
            judge: { text, readCost in
                var parseCost = CheckCost()
                let (parsed, found) = Manifest.parse(text, file: manifestPath, folderID: id.rawValue, limits: limits, cost: &parseCost)
                return CheckCache.ManifestEntry(manifest: parsed, findings: found, cost: readCost + parseCost)
            })
        switch manifestRead {
        case .missing:
            findings.append(Finding(.manifestMissing, file: manifestPath, message: "\(baseName(manifestPath)) is missing"))
        case .unusable(let finding):
            findings.append(finding)
        case .judged(let entry):
            let parsed = entry.manifest
            manifest = parsed
            findings += entry.findings
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
        switch try judgedContext(contextPath, in: view, cost: &cost) {
        case .missing:
            findings.append(Finding(.contextMissing, file: contextPath, message: "\(baseName(contextPath)) is missing"))
        case .unusable(let finding):
            findings.append(finding)
        case .judged(let entry):
            // Its links are looked up in this tree: only they can change while the document does not.
            findings += try ContextCheck.findings(entry, file: contextPath, view: view)
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
        var acceptancePath = markdownPath
        var read = try judgedAcceptance(markdownPath, in: view, cost: &cost)
        if case .missing = read {
            acceptancePath = gherkinPath
            read = try judgedAcceptance(gherkinPath, in: view, cost: &cost)
        }
        switch read {
        case .missing:
            findings.append(
                Finding(
                    .acceptanceMissing, file: markdownPath,
                    message: "the packet has neither acceptance.md nor acceptance.feature"))
        case .unusable(let finding):
            findings.append(finding)
        case .judged(let entry):
            criteria = AcceptanceCheck.ids(entry.criteria)
            findings += entry.findings
            findings += AcceptanceCheck.unknownOperations(entry.mentions, operations: contracts.operations, file: acceptancePath)
        }
        budget?.charge(cost)
        budget?.chargePacket(findings: findings.count)
        // Capped after the policy's severities apply, so the omitted counts are the severities in force.
        let (kept, omitted) = findings.map(configuration.applyingPolicy).cappedPerRule(limits.maxFindingsPerRule)
        return PacketReport(id: id, folder: folder, manifest: manifest, criteria: criteria, findings: kept, omitted: omitted)
    }

    /// What reading and judging one packet file gave.
    enum Judged<Entry> {
        case missing
        case unusable(Finding)
        case judged(Entry)
    }

    /// The context document at `path`, judged (or found judged in the cache: the fold and check ahead alike).
    func judgedContext(_ path: String, in view: any TreeView, cost: inout CheckCost) throws -> Judged<CheckCache.ContextEntry> {
        let (sections, limits) = (configuration.requiredSections, configuration.limits)
        return try judged(
            path, in: view, cost: &cost,
            key: { ContextCheck.cacheKey(contentID: $0, path: path, requiredSections: sections, limits: limits) },
            cached: { cache?.context(for: $0) }, store: { cache?.store($0, for: $1) }, entryCost: \.cost,
            judge: { text, readCost in ContextCheck.judge(text, file: path, requiredSections: sections, cost: readCost) })
    }

    /// The acceptance file at `path`, judged (or found judged in the cache: the fold and check ahead alike).
    func judgedAcceptance(_ path: String, in view: any TreeView, cost: inout CheckCost) throws -> Judged<CheckCache.AcceptanceEntry> {
        let limits = configuration.limits
        return try judged(
            path, in: view, cost: &cost, key: { AcceptanceCheck.cacheKey(contentID: $0, path: path, limits: limits) },
            cached: { cache?.acceptance(for: $0) }, store: { cache?.store($0, for: $1) }, entryCost: \.cost,
            judge: { text, readCost in AcceptanceCheck.judge(text, path: path, cost: readCost) })
    }

    /// Reads `path` as text and judges it, unless the cache holds the judgement of the same bytes (its key from
    /// the content id): then the file is not read at all. Either way `cost` grows by the entry's cost (reading,
    /// and parsing where there is any), so that a budget never depends on what a cache holds.
    private func judged<Entry>(
        _ path: String, in view: any TreeView, cost: inout CheckCost, key: (String) -> String, cached: (String) -> Entry?,
        store: (Entry, String) -> Void, entryCost: (Entry) -> CheckCost, judge: (String, CheckCost) -> Entry
    ) throws -> Judged<Entry> {
        let key = try cache == nil ? nil : view.contentID(at: path).map(key)
        if let key, let entry = cached(key) {
            cost = cost + entryCost(entry)
            return .judged(entry)
        }
        var readCost = CheckCost()
        switch try TextFile.read(path, from: view, limits: configuration.limits, cost: &readCost) {
        case .missing:
            cost = cost + readCost
            return .missing
        case .unusable(let finding):
            cost = cost + readCost
            return .unusable(finding)
        case .text(let text):
            let entry = judge(text, readCost)
            cost = cost + entryCost(entry)
            if let key { store(entry, key) }
            return .judged(entry)
        }
    }
}
