internal import CGit2
public import Foundation
import GitPaths

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
    /// Later edits to the same path win. Folders left empty by removals disappear, as in git. An upsert
    /// replaces whatever is in its way, as `git add -A` of the work tree would: a folder (or an entry of
    /// another kind) at its path, a file where one of its folders goes.
    public func buildTree(base: ObjectID?, edits: [TreeEdit]) throws(GitError) -> ObjectID {
        // An edit at a path and one inside it (a file put where a folder was, then a file inside it) cannot go
        // to libgit2 in one update, and their order matters: such edits apply one run after another, in order.
        var tree = base
        for run in Self.runsWithoutNesting(edits) { tree = try buildTreeOnce(base: tree, edits: run) }
        if let tree { return tree }
        return try emptyTree()
    }

    /// `edits` cut, in order, into runs that libgit2 applies as one update with the same result as applying
    /// them one after another. An edit at a path replaces what earlier edits put inside it (those are
    /// dropped); a removal inside a file put earlier has nothing to remove (dropped); an edit inside a file
    /// or folder put earlier starts a new run. An edit inside a removed path stays in the run: the removed
    /// path is cleared first as an obstacle (a file where a folder goes, or a removed folder with edits
    /// inside it), then the edits inside it apply.
    /// Almost always one run; never one per edit of a diff.
    static func runsWithoutNesting(_ edits: [TreeEdit]) -> [[TreeEdit]] {
        var runs: [[TreeEdit?]] = [[]]
        var at: [BytePath: Int] = [:]
        var inside: [BytePath: [Int]] = [:]
        for edit in edits {
            let path = GitPath.normalized(edit.path)
            let ancestors = GitPath.ancestors(path)
            var moot = false
            var newRun = false
            for folder in ancestors {
                guard let index = at[BytePath(folder)], let outer = runs[runs.count - 1][index] else { continue }
                switch (outer, edit) {
                case (.remove, _): continue
                case (.upsertObject(_, _, .tree), _): newRun = true
                case (_, .remove): moot = true
                default: newRun = true
                }
            }
            if moot, !newRun { continue }
            if newRun {
                runs.append([])
                at = [:]
                inside = [:]
            }
            let key = BytePath(path)
            for index in inside[key] ?? [] { runs[runs.count - 1][index] = nil }
            inside[key] = nil
            runs[runs.count - 1].append(edit)
            let index = runs[runs.count - 1].count - 1
            at[key] = index
            for folder in ancestors { inside[BytePath(folder), default: []].append(index) }
        }
        return runs.map { $0.compactMap { $0 } }.filter { !$0.isEmpty }
    }

    private func buildTreeOnce(base: ObjectID?, edits: [TreeEdit]) throws(GitError) -> ObjectID {
        // One edit per path (by bytes: git tells apart names Swift finds equal), the last one winning;
        // libgit2 rejects duplicate paths in one update.
        var latest: [BytePath: TreeEdit] = [:]
        var order: [String] = []
        for edit in edits {
            let path = try Self.validatedPath(edit.path)
            if latest.updateValue(edit, forKey: BytePath(path)) == nil { order.append(path) }
        }
        // libgit2 refuses to replace a folder by a file or a file by a folder in one update ("D/F conflict",
        // "cannot replace 'tree' with 'blob'"): what is in the way goes first, then the edits apply.
        if let base {
            let obstacles = try obstacles(to: order.map { latest[BytePath($0)]! }, in: base)
            if !obstacles.isEmpty {
                let clearedTree = try buildTree(base: base, edits: obstacles.map { .remove(path: $0) })
                let cleared = Set(obstacles.map { BytePath($0) })
                let rest = order.compactMap { path -> TreeEdit? in
                    let edit = latest[BytePath(path)]!
                    guard case .remove = edit,
                        cleared.contains(BytePath(path)) || GitPath.ancestors(path).contains(where: { cleared.contains(BytePath($0)) })
                    else { return edit }
                    return nil  // gone with the obstacle
                }
                return try buildTree(base: clearedTree, edits: rest)
            }
        }
        var updates: [PathUpdate] = []
        func add(_ path: String, _ object: (id: git_oid, mode: UInt32)?) {
            updates.append(PathUpdate(components: Array(path.utf8).split(separator: UInt8(ascii: "/")).map(Array.init), object: object))
        }
        for path in order {
            switch latest[BytePath(path)]! {
            case .upsert(_, let content, let mode):
                guard mode != .tree, mode != .submodule else {
                    throw GitError(
                        operation: "build tree", code: .invalidArgument,
                        message: "\(path): content can only be written as a file or symlink")
                }
                add(path, (try writeBlob(content).oid, mode.rawValue))
            case .upsertObject(_, let id, let mode):
                add(path, (id.oid, mode.rawValue))
            case .remove:
                if let base, try entry(at: path, inTree: base) == nil { continue }
                add(path, nil)
            }
        }
        let baseTree: ObjectID
        if let base { baseTree = base } else { baseTree = try emptyTree() }
        if updates.isEmpty { return baseTree }
        if let written = try writeUpdated(base: baseTree, updates: updates) { return written }
        return try createUpdated(base: baseTree, updates: updates)
    }

    /// ``writeUpdated(base:updates:)`` by libgit2's own update: for what that leaves to libgit2, and as the
    /// tests' reference.
    func createUpdated(base baseTree: ObjectID, updates: [PathUpdate]) throws(GitError) -> ObjectID {
        let paths = updates.map { String(decoding: Array($0.components.joined(separator: [UInt8(ascii: "/")])), as: UTF8.self) }
        return try withTree(baseTree) { (baseHandle) throws(GitError) -> ObjectID in
            try Self.withCStrings(paths) { (paths) throws(GitError) -> ObjectID in
                var updates = updates.indices.map { index in
                    git_tree_update(
                        action: updates[index].object == nil ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT,
                        id: updates[index].object?.id ?? git_oid(), filemode: git_filemode_t(updates[index].object?.mode ?? 0),
                        path: paths[index])
                }
                var out = git_oid()
                try check(
                    git_tree_create_updated(&out, pointer, baseHandle, updates.count, &updates),
                    "build tree from \(baseTree.abbreviated()) with \(updates.count) edits")
                return ObjectID(out)
            }
        }
    }

    /// The paths of `base` that the edits cannot be applied over in one update: an entry at an upsert's path
    /// whose object kind differs (a folder where a file goes, a file where a submodule goes), a non-folder
    /// where one of its folders goes, and a folder removed with edits inside it (libgit2 would rebuild it from
    /// `base`, keeping what the removal took). None inside another.
    private func obstacles(to edits: [TreeEdit], in base: ObjectID) throws(GitError) -> [String] {
        var found: [BytePath: String] = [:]
        let folders = Set(edits.flatMap { GitPath.ancestors($0.path).map { BytePath($0) } })
        for edit in edits {
            let mode: FileMode
            switch edit {
            case .upsert(_, _, let upserted): mode = upserted
            case .upsertObject(_, _, let upserted): mode = upserted
            case .remove(let path):
                if folders.contains(BytePath(path)), try entry(at: path, inTree: base)?.mode == .tree {
                    found[BytePath(path)] = GitPath.normalized(path)
                }
                continue
            }
            let components = GitPath.components(edit.path)
            var folder = ""
            for (index, component) in components.enumerated() {
                folder += (folder.isEmpty ? "" : "/") + component
                guard let entry = try entry(at: folder, inTree: base) else { break }
                if index == components.count - 1 {
                    if Self.objectKind(entry.mode) != Self.objectKind(mode) { found[BytePath(folder)] = folder }
                } else if entry.mode != .tree {
                    found[BytePath(folder)] = folder
                    break
                }
            }
        }
        return found.values.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.filter { path in
            !GitPath.ancestors(path).contains { found[BytePath($0)] != nil }
        }
    }

    /// What kind of object an entry of `mode` names: a folder, a commit (submodule) or a blob.
    static func objectKind(_ mode: FileMode) -> git_object_t {
        switch mode {
        case .tree: GIT_OBJECT_TREE
        case .submodule: GIT_OBJECT_COMMIT
        case .blob, .executable, .symlink: GIT_OBJECT_BLOB
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

    /// Whether ``buildTree(base:edits:)`` can write an entry at `path` (see ``validatedPath(_:)``).
    public static func isWritablePath(_ path: String) -> Bool { (try? validatedPath(path)) != nil }

    /// A path is `a/b/c`: no empty, `.` or `..` component, no `.git` (any case), no NUL.
    static func validatedPath(_ path: String) throws(GitError) -> String {
        let components = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        let bad =
            components.isEmpty || path.utf8.contains(0)
            || components.contains { component in
                component.isEmpty || component.utf8.elementsEqual(".".utf8) || component.utf8.elementsEqual("..".utf8)
                    || GitPath.isGitDirectoryName(component)
            }
        if bad {
            throw GitError(
                operation: "build tree", code: .invalidArgument,
                message: "'\(path)' is not a valid path inside a tree (empty, '.', '..', or a name git takes for '.git')")
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
