import Foundation
internal import Yams

/// A packet's `handoff.yaml`: what the work is, for whom, and who accepts it.
public struct Manifest: Sendable, Hashable {
    /// Whether the work has a finish line.
    public enum Scope: String, Sendable, Hashable {
        /// Has a finish line: can be handed off.
        case finite
        /// Needs long-term ownership: never handed off.
        case ongoing
    }

    /// The packet id (must equal the folder name).
    public var id: String
    /// One-line title.
    public var title: String
    /// Finite or ongoing.
    public var scope: Scope?
    /// The owning team.
    public var client: String
    /// Reviewer emails.
    public var reviewers: [String]
    /// Optional due date, `YYYY-MM-DD`.
    public var due: String?
    /// Optional estimate, e.g. `5d`.
    public var estimate: String?
    /// Packets that must be delivered first.
    public var dependsOn: [String]
}

extension Manifest {
    /// The manifest's file name inside a packet folder.
    public static let fileName = "handoff.yaml"

    /// Parses a manifest; problems become findings (the manifest is nil only when nothing usable was read).
    /// The YAML values parsed are added to `cost`.
    static func parse(_ text: String, file: String, folderID: String, limits: CheckLimits, cost: inout CheckCost) -> (Manifest?, [Finding]) {
        let node: Node
        switch YAMLInput.parse(text, maxDepth: limits.maxYAMLDepth, maxNodes: limits.maxYAMLNodes, cost: &cost) {
        case .failure(let refusal):
            return (
                nil,
                [
                    Finding(
                        .manifestInvalid, file: file, line: refusal.line, column: refusal.column,
                        message: refusal.message, hint: refusal.hint)
                ]
            )
        case .success(nil):
            return (nil, [Finding(.manifestInvalid, file: file, message: "\(baseName(file)) is empty")])
        case .success(let parsed?):
            node = parsed
        }
        guard let mapping = node.mapping else {
            return (
                nil,
                [
                    Finding(
                        .manifestInvalid, file: file, line: node.mark?.line ?? 0,
                        message: "\(baseName(file)) must be a mapping of keys to values, not a \(kind(of: node))")
                ]
            )
        }
        var findings: [Finding] = []
        func line(of key: String) -> Int {
            mapping.first { $0.key.string == key }?.key.mark?.line ?? 0
        }
        func scalar(_ key: String, required: Bool) -> String? {
            guard let value = node.child(key) else {
                if required {
                    findings.append(
                        Finding(
                            .manifestFieldMissing, file: file, line: 1,
                            message: "\(baseName(file)) has no '\(key)'", hint: "Add '\(key): …' to the manifest."))
                }
                return nil
            }
            guard value.scalar != nil, let string = value.string.map(Whitespace.trimmed), !string.isEmpty else {
                if value.scalar == nil {
                    findings.append(
                        Finding(
                            .manifestInvalid, file: file, line: value.mark?.line ?? line(of: key),
                            message: "'\(key)' must be a single value, not a \(kind(of: value))"))
                } else if required {
                    findings.append(
                        Finding(
                            .manifestFieldMissing, file: file, line: value.mark?.line ?? line(of: key),
                            message: "'\(key)' is empty", hint: "Give '\(key)' a real value."))
                }
                return nil
            }
            if required, let placeholder = Placeholder.find(in: Substring(string)) {
                findings.append(
                    Finding(
                        .manifestFieldMissing, file: file, line: value.mark?.line ?? line(of: key),
                        column: value.mark?.column,
                        message: "'\(key)' is still the placeholder '\(placeholder.word)'",
                        hint: "Give '\(key)' a real value."))
                return nil
            }
            return string
        }
        func list(_ key: String, required: Bool) -> [String] {
            guard let value = node.child(key) else {
                if required {
                    findings.append(
                        Finding(
                            .manifestFieldMissing, file: file, line: 1,
                            message: "\(baseName(file)) has no '\(key)'", hint: "Add '\(key): [ … ]' to the manifest."))
                }
                return []
            }
            let items: [Node]
            if let sequence = value.sequence {
                items = Array(sequence)
            } else if value.scalar != nil, let single = value.string, !["", "~", "null", "Null", "NULL"].contains(single) {
                items = [value]  // a single value is accepted as a one-element list
            } else {
                items = []
            }
            var strings: [String] = []
            for item in items {
                guard item.scalar != nil, let string = item.string.map(Whitespace.trimmed), !string.isEmpty else {
                    findings.append(
                        Finding(
                            .manifestInvalid, file: file, line: item.mark?.line ?? line(of: key),
                            message: "every entry of '\(key)' must be a single non-empty value"))
                    continue
                }
                strings.append(string)
            }
            if required, strings.isEmpty, items.isEmpty {
                findings.append(
                    Finding(
                        .manifestFieldMissing, file: file, line: value.mark?.line ?? line(of: key),
                        message: "'\(key)' is empty", hint: "List at least one entry under '\(key)'."))
            }
            return strings
        }

        let id = scalar("id", required: true)
        let title = scalar("title", required: true)
        let scopeText = scalar("scope", required: true)
        let client = scalar("client", required: true)
        let reviewers = list("reviewers", required: true)
        let due = scalar("due", required: false)
        let estimate = scalar("estimate", required: false)
        let dependsOn = list("depends_on", required: false)

        if let id, id != folderID {
            findings.append(
                Finding(
                    .manifestIDMismatch, file: file, line: node.child("id")?.mark?.line ?? 0,
                    message: "manifest id '\(id)' differs from the folder name '\(folderID)'"))
        }
        var scope: Scope?
        if let scopeText {
            scope = Scope(rawValue: scopeText)
            if scope == nil {
                findings.append(
                    Finding(
                        .manifestInvalid, file: file, line: node.child("scope")?.mark?.line ?? 0,
                        message: "scope '\(scopeText)' is neither 'finite' nor 'ongoing'",
                        hint: "Set scope: finite for work with a finish line."))
            } else if scope == .ongoing {
                findings.append(
                    Finding(
                        .manifestScopeOngoing, file: file, line: node.child("scope")?.mark?.line ?? 0,
                        message: "scope is 'ongoing': ongoing ownership cannot be handed off"))
            }
        }
        for reviewer in reviewers where !reviewer.contains("@") {
            findings.append(
                Finding(
                    .manifestInvalid, file: file, line: line(of: "reviewers"),
                    message: "reviewer '\(reviewer)' is not an email address",
                    hint: "List reviewers by the email they commit with."))
        }
        if let due, !isDate(due) {
            findings.append(
                Finding(
                    .manifestInvalid, file: file, line: node.child("due")?.mark?.line ?? 0,
                    message: "due '\(due)' is not a date in the form YYYY-MM-DD"))
        }
        for dependency in dependsOn where PacketID(dependency) == nil {
            findings.append(
                Finding(
                    .manifestInvalid, file: file, line: line(of: "depends_on"),
                    message: "'\(dependency)' in depends_on is not a packet id"))
        }
        let manifest = Manifest(
            id: id ?? folderID, title: title ?? "", scope: scope, client: client ?? "",
            reviewers: reviewers, due: due, estimate: estimate, dependsOn: dependsOn)
        return (manifest, findings)
    }

    private static func kind(of node: Node) -> String {
        switch node {
        case .scalar: "single value"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    private static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        let daysInMonth = [31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(month) && (1...daysInMonth[month - 1]).contains(day)
    }
}
