internal import CGit2
import Foundation
public import GitPaths

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
    /// Every file-level path that differs from `old` to `new` (nil = the empty tree), sorted by path; a
    /// differing folder nested ``maxTreeDepth`` deep is one change of mode `.tree` (the walk goes no deeper).
    ///
    /// Recursive, no rename detection: each change is one path, as the workflow needs it and as
    /// `git diff-tree -r --no-renames` reports it (a file replaced by a folder is a deletion plus additions).
    /// Both trees are walked side by side and only differing folders are entered, so an unchanged folder
    /// of thousands of entries costs one id comparison each (libgit2's diff walked every entry with
    /// far more work: it made long catch-ups quadratic in the size of the packet root, measured).
    public func diff(from old: ObjectID?, to new: ObjectID) throws(GitError) -> [TreeChange] {
        var folders: [BytePath: ObjectID]? = nil
        return try diff(from: old, to: new, folders: &folders)
    }

    /// ``diff(from:to:)``, also giving the id in `new` of each folder it entered (by path, bytes exact), when
    /// `folders` is not nil: what ``knowFolders(_:inTree:)`` takes, so that another handle reading `new`
    /// starts its paths there instead of parsing the folders above again.
    public func diff(from old: ObjectID?, to new: ObjectID, folders: inout [BytePath: ObjectID]?) throws(GitError) -> [TreeChange] {
        var changes: [TreeChange] = []
        try diffFolders(old, new, prefix: "", into: &changes, folders: &folders, recording: folders != nil)
        // A path twice only where a folder reported whole (at the depth bound) meets a file of its name: the
        // deletion first, so that edits applied in order leave what the new tree holds.
        return changes.sorted { a, b in
            if a.path.utf8.elementsEqual(b.path.utf8) { return a.kind == .deleted && b.kind != .deleted }
            return a.path.utf8.lexicographicallyPrecedes(b.path.utf8)
        }
    }

    /// Walks two folders in git's entry order, entering only subfolders whose ids differ; with `recording`,
    /// puts the new side's subfolders a walk of their paths reaches in `folders`.
    private func diffFolders(
        _ old: ObjectID?, _ new: ObjectID?, prefix: String, into changes: inout [TreeChange], folders: inout [BytePath: ObjectID]?,
        recording: Bool
    ) throws(GitError) {
        if let old, let new, old == new { return }
        // One call per level: a pushed tree nested tens of thousands deep (cheap to make) would overflow the
        // stack and take the whole process down. Past the bound (newer git refuses such trees, core.maxTreeDepth)
        // the folder is one change of its own, so that the commit can still be judged and history go on.
        if prefix.utf8.count(where: { $0 == UInt8(ascii: "/") }) >= Self.maxTreeDepth {
            let kind: TreeChange.Kind = old == nil ? .added : new == nil ? .deleted : .modified
            changes.append(
                TreeChange(
                    path: String(prefix.dropLast()), kind: kind, oldID: old, newID: new, oldMode: old == nil ? nil : .tree,
                    newMode: new == nil ? nil : .tree))
            return
        }
        // Owned references: the kept handles may be released while subfolders are looked up below.
        let oldTree = try old.map { (id) throws(GitError) in try ownedTree(id) }
        let newTree = try new.map { (id) throws(GitError) in try ownedTree(id) }
        defer {
            git_tree_free(oldTree)
            git_tree_free(newTree)
        }
        var oldCount = oldTree.map(git_tree_entrycount) ?? 0, newCount = newTree.map(git_tree_entrycount) ?? 0
        var i = 0, j = 0
        // The entries both hold alike at the start and at the end, found on the raw bytes: a packet root of
        // thousands of folders around one changed packet is otherwise ten calls into libgit2 per entry.
        if let oldTree, let newTree, oldCount >= Self.rawSkipEntries, newCount >= Self.rawSkipEntries,
            let alike = Self.commonEnds(oldTree, oldCount, newTree, newCount)
        {
            i = alike.prefix
            j = alike.prefix
            oldCount -= alike.suffix
            newCount -= alike.suffix
        }
        while i < oldCount || j < newCount {
            // Runs of entries both trees hold as they are (same name, mode and id) are most of a changed
            // folder (a packet root of 20,000 names around one changed packet): stepped over with as few
            // calls as the comparison needs, which is what the loop below would conclude for each of them.
            while i < oldCount, j < newCount, let a = git_tree_entry_byindex(oldTree, i), let b = git_tree_entry_byindex(newTree, j),
                git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)) != 0, git_tree_entry_filemode(a) == git_tree_entry_filemode(b),
                Self.sameName(git_tree_entry_name(a)!, git_tree_entry_name(b)!)
            {
                i += 1
                j += 1
            }
            guard i < oldCount || j < newCount else { break }
            let before = i < oldCount ? git_tree_entry_byindex(oldTree, i) : nil
            let after = j < newCount ? git_tree_entry_byindex(newTree, j) : nil
            let order: Int32 = if let before, let after { TreeOrder.compare(before, after) } else { before == nil ? 1 : -1 }
            if order < 0 {
                try deleted(before!, prefix: prefix, into: &changes, folders: &folders)
                i += 1
            } else if order > 0 {
                try added(after!, in: newTree, prefix: prefix, into: &changes, folders: &folders, recording: recording)
                j += 1
            } else if !Self.sameName(git_tree_entry_name(before)!, git_tree_entry_name(after)!) {
                // Equal in git's order under different names: a folder and a name holding a `/` (which git
                // never writes, a hostile tree may): two entries, never one folder entered as the other.
                try deleted(before!, prefix: prefix, into: &changes, folders: &folders)
                try added(after!, in: newTree, prefix: prefix, into: &changes, folders: &folders, recording: recording)
                i += 1
                j += 1
            } else {
                i += 1
                j += 1
                let oldMode = try Self.mode(before!), newMode = try Self.mode(after!)
                if git_oid_equal(git_tree_entry_id(before), git_tree_entry_id(after)) != 0 && oldMode == newMode { continue }
                guard let name = Self.name(after!) else { continue }
                let path = prefix + name
                if oldMode == .tree {  // equal order with one a tree means both are (a tree sorts as "name/")
                    let reached = recording && Self.record(after!, named: name, in: newTree, path: path, into: &folders)
                    try diffFolders(
                        ObjectID(git_tree_entry_id(before)), ObjectID(git_tree_entry_id(after)), prefix: path + "/", into: &changes,
                        folders: &folders, recording: reached)
                } else {
                    let kind: TreeChange.Kind = Self.kindClass(oldMode) == Self.kindClass(newMode) ? .modified : .typeChanged
                    changes.append(
                        TreeChange(
                            path: path, kind: kind, oldID: ObjectID(git_tree_entry_id(before)),
                            newID: ObjectID(git_tree_entry_id(after)), oldMode: oldMode, newMode: newMode))
                }
            }
        }
    }

    /// A parsed tree of the caller's own (free it with `git_tree_free`), safe from the shared handles' eviction.
    func ownedTree(_ id: ObjectID) throws(GitError) -> OpaquePointer {
        var copy: OpaquePointer?
        try check(git_object_dup(&copy, try trees.handle(id, in: pointer)), "look up tree \(id)")
        return copy!
    }

    /// Whether two entry names are the same bytes: a short loop, where the C library's vectorised `strcmp`
    /// paid more to start than a name of a few bytes costs to compare (a fifth of a catch-up's tree diffs).
    @inline(__always) private static func sameName(_ a: UnsafePointer<CChar>, _ b: UnsafePointer<CChar>) -> Bool {
        var index = 0
        while true {
            let byte = a[index]
            guard byte == b[index] else { return false }
            if byte == 0 { return true }
            index += 1
        }
    }

    /// Trees with fewer entries are compared entry by entry only.
    static let rawSkipEntries = 64

    /// How many entries at the start and at the end two trees hold byte for byte alike (name, mode and id),
    /// found with word compares on the trees' raw bytes; nil when their entries are not laid out as
    /// libgit2 1.5 parses a tree read from the object database (names in the object's own buffer, each
    /// followed by its NUL and raw id, entries back to back), checked on the entries the search touches:
    /// the entry-by-entry loop then does all the work, as before. The two runs never overlap.
    static func commonEnds(_ a: OpaquePointer, _ aCount: Int, _ b: OpaquePointer, _ bCount: Int) -> (prefix: Int, suffix: Int)? {
        guard let a0 = git_tree_entry_byindex(a, 0), let b0 = git_tree_entry_byindex(b, 0),
            git_tree_entry_filemode_raw(a0) == git_tree_entry_filemode_raw(b0),
            let aLayout = RawLayout(a, count: aCount), let bLayout = RawLayout(b, count: bCount)
        else { return nil }
        let limit = min(aLayout.length, bLayout.length)
        // Entries ending at or before the first differing byte are alike (entry 0's mode was compared apart).
        let differing = Self.firstDifference(aLayout.base, bLayout.base, limit)
        guard let prefix = aLayout.entries(endingBy: differing), prefix <= bCount,
            let prefixEnd = prefix == 0 ? 0 : aLayout.end(prefix - 1)
        else { return nil }
        // Equal trailing bytes, kept clear of the prefix's entries, must start an entry in both trees.
        let trailing = Self.commonSuffix(
            aLayout.base + aLayout.length, bLayout.base + bLayout.length, min(aLayout.length, bLayout.length) - prefixEnd)
        var suffix = 0
        var candidate = aLayout.firstEntry(startingFrom: aLayout.length - trailing)
        for _ in 0..<4 {
            guard let start = candidate, start.index >= max(prefix, 1), start.index < aCount else { break }
            let bOffset = bLayout.length - (aLayout.length - start.offset)
            // In git's order on both sides before it, too: a hostile tree (unsorted, a name twice) would pair
            // its middle with the suffix in the entry-by-entry loop, so its suffix is left to that loop.
            if let match = bLayout.firstEntry(startingFrom: bOffset), match.offset == bOffset, match.index >= max(prefix, 1),
                aCount - start.index == bCount - match.index, Self.ordered(a, before: start.index), Self.ordered(b, before: match.index)
            {
                suffix = aCount - start.index
                break
            }
            candidate = start.index + 1 < aCount ? aLayout.start(start.index + 1).map { (start.index + 1, $0) } : nil
        }
        return prefix + suffix <= min(aCount, bCount) ? (prefix, suffix) : (prefix, 0)
    }

    /// Whether entry `index - 1` sorts strictly before entry `index` in git's tree order.
    private static func ordered(_ tree: OpaquePointer, before index: Int) -> Bool {
        guard index > 0, let previous = git_tree_entry_byindex(tree, index - 1), let entry = git_tree_entry_byindex(tree, index) else {
            return false
        }
        return TreeOrder.compare(previous, entry) < 0
    }

    /// Where a parsed tree's entries lie in its raw bytes: from entry 0's name to the end of the last id.
    private struct RawLayout {
        let tree: OpaquePointer
        let count: Int
        let base: UnsafeRawPointer
        let length: Int

        init?(_ tree: OpaquePointer, count: Int) {
            guard let first = git_tree_entry_byindex(tree, 0), let name = git_tree_entry_name(first) else { return nil }
            let base = UnsafeRawPointer(name)
            guard let length = Self.end(of: count - 1, in: tree, from: base, within: Int.max), length > 0 else { return nil }
            self.tree = tree
            self.count = count
            self.base = base
            self.length = length
        }

        /// The offset from `base` just past entry `index`'s raw id, when that id follows the name's NUL as the
        /// id libgit2 copied out (the layout holds there) and the name lies within `limit` bytes of `base`.
        static func end(of index: Int, in tree: OpaquePointer, from base: UnsafeRawPointer, within limit: Int) -> Int? {
            guard let entry = git_tree_entry_byindex(tree, index), let name = git_tree_entry_name(entry), let id = git_tree_entry_id(entry)
            else { return nil }
            let offset = UnsafeRawPointer(name) - base
            guard offset >= 0, offset < limit else { return nil }
            let raw = UnsafeRawPointer(name) + strlen(name) + 1
            guard memcmp(raw, id, 20) == 0 else { return nil }
            return raw + 20 - base
        }

        /// The offset just past entry `index`'s raw id; nil when the layout does not hold there.
        func end(_ index: Int) -> Int? { Self.end(of: index, in: tree, from: base, within: length) }

        /// The offset where entry `index` starts: its mode, right after the previous entry's id.
        func start(_ index: Int) -> Int? { index == 0 ? 0 : end(index - 1) }

        /// How many entries end at or before `offset` (ends grow with the index); nil when the layout fails.
        func entries(endingBy offset: Int) -> Int? {
            var low = 0, high = count
            while low < high {
                let middle = (low + high) / 2
                guard let end = end(middle) else { return nil }
                if end <= offset { low = middle + 1 } else { high = middle }
            }
            return low
        }

        /// The first entry from index 1 on that starts at or after `offset`, and where it starts.
        func firstEntry(startingFrom offset: Int) -> (index: Int, offset: Int)? {
            var low = 1, high = count
            while low < high {
                let middle = (low + high) / 2
                guard let start = start(middle) else { return nil }
                if start < offset { low = middle + 1 } else { high = middle }
            }
            guard low < count, let start = start(low) else { return nil }
            return (low, start)
        }
    }

    /// The offset of the first byte that differs in the first `length` bytes, or `length`.
    static func firstDifference(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ length: Int) -> Int {
        var offset = 0
        while offset + 8 <= length,
            a.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        {
            offset += 8
        }
        while offset < length, a.load(fromByteOffset: offset, as: UInt8.self) == b.load(fromByteOffset: offset, as: UInt8.self) { offset += 1 }
        return offset
    }

    /// How many bytes before `aEnd` and `bEnd` are equal, at most `limit`.
    static func commonSuffix(_ aEnd: UnsafeRawPointer, _ bEnd: UnsafeRawPointer, _ limit: Int) -> Int {
        var count = 0
        while count + 8 <= limit,
            aEnd.loadUnaligned(fromByteOffset: -count - 8, as: UInt64.self) == bEnd.loadUnaligned(fromByteOffset: -count - 8, as: UInt64.self)
        {
            count += 8
        }
        while count < limit, aEnd.load(fromByteOffset: -count - 1, as: UInt8.self) == bEnd.load(fromByteOffset: -count - 1, as: UInt8.self) {
            count += 1
        }
        return count
    }

    /// Deepest folder nesting a diff enters; a folder at this depth that differs is reported whole.
    public static let maxTreeDepth = 1024

    private static func mode(_ entry: OpaquePointer) throws(GitError) -> FileMode {
        let rawMode = git_tree_entry_filemode(entry).rawValue
        guard let mode = FileMode(rawValue: rawMode) else {
            throw GitError(
                operation: "diff trees", code: .wrongType,
                message: "unknown file mode \(String(rawMode, radix: 8)) at \(String(cString: git_tree_entry_name(entry)))")
        }
        return mode
    }

    /// Regular and executable files are one kind (a mode change is a modification); symlinks and
    /// submodules are kinds of their own (a change between kinds is a type change, `T`).
    private static func kindClass(_ mode: FileMode) -> Int {
        switch mode {
        case .blob, .executable: 0
        case .symlink: 1
        case .submodule: 2
        case .tree: 3
        }
    }

    /// Puts folder `entry` (named `name` in `tree`, at `path`) in `folders` when a walk of `path` would reach
    /// this very entry, and says whether it did. A hostile tree may hold a name with `/`, the same name twice
    /// or names out of order; the walk looks each name up by a search, so only the entry that search finds
    /// stands for the path (and nothing below another is recorded).
    private static func record(
        _ entry: OpaquePointer, named name: String, in tree: OpaquePointer?, path: String, into folders: inout [BytePath: ObjectID]?
    ) -> Bool {
        guard let tree, !name.utf8.contains(UInt8(ascii: "/")), git_tree_entry_byname(tree, name) == entry else { return false }
        folders?[BytePath(path)] = ObjectID(git_tree_entry_id(entry))
        return true
    }

    /// An entry's name, or nil when it is not UTF-8 or holds a `/`: such names stay outside Handoff's view
    /// (never listed, diffed, read, judged or held). Repaired into a `String`, two of them (or one and a real
    /// U+FFFD) would be one path, so one file could release or stand in for another; and a name `a/b`, which
    /// git never writes, would read as the file `b` in folder `a`, which lookups never find there (a run once
    /// held the real file as refused and removed it).
    static func name(_ entry: OpaquePointer) -> String? {
        guard !holdsSlash(entry) else { return nil }
        return String(validatingCString: git_tree_entry_name(entry))
    }

    private func added(
        _ entry: OpaquePointer, in tree: OpaquePointer?, prefix: String, into changes: inout [TreeChange],
        folders: inout [BytePath: ObjectID]?, recording: Bool
    ) throws(GitError) {
        guard let name = Self.name(entry) else { return }
        let path = prefix + name, mode = try Self.mode(entry)
        if mode == .tree {
            let reached = recording && Self.record(entry, named: name, in: tree, path: path, into: &folders)
            return try diffFolders(
                nil, ObjectID(git_tree_entry_id(entry)), prefix: path + "/", into: &changes, folders: &folders, recording: reached)
        }
        changes.append(TreeChange(path: path, kind: .added, oldID: nil, newID: ObjectID(git_tree_entry_id(entry)), oldMode: nil, newMode: mode))
    }

    private func deleted(
        _ entry: OpaquePointer, prefix: String, into changes: inout [TreeChange], folders: inout [BytePath: ObjectID]?
    ) throws(GitError) {
        guard let name = Self.name(entry) else { return }
        let path = prefix + name, mode = try Self.mode(entry)
        if mode == .tree {
            return try diffFolders(
                ObjectID(git_tree_entry_id(entry)), nil, prefix: path + "/", into: &changes, folders: &folders, recording: false)
        }
        changes.append(TreeChange(path: path, kind: .deleted, oldID: ObjectID(git_tree_entry_id(entry)), newID: nil, oldMode: mode, newMode: nil))
    }
}
