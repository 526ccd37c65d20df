import ArgumentParser
import Foundation
import Git
import HandoffConfiguration
import HandoffCore
import HandoffEngine
import HandoffSystem

/// `handoff hook install|pre-receive|post-receive`: guard pushes at the door and wake the daemon.
struct Hook: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hook",
        abstract: "Git server hooks: refuse pushes that break the workflow, and poke handoffd after a push.",
        subcommands: [HookInstall.self, PreReceive.self, PostReceive.self]
    )
}

/// Options that name the served repository in handoffd's configuration.
struct HookOptions: ParsableArguments {
    @Option(help: "handoffd's configuration file (operators, branch and key of the repository).")
    var config: String

    @Option(name: .customLong("name"), help: "The repository's name in the configuration (default: the only one).")
    var name: String?

    /// The configuration and the repository entry named by `--name`; without it, the one served from
    /// `path` when one is given, else the only one.
    func entry(servedAt path: String? = nil) throws -> (DaemonConfiguration, DaemonConfiguration.RepositoryEntry) {
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(config)
        } catch {
            throw CannotCheck(error.description)
        }
        if name == nil, let path, let entry = configuration.repository(at: path) { return (configuration, entry) }
        guard let entry = configuration.repository(named: name) else {
            let names = configuration.repositories.map(\.name).joined(separator: ", ")
            let served = path.map { " and none at \($0)" } ?? ""
            throw CannotCheck(
                name == nil
                    ? "\(config) serves several repositories\(served): name one with --name (one of: \(names))"
                    : "no repository '\(name!)' in \(config) (it serves: \(names))")
        }
        return (configuration, entry)
    }
}

/// `handoff hook install --repo BARE --config FILE`: writes the two hooks into a bare repository.
struct HookInstall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install", abstract: "Install the pre-receive and post-receive hooks into a bare repository.")

    @Option(help: "The bare repository.")
    var repo: String

    @OptionGroup var options: HookOptions

    @Option(help: "handoffd's notify socket, poked after each push (default: none).")
    var socket: String?

    @Flag(help: "Replace hooks that handoff did not write.")
    var force = false

    func run() throws {
        let (_, entry) = try options.entry(servedAt: repo)
        // The hook names the entry even when --repo chose it: the configuration may serve several.
        let hooks = try Self.install(
            repository: repo, config: options.config, name: options.name ?? entry.name, repositoryName: entry.name,
            socket: socket, force: force)
        print("Installed pre-receive and post-receive in \(hooks)")
    }

    /// Writes both hooks into the bare repository at `repository`; returns the hooks folder.
    static func install(
        repository: String, config: String, name: String?, repositoryName: String, socket: String?,
        force: Bool
    ) throws -> String {
        let hooks = URL(fileURLWithPath: repository).appendingPathComponent("hooks")
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: repository).appendingPathComponent("HEAD").path) else {
            throw CannotCheck("\(repository) is not a bare repository")
        }
        let binary = runningExecutable()
        let configPath = URL(fileURLWithPath: config).standardizedFileURL.path
        let nameOption = name.map { " --name \(quote($0))" } ?? ""
        let scripts = [
            "pre-receive": "exec \(quote(binary)) hook pre-receive --config \(quote(configPath))\(nameOption)",
            // git waits for the hook's output to close: the poke runs detached, so the push returns at once.
            "post-receive": "cat >/dev/null\n\(quote(binary)) hook post-receive --name \(quote(repositoryName))"
                + "\(socket.map { " --socket \(quote($0))" } ?? "") </dev/null >/dev/null 2>&1 &",
        ]
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        for (hook, command) in scripts.sorted(by: { $0.key < $1.key }) {
            let path = hooks.appendingPathComponent(hook).path
            if let existing = FileManager.default.contents(atPath: path), !String(decoding: existing, as: UTF8.self).contains("# written by handoff"),
                !force
            {
                throw CannotCheck("\(path) exists and was not written by handoff; merge it by hand or pass --force")
            }
            try Data("#!/bin/sh\n# written by handoff hook install\n\(command)\n".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        return hooks.path
    }

    /// The absolute path of this very binary, symlinks resolved: what a hook can exec from any folder as
    /// any user. argv[0] is not it: `handoff` found on PATH would become `$PWD/handoff`.
    static func runningExecutable() -> String {
        if let real = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"), real.hasPrefix("/") { return real }
        let invoked = CommandLine.arguments[0]
        let candidates =
            invoked.contains("/")
            ? [invoked]
            : (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/\(invoked)" }
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? invoked
        return URL(fileURLWithPath: found).resolvingSymlinksInPath().standardizedFileURL.path
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

/// `handoff hook pre-receive`: reads git's `<old> <new> <ref>` lines and refuses what handoffd would reject.
struct PreReceive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pre-receive", abstract: "Refuse pushes with forbidden actions, tampering or (by policy) packets not ready.")

    @OptionGroup var options: HookOptions

    func run() throws {
        let (configuration, entry) = try options.entry()
        let prepared: PreparedConfiguration
        do {
            prepared = try PreparedConfiguration.forVerifying(configuration)
        } catch {
            throw CannotCheck("\(error)")
        }
        // Contract checks survive between pushes on disk: a hook is a short-lived process.
        let cachePath = "\(configuration.stateDirectory)/\(entry.name).check-cache.json"
        let cache = CheckCache.load(from: cachePath)
        let settings = prepared.settings(for: entry, cache: cache)
        // Rewritten only when this push checked a contract it did not know: most pushes (actions) check none,
        // and the file grows with the repository.
        defer { if cache.hasUnsavedEntries { try? cache.save(to: cachePath) } }
        let repository: Repository
        do {
            repository = try Repository.openFromEnvironment()
        } catch {
            throw CannotCheck("\(error)")
        }
        var refusals: [PushRefusal] = []
        while let line = readLine() {
            let fields = line.split(separator: " ")
            guard fields.count == 3, let old = ObjectID(hex: fields[0]), let new = ObjectID(hex: fields[1]) else { continue }
            let processor = RepositoryProcessor(settings: settings)
            switch String(fields[2]) {
            case settings.reference:
                refusals += try processor.audit(repository, old: old.isZero ? nil : old, new: new)
            case settings.statusReference where settings.statusReference != settings.reference:
                refusals += try processor.auditStatusBranch(repository, old: old.isZero ? nil : old, new: new)
            default:
                continue
            }
        }
        guard !refusals.isEmpty else { return }
        for refusal in refusals {
            FileHandle.standardError.write(Data("handoff: refused \(safe("\(refusal)"))\n".utf8))
        }
        if refusals.contains(where: \.needsRole) {
            // Who grants roles, from the configuration the hook has: the repository cannot say who its operators are.
            FileHandle.standardError.write(
                Data(
                    ("handoff: roles (client, contractor, reviewer) are granted in \(Policy.path), see docs/policy.md; only the operators "
                        + "of this repository change it: \(safe(entry.operators.joined(separator: ", ")))\n").utf8))
        }
        FileHandle.standardError.write(Data("handoff: push refused; fix the commits above (git rebase -i) and push again\n".utf8))
        throw ExitCode(1)
    }
}

/// `handoff hook post-receive`: pokes handoffd's notify socket and returns at once, daemon up or not.
struct PostReceive: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "post-receive", abstract: "Poke handoffd after a push (never fails, never waits).")

    @Option(name: .customLong("name"), help: "The repository's name, sent in the poke.")
    var name: String?

    @Option(help: "handoffd's notify socket (a Unix datagram socket).")
    var socket: String?

    func run() {
        while readLine() != nil {}  // git waits for the hook to read its input
        guard let socket, let address = UnixSocketAddress(path: socket) else { return }
        let fd = Foundation.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        address.send(Array((name ?? "").utf8), from: fd)
    }
}
