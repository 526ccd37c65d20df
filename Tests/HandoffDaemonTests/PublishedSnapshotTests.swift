import Foundation
import Git
import GitTestSupport
import HandoffCore
import HandoffEngine
import Testing

/// What the HTTP server serves: the status at the status reference's tip, read into a snapshot that reuses
/// the packets whose folder did not change.
@Suite("Published snapshots", .enabled(if: Executables.built, "the handoff and handoffd executables are not built"))
struct PublishedSnapshotTests {
    @Test("a snapshot holds the published status, manifests and criteria; a later one re-reads only the changed packet folders")
    func incremental() throws {
        let sandbox = try Sandbox()
        _ = try runProcess(Executables.handoff, ["demo", sandbox.root, "--http-listen", "off", "--status-branch", "off"])
        let config = "\(sandbox.root)/handoffd.yaml"
        let bare = "\(sandbox.root)/specs.git"
        #expect(try runProcess(Executables.handoffd, ["--config", config, "--once"], environment: sandbox.environment).status == 0)
        let first = try PublishedSnapshotReader.read(
            try Repository.open(at: bare), name: "demo", branch: "main", statusReference: "refs/heads/main")
        #expect(first.statusCommit == (try sandbox.git(["rev-parse", "main"], in: bare)))
        #expect(first.packets.map(\.id.rawValue) == ["PAY-142", "PAY-150"])
        let ready = try #require(first.packet(PacketID("PAY-142")!))
        #expect(ready.client == "payments" && ready.scope == .finite && ready.criteria.compactMap(\.id) == ["AC-1", "AC-2", "AC-3"])
        #expect(ready.status.state == .ready && ready.folderTree?.count == 40)
        #expect(first.publishedAt.flatMap(UTCTime.init) != nil)
        // Unchanged tip: the same snapshot back.
        let again = try PublishedSnapshotReader.read(
            try Repository.open(at: bare), name: "demo", branch: "main", statusReference: "refs/heads/main", previous: first)
        #expect(again.statusCommit == first.statusCommit && again.packets == first.packets)

        // A client edits PAY-150 only; the next snapshot must take PAY-142 from the previous one (marked here).
        try sandbox.git(["clone", "-q", bare, "clone"], in: sandbox.root)
        let clone = "\(sandbox.root)/clone"
        try signAsDemoParticipant("bo", demo: sandbox.root, clone: clone)
        try "# Refund webhooks\n\nEdited.\n".write(toFile: "\(clone)/specs/PAY-150/notes.md", atomically: true, encoding: .utf8)
        try sandbox.git(["add", "-A"], in: clone)
        try sandbox.git(
            ["commit", "-q", "-m", "PAY-150: notes"], in: clone,
            env: ["GIT_AUTHOR_EMAIL": "bo@acme.example", "GIT_COMMITTER_EMAIL": "bo@acme.example"])
        try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        #expect(try runProcess(Executables.handoffd, ["--config", config, "--once"], environment: sandbox.environment).status == 0)
        var marked = first.packets
        marked[0].status.title = "taken from the previous snapshot"
        let previous = PublishedRepository(
            name: "demo", branch: "main", statusReference: "refs/heads/main", statusCommit: first.statusCommit, publishedAt: first.publishedAt,
            packets: marked, events: first.events)
        let second = try PublishedSnapshotReader.read(
            try Repository.open(at: bare), name: "demo", branch: "main", statusReference: "refs/heads/main", previous: previous)
        #expect(second.statusCommit != first.statusCommit)
        #expect(second.packet(PacketID("PAY-142")!)?.status.title == "taken from the previous snapshot")
        let edited = try #require(second.packet(PacketID("PAY-150")!))
        #expect(edited.folderTree != first.packet(PacketID("PAY-150")!)?.folderTree)
        #expect(edited.status.history.last?.kind == .specChange)
    }
}
