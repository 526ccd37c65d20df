internal import CGit2
import Foundation

/// git's tree order, the one home for it: names compared bytewise, a folder's name as if followed by `/`.
enum TreeOrder {
    /// Negative when `a` sorts first, zero for the same name and kind of entry, positive otherwise.
    @inline(__always)
    static func compare(
        _ a: UnsafePointer<UInt8>, _ aLength: Int, _ aIsTree: Bool, _ b: UnsafePointer<UInt8>, _ bLength: Int, _ bIsTree: Bool
    ) -> Int32 {
        let common = min(aLength, bLength)
        let compared = memcmp(a, b, common)
        if compared != 0 { return compared }
        let aNext: Int32 = aLength > common ? Int32(a[common]) : (aIsTree ? 47 : 0)
        let bNext: Int32 = bLength > common ? Int32(b[common]) : (bIsTree ? 47 : 0)
        return aNext - bNext
    }

    /// ``compare(_:_:_:_:_:_:)`` for two parsed entries.
    static func compare(_ a: OpaquePointer, _ b: OpaquePointer) -> Int32 {
        let aName = name(a), bName = name(b)
        return compare(aName.bytes, aName.length, isTree(a), bName.bytes, bName.length, isTree(b))
    }

    /// A parsed entry's name as bytes (libgit2 keeps it NUL-terminated).
    @inline(__always)
    static func name(_ entry: OpaquePointer) -> (bytes: UnsafePointer<UInt8>, length: Int) {
        let name = git_tree_entry_name(entry)!
        return (UnsafeRawPointer(name).assumingMemoryBound(to: UInt8.self), strlen(name))
    }

    /// Whether a parsed entry sorts as a folder.
    @inline(__always)
    static func isTree(_ entry: OpaquePointer) -> Bool { git_tree_entry_type(entry) == GIT_OBJECT_TREE }
}

extension Repository {
    /// One path of a tree update: its components as bytes, and the object put there (nil: removed).
    struct PathUpdate {
        var components: [[UInt8]]
        var object: (id: git_oid, mode: UInt32)?
    }

    /// The deepest path ``writeUpdated(base:updates:)`` writes itself.
    static let maxWrittenDepth = 64

    /// What one level of ``writeUpdated(base:updates:)`` came to.
    private enum LevelOutcome {
        case tree(git_oid)
        /// Nothing is left in the folder: its parent drops it, as git does.
        case empty
        /// A case left to libgit2 (see ``writeUpdated(base:updates:)``).
        case unsupported
    }

    /// `updates` (one per path, none inside another) applied to `base` with the result of libgit2's
    /// `git_tree_create_updated`, written level by level from the parsed trees.
    ///
    /// libgit2 copies every entry of each folder on the way into a hash map, sorts them all again and
    /// reads the folders anew (its object cache is off): a packet root of 20,000 folders cost a third of a
    /// one-commit run (measured). Here a folder's entries, already in git's order, are copied out in one
    /// pass with the updates merged in. Nil when libgit2 must decide: a folder on the way not in git's
    /// order or naming an entry twice (a hostile tree; libgit2 keeps the last and sorts), a non-folder
    /// where a folder goes, or an object that libgit2's strict checks would refuse (with its own error).
    func writeUpdated(base: ObjectID, updates: [PathUpdate]) throws(GitError) -> ObjectID? {
        // One call per folder on the way: a path deeper than this is left to libgit2's loop, not the stack.
        guard updates.allSatisfy({ $0.components.count <= Self.maxWrittenDepth }) else { return nil }
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "open object database")
        defer { git_odb_free(odb) }
        switch try updatedLevel(base, updates, depth: 0, odb: odb!) {
        case .tree(let oid): return ObjectID(oid)
        case .empty: return try emptyTree()
        case .unsupported: return nil
        }
    }

    private func updatedLevel(_ tree: ObjectID?, _ updates: [PathUpdate], depth: Int, odb: OpaquePointer) throws(GitError) -> LevelOutcome {
        // A handle of our own: looking up the folders below must not evict this one from the shared handles.
        let handle = try tree.map { (id) throws(GitError) in try ownedTree(id) }
        defer { if let handle { git_tree_free(handle) } }
        let count = handle.map { git_tree_entrycount($0) } ?? 0
        if let handle, let tree, !isOrdered(tree, handle, count: count) { return .unsupported }

        // What goes at each name of this level (an entry, or nil for a removal), with the index of the entry
        // of that name it replaces, if any.
        var changes: [(name: [UInt8], object: (id: git_oid, mode: UInt32)?, replacing: Int?)] = []
        let sorted = updates.sorted { $0.components[depth].lexicographicallyPrecedes($1.components[depth]) }
        var start = 0
        while start < sorted.count {
            let name = sorted[start].components[depth]
            var end = start + 1
            while end < sorted.count, sorted[end].components[depth] == name { end += 1 }
            let group = sorted[start..<end]
            start = end
            let replacing = handle.flatMap { Self.index(of: name, in: $0, count: count) }
            let existing = replacing.map { git_tree_entry_byindex(handle, $0)! }
            if group.count == 1, let only = group.first, only.components.count == depth + 1 {
                if let object = only.object {
                    // libgit2 replaces an entry only by one of the same kind, and checks the object.
                    guard Self.insertable(object, odb: odb), existing.map({ git_tree_entry_type($0) == Self.kind(object.mode) }) ?? true else {
                        return .unsupported
                    }
                } else if existing == nil {
                    return .unsupported  // libgit2 fails to remove what is not there
                }
                changes.append((name, only.object, replacing))
                continue
            }
            guard group.allSatisfy({ $0.components.count > depth + 1 }) else { return .unsupported }
            if let existing, !TreeOrder.isTree(existing) { return .unsupported }
            switch try updatedLevel(existing.map { ObjectID(git_tree_entry_id($0).pointee) }, Array(group), depth: depth + 1, odb: odb) {
            case .tree(let oid): changes.append((name, (oid, FileMode.tree.rawValue), replacing))
            case .empty: changes.append((name, nil, replacing))
            case .unsupported: return .unsupported
            }
        }

        // The entries replaced or removed (in order), and where each new one goes among the rest (before that index).
        let removed = Set(changes.compactMap(\.replacing)).sorted()
        var inserted: [(at: Int, name: [UInt8], id: git_oid, mode: UInt32)] = []
        for change in changes {
            if let object = change.object {
                let at = handle.map { Self.lowerBound(change.name, isTree: object.mode == FileMode.tree.rawValue, in: $0, count: count) } ?? 0
                inserted.append((at, change.name, object.id, object.mode))
            }
        }
        inserted.sort { a, b in
            a.name.withUnsafeBufferPointer { an in
                b.name.withUnsafeBufferPointer { bn in
                    TreeOrder.compare(
                        an.baseAddress!, an.count, a.mode == FileMode.tree.rawValue, bn.baseAddress!, bn.count, b.mode == FileMode.tree.rawValue)
                        < 0
                }
            }
        }
        let written = count - removed.count + inserted.count
        if written == 0 { return .empty }

        // Sizes first, then one buffer of the tree's size written field by field: a packet root has 20,000
        // entries, and appending each field to a growing array cost a millisecond of a one-commit run.
        var nameLengths = [Int](repeating: 0, count: handle == nil ? 0 : count)
        var size = 0
        if let handle {
            for index in 0..<count {
                let entry = git_tree_entry_byindex(handle, index)!
                nameLengths[index] = strlen(git_tree_entry_name(entry))
                size += Self.withModeText(git_tree_entry_filemode_raw(entry).rawValue) { $0.count } + nameLengths[index] + 2 + 20
            }
        }
        for new in inserted { size += Self.withModeText(new.mode) { $0.count } + new.name.count + 2 + 20 }
        let raw = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var output = TreeBytes(at: buffer.baseAddress!)
            var next = 0, nextRemoved = 0
            if let handle {
                for index in 0..<count {
                    while next < inserted.count, inserted[next].at <= index {
                        output.put(inserted[next].name, id: inserted[next].id, mode: inserted[next].mode)
                        next += 1
                    }
                    if nextRemoved < removed.count, removed[nextRemoved] == index {
                        nextRemoved += 1
                        continue
                    }
                    let entry = git_tree_entry_byindex(handle, index)!
                    output.put(
                        UnsafeRawPointer(git_tree_entry_name(entry)!).assumingMemoryBound(to: UInt8.self), nameLengths[index],
                        id: git_tree_entry_id(entry), mode: git_tree_entry_filemode_raw(entry).rawValue)
                }
            }
            for new in inserted[next...] { output.put(new.name, id: new.id, mode: new.mode) }
            initialized = output.at - buffer.baseAddress!
        }
        let result = raw.withUnsafeBytes { bytes in
            Result { () throws(GitError) in try writeTreeBytes(bytes, odb: odb, operation: "write tree of \(written) entries") }
        }
        return .tree(try result.get())
    }

    /// The kind of object an entry of raw `mode` names (``objectKind(_:)``), or none for a mode git does not write.
    private static func kind(_ mode: UInt32) -> git_object_t {
        FileMode(rawValue: mode).map(objectKind) ?? GIT_OBJECT_INVALID
    }

    /// Whether libgit2's tree builder would take `object` (valid mode, an id that is not zero, an object of
    /// the mode's kind, except for a submodule's commit, which lives elsewhere).
    private static func insertable(_ object: (id: git_oid, mode: UInt32), odb: OpaquePointer) -> Bool {
        let expected = kind(object.mode)
        guard expected != GIT_OBJECT_INVALID, !ObjectID(object.id).isZero else { return false }
        if expected == GIT_OBJECT_COMMIT { return true }
        var id = object.id
        var length = 0
        var type = GIT_OBJECT_INVALID
        return git_odb_read_header(&length, &type, odb, &id) == 0 && type == expected
    }

    /// ``inGitOrder(_:count:)`` of tree `id`, remembered for the handle's life when it holds.
    func isOrdered(_ id: ObjectID, _ handle: OpaquePointer, count: Int) -> Bool {
        if orderedTrees.contains(id) { return true }
        guard Self.inGitOrder(handle, count: count) else { return false }
        if orderedTrees.count >= 4096 { orderedTrees.removeAll(keepingCapacity: true) }
        orderedTrees.insert(id)
        return true
    }

    /// `tree` with every folder on the way to each of `folders` (and each of them) in git's order with no
    /// name twice: a folder that is not is rewritten as git's and libgit2's tree builders write it (sorted,
    /// the last of a name given twice kept). The tree a run's edits apply to, so that what its lookups find
    /// is what the tree it writes holds: in a hostile folder a lookup by search can miss an entry (or find
    /// the first of two) that libgit2's builder then keeps, which left forged files in place or failed every
    /// run on a file where a folder goes. `tree` itself when every such folder already is canonical.
    public func canonicalFolders(_ tree: ObjectID, along folders: [String]) throws(GitError) -> ObjectID {
        let root = FolderTrie()
        for folder in folders {
            var node = root
            for component in Array(folder.utf8).split(separator: UInt8(ascii: "/")) {
                node = node.child(Array(component))
            }
        }
        return try canonical(tree, root, depth: 0)
    }

    /// The folders ``canonicalFolders(_:along:)`` visits, by name below each.
    private final class FolderTrie {
        var children: [[UInt8]: FolderTrie] = [:]

        func child(_ name: [UInt8]) -> FolderTrie {
            if let existing = children[name] { return existing }
            let created = FolderTrie()
            children[name] = created
            return created
        }
    }

    private func canonical(_ tree: ObjectID, _ node: FolderTrie, depth: Int) throws(GitError) -> ObjectID {
        var id = tree
        var handle = try ownedTree(id)
        defer { git_tree_free(handle) }
        if !isOrdered(id, handle, count: git_tree_entrycount(handle)) {
            var builder: OpaquePointer?
            try check(git_treebuilder_new(&builder, pointer, handle), "rebuild tree \(id.abbreviated())")
            defer { git_treebuilder_free(builder) }
            // A name holding a `/` goes: git never writes one, and it would hide the entries it sorts among.
            try check(
                git_treebuilder_filter(builder, { entry, _ in entry.map { Repository.holdsSlash($0) ? 1 : 0 } ?? 0 }, nil),
                "rebuild tree \(id.abbreviated())")
            var oid = git_oid()
            try check(git_treebuilder_write(&oid, builder), "write tree rebuilt from \(id.abbreviated())")
            id = ObjectID(oid)
            git_tree_free(handle)
            handle = try ownedTree(id)
        }
        // A path deeper than the writer's own bound is left to libgit2, as the writer leaves it.
        guard depth < Self.maxWrittenDepth else { return id }
        let count = git_tree_entrycount(handle)
        var updates: [PathUpdate] = []
        for (name, below) in node.children {
            guard let index = Self.index(of: name, in: handle, count: count) else { continue }
            let entry = git_tree_entry_byindex(handle, index)!
            guard TreeOrder.isTree(entry) else { continue }
            let childID = ObjectID(git_tree_entry_id(entry).pointee)
            let canonicalChild = try canonical(childID, below, depth: depth + 1)
            if canonicalChild != childID { updates.append(PathUpdate(components: [name], object: (canonicalChild.oid, FileMode.tree.rawValue))) }
        }
        guard !updates.isEmpty else { return id }
        if let written = try writeUpdated(base: id, updates: updates) { return written }
        return try createUpdated(base: id, updates: updates)
    }

    /// Whether a parsed folder lists its entries strictly in git's order with no name twice (a file and a
    /// folder of one name sort apart: the entries between them all start with that name), and no name holds
    /// a `/` (git never writes one; it sorts equal to a folder's entries and hides them from lookups).
    private static func inGitOrder(_ tree: OpaquePointer, count: Int) -> Bool {
        guard count > 0 else { return true }
        if Self.holdsSlash(git_tree_entry_byindex(tree, 0)!) { return false }
        var previous = git_tree_entry_byindex(tree, 0)!
        // Each name measured once (a packet root holds 20,000).
        var previousName = TreeOrder.name(previous)
        for index in 1..<count {
            let entry = git_tree_entry_byindex(tree, index)!
            let name = TreeOrder.name(entry)
            guard
                TreeOrder.compare(
                    previousName.bytes, previousName.length, TreeOrder.isTree(previous), name.bytes, name.length, TreeOrder.isTree(entry)) < 0,
                !Self.holdsSlash(name)
            else { return false }
            if TreeOrder.isTree(entry) {
                var back = index - 1
                while back >= 0 {
                    let other = TreeOrder.name(git_tree_entry_byindex(tree, back)!)
                    guard other.length >= name.length, memcmp(other.bytes, name.bytes, name.length) == 0 else { break }
                    if other.length == name.length { return false }
                    guard other.bytes[name.length] < UInt8(ascii: "/") else { break }
                    back -= 1
                }
            }
            previous = entry
            previousName = name
        }
        return true
    }

    /// Whether an entry's name holds a `/`.
    static func holdsSlash(_ entry: OpaquePointer) -> Bool { holdsSlash(TreeOrder.name(entry)) }

    /// ``holdsSlash(_:)`` for a name already measured.
    static func holdsSlash(_ name: (bytes: UnsafePointer<UInt8>, length: Int)) -> Bool {
        memchr(name.bytes, Int32(UInt8(ascii: "/")), name.length) != nil
    }

    /// The first index whose entry sorts at or after `name` as a folder or not (a folder in git's order).
    private static func lowerBound(_ name: [UInt8], isTree: Bool, in tree: OpaquePointer, count: Int) -> Int {
        name.withUnsafeBufferPointer { key in
            var low = 0, high = count
            while low < high {
                let middle = (low + high) / 2
                let entry = git_tree_entry_byindex(tree, middle)!
                let entryName = TreeOrder.name(entry)
                if TreeOrder.compare(entryName.bytes, entryName.length, TreeOrder.isTree(entry), key.baseAddress!, key.count, isTree) < 0 {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return low
        }
    }

    /// The index of the entry named `name` (either kind) in a folder in git's order, if any.
    private static func index(of name: [UInt8], in tree: OpaquePointer, count: Int) -> Int? {
        for isTree in [false, true] {
            let at = lowerBound(name, isTree: isTree, in: tree, count: count)
            guard at < count else { continue }
            let found = TreeOrder.name(git_tree_entry_byindex(tree, at)!)
            if found.length == name.count, name.withUnsafeBufferPointer({ memcmp($0.baseAddress!, found.bytes, found.length) == 0 }) {
                return at
            }
        }
        return nil
    }

    /// A tree's bytes written entry by entry into a buffer of the right size.
    private struct TreeBytes {
        var at: UnsafeMutablePointer<UInt8>

        mutating func put(_ name: UnsafePointer<UInt8>, _ length: Int, id: UnsafePointer<git_oid>, mode: UInt32) {
            let modeLength = Repository.withModeText(mode) { text in
                at.update(from: text.baseAddress!, count: text.count)
                return text.count
            }
            at[modeLength] = UInt8(ascii: " ")
            (at + modeLength + 1).update(from: name, count: length)
            at[modeLength + 1 + length] = 0
            UnsafeMutableRawPointer(at + modeLength + 2 + length).copyMemory(from: id, byteCount: 20)
            at += modeLength + 2 + length + 20
        }

        mutating func put(_ name: [UInt8], id: git_oid, mode: UInt32) {
            var id = id
            name.withUnsafeBufferPointer { put($0.baseAddress!, $0.count, id: &id, mode: mode) }
        }
    }

    /// `body` given a mode as git writes it in a tree: octal digits, no leading zero.
    @inline(__always)
    fileprivate static func withModeText<R>(_ mode: UInt32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let known: StaticString? =
            switch mode {
            case 0o040000: "40000"
            case 0o100644: "100644"
            case 0o100755: "100755"
            case 0o120000: "120000"
            case 0o160000: "160000"
            default: nil
            }
        if let known { return body(UnsafeBufferPointer(start: known.utf8Start, count: known.utf8CodeUnitCount)) }
        return Array(String(mode, radix: 8).utf8).withUnsafeBufferPointer(body)
    }
}
