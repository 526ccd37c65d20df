import Dispatch
import Foundation
import Git
import HandoffCore
import Synchronization

/// The next window's diffs and checks, prepared on a thread of its own while the fold works through the
/// current one (#13: a catch-up on every core). The thread opens its own repository handle the way the
/// fold's was opened (a libgit2 handle serves one thread) and runs ``FoldStep/prepare(_:_:policy:cache:threads:stop:)``,
/// the preparation the fold does in line when nothing runs ahead, so what the fold computes is unchanged.
///
/// At most one window waits, prepared, beside the one being folded: memory stays bounded by two windows.
/// The thread is its own, not Dispatch's shared pool: a catch-up holds it for minutes, mostly waiting.
final class WindowPipeline: Sendable {
    /// Each window's commits' own changes, by window number; nil when it could not be prepared.
    private let prepared = Mutex<[Int: [ObjectID: CommitChanges]?]>([:])
    /// Signalled once per window prepared (or given up on).
    private let ready = DispatchSemaphore(value: 0)
    /// Room for one prepared window ahead of the fold (created empty and given its one unit in `init`:
    /// libdispatch traps when a semaphore is freed below its initial value, as a stop can leave it).
    private let room = DispatchSemaphore(value: 0)
    /// Signalled when the preparing thread has returned.
    private let finished = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)

    /// Starts preparing `commits` window by window from a handle opened like `opening`, under `policy` (the
    /// one at the start: a policy changed within the range only costs cache misses the fold then fills).
    init(opening: Repository.Opening, commits: [ObjectID], window: Int, policy: Policy, cache: CheckCache, threads: Int) {
        room.signal()
        let thread = Thread { [self] in
            defer { finished.signal() }
            let repository = try? opening.open()
            for (number, start) in stride(from: 0, to: commits.count, by: window).enumerated() {
                room.wait()
                if stopped.load(ordering: .acquiring) { return }
                let slice = commits[start..<min(start + window, commits.count)]
                // A window that cannot be prepared here is prepared by the fold, in line.
                let changes = repository.flatMap {
                    try? FoldStep.prepare($0, slice, policy: policy, cache: cache, threads: threads) { self.stopped.load(ordering: .relaxed) }
                }
                prepared.withLock { $0[number] = .some(changes) }
                ready.signal()
            }
        }
        thread.name = "handoff-check-ahead"
        thread.start()
    }

    /// Window `number`'s commits' own changes once prepared, or nil when they could not be (windows are
    /// taken in order, each once).
    func take(_ number: Int) -> [ObjectID: CommitChanges]? {
        ready.wait()
        defer { room.signal() }
        return prepared.withLock { $0.removeValue(forKey: number) ?? nil }
    }

    /// Stops the thread (within the commit it is preparing) and waits for it.
    func stop() {
        stopped.store(true, ordering: .releasing)
        room.signal()
        finished.wait()
    }
}
