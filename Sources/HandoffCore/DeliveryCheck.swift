import Foundation
import GitPaths

/// Checks a delivery note (`delivery/DELIVERY.md`) against a packet's acceptance criteria; used by `submit`.
///
/// Each entry is `- AC-n: evidence[, evidence…]`, where evidence is a path (relative to the packet folder,
/// or from the repository root when it starts with `/`) that must exist, a commit id, or a URL.
public enum DeliveryCheck {
    /// The note's path inside a packet folder.
    public static let fileName = "delivery/DELIVERY.md"

    /// One piece of evidence for a criterion.
    public enum Evidence: Hashable, Sendable {
        /// A file or folder in the tree.
        case path(String)
        /// A commit, by (abbreviated) id.
        case commit(String)
        /// A web address.
        case url(String)
    }

    /// Why a piece of evidence does not count; each names what the evidence resolved to.
    public enum EvidenceProblem: Hashable, Sendable {
        /// The path resolves to nothing in the submitting commit.
        case missing(resolved: String)
        /// `..` climbs above the repository's root.
        case outsideRepository
        /// The path names the repository, the packet root or the packet's own folder as a whole: it shows nothing.
        case wholeFolder(resolved: String)
        /// The path lies in another packet's folder: that is another engagement's material.
        case otherPacket(resolved: String, packet: String)
        /// No commit in the submitting commit's history has this id.
        case unknownCommit(String)
        /// Several objects share this abbreviated id.
        case ambiguousCommit(String)

        /// One sentence for the finding, naming the evidence as written and what it resolved to.
        func message(evidence: String, criterion: String) -> String {
            let subject = "evidence '\(evidence)' for \(criterion)"
            switch self {
            case .missing(let resolved):
                return "\(subject) resolves to \(resolved), which does not exist in this commit"
            case .outsideRepository:
                return "\(subject) climbs out of the repository"
            case .wholeFolder(let resolved):
                return "\(subject) resolves to \(resolved.isEmpty ? "the repository root" : resolved), a whole folder rather than the evidence in it"
            case .otherPacket(let resolved, let packet):
                return "\(subject) resolves to \(resolved), inside packet \(packet)'s folder, not this packet's"
            case .unknownCommit(let id):
                return "\(subject) names commit \(id), which is not in the history of the submitting commit"
            case .ambiguousCommit(let id):
                return "\(subject) names commit \(id), an abbreviation several objects share"
            }
        }

        /// What to do about it.
        var hint: String {
            switch self {
            case .missing, .outsideRepository:
                return Rule.deliveryEvidenceNotFound.fix
            case .wholeFolder, .otherPacket:
                return "Name the file that shows the criterion holds: in this packet's folder, or elsewhere in the repository outside other packets."
            case .unknownCommit:
                return "Push the commit on this branch before submitting, or give its full id."
            case .ambiguousCommit:
                return "Give more digits of the commit id (or the full 40)."
            }
        }
    }

    /// Findings for the delivery note of the packet in `folder`, whose criteria are `criteria`.
    ///
    /// `commits` checks evidence given as commit ids against the submitting commit's history; without one
    /// (a folder on disk, not a repository) commit ids are taken as written.
    public static func check(
        packetFolder folder: String, criteria: [String], in view: any TreeView,
        limits: CheckLimits = .default, commits: (any CommitLookup)? = nil
    ) throws -> [Finding] {
        let file = "\(folder)/\(fileName)"
        let text: String
        switch try TextFile.read(file, from: view, limits: limits) {
        case .missing:
            return [Finding(.deliveryMissing, file: file, message: "\(baseName(file)) is missing")]
        case .unusable(let finding):
            return [finding]
        case .text(let content):
            text = content
        }
        var findings: [Finding] = []
        var covered = Set<String>()
        // Looked up in a set, and the list named in messages built once and capped: a note of tens of
        // thousands of unknown ids against as many criteria cost quadratic time and gigabytes of text.
        let known = Set(criteria)
        let listed = criteria.count <= 10 ? criteria.joined(separator: ", ") : criteria.prefix(10).joined(separator: ", ") + ", …"
        var reportedUnknown = Set<String>()
        for entry in AcceptanceCheck.markdownCriteria(text) {
            guard let id = entry.id else { continue }
            guard known.contains(id) else {
                if reportedUnknown.insert(id).inserted {
                    findings.append(
                        Finding(
                            .deliveryUnknownCriterion, file: file, line: entry.line,
                            message: "\(id) is not a criterion of this packet (it has \(listed))"))
                }
                continue
            }
            let evidence = parseEvidence(entry.text)
            if evidence.isEmpty { continue }
            covered.insert(id)
            for item in evidence {
                let written: String
                let problem: EvidenceProblem?
                switch item {
                case .url:
                    continue
                case .path(let path):
                    written = path
                    problem = try pathProblem(path, packetFolder: folder, in: view)
                case .commit(let prefix):
                    written = prefix
                    switch try commits?.lookUp(commitPrefix: prefix) ?? .inHistory {
                    case .inHistory: problem = nil
                    case .notInHistory: problem = .unknownCommit(prefix)
                    case .ambiguous: problem = .ambiguousCommit(prefix)
                    }
                }
                if let problem {
                    findings.append(
                        Finding(
                            .deliveryEvidenceNotFound, file: file, line: entry.line,
                            message: problem.message(evidence: written, criterion: id), hint: problem.hint))
                }
            }
        }
        for id in criteria where !covered.contains(id) {
            findings.append(
                Finding(
                    .deliveryCriterionUncovered, file: file, line: 0,
                    message: "\(id) has no evidence in the delivery note",
                    hint: "Add '- \(id): <path, commit or URL>' to \(fileName)."))
        }
        // Not capped here: a refused submit lists the first few and counts the rest exactly
        // (`ActionRejection.deliveryIncomplete`); packet reports are capped where they are gathered.
        return findings.sortedForDisplay()
    }

    /// Why the evidence path `path` does not count for the packet in `folder`, or nil when it does.
    ///
    /// A path counts when it exists and shows something specific: not a folder that holds every packet or
    /// this whole packet, and nothing in another packet's folder.
    static func pathProblem(_ path: String, packetFolder folder: String, in view: any TreeView) throws -> EvidenceProblem? {
        let resolved: String
        // Relative to the packet folder (not to the note, which sits in delivery/): resolved from a file in it.
        switch LinkCheck.resolve(path, from: "\(folder)/x") {
        case .path(let inside): resolved = inside
        case .outside: return .outsideRepository
        case .external: return .missing(resolved: path)  // a scheme other than http(s), or only an anchor
        }
        // Split and compared as git's bytes (GitPath): a `/` before a combining mark separates, so
        // `../PAY-2/\u{301}notes.md` lies in another packet.
        let parts = GitPath.components(folder)
        let packetRoot = parts.dropLast().joined(separator: "/")
        let own = parts.last ?? folder
        if resolved.isEmpty || GitPath.same(resolved, packetRoot) || GitPath.same(resolved, folder) { return .wholeFolder(resolved: resolved) }
        let belowRoot = packetRoot.isEmpty ? GitPath.components(resolved) : GitPath.components(of: resolved, inside: packetRoot)
        let entry = try view.entry(at: resolved)
        if let belowRoot, let packet = belowRoot.first, !GitPath.same(packet, own) {
            // Folders under the packet root are packets; a file lying directly in it (a README) is shared material.
            if belowRoot.count > 1 || entry?.kind == .folder { return .otherPacket(resolved: resolved, packet: packet) }
        }
        return entry == nil ? .missing(resolved: resolved) : nil
    }

    /// The evidence listed after `AC-n:` in an entry, split on commas.
    public static func parseEvidence(_ entryText: String) -> [Evidence] {
        guard let colon = entryText.firstIndex(of: ":") else { return [] }
        return entryText[entryText.index(after: colon)...].split(separator: ",").compactMap { piece in
            var item = Whitespace.trimmed(piece)
            if item.hasPrefix("`"), item.hasSuffix("`"), item.count > 1 { item = String(item.dropFirst().dropLast()) }
            guard !item.isEmpty else { return nil }
            let lowered = item.lowercased()
            if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return .url(item) }
            if (7...40).contains(item.count), item.allSatisfy({ $0.isHexDigit }) { return .commit(item) }
            return .path(item)
        }
    }
}

/// Where a commit id given as evidence stands in the history of the commit being judged.
public enum CommitEvidenceStatus: Hashable, Sendable {
    /// A commit of that history (the submitting commit or one of its ancestors).
    case inHistory
    /// No such commit in that history: unknown to the repository, not a commit, or on another branch.
    case notInHistory
    /// Several objects share the abbreviated id.
    case ambiguous
}

/// Looks commit ids up in the repository a delivery is judged in; HandoffCore itself reads no repository.
public protocol CommitLookup {
    /// Where the commit whose id starts with `commitPrefix` (7 to 40 hex digits) stands.
    ///
    /// Judged against history, never against every object stored, so replaying gives the same answer.
    func lookUp(commitPrefix: String) throws -> CommitEvidenceStatus
}
