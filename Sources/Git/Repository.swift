internal import CGit2
internal import CGit2ODB
import Foundation
import GitPaths

/// An open git repository: one libgit2 handle, used by one thread at a time.
///
/// Not `Sendable` on purpose: libgit2 forbids using a handle from two threads at once, so each
/// serial queue or task opens its own (opening costs well under a millisecond).
public final class Repository {
    let pointer: OpaquePointer

    /// The git directory (`/srv/x.git/` or `/home/me/clone/.git/`), with a trailing slash.
    public let gitDirectory: String
    /// The working tree, or nil for a bare repository.
    public let workingDirectory: String?

    /// True when the repository has no working tree.
    public var isBare: Bool { workingDirectory == nil }
    /// Recently used trees, parsed (see ``TreeHandles``); released before the repository handle.
    let trees = TreeHandles()
    /// The last few commits looked up, parsed, oldest first: a walk reads a commit and then its parents or
    /// tree, and a step later its parent's tree, and libgit2's own cache is off (see ``Libgit2``). Commits
    /// never change, so a kept one is as good as one read again.
    var recentCommits: [(id: ObjectID, handle: OpaquePointer)] = []
    /// Trees found in git's order with no name twice (``TreeOrder``): each is checked once per handle,
    /// however often it is written over or made canonical.
    var orderedTrees: Set<ObjectID> = []
    /// Folder ids of one tree, known from a diff (``knowFolders(_:inTree:)``).
    var folderHints: (tree: ObjectID, folders: [BytePath: ObjectID], deepest: Int)?
    /// How the handle was opened, to open another the same way, on any thread.
    public let opening: Opening
    /// Where objects written in ``writingObjectsTogether(_:)`` wait; nil for a handle opened from the
    /// environment (a hook's objects may sit in a quarantine). Freed with the handle's object database.
    let objectBatch: OpaquePointer?

    /// How a handle was opened: a value another thread can open its own handle from.
    public struct Opening: Sendable {
        fileprivate enum Origin: Sendable {
            case path(String, searchParents: Bool)
            case environment
        }
        fileprivate let origin: Origin

        /// Another handle on the same repository, opened the same way (from the environment, a hook's
        /// quarantined objects included): a libgit2 handle serves one thread at a time.
        public func open() throws(RepositoryOpenError) -> Repository {
            switch origin {
            case .path(let path, let searchParents): try Repository.open(at: path, searchParents: searchParents)
            case .environment: try Repository.openFromEnvironment()
            }
        }
    }

    private init(pointer: OpaquePointer, origin: Opening.Origin, objectBatch: OpaquePointer?) {
        self.pointer = pointer
        self.opening = Opening(origin: origin)
        self.objectBatch = objectBatch
        self.gitDirectory = String(cString: git_repository_path(pointer))
        self.workingDirectory = git_repository_workdir(pointer).map { String(cString: $0) }
    }

    deinit {
        for kept in recentCommits { git_commit_free(kept.handle) }
        git_repository_free(pointer)
    }

    /// Opens the repository at `path` (a bare repository, a `.git` directory, or a working tree).
    ///
    /// With `searchParents`, a path inside a working tree finds its repository as `git` does.
    public static func open(at path: String, searchParents: Bool = false) throws(RepositoryOpenError) -> Repository {
        Libgit2.ensureInitialized()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .missingPath(path)
        }
        guard isDirectory.boolValue else { throw .notARepository(path) }
        var handle: OpaquePointer?
        let flags = searchParents ? 0 : GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue
        let result = git_repository_open_ext(&handle, path, flags, nil)
        guard result >= 0, let handle else {
            throw RepositoryOpenError(path: path, error: GitError(operation: "open repository at \(path)", result: result))
        }
        do {
            return try verifying(handle, origin: .path(path, searchParents: searchParents), operation: "open repository at \(path)")
        } catch {
            throw .failed(path, error)
        }
    }

    /// Opens the repository as git hooks see it: honouring `GIT_DIR`, `GIT_OBJECT_DIRECTORY` and
    /// `GIT_ALTERNATE_OBJECT_DIRECTORIES`, so a pre-receive hook reads the pushed objects still in quarantine.
    public static func openFromEnvironment() throws(RepositoryOpenError) -> Repository {
        Libgit2.ensureInitialized()
        var handle: OpaquePointer?
        let result = git_repository_open_ext(&handle, nil, GIT_REPOSITORY_OPEN_FROM_ENV.rawValue, nil)
        guard result >= 0, let handle else {
            throw RepositoryOpenError(path: "$GIT_DIR", error: GitError(operation: "open repository from the environment", result: result))
        }
        do {
            return try verifying(handle, origin: .environment, operation: "open repository from the environment")
        } catch {
            throw .failed("$GIT_DIR", error)
        }
    }

    /// Creates a bare repository at `path` (parents included) whose HEAD names `initialBranch`.
    ///
    /// Refuses to reinitialise an existing repository.
    public static func initBare(at path: String, initialBranch: String = "main") throws(GitError) -> Repository {
        Libgit2.ensureInitialized()
        guard Reference.isValidName("refs/heads/\(initialBranch)") else {
            throw GitError(
                operation: "init bare repository at \(path)", code: .invalidArgument,
                message: "'\(initialBranch)' is not a valid branch name")
        }
        var options = git_repository_init_options()
        try check(
            git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION)),
            "init bare repository at \(path)")
        options.flags =
            GIT_REPOSITORY_INIT_BARE.rawValue | GIT_REPOSITORY_INIT_MKPATH.rawValue
            | GIT_REPOSITORY_INIT_NO_REINIT.rawValue
        var handle: OpaquePointer?
        let result = initialBranch.withCString { branch in
            options.initial_head = branch
            return git_repository_init_ext(&handle, path, &options)
        }
        guard result >= 0, let handle else {
            throw GitError(operation: "init bare repository at \(path)", result: result)
        }
        return try verifying(handle, origin: .path(path, searchParents: false), operation: "init bare repository at \(path)")
    }

    /// The repository for a new handle, its object database behind backends that check every object read
    /// against its id (libgit2's own check is off: see `Libgit2`). The handle is freed on failure.
    private static func verifying(_ handle: OpaquePointer, origin: Opening.Origin, operation: String) throws(GitError) -> Repository {
        // A hook's objects may sit in a quarantine named by the environment: only a path-opened handle knows
        // its own store's folder, for the trees written stored and the packs its batches write.
        let ownStore: Int32 = if case .path = origin { 1 } else { 0 }
        var batch: OpaquePointer?
        let result = handoff_odb_verify(handle, ownStore, &batch)
        guard result >= 0 else {
            let error = GitError(operation: operation, result: result)
            git_repository_free(handle)
            throw error
        }
        return Repository(pointer: handle, origin: origin, objectBatch: batch)
    }
}

@available(*, unavailable, message: "a libgit2 repository handle must stay on one thread; open one per queue or task")
extension Repository: Sendable {}

/// Why a repository could not be opened, in one line that names the path.
public enum RepositoryOpenError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing exists at the path.
    case missingPath(String)
    /// The path exists but holds no git repository.
    case notARepository(String)
    /// The repository uses a format extension libgit2 cannot read (e.g. sha256 object format).
    case unsupportedExtension(String, GitError)
    /// The repository belongs to another user and is not listed as a `safe.directory`.
    case ownership(String, GitError)
    /// Any other failure.
    case failed(String, GitError)

    init(path: String, error: GitError) {
        // Decided from codes and the filesystem, never from libgit2's wording. Debian's libgit2 1.5.1
        // reports a foreign owner as GIT_ENOTFOUND (its lookup of safe.directory fails before GIT_EOWNER
        // is raised), so a not-found repository directory owned by someone else is an ownership refusal;
        // an unsupported format or extension is a generic error of the repository class.
        if error.code == .owner || (error.code == .notFound && Self.isRepositoryOfAnotherUser(path)) {
            self = .ownership(path, error)
        } else if error.code == .notFound {
            self = .notARepository(path)
        } else if error.code == .generic && error.errorClass == Int32(GIT_ERROR_REPOSITORY.rawValue) {
            self = .unsupportedExtension(path, error)
        } else {
            self = .failed(path, error)
        }
    }

    /// Whether `path` (or its `.git`) looks like a git directory and belongs to another user than this process's.
    private static func isRepositoryOfAnotherUser(_ path: String) -> Bool {
        for candidate in [path, path + "/.git"] {
            var info = stat()
            guard stat(candidate + "/HEAD", &info) == 0 else { continue }
            var folder = stat()
            return stat(candidate, &folder) == 0 && folder.st_uid != geteuid()
        }
        return false
    }

    /// The path that failed to open.
    public var path: String {
        switch self {
        case .missingPath(let path), .notARepository(let path), .unsupportedExtension(let path, _),
            .ownership(let path, _), .failed(let path, _):
            path
        }
    }

    public var description: String {
        switch self {
        case .missingPath(let path):
            "cannot open repository at \(path): no such file or directory"
        case .notARepository(let path):
            "cannot open repository at \(path): not a git repository"
        case .unsupportedExtension(let path, let error):
            "cannot open repository at \(path): unsupported repository format (\(error.message)); "
                + "Handoff reads sha1 repositories without extensions only"
        case .ownership(let path, _):
            "cannot open repository at \(path): owned by another user; "
                + "run handoff as the repository's owner or list the path in git's safe.directory"
        case .failed(let path, let error):
            "cannot open repository at \(path): \(error.message)"
        }
    }
}

extension Repository {
    /// The paths the index records as submodules (gitlinks), from the work tree's root; empty for a bare
    /// repository. An unpopulated submodule is an empty folder on disk, so only the index tells it apart.
    public func indexedSubmodulePaths() throws(GitError) -> Set<String> {
        guard !isBare else { return [] }
        var index: OpaquePointer?
        try check(git_repository_index(&index, pointer), "read the index of \(gitDirectory)")
        defer { git_index_free(index) }
        var paths: Set<String> = []
        for position in 0..<git_index_entrycount(index) {
            guard let entry = git_index_get_byindex(index, position), entry.pointee.mode == FileMode.submodule.rawValue,
                let path = entry.pointee.path
            else { continue }
            paths.insert(String(cString: path))
        }
        return paths
    }
}
