import Foundation
import HandoffCore

/// A spec repository made from a seed: `packets` realistic packets (context of about 2 KB, an OpenAPI
/// contract of about 40 operations, 10 acceptance criteria, delivery notes), then commits that each touch
/// one packet and walk it through the workflow. Written by `git fast-import`, which packs as it goes, as
/// a server would hold such a history.
struct SyntheticRepository {
    /// Where the bare repository is.
    let path: String
    /// Commits on `main`.
    let commits: Int
    /// Packet ids, `SYN-0` …
    let packets: Int

    static let client = ("Cleo Client", "cleo@acme.example")
    static let contractor = ("Dev Contractor", "dev@contractors.example")
    static let reviewer = ("Rae Reviewer", "rae@acme.example")
    static let operatorIdentity = ("Olga Operator", "ops@acme.example")

    /// Steps after a packet's creation, one commit each; packets whose index ends in 0 stay in review.
    static let lifecycle = ["claim", "block", "unblock", "submit", "request-changes", "edit", "resubmit", "accept", "edit-late"]

    /// Creates the repository at `path`. With `sharedContract`, every packet holds the same contract blob
    /// (for setting up very large repositories quickly; the contract is then checked once).
    static func create(
        at path: String, packets: Int, lifecycle steps: Int = lifecycle.count, seed: UInt64,
        sharedContract: Bool = false
    ) throws -> SyntheticRepository {
        try run(["git", "init", "-q", "--bare", "-b", "main", path])
        let streamFile = path + ".fast-import"
        _ = FileManager.default.createFile(atPath: streamFile, contents: nil)
        let stream = try FileHandle(forWritingTo: URL(fileURLWithPath: streamFile))
        var buffer = Data()
        var random = SplitMix64(seed: seed)
        var minute: Int64 = 0
        var commits = 0
        func flush(force: Bool = false) throws {
            if force || buffer.count > 4 << 20 {
                try stream.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        func commit(_ who: (String, String), _ message: String, files: [String: String]) throws {
            minute += 1
            commits += 1
            let time = 1_795_000_000 + minute * 60
            var text = "commit refs/heads/main\nauthor \(who.0) <\(who.1)> \(time) +0000\ncommitter \(who.0) <\(who.1)> \(time) +0000\n"
            text += "data \(message.utf8.count)\n\(message)\n"
            buffer.append(Data(text.utf8))
            for path in files.keys.sorted() {
                let content = Data(files[path]!.utf8)
                buffer.append(Data("M 100644 inline \(path)\ndata \(content.count)\n".utf8))
                buffer.append(content)
                buffer.append(Data("\n".utf8))
            }
            buffer.append(Data("\n".utf8))
            try flush()
        }
        let policy =
            "packet_root: specs\nroles:\n  client: [\"*@acme.example\"]\n  contractor: [\"*@contractors.example\"]\n  reviewer: [\"rae@acme.example\"]\n"
        try commit(operatorIdentity, "Set up the handoff policy\n", files: [".handoff/policy.yaml": policy])
        let shared = OpenAPICorpus.validDocument(index: 0, seed: seed)
        for index in 0..<packets {
            let folder = "specs/SYN-\(index)"
            try commit(
                client, "Add SYN-\(index): synthetic service \(index)\n",
                files: [
                    "\(folder)/\(Manifest.fileName)": "id: SYN-\(index)\ntitle: Synthetic service \(index)\nscope: finite\nclient: platform\n"
                        + "reviewers: [rae@acme.example]\ndue: 2027-03-01\nestimate: 5d\n",
                    "\(folder)/context.md": context(index: index, revision: 0, random: &random),
                    "\(folder)/contracts/openapi.yaml": sharedContract ? shared : OpenAPICorpus.validDocument(index: index, seed: seed),
                    "\(folder)/acceptance.md": acceptance(index: index),
                ])
        }
        for step in lifecycle.prefix(steps) {
            for index in 0..<packets {
                let id = "SYN-\(index)", folder = "specs/SYN-\(index)"
                switch step {
                case "claim": try commit(contractor, "Claim \(id)\n\nHandoff: claim \(id)\n", files: [:])
                case "block": try commit(client, "Block \(id)\n\nHandoff: block \(id) waiting for sandbox credentials\n", files: [:])
                case "unblock": try commit(client, "Unblock \(id)\n\nHandoff: unblock \(id)\n", files: [:])
                case "submit", "resubmit":
                    try commit(
                        contractor, "Deliver \(id)\n\nHandoff: submit \(id)\n",
                        files: [
                            "\(folder)/\(DeliveryCheck.fileName)": delivery(index: index, round: step == "submit" ? 1 : 2),
                            "\(folder)/delivery/acceptance_test.go": evidence(index: index, round: step == "submit" ? 1 : 2),
                        ])
                case "request-changes":
                    try commit(reviewer, "Changes for \(id)\n\nHandoff: request-changes \(id) AC-3 needs a test for the 404 case\n", files: [:])
                case "accept" where index % 10 != 0:
                    try commit(reviewer, "Accept \(id)\n\nHandoff: accept \(id)\n", files: [:])
                default:  // an edit of the context: the packet is checked again (its contract is not)
                    try commit(
                        client, "Clarify the context of \(id)\n",
                        files: ["\(folder)/context.md": context(index: index, revision: step == "edit" ? 1 : 2, random: &random)])
                }
            }
        }
        buffer.append(Data("done\n".utf8))
        try flush(force: true)
        try stream.close()
        try run(["git", "--git-dir", path, "fast-import", "--quiet", "--done"], input: streamFile)
        try? FileManager.default.removeItem(atPath: streamFile)
        return SyntheticRepository(path: path, commits: commits, packets: packets)
    }

    static let words = [
        "service", "payments", "ledger", "merchant", "settlement", "webhook", "retry", "idempotency", "queue",
        "database", "schema", "latency", "acquirer", "refund", "invoice", "currency", "audit", "partition",
        "contract", "endpoint", "consumer", "producer", "timeout", "cache", "replica", "migration",
    ]

    static func prose(words count: Int, random: inout SplitMix64) -> String {
        var sentence: [String] = []
        var text = ""
        for _ in 0..<count {
            sentence.append(words[Int(random.next() % UInt64(words.count))])
            if sentence.count == 12 {
                text += sentence.joined(separator: " ").capitalizedFirst + ". "
                sentence.removeAll()
            }
        }
        return text + (sentence.isEmpty ? "" : sentence.joined(separator: " ").capitalizedFirst + ".")
    }

    static func context(index: Int, revision: Int, random: inout SplitMix64) -> String {
        var text = "# SYN-\(index): Synthetic service \(index)\n\n"
        for section in ["Background", "System context", "Dependencies", "Out of scope"] {
            text += "## \(section)\n\n\(prose(words: 75, random: &random))\n\n"
        }
        if revision > 0 { text += "Revision \(revision): the retry budget is three attempts within 30 seconds.\n" }
        return text
    }

    static func acceptance(index: Int) -> String {
        var text = "# Acceptance criteria\n\n"
        for number in 1...10 {
            text +=
                "- [ ] AC-\(number): Given resource res\(number - 1) with id \(index)-\(number) exists, when `GET /res\(number - 1)/{id}` "
                + "is called with a valid token, then the response is 200 within 300 ms and the body matches the Res\(number - 1) schema.\n"
        }
        return text
    }

    static func delivery(index: Int, round: Int) -> String {
        var text = "# Delivery notes\n\nRound \(round) for SYN-\(index).\n\n"
        for number in 1...10 { text += "- AC-\(number): delivery/acceptance_test.go\n" }
        return text
    }

    static func evidence(index: Int, round: Int) -> String {
        var text = "package acceptance\n\n// Round \(round) for SYN-\(index).\n"
        for number in 1...10 { text += "func TestAC\(number)(t *testing.T) { /* GET /res\(number - 1)/{id} */ }\n" }
        return text
    }

    static func run(_ arguments: [String], input: String? = nil) throws {
        let result = try MeasuredRun.run(arguments, input: input)
        guard result.status == 0 else { throw BenchError("\(arguments.joined(separator: " ")) failed: \(result.stderr)") }
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
