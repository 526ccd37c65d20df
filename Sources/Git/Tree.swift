internal import CGit2
import Foundation
public import GitPaths

/// A tree entry's mode, which tells files, executables, symlinks, folders and submodules apart.
public enum FileMode: UInt32, Sendable, Hashable, CustomStringConvertible {
    /// A folder (`040000`).
    case tree = 0o040000
    /// A regular file (`100644`).
    case blob = 0o100644
    /// An executable file (`100755`).
    case executable = 0o100755
    /// A symbolic link (`120000`): its blob holds the link target.
    case symlink = 0o120000
    /// A submodule (`160000`): its id names a commit in another repository.
    case submodule = 0o160000

    /// The mode as git prints it, e.g. `100644`.
    public var octal: String { String(rawValue, radix: 8).leftPadded(to: 6) }

    public var description: String { octal }

    /// True for regular and executable files, the only entries whose blob is file content.
    public var isFile: Bool { self == .blob || self == .executable }
}

/// One entry of a tree, found by path.
public struct TreeEntry: Hashable, Sendable {
    /// The path from the root tree, `/`-separated, e.g. `specs/PAY-142/handoff.yaml`.
    public var path: String
    /// The object the entry names (a blob, a tree, or for a submodule a foreign commit).
    public var id: ObjectID
    /// The entry's mode.
    public var mode: FileMode

    /// The last path component.
    public var name: String { GitPath.components(path).last ?? path }
}

extension Repository {
    /// The entry at `path` in `tree`, or nil when there is none. An empty path is not an entry.
    public func entry(at path: String, inTree tree: ObjectID) throws(GitError) -> TreeEntry? {
        let components = GitPath.components(path)
        let normalized = components.joined(separator: "/")
        guard !normalized.isEmpty else { return nil }
        // Walked one folder at a time through the kept trees, rather than git_tree_entry_bypath, whose
        // intermediate trees would be parsed again for every path.
        var folder = tree, first = 0
        // The deepest folder of the path whose id a diff of this tree already found; no deeper than the
        // deepest known folder, so a path of a hundred thousand components costs no prefix per component.
        let deepestHint = folderHints.flatMap { $0.tree == tree ? $0.deepest : nil } ?? 0
        for depth in stride(from: min(components.count - 1, deepestHint), through: 1, by: -1) {
            if let id = knownFolder(components[..<depth].joined(separator: "/"), inTree: tree) {
                folder = id
                first = depth
                break
            }
        }
        for (index, component) in components.enumerated().dropFirst(first) {
            let handle = try trees.handle(folder, in: pointer)
            guard let raw = git_tree_entry_byname(handle, component) else { return nil }
            if index == components.count - 1 { return try makeEntry(raw, path: normalized) }
            guard git_tree_entry_type(raw) == GIT_OBJECT_TREE else { return nil }
            folder = ObjectID(git_tree_entry_id(raw))
        }
        return nil
    }

    /// Lets path lookups in `tree` start at these of its folders (path → id, as ``diff(from:to:folders:)``
    /// found them in `tree`) instead of walking down from its root; replaces what was known of another tree.
    /// Another thread's diff, on its own handle, then spares this one parsing a packet root again.
    public func knowFolders(_ folders: [BytePath: ObjectID], inTree tree: ObjectID) {
        // The deepest hint's component count, once: lookups never try a prefix deeper than it.
        let deepest = folders.keys.map { $0.text.utf8.count(where: { $0 == UInt8(ascii: "/") }) + 1 }.max() ?? 0
        folderHints = folders.isEmpty ? nil : (tree, folders, deepest)
    }

    /// The id of folder `path` of `tree`, when ``knowFolders(_:inTree:)`` gave it.
    private func knownFolder(_ path: String, inTree tree: ObjectID) -> ObjectID? {
        guard let hints = folderHints, hints.tree == tree else { return nil }
        return hints.folders[BytePath(path)]
    }

    /// The entries directly inside the folder `path` of `tree` (the root when empty), in git's order.
    ///
    /// Returns nil when `path` does not exist or is not a folder.
    public func entries(inFolder path: String, ofTree tree: ObjectID) throws(GitError) -> [TreeEntry]? {
        let normalized = GitPath.normalized(path)
        guard let folder = try folderID(normalized, inTree: tree) else { return nil }
        return try withTree(folder) { (handle) throws(GitError) -> [TreeEntry] in
            let count = git_tree_entrycount(handle)
            var entries: [TreeEntry] = []
            entries.reserveCapacity(count)
            for index in 0..<count {
                let raw = git_tree_entry_byindex(handle, index)!
                guard let name = Repository.name(raw) else { continue }  // not UTF-8: outside the view
                entries.append(try makeEntry(raw, path: normalized.isEmpty ? name : "\(normalized)/\(name)"))
            }
            return entries
        }
    }

    /// How many entries the folder at `path` of `tree` holds, names that are not UTF-8 included (which
    /// ``entries(inFolder:ofTree:)`` leaves out); nil when there is no folder there.
    public func entryCount(inFolder path: String, ofTree tree: ObjectID) throws(GitError) -> Int? {
        guard let folder = try folderID(GitPath.normalized(path), inTree: tree) else { return nil }
        return try withTree(folder) { handle in git_tree_entrycount(handle) }
    }

    /// The id of the folder at `normalized` in `tree` (the tree itself when empty), or nil when no folder is there.
    private func folderID(_ normalized: String, inTree tree: ObjectID) throws(GitError) -> ObjectID? {
        if normalized.isEmpty { return tree }
        if let known = knownFolder(normalized, inTree: tree) { return known }
        guard let entry = try entry(at: normalized, inTree: tree), entry.mode == .tree else { return nil }
        return entry.id
    }

    /// Reads the blob at `path` of `tree`: nil when absent; the entry tells a file from a symlink or submodule.
    ///
    /// Only regular files and symlinks carry blob content; other kinds return their entry and no content.
    public func file(at path: String, inTree tree: ObjectID, sizeLimit: Int) throws(GitError) -> (entry: TreeEntry, content: BlobContent?)? {
        guard let entry = try entry(at: path, inTree: tree) else { return nil }
        guard entry.mode.isFile || entry.mode == .symlink else { return (entry, nil) }
        return (entry, try blob(entry.id, sizeLimit: sizeLimit))
    }

    func withTree<T>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        try body(try trees.handle(id, in: pointer))
    }

    private func makeEntry(_ raw: OpaquePointer, path: String) throws(GitError) -> TreeEntry {
        let rawMode = git_tree_entry_filemode(raw).rawValue
        guard let mode = FileMode(rawValue: rawMode) else {
            throw GitError(
                operation: "read tree entry \(path)", code: .wrongType,
                message: "unknown file mode \(String(rawMode, radix: 8))")
        }
        return TreeEntry(path: path, id: ObjectID(git_tree_entry_id(raw)), mode: mode)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
