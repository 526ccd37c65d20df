import Foundation

/// One `Handoff: <action> <ID> [free text]` trailer, parsed.
public struct ActionRequest: Sendable, Hashable {
    /// The action.
    public var action: WorkflowAction
    /// The packet it names.
    public var packet: PacketID
    /// Free text after the id, kept as the history note.
    public var note: String
}

/// Why a `Handoff:` trailer could not be understood.
public struct TrailerProblem: Sendable, Hashable, Error {
    /// The trailer's value as written.
    public var value: String
    /// What is wrong and what to write instead.
    public var reason: String
}

extension ActionRequest {
    /// The trailer key that carries actions.
    public static let trailerKey = "Handoff"
    /// Longest trailer value read; longer ones are refused (commit messages are untrusted).
    public static let maxValueLength = 2_000

    /// Parses a trailer value such as `claim PAY-142 starting Monday`.
    public static func parse(_ value: String) -> Result<ActionRequest, TrailerProblem> {
        guard value.count <= maxValueLength else {
            return .failure(
                TrailerProblem(
                    value: String(value.prefix(80)) + "…",
                    reason: "the trailer is longer than \(maxValueLength) characters"))
        }
        let words = value.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard let first = words.first else {
            return .failure(TrailerProblem(value: value, reason: "empty Handoff trailer; write 'Handoff: <action> <ID>'"))
        }
        guard let action = WorkflowAction(rawValue: first.lowercased()) else {
            let known = WorkflowAction.allCases.map(\.rawValue).joined(separator: ", ")
            return .failure(TrailerProblem(value: value, reason: "unknown action '\(first)' (known: \(known))"))
        }
        guard words.count >= 2 else {
            return .failure(TrailerProblem(value: value, reason: "'\(action.rawValue)' names no packet; write 'Handoff: \(action.rawValue) <ID>'"))
        }
        guard let packet = PacketID(words[1]) else {
            return .failure(TrailerProblem(value: value, reason: "'\(words[1])' is not a packet id"))
        }
        let note = words.count > 2 ? String(words[2]).trimmingCharacters(in: .whitespaces) : ""
        return .success(ActionRequest(action: action, packet: packet, note: note))
    }
}
