import Foundation
public import Git
import Synchronization

/// Where a processor remembers, between runs, the last input tip its status covered: the "remember" step,
/// which lets the next run notice that covered history was rewritten (a force-push).
public protocol CoverageStore: Sendable {
    /// The tip the last run covered, or nil when nothing is remembered.
    func lastCovered() -> ObjectID?
    /// Remembers `tip` as covered.
    func remember(_ tip: ObjectID)
}

/// A coverage store in a file of the state directory: one id and a newline, replaced atomically.
public struct FileCoverageStore: CoverageStore {
    /// The file's path.
    public let path: String

    /// A store kept at `path`.
    public init(path: String) {
        self.path = path
    }

    public func lastCovered() -> ObjectID? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return ObjectID(hex: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public func remember(_ tip: ObjectID) {
        // Best effort: losing it only means a force-push is noticed by the fold instead of announced.
        try? Data((tip.hex + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}

/// A coverage store that keeps nothing: `handoff replay`, hooks and one-off checks.
public struct NoCoverageStore: CoverageStore {
    /// Creates the store.
    public init() {}
    public func lastCovered() -> ObjectID? { nil }
    public func remember(_ tip: ObjectID) {}
}

/// A coverage store in memory, for tests and for processors that live as long as their repository's worker.
public final class MemoryCoverageStore: CoverageStore {
    private let tip = Mutex<ObjectID?>(nil)

    /// An empty store, or one that remembers `tip`.
    public init(_ tip: ObjectID? = nil) {
        self.tip.withLock { $0 = tip }
    }

    public func lastCovered() -> ObjectID? { tip.withLock { $0 } }
    public func remember(_ tip: ObjectID) { self.tip.withLock { $0 = tip } }
}
