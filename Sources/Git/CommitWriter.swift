internal import CGit2
public import Foundation

/// A commit's signature block and the exact bytes it signs, as `git_commit_extract_signature` returns them.
public struct CommitSignature: Hashable, Sendable {
    /// The armored signature (`-----BEGIN SSH SIGNATURE-----` or PGP).
    public var signature: String
    /// The commit object without its signature header: what the signature covers, byte for byte (a commit
    /// may hold any bytes; decoded as text, invalid ones would become U+FFFD and verify a commit never signed).
    public var signedPayload: Data

    /// True for an SSH signature (`gpg.format=ssh`), false for OpenPGP or X.509.
    public var isSSH: Bool { signature.hasPrefix("-----BEGIN SSH SIGNATURE-----") }
}

/// Signs a commit's payload, returning an armored signature (e.g. an SSH signature in `git` namespace).
public typealias CommitSigner = (_ payload: String) throws -> String

extension Repository {
    /// Writes a commit of `tree` on `parents`, without moving any reference.
    ///
    /// Refuses a commit whose tree equals its first parent's (an empty commit); `signer`, when given,
    /// signs the commit object as `git commit -S` would. Publish it with ``updateReference(_:to:expecting:logMessage:)``.
    /// `allowEmpty` is for commits that carry only their message (a workflow action in a trailer).
    public func createCommit(
        tree: ObjectID, parents: [ObjectID], author: Signature, committer: Signature, message: String,
        signer: CommitSigner? = nil, allowEmpty: Bool = false
    ) throws -> ObjectID {
        let operation = "create commit on \(parents.first?.abbreviated() ?? "no parent")"
        if !allowEmpty, let first = parents.first, try self.tree(ofCommit: first) == tree {
            throw GitError(
                operation: operation, code: .emptyCommit,
                message: "tree \(tree.abbreviated()) is unchanged from the parent; nothing to commit")
        }
        let text = message.hasSuffix("\n") ? message : message + "\n"  // format: a commit message ends with a newline
        guard !text.contains("\0") else {
            throw GitError(operation: operation, code: .invalidArgument, message: "a commit message cannot contain NUL")
        }
        let authorHandle = try makeSignature(author, operation: operation)
        defer { git_signature_free(authorHandle) }
        let committerHandle = try makeSignature(committer, operation: operation)
        defer { git_signature_free(committerHandle) }

        enum Outcome {
            case created(ObjectID)
            case unsigned(payload: String)
        }
        let outcome = try withTree(tree) { (treeHandle) throws(GitError) -> Outcome in
            try withCommits(parents) { (parentHandles) throws(GitError) -> Outcome in
                var parentPointers: [OpaquePointer?] = parentHandles
                if signer == nil {
                    var oid = git_oid()
                    try check(
                        git_commit_create(
                            &oid, pointer, nil, authorHandle, committerHandle, nil, text,
                            treeHandle, parentPointers.count, &parentPointers), operation)
                    return .created(ObjectID(oid))
                }
                var buffer = git_buf()
                try check(
                    git_commit_create_buffer(
                        &buffer, pointer, authorHandle, committerHandle, nil, text,
                        treeHandle, parentPointers.count, &parentPointers), operation)
                defer { git_buf_dispose(&buffer) }
                return .unsigned(payload: String(cString: buffer.ptr))
            }
        }
        switch outcome {
        case .created(let id):
            return id
        case .unsigned(let payload):
            let armored = try signer!(payload)
            var oid = git_oid()
            try check(git_commit_create_with_signature(&oid, pointer, payload, armored, nil), "\(operation) (signed)")
            return ObjectID(oid)
        }
    }

    /// The signature of commit `id` and the payload it signs, or nil when the commit is unsigned.
    public func signature(ofCommit id: ObjectID) throws(GitError) -> CommitSignature? {
        var signature = git_buf()
        var payload = git_buf()
        var oid = id.oid
        let result = git_commit_extract_signature(&signature, &payload, pointer, &oid, nil)
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&payload)
        }
        if result == GIT_ENOTFOUND.rawValue {
            // libgit2 says "not found" both for a missing commit and for a missing signature.
            guard contains(id) else { throw GitError(operation: "read signature of \(id)", result: result) }
            return nil
        }
        try check(result, "read signature of \(id)")
        return CommitSignature(
            signature: String(decoding: UnsafeRawBufferPointer(start: signature.ptr, count: signature.size), as: UTF8.self),
            signedPayload: Data(UnsafeRawBufferPointer(start: payload.ptr, count: payload.size))
        )
    }

    private func makeSignature(_ signature: Signature, operation: String) throws(GitError) -> UnsafeMutablePointer<git_signature> {
        var handle: UnsafeMutablePointer<git_signature>?
        try check(
            git_signature_new(
                &handle, signature.name, signature.email, signature.time.seconds,
                signature.time.offsetMinutes),
            "\(operation): signature \(signature.name) <\(signature.email)>")
        return handle!
    }

    private func withCommits<T>(_ ids: [ObjectID], _ body: ([OpaquePointer?]) throws(GitError) -> T) throws(GitError) -> T {
        var handles: [OpaquePointer?] = []
        defer { handles.forEach { git_commit_free($0) } }
        for id in ids {
            var oid = id.oid
            var handle: OpaquePointer?
            try check(git_commit_lookup(&handle, pointer, &oid), "look up parent commit \(id)")
            handles.append(handle)
        }
        return try body(handles)
    }
}
