public import Logging
import Synchronization

/// Log lines collected by a test, across threads.
public final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    /// An empty capture.
    public init() {}

    /// Records one line.
    public func append(_ line: String) { lines.withLock { $0.append(line) } }

    /// Every line so far, oldest first.
    public var all: [String] { lines.withLock { $0 } }
}

/// A swift-log handler that records `level message` lines into a ``LogCapture``.
public struct CapturingHandler: LogHandler {
    /// Where the lines go.
    public let capture: LogCapture
    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]

    /// A handler writing into `capture`.
    public init(capture: LogCapture) {
        self.capture = capture
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        capture.append("\(event.level) \(event.message)")
    }
}
