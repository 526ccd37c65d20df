import Dispatch
import Foundation
import Git
import HandoffConfiguration
import HandoffCore
import HandoffEngine
public import HandoffHTTP
public import Logging
public import ServiceLifecycle
import Synchronization
import UnixSignals

/// The long-running `handoffd`: a worker per repository (serial queue, polling, coalesced pokes,
/// backoff, stalls), the notify socket, SIGHUP reloads and sd_notify. It is a swift-service-lifecycle `Service`:
/// the `ServiceGroup` turns SIGTERM/SIGINT into a graceful shutdown that finishes the runs in progress.
public final class Daemon: Service, Sendable {
    private let configurationPath: String
    private let logger: Logger
    private let notifier = SystemdNotifier()
    private let cache = CheckCache()
    /// Every remote operation of this daemon: cancelled at stop, so no silent remote can hold SIGTERM.
    private let network = NetworkGroup()

    private struct State {
        var configuration: DaemonConfiguration?
        /// The keys and key state the workers were started with.
        var trustedKeys: TrustedKeys?
        var keyUsable = false
        var workers: [String: RepositoryWorker] = [:]
        var socket: NotifySocket?
        var readySent = false
        var stopping = false
    }

    private let state = Mutex(State())
    /// The watchdog timer, kept so it stays armed. Safe without a lock: written only by `start()`, which
    /// runs once before any handler can fire, and read only by `finish()` after the service is told to stop.
    nonisolated(unsafe) private var watchdog: (any DispatchSourceTimer)?

    /// Where workers put each repository's published status and health for the HTTP server; nil without one.
    private let snapshots: SnapshotStore?

    /// A daemon reading its configuration from `configurationPath`; with `snapshots`, its workers keep the
    /// last published status of each repository there, and its health.
    public init(configurationPath: String, logger: Logger, snapshots: SnapshotStore? = nil) {
        self.configurationPath = configurationPath
        self.logger = logger
        MemoryReturn.limitArenas()
        self.snapshots = snapshots
    }

    /// Serves until a graceful shutdown: starts every worker and the watchdog, reloads on SIGHUP, and on
    /// shutdown finishes the runs in progress before returning.
    public func run() async throws {
        // Trapped before the first worker starts, so an early SIGHUP reloads instead of killing the process.
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        try await onDispatch { try self.start() }
        let reloads = Task {
            for await _ in hangups { try? await self.onDispatch { self.reload() } }
        }
        try? await gracefulShutdown()
        reloads.cancel()
        try? await onDispatch { self.finish() }  // finish() does not throw
    }

    /// Runs blocking work (libgit2, ssh-keygen, waiting for workers) off the cooperative thread pool.
    private func onDispatch<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Loads the configuration, starts every worker and the watchdog.
    func start() throws {
        let configuration = try DaemonConfiguration.load(configurationPath)
        configuration.sweepScratch(logger: logger)
        try apply(configuration)
        // With remote repositories only, nothing is awaited: READY=1 at once.
        if let message = state.withLock({ Self.readiness(&$0) }) { notifier.notify(message) }
        startWatchdog()
    }

    /// Starts, stops or replaces workers so that they match `configuration`.
    private func apply(_ configuration: DaemonConfiguration) throws {
        let prepared = PreparedConfiguration(configuration)
        let previous = state.withLock { $0.configuration }
        var socket: NotifySocket?
        let socketChanged = previous?.notifySocket != configuration.notifySocket
        if socketChanged, let path = configuration.notifySocket {
            socket = try NotifySocket(
                path: path, poke: { [weak self] name in self?.poke(name) ?? true },
                report: { [weak self] summary in self?.socketReport(summary) })
        }
        var started: [RepositoryWorker] = []
        var stopped: [RepositoryWorker] = []
        var unchanged: [RepositoryWorker] = []
        state.withLock { state in
            let oldEntries = Dictionary(uniqueKeysWithValues: (previous?.repositories ?? []).map { ($0.name, $0) })
            let sameGlobals =
                previous.map {
                    $0.email == configuration.email && $0.name == configuration.name
                        && $0.signingKey == configuration.signingKey && $0.pollInterval == configuration.pollInterval
                        && $0.connectTimeout == configuration.connectTimeout && $0.inactivityTimeout == configuration.inactivityTimeout
                        && $0.trustedKeys == configuration.trustedKeys
                } ?? false
            // A key made or restored since (handoffd key generate, then a reload) restarts the workers that stalled on it.
            let sameKey = state.trustedKeys == prepared.trustedKeys && state.keyUsable == prepared.isSigningKeyUsable
            for (name, worker) in state.workers {
                let kept = configuration.repositories.first { $0.name == name }
                if kept == nil || kept != oldEntries[name] || !sameGlobals || !sameKey {
                    stopped.append(worker)
                    state.workers[name] = nil
                } else {
                    unchanged.append(worker)
                }
            }
            for entry in configuration.repositories where state.workers[entry.name] == nil {
                let settings = prepared.settings(for: entry, cache: cache)
                let worker = RepositoryWorker(
                    entry: entry, settings: settings, pollInterval: configuration.pollInterval,
                    limits: RemoteLimits(configuration, group: network), logger: logger, snapshots: snapshots
                ) { [weak self] report in self?.reported(report) }
                state.workers[entry.name] = worker
                started.append(worker)
            }
            state.configuration = configuration
            state.trustedKeys = prepared.trustedKeys
            state.keyUsable = prepared.isSigningKeyUsable
            if socketChanged {
                state.socket?.shutdown()
                state.socket = socket
            }
        }
        for worker in stopped { worker.stop() }
        snapshots?.serve(configuration.repositories.map(\.name))
        if let previous, previous.httpListen != configuration.httpListen || previous.httpRequestTimeout != configuration.httpRequestTimeout {
            logger.warning(
                "http settings changed; they take effect when handoffd restarts (the server keeps \(previous.httpListen.map { "\($0)" } ?? "off"))")
        }
        let startedNames = Set(started.map(\.entry.name))
        for warning in configuration.identityWarnings(for: configuration.repositories.filter { startedNames.contains($0.name) }) {
            logger.warning("\(warning)")
        }
        for worker in started { worker.start() }
        // A reload is the operator's word that something was fixed: stalled workers it keeps try again.
        for worker in unchanged { worker.configurationReloaded() }
        logger.info(
            "serving \(configuration.repositories.count) repositor\(configuration.repositories.count == 1 ? "y" : "ies")",
            metadata: ["started": "\(started.count)", "stopped": "\(stopped.count)"])
    }

    /// A poke from the notify socket: one repository by name, or all of them. False when the name is not
    /// served (the socket counts those and reports them in aggregate).
    func poke(_ name: String) -> Bool {
        let workers = state.withLock { state in name.isEmpty ? Array(state.workers.values) : state.workers[name].map { [$0] } ?? [] }
        for worker in workers { worker.poke() }
        return !workers.isEmpty || name.isEmpty
    }

    /// One log line for what the notify socket dropped or could not route since its last report.
    private func socketReport(_ summary: NotifyIntake.Summary) {
        var parts: [String] = []
        if summary.dropped > 0 { parts.append("dropped \(summary.dropped) datagram(s) over the rate limit") }
        if summary.unknown > 0 {
            parts.append("ignored \(summary.unknown) poke(s) for unknown repositories (e.g. '\(TerminalText.escaped(summary.unknownSample ?? ""))')")
        }
        logger.warning("notify socket: \(parts.joined(separator: "; ")) in the last \(Int(summary.seconds.rounded())) s")
    }

    /// READY=1 once every local repository's first run has ended; after that, STATUS= follows the stalls
    /// and the remote repositories' first answers.
    private func reported(_ report: RepositoryWorker.Report) {
        if let snapshots {
            for (name, worker) in state.withLock({ $0.workers }) {
                snapshots.health(of: name, firstPassDone: worker.firstPassDone, stall: worker.stall.map { "\(ProcessingError.stalled($0))" })
            }
        }
        let message = state.withLock { state -> String? in
            Self.readiness(&state) ?? (state.readySent ? "STATUS=\(Self.status(of: state.workers))" : nil)
        }
        if let message { notifier.notify(message) }
    }

    /// READY=1 when it is due: every local repository's first run has ended (a stalled one counts: it
    /// answered, with a stall). A remote one is never awaited, since it may be down for hours: STATUS= names
    /// it until it answers.
    private static func readiness(_ state: inout State) -> String? {
        guard !state.readySent, state.workers.values.allSatisfy({ $0.entry.url != nil || $0.firstPassDone }) else { return nil }
        state.readySent = true
        return "READY=1\nSTATUS=\(status(of: state.workers))"
    }

    private static func status(of workers: [String: RepositoryWorker]) -> String {
        ServiceStatus.line(
            serving: workers.count, stalled: workers.compactMap { name, worker in worker.stall.map { (name, $0) } },
            waiting: workers.filter { !$0.value.firstPassDone }.map(\.key))
    }

    /// SIGHUP: a bad new configuration is logged and the old one kept; the process never exits on it.
    func reload() {
        if state.withLock({ $0.stopping }) { return }
        notifier.notify("RELOADING=1\nMONOTONIC_USEC=\(DispatchTime.now().uptimeNanoseconds / 1000)")
        do {
            try apply(try DaemonConfiguration.load(configurationPath))
            logger.notice("configuration reloaded")
        } catch {
            logger.error("configuration not reloaded, keeping the previous one: \(error)")
        }
        let status = state.withLock { Self.status(of: $0.workers) }
        notifier.notify("READY=1\nSTATUS=\(status)")
    }

    /// SIGTERM/SIGINT: finish the runs in progress; the process then exits 0.
    func finish() {
        let (workers, socket) = state.withLock { state -> ([RepositoryWorker], NotifySocket?) in
            state.stopping = true
            return (Array(state.workers.values), state.socket)
        }
        notifier.notify("STOPPING=1")
        logger.notice("stopping: finishing the runs in progress")
        watchdog?.cancel()
        socket?.shutdown()
        // Stop first (no new run starts), then cut the remote operations in flight, then wait for the runs.
        for worker in workers { worker.requestStop() }
        let cut = network.cancel()
        if cut > 0 { logger.notice("cancelled \(cut) remote operation(s) in progress") }
        for worker in workers { worker.waitUntilStopped() }
        logger.notice("stopped")
    }

    /// WATCHDOG=1 only while every worker's queue keeps answering and no poll handler hangs (not from a bare timer).
    private func startWatchdog() {
        guard let interval = notifier.watchdogInterval, interval > 0 else { return }
        let tick: @Sendable () -> Void = { [weak self] in self?.watchdogTick(interval: interval) }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        timer.schedule(deadline: .now(), repeating: .milliseconds(Int(interval * 1000)))
        timer.setEventHandler(handler: tick)
        timer.resume()
        watchdog = timer
    }

    private func watchdogTick(interval: Double) {
        let workers = state.withLock { Array($0.workers.values) }
        // A poll handler running since some instant is as alive as a worker last seen then.
        let alive = workers.map(\.lastAlive) + [PollClock.shared.busySince].compactMap { $0 }
        let healthy = WatchdogRule.healthy(lastAlive: alive, at: MonotonicInstant(.now()), interval: interval)
        for worker in workers { worker.checkIn() }
        if healthy { notifier.notify("WATCHDOG=1") }
    }
}
