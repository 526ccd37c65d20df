internal import CGit2

/// A failed libgit2 call: what was attempted, and libgit2's code, class and message.
///
/// The message is read from libgit2's thread-local error slot right after the failing call.
public struct GitError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What the caller was doing, e.g. `open repository at /srv/x.git`.
    public var operation: String
    /// libgit2's error code (`git_error_code`), or one of Handoff's own codes below.
    public var code: Code
    /// libgit2's error class (`git_error_t`), 0 when libgit2 set none.
    public var errorClass: Int32
    /// libgit2's message, or Handoff's own explanation.
    public var message: String

    /// libgit2's error codes that callers branch on; anything else is kept by its raw value.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The raw `git_error_code`.
        public var rawValue: Int32
        /// Wraps a raw `git_error_code`.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// Generic failure (`GIT_ERROR`).
        public static let generic = Code(rawValue: -1)
        /// The object or reference does not exist (`GIT_ENOTFOUND`).
        public static let notFound = Code(rawValue: -3)
        /// The object or reference already exists (`GIT_EEXISTS`).
        public static let exists = Code(rawValue: -4)
        /// A short id matched several objects (`GIT_EAMBIGUOUS`).
        public static let ambiguous = Code(rawValue: -5)
        /// The operation needs a non-bare repository (`GIT_EBAREREPO`).
        public static let bareRepository = Code(rawValue: -8)
        /// The input is invalid: an object libgit2 cannot parse, among others (`GIT_EINVALID`).
        public static let invalidObject = Code(rawValue: -21)
        /// A reference or path name is invalid (`GIT_EINVALIDSPEC`).
        public static let invalidSpec = Code(rawValue: -12)
        /// A stored object does not hash to its id (`GIT_EMISMATCH`): corrupt or tampered with.
        public static let hashMismatch = Code(rawValue: -33)
        /// A lock file is in the way; retry later (`GIT_ELOCKED`).
        public static let locked = Code(rawValue: -14)
        /// A reference did not have the expected value (`GIT_EMODIFIED`).
        public static let modified = Code(rawValue: -15)
        /// Authentication failed (`GIT_EAUTH`).
        public static let authentication = Code(rawValue: -16)
        /// The server's certificate or host key was not accepted (`GIT_ECERTIFICATE`).
        public static let certificate = Code(rawValue: -17)
        /// A callback asked to stop (`GIT_EUSER`).
        public static let user = Code(rawValue: -7)
        /// A push would not be a fast-forward (`GIT_ENONFASTFORWARD`).
        public static let nonFastForward = Code(rawValue: -11)
        /// The repository is not owned by the current user (`GIT_EOWNER`).
        public static let owner = Code(rawValue: -36)
        /// Handoff: an object is larger than the limit the caller set.
        public static let tooLarge = Code(rawValue: -1001)
        /// Handoff: a commit would not change the tree of its parent.
        public static let emptyCommit = Code(rawValue: -1002)
        /// Handoff: an argument the caller passed is not acceptable (bad path, bad name).
        public static let invalidArgument = Code(rawValue: -1003)
        /// Handoff: an object exists but has another type than the one asked for.
        public static let wrongType = Code(rawValue: -1004)
        /// Handoff: a remote did not connect, or went silent, within its deadline (``NetworkDeadlines``).
        public static let timedOut = Code(rawValue: -1005)
        /// Handoff: a network operation was cancelled because the process is stopping.
        public static let cancelled = Code(rawValue: -1006)

        public var description: String {
            switch self {
            case .generic: "error"
            case .notFound: "not found"
            case .exists: "already exists"
            case .ambiguous: "ambiguous"
            case .bareRepository: "bare repository"
            case .invalidObject: "invalid"
            case .invalidSpec: "invalid spec"
            case .locked: "locked"
            case .hashMismatch: "hash mismatch"
            case .modified: "modified"
            case .authentication: "authentication failed"
            case .certificate: "certificate rejected"
            case .user: "stopped by callback"
            case .nonFastForward: "not a fast-forward"
            case .owner: "not owned by current user"
            case .tooLarge: "too large"
            case .emptyCommit: "empty commit"
            case .invalidArgument: "invalid argument"
            case .wrongType: "wrong object type"
            case .timedOut: "timed out"
            case .cancelled: "cancelled"
            default: "libgit2 error \(rawValue)"
            }
        }
    }

    /// Creates an error of Handoff's own (no libgit2 call failed).
    public init(operation: String, code: Code, message: String) {
        self.operation = operation
        self.code = code
        self.errorClass = 0
        self.message = message
    }

    /// Captures libgit2's thread-local error for a call that just returned `result`.
    init(operation: String, result: Int32) {
        self.operation = operation
        self.code = Code(rawValue: result)
        if let last = git_error_last(), let text = last.pointee.message {
            self.message = String(cString: text).trimmingTrailingNewlines()
            self.errorClass = last.pointee.klass
        } else {
            self.message = "libgit2 returned \(result) without a message"
            self.errorClass = 0
        }
    }

    public var description: String {
        "\(operation): \(message) (\(code), class \(errorClass))"
    }
}

extension GitError {
    /// Whether the error is about the object's own content, over a size limit or not parsable: a fact of the
    /// repository, the same on every read (out of memory, a missing file, a racing `git gc` are not).
    public var isUnreadableObject: Bool {
        code == .tooLarge || code == .invalidObject
            || (code == .generic && (errorClass == Int32(GIT_ERROR_OBJECT.rawValue) || errorClass == Int32(GIT_ERROR_INVALID.rawValue)))
    }
}

/// Throws a ``GitError`` when a libgit2 call returned a negative result.
@inline(__always)
func check(_ result: Int32, _ operation: @autoclosure () -> String) throws(GitError) {
    if result < 0 { throw GitError(operation: operation(), result: result) }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var text = self
        while text.last == "\n" || text.last == "\r" { text.removeLast() }
        return text
    }
}
