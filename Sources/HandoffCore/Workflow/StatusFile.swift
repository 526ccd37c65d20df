import Foundation
import GitPaths
internal import Yams

/// `status.yaml`: a packet's status in a fixed key order, written only by handoffd (DESIGN.md §5).
///
/// Rendering is deterministic (no clock, stable order, every string quoted the same way), so replaying a
/// history byte-for-byte reproduces the files; parsing reads them back as fold state at the watermark.
public enum StatusFile {
    /// The file's name inside a packet folder.
    public static let fileName = "status.yaml"

    /// The status file's path for packet `id` under the packet root `root`.
    public static func path(of id: PacketID, in root: String) -> String { "\(root)/\(id)/\(fileName)" }
    static let header = "# Written by handoffd from this repository's history. Do not edit: edits are recorded as tampering and undone.\n"

    /// Most held files a status file names (the rest are counted).
    static let maxNotInForce = 50

    /// The file's content for `status`; `notInForce` names the packet's files whose tree version is not in
    /// force (written only when there are some, so other status files keep their bytes).
    public static func render(_ status: PacketStatus, notInForce: [HeldFile] = []) -> String {
        var out = header
        out += "id: \(quote(status.id.rawValue))\n"
        out += "title: \(quote(status.title))\n"
        out += "state: \(status.state.rawValue)\n"
        out += "since: \(quote(status.since))\n"
        out += "assignee: \(status.assignee.map(quote) ?? "null")\n"
        out += "reviewers: [\(status.reviewers.map(quote).joined(separator: ", "))]\n"
        out += "round: \(status.round)\n"
        out += "blocked: \(status.blocked)\n"
        out += "spec_revision: \(quote(status.specRevision))\n"
        out += "depends_on: [\(status.dependsOn.map(quote).joined(separator: ", "))]\n"
        out += "readiness:\n  score: \(status.score)\n  errors: \(status.errors)\n  warnings: \(status.warnings)\n"
        out += status.findings.isEmpty ? "findings: []\n" : "findings:\n"
        for finding in status.findings {
            out += "  - rule: \(quote(finding.rule))\n"
            out += "    severity: \(finding.severity.rawValue)\n"
            out += "    file: \(quote(finding.file))\n"
            out += "    line: \(finding.line)\n"
            out += "    column: \(finding.column.map(String.init) ?? "null")\n"
            out += "    message: \(quote(finding.message))\n"
            out += "    hint: \(quote(finding.hint))\n"
            out += "    term: \(finding.term.map(quote) ?? "null")\n"
            out += "    class: \(finding.termClass.map(quote) ?? "null")\n"
        }
        out += status.history.isEmpty ? "history: []\n" : "history:\n"
        for entry in status.history {
            out += "  - at: \(quote(entry.at))\n"
            out += "    commit: \(quote(entry.commit))\n"
            out += "    by: \(quote(entry.by))\n"
            out += "    action: \(quote(entry.action))\n"
            out += "    from: \(entry.from?.rawValue ?? "null")\n"
            out += "    to: \(entry.to?.rawValue ?? "null")\n"
            out += "    note: \(quote(entry.note))\n"
        }
        if !notInForce.isEmpty {
            // Bounded like findings: a commit of thousands of refused files must not outgrow what handoffd reads
            // back (the board's state block keeps every held file).
            out += notInForce.count > maxNotInForce ? "not_in_force_more: \(notInForce.count - maxNotInForce)\n" : ""
            out += "not_in_force:\n"
            for file in notInForce.sorted(by: { BytePath($0.path) < BytePath($1.path) }).prefix(maxNotInForce) {
                out += "  - path: \(quote(file.path))\n"
                out += "    refused_by: \(quote(file.refusedBy))\n"
                out += "    in_force: \(file.inForce.map(quote) ?? "null")\n"
            }
        }
        return out
    }

    /// Why a status file could not be read back.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var description: String
    }

    /// Reads a status file written by ``render(_:)``.
    public static func parse(_ text: String) throws(ParseError) -> PacketStatus {
        let node: Node
        switch YAMLInput.parse(text, maxDepth: 16) {
        case .success(let parsed?): node = parsed
        case .success(nil): throw ParseError(description: "empty status file")
        case .failure(let refusal): throw ParseError(description: "line \(refusal.line): \(refusal.message)")
        }
        func string(_ node: Node?, _ key: String) throws(ParseError) -> String {
            guard let value = node?.child(key)?.scalar?.string else { throw ParseError(description: "missing '\(key)'") }
            return value
        }
        func optional(_ node: Node?, _ key: String) -> String? {
            guard let scalar = node?.child(key)?.scalar, scalar.style != .plain || scalar.string != "null" else { return nil }
            return scalar.string
        }
        func integer(_ node: Node?, _ key: String) throws(ParseError) -> Int {
            guard let value = Int(try string(node, key)) else { throw ParseError(description: "'\(key)' is not a number") }
            return value
        }
        func strings(_ key: String) -> [String] {
            node.child(key)?.sequence?.compactMap { $0.scalar?.string } ?? []
        }
        guard let id = PacketID(try string(node, "id")), let state = PacketState(rawValue: try string(node, "state")) else {
            throw ParseError(description: "bad id or state")
        }
        var status = PacketStatus(id: id, since: try string(node, "since"), specRevision: try string(node, "spec_revision"))
        status.title = try string(node, "title")
        status.state = state
        status.assignee = optional(node, "assignee")
        status.reviewers = strings("reviewers")
        status.round = try integer(node, "round")
        status.blocked = try string(node, "blocked") == "true"
        status.dependsOn = strings("depends_on")
        let readiness = node.child("readiness")
        status.score = try integer(readiness, "score")
        status.errors = try integer(readiness, "errors")
        status.warnings = try integer(readiness, "warnings")
        for item in node.child("findings")?.sequence ?? Node.Sequence([]) {
            guard let rule = Rule.named(try string(item, "rule")),
                let severity = Severity(rawValue: try string(item, "severity"))
            else {
                throw ParseError(description: "unknown rule or severity in findings")
            }
            var finding = Finding(
                rule, file: try string(item, "file"), line: try integer(item, "line"),
                column: optional(item, "column").flatMap { Int($0) }, message: try string(item, "message"),
                hint: try string(item, "hint"), term: optional(item, "term"), termClass: optional(item, "class"))
            finding.severity = severity
            status.findings.append(finding)
        }
        for item in node.child("history")?.sequence ?? Node.Sequence([]) {
            status.history.append(
                HistoryEntry(
                    at: try string(item, "at"), commit: try string(item, "commit"), by: try string(item, "by"),
                    action: try string(item, "action"), from: optional(item, "from").flatMap(PacketState.init(rawValue:)),
                    to: optional(item, "to").flatMap(PacketState.init(rawValue:)), note: try string(item, "note")))
        }
        return status
    }

    /// A double-quoted YAML scalar (JSON escaping), identical for every string. Every scalar outside YAML's
    /// printable set is escaped: libyaml refuses one anywhere in its input, quoted or not, and a status file or
    /// board it cannot read back would send every run back to the first commit.
    static func quote(_ text: String) -> String {
        // Nearly every scalar written is printable ASCII other than a quote or a backslash: such a text is
        // its own escape, and a scalar-by-scalar copy cost a status file's render most of its time.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _
            where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0xFEFF || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFFFE
                || scalar.value == 0xFFFF:
                out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// The few fields a board needs, read from a status file without building a YAML tree.
public struct StatusSummary: Sendable, Hashable {
    /// The packet id.
    public var id: PacketID
    /// The title.
    public var title: String
    /// The state.
    public var state: PacketState
    /// When the state was entered.
    public var since: String
    /// The assignee, if any.
    public var assignee: String?
    /// Whether it is blocked.
    public var blocked: Bool
    /// The readiness score.
    public var score: Int
    /// How many findings it carries.
    public var findings: Int
}

extension StatusFile {
    /// A board's view of a status file written by ``render(_:)``: top-level lines only, so reading 2,000
    /// of them stays far below a second. Nil when the text is not in handoffd's format.
    public static func summary(_ text: String) -> StatusSummary? {
        var fields: [Substring: Substring] = [:]
        var findings = 0
        var section: Substring = ""
        for line in TextLines.of(text) where !line.isEmpty && !line.hasPrefix("#") {
            if line.first != " " {
                guard let colon = line.firstIndex(of: ":") else { return nil }
                section = line[..<colon]
                let valueStart = line.index(colon, offsetBy: 2, limitedBy: line.endIndex) ?? line.endIndex
                fields[section] = line[valueStart...]
            } else if line.hasPrefix("  score: "), section == "readiness" {
                fields["score"] = line.dropFirst(9)
            } else if section == "findings", line.hasPrefix("  - rule: ") {
                findings += 1
            } else if section == "history" {
                break
            }
        }
        guard let id = fields["id"].flatMap(unquote).flatMap(PacketID.init),
            let state = fields["state"].flatMap({ PacketState(rawValue: String($0)) }),
            let title = fields["title"].flatMap(unquote), let since = fields["since"].flatMap(unquote),
            let score = fields["score"].flatMap({ Int($0) })
        else { return nil }
        let assignee = fields["assignee"] == "null" ? nil : fields["assignee"].flatMap(unquote)
        return StatusSummary(
            id: id, title: title, state: state, since: since, assignee: assignee,
            blocked: fields["blocked"] == "true", score: score, findings: findings)
    }

    /// The text of a scalar written by ``quote(_:)``.
    static func unquote(_ quoted: Substring) -> String? {
        guard quoted.count >= 2, quoted.first == "\"", quoted.last == "\"" else { return nil }
        var out = ""
        var iterator = quoted.dropFirst().dropLast().unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            guard scalar == "\\" else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch iterator.next() {
            case "n": out += "\n"
            case "r": out += "\r"
            case "t": out += "\t"
            case "\"": out += "\""
            case "\\": out += "\\"
            case "u":
                var hex = ""
                for _ in 0..<4 { if let digit = iterator.next() { hex.unicodeScalars.append(digit) } }
                guard let value = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(value) else { return nil }
                out.unicodeScalars.append(decoded)
            default: return nil
            }
        }
        return out
    }
}
