import Foundation
import GitTestSupport
import Testing

@testable import Git

/// The Git layer reads repositories made by the real `git` CLI exactly as `git` reports them.
@Suite("Reading what git wrote")
struct ReadingTests {
    /// A history with a branch, a merge, renames, deletions, a symlink and a submodule entry.
    static func makeHistory(_ sandbox: Sandbox) throws -> String {
        let work = try sandbox.workRepository()
        try sandbox.write("# Payments\n", to: "README.md", in: work)
        try sandbox.write("id: PAY-1\n", to: "specs/PAY-1/handoff.yaml", in: work)
        try sandbox.commitAll("Initial packet", in: work, date: "2026-11-01T09:00:00+01:00")
        try sandbox.git(["switch", "-q", "-c", "feature"], in: work)
        try sandbox.write("id: PAY-2\n", to: "specs/PAY-2/handoff.yaml", in: work)
        try sandbox.commitAll(
            "Add PAY-2\n\nHandoff: claim PAY-1 starting now\nSigned-off-by: Bo <bo@x.example>",
            in: work, date: "2026-11-02T09:00:00-05:30")
        try sandbox.git(["switch", "-q", "main"], in: work)
        try sandbox.write("id: PAY-1\ntitle: Refunds\n", to: "specs/PAY-1/handoff.yaml", in: work)
        try sandbox.write("gone soon\n", to: "specs/PAY-1/old.md", in: work)
        try sandbox.commitAll("Edit PAY-1", in: work, date: "2026-11-03T09:00:00+00:00")
        try sandbox.git(
            ["merge", "-q", "--no-ff", "-m", "Merge feature\n\nHandoff: submit PAY-2", "feature"], in: work,
            env: ["GIT_AUTHOR_DATE": "2026-11-04T09:00:00+02:00", "GIT_COMMITTER_DATE": "2026-11-04T09:00:00+02:00"])
        try FileManager.default.removeItem(atPath: "\(work)/specs/PAY-1/old.md")
        try FileManager.default.createSymbolicLink(atPath: "\(work)/specs/PAY-1/link.md", withDestinationPath: "../../README.md")
        try sandbox.write("#!/bin/sh\necho hi\n", to: "tools/run.sh", in: work)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: "\(work)/tools/run.sh")
        try sandbox.git(["add", "-A"], in: work)
        let submoduleCommit = "0123456789abcdef0123456789abcdef01234567"
        try sandbox.git(["update-index", "--add", "--cacheinfo", "160000,\(submoduleCommit),vendor/lib"], in: work)
        try sandbox.commit("Symlink, executable, submodule", in: work, date: "2026-11-05T09:00:00+01:00")
        try sandbox.write("not a link any more\n", to: "specs/PAY-1/link.md.tmp", in: work)
        try FileManager.default.removeItem(atPath: "\(work)/specs/PAY-1/link.md")
        try FileManager.default.moveItem(atPath: "\(work)/specs/PAY-1/link.md.tmp", toPath: "\(work)/specs/PAY-1/link.md")
        try sandbox.git(["add", "specs"], in: work)
        try sandbox.commit("Symlink becomes a file", in: work, date: "2026-11-06T09:00:00+01:00")
        return work
    }

    @Test("a commit claiming a time at either end of 64 bits reads and prints without trapping")
    func extremeTimes() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        try sandbox.write("x\n", to: "a.txt", in: work)
        try sandbox.commitAll("base", in: work, date: "2026-11-01T09:00:00+01:00")
        let tree = try sandbox.git(["rev-parse", "HEAD^{tree}"], in: work)
        for (seconds, zone) in [("9223372036854775807", "+1400"), ("-9223372036854775808", "-1400"), ("9223372036854775807", "-0001")] {
            let raw = "tree \(tree)\nauthor A <a@x.example> \(seconds) \(zone)\ncommitter A <a@x.example> \(seconds) \(zone)\n\nextreme\n"
            let id = try sandbox.git(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], in: work, input: raw)
            let repository = try Repository.open(at: work)
            let commit = try repository.commit(try #require(ObjectID(hex: id)))
            #expect(!commit.author.time.iso8601.isEmpty, "\(seconds) \(zone)")
            #expect(commit.committer.time.iso8601.hasSuffix(String(zone.prefix(3)) + ":" + String(zone.suffix(2))))
        }
    }

    @Test("a commit libgit2 cannot parse is read from its header as git walks it: parents right after the tree only")
    func commitFrames() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        try sandbox.write("x\n", to: "a.txt", in: work)
        try sandbox.commitAll("base", in: work, date: "2026-11-01T09:00:00+01:00")
        let base = try sandbox.git(["rev-parse", "HEAD"], in: work)
        try sandbox.write("y\n", to: "a.txt", in: work)
        try sandbox.commitAll("other", in: work, date: "2026-11-01T10:00:00+01:00")
        let other = try sandbox.git(["rev-parse", "HEAD"], in: work)
        let tree = try sandbox.git(["rev-parse", "HEAD^{tree}"], in: work)
        func write(_ raw: String) throws -> ObjectID {
            try #require(ObjectID(hex: try sandbox.git(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], in: work, input: raw)))
        }
        let repository = try Repository.open(at: work)
        // No author line: the walk takes it, libgit2's full parse does not. A `parent` line below the header's
        // start is no parent to git (`rev-list --parents` agrees), so it cannot hide the commit's changes.
        let broken = try write("tree \(tree)\nparent \(base)\ncommitter A <a@x.example> 1795000000 +0100\nparent \(other)\n\nno author\n")
        #expect(throws: GitError.self) { try repository.commit(broken) }
        let read = try repository.commitOrFrame(broken)
        #expect(read.unreadable != nil && read.commit.parents == [ObjectID(base)] && read.commit.tree == ObjectID(tree))
        #expect(read.commit.committer.email == "a@x.example" && read.commit.author.email.isEmpty && read.commit.message.isEmpty)
        #expect(try sandbox.git(["rev-list", "--parents", "-1", broken.hex], in: work) == "\(broken.hex) \(base)")
        #expect(try repository.tree(ofCommit: broken) == ObjectID(tree))
        #expect(try repository.parents(of: broken) == [ObjectID(base)])
        #expect(try repository.commitOrFrame(ObjectID(base)).unreadable == nil)
        // Over the size limit: the same frame, no message read.
        let large = try write(
            "tree \(tree)\nparent \(base)\nauthor A <a@x.example> 1 +0000\ncommitter A <a@x.example> 1 +0000\n\n"
                + String(repeating: "m", count: Repository.defaultCommitSizeLimit))
        let frame = try repository.commitOrFrame(large)
        #expect(frame.unreadable != nil && frame.commit.parents == [ObjectID(base)] && frame.commit.author.email == "a@x.example")
    }

    @Test("a probe that finds nothing in a linear history hands it over in the walk's order; with a merge it does not")
    func probeHandsOverLinearHistory() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        for index in 0..<6 {
            try sandbox.write("\(index)\n", to: "f.txt", in: work)
            try sandbox.commitAll("step \(index)", in: work, date: "2026-11-0\(index + 1)T09:00:00+00:00")
        }
        let repository = try Repository.open(at: work)
        let tip = ObjectID(try sandbox.git(["rev-parse", "HEAD"], in: work))
        let none = try repository.newestCommitOrHistory(from: tip) { _ in false }
        let walked = try repository.commits(from: [tip])
        #expect(none.match == nil && none.history == walked)
        let second = ObjectID(try sandbox.git(["rev-parse", "HEAD~4"], in: work))
        let found = try repository.newestCommitOrHistory(from: tip) { $0 == second }
        #expect(found.match == second && found.history == nil)
        #expect(try repository.commitMessage(tip, contains: "step 5"))
        #expect(try !repository.commitMessage(tip, contains: "step 4"))
        // A commit libgit2 cannot parse (a committer without an email; git without fsck takes it): the probe
        // reads past it from its header, but the walk fails on it, so no history is handed over: the walk's
        // own failure is the answer, as before (such a commit stalls the walk; left to do).
        let tree = try sandbox.git(["rev-parse", "HEAD^{tree}"], in: work)
        let raw = "tree \(tree)\nparent \(tip.hex)\nauthor A <a@x.example> 1795000000 +0000\ncommitter broken-no-email\n\nbad\n"
        let bad = ObjectID(try sandbox.git(["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], in: work, input: raw))
        let child = ObjectID(
            try sandbox.git(["commit-tree", tree, "-p", bad.hex, "-m", "on top"], in: work))
        #expect(throws: (any Error).self) { try repository.newestCommitOrHistory(from: child) { _ in false } }
        let mergeSandbox = try Sandbox("probeHandsOverLinearHistory-merge")
        let merged = try Self.makeHistory(mergeSandbox)
        let mergedRepository = try Repository.open(at: merged)
        let mergedTip = try mergedRepository.resolveCommit("HEAD")
        let withMerge = try mergedRepository.newestCommitOrHistory(from: mergedTip) { _ in false }
        #expect(withMerge.match == nil && withMerge.history == nil)
    }

    @Test("revwalk matches git rev-list --topo-order --reverse, with and without hidden commits")
    func revwalk() throws {
        let sandbox = try Sandbox()
        let work = try Self.makeHistory(sandbox)
        let repository = try Repository.open(at: work)
        let tip = ObjectID(try sandbox.git(["rev-parse", "HEAD"], in: work))
        let expected = try sandbox.git(["rev-list", "--topo-order", "--reverse", "HEAD"], in: work)
            .split(separator: "\n").map { ObjectID(String($0)) }
        #expect(try repository.commits(from: [tip]) == expected)

        let hidden = ObjectID(try sandbox.git(["rev-parse", "HEAD~2"], in: work))
        let expectedHidden = try sandbox.git(["rev-list", "--topo-order", "--reverse", "HEAD", "^HEAD~2"], in: work)
            .split(separator: "\n").map { ObjectID(String($0)) }
        #expect(try repository.commits(from: [tip], hiding: [hidden]) == expectedHidden)
        #expect(try repository.commits(from: [tip], hiding: [tip]).isEmpty)
        #expect(try repository.isAncestor(hidden, of: tip))
        #expect(try !repository.isAncestor(tip, of: hidden))
    }

    /// `newestCommit` finds a match no other match below the tip descends from, as the first match of the
    /// topological walk does, on random histories with merges and skewed dates.
    @Test("the newest matching commit: no match below the tip descends from it, whatever the dates", arguments: Array(UInt64(1)...8))
    func newestMatch(seed: UInt64) throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/dag.git")
        var random = SeededGenerator(state: seed)
        let tree = try repository.buildTree(base: nil, edits: [.upsert(path: "a", content: Data("a".utf8))])
        var commits: [ObjectID] = []
        var parents: [ObjectID: [ObjectID]] = [:]
        for index in 0..<120 {
            var chosen: [ObjectID] = []
            if let last = commits.last { chosen.append(Int.random(in: 0..<4, using: &random) == 0 ? commits.randomElement(using: &random)! : last) }
            if commits.count > 2, Int.random(in: 0..<4, using: &random) == 0 {
                let other = commits.randomElement(using: &random)!
                if !chosen.contains(other) { chosen.append(other) }
            }
            // Dates run backwards and forwards at random: the answer must not depend on them.
            let who = Signature(
                name: "t", email: "t@x.example",
                time: GitTime(seconds: 1_800_000_000 + Int64.random(in: -9_999...9_999, using: &random) * 60, offsetMinutes: 0))
            let id = try repository.createCommit(tree: tree, parents: chosen, author: who, committer: who, message: "c\(index)", allowEmpty: true)
            commits.append(id)
            parents[id] = chosen
        }
        func reachable(from tip: ObjectID) -> Set<ObjectID> {
            var seen: Set<ObjectID> = [], stack = [tip]
            while let id = stack.popLast() {
                if seen.insert(id).inserted { stack += parents[id] ?? [] }
            }
            return seen
        }
        for _ in 0..<30 {
            let tip = commits.randomElement(using: &random)!
            let matching = Set(commits.filter { _ in Int.random(in: 0..<6, using: &random) == 0 })
            let below = reachable(from: tip)
            let found = try repository.newestCommit(from: tip) { matching.contains($0) }
            guard let found else {
                #expect(below.isDisjoint(with: matching))
                continue
            }
            #expect(matching.contains(found) && below.contains(found))
            let newer = below.intersection(matching).filter { $0 != found && reachable(from: $0).contains(found) }
            #expect(newer.isEmpty, "a match below the tip descends from the one found")
            // The walk that hides a commit leaves out exactly what that commit reaches, in topological order.
            let hidden = commits.randomElement(using: &random)!
            let walked = try repository.commits(from: [tip], hiding: [hidden])
            #expect(Set(walked) == below.subtracting(reachable(from: hidden)))
            // Past its few exact tests the walk reads the hidden ancestry whole: the same answer.
            #expect(try repository.commits(from: [tip], hiding: [hidden], newestFirst: false, maxAncestryTests: 0) == walked)
            #expect(walked.count == Set(walked).count)
            let position = Dictionary(uniqueKeysWithValues: walked.enumerated().map { ($1, $0) })
            #expect(walked.allSatisfy { id in (parents[id] ?? []).allSatisfy { position[$0].map { $0 < position[id]! } ?? true } })
        }
    }

    @Test("commit fields match git log: author, committer, offsets, message, parents, trailers")
    func commitFields() throws {
        let sandbox = try Sandbox()
        let work = try Self.makeHistory(sandbox)
        let repository = try Repository.open(at: work)
        let ids = try sandbox.git(["rev-list", "--all"], in: work).split(separator: "\n").map(String.init)
        for hex in ids {
            let commit = try repository.commit(ObjectID(hex))
            let format = "%T%n%P%n%an%n%ae%n%at%n%ai%n%cn%n%ce%n%ct%n%ci"
            let fields = try sandbox.git(["show", "-s", "--format=\(format)", hex], in: work)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(commit.tree.hex == fields[0])
            #expect(commit.parents.map(\.hex).joined(separator: " ") == fields[1])
            #expect(commit.author.name == fields[2])
            #expect(commit.author.email == fields[3])
            #expect(String(commit.author.time.seconds) == fields[4])
            #expect(Self.gitOffset(commit.author.time) == fields[5].suffix(5).description)
            #expect(commit.committer.name == fields[6])
            #expect(commit.committer.email == fields[7])
            #expect(String(commit.committer.time.seconds) == fields[8])
            #expect(Self.gitOffset(commit.committer.time) == fields[9].suffix(5).description)
            let rawMessage = try sandbox.git(["cat-file", "commit", hex], in: work)
            #expect(rawMessage.hasSuffix(commit.message.trimmingCharacters(in: .newlines)))
            let trailers = try sandbox.git(["interpret-trailers", "--parse"], in: work, input: commit.message)
            let expectedTrailers = trailers.split(separator: "\n").map { line -> Trailer in
                let parts = line.split(separator: ":", maxSplits: 1)
                return Trailer(key: String(parts[0]), value: parts[1].trimmingCharacters(in: .whitespaces))
            }
            #expect(commit.trailers == expectedTrailers, "trailers of \(commit.summary)")
        }
        let withTrailers = try repository.commit(ObjectID(try sandbox.git(["rev-parse", "feature"], in: work)))
        #expect(
            withTrailers.trailers == [
                Trailer(key: "Handoff", value: "claim PAY-1 starting now"),
                Trailer(key: "Signed-off-by", value: "Bo <bo@x.example>"),
            ])
        #expect(withTrailers.author.time.iso8601 == "2026-11-02T09:00:00-05:30")
    }

    @Test("tree diffs match git diff-tree -r --name-status for every commit, root included")
    func diffs() throws {
        let sandbox = try Sandbox()
        let work = try Self.makeHistory(sandbox)
        let repository = try Repository.open(at: work)
        for hex in try sandbox.git(["rev-list", "--all"], in: work).split(separator: "\n").map(String.init) {
            let commit = try repository.commit(ObjectID(hex))
            let parentTree = try commit.parents.first.map { try repository.tree(ofCommit: $0) }
            let ours = try repository.diff(from: parentTree, to: commit.tree)
                .map { "\($0.kind.rawValue)\t\($0.path)" }
            let args =
                commit.parents.isEmpty
                ? ["diff-tree", "-r", "--root", "--no-renames", "--name-status", "--no-commit-id", hex]
                : ["diff-tree", "-r", "--no-renames", "--name-status", "--no-commit-id", commit.parents[0].hex, hex]
            let theirs = try sandbox.git(args, in: work).split(separator: "\n").map(String.init)
            #expect(ours == theirs, "diff of \(commit.summary)")
        }
    }

    @Test("entries, modes, sizes and blob contents match git ls-tree and git cat-file")
    func entriesAndBlobs() throws {
        let sandbox = try Sandbox()
        let work = try Self.makeHistory(sandbox)
        try sandbox.git(["checkout", "-q", "HEAD~1"], in: work)  // the commit with the symlink
        let repository = try Repository.open(at: work)
        let tree = try repository.tree(ofCommit: ObjectID(try sandbox.git(["rev-parse", "HEAD"], in: work)))
        let listing = try sandbox.git(["ls-tree", "-r", "-l", "HEAD"], in: work).split(separator: "\n")
        #expect(listing.count == 6)
        for line in listing {
            let (meta, path) = line.split(separator: "\t", maxSplits: 1).map(String.init).pair
            let parts = meta.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let entry = try #require(try repository.entry(at: path, inTree: tree))
            #expect(entry.mode.octal == parts[0], "mode of \(path)")
            #expect(entry.id.hex == parts[2], "id of \(path)")
            guard let file = try repository.file(at: path, inTree: tree, sizeLimit: 1 << 20) else {
                Issue.record("missing \(path)")
                continue
            }
            if entry.mode == .submodule {
                #expect(file.content == nil)
                #expect(parts[3] == "-")
            } else {
                #expect(Int(parts[3]) == (try repository.objectHeader(entry.id).size))
                let expected = try runProcess(
                    "/usr/bin/git", ["cat-file", "blob", entry.id.hex], in: work,
                    environment: sandbox.environment
                ).stdout
                #expect(file.content == .data(Data(expected.utf8)), "content of \(path)")
            }
        }
        #expect(try repository.entry(at: "specs/PAY-1/link.md", inTree: tree)?.mode == .symlink)
        #expect(try repository.entry(at: "tools/run.sh", inTree: tree)?.mode == .executable)
        #expect(try repository.entry(at: "vendor/lib", inTree: tree)?.mode == .submodule)
        #expect(try repository.entry(at: "specs/PAY-1/nope", inTree: tree) == nil)
        #expect(try repository.entry(at: "README.md/inside", inTree: tree) == nil)
        let folder = try #require(try repository.entries(inFolder: "specs", ofTree: tree))
        #expect(folder.map(\.path) == ["specs/PAY-1", "specs/PAY-2"])
        #expect(try repository.entries(inFolder: "README.md", ofTree: tree) == nil)
    }

    @Test("a blob over the size limit is reported by size without being read")
    func hugeBlob() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        try sandbox.write(String(repeating: "x", count: 3_000_000), to: "big.txt", in: work)
        try sandbox.commitAll("big", in: work)
        let repository = try Repository.open(at: work)
        let tree = try repository.tree(ofCommit: ObjectID(try sandbox.git(["rev-parse", "HEAD"], in: work)))
        let file = try #require(try repository.file(at: "big.txt", inTree: tree, sizeLimit: 1 << 20))
        #expect(file.content == .tooLarge(size: 3_000_000))
    }

    @Test("references after git pack-refs --all and objects after git gc read the same")
    func packedAndCollected() throws {
        let sandbox = try Sandbox()
        let work = try Self.makeHistory(sandbox)
        try sandbox.git(["tag", "v1", "HEAD~1"], in: work)
        let before = try Repository.open(at: work)
        let tip = ObjectID(try sandbox.git(["rev-parse", "HEAD"], in: work))
        let walkBefore = try before.commits(from: [tip])
        try sandbox.git(["pack-refs", "--all"], in: work)
        try sandbox.git(["gc", "-q", "--prune=now", "--aggressive"], in: work)
        #expect(!FileManager.default.fileExists(atPath: "\(work)/.git/refs/heads/main"))

        let repository = try Repository.open(at: work)
        let expected = try sandbox.git(["for-each-ref", "--format=%(refname) %(objectname)"], in: work)
            .split(separator: "\n").map(String.init)
        let ours = try repository.references(matching: "refs/*").map { "\($0.name) \($0.target!.hex)" }
        #expect(ours == expected)
        #expect(try repository.referenceTarget("refs/heads/main") == tip)
        #expect(try repository.referenceTarget("refs/heads/nope") == nil)
        #expect(try repository.headBranch() == "refs/heads/main")
        #expect(try repository.references(matching: "refs/heads/*").map(\.name) == ["refs/heads/feature", "refs/heads/main"])
        #expect(try repository.commits(from: [tip]) == walkBefore)
        // A handle opened before gc still reads the repository (its packs stay mapped).
        #expect(try before.commit(tip).tree == (try repository.commit(tip).tree))
        for hex in try sandbox.git(["rev-list", "--all"], in: work).split(separator: "\n") {
            let commit = try repository.commit(ObjectID(String(hex)))
            let parentTree = try commit.parents.first.map { try repository.tree(ofCommit: $0) }
            _ = try repository.diff(from: parentTree, to: commit.tree)
        }
    }

    @Test("reading a tree or blob id as a commit is a typed error, not a crash")
    func wrongTypes() throws {
        let sandbox = try Sandbox()
        let work = try Self.makeHistory(sandbox)
        let repository = try Repository.open(at: work)
        let tree = ObjectID(try sandbox.git(["rev-parse", "HEAD^{tree}"], in: work))
        #expect(throws: GitError.self) { try repository.commit(tree) }
        #expect(throws: GitError.self) { try repository.commit(ObjectID.zero) }
        #expect(throws: GitError.self) { try repository.blob(tree, sizeLimit: 10) }
        do {
            _ = try repository.commit(tree)
        } catch {
            #expect(error.code == .wrongType)
        }
    }

    static func gitOffset(_ time: GitTime) -> String {
        let sign = time.offsetMinutes < 0 ? "-" : "+"
        let minutes = abs(Int(time.offsetMinutes))
        return sign + String(format: "%02d%02d", minutes / 60, minutes % 60)
    }
}

extension Array {
    var pair: (Element, Element) { (self[0], self[1]) }
}
