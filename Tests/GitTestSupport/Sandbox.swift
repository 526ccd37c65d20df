import Foundation
public import Git

/// A temporary folder for one test, and a `git` CLI that ignores the machine's own configuration.
public final class Sandbox {
    public let root: String
    public let home: String

    public init(_ name: String = #function) throws {
        let base = FileManager.default.temporaryDirectory.path
        let safe = name.filter { $0.isLetter || $0.isNumber }
        root = "\(base)/handoff-test-\(safe)-\(UUID().uuidString.prefix(8))"
        home = "\(root)/home"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The environment for git: fixed identity and dates, no global or system config.
    public var environment: [String: String] {
        [
            "HOME": home,
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Ana Client",
            "GIT_AUTHOR_EMAIL": "ana@client.example",
            "GIT_COMMITTER_NAME": "Ana Client",
            "GIT_COMMITTER_EMAIL": "ana@client.example",
            "LC_ALL": "C",
            // handoff demo writes http.listen 127.0.0.1:8420; daemons under test serve HTTP only where a test asks.
            "HANDOFFD_HTTP_LISTEN": "off",
        ]
    }

    /// Runs `git ARGS` in `directory` and returns its trimmed stdout; throws when it fails.
    @discardableResult
    public func git(_ arguments: [String], in directory: String, env extra: [String: String] = [:], input: String? = nil) throws -> String {
        let result = try runProcess(
            "/usr/bin/git", arguments, in: directory,
            environment: environment.merging(extra) { $1 },
            input: input.map { Data($0.utf8) })
        guard result.status == 0 else { throw CommandFailed(command: ["git"] + arguments, result: result) }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs `git ARGS` and returns the whole result, for commands expected to fail.
    public func gitResult(_ arguments: [String], in directory: String) throws -> ProcessResult {
        try runProcess("/usr/bin/git", arguments, in: directory, environment: environment)
    }

    /// Creates a folder under the sandbox and returns its path.
    public func folder(_ name: String) throws -> String {
        let path = "\(root)/\(name)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A fresh working repository on branch `main`.
    public func workRepository(_ name: String = "work") throws -> String {
        let path = try folder(name)
        try git(["init", "-q", "-b", "main"], in: path)
        return path
    }

    /// Writes `text` to `path` inside `repository`, creating folders.
    /// A tree object of `entries` (mode, name, id) in exactly the order given, stored as is (`git hash-object
    /// --literally`): out of order or with a name twice when a test wants a hostile tree.
    public func rawTree(_ entries: [(mode: String, name: String, id: ObjectID)], in gitDirectory: String) throws -> ObjectID {
        var bytes = Data()
        for entry in entries {
            bytes += Data("\(entry.mode) \(entry.name)\u{0}".utf8)
            var hex = Substring(entry.id.hex)
            while !hex.isEmpty {
                bytes.append(UInt8(hex.prefix(2), radix: 16)!)
                hex = hex.dropFirst(2)
            }
        }
        let file = "\(root)/raw-tree-\(UUID().uuidString)"
        try bytes.write(to: URL(fileURLWithPath: file))
        let hex = try git(["hash-object", "-w", "-t", "tree", "--literally", file], in: gitDirectory)
        return ObjectID(hex: hex.trimmingCharacters(in: .whitespacesAndNewlines))!
    }

    public func write(_ text: String, to path: String, in repository: String) throws {
        let url = URL(fileURLWithPath: "\(repository)/\(path)")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Stages everything and commits with `message` at a fixed, distinct date; returns the commit id.
    @discardableResult
    public func commitAll(_ message: String, in repository: String, date: String = "2026-11-01T10:00:00+01:00") throws -> String {
        try git(["add", "-A"], in: repository)
        return try commit(message, in: repository, date: date)
    }

    /// Commits what is staged with `message` at `date`; returns the commit id.
    @discardableResult
    public func commit(_ message: String, in repository: String, date: String = "2026-11-01T10:00:00+01:00") throws -> String {
        try git(
            ["commit", "-q", "--allow-empty", "-m", message], in: repository,
            env: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
        return try git(["rev-parse", "HEAD"], in: repository)
    }
}

extension ObjectID {
    /// Parses git CLI output, failing the test loudly on anything else.
    public init(_ hex: String) {
        guard let id = ObjectID(hex: hex.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            fatalError("not an object id: \(hex)")
        }
        self = id
    }
}

extension Sandbox {
    /// Makes handoffd's signing key in `stateDirectory` (its default `handoffd_ed25519`), as an operator's
    /// `handoffd key generate` would: handoffd never makes one itself. Kept when it already exists.
    public func handoffdKey(in stateDirectory: String? = nil) throws {
        let state = stateDirectory ?? "\(root)/state"
        guard !FileManager.default.fileExists(atPath: "\(state)/handoffd_ed25519") else { return }
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let made = try runProcess(
            "/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "handoffd@acme.example", "-f", "\(state)/handoffd_ed25519"])
        guard made.status == 0 else { throw CommandFailed(command: ["ssh-keygen"], result: made) }
    }
}
