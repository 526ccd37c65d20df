import ArgumentParser
import Foundation
import Git
import HandoffConfiguration
import HandoffCore
import HandoffEngine

/// `handoff replay`: recompute every status file from the first commit, print it or compare it.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Recompute all status from the first commit; print it, or with --check compare it to the branch.",
        discussion: """
            Uses handoffd's configuration for the repository's operators and handoffd's key (to tell its \
            genuine commits from forged ones). --check exits 1 when a status file, or the board's packet \
            tables, differ from what is committed at the tip; board events are not compared (a run that saw \
            a force-push records it, a replay cannot).
            """
    )

    @Option(help: "handoffd's configuration file.")
    var config: String

    @Option(name: .customLong("repo"), help: "The repository: its name or path in the configuration (default: the only one).")
    var repository: String?

    @Option(help: "The branch (default: the configured one).")
    var branch: String?

    @Flag(help: "Compare with the committed status instead of printing; exit 1 on any difference.")
    var check = false

    func run() throws {
        let configuration: DaemonConfiguration
        do {
            configuration = try DaemonConfiguration.load(config)
        } catch {
            throw CannotCheck(error.description)
        }
        guard let entry = configuration.repository(named: repository) else {
            throw CannotCheck(
                repository == nil
                    ? "the configuration serves several repositories: name one with --repo"
                    : "no repository '\(repository!)' in \(config)")
        }
        let prepared: PreparedConfiguration
        do {
            prepared = try PreparedConfiguration.forVerifying(configuration)
        } catch {
            throw CannotCheck("\(error)")
        }
        var settings = prepared.settings(for: entry, cache: CheckCache())
        if let branch { settings.branch = branch }
        let opened: Repository
        do {
            opened = try Repository.open(at: entry.path)
        } catch {
            throw CannotCheck(error.description)
        }
        let files = try RepositoryProcessor(settings: settings).replay(opened)
        guard check else {
            for path in files.keys.sorted() {
                print("==> \(path) <==")
                print(files[path]!, terminator: "")
            }
            return
        }
        guard let tip = try opened.referenceTarget(settings.statusReference) else {
            throw CannotCheck("\(settings.statusReference) has no commits")
        }
        let tree = try opened.tree(ofCommit: tip)
        var differences: [String] = []
        for path in files.keys.sorted() {
            let committed: String
            if case .data(let data)? = try opened.file(at: path, inTree: tree, sizeLimit: 16 << 20)?.content {
                committed = String(decoding: data, as: UTF8.self)
            } else {
                committed = ""
            }
            let expected = files[path]!
            let same = path == BoardFile.path ? BoardFile.packetTables(committed) == BoardFile.packetTables(expected) : committed == expected
            if !same { differences.append(path) }
        }
        // The pages' folder holds the replay's pages and nothing else (none for a board of fewer packets).
        let pages = files.keys.filter { BoardFile.isBoardPath($0) && $0 != BoardFile.path }.count
        let committedPages = try opened.entryCount(inFolder: BoardFile.pageFolder, ofTree: tree)
        if committedPages != (pages == 0 ? nil : pages) {
            differences.append(BoardFile.pageFolder)
        }
        if differences.isEmpty {
            print("replay matches \(settings.statusReference) at \(tip.abbreviated()): \(files.count) file(s)")
        } else {
            for path in differences { print("differs: \(path)") }
            throw ExitCode(1)
        }
    }
}
