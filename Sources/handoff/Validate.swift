import ArgumentParser
import Foundation
import HandoffCore
import HandoffEngine
import Git

/// `handoff validate [PATH…]`: the daemon's readiness checks on folders on disk.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check packets against the definition of ready.",
        discussion: """
            Each PATH is a packet folder (it holds handoff.yaml) or a spec repository's root, whose \
            packets under the packet root are all checked. Exit status: 0 when every packet is ready, \
            1 when any has errors, 2 when a path cannot be checked.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, sarif
    }

    @Argument(help: "Packet folders or repository roots (default: the current folder).")
    var paths: [String] = ["."]

    @Option(help: "Output format: text, json or sarif (SARIF 2.1.0).")
    var format: Format = .text

    @Option(help: "The folder holding packets in a repository root (default: the policy's packet_root, else specs).")
    var packetRoot: String?

    @Option(help: "Check the packets as committed at this revision (e.g. HEAD, main~1) instead of the work tree.")
    var rev: String?

    func run() throws {
        if let rev {
            try runAtRevision(rev)
            return
        }
        var results: [(display: String, report: PacketReport)] = []
        var otherFindings: [Finding] = []
        for path in paths {
            let url = URL(fileURLWithPath: path)
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue else {
                throw CannotCheck("\(path): no such folder")
            }
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("handoff.yaml").path) {
                // A single packet: view the whole work tree around it, so links and dependencies resolve
                // exactly as they do in the daemon, and show its files under the path the user gave.
                let packet = url.standardizedFileURL
                guard let id = PacketID(packet.lastPathComponent) else {
                    throw CannotCheck("\(path): '\(packet.lastPathComponent)' is not a valid packet id")
                }
                let root = Self.workTreeRoot(containing: packet) ?? packet.deletingLastPathComponent()
                let packetRoot = String(packet.deletingLastPathComponent().path.dropFirst(root.path.count))
                    .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                let view = DirectoryTreeView(root: root.path)
                let (policy, policyFindings) = try Policy.load(from: view)
                otherFindings += policyFindings.map { Self.prefixed($0, with: Self.relative(root.path, from: path, packet: packet)) }
                var single = PacketChecker(configuration: policy.checkConfiguration)
                single.configuration.packetRoot = packetRoot
                let known = Set(try single.packetIDs(in: view).ids)
                var report = try single.check(id, in: view, knownPackets: known)
                let shown = path.hasSuffix("/") ? String(path.dropLast()) : path
                report.findings = report.findings.map { finding in
                    var copy = finding
                    if finding.file.hasPrefix(report.folder) {
                        copy.file = shown + finding.file.dropFirst(report.folder.count)
                    }
                    return copy
                }
                report.folder = shown
                results.append(("", report))
            } else if Self.isPacketRoot(url, packetRoot: packetRoot) {
                // A packet root such as `specs/`: check its packets inside the work tree around it.
                let folder = url.standardizedFileURL
                let root = Self.workTreeRoot(containing: folder) ?? folder.deletingLastPathComponent()
                let relativeRoot = String(folder.path.dropFirst(root.path.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
                let view = DirectoryTreeView(root: root.path)
                let (policy, policyFindings) = try Policy.load(from: view)
                var checker = PacketChecker(configuration: policy.checkConfiguration)
                checker.configuration.packetRoot = relativeRoot
                let (ids, rootFindings) = try checker.packetIDs(in: view)
                let shown = path.hasSuffix("/") ? String(path.dropLast()) : path
                func remap(_ finding: Finding) -> Finding {
                    var copy = finding
                    if finding.file.hasPrefix(relativeRoot + "/") { copy.file = shown + finding.file.dropFirst(relativeRoot.count) }
                    return copy
                }
                otherFindings += policyFindings + rootFindings.map(remap)
                let known = Set(ids)
                for id in ids {
                    var report = try checker.check(id, in: view, knownPackets: known)
                    report.findings = report.findings.map(remap)
                    report.folder = shown + "/" + id.rawValue
                    results.append(("", report))
                }
            } else {
                let view = DirectoryTreeView(root: url.path)
                let (policy, policyFindings) = try Policy.load(from: view)
                var checker = PacketChecker(configuration: policy.checkConfiguration)
                if let packetRoot { checker.configuration.packetRoot = packetRoot }
                let (ids, rootFindings) = try checker.packetIDs(in: view)
                guard !ids.isEmpty || !rootFindings.isEmpty else {
                    throw CannotCheck("\(path): no packets under \(checker.configuration.packetRoot)/ (and no handoff.yaml here)")
                }
                otherFindings += (policyFindings + rootFindings).map { Self.prefixed($0, with: path) }
                let known = Set(ids)
                for id in ids {
                    results.append((path, try checker.check(id, in: view, knownPackets: known)))
                }
            }
        }
        try emit(results, otherFindings: otherFindings)
    }

    /// Prints the results in the chosen format; exit status 1 when any packet is not ready.
    func emit(_ results: [(display: String, report: PacketReport)], otherFindings: [Finding]) throws {
        let reports = results.map { result in
            var report = result.report
            if !result.display.isEmpty {
                report.findings = report.findings.map { Self.prefixed($0, with: result.display) }
                report.folder = Self.join(result.display, report.folder)
            }
            return report
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

    /// A folder whose subfolders are packets (it has no packet root of its own below it).
    static func isPacketRoot(_ url: URL, packetRoot: String?) -> Bool {
        let manager = FileManager.default
        if manager.fileExists(atPath: url.appendingPathComponent(packetRoot ?? "specs").path) { return false }
        let children = (try? manager.contentsOfDirectory(atPath: url.path)) ?? []
        return children.contains { manager.fileExists(atPath: url.appendingPathComponent("\($0)/handoff.yaml").path) }
    }

    /// How to show a path of the work tree at `root` to a user who named the packet as `given`.
    static func relative(_ root: String, from given: String, packet: URL) -> String {
        let depth = packet.path.dropFirst(root.count).split(separator: "/").count
        return Self.join(given, String(repeating: "../", count: depth))
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

    /// Findings name files from the checked folder; shown from where the user pointed.
    static func prefixed(_ finding: Finding, with folder: String) -> Finding {
        var copy = finding
        copy.file = join(folder, finding.file)
        return copy
    }

    static func join(_ folder: String, _ path: String) -> String {
        guard !folder.isEmpty, folder != "." else { return path }
        return (folder.hasSuffix("/") ? folder : folder + "/") + path
    }
}

/// A path that cannot be checked at all (missing, not a folder, no packets): exit status 2.
struct CannotCheck: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Validate {
    /// `--rev`: the same checks on a git tree at a commit, read through the Git layer (no checkout).
    func runAtRevision(_ revision: String) throws {
        var results: [(display: String, report: PacketReport)] = []
        var otherFindings: [Finding] = []
        for path in paths {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL
            let repository: Repository
            do {
                repository = try Repository.open(at: absolute.path, searchParents: true)
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
            let inside = String(absolute.path.dropFirst(root.count)).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            let isPacket = try !inside.isEmpty && view.entry(at: "\(inside)/handoff.yaml") != nil
            if isPacket, let id = PacketID(absolute.lastPathComponent) {
                let parent = (inside as NSString).deletingLastPathComponent
                let (policy, policyFindings) = try Policy.load(from: view)
                otherFindings += policyFindings
                var checker = PacketChecker(configuration: policy.checkConfiguration)
                checker.configuration.packetRoot = parent
                var report = try checker.check(id, in: view, knownPackets: Set(try checker.packetIDs(in: view).ids))
                let shown = path.hasSuffix("/") ? String(path.dropLast()) : path
                report.findings = report.findings.map { finding in
                    var copy = finding
                    if finding.file.hasPrefix(report.folder) { copy.file = shown + finding.file.dropFirst(report.folder.count) }
                    return copy
                }
                report.folder = shown
                results.append(("", report))
            } else {
                let (policy, policyFindings) = try Policy.load(from: view)
                var checker = PacketChecker(configuration: policy.checkConfiguration)
                let relativeRoot = packetRoot ?? policy.packetRoot
                checker.configuration.packetRoot = inside.isEmpty ? relativeRoot : "\(inside)/\(relativeRoot)"
                let (ids, rootFindings) = try checker.packetIDs(in: view)
                guard !ids.isEmpty || !rootFindings.isEmpty else {
                    throw CannotCheck("\(path): no packets under \(relativeRoot)/ at \(revision)")
                }
                otherFindings += policyFindings
                let known = Set(ids)
                // Show files from the folder the user named, as the work-tree mode does.
                func shown(_ file: String) -> String {
                    if inside.isEmpty { return Self.join(path, file) }
                    return file.hasPrefix(inside + "/") ? Self.join(path, String(file.dropFirst(inside.count + 1))) : file
                }
                otherFindings += rootFindings.map { finding in
                    var copy = finding
                    copy.file = shown(finding.file)
                    return copy
                }
                for id in ids {
                    var report = try checker.check(id, in: view, knownPackets: known)
                    report.findings = report.findings.map { finding in
                        var copy = finding
                        copy.file = shown(finding.file)
                        return copy
                    }
                    report.folder = shown(report.folder)
                    results.append(("", report))
                }
            }
        }
        try emit(results, otherFindings: otherFindings)
    }
}
