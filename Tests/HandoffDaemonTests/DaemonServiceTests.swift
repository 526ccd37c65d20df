import Foundation
import GitTestSupport
import HandoffEngine
import HandoffSystem
import Testing

/// `handoffd` as a service: the real binary, a bare repository with hooks, pushes with the real git CLI,
/// sd_notify messages caught on a datagram socket set as NOTIFY_SOCKET, and signals by pid.
@Suite("handoffd service", .enabled(if: Executables.built, "run `swift build` first: the executables are not next to the tests"))
struct DaemonServiceTests {
    /// A datagram socket standing in for systemd's notify socket.
    final class NotifyListener {
        let path: String
        let fd: Int32

        init(path: String) {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            _ = UnixSocketAddress(path: path)?.bind(fd)
        }

        deinit {
            close(fd)
            unlink(path)
        }

        /// Messages received until one contains `text`, or nil after `timeout` seconds.
        func wait(for text: String, timeout: Double = 10) -> [String]? {
            var messages: [String] = []
            let deadline = Date().addingTimeInterval(timeout)
            var buffer = [UInt8](repeating: 0, count: 1024)
            while Date() < deadline {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count > 0 {
                    let message = String(decoding: buffer.prefix(count), as: UTF8.self)
                    messages.append(message)
                    if message.contains(text) { return messages }
                } else {
                    usleep(10_000)
                }
            }
            return nil
        }
    }

    @Test("ready after the first pass, a push wakes it, SIGHUP reloads, watchdog ticks, SIGTERM exits 0")
    func service() throws {
        let sandbox = try Sandbox()
        _ = try runProcess(Executables.handoff, ["demo", sandbox.root, "--status-branch", "off"])
        let config = "\(sandbox.root)/handoffd.yaml"
        let socket = "\(sandbox.root)/notify.sock"
        // handoff demo already set notify_socket (DIR/notify.sock) and installed the hooks.
        try (try String(contentsOfFile: config, encoding: .utf8) + "poll_interval: 60\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let bare = "\(sandbox.root)/specs.git"
        #expect(try runProcess(Executables.handoff, ["hook", "install", "--repo", bare, "--config", config, "--socket", socket]).status == 0)
        let listener = NotifyListener(path: "\(sandbox.root)/systemd.sock")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = listener.path
        environment["WATCHDOG_USEC"] = "400000"
        let daemon = try ChildProcess(Executables.handoffd, ["--config", config], environment: environment, stderr: "\(sandbox.root)/daemon.log")
        defer {
            if daemon.isRunning() {
                kill(daemon.pid, SIGKILL)
                _ = daemon.wait()
            }
        }
        #expect(listener.wait(for: "READY=1") != nil, "no READY=1")
        #expect(listener.wait(for: "WATCHDOG=1") != nil, "no WATCHDOG=1")
        let first = try sandbox.git(["rev-parse", "main"], in: bare)

        try sandbox.git(["clone", "-q", bare, "clone"], in: sandbox.root)
        try signAsDemoParticipant(demo: sandbox.root, clone: "\(sandbox.root)/clone")
        let clone = "\(sandbox.root)/clone"
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "block it\n\nHandoff: block PAY-142 waiting for legal"], in: clone,
            env: ["GIT_AUTHOR_EMAIL": "bo@acme.example", "GIT_COMMITTER_EMAIL": "bo@acme.example"])
        try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        // The poll interval is a minute, the wait at most half of it: only the hook's poke can make the status appear.
        let blocked = try eventually {
            try sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: bare).contains("blocked: true")
        }
        #expect(blocked, "the push did not produce a status commit before the next poll")
        #expect(try sandbox.git(["rev-parse", "main"], in: bare) != first)

        try (try String(contentsOfFile: config, encoding: .utf8) + "bogus_key: 1\n").write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        #expect(listener.wait(for: "RELOADING=1") != nil)
        #expect(listener.wait(for: "READY=1") != nil)
        #expect(daemon.isRunning(), "a bad reload must not stop the daemon")

        kill(daemon.pid, SIGTERM)
        #expect(listener.wait(for: "STOPPING=1") != nil)
        #expect(daemon.wait() == 0)
        let log = try String(contentsOfFile: "\(sandbox.root)/daemon.log", encoding: .utf8)
        #expect(log.contains("configuration not reloaded, keeping the previous one"), "\(log)")
        #expect(log.contains("bogus_key"))
        try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
    }

    @Test("one process serves 20 repositories; a vanished one is reported as stalled and resumed when it appears, without disturbing the others")
    func twentyRepositories() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        var config = "identity:\n  email: handoffd@acme.example\nstate_directory: \(sandbox.root)/state\npoll_interval: 0.5\nrepositories:\n"
        for index in 0..<20 {
            let path = "\(sandbox.root)/repo\(index).git"
            try DemoRepository.create(at: path)
            config += "  - { name: r\(index), path: \(path), operators: [ops@acme.example] }\n"
        }
        config += "  - { name: gone, path: \(sandbox.root)/gone.git, operators: [ops@acme.example] }\n"
        let configPath = "\(sandbox.root)/handoffd.yaml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let listener = NotifyListener(path: "\(sandbox.root)/systemd.sock")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = listener.path
        let daemon = try ChildProcess(Executables.handoffd, ["--config", configPath], environment: environment, stderr: "\(sandbox.root)/daemon.log")
        defer {
            if daemon.isRunning() {
                kill(daemon.pid, SIGKILL)
                _ = daemon.wait()
            }
        }
        #expect(listener.wait(for: "READY=1", timeout: 60) != nil, "no READY=1 after the first passes")
        for index in 0..<20 {
            let subject = try sandbox.git(["log", "-1", "--format=%s", "main"], in: "\(sandbox.root)/repo\(index).git")
            #expect(subject.hasPrefix("handoff: "), "repo\(index) has no status commit")
        }
        // The vanished repository appears: the poll's probe sees the change and resumes it, without a restart.
        try DemoRepository.create(at: "\(sandbox.root)/gone.git")
        let recovered = eventually {
            (try? sandbox.git(["log", "-1", "--format=%s", "main"], in: "\(sandbox.root)/gone.git"))?.hasPrefix("handoff: ") ?? false
        }
        #expect(recovered, "the repository that reappeared was not resumed")
        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait() == 0)
        let log = try String(contentsOfFile: "\(sandbox.root)/daemon.log", encoding: .utf8)
        #expect(log.contains("cannot process \(sandbox.root)/gone.git"))
        // A missing path needs a person: it is not retried with back-off but stalls until the path changes.
        #expect(log.contains("stalled, a person must act: cannot process \(sandbox.root)/gone.git"))
        let retries = log.split(separator: "\n").filter { $0.contains("\(sandbox.root)/gone.git") && $0.contains("retrying in") }
        #expect(retries.isEmpty, "\(retries)")
    }

    @Test(
        "a repository whose path holds no repository stalls: told once, not retried, named in STATUS=; reloading the fixed configuration resumes it (AC-3)"
    )
    func stalledUntilReloaded() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let good = "\(sandbox.root)/good.git"
        try DemoRepository.create(at: good)
        // The path names the folder the repositories live in, not the repository (a work tree is refused at load).
        let wrong = try sandbox.folder("repositories")
        let configPath = "\(sandbox.root)/handoffd.yaml"
        func configure(specs path: String) throws {
            try
                ("identity:\n  email: handoffd@acme.example\nstate_directory: \(sandbox.root)/state\npoll_interval: 0.1\nrepositories:\n"
                + "  - { name: good, path: \(good), operators: [ops@acme.example] }\n"
                + "  - { name: specs, path: \(path), operators: [ops@acme.example] }\n")
                .write(toFile: configPath, atomically: true, encoding: .utf8)
        }
        try configure(specs: wrong)
        let listener = NotifyListener(path: "\(sandbox.root)/systemd.sock")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = listener.path
        let logPath = "\(sandbox.root)/daemon.log"
        let daemon = try ChildProcess(Executables.handoffd, ["--config", configPath], environment: environment, stderr: logPath)
        defer {
            if daemon.isRunning() {
                kill(daemon.pid, SIGKILL)
                _ = daemon.wait()
            }
        }
        // The stalled repository does not hold READY=1 back: it answered, with a stall, and STATUS= says so.
        let ready = listener.wait(for: "READY=1", timeout: 60)?.last ?? ""
        #expect(
            ready.contains("STATUS=serving 2 repositories; stalled: specs (cannot open repository at \(wrong): not a git repository"),
            "\(ready)")
        func attempts() -> [Substring] {
            ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").filter { $0.contains("cannot process \(wrong)") }
        }
        // Asserting that something does not happen needs a window: back-off from 2 s would have retried at about
        // 2 s and 6 s, and the poll ticks ten times a second meanwhile. The count of attempts is what is checked.
        usleep(7_500_000)
        let told = attempts()
        #expect(told.count == 1, "\(told)")
        #expect(
            told.first?.contains(" error handoffd: stalled, a person must act: cannot process \(wrong): cannot open repository at \(wrong)")
                == true, "\(told)")
        #expect(!told.contains { $0.contains("retrying in") })

        let fixed = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: fixed)
        try configure(specs: fixed)
        kill(daemon.pid, SIGHUP)
        #expect(listener.wait(for: "RELOADING=1") != nil)
        let reloaded = listener.wait(for: "READY=1")?.last ?? ""
        // The replaced worker may not have run yet: STATUS= then says so rather than calling it stalled.
        #expect(
            reloaded.hasSuffix("STATUS=serving 2 repositories")
                || reloaded.hasSuffix("STATUS=serving 2 repositories; waiting for a first answer: specs"), "\(reloaded)")
        let published = eventually {
            (try? sandbox.git(["log", "-1", "--format=%s", "main"], in: fixed))?.hasPrefix("handoff: ") ?? false
        }
        #expect(published, "the fixed repository was not processed after the reload")
        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait() == 0)
        #expect(attempts().count == 1, "the wrong path was not tried again after the reload replaced it")
    }

    @Test("without hooks, a push to a local repository is noticed through inotify long before the next poll")
    func inotify() throws {
        let sandbox = try Sandbox()
        try sandbox.handoffdKey()
        let bare = "\(sandbox.root)/specs.git"
        try DemoRepository.create(at: bare)
        let config = "\(sandbox.root)/handoffd.yaml"
        try (DemoRepository.configuration(repository: bare, stateDirectory: "\(sandbox.root)/state") + "poll_interval: 600\n")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let listener = NotifyListener(path: "\(sandbox.root)/systemd.sock")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = listener.path
        let daemon = try ChildProcess(Executables.handoffd, ["--config", config], environment: environment, stderr: "\(sandbox.root)/daemon.log")
        defer {
            if daemon.isRunning() {
                kill(daemon.pid, SIGKILL)
                _ = daemon.wait()
            }
        }
        #expect(listener.wait(for: "READY=1") != nil)
        try sandbox.git(["clone", "-q", bare, "clone"], in: sandbox.root)
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "block\n\nHandoff: block PAY-142 legal"], in: "\(sandbox.root)/clone",
            env: ["GIT_AUTHOR_EMAIL": "ana@acme.example", "GIT_COMMITTER_EMAIL": "ana@acme.example"])
        try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: "\(sandbox.root)/clone")
        let blocked = eventually {
            (try? sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: bare))?.contains("blocked: true") ?? false
        }
        #expect(blocked, "the push was not noticed before the next poll (the poll interval is 10 minutes)")
        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait() == 0)
    }

    /// The demo served by handoffd's configuration, and a clone pushing `pushes` block/unblock actions on
    /// PAY-142 in the background, pulling and retrying when a push is refused.
    struct Burst {
        let sandbox: Sandbox
        let config: String
        let bare: String
        let pusher: ChildProcess
        let pushes: Int

        init(pushes: Int, name: String = #function) throws {
            sandbox = try Sandbox(name)
            _ = try runProcess(Executables.handoff, ["demo", sandbox.root, "--status-branch", "off"])
            config = "\(sandbox.root)/handoffd.yaml"
            bare = "\(sandbox.root)/specs.git"
            self.pushes = pushes
            try sandbox.git(["clone", "-q", bare, "clone"], in: sandbox.root)
            try signAsDemoParticipant(demo: sandbox.root, clone: "\(sandbox.root)/clone")
            // A stale ref lock (a kill inside libgit2's microseconds of holding it) blocks pushes until a running
            // handoffd clears it after StaleLocks.maximumAge: the pusher keeps trying for up to two minutes.
            let script = """
                set -u
                n=0
                while [ $n -lt \(pushes) ]; do
                  if [ $((n % 2)) -eq 0 ]; then a=block; else a=unblock; fi
                  git commit -q --allow-empty -m "burst $n" -m "Handoff: $a PAY-142 burst $n" || exit 1
                  tries=0
                  until git push -q origin HEAD:main 2>/dev/null; do
                    tries=$((tries+1)); [ $tries -lt 1200 ] || exit 1
                    git pull -q --rebase origin main 2>/dev/null || sleep 0.1
                  done
                  n=$((n+1))
                done
                """
            var environment = sandbox.environment
            environment["GIT_AUTHOR_EMAIL"] = "ana@acme.example"
            environment["GIT_COMMITTER_EMAIL"] = "ana@acme.example"
            pusher = try ChildProcess("/bin/bash", ["-c", script], in: "\(sandbox.root)/clone", environment: environment)
        }

        /// handoffd serving the burst, its stderr in `log` under the sandbox.
        func daemon(log: String) throws -> ChildProcess {
            try ChildProcess(Executables.handoffd, ["--config", config], environment: sandbox.environment, stderr: "\(sandbox.root)/\(log)")
        }

        /// After one more pass, every pushed action is in PAY-142's history exactly once and the repository is sound.
        func expectEachActionOnce() throws {
            let once = try runProcess(Executables.handoffd, ["--config", config, "--once"], environment: sandbox.environment)
            #expect(once.status == 0, "\(once.stderr)")
            let status = try sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: bare)
            for n in 0..<pushes {
                let count = status.components(separatedBy: "burst \(n)\"").count - 1
                #expect(count == 1, "burst \(n) appears \(count) times in the history")
            }
            try sandbox.git(["fsck", "--strict", "--no-dangling"], in: bare)
        }
    }

    @Test("SIGTERM during a burst of pushes exits 0; after a restart every pushed action is covered exactly once")
    func sigtermDuringBurst() throws {
        let burst = try Burst(pushes: 30)
        let first = try burst.daemon(log: "first.log")
        // Mid-burst: the daemon has published at least once and the pusher is still going.
        let busy = eventually(timeout: 60) {
            ((try? String(contentsOfFile: "\(burst.sandbox.root)/first.log", encoding: .utf8)) ?? "").contains("published status")
        }
        #expect(busy, "the daemon published nothing during the burst")
        kill(first.pid, SIGTERM)
        #expect(first.wait() == 0, "SIGTERM during the burst must exit 0")
        #expect(burst.pusher.wait() == 0)
        try burst.expectEachActionOnce()
    }

    @Test("kill -9 at 20 seeded random moments during a burst: every pushed action is covered exactly once, fsck clean")
    func killNineDuringBurst() throws {
        let burst = try Burst(pushes: 40)
        var random = UInt64(0x5EED_4A11)
        for round in 0..<20 {
            let daemon = try burst.daemon(log: "kill-\(round).log")
            random = random &* 6364136223846793005 &+ 1442695040888963407
            usleep(useconds_t(20_000 + (random >> 33) % 300_000))
            kill(daemon.pid, SIGKILL)
            _ = daemon.wait()
        }
        // One last daemon serves until the burst is over (and clears a lock a kill may have left).
        let last = try burst.daemon(log: "last.log")
        #expect(burst.pusher.wait() == 0, "the pusher gave up: a lock was never cleared")
        // A SIGTERM before the service group handles signals would kill it outright (a loaded machine can
        // finish the burst before the last daemon is up): wait until it serves.
        let serving = eventually(timeout: 60) {
            ((try? String(contentsOfFile: "\(burst.sandbox.root)/last.log", encoding: .utf8)) ?? "").contains("serving ")
        }
        #expect(serving, "the last daemon never started serving")
        kill(last.pid, SIGTERM)
        #expect(last.wait() == 0)
        try burst.expectEachActionOnce()
    }

    @Test("a flood of 20,000 datagrams on the notify socket costs a few log lines, and the hook's poke after it still wakes handoffd")
    func notifyFlood() throws {
        let sandbox = try Sandbox()
        _ = try runProcess(Executables.handoff, ["demo", sandbox.root, "--status-branch", "off"])
        let config = "\(sandbox.root)/handoffd.yaml"
        let socket = "\(sandbox.root)/notify.sock"
        try (try String(contentsOfFile: config, encoding: .utf8) + "poll_interval: 60\n").write(toFile: config, atomically: true, encoding: .utf8)
        let bare = "\(sandbox.root)/specs.git"
        #expect(try runProcess(Executables.handoff, ["hook", "install", "--repo", bare, "--config", config, "--socket", socket]).status == 0)
        let listener = NotifyListener(path: "\(sandbox.root)/systemd.sock")
        var environment = sandbox.environment
        environment["NOTIFY_SOCKET"] = listener.path
        let log = "\(sandbox.root)/daemon.log"
        let daemon = try ChildProcess(Executables.handoffd, ["--config", config], environment: environment, stderr: log)
        defer {
            if daemon.isRunning() {
                kill(daemon.pid, SIGKILL)
                _ = daemon.wait()
            }
        }
        #expect(listener.wait(for: "READY=1") != nil, "no READY=1")

        // A blocking sender: every datagram reaches the socket (a full buffer waits instead of failing).
        let sender = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(sender) }
        let address = try #require(UnixSocketAddress(path: socket))
        var sent = 0
        for index in 0..<20_000 where address.send(Array("no-such-repo-\(index)\u{1B}[2J".utf8), from: sender) > 0 { sent += 1 }
        #expect(sent == 20_000)

        try sandbox.git(["clone", "-q", bare, "clone"], in: sandbox.root)
        try signAsDemoParticipant(demo: sandbox.root, clone: "\(sandbox.root)/clone")
        let clone = "\(sandbox.root)/clone"
        try sandbox.git(
            ["commit", "-q", "--allow-empty", "-m", "block it\n\nHandoff: block PAY-142 waiting for legal"], in: clone,
            env: ["GIT_AUTHOR_EMAIL": "bo@acme.example", "GIT_COMMITTER_EMAIL": "bo@acme.example"])
        try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
        // The poll interval is a minute: only the hook's poke, after the flood, can make the status appear.
        let blocked = try eventually { try sandbox.git(["show", "main:specs/PAY-142/status.yaml"], in: bare).contains("blocked: true") }
        #expect(blocked, "the hook's poke after the flood did not wake handoffd")

        kill(daemon.pid, SIGTERM)
        #expect(daemon.wait() == 0)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let lines = text.split(separator: "\n")
        let socketLines = lines.filter { $0.contains("no-such-repo") || $0.contains("notify socket") }
        #expect(socketLines.count >= 1 && socketLines.count <= 3, "\(socketLines.count) line(s) about the socket")
        #expect(text.contains("datagram(s) over the rate limit"), "\(text.prefix(2_000))")
        #expect(text.utf8.count < 16_384, "\(text.utf8.count) bytes of log")
        #expect(!text.contains("\u{1B}"), "an escape sequence reached the log raw")
    }
}
