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
                appendMerged(kept[index], of: bytes, fresh: sections[index].sorted { $0.id < $1.id }, removed: removed, into: &out)
            }
        }
    }

    /// Appends to `out` one section's rows: `kept` (rows of `bytes`) but those of `removed` packets, merged in
    /// id order with `fresh` (sorted); returns how many.
    private static func appendMerged(
        _ kept: [(id: Range<Int>, line: Range<Int>)], of bytes: UnsafeBufferPointer<UInt8>, fresh: [(id: String, line: String)],
        removed: Set<String>, into out: inout [UInt8]
    ) -> Int {
        var next = 0
        var count = 0
        for row in kept {
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

    // MARK: pages

    /// Boards of more packets than this list their rows on ``pageCount`` pages in ``pageFolder``, so that a
    /// run rewrites the pages of the packets it changed and not every row (B4: one file of 20,000 rows was
    /// most of a one-commit run). The board keeps the counts, the events and the state block.
    public static let pageThreshold = 512
    /// How many pages a paged board has (all of them exist, some perhaps empty).
    public static let pageCount = 64
    /// The folder of the pages, written by handoffd only, like the board.
    public static let pageFolder = ".handoff/board"

    /// Page `number`'s path from the repository root.
    public static func pagePath(_ number: Int) -> String { "\(pageFolder)/\(number < 10 ? "0" : "")\(number).md" }

    /// The page a packet's row is on: FNV-1a of its id's bytes, so that it never moves while the packet exists.
    public static func page(of id: String) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in id.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return Int(hash % UInt32(pageCount))
    }

    /// Whether `path` is handoffd's board: the board file, the pages' folder or anything in it.
    public static func isBoardPath(_ path: String) -> Bool {
        GitPath.same(path, Self.path) || GitPath.same(path, pageFolder) || GitPath.isInside(path, pageFolder)
    }

    /// A board as rendered: the board file, whether its rows are on pages, and the pages computed.
    public struct Rendered: Sendable, Equatable {
        /// `.handoff/board.md`.
        public var board: String
        /// Whether the rows are on pages: all ``pageCount`` of them then exist, and none otherwise.
        public var paged: Bool
        /// The pages computed, by number: all of them after a full render or a change of layout; after an
        /// update, those holding a changed packet (the others are as they were).
        public var pages: [Int: String]
    }

    /// The board a run updates: its file, and its pages' text when it has pages.
    public struct Previous {
        /// The previous `.handoff/board.md`.
        public var board: String
        /// Page `number`'s text (nil when unreadable); nil when the previous board has no pages.
        public var page: ((Int) -> String?)?

        /// A previous board with these parts.
        public init(board: String, page: ((Int) -> String?)?) {
            self.board = board
            self.page = page
        }
    }

    /// The board and, past ``pageThreshold`` packets, every page, for `state` (all packets).
    public static func renderAll(_ state: WorkflowState, processed commit: String, at time: String, pageThreshold: Int = pageThreshold)
        -> Rendered
    {
        guard state.packets.count > pageThreshold else {
            return Rendered(board: render(state, processed: commit, at: time), paged: false, pages: [:])
        }
        var pages = Array(repeating: Array(repeating: [(id: String, line: String)](), count: PacketState.allCases.count), count: pageCount)
        var counts = Array(repeating: 0, count: PacketState.allCases.count)
        for status in state.packets.values {
            pages[page(of: status.id.rawValue)][section(status.state)].append((status.id.rawValue, row(status)))
            counts[section(status.state)] += 1
        }
        var rendered: [Int: String] = [:]
        for number in 0..<pageCount {
            rendered[number] = renderPage(number) { index, out in
                let rows = pages[number][index].sorted { $0.id < $1.id }
                for row in rows { out.append(contentsOf: row.line.utf8) }
                return rows.count
            }
        }
        return Rendered(
            board: render(state: state, processed: commit, at: time, paged: true) { index, _ in counts[index] }, paged: true, pages: rendered)
    }

    /// ``renderAll(_:processed:at:pageThreshold:)`` when `state` holds only the packets that changed since
    /// `previous` was written: other rows are copied from the previous board or pages, and only the pages of
    /// changed packets are computed (all of them when the layout changes). Byte for byte a full render.
    public static func renderAll(
        _ state: WorkflowState, processed commit: String, at time: String, updating previous: Previous, changed: Set<PacketID>,
        pageThreshold: Int = pageThreshold
    ) -> Rendered {
        let removed = Set(changed.map(\.rawValue))
        var fresh = Array(repeating: Array(repeating: [(id: String, line: String)](), count: PacketState.allCases.count), count: pageCount)
        var counts = sectionCounts(previous.board)
        for id in changed {
            guard let status = state.packets[id] else { continue }
            fresh[page(of: id.rawValue)][section(status.state)].append((id.rawValue, row(status)))
            counts[section(status.state)] += 1
        }
        for number in fresh.indices { for index in fresh[number].indices { fresh[number][index].sort { $0.id < $1.id } } }
        let touched = Set(changed.map { page(of: $0.rawValue) }).sorted()
        // The changed packets' rows before: where they were (their pages, or the board), counted out.
        var previousPages: [Int: String] = [:]
        if let page = previous.page { for number in touched { previousPages[number] = page(number) ?? "" } }
        let sources = previous.page == nil ? [previous.board] : touched.map { previousPages[$0] ?? "" }
        for source in sources {
            var text = source
            text.withUTF8 { bytes in
                for (index, rows) in previousRows(bytes).enumerated() {
                    for row in rows where removed.contains(String(decoding: UnsafeBufferPointer(rebasing: bytes[row.id]), as: UTF8.self)) {
                        counts[index] -= 1
                    }
                }
            }
        }
        let paged = counts.reduce(0, +) > pageThreshold
        let board = { render(state: state, processed: commit, at: time, paged: true) { index, _ in counts[index] } }
        switch (previous.page != nil, paged) {
        case (false, false):
            return Rendered(board: render(state, processed: commit, at: time, updating: previous.board, changed: changed), paged: false, pages: [:])
        case (true, false):
            // Back to one file: the rows of every page, in one text, are the previous board's rows.
            let all = (0..<pageCount).map { previousPages[$0] ?? previous.page?($0) ?? "" }.joined()
            return Rendered(board: render(state, processed: commit, at: time, updating: all, changed: changed), paged: false, pages: [:])
        case (true, true):
            var pages: [Int: String] = [:]
            for number in touched {
                var text = previousPages[number] ?? ""
                pages[number] = text.withUTF8 { bytes in
                    let kept = previousRows(bytes)
                    return renderPage(number) { index, out in
                        appendMerged(kept[index], of: bytes, fresh: fresh[number][index], removed: removed, into: &out)
                    }
                }
            }
            return Rendered(board: board(), paged: true, pages: pages)
        case (false, true):
            // Onto pages: the board's rows go to the page of their packet.
            var text = previous.board
            let pages = text.withUTF8 { bytes in
                var split = Array(
                    repeating: Array(repeating: [(id: Range<Int>, line: Range<Int>)](), count: PacketState.allCases.count), count: pageCount)
                for (index, rows) in previousRows(bytes).enumerated() {
                    for row in rows {
                        split[page(of: String(decoding: UnsafeBufferPointer(rebasing: bytes[row.id]), as: UTF8.self))][index].append(row)
                    }
                }
                var pages: [Int: String] = [:]
                for number in 0..<pageCount {
                    pages[number] = renderPage(number) { index, out in
                        appendMerged(split[number][index], of: bytes, fresh: fresh[number][index], removed: removed, into: &out)
                    }
                }
                return pages
            }
            return Rendered(board: board(), paged: true, pages: pages)
        }
    }

    /// Page `number`: its packets' rows by state, with no commit or time (an unchanged page stays unchanged).
    private static func renderPage(_ number: Int, rows: (Int, inout [UInt8]) -> Int) -> String {
        var out: [UInt8] = []
        out.append(
            contentsOf: "<!-- Written by handoffd from this repository's history. Do not edit: edits are recorded as tampering and undone. -->\n"
                .utf8)
        out.append(
            contentsOf: "# Handoff board, page \(number) of \(pageCount)\n\nCounts, events and the status commit are on [the board](../board.md).\n"
                .utf8)
        appendSections(to: &out, tables: true, rows: rows)
        return String(decoding: out, as: UTF8.self)
    }

    /// Each state's heading with its count and, with `tables`, its table of rows (`rows` appends a state's
    /// rows by section index and says how many).
    private static func appendSections(to out: inout [UInt8], tables: Bool, rows: (Int, inout [UInt8]) -> Int) {
        for (index, packetState) in PacketState.allCases.enumerated() {
            var table: [UInt8] = []
            let count = rows(index, &table)
            out.append(contentsOf: "\n## \(title(packetState)) (\(count))\n".utf8)
            guard tables, count > 0 else { continue }
            out.append(contentsOf: "\n\(tableHeader)\n| --- | --- | --- | --- | --- | --- |\n".utf8)
            out.append(contentsOf: table)
        }
    }

    /// The count in each state's heading of a board or page (0 where a heading is missing or unreadable).
    static func sectionCounts(_ board: String) -> [Int] {
        var counts = Array(repeating: 0, count: PacketState.allCases.count)
        let headings = PacketState.allCases.map { "## \(title($0)) (" }
        for line in TextLines.of(packetTables(board)) {
            guard let index = headings.firstIndex(where: { line.hasPrefix($0) }) else { continue }
            counts[index] = Int(line.dropFirst(headings[index].count).prefix { $0.isASCII && $0.isNumber }) ?? 0
        }
        return counts
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
        state: WorkflowState, processed commit: String, at time: String, paged: Bool = false, rows: (Int, inout [UInt8]) -> Int
    ) -> String {
        var out: [UInt8] = []
        func add(_ text: String) { out.append(contentsOf: text.utf8) }
        add("<!-- Written by handoffd from this repository's history. Do not edit: edits are recorded as tampering and undone. -->\n")
        add("# Handoff board\n\nStatus as of commit `\(commit.prefix(12))` (\(time)).\n")
        if paged {
            add(
                "\nThe packets' rows are on \(pageCount) pages in [`\(pageFolder)/`](board/), by state on each; a packet's page follows from its id.\n"
            )
        }
        appendSections(to: &out, tables: !paged, rows: rows)
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
