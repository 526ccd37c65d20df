internal import CGit2

/// The trees a repository handle looked up most recently, kept parsed.
///
/// libgit2's own cache is kept to small trees: once a big tree (a packet root of thousands of folders)
/// fills it, libgit2 evicts a few entries per insertion by scanning its hash table from the start, which
/// made a 20,000-commit catch-up quadratic and let memory run past the cache's limit (measured). A short
/// list of parsed trees serves the pattern that matters, many paths looked up through the same folders.
final class TreeHandles {
    private var handles: [(id: ObjectID, handle: OpaquePointer, entries: Int)] = []
    /// Entries of the kept trees, all together.
    private var entries = 0
    /// Most entries kept, all trees together (about 20 MB parsed), so that a handful of huge trees from a
    /// hostile push cannot hold sixteen times their size.
    let maxEntries: Int
    /// The trees looked up last are kept whatever their size: a path is walked through a few folders at a
    /// time, and evicting the one being walked would parse a huge packet root again for every path.
    static let alwaysKept = 4
    /// Most trees kept; each may be large (a parsed 20,000-entry tree is about 2 MB). A status run looks
    /// paths up in three commits' trees (covered, tip, previous status), three or four levels deep: with 8,
    /// the packet root of each was evicted and read again between the fold's diff and the render.
    let capacity: Int
    /// Trees of at least this many entries are evicted after every smaller one when over `capacity`: a
    /// one-commit run reads the packet root of three commits from the fold, the loader and the render, and
    /// between those uses more than `capacity` small folders passed, so each 20,000-entry root was read and
    /// parsed twice (about 4 ms each, measured). Below this size a tree is cheaper to read again than to keep.
    static let largeEntries = 4096

    init(capacity: Int = 16, maxEntries: Int = 200_000) {
        precondition(capacity > Self.alwaysKept, "the trees always kept fit within the capacity")
        self.capacity = capacity
        self.maxEntries = maxEntries
    }

    deinit {
        for entry in handles { git_tree_free(entry.handle) }
    }

    /// The parsed tree `id`, looked up through `repository` when not kept; the most recent comes first.
    func handle(_ id: ObjectID, in repository: OpaquePointer) throws(GitError) -> OpaquePointer {
        if let index = handles.firstIndex(where: { $0.id == id }) {
            let entry = handles.remove(at: index)
            handles.insert(entry, at: 0)
            return entry.handle
        }
        var oid = id.oid
        var handle: OpaquePointer?
        try check(git_tree_lookup(&handle, repository, &oid), "look up tree \(id)")
        let count = git_tree_entrycount(handle)
        handles.insert((id, handle!, count), at: 0)
        entries += count
        while handles.count > Self.alwaysKept && entries > maxEntries { evict(at: handles.count - 1) }
        while handles.count > capacity {
            // Small trees go first, least recently used first: a large one costs milliseconds to read again.
            evict(at: handles[Self.alwaysKept...].lastIndex { $0.entries < Self.largeEntries } ?? handles.count - 1)
        }
        return handle!
    }

    /// The trees kept, most recently used first.
    var kept: [ObjectID] { handles.map(\.id) }

    private func evict(at index: Int) {
        let evicted = handles.remove(at: index)
        entries -= evicted.entries
        git_tree_free(evicted.handle)
    }
}
