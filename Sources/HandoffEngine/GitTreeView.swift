public import Git
import GitPaths
public import HandoffCore

/// A ``TreeView`` of a git tree at a commit, read through the `Git` layer; nothing is checked out.
///
/// Holds a ``Repository`` handle, so like the handle it stays on the thread that made it.
public struct GitTreeView: TreeView {
    /// The repository read from.
    public let repository: Repository
    /// The root tree viewed.
    public let tree: ObjectID

    /// A view of `tree` in `repository`.
    public init(repository: Repository, tree: ObjectID) {
        self.repository = repository
        self.tree = tree
    }

    /// A view of the tree of commit `commit`.
    public init(repository: Repository, commit: ObjectID) throws {
        self.init(repository: repository, tree: try repository.tree(ofCommit: commit))
    }

    public func entry(at path: String) throws -> TreeViewEntry? {
        try repository.entry(at: path, inTree: tree).map(Self.viewEntry)
    }

    public func entries(inFolder path: String) throws -> [TreeViewEntry]? {
        try repository.entries(inFolder: path, ofTree: tree)?.map(Self.viewEntry).sorted { BytePath($0.path) < BytePath($1.path) }
    }

    public func read(_ path: String, limit: Int) throws -> FileRead {
        guard let entry = try repository.entry(at: path, inTree: tree) else { return .missing }
        guard entry.mode.isFile else { return .notAFile(Self.kind(entry.mode)) }
        switch try repository.blob(entry.id, sizeLimit: limit) {
        case .data(let data): return .bytes(Array(data))
        case .tooLarge(let size): return .tooLarge(size: size)
        }
    }

    public func contentID(at path: String) throws -> String? {
        guard let entry = try repository.entry(at: path, inTree: tree), entry.mode.isFile else { return nil }
        return entry.id.hex
    }

    static func viewEntry(_ entry: TreeEntry) -> TreeViewEntry {
        TreeViewEntry(path: entry.path, kind: kind(entry.mode))
    }

    static func kind(_ mode: FileMode) -> EntryKind {
        switch mode {
        case .blob: .file
        case .executable: .executable
        case .tree: .folder
        case .symlink: .symlink
        case .submodule: .submodule
        }
    }
}
