import Foundation
public import HandoffCore

/// A ``TreeView`` of a folder on disk, for `handoff validate` before anything is committed.
///
/// Symlinks are reported, never followed; paths cannot leave the root.
public struct DirectoryTreeView: TreeView, Sendable {
    /// The folder viewed, without a trailing slash.
    public let root: String

    /// A view of the folder at `root`.
    public init(root: String) {
        var root = root
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    public func entry(at path: String) throws -> TreeViewEntry? {
        guard let normalized = Self.normalize(path), !normalized.isEmpty else { return nil }
        return try kind(of: absolute(normalized)).map { TreeViewEntry(path: normalized, kind: $0) }
    }

    public func entries(inFolder path: String) throws -> [TreeViewEntry]? {
        guard let normalized = Self.normalize(path) else { return nil }
        let folder = normalized.isEmpty ? root : absolute(normalized)
        guard try kind(of: folder) == .folder else { return nil }
        var entries: [TreeViewEntry] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted() where name != ".git" {
            let child = normalized.isEmpty ? name : "\(normalized)/\(name)"
            if let kind = try kind(of: absolute(child)) { entries.append(TreeViewEntry(path: child, kind: kind)) }
        }
        return entries
    }

    public func read(_ path: String, limit: Int) throws -> FileRead {
        guard let normalized = Self.normalize(path), !normalized.isEmpty else { return .missing }
        let full = absolute(normalized)
        guard let kind = try kind(of: full) else { return .missing }
        guard kind == .file || kind == .executable else { return .notAFile(kind) }
        guard let handle = FileHandle(forReadingAtPath: full) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: full])
        }
        defer { try? handle.close() }
        // Read one byte past the limit rather than trusting a size taken earlier: the file may grow.
        let data = try handle.read(upToCount: limit + 1) ?? Data()
        if data.count > limit {
            let size = (try? FileManager.default.attributesOfItem(atPath: full)[.size] as? Int) ?? data.count
            return .tooLarge(size: max(size, data.count))
        }
        return .bytes(Array(data))
    }

    private func absolute(_ relative: String) -> String { "\(root)/\(relative)" }

    private func kind(of path: String) throws -> EntryKind? {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            // A folder with its own .git inside a packet is a nested repository: treat it as a submodule.
            return FileManager.default.fileExists(atPath: "\(path)/.git") ? .submodule : .folder
        case S_IFLNK: return .symlink
        case S_IFREG: return info.st_mode & 0o111 != 0 ? .executable : .file
        default: return .special
        }
    }

    /// `a/b` from `a//b/`, nil for anything that climbs out (`..`) or names `.git`.
    static func normalize(_ path: String) -> String? {
        let components = path.split(separator: "/").filter { $0 != "." }
        guard !components.contains(where: { $0 == ".." || $0 == ".git" }) else { return nil }
        return components.joined(separator: "/")
    }
}
