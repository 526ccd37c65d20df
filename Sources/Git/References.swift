internal import CGit2

/// A reference as listed: its full name and either a direct target or a symbolic one.
public struct Reference: Hashable, Sendable {
    /// Full name, e.g. `refs/heads/main` or `HEAD`.
    public var name: String
    /// The object the reference points to, following symbolic references; nil when unborn.
    public var target: ObjectID?
    /// For a symbolic reference, the name it points to.
    public var symbolicTarget: String?

    /// True when `name` is a well-formed reference name (`git check-ref-format` rules).
    public static func isValidName(_ name: String) -> Bool {
        Libgit2.ensureInitialized()
        var valid: Int32 = 0
        return git_reference_name_is_valid(&valid, name) == 0 && valid == 1
    }
}

/// Why a compare-and-swap of a reference did not happen.
public enum ReferenceUpdateError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reference no longer has the expected value (someone else moved it); `actual` is its value now.
    case moved(reference: String, expected: ObjectID?, actual: ObjectID?)
    /// Another process holds the reference's lock file; retry shortly.
    case locked(reference: String)
    /// The reference was expected to exist but does not.
    case missing(reference: String)
    /// Any other failure (bad name, missing object, I/O).
    case failed(GitError)

    public var description: String {
        switch self {
        case .moved(let name, let expected, let actual):
            "\(name) moved: expected \(expected?.abbreviated() ?? "no reference"), "
                + "found \(actual?.abbreviated() ?? "no reference"); read it again and retry"
        case .locked(let name):
            "\(name) is locked by another process (\(name).lock exists); retry shortly"
        case .missing(let name):
            "\(name) does not exist"
        case .failed(let error):
            error.description
        }
    }
}

extension Repository {
    /// A branch reference's short name, as git shows it (`refs/heads/main` → `main`); any other name as it is.
    public static func shortBranchName(_ reference: String) -> String {
        reference.hasPrefix("refs/heads/") ? String(reference.dropFirst("refs/heads/".count)) : reference
    }

    /// The object `name` points to (symbolic references followed), or nil when it does not exist.
    public func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let result = git_reference_name_to_id(&oid, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read reference \(name)")
        return ObjectID(oid)
    }

    /// The reference `name` with its symbolic target, or nil when it does not exist.
    public func reference(_ name: String) throws(GitError) -> Reference? {
        var handle: OpaquePointer?
        let result = git_reference_lookup(&handle, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "look up reference \(name)")
        defer { git_reference_free(handle) }
        return try describe(handle!)
    }

    /// Every reference in the repository, sorted by name; `glob` (e.g. `refs/heads/*`) narrows the list.
    public func references(matching glob: String? = nil) throws(GitError) -> [Reference] {
        var iterator: OpaquePointer?
        if let glob {
            try check(git_reference_iterator_glob_new(&iterator, pointer, glob), "list references \(glob)")
        } else {
            try check(git_reference_iterator_new(&iterator, pointer), "list references")
        }
        defer { git_reference_iterator_free(iterator) }
        var references: [Reference] = []
        while true {
            var handle: OpaquePointer?
            let result = git_reference_next(&handle, iterator)
            if result == GIT_ITEROVER.rawValue { break }
            try check(result, "list references")
            defer { git_reference_free(handle) }
            references.append(try describe(handle!))
        }
        return references.sorted { $0.name < $1.name }
    }

    /// The branch HEAD names (`refs/heads/main`), even when it has no commit yet; nil when HEAD is detached.
    public func headBranch() throws(GitError) -> String? {
        guard let head = try reference("HEAD") else { return nil }
        return head.symbolicTarget
    }

    /// Compare-and-swap: points `name` at `new` only if it currently points at `expected`.
    ///
    /// `expected == nil` means "create; the reference must not exist yet". Uses git's own lock file,
    /// so it excludes concurrent `git update-ref` and `git push` correctly.
    public func updateReference(
        _ name: String, to new: ObjectID, expecting expected: ObjectID?, logMessage: String
    ) throws(ReferenceUpdateError) {
        var handle: OpaquePointer?
        var newOID = new.oid
        let result: Int32
        if let expected {
            var expectedOID = expected.oid
            result = git_reference_create_matching(&handle, pointer, name, &newOID, 1, &expectedOID, logMessage)
        } else {
            // force = 0 fails with GIT_EEXISTS when the reference exists: exactly "expected absent".
            result = git_reference_create(&handle, pointer, name, &newOID, 0, logMessage)
        }
        if result >= 0 {
            git_reference_free(handle)
            return
        }
        let error = GitError(operation: "update reference \(name)", result: result)
        switch error.code {
        case .modified, .exists:
            let actual = try? referenceTarget(name)
            if expected != nil, actual == nil { throw .missing(reference: name) }
            throw .moved(reference: name, expected: expected, actual: actual ?? nil)
        case .notFound where expected != nil:
            if (try? referenceTarget(name)) ?? nil == nil { throw .missing(reference: name) }
            throw .failed(error)
        case .locked:
            throw .locked(reference: name)
        default:
            throw .failed(error)
        }
    }

    /// Compare-and-swap deletion: removes `name` only if it currently points at `expected`.
    public func deleteReference(_ name: String, expecting expected: ObjectID) throws(ReferenceUpdateError) {
        var handle: OpaquePointer?
        let lookup = git_reference_lookup(&handle, pointer, name)
        if lookup == GIT_ENOTFOUND.rawValue { throw .missing(reference: name) }
        if lookup < 0 { throw .failed(GitError(operation: "look up reference \(name)", result: lookup)) }
        defer { git_reference_free(handle) }
        guard let target = git_reference_target(handle), ObjectID(target) == expected else {
            let actual = git_reference_target(handle).map(ObjectID.init)
            throw .moved(reference: name, expected: expected, actual: actual)
        }
        // git_reference_delete itself verifies, under the lock, that the value is still the one read.
        let result = git_reference_delete(handle)
        if result == GIT_ELOCKED.rawValue { throw .locked(reference: name) }
        if result == GIT_EMODIFIED.rawValue {
            throw .moved(reference: name, expected: expected, actual: (try? referenceTarget(name)) ?? nil)
        }
        if result < 0 { throw .failed(GitError(operation: "delete reference \(name)", result: result)) }
    }

    private func describe(_ handle: OpaquePointer) throws(GitError) -> Reference {
        let name = String(cString: git_reference_name(handle))
        if git_reference_type(handle) == GIT_REFERENCE_SYMBOLIC {
            let symbolic = String(cString: git_reference_symbolic_target(handle))
            return Reference(name: name, target: try referenceTarget(symbolic), symbolicTarget: symbolic)
        }
        return Reference(name: name, target: git_reference_target(handle).map(ObjectID.init), symbolicTarget: nil)
    }
}
