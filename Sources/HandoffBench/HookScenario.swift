import Foundation
import HandoffEngine

/// The pre-receive hook on a 10-commit push: `git push` with the hooks installed against the same push
/// into a repository without them.
enum HookScenario {
    struct Figures {
        var withHookMilliseconds: Double
        var withoutHookMilliseconds: Double
    }

    /// `handoffd` processes the hooked repository between rounds, as the service would, so that each round's
    /// hook audits its own 10 commits rather than every earlier round's too.
    static func run(handoff: String, handoffd: String, rounds: Int) throws -> Figures {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-bench-hook-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let hooked = folder.appendingPathComponent("hooked.git").path, plain = folder.appendingPathComponent("plain.git").path
        try DemoRepository.create(at: hooked)
        try DemoRepository.create(at: plain)
        let config = folder.appendingPathComponent("handoffd.yaml").path
        try Data(DemoRepository.configuration(repository: hooked, stateDirectory: folder.appendingPathComponent("state").path).utf8)
            .write(to: URL(fileURLWithPath: config))
        try BoardScenario.shell([handoffd, "key", "generate", "--config", config])
        try BoardScenario.shell([handoff, "hook", "install", "--repo", hooked, "--config", config], quiet: true)
        let clone = folder.appendingPathComponent("clone").path
        try BoardScenario.shell(["git", "clone", "-q", hooked, clone])
        try BoardScenario.shell(["git", "-C", clone, "remote", "add", "plain", plain])
        try BoardScenario.shell(["git", "-C", clone, "config", "user.email", "ana@acme.example"])
        try BoardScenario.shell(["git", "-C", clone, "config", "user.name", "Ana"])
        let clock = ContinuousClock()
        var hookedTimes: [Double] = [], plainTimes: [Double] = []
        for round in 0..<rounds {
            // Both remotes start the round equal: the status commit handoffd added is fetched and copied to
            // plain, unmeasured, so that both measured pushes carry the same 10 commits.
            try BoardScenario.shell(["git", "-C", clone, "pull", "-q", "--ff-only", "origin", "main"])
            try BoardScenario.shell(["git", "-C", clone, "push", "-q", "plain", "HEAD:main"])
            for index in 0..<10 {
                let notes = URL(fileURLWithPath: clone).appendingPathComponent("specs/PAY-142/notes-\(round).md")
                let handle = FileManager.default.fileExists(atPath: notes.path) ? try FileHandle(forWritingTo: notes) : nil
                if let handle {
                    try handle.seekToEnd()
                    try handle.write(contentsOf: Data("line \(index)\n".utf8))
                    try handle.close()
                } else {
                    try Data("line \(index)\n".utf8).write(to: notes)
                }
                try BoardScenario.shell(["git", "-C", clone, "add", "-A"])
                try BoardScenario.shell(["git", "-C", clone, "commit", "-q", "-m", "note \(round).\(index)"])
            }
            // Alternate which goes first, so that neither always runs in the other's wake.
            for hooked in round % 2 == 0 ? [true, false] : [false, true] {
                usleep(200_000)  // let what the previous push left running (a detached poke, gc) finish first
                let start = clock.now
                try BoardScenario.shell(["git", "-C", clone, "push", "-q", hooked ? "origin" : "plain", "HEAD:main"])
                if hooked { hookedTimes.append(ms(clock.now - start)) } else { plainTimes.append(ms(clock.now - start)) }
            }
            try BoardScenario.shell([handoffd, "--config", config, "--once"])
        }
        return Figures(withHookMilliseconds: median(hookedTimes), withoutHookMilliseconds: median(plainTimes))
    }
}
