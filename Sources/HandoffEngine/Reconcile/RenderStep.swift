import Foundation
import Git
import HandoffCore

/// The render step: the board and status files a state stands for, and the tree edits that put them in
/// place on top of an input commit. Pure but for reading the tip's tree.
struct RenderStep {
    /// The board and the status files of `packets` (all of them when nil), by path. With `previousBoard`,
    /// the state holds only the changed packets and the board keeps the other rows.
    static func files(
        _ state: WorkflowState, processed tip: ObjectID, time: GitTime, packets: Set<PacketID>? = nil,
        previousBoard: String? = nil, signers: String? = nil
    ) -> [String: String] {
        let board =
            if let previousBoard, let packets {
                BoardFile.render(state, processed: tip.hex, at: CommitReader.utc(time), updating: previousBoard, changed: packets)
            } else {
                BoardFile.render(state, processed: tip.hex, at: CommitReader.utc(time))
            }
        var files = [BoardFile.path: board]
        if let signers { files[SignersFile.path] = signers }
        var held: [PacketID: [HeldFile]] = [:]
        for file in state.held.values {
            if let id = ContentInForce.packet(of: file.path, packetRoot: state.policy.packetRoot) { held[id, default: []].append(file) }
        }
        for (id, status) in state.packets where packets?.contains(id) ?? true {
            files[StatusFile.path(of: id, in: state.policy.packetRoot)] = StatusFile.render(status, notInForce: held[id] ?? [])
        }
        return files
    }

    /// The edits that make `tip`'s tree hold the computed board and status files (of `only` the given
    /// packets when set, all of them otherwise), removing status files of folders that are no packet.
    /// The board names `processed` (the newest input commit, `tip` itself unless the tip is a status commit).
    /// With `restoring`, every held file is written back at its version in force, as status files are.
    /// With `onto`, the edits apply to that tree instead of the tip's (the previous status tree carried
    /// forward on a status branch).
    static func edits(
        _ repository: Repository, state: WorkflowState, tip: ObjectID, processed: ObjectID? = nil, only: Set<PacketID>? = nil,
        previousBoard: String? = nil, restoring: Bool = false, signers: String? = nil, onto tree: ObjectID? = nil
    ) throws -> [TreeEdit] {
        let commit = try repository.commit(tip)
        let tree = tree ?? commit.tree
        let input = processed ?? tip
        var edits: [TreeEdit] = []
        let time = input == tip ? commit.committer.time : try repository.commit(input).committer.time
        let files = files(state, processed: input, time: time, packets: only, previousBoard: previousBoard, signers: signers)
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            let current = try repository.file(at: path, inTree: tree, sizeLimit: 16 << 20)
            if case .data(let data)? = current?.content, data == Data(text.utf8), current?.entry.mode == .blob { continue }
            edits.append(.upsert(path: path, content: Data(text.utf8)))
        }
        let candidates: [TreeEntry]
        if let only {
            candidates = try only.sorted().compactMap { try repository.entry(at: "\(state.policy.packetRoot)/\($0)", inTree: tree) }
        } else {
            candidates = try repository.entries(inFolder: state.policy.packetRoot, ofTree: tree) ?? []
        }
        for entry in candidates where entry.mode == .tree {
            if let id = PacketID(entry.name), state.packets[id] == nil,
                try repository.entry(at: "\(entry.path)/\(StatusFile.fileName)", inTree: tree) != nil
            {
                edits.append(.remove(path: "\(entry.path)/\(StatusFile.fileName)"))
            }
        }
        if restoring {
            for file in state.held.values.sorted(by: { $0.path < $1.path }) {
                let current = try repository.entry(at: file.path, inTree: tree)
                switch (file.inForce.flatMap(ObjectID.init(hex:)), current) {
                case (nil, .some): edits.append(.remove(path: file.path))
                case (let inForce?, let current) where current?.id != inForce || current?.mode != .blob:
                    edits.append(.upsertObject(path: file.path, id: inForce, mode: .blob))
                default: break
                }
            }
        }
        return edits
    }
}

/// handoffd's status commit: authored by its identity at the input tip's own time (so the commit is a
/// function of history too), listing what changed, ending with the processed trailer, signed.
struct StatusCommitWriter {
    let name: String
    let email: String
    let signer: CommitSigner
    /// Whether a commit may leave the tree as it is (on a status branch the input tip may already hold it).
    let allowEmpty: Bool

    /// Most packets listed in a message: a first pass over thousands of packets once wrote a commit over
    /// the size limit handoffd applies to commits it reads, so it could not resume from its own status.
    static let maxSummaryLines = 200

    /// The message for a status commit covering `tip` with these one-line changes.
    static func message(covering tip: ObjectID, summary: [String]) -> String {
        var message = "handoff: \(summary.count) packet\(summary.count == 1 ? "" : "s") updated\n\n"
        let listed = summary.prefix(maxSummaryLines).map { "- \($0)" }
        let more = summary.count > maxSummaryLines ? ["- … and \(summary.count - maxSummaryLines) more (see the board)"] : []
        if !summary.isEmpty { message += (listed + more).joined(separator: "\n") + "\n\n" }
        return message + ProcessedTrailer.line(covering: tip)
    }

    /// Writes the commit (no reference moves): first parent the tip, second the previous status commit if any.
    /// `onto` is the commit the status goes on (tree base and first parent), `tip` unless the branch's tip is
    /// a status commit already; the author time is the covered input's own, so the commit follows from history.
    /// `tree` replaces the first parent's tree as the base of the edits.
    func write(
        _ repository: Repository, edits: [TreeEdit], covering tip: ObjectID, onto base: ObjectID? = nil, tree baseTree: ObjectID? = nil,
        summary: [String], previousStatus: ObjectID? = nil
    ) throws -> ObjectID {
        let parent = base ?? tip
        let tipCommit = try repository.commit(tip)
        let tree = try repository.buildTree(base: try baseTree ?? repository.commit(parent).tree, edits: edits)
        let me = Signature(name: name, email: email, time: GitTime(seconds: tipCommit.committer.time.seconds, offsetMinutes: 0))
        return try repository.createCommit(
            tree: tree, parents: [parent] + (previousStatus.map { [$0] } ?? []), author: me, committer: me,
            message: Self.message(covering: tip, summary: summary), signer: signer, allowEmpty: allowEmpty)
    }
}
