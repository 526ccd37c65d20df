import Foundation
public import Git
public import HandoffCore

/// Reads a repository's last published status (what git says: the status files and board at the status
/// reference's tip) into an immutable ``PublishedRepository``, off any request path.
///
/// Given the previous snapshot, a packet whose folder tree is unchanged is reused as it was: a worker that
/// publishes a few packets re-reads those only, whatever the repository's size.
public enum PublishedSnapshotReader {
    /// The snapshot of `repository` at `statusReference` (`refs/heads/main` or the status branch).
    public static func read(
        _ repository: Repository, name: String, branch: String, statusReference: String, previous: PublishedRepository? = nil
    ) throws -> PublishedRepository {
        guard let tip = try repository.referenceTarget(statusReference) else {
            return PublishedRepository(
                name: name, branch: branch, statusReference: statusReference, statusCommit: nil, publishedAt: nil, packets: [], events: [])
        }
        if let previous, previous.statusCommit == tip.description, previous.name == name { return previous }
        return try read(repository, name: name, branch: branch, statusReference: statusReference, commit: tip, previous: previous)
    }

    /// The snapshot of `repository` at `commit` (what `statusReference` points at): for a clone, whose status
    /// tip may be a remote-tracking branch.
    public static func read(
        _ repository: Repository, name: String, branch: String, statusReference: String, commit tip: ObjectID,
        previous: PublishedRepository? = nil
    ) throws -> PublishedRepository {
        let commit = try repository.commitOrFrame(tip).commit
        let view = GitTreeView(repository: repository, tree: commit.tree)
        var root = Policy().packetRoot
        var events: [BoardEvent] = []
        if case .bytes(let bytes) = try view.read(BoardFile.path, limit: 64 << 20),
            let state = try? BoardFile.parseState(String(decoding: bytes, as: UTF8.self))
        {
            root = state.policy.packetRoot
            events = state.events.reversed()
        } else {
            root = try Policy.load(from: view).0.packetRoot
        }
        var reusable: [PacketID: PublishedPacket] = [:]
        for packet in previous?.packets ?? [] { reusable[packet.id] = packet }
        var packets: [PublishedPacket] = []
        for entry in try repository.entries(inFolder: root, ofTree: commit.tree) ?? [] where entry.mode == .tree {
            guard let id = PacketID(entry.name) else { continue }
            if let old = reusable[id], old.folderTree == entry.id.description {
                packets.append(old)
                continue
            }
            let folder = root.isEmpty ? entry.name : "\(root)/\(entry.name)"
            guard case .bytes(let bytes) = try view.read("\(folder)/\(StatusFile.fileName)", limit: 16 << 20),
                let status = try? StatusFile.parse(String(decoding: bytes, as: UTF8.self))
            else { continue }
            var packet = try PacketMaterial.read(folder: folder, id: id, status: status, in: view)
            packet.folderTree = entry.id.description
            packets.append(packet)
        }
        return PublishedRepository(
            name: name, branch: branch, statusReference: statusReference, statusCommit: tip.description,
            publishedAt: UTCTime(seconds: commit.committer.time.seconds).iso8601, packets: packets, events: events)
    }
}
