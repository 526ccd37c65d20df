internal import CGit2
internal import CGit2ODB
public import Foundation

/// The four kinds of git object.
public enum ObjectType: String, Sendable, Hashable, CustomStringConvertible {
    /// A commit.
    case commit
    /// A directory listing.
    case tree
    /// File contents.
    case blob
    /// An annotated tag.
    case tag

    init?(_ raw: git_object_t) {
        switch raw {
        case GIT_OBJECT_COMMIT: self = .commit
        case GIT_OBJECT_TREE: self = .tree
        case GIT_OBJECT_BLOB: self = .blob
        case GIT_OBJECT_TAG: self = .tag
        default: return nil
        }
    }

    public var description: String { rawValue }
}

/// The contents of a blob read under a size limit.
public enum BlobContent: Hashable, Sendable {
    /// The whole blob.
    case data(Data)
    /// The blob is larger than the limit; only its size was read.
    case tooLarge(size: Int)
}

extension Repository {
    /// An object's type and size, read from its header without inflating the object.
    public func objectHeader(_ id: ObjectID) throws(GitError) -> (type: ObjectType, size: Int) {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "open object database")
        defer { git_odb_free(odb) }
        var oid = id.oid
        var size = 0
        var type = GIT_OBJECT_INVALID
        try check(git_odb_read_header(&size, &type, odb, &oid), "read object header \(id)")
        guard let objectType = ObjectType(type) else {
            throw GitError(operation: "read object header \(id)", code: .wrongType, message: "unknown object type \(type.rawValue)")
        }
        return (objectType, size)
    }

    /// True when the object database holds `id`.
    public func contains(_ id: ObjectID) -> Bool {
        var odb: OpaquePointer?
        guard git_repository_odb(&odb, pointer) == 0 else { return false }
        defer { git_odb_free(odb) }
        var oid = id.oid
        return git_odb_exists(odb, &oid) == 1
    }

    /// Reads blob `id`, or only its size when it is over `sizeLimit` bytes, so huge blobs never load.
    public func blob(_ id: ObjectID, sizeLimit: Int) throws(GitError) -> BlobContent {
        let header = try objectHeader(id)
        guard header.type == .blob else {
            throw GitError(operation: "read blob \(id)", code: .wrongType, message: "\(id) is a \(header.type), not a blob")
        }
        guard header.size <= sizeLimit else { return .tooLarge(size: header.size) }
        var oid = id.oid
        var handle: OpaquePointer?
        try check(git_blob_lookup(&handle, pointer, &oid), "read blob \(id)")
        defer { git_blob_free(handle) }
        let size = Int(git_blob_rawsize(handle))
        guard size > 0, let raw = git_blob_rawcontent(handle) else { return .data(Data()) }
        return .data(Data(bytes: raw, count: size))
    }

    /// Writes `data` as a blob and returns its id.
    public func writeBlob(_ data: Data) throws(GitError) -> ObjectID {
        var oid = git_oid()
        let result = data.withUnsafeBytes { buffer in
            git_blob_create_from_buffer(&oid, pointer, buffer.baseAddress, buffer.count)
        }
        try check(result, "write blob of \(data.count) bytes")
        return ObjectID(oid)
    }
}

extension Repository {
    /// The full id of the one object whose id starts with `prefix` (4 to 40 hex digits), or nil when none does.
    ///
    /// Throws with code `.ambiguous` when several objects share the prefix, `.invalidArgument` for a prefix
    /// that is not hex or not 4 to 40 digits long. Reads no object.
    public func objectID(withPrefix prefix: String) throws(GitError) -> ObjectID? {
        guard (4...40).contains(prefix.utf8.count), prefix.allSatisfy(\.isHexDigit) else {
            throw GitError(operation: "look up object \(prefix)", code: .invalidArgument, message: "not 4 to 40 hexadecimal digits")
        }
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "open object database")
        defer { git_odb_free(odb) }
        var short = git_oid()
        try check(git_oid_fromstrn(&short, prefix, prefix.utf8.count), "parse object id \(prefix)")
        var full = git_oid()
        let result = git_odb_exists_prefix(&full, odb, &short, prefix.utf8.count)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "look up object \(prefix)")
        return ObjectID(full)
    }
}

/// The check every object read goes through (CGit2ODB's verifying backends), callable on its own.
enum ObjectVerification {
    /// Whether `data`, as an object of `type`, hashes to `id`.
    static func matches(_ id: ObjectID, type: ObjectType, data: Data) -> Bool {
        let raw: git_object_t =
            switch type {
            case .commit: GIT_OBJECT_COMMIT
            case .tree: GIT_OBJECT_TREE
            case .blob: GIT_OBJECT_BLOB
            case .tag: GIT_OBJECT_TAG
            }
        var oid = id.oid
        return data.withUnsafeBytes { handoff_odb_matches(&oid, raw, $0.baseAddress, $0.count) } == 1
    }
}
