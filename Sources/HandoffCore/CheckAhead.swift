import Dispatch
import GitPaths
import Synchronization

/// Checking ahead of the fold (#13): a contract's, an acceptance file's or a context document's check is a pure function of its
/// bytes (and path, and limits), so the files a range of commits brings can be checked on every core first;
/// the fold then runs in order as before and finds each result in the ``CheckCache``. What the fold
/// computes is unchanged, byte for byte: only who computes a memoised entry, and when, differs.
public enum CheckAhead {
    /// One file a range of commits adds or changes, with its bytes (read by the caller, which owns the
    /// repository handle: only the checks run on other threads).
    public struct File: Sendable {
        /// The file's content id (its git blob id).
        public var contentID: String
        /// Its path from the repository root.
        public var path: String
        /// Its content, at most the limit's bytes (a larger file is not checked ahead: its check is cheap).
        public var bytes: [UInt8]

        /// Creates a file to check.
        public init(contentID: String, path: String, bytes: [UInt8]) {
            self.contentID = contentID
            self.path = path
            self.bytes = bytes
        }
    }

    /// Whether checking a path ahead is worth it: a parsed contract file under a packet's `contracts/`, or its
    /// acceptance file or context document.
    public static func isWorthChecking(_ path: String, packetRoot: String) -> Bool {
        // Split as bytes (GitPath), as the fold splits packet paths.
        guard let inside = GitPath.components(of: path, inside: GitPath.normalized(packetRoot)), inside.count >= 2,
            PacketID(inside[0]) != nil
        else { return false }
        if inside.count == 2 {
            return [AcceptanceCheck.markdownFile, AcceptanceCheck.gherkinFile, ContextCheck.fileName].contains { GitPath.same(inside[1], $0) }
        }
        return GitPath.same(inside[1], "contracts") && ContractCheck.isParsed(inside[inside.count - 1])
    }

    /// Whether `cache` still lacks the result for `file` under `configuration` (so that it is worth reading).
    public static func isMissing(contentID: String, path: String, configuration: CheckConfiguration, in cache: CheckCache) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let limits = configuration.limits
        if name == AcceptanceCheck.markdownFile || name == AcceptanceCheck.gherkinFile {
            return !cache.containsAcceptance(for: AcceptanceCheck.cacheKey(contentID: contentID, path: path, limits: limits))
        }
        if name == ContextCheck.fileName {
            return !cache.containsContext(
                for: ContextCheck.cacheKey(contentID: contentID, path: path, requiredSections: configuration.requiredSections, limits: limits))
        }
        return !cache.containsEntry(for: ContractCheck.cacheKey(contentID: contentID, name: name, limits: limits))
    }

    /// Checks `files` on up to `threads` threads (the calling one among them) and stores each result in
    /// `cache` as the fold's own check would. With one thread or one file nothing starts: the fold checks it.
    public static func check(_ files: [File], configuration: CheckConfiguration, cache: CheckCache, threads: Int) {
        guard threads > 1, files.count > 1 else { return }
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: min(threads, files.count)) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < files.count else { return }
                // A check that cannot run here (it never throws for content) is left to the fold, which reports it.
                try? memoise(files[index], configuration: configuration, cache: cache)
            }
        }
    }

    /// One file's check, stored as the fold's check stores it.
    static func memoise(_ file: File, configuration: CheckConfiguration, cache: CheckCache) throws {
        let view = OneFileView(path: file.path, bytes: file.bytes, contentID: file.contentID)
        let entry = TreeViewEntry(path: file.path, kind: .file)
        // Context and acceptance files go through the fold's own judgement, which stores what it judged.
        var cost = CheckCost()
        let checker = PacketChecker(configuration: configuration, cache: cache)
        if entry.name == ContextCheck.fileName {
            _ = try checker.judgedContext(file.path, in: view, cost: &cost)
        } else if entry.name == AcceptanceCheck.markdownFile || entry.name == AcceptanceCheck.gherkinFile {
            _ = try checker.judgedAcceptance(file.path, in: view, cost: &cost)
        } else {
            try ContractCheck.memoise(entry, contentID: file.contentID, in: view, limits: configuration.limits, cache: cache)
        }
    }
}

/// A view holding one file: all a single file's check reads.
private struct OneFileView: TreeView {
    let path: String
    let bytes: [UInt8]
    /// The file's blob id: the cache keys its judgement by it.
    let contentID: String

    func entry(at path: String) throws -> TreeViewEntry? {
        path == self.path ? TreeViewEntry(path: path, kind: .file) : nil
    }

    func entries(inFolder path: String) throws -> [TreeViewEntry]? { nil }

    func contentID(at path: String) throws -> String? { path == self.path ? contentID : nil }

    func read(_ path: String, limit: Int) throws -> FileRead {
        guard path == self.path else { return .missing }
        return bytes.count > limit ? .tooLarge(size: bytes.count) : .bytes(bytes)
    }
}
