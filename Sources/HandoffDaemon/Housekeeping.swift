import Dispatch
import Foundation
import HandoffSystem
import Synchronization

/// Keeps a repository packed: libgit2 writes loose objects only (a status commit adds a handful), so
/// after enough of them `git gc --auto` runs in the background — the one place running git is fine —
/// never blocking the processing of a push, one at a time per repository.
final class Housekeeping: Sendable {
    /// Status commits between two `git gc --auto`.
    let interval: Int
    private let git = "/usr/bin/git"
    private let state = Mutex((commits: 0, running: false))

    init(interval: Int = 50) {
        self.interval = interval
    }

    /// Counts a published status commit; starts `git gc --auto` in `repository` when due.
    /// Returns true when a collection was started.
    @discardableResult
    func published(in repository: String, log: @escaping @Sendable (String) -> Void) -> Bool {
        let due = state.withLock { state -> Bool in
            state.commits += 1
            guard state.commits >= interval, !state.running else { return false }
            state.commits = 0
            state.running = true
            return true
        }
        guard due else { return false }
        guard FileManager.default.isExecutableFile(atPath: git) else {
            state.withLock { $0.running = false }
            return false
        }
        do {
            // gc.autoDetach=false: git would otherwise fork the collection off and exit at once, so "one at a
            // time" would not hold and the end of the collection would go unseen.
            let child = try ChildProcess(git, ["-c", "gc.autoDetach=false", "--git-dir", repository, "gc", "--auto", "--quiet"])
            // A queue of its own (a thread of its own): a gc can take seconds, and Dispatch's shared pool has two.
            DispatchQueue(label: "handoffd.housekeeping").async { [weak self] in
                let status = child.wait()
                self?.state.withLock { $0.running = false }
                if status != 0 { log("git gc --auto in \(repository) exited \(status)") }
            }
            return true
        } catch {
            state.withLock { $0.running = false }
            log("cannot start git gc in \(repository): \(error)")
            return false
        }
    }

    /// True while a collection started here is still running.
    var isRunning: Bool { state.withLock { $0.running } }
}
