internal import CGit2
public import Foundation

/// A moment as git records it: seconds since the epoch and the author's UTC offset.
public struct GitTime: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Seconds since 1970-01-01 UTC.
    public var seconds: Int64
    /// Offset from UTC in minutes, as recorded (e.g. +60 for `+0100`).
    public var offsetMinutes: Int32

    /// Creates a time from seconds since the epoch and an offset in minutes.
    public init(seconds: Int64, offsetMinutes: Int32) {
        self.seconds = seconds
        self.offsetMinutes = offsetMinutes
    }

    /// The same instant as a `Date` (the offset is dropped).
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    /// ISO 8601 in the recorded offset, e.g. `2026-11-29T10:00:00+01:00`: stable, no clock involved.
    public var iso8601: String {
        // Without overflow for any time a commit may claim (libgit2 takes all of Int64): a hostile commit must
        // not stop the fold. Past the ends, the local time saturates.
        let (sum, overflow) = seconds.addingReportingOverflow(Int64(offsetMinutes) * 60)
        let local = overflow ? (offsetMinutes > 0 ? Int64.max : Int64.min) : sum
        let remainder = local % 86_400
        let days = local / 86_400 - (remainder < 0 ? 1 : 0)
        let secondOfDay = remainder < 0 ? remainder + 86_400 : remainder
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        let sign = offsetMinutes < 0 ? "-" : "+"
        let offset = abs(Int(offsetMinutes))
        // Built by hand: `String(format:)` goes through Foundation, and a catch-up formats every commit's time.
        let date = "\(Self.padded(year, 4))-\(Self.padded(month, 2))-\(Self.padded(day, 2))"
        let time = "\(Self.padded(secondOfDay / 3600, 2)):\(Self.padded(secondOfDay / 60 % 60, 2)):\(Self.padded(secondOfDay % 60, 2))"
        return "\(date)T\(time)\(sign)\(Self.padded(Int64(offset / 60), 2)):\(Self.padded(Int64(offset % 60), 2))"
    }

    /// `value` in decimal, zero-padded to `width` characters as printf's `%0*lld` pads it (a minus sign counts).
    static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + String(repeating: "0", count: max(0, width - sign.count - digits.count)) + digits
    }

    public var description: String { iso8601 }

    // Howard Hinnant's days-to-civil algorithm: proleptic Gregorian, no Calendar or time zone database.
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// A person and moment on a commit: `Name <email> time offset`.
public struct Signature: Hashable, Sendable, Codable {
    /// The name as written.
    public var name: String
    /// The email as written (not verified by anything).
    public var email: String
    /// When.
    public var time: GitTime

    /// Creates a signature.
    public init(name: String, email: String, time: GitTime) {
        self.name = name
        self.email = email
        self.time = time
    }

    init(_ raw: UnsafePointer<git_signature>) {
        let signature = raw.pointee
        name = String(cString: signature.name)
        email = String(cString: signature.email)
        let offset = signature.when.offset
        time = GitTime(seconds: signature.when.time, offsetMinutes: offset)
    }
}

/// One `Key: value` trailer at the end of a commit message, as libgit2's trailer parser finds it.
public struct Trailer: Hashable, Sendable, Codable {
    /// The key, e.g. `Handoff`.
    public var key: String
    /// The value, e.g. `claim PAY-142 starting Monday`.
    public var value: String

    /// Creates a trailer.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    /// The trailers of `message`, in order; empty when it has none.
    public static func parse(_ message: String) -> [Trailer] {
        Libgit2.ensureInitialized()
        var array = git_message_trailer_array()
        guard git_message_trailers(&array, message) == 0 else { return [] }
        defer { git_message_trailer_array_free(&array) }
        return (0..<array.count).map { index in
            let trailer = array.trailers[index]
            return Trailer(key: String(cString: trailer.key), value: String(cString: trailer.value))
        }
    }
}

/// A commit read out of the repository: a plain value that holds no libgit2 handle.
public struct Commit: Hashable, Sendable {
    /// The commit's id.
    public var id: ObjectID
    /// Its root tree.
    public var tree: ObjectID
    /// Its parents, first parent first.
    public var parents: [ObjectID]
    /// Who wrote the change.
    public var author: Signature
    /// Who made the commit.
    public var committer: Signature
    /// The full message, as stored.
    public var message: String
    /// The message's trailers, parsed by libgit2.
    public var trailers: [Trailer]

    /// The first line of the message, without its line break ("\n" or "\r\n").
    public var summary: String {
        // By byte: "\r\n" is one `Character`, so splitting at the character "\n" misses a Windows line end.
        let utf8 = message.utf8
        var end = utf8.firstIndex(of: UInt8(ascii: "\n")) ?? utf8.endIndex
        if end > utf8.startIndex, utf8[utf8.index(before: end)] == UInt8(ascii: "\r") { end = utf8.index(before: end) }
        return String(message[..<end])
    }
}

extension Repository {
    /// Largest commit object read by default: a commit is a few hundred bytes; 1 MiB is generous.
    public static let defaultCommitSizeLimit = 1 << 20

    /// Reads commit `id`; refuses objects over `sizeLimit` bytes before loading them.
    public func commit(_ id: ObjectID, sizeLimit: Int = Repository.defaultCommitSizeLimit) throws(GitError) -> Commit {
        let header = try objectHeader(id)
        guard header.type == .commit else {
            throw GitError(operation: "read commit \(id)", code: .wrongType, message: "\(id) is a \(header.type), not a commit")
        }
        guard header.size <= sizeLimit else {
            throw GitError(
                operation: "read commit \(id)", code: .tooLarge,
                message: "commit object is \(header.size) bytes, over the limit of \(sizeLimit)")
        }
        return try withCommit(id) { handle in
            let parentCount = git_commit_parentcount(handle)
            let parents = (0..<parentCount).map { ObjectID(git_commit_parent_id(handle, $0)) }
            let message = git_commit_message_raw(handle).map { String(cString: $0) } ?? ""
            return Commit(
                id: id,
                tree: ObjectID(git_commit_tree_id(handle)),
                parents: parents,
                author: Signature(git_commit_author(handle)),
                committer: Signature(git_commit_committer(handle)),
                message: message,
                trailers: Trailer.parse(message)
            )
        }
    }

    /// Commit `id` from its header lines alone (tree, parents, author, committer), its message left unread
    /// (empty, no trailers): for a commit ``commit(_:sizeLimit:)`` refuses, over the size limit or
    /// malformed past what a history walk needs. The walk that found it read the whole object already.
    /// Throws when even the tree line is missing; an unparsable author or committer is empty, at time 0.
    public func commitFrame(_ id: ObjectID) throws(GitError) -> Commit {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, pointer), "open object database")
        defer { git_odb_free(odb) }
        var oid = id.oid
        var object: OpaquePointer?
        try check(git_odb_read(&object, odb, &oid), "read commit \(id)")
        defer { git_odb_object_free(object) }
        guard git_odb_object_type(object) == GIT_OBJECT_COMMIT else {
            throw GitError(operation: "read commit \(id)", code: .wrongType, message: "\(id) is not a commit")
        }
        let bytes = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object))
        var tree: ObjectID?
        var parents: [ObjectID] = []
        var author: Signature?
        var committer: Signature?
        var start = bytes.startIndex
        // As git and libgit2 read a commit: the tree on the first line, the parents on the lines right after
        // it and nowhere else (a `parent` line further down is text a history walk never follows).
        var position = 0
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            if end == start { break }  // the blank line before the message
            let line = bytes[start..<end]
            start = end + 1
            position += 1
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { continue }
            let key = String(decoding: line[line.startIndex..<space], as: UTF8.self)
            let value = String(decoding: line[(space + 1)...], as: UTF8.self)
            switch key {
            case "tree" where position == 1: tree = ObjectID(hex: value)
            case "parent" where position == parents.count + 2:
                guard let parent = ObjectID(hex: value) else { break }
                parents.append(parent)
            case "author" where author == nil: author = Self.signature(parsing: value)
            case "committer" where committer == nil: committer = Self.signature(parsing: value)
            default: continue
            }
        }
        guard let tree else {
            throw GitError(operation: "read commit \(id)", code: .invalidObject, message: "commit \(id) names no tree on its first line")
        }
        let nobody = Signature(name: "", email: "", time: GitTime(seconds: 0, offsetMinutes: 0))
        return Commit(
            id: id, tree: tree, parents: parents, author: author ?? nobody, committer: committer ?? nobody, message: "", trailers: [])
    }

    /// `Name <email> seconds ±hhmm`, as git writes an author or committer line; nil when libgit2 cannot read it.
    private static func signature(parsing text: String) -> Signature? {
        var parsed: UnsafeMutablePointer<git_signature>?
        guard git_signature_from_buffer(&parsed, text) == 0, let parsed else { return nil }
        defer { git_signature_free(parsed) }
        return Signature(UnsafePointer(parsed))
    }

    /// Commit `id` as ``commit(_:sizeLimit:)`` reads it, or, when it cannot be read whole
    /// (``GitError/isUnreadableObject``), its ``commitFrame(_:)`` and why it could not be (nil: read whole).
    public func commitOrFrame(_ id: ObjectID) throws(GitError) -> (commit: Commit, unreadable: GitError?) {
        do {
            return (try commit(id), nil)
        } catch  where error.isUnreadableObject {
            return (try commitFrame(id), error)
        }
    }

    /// Whether commit `id`'s message holds `needle` anywhere (up to a NUL, as ``commit(_:sizeLimit:)`` reads
    /// it): a cheap test before reading a commit whole, for a probe down a long history after one trailer.
    public func commitMessage(_ id: ObjectID, contains needle: String) throws(GitError) -> Bool {
        try withCommit(id) { handle in
            guard let raw = git_commit_message_raw(handle) else { return false }
            return needle.withCString { strstr(raw, $0) != nil }
        }
    }

    /// The ids of `id`'s parents, first parent first (from its header, for a commit not readable whole).
    public func parents(of id: ObjectID) throws(GitError) -> [ObjectID] {
        do {
            return try parsedParents(of: id)
        } catch  where error.isUnreadableObject {
            return try commitFrame(id).parents
        }
    }

    /// The ids of `id`'s parents as libgit2 parses the commit (no fallback to its header).
    func parsedParents(of id: ObjectID) throws(GitError) -> [ObjectID] {
        try withCommit(id) { handle in
            (0..<git_commit_parentcount(handle)).map { ObjectID(git_commit_parent_id(handle, $0)) }
        }
    }

    /// The root tree of commit `id` (from its header, for a commit not readable whole: a commit a history
    /// walk accepts but libgit2 cannot parse would otherwise fail every diff of its children).
    public func tree(ofCommit id: ObjectID) throws(GitError) -> ObjectID {
        do {
            return try withCommit(id) { ObjectID(git_commit_tree_id($0)) }
        } catch  where error.isUnreadableObject {
            return try commitFrame(id).tree
        }
    }

    func withCommit<T>(_ id: ObjectID, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        let handle: OpaquePointer
        if let kept = recentCommits.first(where: { $0.id == id }) {
            handle = kept.handle
        } else {
            var oid = id.oid
            var looked: OpaquePointer?
            try check(git_commit_lookup(&looked, pointer, &oid), "look up commit \(id)")
            if recentCommits.count == Self.recentCommitCapacity { git_commit_free(recentCommits.removeFirst().handle) }
            recentCommits.append((id, looked!))
            handle = looked!
        }
        // A reference of the body's own: a lookup inside it may evict this commit from the kept ones.
        var owned: OpaquePointer?
        try check(git_object_dup(&owned, handle), "look up commit \(id)")
        defer { git_object_free(owned) }
        return try body(owned!)
    }

    /// Commits kept parsed per handle (``recentCommits``).
    static let recentCommitCapacity = 4
}
