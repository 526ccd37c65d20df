import ArgumentParser
import Foundation
import Git
import HandoffCore
import HandoffEngine

/// `handoff validate [PATH…]`: the daemon's readiness checks, on a work tree or at a commit.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check packets against the definition of ready.",
        discussion: """
            Each PATH is a packet folder (it holds handoff.yaml), a packet root (e.g. specs/), or a spec \
            repository. Packets are checked inside the repository around them, under its \
            .handoff/policy.yaml, exactly as handoffd checks them. Exit status: 0 when every packet is \
            ready, 1 when any is not, 2 when a path cannot be checked.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif
    }

    @Argument(help: "Packet folders, packet roots or repositories (default: the current folder).")
    var paths: [String] = ["."]

    @Option(help: "Output format: text, json or sarif (SARIF 2.1.0).")
    var format: Format = .text

    @Option(help: "The folder holding packets in a repository (default: the policy's packet_root, else specs).")
    var packetRoot: String?

    @Option(help: "Check the packets as committed at this revision (e.g. HEAD, main~1) instead of the work tree.")
    var rev: String?

    func run() throws {
        var reports: [PacketReport] = []
        var otherFindings: [Finding] = []
        for path in paths {
            let target = try rev.map { try Self.target(path, atRevision: $0) } ?? Self.target(path)
            let checked = try check(target)
            reports += checked.reports
            otherFindings += checked.other
        }
        switch format {
        case .text: print(ValidationOutput.text(reports, other: otherFindings, colour: Terminal.supportsColour), terminator: "")
        case .json: print(try ValidationOutput.json(reports, other: otherFindings))
        case .sarif: print(try SARIFOutput.render(reports, other: otherFindings))
        }
        if reports.contains(where: { !$0.isReady }) || otherFindings.contains(where: { $0.severity == .error }) {
            throw ExitCode(1)
        }
    }

    /// What a PATH names, inside which tree, and how to show the files found there.
    struct Target {
        enum Kind {
            case packet(PacketID)
            case packetRoot
            case repository
        }

        var kind: Kind
        /// The repository (work tree or commit) the path is in.
        var view: any TreeView
        /// The path's folder from the repository root ("" for the root itself).
        var inside: String
        /// The path as the user wrote it.
        var shown: String

        /// A repository path as the user would write it from where they pointed.
        func display(_ file: String) -> String {
            if inside.isEmpty { return Validate.join(shown, file) }
            if file == inside { return shown }
            return file.hasPrefix(inside + "/") ? Validate.join(shown, String(file.dropFirst(inside.count + 1))) : file
        }
    }

    /// A PATH in the work tree, read from disk.
    static func target(_ path: String) throws -> Target {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CannotCheck("\(path): no such folder")
        }
        let manager = FileManager.default
        let kind: Target.Kind
        if manager.fileExists(atPath: url.appendingPathComponent("handoff.yaml").path) {
            guard let id = PacketID(url.lastPathComponent) else {
                throw CannotCheck("\(path): '\(url.lastPathComponent)' is not a valid packet id")
            }
            kind = .packet(id)
        } else if let id = try Self.packetWithoutManifest(url) {
            kind = .packet(id)
        } else {
            let children = (try? manager.contentsOfDirectory(atPath: url.path)) ?? []
            let holdsPackets = children.contains { manager.fileExists(atPath: url.appendingPathComponent("\($0)/handoff.yaml").path) }
            kind = holdsPackets ? .packetRoot : .repository
        }
        // Check inside the work tree around the path, so links, dependencies and the policy resolve as in the daemon.
        let root: URL
        switch kind {
        case .repository: root = url
        case .packet, .packetRoot: root = workTreeRoot(containing: url) ?? url.deletingLastPathComponent()
        }
        let inside = String(url.path.dropFirst(root.path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return Target(kind: kind, view: DirectoryTreeView.workTree(at: root.path), inside: inside, shown: trimmed(path))
    }

    /// The packet `url` is when it sits directly in its work tree's packet root under a packet id but holds no
    /// manifest: checked as that packet, it gets `manifest.missing`, as handoffd would report it.
    static func packetWithoutManifest(_ url: URL) throws -> PacketID? {
        guard let id = PacketID(url.lastPathComponent), let root = workTreeRoot(containing: url) else { return nil }
        let parent = String(url.deletingLastPathComponent().path.dropFirst(root.path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        return try Policy.load(from: DirectoryTreeView.workTree(at: root.path)).0.packetRoot == parent ? id : nil
    }

    /// A PATH of a clone, read as committed at `revision` through the Git layer.
    static func target(_ path: String, atRevision revision: String) throws -> Target {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let repository: Repository
        do {
            repository = try Repository.open(at: url.path, searchParents: true)
        } catch {
            throw CannotCheck("\(path): \(error)")
        }
        guard let workTree = repository.workingDirectory else {
            throw CannotCheck("\(path): a bare repository has no folders to name; run from a clone")
        }
        let commit: ObjectID
        do {
            commit = try repository.resolveCommit(revision)
        } catch {
            throw CannotCheck("\(path): \(error.message)")
        }
        let view = try GitTreeView(repository: repository, commit: commit)
        let root = URL(fileURLWithPath: workTree).standardizedFileURL.path
        let inside = String(url.path.dropFirst(root.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        let kind: Target.Kind
        if !inside.isEmpty, try view.entry(at: "\(inside)/handoff.yaml") != nil {
            guard let id = PacketID(url.lastPathComponent) else {
                throw CannotCheck("\(path): '\(url.lastPathComponent)' is not a valid packet id")
            }
            kind = .packet(id)
        } else if !inside.isEmpty,
            try (view.entries(inFolder: inside) ?? []).contains(where: { try view.entry(at: "\($0.path)/handoff.yaml") != nil })
        {
            kind = .packetRoot
        } else if let id = PacketID(url.lastPathComponent), !inside.isEmpty,
            try Policy.load(from: view).0.packetRoot == (inside as NSString).deletingLastPathComponent
        {
            kind = .packet(id)  // a packet folder without a manifest: manifest.missing, as handoffd reports it
        } else {
            kind = .repository
        }
        return Target(kind: kind, view: view, inside: inside, shown: trimmed(path))
    }

    /// Checks what `target` names, under the repository's policy; files are shown as the user named them.
    func check(_ target: Target) throws -> (reports: [PacketReport], other: [Finding]) {
        let (policy, policyFindings) = try Policy.load(from: target.view)
        var checker = PacketChecker(configuration: policy.checkConfiguration)
        let ids: [PacketID]
        var rootFindings: [Finding] = []
        switch target.kind {
        case .packet(let id):
            checker.configuration.packetRoot = (target.inside as NSString).deletingLastPathComponent
            ids = [id]
        case .packetRoot:
            checker.configuration.packetRoot = target.inside
            (ids, rootFindings) = try checker.packetIDs(in: target.view)
        case .repository:
            let relative = packetRoot ?? policy.packetRoot
            checker.configuration.packetRoot = target.inside.isEmpty ? relative : "\(target.inside)/\(relative)"
            (ids, rootFindings) = try checker.packetIDs(in: target.view)
            guard !ids.isEmpty || !rootFindings.isEmpty else {
                throw CannotCheck("\(target.shown): no packets under \(relative)/ (and no handoff.yaml here)")
            }
        }
        let reports = try ids.map { id in
            var report = try checker.check(id, in: target.view)
            report.findings = report.findings.map { target.displayed($0) }
            report.folder = target.display(report.folder)
            return report
        }
        return (reports, (policyFindings + rootFindings).map { target.displayed($0) })
    }

    /// The nearest folder at or above `url` that holds `.git` (a folder, or a file for worktrees).
    static func workTreeRoot(containing url: URL) -> URL? {
        var folder = url
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(".git").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    static func join(_ folder: String, _ path: String) -> String {
        guard !folder.isEmpty, folder != "." else { return path }
        return (folder.hasSuffix("/") ? folder : folder + "/") + path
    }

    static func trimmed(_ path: String) -> String {
        path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}

extension Validate.Target {
    /// `finding` with its file shown from where the user pointed.
    func displayed(_ finding: Finding) -> Finding {
        var copy = finding
        copy.file = display(finding.file)
        return copy
    }
}

/// A path that cannot be checked at all (missing, not a folder, no packets): exit status 2.
struct CannotCheck: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
