import GitPaths
import Testing

@testable import HandoffCore

/// The content-in-force rules and the view checks read through, without git.
@Suite("Content in force (pure)")
struct ContentInForceUnitTests {
    static let operators = ["ops@acme.example"]

    static func state() -> WorkflowState {
        var policy = Policy()
        policy.roles = ["client": ["*@acme.example"], "contractor": ["*@contractors.example"]]
        var state = WorkflowState(policy: policy)
        var status = PacketStatus(id: PacketID("PAY-1")!, since: "t", specRevision: "c0")
        status.assignee = "dev@contractors.example"
        status.state = .inProgress
        state.packets[status.id] = status
        return state
    }

    static func input(_ who: String, _ changes: [FileChange], held: [BytePath: String?] = [:], id: String = "c1") -> CommitInput {
        var input = CommitInput(id: id, identity: who, time: "t")
        input.fileChanges = changes
        input.heldInTree = held
        return input
    }

    @Test("who may change which area; a refused change is held at its version before; status files and other paths are nobody's concern")
    func areasAndRefusals() {
        #expect(ContentInForce.area(of: "specs/PAY-1/acceptance.md", packetRoot: "specs") == .spec(PacketID("PAY-1")!))
        #expect(ContentInForce.area(of: "specs/PAY-1/delivery/DELIVERY.md", packetRoot: "specs") == .delivery(PacketID("PAY-1")!))
        #expect(ContentInForce.area(of: "specs/PAY-1/status.yaml", packetRoot: "specs") == nil)
        #expect(ContentInForce.area(of: "README.md", packetRoot: "specs") == nil)
        #expect(ContentInForce.area(of: ".handoff/policy.yaml", packetRoot: "specs") == .policy)
        let state = Self.state()
        let spec = FileChange(path: "specs/PAY-1/acceptance.md", before: "a1", after: "a2")
        let delivery = FileChange(path: "specs/PAY-1/delivery/DELIVERY.md", before: nil, after: "d1")
        let byContractor = ContentInForce.judge(Self.input("dev@contractors.example", [spec, delivery]), state: state, operators: Self.operators)
        #expect(byContractor.refused == [BytePath(spec.path): .specChangeNotPermitted])
        #expect(byContractor.held == [BytePath(spec.path): HeldFile(path: spec.path, inForce: "a1", refusedBy: "c1")])
        let byClient = ContentInForce.judge(Self.input("ana@acme.example", [spec, delivery]), state: state, operators: Self.operators)
        #expect(byClient.refused == [BytePath(delivery.path): .deliveryChangeNotPermitted])
        #expect(byClient.held[BytePath(delivery.path)]?.inForce == nil)
        var unsigned = Self.input("ana@acme.example", [spec])
        unsigned.unverified = .unsigned
        #expect(ContentInForce.judge(unsigned, state: state, operators: Self.operators).refused[BytePath(spec.path)] == .unverified(.unsigned))
    }

    @Test("a held file: a change on top is refused even from someone allowed; restoring it, by anyone or under the commit, releases it")
    func heldUntilRestored() {
        var state = Self.state()
        let path = "specs/PAY-1/acceptance.md"
        state.held[BytePath(path)] = HeldFile(path: path, inForce: "a1", refusedBy: "c1")
        let onTop = ContentInForce.judge(
            Self.input("ana@acme.example", [FileChange(path: path, before: "a2", after: "a3")], id: "c2"), state: state, operators: Self.operators)
        #expect(onTop.refused[BytePath(path)] == .buildsOnRefusedChange(path: path, refusedBy: "c1"))
        #expect(onTop.held[BytePath(path)] == HeldFile(path: path, inForce: "a1", refusedBy: "c2"))
        let restored = ContentInForce.judge(
            Self.input("dev@contractors.example", [FileChange(path: path, before: "a2", after: "a1")]), state: state, operators: Self.operators)
        #expect(restored.held.isEmpty && restored.refused.isEmpty)
        let underneath = ContentInForce.judge(
            Self.input("dev@contractors.example", [], held: [BytePath(path): "a1"]), state: state, operators: Self.operators)
        #expect(underneath.held.isEmpty)
        let stillThere = ContentInForce.judge(
            Self.input("dev@contractors.example", [], held: [BytePath(path): "a2"]), state: state, operators: Self.operators)
        #expect(stillThere.held[BytePath(path)] != nil)
    }

    @Test("the policy: a non-operator's change is held; an operator's change on top is not in force; restoring releases it")
    func policyHeld() {
        var state = Self.state()
        var granted = state.policy
        granted.roles["reviewer"] = ["dev@contractors.example"]
        let file = FileChange(path: Policy.path, before: "p1", after: "p2")
        var byContractor = Self.input("dev@contractors.example", [file])
        byContractor.policyChange = (granted, [])
        let refused = ContentInForce.judge(byContractor, state: state, operators: Self.operators)
        #expect(refused.policy == .unauthorized)
        #expect(refused.held[BytePath(Policy.path)]?.inForce == "p1")
        state.held = refused.held
        var byOperator = Self.input("ops@acme.example", [FileChange(path: Policy.path, before: "p2", after: "p3")], id: "c2")
        byOperator.policyChange = (granted, [])
        #expect(ContentInForce.judge(byOperator, state: state, operators: Self.operators).policy == .buildsOnRefusedChange(refusedBy: "c1"))
        var restore = Self.input("dev@contractors.example", [FileChange(path: Policy.path, before: "p2", after: "p1")], id: "c3")
        restore.policyChange = (state.policy, [])
        let released = ContentInForce.judge(restore, state: state, operators: Self.operators)
        #expect(released.policy == .unchanged && released.held.isEmpty)
    }

    @Test("the view: held files read at their version in force, an added one hidden, a deleted one (and its folder) back")
    func view() throws {
        let base = MemoryTreeView(["specs/P/a.md": "edited", "specs/P/new.md": "added"])
        let blobs = ["b-a": "in force", "b-gone": "deleted by the refused change"]
        let held: [BytePath: HeldFile] = [
            "specs/P/a.md": HeldFile(path: "specs/P/a.md", inForce: "b-a", refusedBy: "c"),
            "specs/P/new.md": HeldFile(path: "specs/P/new.md", inForce: nil, refusedBy: "c"),
            "specs/P/contracts/api.yaml": HeldFile(path: "specs/P/contracts/api.yaml", inForce: "b-gone", refusedBy: "c"),
        ]
        let view = InForceView(base: base, held: held) { id, _ in blobs[id].map { .bytes(Array($0.utf8)) } ?? .missing }
        #expect(try view.read("specs/P/a.md", limit: 100) == .bytes(Array("in force".utf8)))
        #expect(try view.read("specs/P/new.md", limit: 100) == .missing)
        #expect(try view.entry(at: "specs/P/new.md") == nil)
        #expect(try view.entries(inFolder: "specs/P")?.map(\.path) == ["specs/P/a.md", "specs/P/contracts"])
        #expect(try view.entries(inFolder: "specs/P/contracts")?.map(\.path) == ["specs/P/contracts/api.yaml"])
        #expect(try view.entry(at: "specs/P/contracts")?.kind == .folder)
        #expect(try view.contentID(at: "specs/P/a.md") == "b-a")
        #expect(try view.read("specs/P/contracts/api.yaml", limit: 100) == .bytes(Array("deleted by the refused change".utf8)))
    }

    @Test("paths are told apart as git does: a decomposed name does not release the composed one, and a `/` before a combining mark separates")
    func pathsAsBytes() {
        var state = Self.state()
        let composed = "specs/PAY-1/contracts/caf\u{E9}.yaml", decomposed = "specs/PAY-1/contracts/cafe\u{301}.yaml"
        #expect(composed == decomposed)  // to Swift; two files to git
        state.held[BytePath(composed)] = HeldFile(path: composed, inForce: "a1", refusedBy: "c1")
        // The other file takes the held file's version in force: before, one String key, so this released the hold.
        let other = ContentInForce.judge(
            Self.input("ana@acme.example", [FileChange(path: decomposed, before: nil, after: "a1")], id: "c2"), state: state,
            operators: Self.operators)
        #expect(other.held[BytePath(composed)] == HeldFile(path: composed, inForce: "a1", refusedBy: "c1"))
        #expect(other.held.count == 1 && other.refused.isEmpty)
        // `delivery/` then a combining mark: inside delivery/ to git, so the assignee's, not the client's.
        let marked = "specs/PAY-1/delivery/\u{301}evidence.txt"
        #expect(ContentInForce.area(of: marked, packetRoot: "specs") == .delivery(PacketID("PAY-1")!))
        #expect(ContentInForce.area(of: "specs/PAY-1/\u{301}status.yaml", packetRoot: "specs") == .spec(PacketID("PAY-1")!))
        let byClient = ContentInForce.judge(
            Self.input("ana@acme.example", [FileChange(path: marked, before: nil, after: "e1")]), state: Self.state(), operators: Self.operators)
        #expect(byClient.refused[BytePath(marked)] == .deliveryChangeNotPermitted)
    }
}
