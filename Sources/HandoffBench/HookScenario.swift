import Foundation
import HandoffEngine

/// The pre-receive hook on a 10-commit push: `git push` with the hooks installed against the same push
/// into a repository without them.
enum HookScenario {
    struct Figures {
        var withHookMilliseconds: Double
        var withoutHookMilliseconds: Double
    }

    static func run(handoff: String, rounds: Int) throws -> Figures {
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
        try BoardScenario.shell([handoff, "hook", "install", "--repo", hooked, "--config", config], quiet: true)
        let clone = folder.appendingPathComponent("clone").path
        try BoardScenario.shell(["git", "clone", "-q", hooked, clone])
        try BoardScenario.shell(["git", "-C", clone, "remote", "add", "plain", plain])
        try BoardScenario.shell(["git", "-C", clone, "config", "user.email", "ana@acme.example"])
        try BoardScenario.shell(["git", "-C", clone, "config", "user.name", "Ana"])
        let clock = ContinuousClock()
        var hookedTime = Duration.zero, plainTime = Duration.zero
        for round in 0..<rounds {
            for index in 0..<10 {
                let notes = URL(fileURLWithPath: clone).appendingPathComponent("specs/PAY-142/notes-\(round).md")
                let handle = FileManager.default.fileExists(atPath: notes.path) ? try FileHandle(forWritingTo: notes) : nil
                if let handle { try handle.seekToEnd(); try handle.write(contentsOf: Data("line \(index)\n".utf8)); try handle.close() }
                else { try Data("line \(index)\n".utf8).write(to: notes) }
                try BoardScenario.shell(["git", "-C", clone, "add", "-A"])
                try BoardScenario.shell(["git", "-C", clone, "commit", "-q", "-m", "note \(round).\(index)"])
            }
            var start = clock.now
            try BoardScenario.shell(["git", "-C", clone, "push", "-q", "origin", "HEAD:main"])
            hookedTime += clock.now - start
            start = clock.now
            try BoardScenario.shell(["git", "-C", clone, "push", "-q", "plain", "HEAD:main"])
            plainTime += clock.now - start
        }
        func milliseconds(_ duration: Duration) -> Double {
            (Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15) / Double(rounds)
        }
        return Figures(withHookMilliseconds: milliseconds(hookedTime), withoutHookMilliseconds: milliseconds(plainTime))
    }
}
