import Foundation

/// What reading the configuration looks up on disk, apart from the file itself: whether a path is a work tree.
///
/// Injected, so the rules that depend on disk can be tested with any answer; ``live`` asks the filesystem.
public struct FileSystemProbe: Sendable {
    /// True when `path` is a work tree (it holds a `.git`), which handoffd refuses to serve.
    public var isWorkTree: @Sendable (_ path: String) -> Bool

    /// A probe answering from `isWorkTree`.
    public init(isWorkTree: @escaping @Sendable (_ path: String) -> Bool) {
        self.isWorkTree = isWorkTree
    }

    /// The real filesystem.
    public static let live = FileSystemProbe { FileManager.default.fileExists(atPath: "\($0)/.git") }

    /// The text of the file at `path`, or nil when it is missing or unreadable by this user.
    static func contents(of path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}
