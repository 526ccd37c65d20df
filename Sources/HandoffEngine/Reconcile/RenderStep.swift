import Foundation
import Git
import GitPaths
import HandoffCore

/// The render step: the board and status files a state stands for, and the tree edits that put them in
/// place on top of an input commit. Pure but for reading the tip's tree.
struct RenderStep {
    /// The board and the status files of `packets` (all of them when nil), by path. With `previousBoard`,
    /// the state holds only the changed packets and the board keeps the other rows.
    static func files(
        _ state: WorkflowState, processed tip: ObjectID, time: GitTime, packets: Set<PacketID>? = nil,
        previousBoard: BoardFile.Previous? = nil, signers: String? = nil
    ) -> [String: String] {
        Dictionary(
            uniqueKeysWithValues: renderers(state, processed: tip, time: time, packets: packets, previousBoard: previousBoard, signers: signers)
                .files.map { ($0.path, $0.render()) })
    }

    /// The paths of ``files(_:processed:time:packets:previousBoard:signers:)`` in path order, each with what
    /// renders it (a run writes one file at a time, since all of a first pass's status files held at once
    /// were its peak memory), and the board as rendered (its layout, and which pages it computed).
    static func renderers(
        _ state: WorkflowState, processed tip: ObjectID, time: GitTime, packets: Set<PacketID>? = nil,
        previousBoard: BoardFile.Previous? = nil, signers: String? = nil
    ) -> (files: [(path: String, render: () -> String)], board: BoardFile.Rendered) {
        let at = CommitReader.utc(time)
        let board =
            if let previousBoard, let packets {
                BoardFile.renderAll(state, processed: tip.hex, at: at, updating: previousBoard, changed: packets)
            } else {
                BoardFile.renderAll(state, processed: tip.hex, at: at)
            }
        var renderers: [(path: String, render: () -> String)] = [(BoardFile.path, { board.board })]
        for (number, page) in board.pages { renderers.append((BoardFile.pagePath(number), { page })) }
        if let signers { renderers.append((SignersFile.path, { signers })) }
        var held: [PacketID: [HeldFile]] = [:]
        for file in state.held.values {
            if let id = ContentInForce.packet(of: file.path, packetRoot: state.policy.packetRoot) { held[id, default: []].append(file) }
        }
        for (id, status) in state.packets where packets?.contains(id) ?? true {
            let notInForce = held[id] ?? []
            renderers.append((StatusFile.path(of: id, in: state.policy.packetRoot), { StatusFile.render(status, notInForce: notInForce) }))
        }
        return (renderers.sorted { $0.path < $1.path }, board)
    }

    /// The edits that make `tip`'s tree hold the computed board and status files (of `only` the given
    /// packets when set, all of them otherwise), removing status files of folders that are no packet.
    /// The board names `processed` (the newest input commit, `tip` itself unless the tip is a status commit).
    /// With `restoring`, every held file is written back at its version in force, as status files are.
    /// With `onto`, the edits apply to that overlaid tree instead of the tip's (the previous status tree and
    /// the input's changes since, on a status branch); `only` must then be set. Returns the edits and the
    /// tree they apply to: the tip's (or the overlay's base) with every folder they reach made canonical.
    static func edits(
        _ repository: Repository, state: WorkflowState, tip: ObjectID, processed: ObjectID? = nil, only: Set<PacketID>? = nil,
        previousBoard: PreviousBoard? = nil, restoring: Bool = false, signers: String? = nil, onto overlay: OverlaidTree? = nil
    ) throws -> (edits: [TreeEdit], base: ObjectID) {
        // A tip nobody can be held to (too large, unparsable) still has a tree and a time: from its header.
        let commit = try repository.commitOrFrame(tip).commit
        // Every folder the edits reach, in git's order with no name twice: in a hostile folder a lookup can
        // miss what libgit2's builder keeps (see canonicalFolders(_:along:)). The edits apply to this tree.
        let root = state.policy.packetRoot
        let packets = Set(state.packets.keys).union(only ?? [])
        func parent(_ path: String) -> String { GitPath.components(path).dropLast().joined(separator: "/") }
        let reached =
            [BoardFile.pageFolder, root] + packets.map { "\(root)/\($0)" } + state.held.values.map { parent($0.path) }
            + (overlay?.edits ?? []).map { parent($0.path) }
        var tree = try repository.canonicalFolders(overlay?.base ?? commit.tree, along: reached)
        if only == nil {
            // A full run also clears status files from every folder of the packet root: those folders too.
            let listed = try (repository.entries(inFolder: root, ofTree: tree) ?? []).filter { $0.mode == .tree }.map(\.path)
            tree = try repository.canonicalFolders(tree, along: listed)
        }
        func current(_ path: String) throws -> (id: ObjectID, mode: FileMode)? {
            try repository.entry(at: path, inTree: tree).map { ($0.id, $0.mode) }
        }
        let input = processed ?? tip
        var edits: [TreeEdit] = []
        let time = input == tip ? commit.committer.time : try repository.commitOrFrame(input).commit.committer.time
        let (renderers, board) = renderers(state, processed: input, time: time, packets: only, previousBoard: previousBoard?.text, signers: signers)
        // The pages' folder first: when it is cleared, every page this run computed is written after it.
        edits += try pageEdits(board, previous: previousBoard, current: current) { try repository.entryCount(inFolder: $0, ofTree: tree) }
        let cleared = edits.first == .remove(path: BoardFile.pageFolder)
        for (path, render) in renderers {
            // Compared by blob id, not by reading the file back: the board of a big repository is megabytes,
            // and hashing it is cheaper than inflating, verifying and comparing it. An unchanged blob is
            // already stored, so writing it only hashes it.
            let blob = try repository.writeBlob(Data(render().utf8))
            if !(cleared && BoardFile.isBoardPath(path)), let existing = try current(path), existing.id == blob, existing.mode == .blob { continue }
            edits.append(.upsertObject(path: path, id: blob, mode: .blob))
        }
        // Status files left in folders that are no packet (any more) go: in the given packets' folders, or in
        // every folder of the packet root.
        let folders: [PacketID]
        if let only {
            folders = only.sorted()
        } else {
            folders = try (repository.entries(inFolder: state.policy.packetRoot, ofTree: tree) ?? []).filter { $0.mode == .tree }
                .compactMap { PacketID($0.name) }
        }
        for id in folders where state.packets[id] == nil {
            let path = StatusFile.path(of: id, in: state.policy.packetRoot)
            if try current(path) != nil { edits.append(.remove(path: path)) }
        }
        if restoring {
            for file in state.held.values.sorted(by: { BytePath($0.path) < BytePath($1.path) }) {
                let current = try current(file.path)
                switch (file.inForce.flatMap(ObjectID.init(hex:)), current) {
                case (nil, .some): edits.append(.remove(path: file.path))
                case (let inForce?, let current) where current?.id != inForce || current?.mode != .blob:
                    edits.append(.upsertObject(path: file.path, id: inForce, mode: .blob))
                default: break
                }
            }
        }
        return (edits, tree)
    }
}

extension RenderStep {
    /// The edits that leave the board's pages folder as `board` says: with pages, exactly the ``BoardFile/pageCount``
    /// pages (those this run did not compute as the resumed commit had them), nothing else; without, no folder.
    /// `current` reads the tree the edits apply to; `count` counts a folder's entries there, names git holds
    /// but no String can (not UTF-8) included, so that nothing someone put among the pages stays.
    static func pageEdits(
        _ board: BoardFile.Rendered, previous: PreviousBoard?, current: (String) throws -> (id: ObjectID, mode: FileMode)?,
        count: (String) throws -> Int?
    ) throws -> [TreeEdit] {
        guard board.paged else {
            return try current(BoardFile.pageFolder) == nil ? [] : [.remove(path: BoardFile.pageFolder)]
        }
        // Each page this run did not compute, as the resumed commit had it, and whether the tree holds it so.
        var kept: [(edit: TreeEdit, held: Bool)] = []
        var present = 0
        for number in 0..<BoardFile.pageCount {
            let path = BoardFile.pagePath(number)
            let existing = try current(path)
            if existing != nil { present += 1 }
            // A page this run computed is written with the other rendered files.
            guard board.pages[number] == nil, let id = try previous?.pageID(number) else { continue }
            kept.append((.upsertObject(path: path, id: id, mode: .blob), existing?.id == id && existing?.mode == .blob))
        }
        guard let entries = try count(BoardFile.pageFolder), entries > present else { return kept.filter { !$0.held }.map(\.edit) }
        // Something else lies among the pages: the folder goes, and every page comes back (the computed ones
        // with the rendered files, which apply after these edits).
        return [.remove(path: BoardFile.pageFolder)] + kept.map(\.edit)
    }
}

/// A tree with edits laid over it, read without writing it. On a status branch the run's tree is the previous
/// status tree, the input's changes since and the run's own edits: one tree write instead of two, which
/// matters when the packet root lists thousands of folders.
///
/// The run reads only the paths it renders (board, signers, status files), and those read from the base
/// while no edit lies at, above or below one of them; otherwise (an input that puts files where handoffd's
/// go) the edits are written first and read back, as a run without the overlay would.
struct OverlaidTree {
    /// The tree under the edits.
    let base: ObjectID
    /// The edits, in order, for ``Repository/buildTree(base:edits:)`` to apply before the run's own.
    let edits: [TreeEdit]

    /// `edits` over `base`, written into the base at once when one of them is near a rendered path.
    static func make(_ repository: Repository, base: ObjectID, packetRoot: String, edits: [TreeEdit]) throws -> OverlaidTree {
        guard edits.contains(where: { nearRenderedFiles($0.path, packetRoot: packetRoot) }) else {
            return OverlaidTree(base: base, edits: edits)
        }
        return OverlaidTree(base: try repository.buildTree(base: base, edits: edits), edits: [])
    }

    /// Whether an edit of `path` could change what a rendered path holds: anything in `.handoff`, the
    /// packet root itself or a folder above it, an entry directly in the packet root (a file in a packet
    /// folder's place), or a status file and what lies under its name.
    static func nearRenderedFiles(_ path: String, packetRoot: String) -> Bool {
        // As bytes (GitPath): a `/` followed by a combining mark is a separator to git, not to `String`.
        let path = GitPath.normalized(path), root = GitPath.normalized(packetRoot)
        let handoff = GitPath.components(BoardFile.path)[0]
        if GitPath.same(path, handoff) || GitPath.isInside(path, handoff) || GitPath.same(path, root) || GitPath.isInside(root, path) {
            return true
        }
        guard let inside = GitPath.components(of: path, inside: root) else { return false }
        return inside.count < 2 || GitPath.same(inside[1], StatusFile.fileName)
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
        let tipCommit = try repository.commitOrFrame(tip).commit
        let tree = try repository.buildTree(base: try baseTree ?? repository.tree(ofCommit: parent), edits: edits)
        let me = Signature(name: name, email: email, time: GitTime(seconds: tipCommit.committer.time.seconds, offsetMinutes: 0))
        return try repository.createCommit(
            tree: tree, parents: [parent] + (previousStatus.map { [$0] } ?? []), author: me, committer: me,
            message: Self.message(covering: tip, summary: summary), signer: signer, allowEmpty: allowEmpty)
    }
}
