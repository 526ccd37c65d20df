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
    /// The findings kept, sorted for display: at most ``CheckLimits/maxFindingsPerRule`` per rule, each rule
    /// over it followed by one `info` finding that counts the rest.
    public var findings: [Finding]
    /// Findings left out by the per-rule cap, by severity: readiness and the score still count them.
    public var omitted: [Severity: Int] = [:]

    /// Number of error findings, omitted ones included.
    public var errorCount: Int { findings.count { $0.severity == .error } + (omitted[.error] ?? 0) }
    /// Number of warning findings, omitted ones included.
    public var warningCount: Int { findings.count { $0.severity == .warning } + (omitted[.warning] ?? 0) }
    /// Ready means no errors (DESIGN.md §3).
    public var isReady: Bool { errorCount == 0 }

    /// 0–100: 100 minus 20 per error and 5 per warning, never below 0. Infos cost nothing.
    public var score: Int { max(0, 100 - 20 * errorCount - 5 * warningCount) }
}

extension Array where Element == Finding {
    /// Longest message kept in a finding: messages quote packet text, which may be a whole file.
    static var maxMessageCharacters: Int { 1_000 }

    /// At most `perRule` findings of each rule, in display order, with one `info` finding per capped rule
    /// saying how many more there are; and the count left out by severity.
    ///
    /// Bounds what one packet writes into `status.yaml` whatever its files hold: tens of thousands of
    /// warnings would otherwise make a status file larger than handoffd reads back.
    func cappedPerRule(_ perRule: Int) -> (kept: [Finding], omitted: [Severity: Int]) {
        var kept: [Finding] = []
        var omitted: [Severity: Int] = [:]
        var counts: [String: Int] = [:]
        var summaries: [String: (first: Finding, count: Int)] = [:]
        for finding in sortedForDisplay() {
            let seen = counts[finding.rule, default: 0]
            counts[finding.rule] = seen + 1
            if seen < perRule {
                kept.append(finding.truncated(to: Self.maxMessageCharacters))
            } else {
                omitted[finding.severity, default: 0] += 1
                summaries[finding.rule, default: (finding, 0)].count += 1
            }
        }
        for (rule, summary) in summaries {
            var note = summary.first.truncated(to: Self.maxMessageCharacters)
            note.severity = .info
            note.column = nil
            note.term = nil
            note.termClass = nil
            note.message = "\(summary.count) more \(rule) finding(s) from here on are not listed; only the first \(perRule) are kept"
            note.hint = "Fix the findings listed, then check again (handoff validate) to see the rest."
            kept.append(note)
        }
        return (kept.sortedForDisplay(), omitted)
    }
}

extension Finding {
    /// This finding with its message and term cut to `limit` characters.
    func truncated(to limit: Int) -> Finding {
        var copy = self
        if copy.message.count > limit { copy.message = String(copy.message.prefix(limit)) + "…" }
        if let term = copy.term, term.count > limit { copy.term = String(term.prefix(limit)) + "…" }
        return copy
    }
}
