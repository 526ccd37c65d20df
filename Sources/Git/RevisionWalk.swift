internal import CGit2

extension Repository {
    /// Commits reachable from `tips` but not from `hidden`, oldest first, parents before children.
    ///
    /// This is `git rev-list --topo-order --reverse TIPS ^HIDDEN`, but exact whatever the commit dates (see
    /// `withoutHiddenAncestry`). Hidden ids the repository does not hold are an error rather than silently
    /// ignored: the caller's watermark must exist.
    /// With `newestFirst`, children come before parents (`git rev-list --topo-order`).
    public func commits(from tips: [ObjectID], hiding hidden: [ObjectID] = [], newestFirst: Bool = false) throws(GitError) -> [ObjectID] {
        try commits(from: tips, hiding: hidden, newestFirst: newestFirst, maxAncestryTests: Self.maxAncestryTests)
    }

    /// The walk above, with the number of exact ancestry tests before the hidden ancestry is read whole.
    func commits(from tips: [ObjectID], hiding hidden: [ObjectID], newestFirst: Bool, maxAncestryTests: Int) throws(GitError) -> [ObjectID] {
        var walker: OpaquePointer?
        try check(git_revwalk_new(&walker, pointer), "start history walk")
        defer { git_revwalk_free(walker) }
        let order = newestFirst ? GIT_SORT_TOPOLOGICAL.rawValue : GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_REVERSE.rawValue
        try check(git_revwalk_sorting(walker, order), "sort history walk")
        for tip in tips {
            var oid = tip.oid
            try check(git_revwalk_push(walker, &oid), "walk history from \(tip)")
        }
        for hide in hidden {
            var oid = hide.oid
            try check(git_revwalk_hide(walker, &oid), "hide \(hide) from history walk")
        }
        var result: [ObjectID] = []
        var oid = git_oid()
        while true {
            let status = git_revwalk_next(&oid, walker)
            if status == GIT_ITEROVER.rawValue { break }
            try check(status, "walk history")
            result.append(ObjectID(oid))
        }
        return hidden.isEmpty ? result : try withoutHiddenAncestry(result, hidden: hidden, newestFirst: newestFirst, maxTests: maxAncestryTests)
    }

    /// `walked` without the commits that `hidden` reaches. libgit2, like git without a commit-graph, stops
    /// marking hidden ancestry by commit date, so with skewed dates (which anyone who pushes can set) its walk
    /// keeps commits below a hidden one: a run would fold covered commits again. A commit with a parent that
    /// stays is no hidden commit's ancestor (reaching it reaches the parent); only the others, mostly the
    /// first commit above each hidden one, take an exact ancestry test.
    private func withoutHiddenAncestry(_ walked: [ObjectID], hidden: [ObjectID], newestFirst: Bool, maxTests: Int) throws(GitError) -> [ObjectID] {
        var stays: [ObjectID: Bool] = [:]
        var tests = 0
        var hiddenAncestry: Set<ObjectID>?
        for id in newestFirst ? walked.reversed() : walked {
            // Parents are read without the commit size limit (an oversized commit is still walked). A root
            // commit, and one whose parents cannot be read, takes the exact test.
            if let parents = try? self.parents(of: id), parents.contains(where: { stays[$0] == true }) {
                stays[id] = true
                continue
            }
            // Each test is a merge-base walk down to the hidden commit: past a few, one walk of everything the
            // hidden commits reach answers the rest, so many branches off old history cannot multiply the cost.
            tests += 1
            if tests > maxTests, hiddenAncestry == nil { hiddenAncestry = ancestry(of: hidden) }
            if let hiddenAncestry {
                stays[id] = !hiddenAncestry.contains(id)
                continue
            }
            var reached = false
            for hide in hidden where try isAncestor(id, of: hide) {
                reached = true
                break
            }
            stays[id] = !reached
        }
        return walked.filter { stays[$0] == true }
    }

    /// Exact ancestry tests a hiding walk makes before it reads the hidden commits' whole ancestry instead.
    static let maxAncestryTests = 32

    /// `tips` and every commit they reach, read by parents alone.
    private func ancestry(of tips: [ObjectID]) -> Set<ObjectID> {
        var seen = Set<ObjectID>()
        var stack = tips
        while let id = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            stack += (try? parents(of: id)) ?? []
        }
        return seen
    }

    /// The first commit at or below `tip` for which `matches` holds, children before parents (the first match
    /// of `commits(from: [tip], newestFirst: true)`: none of its descendants below `tip` matches); nil when none does.
    ///
    /// Reads only as far as it must. A probe along first parents finds a match, and only the commits above
    /// it (those it does not reach) are ordered to look for a newer one; ordering the whole history, as the
    /// topological walk does before it yields anything, made every run cost the length of the history. Only a
    /// history whose first-parent line holds no match is walked whole. Commit dates play no part, so a
    /// skewed clock cannot make an older match come first.
    public func newestCommit(from tip: ObjectID, where matches: (ObjectID) throws -> Bool) throws -> ObjectID? {
        try newestCommitOrHistory(from: tip, where: matches).match
    }

    /// ``newestCommit(from:where:)``, and when nothing matches in a history that is one line of commits
    /// (no merge), that history as ``commits(from:hiding:newestFirst:)`` gives it, oldest first: the probe
    /// has just read it whole, and a first catch-up would otherwise walk it again to fold it.
    public func newestCommitOrHistory(from tip: ObjectID, where matches: (ObjectID) throws -> Bool) throws -> (
        match: ObjectID?, history: [ObjectID]?
    ) {
        var probe: ObjectID? = tip
        // Whether the line probed so far is all there is below `tip`: every commit on it read, none a merge.
        var lineIsWhole = true
        var line: [ObjectID] = []
        while let id = probe {
            if try matches(id) {
                if id == tip { return (tip, nil) }
                return (try commits(from: [tip], hiding: [id], newestFirst: true).first(where: matches) ?? id, nil)
            }
            line.append(id)
            // The parents alone: `matches` has usually read this commit, and libgit2 keeps it parsed. A commit
            // libgit2 cannot parse is probed past from its header, but the line is then no walk's answer (the
            // walk fails on it), so it is not handed over.
            let parents: [ObjectID]
            do {
                parents = try parsedParents(of: id)
            } catch {
                lineIsWhole = false
                guard let fromHeader = try? self.parents(of: id) else { break }
                parents = fromHeader
            }
            if parents.count > 1 { lineIsWhole = false }
            probe = parents.first
        }
        // A linear history was just read whole without a match (a first catch-up): reading it again in
        // order would cost its length twice more for the same answer.
        if lineIsWhole { return (nil, line.reversed()) }
        return (try commits(from: [tip], newestFirst: true).first(where: matches), nil)
    }

    /// True when `ancestor` is `descendant` or one of its ancestors.
    public func isAncestor(_ ancestor: ObjectID, of descendant: ObjectID) throws(GitError) -> Bool {
        if ancestor == descendant { return true }
        var descendantOID = descendant.oid
        var ancestorOID = ancestor.oid
        let result = git_graph_descendant_of(pointer, &descendantOID, &ancestorOID)
        try check(result, "test whether \(ancestor) is an ancestor of \(descendant)")
        return result == 1
    }

    /// The best common ancestor of two commits, or nil when their histories are unrelated.
    public func mergeBase(_ one: ObjectID, _ other: ObjectID) throws(GitError) -> ObjectID? {
        var out = git_oid()
        var first = one.oid
        var second = other.oid
        let result = git_merge_base(&out, pointer, &first, &second)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "find merge base of \(one) and \(other)")
        return ObjectID(out)
    }
}

extension Repository {
    /// The commit a revision expression names (`HEAD`, `main~2`, `v1.0`, an abbreviated id), as `git rev-parse REV^{commit}`.
    public func resolveCommit(_ revision: String) throws(GitError) -> ObjectID {
        var object: OpaquePointer?
        try check(git_revparse_single(&object, pointer, revision), "resolve revision '\(revision)'")
        defer { git_object_free(object) }
        var commit: OpaquePointer?
        try check(git_object_peel(&commit, object, GIT_OBJECT_COMMIT), "resolve revision '\(revision)' to a commit")
        defer { git_object_free(commit) }
        return ObjectID(git_object_id(commit))
    }
}
