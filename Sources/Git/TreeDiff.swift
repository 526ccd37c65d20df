internal import CGit2

/// One path that differs between two trees, as `git diff-tree -r --no-renames` reports it.
public struct TreeChange: Hashable, Sendable {
    /// How the path changed.
    public enum Kind: String, Sendable, Hashable {
        /// The path is new (`A`).
        case added = "A"
        /// The path is gone (`D`).
        case deleted = "D"
        /// The content or mode changed (`M`).
        case modified = "M"
        /// The kind of entry changed, e.g. a file became a symlink (`T`).
        case typeChanged = "T"
    }

    /// The path, `/`-separated from the root.
    public var path: String
    /// How it changed.
    public var kind: Kind
    /// The object before, nil when added.
    public var oldID: ObjectID?
    /// The object after, nil when deleted.
    public var newID: ObjectID?
    /// The mode before, nil when added.
    public var oldMode: FileMode?
    /// The mode after, nil when deleted.
    public var newMode: FileMode?
}

extension Repository {
    /// Every file-level path that differs from `old` to `new` (nil = the empty tree), sorted by path.
    ///
    /// Recursive, no rename detection: each change is one path, as the workflow needs it.
    public func diff(from old: ObjectID?, to new: ObjectID) throws(GitError) -> [TreeChange] {
        var options = git_diff_options()
        try check(git_diff_options_init(&options, UInt32(GIT_DIFF_OPTIONS_VERSION)), "prepare diff")
        options.flags = GIT_DIFF_INCLUDE_TYPECHANGE.rawValue | GIT_DIFF_INCLUDE_TYPECHANGE_TREES.rawValue
        let operation = "diff \(old?.abbreviated() ?? "empty tree")..\(new.abbreviated())"
        return try withTree(new) { (newTree) throws(GitError) -> [TreeChange] in
            var diff: OpaquePointer?
            if let old {
                try withTree(old) { (oldTree) throws(GitError) in
                    try check(git_diff_tree_to_tree(&diff, pointer, oldTree, newTree, &options), operation)
                }
            } else {
                try check(git_diff_tree_to_tree(&diff, pointer, nil, newTree, &options), operation)
            }
            defer { git_diff_free(diff) }
            var changes: [TreeChange] = []
            let count = git_diff_num_deltas(diff)
            changes.reserveCapacity(count)
            for index in 0..<count {
                let delta = git_diff_get_delta(diff, index)!.pointee
                let kind: TreeChange.Kind
                switch delta.status {
                case GIT_DELTA_ADDED: kind = .added
                case GIT_DELTA_DELETED: kind = .deleted
                case GIT_DELTA_MODIFIED: kind = .modified
                case GIT_DELTA_TYPECHANGE: kind = .typeChanged
                default:
                    throw GitError(operation: operation, code: .generic, message: "unexpected delta status \(delta.status.rawValue)")
                }
                let oldSide = kind == .added ? nil : delta.old_file
                let newSide = kind == .deleted ? nil : delta.new_file
                let path = String(cString: (newSide ?? oldSide)!.path)
                changes.append(TreeChange(
                    path: path,
                    kind: kind,
                    oldID: oldSide.map { ObjectID($0.id) },
                    newID: newSide.map { ObjectID($0.id) },
                    oldMode: oldSide.flatMap { FileMode(rawValue: UInt32($0.mode)) },
                    newMode: newSide.flatMap { FileMode(rawValue: UInt32($0.mode)) }
                ))
            }
            return changes.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        }
    }
}
