import GitPaths

/// The workflow as a pure function: (state, one commit) → next state. No I/O, no clock, no randomness,
/// so replaying a history always gives the same status (DESIGN.md §5).
public struct WorkflowFold: Sendable {
    /// Operator emails or patterns, from the daemon's configuration (never from the repository).
    public var operators: [String]

    /// Creates a fold for a repository served with these operators.
    public init(operators: [String]) {
        self.operators = operators
    }

    /// Applies `commit` to `state`; returns the packets whose status changed.
    @discardableResult
    public func apply(_ commit: CommitInput, to state: inout WorkflowState) -> Set<PacketID> {
        var changed = Set<PacketID>()
        let who = commit.identity
        // Which changes take effect, and the roles they are judged with: ContentInForce is the one home.
        let verdicts = ContentInForce.judge(commit, state: state, operators: operators)
        let root = state.policy.packetRoot
        for path in Set(state.held.keys).union(verdicts.held.keys) where state.held[path] != verdicts.held[path] {
            if let id = ContentInForce.packet(of: path.text, packetRoot: root), state.packets[id] != nil { changed.insert(id) }
        }
        state.held = verdicts.held
        switch verdicts.policy {
        case .unchanged:
            break
        case .unauthorized:
            state.record(event(commit, .policyUnauthorized(identity: who)))
        case .buildsOnRefusedChange(let refusedBy):
            state.record(event(commit, .policyNotInForce(refusedBy: refusedBy)))
        case .invalid(let findings):
            state.record(event(commit, .policyInvalid(problems: findings.count, first: findings[0].message)))
        case .honoured(let policy):
            state.policy = policy
            state.record(event(commit, .policyChanged(by: who)))
        }
        let roles = verdicts.roles
        if commit.touchedBoard {
            state.record(event(commit, .boardTampering))
        }
        if commit.touchedSigners {
            state.record(event(commit, .signersTampering))
        }
        if let value = commit.subjectTrailer {
            state.record(event(commit, .trailerInSubject(value)))
        }
        for folder in commit.strayFolders {
            state.record(event(commit, .strayFolder(folder)))
        }
        for id in commit.touched.keys.sorted() {
            let change = commit.touched[id]!
            if applyChange(change, to: id, commit: commit, verdicts: verdicts, root: root, state: &state) { changed.insert(id) }
        }
        for trailer in commit.actionTrailers {
            switch ActionRequest.parse(trailer) {
            case .failure(let problem):
                state.record(event(commit, .malformedTrailer(problem)))
            case .success(let request):
                guard state.packets[request.packet] != nil else {
                    state.record(event(commit, .unknownPacket(request.action, request.packet)))
                    continue
                }
                apply(request, commit: commit, roles: roles, state: &state)
                changed.insert(request.packet)
            }
        }
        return changed
    }

    // MARK: File changes

    /// Why `commit`'s changes in `area` do not take effect: the first refused file's reason when every changed
    /// file there is refused, nil when at least one takes effect; and the refusals of the others, to record.
    private func refusal(
        in area: ContentInForce.Area, commit: CommitInput, verdicts: ChangeVerdicts, root: String, state: WorkflowState
    ) -> (all: Rejection?, some: Rejection?) {
        let paths = commit.fileChanges.map(\.path).filter { ContentInForce.area(of: $0, packetRoot: root) == area }
            .sorted { BytePath($0) < BytePath($1) }
        // A commit described without its files (a hand-built input) is judged by role alone.
        guard !paths.isEmpty else {
            let objection = ContentInForce.objection(to: area, input: commit, roles: verdicts.roles, policy: verdicts.policy, state: state)
            return (objection, nil)
        }
        let refused = paths.compactMap { verdicts.refused[BytePath($0)] }
        return refused.count == paths.count ? (refused.first, nil) : (nil, refused.first)
    }

    private func applyChange(
        _ change: PacketChange, to id: PacketID, commit: CommitInput, verdicts: ChangeVerdicts, root: String,
        state: inout WorkflowState
    ) -> Bool {
        let who = commit.identity
        let roles = verdicts.roles
        let maySpec = roles.contains(.client) || roles.contains(.operator)
        if change.removed {
            guard state.packets[id] != nil else { return false }
            if let problem = commit.unverified {
                record(on: id, commit, .removal, .rejected(.unverified(problem)), state: &state)
            } else if maySpec {
                state.packets[id] = nil
                state.record(event(commit, .packetRemoved(id, by: who)))
            } else {
                record(on: id, commit, .removal, .rejected(.removalNotPermitted), state: &state)
            }
            return true
        }
        var touched = false
        if change.status, state.packets[id] != nil {
            record(on: id, commit, .statusEdit, .tampering, state: &state)
            touched = true
        }
        if change.spec, let report = change.report {
            touched = true
            let (refusedAll, refusedSome) = refusal(in: .spec(id), commit: commit, verdicts: verdicts, root: root, state: state)
            if let refusedAll {
                rejectOrRecord(id, commit, .specChange, refusedAll, state: &state)
            } else if var status = state.packets[id] {
                let before = status.state
                switch before {
                case .delivered:
                    status.history.append(
                        entry(
                            commit, .specChange, before, before,
                            .applied(note: "changed after delivery; the packet stays delivered")))
                case .draft, .ready:
                    status.absorb(report)
                    status.specRevision = commit.id
                    let after: PacketState = report.isReady ? .ready : .draft
                    if after != before { status.since = commit.time }
                    status.state = after
                    status.history.append(entry(commit, .specChange, before, after, .applied(note: "")))
                case .inProgress, .inReview, .cancelled:
                    status.absorb(report)
                    status.specRevision = commit.id
                    let note = report.isReady ? "spec revised" : "spec revised; it now has \(report.errorCount) error(s)"
                    status.history.append(entry(commit, .specChange, before, before, .applied(note: note)))
                }
                state.packets[id] = status
            } else {
                var status = PacketStatus(id: id, since: commit.time, specRevision: commit.id)
                status.absorb(report)
                status.state = report.isReady ? .ready : .draft
                status.history.append(entry(commit, .created, nil, status.state, .applied(note: "")))
                state.packets[id] = status
            }
            if refusedAll == nil, let refusedSome { record(on: id, commit, .specChange, .rejected(refusedSome), state: &state) }
        }
        if change.delivery {
            touched = true
            guard var status = state.packets[id] else {
                state.record(event(commit, .deliveryOutsidePacket(id)))
                return touched
            }
            let (refusedAll, refusedSome) = refusal(in: .delivery(id), commit: commit, verdicts: verdicts, root: root, state: state)
            if let refusedAll {
                status.history.append(entry(commit, .deliveryChange, status.state, status.state, .rejected(refusedAll)))
            } else if status.state == .inReview {
                status.state = .inProgress
                status.since = commit.time
                status.history.append(
                    entry(
                        commit, .deliveryChange, .inReview, .inProgress,
                        .applied(note: "delivery changed during review: submit again")))
            } else {
                status.history.append(entry(commit, .deliveryChange, status.state, status.state, .applied(note: "")))
            }
            if refusedAll == nil, let refusedSome {
                status.history.append(entry(commit, .deliveryChange, status.state, status.state, .rejected(refusedSome)))
            }
            state.packets[id] = status
        }
        return touched
    }

    // MARK: Actions

    private func apply(_ request: ActionRequest, commit: CommitInput, roles: Set<Role>, state: inout WorkflowState) {
        guard var status = state.packets[request.packet] else { return }
        let who = commit.identity
        let before = status.state
        if let problem = commit.unverified {
            status.history.append(entry(commit, .workflow(request.action), before, before, .rejected(.unverified(problem))))
            state.packets[request.packet] = status
            return
        }
        let isAssignee = status.assignee.map { $0.lowercased() == who.lowercased() } ?? false
        let isReviewer = status.reviewers.contains { $0.lowercased() == who.lowercased() }
        let isOperator = roles.contains(.operator)
        let isClient = roles.contains(.client)

        func reject(_ rejection: ActionRejection) {
            status.history.append(entry(commit, .workflow(request.action), before, before, .rejected(.action(rejection))))
        }
        func move(to after: PacketState) {
            if after != before { status.since = commit.time }
            status.state = after
            status.history.append(entry(commit, .workflow(request.action), before, after, .applied(note: request.note)))
        }
        func readiness() -> PacketState {
            let errors = commit.reports[request.packet]?.errorCount ?? status.errors
            return errors == 0 ? .ready : .draft
        }

        switch request.action {
        case .claim:
            if !roles.contains(.contractor) {
                reject(.notPermitted(.claim))
            } else if before != .ready {
                reject(.wrongState(.claim, before))
            } else if status.blocked {
                reject(.blocked)
            } else if case let missing = undelivered(status.dependsOn, in: state), !missing.isEmpty {
                reject(.dependenciesNotDelivered(missing))
            } else {
                status.assignee = who
                move(to: .inProgress)
            }
        case .unclaim:
            if before != .inProgress {
                reject(.wrongState(.unclaim, before))
            } else if !(isAssignee || isOperator) {
                reject(.notPermitted(.unclaim))
            } else {
                status.assignee = nil
                move(to: readiness())
            }
        case .submit:
            if before != .inProgress {
                reject(.wrongState(.submit, before))
            } else if !isAssignee {
                reject(.notPermitted(.submit))
            } else if let findings = commit.deliveryFindings[request.packet], !findings.isEmpty {
                reject(.deliveryIncomplete(findings))
            } else if commit.deliveryFindings[request.packet] == nil {
                reject(.deliveryNotChecked)
            } else {
                move(to: .inReview)
            }
        case .accept, .requestChanges:
            // Only the assignee submits, and a packet leaves review only through here: in review, the
            // assignee is who submitted the delivery under review.
            if before != .inReview {
                reject(.wrongState(request.action, before))
            } else if !isReviewer {
                reject(.notPermitted(request.action))
            } else if isAssignee {
                reject(.ownDelivery(request.action, reviewer: who))
            } else if request.action == .accept {
                move(to: .delivered)
            } else {
                status.round += 1
                move(to: .inProgress)
            }
        case .cancel:
            if before == .delivered || before == .cancelled {
                reject(.wrongState(.cancel, before))
            } else if !(isClient || isOperator) {
                reject(.notPermitted(.cancel))
            } else {
                status.blocked = false
                move(to: .cancelled)
            }
        case .reopen:
            if before != .cancelled {
                reject(.wrongState(.reopen, before))
            } else if !(isClient || isOperator) {
                reject(.notPermitted(.reopen))
            } else {
                status.assignee = nil
                move(to: readiness())
            }
        case .block, .unblock:
            let blocking = request.action == .block
            if !before.isOpen {
                reject(.wrongState(request.action, before))
            } else if !(isClient || isAssignee || isOperator) {
                reject(.notPermitted(request.action))
            } else if status.blocked == blocking {
                reject(.alreadyInBlockState(blocked: blocking))
            } else {
                status.blocked = blocking
                status.history.append(entry(commit, .workflow(request.action), before, before, .applied(note: request.note)))
            }
        }
        state.packets[request.packet] = status
    }

    /// Dependencies that are not delivered (unknown ones included).
    private func undelivered(_ dependencies: [String], in state: WorkflowState) -> [String] {
        dependencies.filter { name in
            guard let id = PacketID(name), let status = state.packets[id] else { return true }
            return status.state != .delivered
        }
    }

    // MARK: Records

    private func rejectOrRecord(
        _ id: PacketID, _ commit: CommitInput, _ action: HistoryAction, _ rejection: Rejection,
        state: inout WorkflowState
    ) {
        if state.packets[id] != nil {
            record(on: id, commit, action, .rejected(rejection), state: &state)
        } else {
            state.record(event(commit, .changeRejected(action, id, rejection)))
        }
    }

    private func record(
        on id: PacketID, _ commit: CommitInput, _ action: HistoryAction, _ outcome: HistoryOutcome,
        state: inout WorkflowState
    ) {
        guard var status = state.packets[id] else { return }
        status.history.append(entry(commit, action, status.state, status.state, outcome))
        state.packets[id] = status
    }

    private func entry(
        _ commit: CommitInput, _ action: HistoryAction, _ from: PacketState?, _ to: PacketState?,
        _ outcome: HistoryOutcome
    ) -> HistoryEntry {
        HistoryEntry(at: commit.time, commit: commit.id, by: commit.identity, kind: action, from: from, to: to, outcome: outcome)
    }

    private func event(_ commit: CommitInput, _ kind: BoardEventKind) -> BoardEvent {
        BoardEvent(at: commit.time, commit: commit.id, by: commit.identity, kind: kind)
    }
}
