import Foundation
import GitTestSupport
import HandoffEngine
import HandoffSystem
import Testing

/// What a soak run is asked to do: `make soak [QUICK=1] [SEED=n] [MINUTES=m]`.
struct SoakSettings {
    static let environment = ProcessInfo.processInfo.environment
    static let enabled = environment["HANDOFF_SOAK"] != nil
    static let quick = environment["HANDOFF_SOAK"] == "quick"
    static let seed = UInt64(environment["HANDOFF_SOAK_SEED"] ?? "") ?? 20_261_206
    /// The measured stretch in seconds, from the end of the warm-up round: 30 minutes (AC-1), 100 s for the
    /// quick run (about two and a half minutes with the set-up, the warm-up round and the checks); MINUTES
    /// shortens or lengthens a full run.
    static let duration: Double = quick ? 100 : 60 * (Double(environment["HANDOFF_SOAK_MINUTES"] ?? "") ?? 30)
    /// Growth is measured from here: the sample at 5 minutes (AC-1); 20 s into the quick run.
    static let warmUp: Double = quick ? 20 : min(300, duration / 6)
    /// The windows compared: medians of the samples in the window after `warmUp` and in the last one, so one
    /// sample taken in the middle of a run (a fold, a signature, a fetch) does not decide.
    static let window: Double = quick ? 16 : 60
    static let sampleEvery: Double = quick ? 2 : 5
    static let repositories = 100
    /// Repositories with the pre-receive and post-receive hooks (the hook's poke wakes handoffd); the others
    /// are noticed through inotify.
    static let hooked = 10
    static let meanPushInterval: Double = quick ? 1 : 3
    /// Allowed RSS growth between the windows. 5 % over 25 minutes for the full run (AC-1). The quick run's
    /// windows are about a minute apart on a machine where other builds compete: 10 % lets the allocator's
    /// fragmentation breathe and still catches a leak of the size issue 16 found (about 4 KB per poll per
    /// repository, 12 MiB a minute at 100 repositories).
    static let rssTolerance = quick ? 0.10 : 0.05
    /// Descriptors and threads are "flat" when the last window's largest count exceeds the first window's
    /// largest by no more than this: a fetch or push in flight holds a socket and a pack or two, and
    /// Dispatch may add a worker thread while a burst of pushes is processed.
    static let descriptorSlack = 4
    static let threadSlack = 4
}

/// Issue 16, item 6 (AC-1): the real `handoffd` serving 100 local repositories and two remote ones over
/// git:// for half an hour (`make soak`; two minutes in `make test`) while the real git CLI pushes actions at
/// seeded random moments; one remote goes silent for good (a server that accepts and never answers takes the
/// git daemon's port) and one goes away and comes back. RSS, CPU, descriptors and threads are sampled from
/// /proc; the run fails on growth, on an action lost or doubled, on a replay that disagrees, and on a silent
/// remote that is not logged and backed off.
@Suite(
    "Soak", .enabled(if: SoakSettings.enabled, "set HANDOFF_SOAK=quick or full (make soak [QUICK=1]) to run the soak test"),
    .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
struct SoakTests {
    /// One /proc reading of handoffd, `time` seconds after the warm-up round.
    struct Sample {
        var time: Double
        var rssKiB: Int
        /// The anonymous part of `rssKiB` (heap, stacks): what a leak grows. The rest is mapped files, the
        /// binary's code among them, which grows as code runs for the first time (a remote's first timeout).
        var anonymousKiB: Int
        var descriptors: Int
        var threads: Int
        /// Clock ticks of CPU used by handoffd itself, and by its children it has reaped (git gc, ssh-keygen).
        var ownTicks: Int
        var childTicks: Int
    }

    /// A repository the soak pushes to: a local bare one, or the bare one behind a git daemon.
    struct Target {
        var name: String
        var bare: String
        var pushed: [Int] = []
    }

    static func sample(pid: pid_t, at time: Double) -> Sample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        else { return nil }
        func field(_ name: String) -> Int? {
            // "VmRSS:\t   41236 kB", "Threads:\t12"
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }?.split { $0 == " " || $0 == "\t" }.dropFirst().first.flatMap { Int($0) }
        }
        // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ").compactMap { Int($0) }
        guard fields.count > 14, let rss = field("VmRSS"), let anonymous = field("RssAnon"), let threads = field("Threads") else { return nil }
        // fields[0] is ppid (field 4): utime is field 14, so index 10.
        return Sample(
            time: time, rssKiB: rss, anonymousKiB: anonymous, descriptors: descriptors.count, threads: threads, ownTicks: fields[10] + fields[11],
            childTicks: fields[12] + fields[13])
    }

    /// Clock ticks a second, the unit of /proc/PID/stat's CPU times.
    static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))

    static func median(_ values: [Int]) -> Int {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    @Test("100 repositories and two remotes under seeded pushes: no growth, every action once, replay clean, the silent remote backed off")
    func soak() throws {
        let settings = (duration: SoakSettings.duration, warmUp: SoakSettings.warmUp, window: SoakSettings.window)
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let root = sandbox.root
        var random = SeededGenerator(state: SoakSettings.seed)

        // The repositories: 100 local ones, and one bare repository behind each of two git daemons.
        var targets: [Target] = []
        var entries = ""
        for index in 0..<SoakSettings.repositories {
            let path = "\(root)/r\(index).git"
            try DemoRepository.create(at: path)
            targets.append(Target(name: "r\(index)", bare: path))
            entries += "  - { name: r\(index), path: \(path), operators: [ops@acme.example] }\n"
        }
        let silentBase = try sandbox.folder("served-silent"), flakyBase = try sandbox.folder("served-flaky")
        try DemoRepository.create(at: "\(silentBase)/silent.git")
        try DemoRepository.create(at: "\(flakyBase)/flaky.git")
        var silentDaemon: GitDaemon? = try GitDaemon(serving: silentBase, environment: sandbox.environment)
        let silentPort = silentDaemon!.port
        var flakyDaemon: GitDaemon? = try GitDaemon(serving: flakyBase, environment: sandbox.environment)
        let flakyPort = flakyDaemon!.port
        var silentServer: SilentServer?
        defer {
            silentDaemon?.stop()
            flakyDaemon?.stop()
            silentServer?.stop()
        }
        let flaky = Target(name: "flaky", bare: "\(flakyBase)/flaky.git")
        targets.append(flaky)
        entries += "  - { name: silent, url: \"git://127.0.0.1:\(silentPort)/silent.git\", operators: [ops@acme.example] }\n"
        entries += "  - { name: flaky, url: \"git://127.0.0.1:\(flakyPort)/flaky.git\", operators: [ops@acme.example] }\n"
        let socket = "\(root)/notify.sock"
        let head = """
            identity:
              email: handoffd@acme.example
            state_directory: \(root)/state
            notify_socket: \(socket)
            poll_interval: 2
            network:
              connect_timeout: 2
              inactivity_timeout: 3
            repositories:

            """
        let config = "\(root)/handoffd.yaml"
        try (head + entries).write(toFile: config, atomically: true, encoding: .utf8)
        for index in 0..<SoakSettings.hooked {
            let install = try runProcess(
                Executables.handoff, ["hook", "install", "--repo", targets[index].bare, "--config", config, "--socket", socket],
                environment: sandbox.environment)
            try #require(install.status == 0, "\(install.stderr)")
        }

        let listener = DaemonServiceTests.NotifyListener(path: "\(root)/systemd.sock")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = listener.path
        let logPath = "\(root)/daemon.log"
        let daemon = try ChildProcess(Executables.handoffd, ["--config", config], environment: environment, stderr: logPath)
        defer {
            if daemon.isRunning() {
                kill(daemon.pid, SIGKILL)
                _ = daemon.wait()
            }
        }
        func logText() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        try #require(listener.wait(for: "READY=1", timeout: 300) != nil, "no READY=1: \(logText().suffix(3_000))")

        let atReady = Self.sample(pid: daemon.pid, at: 0)
        var samples: [Sample] = []
        var pushes = 0, pushRetries = 0
        let reportEvery: Double = SoakSettings.quick ? 30 : 60
        let pusherEnvironment = ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"]

        /// Pushes one block or unblock of PAY-142 with a note unique to the push, pulling and retrying when
        /// handoffd's status commit got there first.
        func push(_ index: Int) throws {
            let number = pushes
            let clone = "\(root)/clones/\(targets[index].name)"
            if FileManager.default.fileExists(atPath: clone) {
                try sandbox.git(["fetch", "-q", "origin"], in: clone)
                try sandbox.git(["reset", "-q", "--hard", "origin/main"], in: clone)
            } else {
                try sandbox.git(["clone", "-q", targets[index].bare, clone], in: root)
            }
            let action = targets[index].pushed.count % 2 == 0 ? "block" : "unblock"
            try sandbox.git(
                ["commit", "-q", "--allow-empty", "-m", "soak \(number)", "-m", "Handoff: \(action) PAY-142 soak \(number)"], in: clone,
                env: pusherEnvironment)
            for attempt in 0..<20 {
                if try sandbox.gitResult(["push", "-q", "origin", "HEAD:main"], in: clone).status == 0 { break }
                try #require(attempt < 19, "push \(number) to \(targets[index].name) refused 20 times")
                pushRetries += 1
                try sandbox.git(["pull", "-q", "--rebase", "origin", "main"], in: clone, env: pusherEnvironment)
            }
            targets[index].pushed.append(number)
            pushes += 1
        }

        /// The repositories pushed to whose tip is not a status commit yet (a status commit covers all below it).
        func pending() -> [String] {
            targets.filter { target in
                !target.pushed.isEmpty
                    && !((try? sandbox.git(["log", "-1", "--format=%s", "main"], in: target.bare))?.hasPrefix("handoff: ") ?? false)
            }.map(\.name)
        }

        // Warm-up: one action pushed to every repository, and processed, before the clock starts. What handoffd
        // keeps per repository (its processor and signature verdicts, parsed trees, memoised checks) is then
        // allocated, so growth measured later is growth per push or per poll, not the first touch of a
        // repository the seeded pushes happened to reach late.
        for index in targets.indices { try push(index) }
        let warmed = eventually(timeout: 300) { pending().isEmpty }
        try #require(warmed, "the warm-up pushes were not processed: \(pending())")

        // The schedule: the silent remote goes silent at a fifth of the run and stays so; the flaky one is away
        // twice (once in the quick run) and back well before the end, so its back-off has room to retry.
        let silentAt = settings.duration * 0.2
        var outages: [(from: Double, to: Double)] = SoakSettings.quick ? [(0.3, 0.45)] : [(0.3, 0.4), (0.6, 0.7)]
        outages = outages.map { (settings.duration * $0.from, settings.duration * $0.to) }
        var nextOutage = 0
        var flakyDown = false
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double {
            let d = clock.now - start
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }
        func exponential(_ mean: Double) -> Double {
            let u = Double(random.next() >> 11 + 1) / Double(1 << 53 + 1)
            return min(-mean * log(u), mean * 5)
        }

        var nextSample = 0.0, nextPush = exponential(SoakSettings.meanPushInterval)
        var nextReport = 0.0

        // The run: one loop on this thread, bounded by the clock; each step does what is due and sleeps until
        // the next thing is.
        while elapsed() < settings.duration {
            let now = elapsed()
            if now >= nextSample {
                if let sample = Self.sample(pid: daemon.pid, at: now) { samples.append(sample) }
                nextSample += SoakSettings.sampleEvery
            }
            if now >= nextReport, let last = samples.last {
                print(
                    String(
                        format: "soak: %4.0f s  RSS %.1f MiB  fds %d  threads %d  CPU %.1f s (+%.1f s children)  %d pushes", now,
                        Double(last.rssKiB) / 1024, last.descriptors, last.threads, Double(last.ownTicks) / Self.ticks,
                        Double(last.childTicks) / Self.ticks, pushes))
                nextReport += reportEvery
            }
            if silentServer == nil && now >= silentAt {
                silentDaemon?.stop()
                silentDaemon = nil
                silentServer = try SilentServer(.acceptsAndHolds, scratch: root, port: silentPort)
            }
            if nextOutage < outages.count {
                if !flakyDown && now >= outages[nextOutage].from {
                    flakyDaemon?.stop()
                    flakyDaemon = nil
                    flakyDown = true
                } else if flakyDown && now >= outages[nextOutage].to {
                    flakyDaemon = try GitDaemon(serving: flakyBase, environment: sandbox.environment, port: flakyPort)
                    flakyDown = false
                    nextOutage += 1
                }
            }
            if now >= nextPush {
                // The flaky remote's bare repository is pushed to directly, also while its server is away:
                // handoffd must catch up when it returns.
                try push(Int(random.next() % UInt64(targets.count)))
                nextPush = elapsed() + exponential(SoakSettings.meanPushInterval)
            }
            let pause = min(nextSample, nextPush, nextReport) - elapsed()
            if pause > 0 { usleep(useconds_t(min(pause, 0.2) * 1e6)) }
        }
        try #require(daemon.isRunning(), "handoffd exited during the soak: \(logText().suffix(3_000))")
        if let last = Self.sample(pid: daemon.pid, at: elapsed()) { samples.append(last) }

        // Every pushed action is processed: each repository's tip is a status commit (it covers all below it).
        let settled = eventually(timeout: SoakSettings.quick ? 180 : 600) { pending().isEmpty }
        #expect(settled, "not processed after the pushes stopped: \(pending())")
        let stopping = clock.now
        kill(daemon.pid, SIGTERM)
        let stopped = eventually(timeout: 10) { !daemon.isRunning() }
        #expect(stopped, "SIGTERM did not end handoffd within 10 s (a silent remote is being tried)")
        let stopSeconds = Double((clock.now - stopping).components.seconds)

        // No lost or doubled action: each push's note is in its packet's history exactly once, and nowhere else.
        var missing: [String] = [], doubled: [String] = []
        var replayConfig = head.replacingOccurrences(of: "notify_socket: \(socket)\n", with: "")
        for target in targets where !target.pushed.isEmpty {
            let status = try sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: target.bare)
            for number in target.pushed {
                let count = status.components(separatedBy: "soak \(number)\"").count - 1
                if count == 0 { missing.append("\(target.name): soak \(number)") }
                if count > 1 { doubled.append("\(target.name): soak \(number) ×\(count)") }
            }
            let notes = status.components(separatedBy: "soak ").count - 1
            #expect(notes == target.pushed.count, "\(target.name): \(notes) soak notes in the history for \(target.pushed.count) pushes")
            replayConfig += "  - { name: \(target.name), path: \(target.bare), operators: [ops@acme.example] }\n"
        }
        #expect(missing.isEmpty, "lost actions: \(missing.prefix(20))")
        #expect(doubled.isEmpty, "doubled actions: \(doubled.prefix(20))")
        // Replay from the first commit agrees with what handoffd wrote (the flaky remote's server side too).
        let replayPath = "\(root)/replay.yaml"
        try replayConfig.write(toFile: replayPath, atomically: true, encoding: .utf8)
        var replayed = 0
        for target in targets where !target.pushed.isEmpty {
            let replay = try runProcess(
                Executables.handoff, ["replay", "--config", replayPath, "--repo", target.name, "--check"], environment: sandbox.environment)
            #expect(replay.status == 0, "\(target.name): replay --check: \(replay.stdout.suffix(1_000))\(replay.stderr.suffix(1_000))")
            replayed += 1
        }

        // The silent remote: each attempt timed out, was logged, and was retried later and later.
        let lines = logText().split(separator: "\n")
        func delays(_ name: String) -> [Int] {
            lines.filter { $0.contains("repository=\(name)") && $0.contains("retrying in ") }.compactMap { line in
                line.range(of: "retrying in ").flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) }
            }
        }
        let silentDelays = delays("silent")
        let silentTimeouts = lines.filter { $0.contains("repository=silent") && $0.contains("timed out") }.count
        let silentSeconds = settings.duration - silentAt
        #expect(silentTimeouts >= 2, "the silent remote's timeouts were not logged")
        #expect(silentDelays.count >= 2 && silentDelays[1] > silentDelays[0], "the silent remote was not backed off: \(silentDelays)")
        // Polling every 2 s with a 3 s timeout would try it every 5 s; backing off, far fewer times.
        #expect(silentDelays.count <= Int(silentSeconds / 10), "\(silentDelays.count) attempts on the silent remote in \(Int(silentSeconds)) s")
        #expect((silentDelays.max() ?? 0) >= Int(min(250, silentSeconds / 8)), "the back-off did not grow: \(silentDelays)")
        // The flaky remote: backed off while away, and a recovery logged after each outage.
        let flakyRecoveries = lines.filter { $0.contains("repository=flaky") && $0.contains("recovered: processed") }.count
        #expect(!delays("flaky").isEmpty, "the flaky remote's outage was not noticed")
        #expect(flakyRecoveries == outages.count, "\(flakyRecoveries) recoveries logged for \(outages.count) outages")
        // Local repositories never fail; contention with the pushes is a warning at most.
        let localErrors = lines.filter { $0.contains(" error ") && $0.contains("repository=r") }
        #expect(localErrors.isEmpty, "\(localErrors.prefix(5).joined(separator: "\n"))")

        // Growth: the last window against the one after the warm-up.
        func window(from: Double) -> [Sample] { samples.filter { $0.time >= from && $0.time <= from + settings.window } }
        let first = window(from: settings.warmUp), last = window(from: settings.duration - settings.window)
        try #require(first.count >= 3 && last.count >= 3, "too few samples: \(first.count), \(last.count)")
        let rssFirst = Self.median(first.map(\.rssKiB)), rssLast = Self.median(last.map(\.rssKiB))
        let rssGrowth = Double(rssLast - rssFirst) / Double(rssFirst)
        let anonymousFirst = Self.median(first.map(\.anonymousKiB)), anonymousLast = Self.median(last.map(\.anonymousKiB))
        let fdsFirst = first.map(\.descriptors).max()!, fdsLast = last.map(\.descriptors).max()!
        let threadsFirst = first.map(\.threads).max()!, threadsLast = last.map(\.threads).max()!
        let span = samples.last!.time - samples.first!.time
        func cpu(_ a: Sample, _ b: Sample) -> Double { Double(b.ownTicks - a.ownTicks) / Self.ticks / max(b.time - a.time, 1) * 100 }
        let mib = { (kib: Int) in String(format: "%.1f MiB", Double(kib) / 1024) }
        print(
            """
            soak: seed \(SoakSettings.seed), \(Int(settings.duration)) s with \(SoakSettings.repositories) local repositories \
            (\(SoakSettings.hooked) with hooks) and 2 remotes over git://; \(pushes) pushes (\(pushRetries) retried after a status commit \
            got there first), \(samples.count) samples every \(Int(SoakSettings.sampleEvery)) s
            soak: RSS \(mib(atReady?.rssKiB ?? 0)) at READY, \(mib(samples.first!.rssKiB)) after one push to each repository, \(mib(rssFirst)) at \(Int(settings.warmUp)) s, \(mib(rssLast)) at \
            \(Int(settings.duration)) s (\(String(format: "%+.1f", rssGrowth * 100)) %, limit +\(Int(SoakSettings.rssTolerance * 100)) %), \
            peak sample \(mib(samples.map(\.rssKiB).max()!)); of which anonymous \(mib(anonymousFirst)) at \(Int(settings.warmUp)) s, \
            \(mib(anonymousLast)) at the end
            soak: descriptors \(samples.map(\.descriptors).min()!)–\(samples.map(\.descriptors).max()!) (max \(fdsFirst) after warm-up, \
            \(fdsLast) at the end); threads \(samples.map(\.threads).min()!)–\(samples.map(\.threads).max()!) \
            (max \(threadsFirst) after warm-up, \(threadsLast) at the end)
            soak: CPU \(String(format: "%.2f", cpu(samples.first!, samples.last!))) % of a core over \(Int(span)) s \
            (\(String(format: "%.2f", cpu(first.first!, first.last!))) % after warm-up, \(String(format: "%.2f", cpu(last.first!, last.last!))) % \
            at the end), children \(String(format: "%.1f", Double(samples.last!.childTicks - samples.first!.childTicks) / Self.ticks)) s
            soak: \(pushes - missing.count) of \(pushes) actions recorded exactly once, \(replayed) replays clean; silent remote: \
            \(silentTimeouts) timeouts logged in \(Int(silentSeconds)) s, retried after \(silentDelays.map { "\($0)" }.joined(separator: ", ")) s; \
            flaky remote: \(outages.count) outage(s), \(flakyRecoveries) recovery line(s); SIGTERM took \(Int(stopSeconds)) s
            """)
        #expect(
            rssGrowth <= SoakSettings.rssTolerance,
            "RSS grew from \(mib(rssFirst)) to \(mib(rssLast)): \(samples.map { "\(Int($0.time)):\($0.rssKiB)" }.joined(separator: " "))")
        #expect(fdsLast <= fdsFirst + SoakSettings.descriptorSlack, "descriptors grew from \(fdsFirst) to \(fdsLast)")
        #expect(threadsLast <= threadsFirst + SoakSettings.threadSlack, "threads grew from \(threadsFirst) to \(threadsLast)")
    }
}
