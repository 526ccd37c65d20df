import Foundation
import Git

/// How one publishing attempt ended.
public enum PublishAttempt<Result> {
    /// Done: published, or nothing to publish.
    case done(Result)
    /// The reference moved under us: fold what is new and try again at once.
    case moved
    /// Another process holds the reference's lock: pause, then try again.
    case locked
}

/// The publish step's loop, shared by the watched branch and the status branch: attempts a
/// compare-and-swap until it lands, folding anew when the reference moved and pausing when it is locked,
/// and gives up as contention after `maxAttempts` (the next run continues; nothing is lost).
public struct PublishLoop: Sendable {
    /// Most attempts in one run.
    public var maxAttempts: Int
    /// Waits before retrying a locked reference; gets the attempt number (injected so tests never sleep).
    public var pause: @Sendable (_ attempt: Int) -> Void

    /// A loop of `maxAttempts` that pauses 5–20 ms times the attempt number (at most ten times that) when locked.
    public init(maxAttempts: Int = 20, pause: @escaping @Sendable (_ attempt: Int) -> Void = PublishLoop.jitteredPause) {
        self.maxAttempts = maxAttempts
        self.pause = pause
    }

    /// The default pause: short and jittered, so that several writers do not retry in step.
    public static let jitteredPause: @Sendable (Int) -> Void = { attempt in
        usleep(useconds_t(UInt32.random(in: 5_000...20_000) * UInt32(min(attempt, 10))))
    }

    /// Runs `attempt` until it is done; throws ``ProcessingError/contention(reference:attempts:)`` when it never is.
    public func run<Result>(_ reference: String, _ attempt: (_ number: Int) throws -> PublishAttempt<Result>) throws -> Result {
        for number in 1...maxAttempts {
            switch try attempt(number) {
            case .done(let result): return result
            case .moved: continue
            case .locked: pause(number)
            }
        }
        throw ProcessingError.contention(reference: reference, attempts: maxAttempts)
    }

    /// Moves `reference` from `expected` to `commit`; `.moved(actual)` and `.locked` are the retryable outcomes,
    /// anything else is thrown as a retryable publishing failure.
    static func compareAndSwap(
        _ repository: Repository, _ reference: String, to commit: ObjectID,
        expecting expected: ObjectID?
    ) throws(ProcessingError) -> CompareAndSwap {
        do {
            try repository.updateReference(reference, to: commit, expecting: expected, logMessage: "handoffd: status")
            return .swapped
        } catch .moved(_, _, let actual) {
            return .moved(actual: actual)
        } catch .missing {
            return .moved(actual: nil)
        } catch .locked {
            return .locked
        } catch {
            throw .retryable(.publish(error))
        }
    }

    /// How a compare-and-swap ended.
    enum CompareAndSwap: Equatable {
        case swapped
        case moved(actual: ObjectID?)
        case locked
    }
}
