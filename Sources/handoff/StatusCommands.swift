import ArgumentParser
import Foundation
import HandoffCore
import HandoffEngine

/// Output format of `status` and `board`.
enum ReadFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

/// A packet's status as JSON: the status file's fields, in its order.
struct StatusJSON: Encodable {
    var id: String
    var title: String
    var state: String
    var since: String
    var assignee: String?
    var reviewers: [String]
    var round: Int
    var blocked: Bool
    var specRevision: String
    var readiness: [String: Int]
    var findings: [Finding]
    var history: [[String: String]]?

    init(_ status: PacketStatus, withHistory: Bool) {
        id = status.id.rawValue
        title = status.title
        state = status.state.rawValue
        since = status.since
        assignee = status.assignee
        reviewers = status.reviewers
        round = status.round
        blocked = status.blocked
        specRevision = status.specRevision
        readiness = ["score": status.score, "errors": status.errors, "warnings": status.warnings]
        findings = status.findings
        history =
            withHistory
            ? status.history.map {
                [
                    "at": $0.at, "commit": $0.commit, "by": $0.by, "action": $0.action, "from": $0.from?.rawValue ?? "",
                    "to": $0.to?.rawValue ?? "", "note": $0.note,
                ]
            } : nil
    }

    enum CodingKeys: String, CodingKey {
        case id, title, state, since, assignee, reviewers, round, blocked, readiness, findings, history
        case specRevision = "spec_revision"
    }
}

/// The clone in the current folder, after fetching handoffd's status branch from its remote (see
/// ``StatusBranchFetch``), so that what is shown is what handoffd last published.
func openClone() throws -> LocalClone {
    StatusBranchFetch.refresh(folder: FileManager.default.currentDirectoryPath)
    do {
        return try LocalClone.open(at: FileManager.default.currentDirectoryPath)
    } catch {
        throw CannotCheck("\(error)")
    }
}

func staleness(_ clone: LocalClone) throws -> String? {
    let behind = try clone.staleness()
    guard behind.commits > 0 else { return nil }
    let note =
        "note: \(behind.commits) commit(s) on \(safe(clone.shortBranch)) are not processed by handoffd yet; this status is older than the tip"
    return behind.verified
        ? note
        : note + " (status commits told by their trailer only: git config handoff.trustedKeys \"$(handoffd key show --config …)\" to verify them)"
}

/// Participant-supplied text for a terminal: the one way text output prints titles, notes, identities and messages.
func safe(_ text: some StringProtocol) -> String { TerminalText.escaped(text) }

func encodeJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// `handoff status [ID]`: one packet in detail, or a line per packet.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show a packet's status (state, assignee, round, findings, history) from the current branch.")

    @Argument(help: "The packet id; all packets, one line each, when omitted.")
    var id: String?

    @Option(help: "Output format: text or json.")
    var format: ReadFormat = .text

    func run() throws {
        let clone = try openClone()
        let stale = try staleness(clone)
        let selected: [PacketStatus]
        if let id {
            guard let packet = PacketID(id), let status = clone.status(of: packet) else {
                throw CannotCheck("no status for '\(id)' on this branch; check the id, or pull and wait for handoffd")
            }
            selected = [status]
        } else {
            selected = clone.statuses.values.sorted { $0.id < $1.id }
        }
        switch format {
        case .json:
            print(try encodeJSON(selected.map { StatusJSON($0, withHistory: id != nil) }))
        case .text:
            if let stale { FileHandle.standardError.write(Data((stale + "\n").utf8)) }
            if id == nil {
                for status in selected { print("\(status.id)  \(status.state.rawValue)\(status.blocked ? " (blocked)" : "")  \(safe(status.title))") }
                return
            }
            let status = selected[0]
            print("\(status.id): \(safe(status.title))")
            print("  state:     \(status.state.rawValue)\(status.blocked ? " (blocked)" : "") since \(safe(status.since))")
            print("  assignee:  \(safe(status.assignee ?? "—"))")
            print("  reviewers: \(safe(status.reviewers.joined(separator: ", ")))")
            print("  round:     \(status.round)")
            print("  readiness: \(status.score) (\(status.errors) error(s), \(status.warnings) warning(s))")
            for finding in status.findings { print("    \(safe(finding.formatted))") }
            print("  history:")
            for entry in status.history {
                let change = entry.from == entry.to ? (entry.to?.rawValue ?? "-") : "\(entry.from?.rawValue ?? "new") → \(entry.to?.rawValue ?? "-")"
                print(
                    "    \(safe(entry.at))  \(safe(entry.action)) by \(safe(entry.by)): \(change)\(entry.note.isEmpty ? "" : " — \(safe(entry.note))")"
                )
            }
        }
    }
}

/// `handoff board`: every packet grouped by state.
struct Board: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "board", abstract: "List every packet by state, from the current branch.")

    @Option(help: "Output format: text or json.")
    var format: ReadFormat = .text

    func run() throws {
        let clone = try openClone()
        let packets = clone.summaries
        switch format {
        case .json:
            struct Row: Encodable {
                var id, title, since: String
                var assignee: String?
                var blocked: Bool
                var score, findings: Int
            }
            var groups: [String: [Row]] = [:]
            for state in PacketState.allCases {
                groups[state.rawValue] = packets.filter { $0.state == state }.map {
                    Row(
                        id: $0.id.rawValue, title: $0.title, since: $0.since, assignee: $0.assignee, blocked: $0.blocked,
                        score: $0.score, findings: $0.findings)
                }
            }
            print(try encodeJSON(groups))
        case .text:
            if let stale = try staleness(clone) { FileHandle.standardError.write(Data((stale + "\n").utf8)) }
            guard !clone.statusFiles.isEmpty else {
                // Before handoffd's first pass there is no status to show, which is not the same as no packets.
                let branch = clone.shortBranch
                print(
                    "No status on \(safe(branch)) yet: handoffd has not written one. If it serves this repository it will "
                        + "shortly (git pull, then run handoff board again); packets are in \(safe(clone.policy.packetRoot))/.")
                return
            }
            var out = ""
            for state in PacketState.allCases {
                let rows = packets.filter { $0.state == state }
                guard !rows.isEmpty else { continue }
                out += "\(state.rawValue) (\(rows.count))\n"
                for row in rows {
                    out +=
                        "  \(row.id)  \(safe(row.title))\(row.blocked ? " (blocked)" : "")  assignee: \(safe(row.assignee ?? "—"))  since \(safe(row.since.prefix(10)))  readiness \(row.score), \(row.findings) finding(s)\n"
                }
            }
            print(out, terminator: "")
        }
    }
}

/// `handoff init ID`: scaffold a packet that validates as not yet ready, listing what to write.
struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Scaffold a packet: manifest, context, an OpenAPI starter and acceptance criteria.")

    @Argument(help: "The new packet's id, e.g. PAY-142.")
    var id: String

    @Option(help: "The packet's title.")
    var title: String?

    func run() throws {
        guard let packet = PacketID(id) else {
            throw CannotCheck("'\(id)' is not a packet id: letters, digits, '.', '_' and '-', starting with a letter or digit")
        }
        let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        let root = Validate.workTreeRoot(containing: here) ?? here
        let policy = try Policy.load(from: DirectoryTreeView(root: root.path)).0
        let folder = root.appendingPathComponent("\(policy.packetRoot)/\(packet)")
        guard !FileManager.default.fileExists(atPath: folder.path) else {
            throw CannotCheck("\(folder.path) already exists")
        }
        for (path, text) in PacketTemplate.scaffold(id: packet, title: title ?? "\(packet)", root: policy.packetRoot) {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        print("Created \(policy.packetRoot)/\(packet)/. Fill in every TBD, then check it:")
        print("  handoff validate \(policy.packetRoot)/\(packet)")
    }
}
