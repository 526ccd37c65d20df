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

    /// Findings for the delivery note of the packet in `folder`, whose criteria are `criteria`.
    public static func check(packetFolder folder: String, criteria: [String], in view: any TreeView,
                             limits: CheckLimits = .default) throws -> [Finding] {
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
        for entry in AcceptanceCheck.markdownCriteria(text) {
            guard let id = entry.id else { continue }
            guard criteria.contains(id) else {
                findings.append(Finding(.deliveryUnknownCriterion, file: file, line: entry.line,
                                        message: "\(id) is not a criterion of this packet (it has \(criteria.joined(separator: ", ")))"))
                continue
            }
            let evidence = parseEvidence(entry.text)
            if evidence.isEmpty { continue }
            covered.insert(id)
            for case .path(let path) in evidence {
                let resolved: String
                switch LinkCheck.resolve(path, from: "\(folder)/x") {
                case .path(let inside): resolved = path.hasPrefix("/") ? String(path.dropFirst()) : inside
                case .outside, .external: resolved = ""
                }
                let exists = try !resolved.isEmpty && view.entry(at: resolved) != nil
                if !exists {
                    findings.append(Finding(.deliveryEvidenceNotFound, file: file, line: entry.line,
                                            message: "evidence '\(path)' for \(id) does not exist in this commit"))
                }
            }
        }
        for id in criteria where !covered.contains(id) {
            findings.append(Finding(.deliveryCriterionUncovered, file: file, line: 0,
                                    message: "\(id) has no evidence in the delivery note",
                                    hint: "Add '- \(id): <path, commit or URL>' to \(fileName)."))
        }
        return findings.sortedForDisplay()
    }

    /// The evidence listed after `AC-n:` in an entry, split on commas.
    public static func parseEvidence(_ entryText: String) -> [Evidence] {
        guard let colon = entryText.firstIndex(of: ":") else { return [] }
        return entryText[entryText.index(after: colon)...].split(separator: ",").compactMap { piece in
            var item = piece.trimmingCharacters(in: .whitespaces)
            if item.hasPrefix("`"), item.hasSuffix("`"), item.count > 1 { item = String(item.dropFirst().dropLast()) }
            guard !item.isEmpty else { return nil }
            let lowered = item.lowercased()
            if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return .url(item) }
            if (7...40).contains(item.count), item.allSatisfy({ $0.isHexDigit }) { return .commit(item) }
            return .path(item)
        }
    }
}
