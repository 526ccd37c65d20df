internal import CGit2
internal import CGit2ODB

extension Repository {
    /// Runs `body` with the objects it writes held in memory (readable through this handle only), then
    /// writes them together: one pack when they are 100 or more, loose otherwise, as `git fetch` does.
    ///
    /// A catch-up writes thousands of status objects; creating a file for each cost about a second of
    /// it. The objects are on disk when this returns, even when `body` throws: name them in a reference only
    /// afterwards. Nested calls write at the outermost end.
    public func writingObjectsTogether<T>(_ body: () throws -> T) throws -> T {
        guard let objectBatch else { return try body() }
        handoff_odb_batch_begin(objectBatch)
        let result: Result<T, any Error> = Result { try body() }
        let ended = handoff_odb_batch_end(objectBatch)
        let value = try result.get()
        try check(ended, "write \(gitDirectory)'s new objects")
        return value
    }
}

extension Repository {
    /// Writes a tree's `bytes` into `odb` (this repository's) and returns its id: inside
    /// ``writingObjectsTogether(_:)`` held in the batch and hashed with the CPU's SHA-1 (see
    /// `handoff_odb_hash` for why a tree may be), else by libgit2.
    func writeTreeBytes(_ bytes: UnsafeRawBufferPointer, odb: OpaquePointer, operation: @autoclosure () -> String) throws(GitError) -> git_oid {
        var oid = git_oid()
        if let objectBatch {
            let held = handoff_odb_batch_write(objectBatch, odb, &oid, bytes.baseAddress, bytes.count, GIT_OBJECT_TREE)
            if held != GIT_PASSTHROUGH.rawValue {
                try check(held, operation())
                return oid
            }
        }
        try check(git_odb_write(&oid, odb, bytes.baseAddress, bytes.count, GIT_OBJECT_TREE), operation())
        return oid
    }
}
