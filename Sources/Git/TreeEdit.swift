internal import CGit2
public import Foundation

/// One change to apply to a tree: put a file at a path, or remove whatever is there.
public enum TreeEdit: Hashable, Sendable {
    /// Writes `content` as a blob at `path` (folders created as needed).
    case upsert(path: String, content: Data, mode: FileMode = .blob)
    /// Points `path` at an existing object.
    case upsertObject(path: String, id: ObjectID, mode: FileMode)
    /// Removes the entry at `path`; removing a missing path is not an error.
    case remove(path: String)

    /// The path the edit touches.
    public var path: String {
        switch self {
        case .upsert(let path, _, _), .upsertObject(let path, _, _), .remove(let path): path
        }
    }
}

extension Repository {
    /// Builds a new tree from `base` (nil = empty) plus `edits`, writing only objects; no index, no work tree.
    ///
    /// Later edits to the same path win. Folders left empty by removals disappear, as in git.
    public func buildTree(base: ObjectID?, edits: [TreeEdit]) throws(GitError) -> ObjectID {
        // One edit per path, the last one winning; libgit2 rejects duplicate paths in one update.
        var latest: [String: TreeEdit] = [:]
        var order: [String] = []
        for edit in edits {
            let path = try Self.validatedPath(edit.path)
            if latest.updateValue(edit, forKey: path) == nil { order.append(path) }
        }
        var resolved: [(path: String, action: git_tree_update_t, id: git_oid, mode: git_filemode_t)] = []
        for path in order {
            switch latest[path]! {
            case .upsert(_, let content, let mode):
                guard mode != .tree, mode != .submodule else {
                    throw GitError(
                        operation: "build tree", code: .invalidArgument,
                        message: "\(path): content can only be written as a file or symlink")
                }
                resolved.append((path, GIT_TREE_UPDATE_UPSERT, try writeBlob(content).oid, git_filemode_t(mode.rawValue)))
            case .upsertObject(_, let id, let mode):
                resolved.append((path, GIT_TREE_UPDATE_UPSERT, id.oid, git_filemode_t(mode.rawValue)))
            case .remove:
                if let base, try entry(at: path, inTree: base) == nil { continue }
                resolved.append((path, GIT_TREE_UPDATE_REMOVE, git_oid(), GIT_FILEMODE_UNREADABLE))
            }
        }
        let baseTree: ObjectID
        if let base { baseTree = base } else { baseTree = try emptyTree() }
        if resolved.isEmpty { return baseTree }
        return try withTree(baseTree) { (baseHandle) throws(GitError) -> ObjectID in
            try Self.withCStrings(resolved.map(\.path)) { (paths) throws(GitError) -> ObjectID in
                var updates = resolved.indices.map { index in
                    git_tree_update(
                        action: resolved[index].action, id: resolved[index].id,
                        filemode: resolved[index].mode, path: paths[index])
                }
                var out = git_oid()
                try check(
                    git_tree_create_updated(&out, pointer, baseHandle, updates.count, &updates),
                    "build tree from \(baseTree.abbreviated()) with \(updates.count) edits")
                return ObjectID(out)
            }
        }
    }

    /// Writes the empty tree (git can name it without storing it; libgit2 needs the object).
    public func emptyTree() throws(GitError) -> ObjectID {
        var builder: OpaquePointer?
        try check(git_treebuilder_new(&builder, pointer, nil), "create empty tree")
        defer { git_treebuilder_free(builder) }
        var oid = git_oid()
        try check(git_treebuilder_write(&oid, builder), "write empty tree")
        return ObjectID(oid)
    }

    /// A path is `a/b/c`: no empty, `.` or `..` component, no `.git` (any case), no NUL.
    static func validatedPath(_ path: String) throws(GitError) -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let bad =
            components.isEmpty || path.contains("\0")
            || components.contains { component in
                component.isEmpty || component == "." || component == ".." || component.lowercased() == ".git"
            }
        if bad {
            throw GitError(
                operation: "build tree", code: .invalidArgument,
                message: "'\(path)' is not a valid path inside a tree (empty, '.', '..' or '.git' component)")
        }
        return path
    }

    static func withCStrings<T>(
        _ strings: [String], _ body: ([UnsafePointer<CChar>]) throws(GitError) -> T
    ) throws(GitError) -> T {
        let duplicates = strings.map { strdup($0)! }
        defer { duplicates.forEach { free($0) } }
        return try body(duplicates.map { UnsafePointer($0) })
    }
}
