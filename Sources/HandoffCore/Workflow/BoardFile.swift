import Foundation
internal import Yams

/// `.handoff/board.md`: every packet by state for people, and below it, in a comment, the part of the
/// fold state that lives outside the packets (the policy in force and the board's events).
public enum BoardFile {
    /// The board's path from the repository root.
    public static let path = ".handoff/board.md"
    static let stateOpen = "<!-- handoff-state (written by handoffd; read back as its memory)"
    static let stateClose = "-->"
    /// The head of each state's table (a packet may be called `Packet`, but its row never reads like this).
    static let tableHeader = "| Packet | Title | Assignee | Since | Readiness | Open findings |"

    /// The board for `state`, as of the last processed commit.
    public static func render(_ state: WorkflowState, processed commit: String, at time: String) -> String {
        let rows = state.packets.values.map { (id: $0.id, state: $0.state, line: row($0)) }
        return render(rows: rows, state: state, processed: commit, at: time)
    }

    /// The board for `state` when it holds only the packets that changed since `previous` was written:
    /// the rows of every other packet are taken from `previous`, so the cost follows the change. The
    /// result is byte for byte what ``render(_:processed:at:)`` gives for the complete state.
    public static func render(
        _ state: WorkflowState, processed commit: String, at time: String,
        updating previous: String, changed: Set<PacketID>
    ) -> String {
        var rows = previousRows(previous).filter { !changed.contains($0.id) }
        for id in changed {
            if let status = state.packets[id] { rows.append((status.id, status.state, row(status))) }
        }
        return render(rows: rows, state: state, processed: commit, at: time)
    }

    /// A packet's line in its state's table.
    static func row(_ status: PacketStatus) -> String {
        let name = status.blocked ? "\(cell(status.title)) (blocked)" : cell(status.title)
        return
            "| \(status.id) | \(name) | \(cell(status.assignee ?? "—")) | \(status.since.prefix(10)) | \(status.score) | \(status.findings.count) |"
    }

    /// The packet rows of a board written by ``render(_:processed:at:)``, with the state of their section.
    static func previousRows(_ board: String) -> [(id: PacketID, state: PacketState, line: String)] {
        let sections = Dictionary(uniqueKeysWithValues: PacketState.allCases.map { (title($0), $0) })
        var rows: [(id: PacketID, state: PacketState, line: String)] = []
        var current: PacketState?
        // Split as bytes: a board is handoffd's own output, "\n"-separated, and a Character split of a
        // megabyte board was most of this function's time.
        for line in board.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map(Substring.init) {
            if line.hasPrefix("## ") {
                let heading = line.dropFirst(3)
                current = heading.lastIndex(of: "(").flatMap { sections[String(heading[..<$0].dropLast())] }
                continue
            }
            if line.hasPrefix("<!-- handoff-state") { break }
            guard let state = current, line.hasPrefix("| "), line != tableHeader, let end = line.dropFirst(2).firstIndex(of: " "),
                let id = PacketID(String(line[line.index(line.startIndex, offsetBy: 2)..<end]))
            else { continue }
            rows.append((id, state, String(line)))
        }
        return rows
    }

    private static func render(
        rows unsorted: [(id: PacketID, state: PacketState, line: String)], state: WorkflowState,
        processed commit: String, at time: String
    ) -> String {
        var out = "<!-- Written by handoffd from this repository's history. Do not edit: edits are recorded as tampering and undone. -->\n"
        out += "# Handoff board\n\nStatus as of commit `\(commit.prefix(12))` (\(time)).\n"
        let sorted = unsorted.sorted { $0.id < $1.id }
        for packetState in PacketState.allCases {
            let rows = sorted.filter { $0.state == packetState }
            out += "\n## \(title(packetState)) (\(rows.count))\n"
            guard !rows.isEmpty else { continue }
            out += "\n\(tableHeader)\n| --- | --- | --- | --- | --- | --- |\n"
            for row in rows { out += row.line + "\n" }
        }
        if !state.held.isEmpty {
            out += heldSection(state.held)
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
        out +=
            "  severity: {\(state.policy.severityOverrides.keys.sorted().map { "\(safe($0)): \(state.policy.severityOverrides[$0]!.rawValue)" }.joined(separator: ", "))}\n"
        out +=
            "  limits: { max_file_bytes: \(state.policy.limits.maxFileBytes), max_entries_per_packet: \(state.policy.limits.maxEntriesPerPacket), max_yaml_depth: \(state.policy.limits.maxYAMLDepth) }\n"
        out +=
            "  roles: {\(state.policy.roles.keys.sorted().map { "\($0): [\(state.policy.roles[$0]!.map(safe).joined(separator: ", "))]" }.joined(separator: ", "))}\n"
        out += "  require_ready: \(state.policy.requireReady)\n"
        out += state.events.isEmpty ? "events: []\n" : "events:\n"
        for event in state.events {
            out +=
                "  - { at: \(safe(event.at)), commit: \(safe(event.commit)), by: \(safe(event.by)), event: \(safe(event.event)), note: \(safe(event.note)) }\n"
        }
        if !state.held.isEmpty {
            out += "not_in_force:\n"
            for file in state.held.values.sorted(by: { $0.path < $1.path }) {
                out += "  - { path: \(safe(file.path)), in_force: \(safe(file.inForce ?? "")), refused_by: \(safe(file.refusedBy)) }\n"
            }
        }
        return out + "\(stateClose)\n"
    }

    /// Most held files the board lists by name (its state block keeps them all).
    static let maxHeldRows = 200

    /// The board's section on files whose tree version is not in force.
    static func heldSection(_ held: [String: HeldFile]) -> String {
        let files = held.values.sorted { $0.path < $1.path }
        var out = "\n## Not in force (\(files.count))\n\n"
        out += "Changes to these files were refused; every check reads their version in force. Restore each to release it "
        out += "(`git checkout <commit before the refused one> -- <file>`, or `git rm` where no version is in force).\n\n"
        out += "| File | Refused commit | Version in force |\n| --- | --- | --- |\n"
        for file in files.prefix(maxHeldRows) {
            out +=
                "| `\(cell(file.path))` | `\(file.refusedBy.prefix(12))` | \(file.inForce.map { "blob `\($0.prefix(12))`" } ?? "none: remove the file") |\n"
        }
        if files.count > maxHeldRows { out += "\n… and \(files.count - maxHeldRows) more.\n" }
        return out
    }

    /// The policy in force, the events and the held files, read back from a board written by ``render(_:processed:at:)``.
    public static func parseState(_ text: String) throws(StatusFile.ParseError) -> (policy: Policy, events: [BoardEvent], held: [String: HeldFile]) {
        guard let start = text.byteRange(of: stateOpen), let end = text.byteRange(of: stateClose, from: start.upperBound) else {
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
        var held: [String: HeldFile] = [:]
        for item in parsed.child("not_in_force")?.sequence ?? Node.Sequence([]) {
            func field(_ key: String) -> String { item.child(key)?.scalar?.string ?? "" }
            let path = field("path"), inForce = field("in_force")
            guard !path.isEmpty else { throw StatusFile.ParseError(description: "a held file without a path on the board") }
            held[path] = HeldFile(path: path, inForce: inForce.isEmpty ? nil : inForce, refusedBy: field("refused_by"))
        }
        return (policy, events, held)
    }

    /// The board up to its events: the part a replay must reproduce exactly (events depend on what a
    /// running handoffd saw, such as a force-push, which a replay from history cannot know).
    public static func packetTables(_ board: String) -> String {
        let end = board.byteRange(of: "\n## Events")?.lowerBound ?? board.byteRange(of: "\n" + stateOpen)?.lowerBound ?? board.endIndex
        return String(board[..<end])
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
