import Foundation
public import Git
import Synchronization
public import HandoffCore

/// What one run over a repository did.
public struct ProcessingResult: Sendable {
    /// The branch tip the status covers (nil when the branch has no commits).
    public var processedTip: ObjectID?
    /// handoffd's new status commit, or nil when no status byte changed.
    public var statusCommit: ObjectID?
    /// How many commits were folded in this run.
    public var foldedCommits: Int
    /// One line per packet whose status changed.
    public var changes: [String]
}

/// The engine: folds a branch's history into status and publishes it as one signed commit (DESIGN.md §5–§6).
///
/// Continues from its last genuine commit (signed by its own key, carrying `Handoff-Processed:`);
/// publishes with compare-and-swap and, when the branch moved meanwhile, folds the new commits and
/// tries again, so no commit is ever left uncovered.
public struct RepositoryProcessor {
    /// Settings for this repository.
    public var settings: EngineSettings
    /// Most attempts at publishing while others keep pushing.
    public var maxAttempts = 20
    /// Most packets listed in a status commit's message.
    static let maxSummaryLines = 200
    /// Signature checks already made (each costs an ssh-keygen run), by commit id.
    private let verified = VerifiedCommits()

    /// Creates a processor.
    public init(settings: EngineSettings) {
        self.settings = settings
    }

    /// Processes the repository at `path` once.
    @discardableResult
    public func run(repositoryAt path: String) throws -> ProcessingResult {
        let repository: Repository
        do {
            repository = try Repository.open(at: path)
        } catch {
            switch error {
            case .failed(_, let cause): throw ProcessingError.retryable(.git(cause))
            default: throw ProcessingError.stalled(.cannotOpen(error))
            }
        }
        return try run(repository)
    }

    /// Processes an open repository once.
    @discardableResult
    public func run(_ repository: Repository) throws -> ProcessingResult {
        do {
            if settings.statusReference != settings.reference { return try runOnStatusBranch(repository) }
            do {
                return try run(repository, rebuild: false)
            } catch is StatusLoader.Unreadable {
                return try run(repository, rebuild: true)
            }
        } catch let error as ProcessingError {
            throw error
        } catch let error as GitError {
            throw ProcessingError.retryable(.git(error))
        }
    }

    private func run(_ repository: Repository, rebuild: Bool) throws -> ProcessingResult {
        let reference = settings.reference
        guard var tip = try repository.referenceTarget(reference) else {
            return ProcessingResult(processedTip: nil, statusCommit: nil, foldedCommits: 0, changes: [])
        }
        let rewritten = try historyWasRewritten(repository, tip: tip)
        // Our own commit on top: everything below it is covered already.
        if !rewritten, let own = try? repository.commit(tip), let processed = genuineProcessedTrailer(own, repository) {
            if let covered = ObjectID(hex: processed) { remember(covered) }
            return ProcessingResult(processedTip: tip, statusCommit: nil, foldedCommits: 0, changes: [])
        }
        var (state, covered, loader): (WorkflowState, ObjectID?, StatusLoader?) =
            rewritten || rebuild ? (WorkflowState(), nil, nil) : try resume(repository, tip: tip)
        if rewritten, let last = lastCovered() {
            state.record(try rewrittenEvent(repository, tip: tip, lost: last))
        }
        var folded = 0
        var changed = Set<PacketID>()
        var touched = Set<PacketID>()
        var coveredUpTo = covered
        let rebuilding = covered == nil
        let resumedRoot = state.policy.packetRoot
        for attempt in 1...maxAttempts {
            let fresh = try fold(repository, from: coveredUpTo, to: tip, state: &state, loader: loader)
            folded += fresh.count
            changed.formUnion(fresh.changed)
            touched.formUnion(fresh.touched)
            coveredUpTo = tip
            // Resumed from our own status, only what the fold touched can differ: the run's cost follows the
            // change, not the number of packets. A rebuild, or a moved packet root, rewrites everything.
            // Touched but unchanged folders are in scope too: a status file written into a folder that is no
            // packet is removed, as a full rewrite would.
            let scope: Set<PacketID>? = rebuilding || state.policy.packetRoot != resumedRoot ? nil : changed.union(touched)
            if scope == nil { try loader?.loadAll(into: &state) }
            let board = scope == nil ? nil : loader?.board
            let edits = try statusEdits(repository, state: state, tip: tip, only: scope, previousBoard: board)
            if edits.isEmpty {
                remember(tip)
                return ProcessingResult(processedTip: tip, statusCommit: nil, foldedCommits: folded, changes: [])
            }
            let summary = changed.sorted().compactMap { id in state.packets[id].map { Self.describe($0) } }
            let commit = try statusCommit(repository, edits: edits, tip: tip, summary: summary)
            do {
                try repository.updateReference(reference, to: commit, expecting: tip, logMessage: "handoffd: status")
                // The input tip, not our commit: a remote that refuses our commit then fetches back to a
                // descendant of this tip, which is no rewrite. Only the loss of covered input is.
                remember(tip)
                return ProcessingResult(processedTip: tip, statusCommit: commit, foldedCommits: folded, changes: summary)
            } catch .moved(_, _, let actual?) {
                // Someone pushed meanwhile: fold their commits onto what is computed and try on the new tip.
                tip = actual
            } catch .locked {
                usleep(useconds_t(UInt32.random(in: 5_000...20_000) * UInt32(min(attempt, 10))))
            } catch {
                throw ProcessingError.retryable(.publish(error))
            }
        }
        throw ProcessingError.contention(reference: reference, attempts: maxAttempts)
    }

    /// All status files and the board recomputed from the first commit, without publishing: `handoff replay`.
    public func replay(_ repository: Repository) throws -> [String: String] {
        guard let tip = try repository.referenceTarget(settings.reference) else { return [:] }
        var state = WorkflowState()
        _ = try fold(repository, from: nil, to: tip, state: &state, loader: nil)
        // The board names the newest commit that is not handoffd's own, as the incremental run did.
        var processed = tip
        for id in try repository.commits(from: [tip], newestFirst: true) {
            guard let commit = try? repository.commit(id), genuineProcessedTrailer(commit, repository) != nil else {
                processed = id
                break
            }
        }
        return files(state, tip: processed, time: try repository.commit(processed).committer.time)
    }

    /// `PAY-142: ready → in_progress (claim by dev@…)`, from the packet's newest history entry.
    static func describe(_ status: PacketStatus) -> String {
        guard let last = status.history.last else { return "\(status.id): \(status.state.rawValue)" }
        let from = last.from?.rawValue ?? "new"
        let to = last.to?.rawValue ?? status.state.rawValue
        let rejected = last.rejection == nil ? "" : ", rejected"
        return "\(status.id): \(from == to ? to : "\(from) → \(to)") (\(last.action) by \(last.by)\(rejected))"
    }

    // MARK: Memory between runs

    func lastCovered() -> String? {
        guard let file = settings.memoryFile, let data = FileManager.default.contents(atPath: file) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return ObjectID(hex: text) == nil ? nil : text
    }

    func remember(_ tip: ObjectID) {
        guard let file = settings.memoryFile else { return }
        try? Data((tip.hex + "\n").utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
    }

    /// True when the tip the last run covered is gone from the branch's history (a force-push).
    func historyWasRewritten(_ repository: Repository, tip: ObjectID) throws -> Bool {
        guard let last = lastCovered().flatMap({ ObjectID(hex: $0) }) else { return false }
        guard repository.contains(last) else { return true }
        return try !repository.isAncestor(last, of: tip)
    }

    /// The board event for a covered commit that left the branch's history: the status is rebuilt.
    func rewrittenEvent(_ repository: Repository, tip: ObjectID, lost: String) throws -> BoardEvent {
        BoardEvent(at: CommitReader.utc(try repository.commit(tip).committer.time), commit: tip.hex, by: settings.email,
                   kind: .historyRewritten(lost: lost, reference: settings.reference))
    }

    // MARK: Resuming

    /// The state at the newest trusted handoffd commit (or the empty state), the commit it covers, and the
    /// loader that reads its packet statuses when the fold needs them (the state starts with none of them).
    func resume(_ repository: Repository, tip: ObjectID) throws -> (WorkflowState, ObjectID?, StatusLoader?) {
        for id in try repository.commits(from: [tip], newestFirst: true) {
            guard let commit = try? repository.commit(id), let processed = genuineProcessedTrailer(commit, repository) else { continue }
            guard let covered = ObjectID(hex: processed), repository.contains(covered) else { continue }
            if let (state, loader) = try? loadState(repository, tree: commit.tree) { return (state, covered, loader) }
            break  // our own commit but unreadable: rebuild from the start rather than trust it
        }
        return (WorkflowState(), nil, nil)
    }

    /// The `Handoff-Processed:` value of a commit made and signed by this handoffd, else nil.
    func genuineProcessedTrailer(_ commit: Commit, _ repository: Repository) -> String? {
        guard let value = commit.trailers.last(where: { $0.key == "Handoff-Processed" })?.value else { return nil }
        let genuine = verified.result(for: commit.id) {
            guard let signature = try? repository.signature(ofCommit: commit.id), signature.isSSH else { return false }
            return settings.signingKey.verify(signature: signature.signature, payload: signature.signedPayload)
        }
        return genuine ? value : nil
    }

    /// The policy and events of a status commit's tree, and a loader for its packet statuses.
    func loadState(_ repository: Repository, tree: ObjectID) throws -> (WorkflowState, StatusLoader) {
        guard case .data(let boardData)? = try repository.file(at: BoardFile.path, inTree: tree, sizeLimit: 64 << 20)?.content else {
            throw StatusLoader.Unreadable(path: BoardFile.path)
        }
        let board = String(decoding: boardData, as: UTF8.self)
        let (policy, events) = try BoardFile.parseState(board)
        var state = WorkflowState(policy: policy)
        state.events = events
        return (state, StatusLoader(repository: repository, tree: tree, root: policy.packetRoot, board: board))
    }

    // MARK: Folding

    /// Folds the commits of `from..to` (all of `to`'s history when `from` is nil), oldest first.
    func fold(_ repository: Repository, from: ObjectID?, to tip: ObjectID, state: inout WorkflowState,
              loader: StatusLoader?) throws -> (count: Int, changed: Set<PacketID>, touched: Set<PacketID>) {
        let reader = CommitReader(repository: repository, cache: settings.cache, operators: settings.operators,
                                  identityMode: settings.identityMode)
        let fold = WorkflowFold(operators: settings.operators)
        var changed = Set<PacketID>()
        var touched = Set<PacketID>()
        var count = 0
        for id in try repository.commits(from: [tip], hiding: from.map { [$0] } ?? []) {
            let commit: Commit
            do {
                commit = try repository.commit(id)
            } catch {
                state.record(BoardEvent(at: "", commit: id.hex, by: "", kind: .commitUnreadable(error.message)))
                continue
            }
            if genuineProcessedTrailer(commit, repository) != nil { continue }  // our own output is never input
            try loader?.prepare(trailersOf: commit, state: &state)
            let input = try reader.input(for: commit, state: state)
            try loader?.prepare(input, state: &state)
            changed.formUnion(fold.apply(input, to: &state))
            touched.formUnion(input.touched.keys)
            count += 1
        }
        return (count, changed, touched)
    }

    // MARK: Publishing

    /// The board and the status files of `packets` (all of them when nil), by path.
    /// With `previousBoard`, the state holds only the changed packets and the board keeps the other rows.
    func files(_ state: WorkflowState, tip: ObjectID, time: GitTime, packets: Set<PacketID>? = nil,
               previousBoard: String? = nil) -> [String: String] {
        let board = if let previousBoard, let packets {
            BoardFile.render(state, processed: tip.hex, at: CommitReader.utc(time), updating: previousBoard, changed: packets)
        } else {
            BoardFile.render(state, processed: tip.hex, at: CommitReader.utc(time))
        }
        var files = [BoardFile.path: board]
        for (id, status) in state.packets where packets?.contains(id) ?? true {
            files["\(state.policy.packetRoot)/\(id)/\(StatusFile.fileName)"] = StatusFile.render(status)
        }
        return files
    }

    /// The edits that make the tip's tree hold the computed board and status files (of `only` the given
    /// packets, when set; all of them otherwise).
    func statusEdits(_ repository: Repository, state: WorkflowState, tip: ObjectID, only: Set<PacketID>? = nil,
                     previousBoard: String? = nil) throws -> [TreeEdit] {
        let commit = try repository.commit(tip)
        var edits: [TreeEdit] = []
        let files = files(state, tip: tip, time: commit.committer.time, packets: only, previousBoard: previousBoard)
        for (path, text) in files.sorted(by: { $0.key < $1.key }) {
            let current = try repository.file(at: path, inTree: commit.tree, sizeLimit: 16 << 20)
            if case .data(let data)? = current?.content, data == Data(text.utf8), current?.entry.mode == .blob { continue }
            edits.append(.upsert(path: path, content: Data(text.utf8)))
        }
        // Status files of packets that no longer exist are removed.
        let candidates: [TreeEntry]
        if let only {
            candidates = try only.sorted().compactMap { try repository.entry(at: "\(state.policy.packetRoot)/\($0)", inTree: commit.tree) }
        } else {
            candidates = try repository.entries(inFolder: state.policy.packetRoot, ofTree: commit.tree) ?? []
        }
        for entry in candidates where entry.mode == .tree {
            if let id = PacketID(entry.name), state.packets[id] == nil,
               try repository.entry(at: "\(entry.path)/\(StatusFile.fileName)", inTree: commit.tree) != nil {
                edits.append(.remove(path: "\(entry.path)/\(StatusFile.fileName)"))
            }
        }
        return edits
    }

    func statusCommit(_ repository: Repository, edits: [TreeEdit], tip: ObjectID, summary: [String],
                      previousStatus: ObjectID? = nil) throws -> ObjectID {
        let tipCommit = try repository.commit(tip)
        let tree = try repository.buildTree(base: tipCommit.tree, edits: edits)
        // The tip's own time: the commit is then a function of the history too.
        let me = Signature(name: settings.name, email: settings.email, time: GitTime(seconds: tipCommit.committer.time.seconds, offsetMinutes: 0))
        var message = "handoff: \(summary.count) packet\(summary.count == 1 ? "" : "s") updated\n\n"
        // At most `maxSummaryLines` lines: a first pass over thousands of packets once wrote a commit over the
        // size limit handoffd applies to commits it reads, so it could not resume from its own status.
        let listed = summary.prefix(Self.maxSummaryLines).map { "- \($0)" }
        let more = summary.count > Self.maxSummaryLines ? ["- … and \(summary.count - Self.maxSummaryLines) more (see the board)"] : []
        if !summary.isEmpty { message += (listed + more).joined(separator: "\n") + "\n\n" }
        message += "Handoff-Processed: \(tip.hex)\n"
        // On a separate status branch the previous status commit is the second parent, so that branch only
        // ever fast-forwards; there the commit may hold no change of its own (the tip already had the files).
        return try repository.createCommit(tree: tree, parents: [tip] + (previousStatus.map { [$0] } ?? []), author: me, committer: me,
                                           message: message, signer: settings.signingKey.sign,
                                           allowEmpty: settings.statusReference != settings.reference)
    }
}

/// A reason to refuse a push: which commit, which packet, what rule or event.
public struct PushRefusal: Sendable, Hashable, CustomStringConvertible {
    /// The offending commit.
    public var commit: ObjectID
    /// The packet, when the problem concerns one.
    public var packet: PacketID?
    /// Why, in one line.
    public var reason: String

    public var description: String {
        "\(commit.abbreviated(10))\(packet.map { " \($0)" } ?? ""): \(reason)"
    }
}

extension RepositoryProcessor {
    /// What the pre-receive hook refuses in `old..new`: forbidden or impossible actions, tampering with
    /// status files or the board, unauthorised policy changes, and (when the policy requires it) packets
    /// pushed while not ready. handoffd's own genuine commits are never refused.
    public func audit(_ repository: Repository, old: ObjectID?, new: ObjectID) throws -> [PushRefusal] {
        do {
            return try audit(repository, old: old, new: new, rebuild: false)
        } catch is StatusLoader.Unreadable {
            return try audit(repository, old: old, new: new, rebuild: true)
        }
    }

    private func audit(_ repository: Repository, old: ObjectID?, new: ObjectID, rebuild: Bool) throws -> [PushRefusal] {
        var state = WorkflowState()
        var loader: StatusLoader?
        if let old {
            // The state at the old tip: handoffd's last status, plus what came after it.
            let (resumed, covered, resumedLoader) = rebuild ? (WorkflowState(), nil, nil) : try resume(repository, tip: old)
            (state, loader) = (resumed, resumedLoader)
            _ = try fold(repository, from: covered, to: old, state: &state, loader: loader)
        }
        let reader = CommitReader(repository: repository, cache: settings.cache, operators: settings.operators,
                                  identityMode: settings.identityMode)
        let fold = WorkflowFold(operators: settings.operators)
        var refusals: [PushRefusal] = []
        for id in try repository.commits(from: [new], hiding: old.map { [$0] } ?? []) {
            let commit = try repository.commit(id)
            if genuineProcessedTrailer(commit, repository) != nil { continue }
            try loader?.prepare(trailersOf: commit, state: &state)
            let input = try reader.input(for: commit, state: state)
            try loader?.prepare(input, state: &state)
            let before = state
            fold.apply(input, to: &state)
            for (packet, status) in state.packets.sorted(by: { $0.key < $1.key }) {
                let earlier = before.packets[packet]?.history.count ?? 0
                for entry in status.history.dropFirst(earlier) where entry.outcome.refusesPush {
                    refusals.append(PushRefusal(commit: id, packet: packet, reason: "\(entry.action): \(entry.note)"))
                }
            }
            for event in state.events.dropFirst(before.events.count) where event.kind.refusesPush {
                refusals.append(PushRefusal(commit: id, packet: nil, reason: "\(event.event): \(event.note)"))
            }
            if state.policy.requireReady {
                for (packet, change) in input.touched.sorted(by: { $0.key < $1.key }) {
                    if let report = change.report, !report.isReady {
                        let first = report.findings.first { $0.severity == .error }
                        refusals.append(PushRefusal(commit: id, packet: packet,
                                                    reason: "not ready (require_ready): \(first.map { "\($0.formatted)" } ?? "\(report.errorCount) error(s)")"))
                    }
                }
            }
        }
        return refusals
    }
}

/// Whether commits carry handoffd's own signature, remembered: resuming and folding meet the same
/// status commit, and a commit's signature never changes.
final class VerifiedCommits: Sendable {
    private let results = Mutex<[ObjectID: Bool]>([:])

    func result(for commit: ObjectID, verify: () -> Bool) -> Bool {
        if let known = results.withLock({ $0[commit] }) { return known }
        let genuine = verify()
        results.withLock { results in
            if results.count > 10_000 { results.removeAll() }
            results[commit] = genuine
        }
        return genuine
    }
}
