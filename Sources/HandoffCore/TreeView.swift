/// What a path in a tree holds, as far as packet checks care.
public enum EntryKind: String, Sendable, Hashable, Codable {
    /// A regular file.
    case file
    /// An executable file (content is read like a file).
    case executable
    /// A folder.
    case folder
    /// A symbolic link: never followed, packets must hold real files.
    case symlink
    /// A submodule (gitlink): content lives in another repository.
    case submodule
    /// A socket, device or pipe on disk: never part of a packet.
    case special
}

/// One entry of a ``TreeView``.
public struct TreeViewEntry: Sendable, Hashable {
    /// The path from the view's root, `/`-separated.
    public var path: String
    /// What the path holds.
    public var kind: EntryKind

    /// Creates an entry.
    public init(path: String, kind: EntryKind) {
        self.path = path
        self.kind = kind
    }

    /// The last path component.
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }
}

/// The result of reading a file through a ``TreeView`` under a size limit.
public enum FileRead: Sendable, Hashable {
    /// The whole file.
    case bytes([UInt8])
    /// The file is larger than the limit; only its size is known.
    case tooLarge(size: Int)
    /// Nothing at that path.
    case missing
    /// The path holds something other than a file (folder, symlink, submodule).
    case notAFile(EntryKind)
}

/// A read-only view of a tree: a folder on disk or a git tree at a commit; the only way checks see files.
///
/// Implementations throw only for infrastructure failures (I/O, a corrupt repository), never for content.
public protocol TreeView {
    /// The entry at `path`, or nil when there is none.
    func entry(at path: String) throws -> TreeViewEntry?
    /// The entries directly inside folder `path` ("" for the root) sorted by path bytes, as git sorts; nil when it is not a folder.
    func entries(inFolder path: String) throws -> [TreeViewEntry]?
    /// The content of the file at `path`, reading at most `limit` bytes.
    func read(_ path: String, limit: Int) throws -> FileRead
    /// An id that changes whenever the file's content does (a git blob id), or nil when the view has none.
    ///
    /// Check results keyed by it can be reused for every file with the same content.
    func contentID(at path: String) throws -> String?
}

extension TreeView {
    /// No content ids by default: nothing is memoised.
    public func contentID(at path: String) throws -> String? { nil }
}

extension TreeView {
    /// Every entry below `folder`, depth first in path order, visiting at most `limit` entries.
    ///
    /// Returns nil for a folder that does not exist. The limit bounds the work a hostile tree can cause.
    public func walk(_ folder: String, limit: Int) throws -> (entries: [TreeViewEntry], truncated: Bool)? {
        guard let top = try entries(inFolder: folder) else { return nil }
        var result: [TreeViewEntry] = []
        var stack = Array(top.reversed())
        while let next = stack.popLast() {
            guard result.count < limit else { return (result, true) }
            result.append(next)
            if next.kind == .folder, let children = try entries(inFolder: next.path) {
                stack.append(contentsOf: children.reversed())
            }
        }
        return (result, false)
    }
}
