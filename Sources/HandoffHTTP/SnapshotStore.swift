public import HandoffCore
import Synchronization

/// The published snapshots the HTTP server reads, one per served repository, and each repository's
/// health. Workers swap a new snapshot in after they publish or resume; a request only reads the
/// current value (never a repository), so it costs a lock and a dictionary lookup.
public final class SnapshotStore: Sendable {
    /// One repository's entry.
    public struct Entry: Sendable {
        /// The last published status, nil until the first read.
        public var snapshot: PublishedRepository?
        /// Whether the repository's first pass has ended.
        public var firstPassDone = false
        /// What a person must fix, while the repository is stalled.
        public var stall: String?
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Whether the daemon has said which repositories it serves (`/readyz` is not ready before).
    private let configured = Mutex(false)

    /// An empty store.
    public init() {}

    /// Keeps exactly the repositories named (a reload adds and removes them), in no particular order.
    public func serve(_ names: [String]) {
        configured.withLock { $0 = true }
        entries.withLock { entries in
            let wanted = Set(names)
            for name in entries.keys where !wanted.contains(name) { entries[name] = nil }
            for name in names where entries[name] == nil { entries[name] = Entry() }
        }
    }

    /// Swaps in the snapshot of `snapshot.name`.
    public func publish(_ snapshot: PublishedRepository) {
        entries.withLock { $0[snapshot.name, default: Entry()].snapshot = snapshot }
    }

    /// Records a repository's health: its first pass ended, and whether it is stalled (and why).
    public func health(of name: String, firstPassDone: Bool, stall: String?) {
        entries.withLock { entries in
            entries[name, default: Entry()].firstPassDone = firstPassDone
            entries[name, default: Entry()].stall = stall
        }
    }

    /// The entry of `name`, nil when not served.
    public func entry(_ name: String) -> Entry? { entries.withLock { $0[name] } }

    /// The snapshot of `name`, nil when not served or not read yet.
    public func snapshot(_ name: String) -> PublishedRepository? { entries.withLock { $0[name]?.snapshot } }

    /// Every served repository, by name.
    public func all() -> [(name: String, entry: Entry)] {
        entries.withLock { entries in entries.keys.sorted().map { ($0, entries[$0] ?? Entry()) } }
    }

    /// Why the server is not ready: repositories whose first pass has not ended, and stalled ones; empty when ready.
    public func notReady() -> [String] {
        guard configured.withLock({ $0 }) else { return ["the configuration is not loaded yet"] }
        return all().compactMap { name, entry in
            if let stall = entry.stall { return "\(name): stalled: \(stall)" }
            return entry.firstPassDone ? nil : "\(name): first pass not done"
        }
    }
}
