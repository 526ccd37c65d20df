import Foundation
import Git
import GitPaths
public import HandoffCore

/// A ``TreeView`` of a folder on disk, for `handoff validate` before anything is committed.
///
/// Symlinks are reported, never followed; paths cannot leave the root. Submodules are what the enclosing
/// work tree's index says they are, so a folder and its commit give the same findings (DESIGN.md §3).
public struct DirectoryTreeView: TreeView, Sendable {
    /// The folder viewed, without a trailing slash.
    public let root: String
    /// Paths (from `root`) that the index records as submodules: unpopulated, they are empty folders.
    public let submodules: Set<String>

    /// A view of the folder at `root`, with `submodules` as its index records them.
    public init(root: String, submodules: Set<String> = []) {
        var root = root
        while root.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.submodules = submodules
    }

    /// A view of the folder at `root` that knows the submodules of the work tree around it (none outside one).
    public static func workTree(at root: String) -> DirectoryTreeView {
        let plain = DirectoryTreeView(root: root)
        guard let repository = try? Repository.open(at: plain.root, searchParents: true),
            let workTree = repository.workingDirectory.map({ URL(fileURLWithPath: $0).resolvingSymlinksInPath().path }),
            let indexed = try? repository.indexedSubmodulePaths()
        else { return plain }
        let folder = URL(fileURLWithPath: plain.root).resolvingSymlinksInPath().path
        guard folder == workTree || folder.hasPrefix(workTree + "/") else { return plain }
        let prefix = folder == workTree ? "" : String(folder.dropFirst(workTree.count + 1)) + "/"
        let inside = indexed.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
        return DirectoryTreeView(root: plain.root, submodules: Set(inside))
    }

    public func entry(at path: String) throws -> TreeViewEntry? {
        guard let normalized = Self.normalize(path), !normalized.isEmpty else { return nil }
        return try kind(of: normalized).map { TreeViewEntry(path: normalized, kind: $0) }
    }

    public func entries(inFolder path: String) throws -> [TreeViewEntry]? {
        guard let normalized = Self.normalize(path) else { return nil }
        let folder = normalized.isEmpty ? root : absolute(normalized)
        guard try kind(of: normalized) == .folder else { return nil }
        var entries: [TreeViewEntry] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted(by: { BytePath($0) < BytePath($1) }) where name != ".git" {
            let child = normalized.isEmpty ? name : "\(normalized)/\(name)"
            if let kind = try kind(of: child) { entries.append(TreeViewEntry(path: child, kind: kind)) }
        }
        return entries
    }

    public func read(_ path: String, limit: Int) throws -> FileRead {
        guard let normalized = Self.normalize(path), !normalized.isEmpty else { return .missing }
        let full = absolute(normalized)
        guard let kind = try kind(of: normalized) else { return .missing }
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

    /// The kind of the entry at `relative` ("" for the root).
    private func kind(of relative: String) throws -> EntryKind? {
        let path = relative.isEmpty ? root : absolute(relative)
        var info = stat()
        guard lstat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            // A folder with its own .git inside a packet is a nested repository: treat it as a submodule.
            return submodules.contains(relative) || FileManager.default.fileExists(atPath: "\(path)/.git") ? .submodule : .folder
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
