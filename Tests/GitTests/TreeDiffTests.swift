import Foundation
import GitTestSupport
import Testing

@testable import Git

/// The side-by-side tree walk against `git diff-tree -r --no-renames`, on the changes that are easy to get
/// wrong: a file becoming a folder and back, mode and type changes, gitlinks, and names that sort
/// differently as a folder ("a" sorts as "a/", after "a-b" and "a.txt").
@Suite("Tree diffs")
struct TreeDiffTests {
    @Test("a tree nested deeper than the limit is refused by the diff, not followed off the stack")
    func nestedTooDeep() throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/deep.git")
        let path = Array(repeating: "a", count: Repository.maxTreeDepth + 5).joined(separator: "/")
        let tree = try repository.buildTree(base: nil, edits: [.upsert(path: path, content: Data("x\n".utf8))])
        // Reported whole at the bound: no deeper walk, no error that would stall the repository.
        let changes = try repository.diff(from: nil, to: tree)
        let bound = Array(repeating: "a", count: Repository.maxTreeDepth).joined(separator: "/")
        #expect(changes.map(\.path) == [bound] && changes[0].newMode == .tree && changes[0].kind == .added)
        let deeper = try repository.buildTree(base: tree, edits: [.upsert(path: path + "/b", content: Data("y\n".utf8))])
        #expect(try repository.diff(from: tree, to: deeper).map(\.kind) == [.modified])
        #expect(try repository.diff(from: deeper, to: try repository.emptyTree()).map(\.kind) == [.deleted])
        let shallow = try repository.buildTree(base: nil, edits: [.upsert(path: "a/b/c", content: Data("x\n".utf8))])
        #expect(try repository.diff(from: nil, to: shallow).map(\.path) == ["a/b/c"])
    }

    @Test("every step of a tricky history diffs as git diff-tree does")
    func trickyHistory() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        var commits: [String] = []
        // `git add -A` would stage a gitlink's removal (there is no checkout of it): from the gitlink on,
        // steps stage their own changes.
        func step(_ message: String, addAll: Bool = true, _ change: () throws -> Void) throws {
            try change()
            commits.append(addAll ? try sandbox.commitAll(message, in: work) : try sandbox.commit(message, in: work))
        }
        try step("start") {
            for path in ["a", "a-b", "a.txt", "b/c/d.txt", "b/e.txt", "exe.sh", "link-target.txt", "z/y/x.txt"] {
                try sandbox.write("\(path)\n", to: path, in: work)
            }
        }
        try step("file a becomes a folder") {
            try FileManager.default.removeItem(atPath: "\(work)/a")
            try sandbox.write("inside\n", to: "a/inner.txt", in: work)
            try sandbox.write("deeper\n", to: "a/deep/f.txt", in: work)
        }
        try step("modes and types") {
            try sandbox.git(["update-index", "--chmod=+x", "exe.sh"], in: work)
            try FileManager.default.removeItem(atPath: "\(work)/link-target.txt")
            try FileManager.default.createSymbolicLink(atPath: "\(work)/link-target.txt", withDestinationPath: "a.txt")
            try sandbox.write("changed\n", to: "b/c/d.txt", in: work)
        }
        try step("a gitlink and a removed folder", addAll: false) {
            try FileManager.default.removeItem(atPath: "\(work)/z")
            try sandbox.git(["rm", "-q", "-r", "--cached", "z"], in: work)
            try sandbox.git(["update-index", "--add", "--cacheinfo", "160000,\(commits[0]),sub"], in: work)
        }
        try step("folder a becomes a file again, the gitlink moves", addAll: false) {
            try FileManager.default.removeItem(atPath: "\(work)/a")
            try sandbox.write("file again\n", to: "a", in: work)
            try sandbox.git(["rm", "-q", "-r", "--cached", "a"], in: work)
            try sandbox.git(["add", "a"], in: work)
            try sandbox.git(["update-index", "--cacheinfo", "160000,\(commits[1]),sub"], in: work)
        }
        try step("the symlink becomes a file and the gitlink goes", addAll: false) {
            try FileManager.default.removeItem(atPath: "\(work)/link-target.txt")
            try sandbox.write("plain\n", to: "link-target.txt", in: work)
            try sandbox.git(["add", "link-target.txt"], in: work)
            try sandbox.git(["update-index", "--force-remove", "sub"], in: work)
        }
        let repository = try Repository.open(at: work)
        var previous: ObjectID?
        for (index, hex) in commits.enumerated() {
            let tree = try repository.tree(ofCommit: ObjectID(hex))
            let ours = try repository.diff(from: previous, to: tree).map { "\($0.kind.rawValue)\t\($0.path)" }
            let arguments =
                index == 0
                ? ["diff-tree", "-r", "--root", "--no-renames", "--name-status", "--no-commit-id", hex]
                : ["diff-tree", "-r", "--no-renames", "--name-status", "--no-commit-id", commits[index - 1], hex]
            let theirs = try sandbox.git(arguments, in: work).split(separator: "\n").map(String.init)
            #expect(ours == theirs, "step \(index)")
            // Reversed, every addition is a deletion and the walk must still agree.
            if let previous {
                let back = try repository.diff(from: tree, to: previous).map { "\($0.kind.rawValue)\t\($0.path)" }
                let gitBack = try sandbox.git(["diff-tree", "-r", "--no-renames", "--name-status", hex, commits[index - 1]], in: work)
                    .split(separator: "\n").map(String.init)
                #expect(back == gitBack, "step \(index) reversed")
            }
            previous = tree
        }
    }

    @Test("large trees with changes anywhere diff as git diff-tree does (the raw prefix and suffix skip)", arguments: [UInt64(0), 1, 2, 3])
    func largeTreesAsGit(seed: UInt64) throws {
        let sandbox = try Sandbox()
        let repository = try Repository.initBare(at: "\(sandbox.root)/large.git")
        var random = SeededGenerator(state: seed)
        // Names sharing prefixes and lengths, so that entries' bytes line up and nearly line up.
        var names = (0..<150).map { "p-\(String($0, radix: 7))" } + ["a", "a-b", "a.b", "ab", "b", "b0", "b00"]
        names += (0..<80).map { "specs/S-\($0)/status.md" }
        var files: [String: (content: String, mode: FileMode)] = [:]
        for name in names { files[name] = ("\(name)\n", .blob) }
        func build(_ files: [String: (content: String, mode: FileMode)]) throws -> ObjectID {
            try repository.buildTree(base: nil, edits: files.map { .upsert(path: $0.key, content: Data($0.value.content.utf8), mode: $0.value.mode) })
        }
        var tree = try build(files)
        for round in 0..<12 {
            var next = files
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let keys = next.keys.sorted()
                let key = [keys.first!, keys.last!, keys.randomElement(using: &random)!].randomElement(using: &random)!
                switch Int.random(in: 0..<6, using: &random) {
                case 0: next[key]?.content += "changed \(round)\n"
                case 1: next[key] = nil
                case 2: next[key + "x"] = ("new \(round)\n", .blob)
                case 3:
                    let mode = next[key]?.mode
                    next[key]?.mode = mode == .executable ? .blob : .executable
                case 4 where !key.contains("/"):
                    next[key] = nil
                    next[key + "/inside"] = ("folder \(round)\n", .blob)
                default:
                    let shorter = String(key.dropLast())
                    if shorter.count > 1, !shorter.hasSuffix("/"), !next.keys.contains(where: { $0.hasPrefix(shorter + "/") }) {
                        next[shorter] = ("shorter \(round)\n", .blob)
                    }
                }
            }
            let newTree = try build(next)
            for (from, to) in [(tree, newTree), (newTree, tree)] {
                let ours = try repository.diff(from: from, to: to).map { "\($0.kind.rawValue)\t\($0.path)" }
                let theirs = try sandbox.git(["diff-tree", "-r", "--no-renames", "--name-status", from.hex, to.hex], in: "\(sandbox.root)/large.git")
                    .split(separator: "\n").map(String.init)
                #expect(ours == theirs, "seed \(seed) round \(round)")
            }
            files = next
            tree = newTree
        }
    }

    @Test("names that are not UTF-8 stay outside the view: a real U+FFFD name is listed and diffed alone, never merged with them")
    func namesNotUTF8() throws {
        let sandbox = try Sandbox()
        let work = try sandbox.workRepository()
        try sandbox.write("x\n", to: "base.txt", in: work)
        let first = try sandbox.commitAll("base", in: work)
        let blob = try sandbox.git(["hash-object", "-w", "--stdin"], in: work, input: "content\n")
        // \xFF.yaml and \xFE.yaml (not UTF-8, both "\u{FFFD}.yaml" once repaired) beside a real "\u{FFFD}.yaml".
        let script = """
            printf '100644 blob %s\\tbase.txt\\n100644 blob %s\\t\\357\\277\\275.yaml\\n100644 blob %s\\t\\376.yaml\\n100644 blob %s\\t\\377.yaml\\n' \\
              "$(git rev-parse HEAD:base.txt)" "$1" "$1" "$1" | git mktree
            """
        let made = try runProcess("/bin/bash", ["-c", script, "mktree", blob], in: work, environment: sandbox.environment)
        let tree = try #require(ObjectID(hex: made.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), "\(made.stderr)")
        let repository = try Repository.open(at: work)
        let base = try repository.tree(ofCommit: try #require(ObjectID(hex: first)))
        #expect(try repository.diff(from: base, to: tree).map(\.path) == ["\u{FFFD}.yaml"])
        #expect(try repository.diff(from: tree, to: base).map(\.path) == ["\u{FFFD}.yaml"])
        #expect(try repository.entries(inFolder: "", ofTree: tree)?.map(\.path) == ["base.txt", "\u{FFFD}.yaml"])
        #expect(try repository.entry(at: "\u{FFFD}.yaml", inTree: tree)?.id.hex == blob)
    }
}
