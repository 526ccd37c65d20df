internal import Yams

/// `.handoff/board.md`: every packet by state for people, and below it, in a comment, the part of the
/// fold state that lives outside the packets (the policy in force and the board's events).
public enum BoardFile {
    /// The board's path from the repository root.
    public static let path = ".handoff/board.md"
    static let stateOpen = "<!-- handoff-state (written by handoffd; read back as its memory)"
    static let stateClose = "-->"

    /// The board for `state`, as of the last processed commit.
    public static func render(_ state: WorkflowState, processed commit: String, at time: String) -> String {
        var out = "<!-- Written by handoffd from this repository's history. Do not edit: edits are recorded as tampering and undone. -->\n"
        out += "# Handoff board\n\nStatus as of commit `\(commit.prefix(12))` (\(time)).\n"
        let packets = state.packets.values.sorted { $0.id < $1.id }
        for packetState in PacketState.allCases {
            let rows = packets.filter { $0.state == packetState }
            out += "\n## \(title(packetState)) (\(rows.count))\n"
            guard !rows.isEmpty else { continue }
            out += "\n| Packet | Title | Assignee | Since | Readiness | Open findings |\n| --- | --- | --- | --- | --- | --- |\n"
            for status in rows {
                let name = status.blocked ? "\(cell(status.title)) (blocked)" : cell(status.title)
                out += "| \(status.id) | \(name) | \(cell(status.assignee ?? "—")) | \(status.since.prefix(10)) | \(status.score) | \(status.findings.count) |\n"
            }
        }
        if !state.events.isEmpty {
            out += "\n## Events\n\n| At | Commit | By | Event | Note |\n| --- | --- | --- | --- | --- |\n"
            for event in state.events.reversed() {
                out += "| \(event.at) | `\(event.commit.prefix(12))` | \(cell(event.by)) | \(event.event) | \(cell(event.note)) |\n"
            }
        }
        out += "\n\(stateOpen)\n"
        out += "policy:\n"
        out += "  packet_root: \(safe(state.policy.packetRoot))\n"
        out += "  required_sections: [\(state.policy.requiredSections.map(safe).joined(separator: ", "))]\n"
        out += "  severity: {\(state.policy.severityOverrides.keys.sorted().map { "\(safe($0)): \(state.policy.severityOverrides[$0]!.rawValue)" }.joined(separator: ", "))}\n"
        out += "  limits: { max_file_bytes: \(state.policy.limits.maxFileBytes), max_entries_per_packet: \(state.policy.limits.maxEntriesPerPacket), max_yaml_depth: \(state.policy.limits.maxYAMLDepth) }\n"
        out += "  roles: {\(state.policy.roles.keys.sorted().map { "\($0): [\(state.policy.roles[$0]!.map(safe).joined(separator: ", "))]" }.joined(separator: ", "))}\n"
        out += "  require_ready: \(state.policy.requireReady)\n"
        out += state.events.isEmpty ? "events: []\n" : "events:\n"
        for event in state.events {
            out += "  - { at: \(safe(event.at)), commit: \(safe(event.commit)), by: \(safe(event.by)), event: \(safe(event.event)), note: \(safe(event.note)) }\n"
        }
        return out + "\(stateClose)\n"
    }

    /// The policy in force and the events, read back from a board written by ``render(_:processed:at:)``.
    public static func parseState(_ text: String) throws(StatusFile.ParseError) -> (policy: Policy, events: [BoardEvent]) {
        guard let start = text.range(of: stateOpen), let end = text.range(of: stateClose, range: start.upperBound..<text.endIndex) else {
            throw StatusFile.ParseError(description: "the board holds no handoff-state block")
        }
        let block = String(text[start.upperBound..<end.lowerBound])
        guard case .success(let parsed?) = YAMLInput.parse(block, maxDepth: 16) else {
            throw StatusFile.ParseError(description: "the board's handoff-state block does not parse")
        }
        var policyText = ""
        if let policyNode = parsed.child("policy"), let emitted = try? Yams.serialize(node: policyNode) { policyText = emitted }
        let (policy, findings) = Policy.parse(policyText)
        guard findings.isEmpty else { throw StatusFile.ParseError(description: "the board's policy does not parse: \(findings[0].message)") }
        var events: [BoardEvent] = []
        for item in parsed.child("events")?.sequence ?? Node.Sequence([]) {
            func field(_ key: String) -> String { item.child(key)?.scalar?.string ?? "" }
            events.append(BoardEvent(at: field("at"), commit: field("commit"), by: field("by"), event: field("event"), note: field("note")))
        }
        return (policy, events)
    }

    static func title(_ state: PacketState) -> String {
        switch state {
        case .draft: "Draft"
        case .ready: "Ready"
        case .inProgress: "In progress"
        case .inReview: "In review"
        case .delivered: "Delivered"
        case .cancelled: "Cancelled"
        }
    }

    /// A Markdown table cell: one line, pipes escaped, no HTML (a note cannot open or close a comment).
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "|", with: "\\|")
            .replacingOccurrences(of: "\n", with: " ")
    }

    /// A quoted scalar that can never close the surrounding HTML comment.
    static func safe(_ text: String) -> String {
        StatusFile.quote(text).replacingOccurrences(of: ">", with: "\\u003E")
    }
}
