import Foundation
import Git
import GitPaths
import HandoffCore

/// The packet statuses of the status commit a run resumes from, read only when the fold first needs one.
///
/// A run that resumes from its own status touches a few packets; reading all of them would make its cost
/// follow the repository's size. The fold needs the statuses of the packets a commit touches or names in
/// a trailer, and of their dependencies; the board reuses the rows of every other packet.
final class StatusLoader {
    private let repository: Repository
    private let tree: ObjectID
    private let root: String
    /// Ids already looked up: a packet removed by the fold must not come back from the old tree.
    private var seen: Set<PacketID> = []
    /// The board of the resumed status commit.
    let board: String

    init(repository: Repository, tree: ObjectID, root: String, board: String) {
        self.repository = repository
        self.tree = tree
        self.root = root
        self.board = board
    }

    /// The resumed status commit's board for a run to update: its file, and its pages when it has them.
    var previousBoard: PreviousBoard {
        let paged = (try? repository.entry(at: BoardFile.pagePath(0), inTree: tree)) != nil
        let repository = repository, tree = tree
        return PreviousBoard(
            text: BoardFile.Previous(
                board: board,
                page: paged
                    ? { number in
                        guard case .data(let data)? = try? repository.file(at: BoardFile.pagePath(number), inTree: tree, sizeLimit: 64 << 20)?.content
                        else { return nil }
                        return String(decoding: data, as: UTF8.self)
                    } : nil),
            pageID: { number in try repository.entry(at: BoardFile.pagePath(number), inTree: tree)?.id })
    }

    /// Loads into `state` the statuses `commit` may need: packets named in its action trailers (before it is read).
    func prepare(trailersOf commit: Commit, state: inout WorkflowState) throws {
        let named = commit.trailers.filter { $0.key.caseInsensitiveCompare(ActionRequest.trailerKey) == .orderedSame }.compactMap {
            trailer -> PacketID? in
            guard case .success(let request) = ActionRequest.parse(trailer.value) else { return nil }
            return request.packet
        }
        try load(named, into: &state)
    }

    /// Loads the packets `input` touches and names, the packets they depend on, and the packets holding
    /// files not in force (the commit may release them, which rewrites their status).
    func prepare(_ input: CommitInput, state: inout WorkflowState) throws {
        let ids = Array(input.touched.keys)
        try load(ids, into: &state)
        try load(state.held.keys.compactMap { ContentInForce.packet(of: $0.text, packetRoot: state.policy.packetRoot) }.sorted(), into: &state)
        var dependencies: [PacketID] = []
        for id in ids {
            dependencies += (state.packets[id]?.dependsOn ?? []).compactMap(PacketID.init)
            dependencies += (input.touched[id]?.report?.manifest?.dependsOn ?? []).compactMap(PacketID.init)
        }
        for request in input.actionTrailers.compactMap({ try? ActionRequest.parse($0).get() }) {
            dependencies += (state.packets[request.packet]?.dependsOn ?? []).compactMap(PacketID.init)
        }
        try load(dependencies, into: &state)
    }

    /// Loads the packets of `ids` not looked up yet: a run that renders them again though the fold did not
    /// need them (their folders changed by no commit of their own).
    func load(packets ids: [PacketID], into state: inout WorkflowState) throws {
        try load(ids, into: &state)
    }

    /// Loads every packet not looked up yet (for a run that rewrites all status files).
    func loadAll(into state: inout WorkflowState) throws {
        let ids = try (repository.entries(inFolder: root, ofTree: tree) ?? []).filter { $0.mode == .tree }.compactMap { PacketID($0.name) }
        try load(ids, into: &state)
    }

    /// A status file of the resumed commit that does not parse: that commit cannot be trusted as a starting
    /// point, and the run starts again from the first commit.
    struct Unreadable: Error {
        var path: String
    }

    private func load(_ ids: [PacketID], into state: inout WorkflowState) throws {
        for id in ids where seen.insert(id).inserted && state.packets[id] == nil {
            let path = "\(root)/\(id)/\(StatusFile.fileName)"
            guard let file = try repository.file(at: path, inTree: tree, sizeLimit: 16 << 20), case .data(let data)? = file.content else { continue }
            do {
                state.packets[id] = try StatusFile.parse(String(decoding: data, as: UTF8.self))
            } catch {
                throw Unreadable(path: path)
            }
        }
    }
}

/// The board of the status commit a run resumes from: its text for ``BoardFile/renderAll(_:processed:at:updating:changed:pageThreshold:)``
/// and the ids of its pages, which a run writes back where it computed no new page.
struct PreviousBoard {
    /// The board file and pages as text.
    let text: BoardFile.Previous
    /// Page `number`'s blob id in the resumed tree (nil when it has none).
    let pageID: (Int) throws -> ObjectID?
}
