import Git
import GitPaths
import HandoffCore

extension RepositoryProcessor {
    /// One run when status commits go to their own branch (`status_branch`), for hosts that protect the
    /// watched one. Each status commit has the input tip as first parent and the previous status commit as
    /// second, so the status branch only fast-forwards and its tip says which input it covers.
    ///
    /// Resumed from a genuine status commit, a run carries its tree forward: the input's changes since the
    /// covered commit are applied to it, and only the packets the fold or those changes touched are rendered
    /// again, so the cost follows the change, not the number of packets. A rebuild writes everything onto
    /// the input tip's tree; both give the same tree.
    func runOnStatusBranch(_ repository: Repository) throws -> ProcessingResult {
        let output = settings.statusReference
        return try publishing.run(output) { _ in
            guard let tip = try repository.referenceTarget(settings.reference) else { return .done(.unchanged(at: nil)) }
            let previous = try repository.referenceTarget(output)
            var start = FoldStart(state: WorkflowState())
            var foreign: [ObjectID] = []
            var resumedTree: ObjectID?
            // The status commit's second parent keeps the branch fast-forward only; a branch moved onto the
            // input's own history is already below the tip (a parent twice would make an invalid commit).
            var secondParent = previous
            if let previous, let genuine = try newestGenuineStatus(repository, from: previous, input: tip) {
                foreign = genuine.foreign
                if genuine.covered == tip, foreign.isEmpty {
                    coverage.remember(tip)
                    return .done(.unchanged(at: tip))
                }
                if repository.contains(genuine.covered), try repository.isAncestor(genuine.covered, of: tip),
                    let (loaded, loader) = try? ResumeStep.loadState(repository, tree: genuine.commit.tree)
                {
                    start = FoldStart(state: loaded, covered: genuine.covered, loader: loader)
                    resumedTree = genuine.commit.tree
                } else {
                    start.state.record(try resumeStep.rewrittenEvent(repository, tip: tip, lost: genuine.covered))
                }
            } else if let previous {
                // No genuine status at or below the branch's tip: every commit it has of its own is foreign, and a
                // tip moved onto the input's history (none of its own) was moved by someone else all the same.
                foreign = try repository.commits(from: [previous], hiding: [tip])
                if foreign.isEmpty {
                    secondParent = nil
                    // handoffd's newest status, merged into the input, is no tampering (the run rebuilds, as before);
                    // the branch moved back to an older one of them is.
                    if try repository.newestCommit(from: tip, where: { try own.isOwn($0, in: repository) }) != previous {
                        foreign = [previous]
                    }
                }
            }
            if let previous, !foreign.isEmpty {
                // A forged tip may be unreadable (over the commit size limit): the event is recorded all the same.
                let written = try? repository.commit(previous)
                start.state.record(
                    BoardEvent(
                        at: written.map { CommitReader.utc($0.committer.time) } ?? "", commit: previous.hex, by: written?.author.email ?? "",
                        kind: .statusBranchTampering(commits: foreign.count)))
            }
            let resumedRoot = start.state.policy.packetRoot
            let folded = try foldStep.fold(repository, from: start.covered, to: tip, state: &start.state, loader: start.loader)
            var scope: Set<PacketID>?
            var overlay: OverlaidTree?
            // The input's own changes, status paths included (a status file committed to the watched branch is
            // written over, as a full render would): their packets are rendered again too. A path the tree
            // writer refuses (a name git takes for `.git`, which git's defaults let in) cannot be overlaid: the
            // full render, which takes the input's tree whole, then writes what a rebuild writes.
            var inputChanges: [TreeChange]?
            if resumedTree != nil, let covered = start.covered, start.state.policy.packetRoot == resumedRoot {
                let old = try repository.tree(ofCommit: covered), new = try repository.tree(ofCommit: tip)
                let changes = try repository.diff(from: old, to: new)
                // Nor can a change that a lookup of its path does not confirm: in a hostile tree (a name holding
                // a `/`, a folder out of order) the diff can report a path git does not read there, and the
                // overlay would write a file the input does not hold.
                if changes.allSatisfy({ Repository.isWritablePath($0.path) }),
                    try changes.allSatisfy({ try Self.confirmed($0, in: repository, from: old, to: new) })
                {
                    inputChanges = changes
                }
            }
            if let resumedTree, let changes = inputChanges {
                // The fold need not have met them (a merge that keeps the other side's version is no commit's own
                // change), so their statuses are read from the resumed tree, as a full render reads every packet's.
                var touched = folded.changed.union(folded.touched)
                let changed = Set(changes.compactMap { Self.packetFolder(of: $0.path, packetRoot: resumedRoot) })
                try start.loader?.load(packets: changed.subtracting(touched).sorted(), into: &start.state)
                touched.formUnion(changed)
                scope = touched
                overlay = try OverlaidTree.make(
                    repository, base: resumedTree, packetRoot: resumedRoot,
                    edits: changes.map { change in
                        if let id = change.newID, let mode = change.newMode {
                            .upsertObject(path: change.path, id: id, mode: mode)
                        } else {
                            .remove(path: change.path)
                        }
                    })
            } else {
                try start.loader?.loadAll(into: &start.state)
            }
            var summary = Self.summary(of: folded.changed, in: start.state)
            if !foreign.isEmpty { summary.append("status branch: \(foreign.count) foreign commit(s) written over") }
            // The status objects (thousands in a catch-up) go to disk together before the reference names them.
            let commit = try repository.writingObjectsTogether { () throws -> ObjectID in
                let (edits, base) = try RenderStep.edits(
                    repository, state: start.state, tip: tip, only: scope, previousBoard: scope == nil ? nil : start.loader?.previousBoard,
                    signers: settings.allowedSigners, onto: overlay)
                // The input's changes and the rendered files in one tree write (see OverlaidTree).
                return try writer().write(
                    repository, edits: (overlay?.edits ?? []) + edits, covering: tip, tree: base, summary: summary,
                    previousStatus: secondParent)
            }
            switch try PublishLoop.compareAndSwap(repository, output, to: commit, expecting: previous) {
            case .swapped:
                coverage.remember(tip)
                return .done(ProcessingResult(processedTip: tip, statusCommit: commit, foldedCommits: folded.count, changes: summary))
            case .moved:
                return .moved  // another writer published meanwhile: start again from what it wrote
            case .locked:
                return .locked
            }
        }
    }

    /// Whether the entries at a change's path in the two trees are what the diff reported. Where the diff
    /// reports no entry, a folder may stand in the place of a file (or a file in a folder's): a file replaced
    /// by a folder is the file's deletion plus additions inside the folder.
    static func confirmed(_ change: TreeChange, in repository: Repository, from old: ObjectID, to new: ObjectID) throws -> Bool {
        func matches(_ entry: TreeEntry?, id: ObjectID?, mode: FileMode?, other: FileMode?) -> Bool {
            guard let id else { return entry == nil || (entry?.mode == .tree) != (other == .tree) }
            return entry?.id == id && entry?.mode == mode
        }
        return try matches(repository.entry(at: change.path, inTree: old), id: change.oldID, mode: change.oldMode, other: change.newMode)
            && matches(repository.entry(at: change.path, inTree: new), id: change.newID, mode: change.newMode, other: change.oldMode)
    }

    /// The packet whose folder holds `path` (its status file included), or nil outside packet folders.
    static func packetFolder(of path: String, packetRoot: String) -> PacketID? {
        GitPath.components(of: path, inside: packetRoot)?.first.flatMap { PacketID($0) }
    }

    /// handoffd's newest genuine status commit at or below the status branch's tip `previous`, what it
    /// covers, and the commits above it that someone else put on the status branch (tampering, written
    /// over from the genuine one instead of rebuilding from the first commit). Input history is hidden
    /// from the walk, so it visits the status branch's own commits only. Nil when there is none.
    func newestGenuineStatus(_ repository: Repository, from previous: ObjectID, input tip: ObjectID) throws -> (
        commit: Commit, covered: ObjectID, foreign: [ObjectID]
    )? {
        // The usual case first, in the walk's terms: the branch's tip is genuine and the input does not reach it
        // (ordering the status branch's whole history to find its first commit would make every run cost that
        // history's length). Whatever path leads from the input to `previous` avoids what `covered` reaches, so
        // the input's commits since `covered` tell.
        if let commit = try? repository.commit(previous), let covered = try own.covered(by: commit, in: repository),
            repository.contains(covered), try !repository.commits(from: [tip], hiding: [covered]).contains(previous)
        {
            return (commit, covered, [])
        }
        for id in try repository.commits(from: [previous], hiding: [tip], newestFirst: true) {
            guard let commit = try? repository.commit(id), let covered = try own.covered(by: commit, in: repository) else { continue }
            let foreign = id == previous ? [] : try repository.commits(from: [previous], hiding: [id, tip])
            return (commit, covered, foreign)
        }
        return nil
    }
}
