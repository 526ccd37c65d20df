import Foundation
public import GitPaths
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
        var sections = Array(repeating: [(id: String, line: String)](), count: PacketState.allCases.count)
        for status in state.packets.values { sections[section(status.state)].append((status.id.rawValue, row(status))) }
        return render(state: state, processed: commit, at: time) { index, out in
            let rows = sections[index].sorted { $0.id < $1.id }
            for row in rows { out.append(contentsOf: row.line.utf8) }
            return rows.count
        }
    }

    /// The board for `state` when it holds only the packets that changed since `previous` was written:
    /// the rows of every other packet are copied from `previous` as bytes, merged in id order with the
    /// changed rows, so the cost follows the change. The result is byte for byte what
    /// ``render(_:processed:at:)`` gives for the complete state.
    public static func render(
        _ state: WorkflowState, processed commit: String, at time: String,
        updating previous: String, changed: Set<PacketID>
    ) -> String {
        var sections = Array(repeating: [(id: String, line: String)](), count: PacketState.allCases.count)
        for id in changed {
            if let status = state.packets[id] { sections[section(status.state)].append((id.rawValue, row(status))) }
        }
        let removed = Set(changed.map(\.rawValue))
        var previous = previous
        return previous.withUTF8 { bytes in
            let kept = previousRows(bytes)
            return render(state: state, processed: commit, at: time) { index, out in
                let fresh = sections[index].sorted { $0.id < $1.id }
                var next = 0
                var count = 0
                for row in kept[index] {
                    let id = String(decoding: UnsafeBufferPointer(rebasing: bytes[row.id]), as: UTF8.self)
                    if removed.contains(id) { continue }
                    while next < fresh.count, fresh[next].id < id {
                        out.append(contentsOf: fresh[next].line.utf8)
                        next += 1
                        count += 1
                    }
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[row.line]))
                    count += 1
                }
                for row in fresh[next...] { out.append(contentsOf: row.line.utf8) }
                return count + fresh.count - next
            }
        }
    }

    /// A packet's line in its state's table, newline included.
    static func row(_ status: PacketStatus) -> String {
        let name = status.blocked ? "\(cell(status.title)) (blocked)" : cell(status.title)
        return
            "| \(status.id) | \(name) | \(cell(status.assignee ?? "—")) | \(status.since.prefix(10)) | \(status.score) | \(status.findings.count) |\n"
    }

    /// The index of `state`'s section: states in their declared order.
    static func section(_ state: PacketState) -> Int {
        PacketState.allCases.firstIndex(of: state)!
    }

    /// The packet rows of a board written by ``render(_:processed:at:)``, per state section in id order: the
    /// byte ranges of each row's id and of its whole line (newline included). Read as bytes: a board lists
    /// every packet, and a `String` per line was most of a one-commit run's time at 20,000 packets.
    static func previousRows(_ board: UnsafeBufferPointer<UInt8>) -> [[(id: Range<Int>, line: Range<Int>)]] {
        let headings = PacketState.allCases.map { Array("## \(title($0)) (".utf8) }
        let header = Array((tableHeader + "\n").utf8)
        let stateBlock = Array(stateOpen.utf8)
        var sections = Array(repeating: [(id: Range<Int>, line: Range<Int>)](), count: headings.count)
        var current: Int?
        var sorted = true
        var start = 0
        while start < board.count {
            let end = (board[start...].firstIndex(of: UInt8(ascii: "\n")) ?? board.count - 1) + 1
            let line = UnsafeBufferPointer(rebasing: board[start..<end])
            defer { start = end }
            if line.starts(with: [UInt8(ascii: "#"), UInt8(ascii: "#"), UInt8(ascii: " ")]) {
                current = headings.firstIndex { line.starts(with: $0) }
                continue
            }
            if line.starts(with: stateBlock) { break }
            // A row is `| ID | …`; the table's head and its `| --- |` rule are not (no id starts with `-`).
            guard let index = current, line.count > 2, line[0] == UInt8(ascii: "|"), line[1] == UInt8(ascii: " "),
                line[2] != UInt8(ascii: "-"), !line.elementsEqual(header),
                let space = line[2...].firstIndex(of: UInt8(ascii: " "))
            else { continue }
            let id = (start + 2)..<(start + space)
            if let last = sections[index].last, !board[last.id].lexicographicallyPrecedes(board[id]) { sorted = false }
            sections[index].append((id, start..<end))
        }
        // handoffd writes every section in id order; a board that is not (an older writer) is sorted here.
        if !sorted {
            for index in sections.indices {
                sections[index].sort { board[$0.id].lexicographicallyPrecedes(board[$1.id]) }
            }
        }
        return sections
    }

    /// The board's text around the packet tables: `rows` appends a state's rows (by section index) and
    /// says how many, so that both renderings share one layout.
    private static func render(
        state: WorkflowState, processed commit: String, at time: String, rows: (Int, inout [UInt8]) -> Int
    ) -> String {
        var out: [UInt8] = []
        func add(_ text: String) { out.append(contentsOf: text.utf8) }
        add("<!-- Written by handoffd from this repository's history. Do not edit: edits are recorded as tampering and undone. -->\n")
        add("# Handoff board\n\nStatus as of commit `\(commit.prefix(12))` (\(time)).\n")
        for (index, packetState) in PacketState.allCases.enumerated() {
            var table: [UInt8] = []
            let count = rows(index, &table)
            add("\n## \(title(packetState)) (\(count))\n")
            guard count > 0 else { continue }
            add("\n\(tableHeader)\n| --- | --- | --- | --- | --- | --- |\n")
            out.append(contentsOf: table)
        }
        var tail = ""
        if !state.held.isEmpty {
            tail += heldSection(state.held)
        }
        if !state.events.isEmpty {
            tail += "\n## Events\n\n| At | Commit | By | Event | Note |\n| --- | --- | --- | --- | --- |\n"
            for event in state.events.reversed() {
                tail += "| \(event.at) | `\(event.commit.prefix(12))` | \(cell(event.by)) | \(event.event) | \(cell(event.note)) |\n"
            }
        }
        tail += "\n\(stateOpen)\n"
        tail += "policy:\n"
        tail += "  packet_root: \(safe(state.policy.packetRoot))\n"
        tail += "  required_sections: [\(state.policy.requiredSections.map(safe).joined(separator: ", "))]\n"
        tail +=
            "  severity: {\(state.policy.severityOverrides.keys.sorted().map { "\(safe($0)): \(state.policy.severityOverrides[$0]!.rawValue)" }.joined(separator: ", "))}\n"
        tail +=
            "  limits: { max_file_bytes: \(state.policy.limits.maxFileBytes), max_entries_per_packet: \(state.policy.limits.maxEntriesPerPacket), max_yaml_depth: \(state.policy.limits.maxYAMLDepth) }\n"
        tail +=
            "  roles: {\(state.policy.roles.keys.sorted().map { "\($0): [\(state.policy.roles[$0]!.map(safe).joined(separator: ", "))]" }.joined(separator: ", "))}\n"
        tail += "  require_ready: \(state.policy.requireReady)\n"
        tail += state.events.isEmpty ? "events: []\n" : "events:\n"
        for event in state.events {
            tail +=
                "  - { at: \(safe(event.at)), commit: \(safe(event.commit)), by: \(safe(event.by)), event: \(safe(event.event)), note: \(safe(event.note)) }\n"
        }
        if !state.held.isEmpty {
            tail += "not_in_force:\n"
            for file in state.held.values.sorted(by: { BytePath($0.path) < BytePath($1.path) }) {
                tail += "  - { path: \(safe(file.path)), in_force: \(safe(file.inForce ?? "")), refused_by: \(safe(file.refusedBy)) }\n"
            }
        }
        add(tail + "\(stateClose)\n")
        return String(decoding: out, as: UTF8.self)
    }

    /// Most held files the board lists by name (its state block keeps them all).
    static let maxHeldRows = 200

    /// The board's section on files whose tree version is not in force.
    static func heldSection(_ held: [BytePath: HeldFile]) -> String {
        let files = held.values.sorted { BytePath($0.path) < BytePath($1.path) }
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
    public static func parseState(_ text: String) throws(StatusFile.ParseError) -> (policy: Policy, events: [BoardEvent], held: [BytePath: HeldFile])
    {
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
        var held: [BytePath: HeldFile] = [:]
        for item in parsed.child("not_in_force")?.sequence ?? Node.Sequence([]) {
            func field(_ key: String) -> String { item.child(key)?.scalar?.string ?? "" }
            let path = field("path"), inForce = field("in_force")
            guard !path.isEmpty else { throw StatusFile.ParseError(description: "a held file without a path on the board") }
            held[BytePath(path)] = HeldFile(path: path, inForce: inForce.isEmpty ? nil : inForce, refusedBy: field("refused_by"))
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
    ///
    /// Byte for byte: Foundation's search skips a `|` or `>` that a combining mark follows, and such a title
    /// could then add cells to its row, or a note close the state comment.
    static func cell(_ text: String) -> String {
        guard text.utf8.contains(where: { Self.cellEscapes[Int($0)] != nil }) else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            if let escape = Self.cellEscapes[Int(byte)] { out += escape } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What each byte becomes in a cell, by byte value; nil where it stays. A line break ("\n", and "\r",
    /// which GitHub also breaks a row at) becomes a space.
    private static let cellEscapes: [[UInt8]?] = (0..<256).map { byte in
        switch UInt8(byte) {
        case UInt8(ascii: "&"): Array("&amp;".utf8)
        case UInt8(ascii: "<"): Array("&lt;".utf8)
        case UInt8(ascii: ">"): Array("&gt;".utf8)
        case UInt8(ascii: "|"): Array("\\|".utf8)
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): [UInt8(ascii: " ")]
        default: nil
        }
    }

    /// A quoted scalar that can never close the surrounding HTML comment: every `>` byte escaped.
    static func safe(_ text: String) -> String {
        let quoted = StatusFile.quote(text)
        guard quoted.utf8.contains(UInt8(ascii: ">")) else { return quoted }
        var out: [UInt8] = []
        out.reserveCapacity(quoted.utf8.count + 16)
        for byte in quoted.utf8 {
            if byte == UInt8(ascii: ">") { out += Array("\\u003E".utf8) } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
