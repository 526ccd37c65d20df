import Foundation
import GitTestSupport
import HandoffHTTP
import HandoffSystem
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A demo repository served by the real handoffd with `http.listen` on loopback (port 0: the kernel picks
/// a free one, read back from the log), with a claim and a new packet pushed through the real git CLI.
final class ServedDemo {
    let sandbox: Sandbox
    let daemon: ChildProcess
    let base: String
    let clone: String
    let bare: String
    /// A title no page may render as markup.
    static let hostileTitle = "<script>alert('x')</script> Refund & \"chargeback\" webhooks"

    init(name: String = #function) throws {
        sandbox = try Sandbox(name)
        _ = try runProcess(Executables.handoff, ["demo", sandbox.root, "--http-listen", "127.0.0.1:0", "--status-branch", "off"])
        bare = "\(sandbox.root)/specs.git"
        var environment = sandbox.environment
        environment["HANDOFFD_HTTP_LISTEN"] = nil
        let log = "\(sandbox.root)/daemon.log"
        daemon = try ChildProcess(Executables.handoffd, ["--config", "\(sandbox.root)/handoffd.yaml"], environment: environment, stderr: log)
        var address: String?
        _ = eventually {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let range = text.range(of: "dashboard and read API at http://") else { return false }
            address = text[range.upperBound...].split(separator: "/").first.map { "http://\($0)" }
            return true
        }
        guard let address else { throw NoAddress(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "no log") }
        base = address
        clone = "\(sandbox.root)/clone"
        try sandbox.git(["clone", "-q", bare, "clone"], in: sandbox.root)
    }

    deinit {
        if daemon.isRunning() {
            kill(daemon.pid, SIGKILL)
            _ = daemon.wait()
        }
    }

    /// The contractor claims PAY-142 (unless `claim` is false); a client adds PAY-160 with a hostile title; both pushed.
    func pushWork(claim: Bool = true) throws {
        if claim {
            try signAsDemoParticipant("dev", demo: sandbox.root, clone: clone)
            try sandbox.git(
                ["commit", "-q", "--allow-empty", "-m", "claim\n\nHandoff: claim PAY-142 starting today"], in: clone,
                env: ["GIT_AUTHOR_EMAIL": "dev@contractors.example", "GIT_COMMITTER_EMAIL": "dev@contractors.example"])
            try push()
        }
        try signAsDemoParticipant("ana", demo: sandbox.root, clone: clone)
        let created = try runProcess(
            Executables.handoff, ["init", "PAY-160", "--title", Self.hostileTitle], in: clone, environment: sandbox.environment)
        guard created.status == 0 else { throw CommandFailed(command: ["handoff", "init"], result: created) }
        try sandbox.git(["add", "-A"], in: clone)
        try sandbox.git(["commit", "-q", "-m", "PAY-160: scaffold"], in: clone)
        try push()
    }

    /// A signed commit by demo participant `short` (`email`) dated `date`, pushed.
    func commit(as short: String, _ email: String, _ message: String, date: String, allowEmpty: Bool = true) throws {
        try signAsDemoParticipant(short, demo: sandbox.root, clone: clone)
        let env = ["GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date]
        try sandbox.git(["add", "-A"], in: clone)
        try sandbox.git(["commit", "-q"] + (allowEmpty ? ["--allow-empty"] : []) + ["-m", message], in: clone, env: env)
        try push(env: env)
    }

    /// Pushes the clone's branch, rebasing onto handoffd's status commits when they landed first (bounded).
    func push(env: [String: String] = [:]) throws {
        for _ in 0..<50 {
            if (try? sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)) != nil { return }
            try sandbox.git(["pull", "-q", "--rebase", "origin", "main"], in: clone, env: env)
        }
        try sandbox.git(["push", "-q", "origin", "HEAD:main"], in: clone)
    }

    /// PAY-142 claimed, delivered with evidence, sent back once, delivered again and accepted, over ten days.
    func deliverPAY142() throws {
        let dev = "dev@contractors.example"
        let ana = "ana@acme.example"
        try commit(as: "dev", dev, "claim\n\nHandoff: claim PAY-142 starting today", date: "2026-11-20T09:00:00Z")
        let delivery = "\(clone)/specs/PAY-142/delivery"
        try FileManager.default.createDirectory(atPath: delivery, withIntermediateDirectories: true)
        try "package refunds\n".write(toFile: "\(delivery)/refunds_test.go", atomically: true, encoding: .utf8)
        try """
        # Delivery

        - AC-1: delivery/refunds_test.go
        - AC-2: delivery/refunds_test.go
        - AC-3: https://ci.example/runs/42

        """.write(toFile: "\(delivery)/DELIVERY.md", atomically: true, encoding: .utf8)
        try commit(as: "dev", dev, "PAY-142: delivery", date: "2026-11-24T15:00:00Z", allowEmpty: false)
        try commit(as: "dev", dev, "submit\n\nHandoff: submit PAY-142 ready for review", date: "2026-11-24T15:05:00Z")
        try commit(as: "ana", ana, "changes\n\nHandoff: request-changes PAY-142 cover a refund of 0.00 EUR", date: "2026-11-25T10:00:00Z")
        try commit(as: "dev", dev, "submit\n\nHandoff: submit PAY-142 zero amount covered", date: "2026-11-26T11:00:00Z")
        try commit(as: "ana", ana, "accept\n\nHandoff: accept PAY-142 thanks", date: "2026-11-30T16:00:00Z")
    }

    /// One GET: status, content type and body.
    func get(_ path: String) async throws -> (status: Int, type: String, body: String) {
        let (data, response) = try await URLSession.shared.data(from: URL(string: base + path)!)
        let http = response as? HTTPURLResponse
        return (http?.statusCode ?? 0, http?.value(forHTTPHeaderField: "Content-Type") ?? "", String(decoding: data, as: UTF8.self))
    }

    /// Waits until `path` answers with a body that satisfies `condition`.
    func await(_ path: String, _ condition: @escaping (Int, String) -> Bool) async throws -> Bool {
        for _ in 0..<1_500 {
            if let answer = try? await get(path), condition(answer.status, answer.body) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    func json(_ body: String) -> Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }

    struct NoAddress: Error {
        var log: String
    }
}

@Suite("HTTP server", .serialized, .enabled(if: Executables.built, "the handoff and handoffd executables are not built"))
struct HTTPServerTests {
    @Test("AC-1: every route answers from the published status after pushes through the real git CLI; SIGTERM stops it")
    func routes() async throws {
        let demo = try ServedDemo()
        #expect(try await demo.await("/readyz") { status, _ in status == 200 })
        #expect(try await demo.get("/healthz").body == #"{"status":"ok"}"#)
        try demo.pushWork()
        #expect(
            try await demo.await("/v1/repositories/demo/packets/PAY-142") { _, body in body.contains(#""state":"in_progress""#) },
            "the claim never reached the API")
        #expect(try await demo.await("/v1/repositories/demo/packets/PAY-160") { status, _ in status == 200 }, "PAY-160 never reached the API")

        let repositories = try await demo.get("/v1/repositories")
        #expect(repositories.type == "application/json")
        let list = demo.json(repositories.body) as? [[String: Any]]
        #expect(list?.first?["name"] as? String == "demo")
        #expect((list?.first?["counts"] as? [String: Int])?["in_progress"] == 1)
        // What git says: the API's status commit is the status reference's tip.
        let tip = try demo.sandbox.git(["rev-parse", "main"], in: demo.bare)
        #expect(list?.first?["status_commit"] as? String == tip)

        let all = demo.json(try await demo.get("/v1/repositories/demo/packets").body) as? [String: Any]
        #expect(all?["total"] as? Int == 3)
        let claimed =
            demo.json(try await demo.get("/v1/repositories/demo/packets?state=in_progress&assignee=dev@contractors.example").body) as? [String: Any]
        #expect((claimed?["items"] as? [[String: Any]])?.map { $0["id"] as? String } == ["PAY-142"])
        let finite = demo.json(try await demo.get("/v1/repositories/demo/packets?scope=finite&limit=1&offset=1").body) as? [String: Any]
        #expect((finite?["items"] as? [Any])?.count == 1 && finite?["total"] as? Int == 3 && finite?["offset"] as? Int == 1)

        let detail = demo.json(try await demo.get("/v1/repositories/demo/packets/PAY-142").body) as? [String: Any]
        #expect(detail?["assignee"] as? String == "dev@contractors.example")
        #expect((detail?["history"] as? [[String: Any]])?.last?["action"] as? String == "claim")
        #expect((detail?["criteria"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["AC-1", "AC-2", "AC-3"])
        #expect((detail?["spec_revision"] as? String)?.count == 40)
        let fresh = demo.json(try await demo.get("/v1/repositories/demo/packets/PAY-160").body) as? [String: Any]
        #expect(fresh?["title"] as? String == ServedDemo.hostileTitle)
        #expect(((fresh?["findings"] as? [Any])?.count ?? 0) > 0)

        let events = demo.json(try await demo.get("/v1/repositories/demo/events?limit=5").body) as? [String: Any]
        #expect(events?["limit"] as? Int == 5 && events?["items"] is [Any])
        let flow = demo.json(try await demo.get("/v1/repositories/demo/flow").body) as? [String: Any]
        #expect((flow?["packets"] as? [Any])?.count == 3)
        let triage = demo.json(try await demo.get("/v1/repositories/demo/triage").body) as? [[String: Any]]
        #expect(triage?.first?["blocker"] as? String == "not_ready")

        for path in ["/v1/repositories/nope", "/v1/repositories/nope/packets", "/v1/repositories/demo/packets/PAY-999"] {
            let missing = try await demo.get(path)
            #expect(missing.status == 404 && missing.type == "application/problem+json", "\(path)")
            #expect((demo.json(missing.body) as? [String: Any])?["status"] as? Int == 404)
        }
        for path in ["/v1/repositories/demo/packets?limit=0", "/v1/repositories/demo/packets?limit=501", "/v1/repositories/demo/packets?state=done"] {
            let bad = try await demo.get(path)
            #expect(bad.status == 400 && bad.type == "application/problem+json", "\(path)")
        }
        let document = try await demo.get("/openapi.yaml")
        #expect(document.status == 200 && document.body == OpenAPIDocument.yaml)

        for path in ["/", "/r/demo", "/r/demo/packets/PAY-142", "/r/demo/flow", "/r/demo/triage", "/r/demo/events"] {
            let page = try await demo.get(path)
            #expect(page.status == 200 && page.type.hasPrefix("text/html"), "\(path)")
            #expect(!page.body.contains("<script"), "\(path) carries a script")
        }
        // Everything from git is escaped: the hostile title appears only as text.
        let board = try await demo.get("/r/demo")
        #expect(board.body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Refund &amp; &quot;chargeback&quot; webhooks"))
        #expect(try await demo.get("/r/nope").status == 404)

        // `handoff report` and `handoff triage` in a clone print the same figures as the API.
        try demo.sandbox.git(["pull", "-q", "--rebase", "origin", "main"], in: demo.clone)
        let report = try runProcess(Executables.handoff, ["report", "--format", "json"], in: demo.clone, environment: demo.sandbox.environment)
        #expect(report.status == 0, "\(report.stderr)")
        let apiFlow = demo.json(try await demo.get("/v1/repositories/demo/flow").body) as? NSDictionary
        #expect(apiFlow != nil && demo.json(report.stdout) as? NSDictionary == apiFlow)
        let cliTriage = try runProcess(Executables.handoff, ["triage", "--format", "json"], in: demo.clone, environment: demo.sandbox.environment)
        let apiTriage = demo.json(try await demo.get("/v1/repositories/demo/triage").body) as? NSArray
        #expect(apiTriage != nil && demo.json(cliTriage.stdout) as? NSArray == apiTriage)
        let markdown = try runProcess(Executables.handoff, ["report", "--format", "markdown"], in: demo.clone, environment: demo.sandbox.environment)
        #expect(markdown.stdout.contains("| PAY-142 | in_progress | payments |"))

        kill(demo.daemon.pid, SIGTERM)
        #expect(demo.daemon.wait() == 0)
    }

    @Test("the OpenAPI document is ready by Handoff's own rules as a packet's contract, and docs/openapi.yaml is it")
    func openAPIDocumentIsReady() throws {
        // The demo's ready packet, its contract replaced by the API's and its criteria about the API's operations.
        let sandbox = try Sandbox()
        _ = try runProcess(Executables.handoff, ["demo", sandbox.root, "--http-listen", "off", "--status-branch", "off"])
        try sandbox.git(["clone", "-q", "\(sandbox.root)/specs.git", "clone"], in: sandbox.root)
        let packet = "\(sandbox.root)/clone/specs/PAY-142"
        for file in try FileManager.default.contentsOfDirectory(atPath: "\(packet)/contracts") {
            try FileManager.default.removeItem(atPath: "\(packet)/contracts/\(file)")
        }
        try OpenAPIDocument.yaml.write(toFile: "\(packet)/contracts/openapi.yaml", atomically: true, encoding: .utf8)
        try """
        # Acceptance criteria

        - AC-1: Given a served repository named demo, when a client calls `GET /v1/repositories/{name}/packets` with \
        state=ready, then the response is 200 and lists only packets whose state is ready.
        - AC-2: When a client calls `GET /v1/repositories/{name}/packets/{id}` for an id that is not published, then \
        the response is 404 with an application/problem+json body.

        """.write(toFile: "\(packet)/acceptance.md", atomically: true, encoding: .utf8)
        let result = try runProcess(Executables.handoff, ["validate", packet, "--format", "json"], environment: sandbox.environment)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        let first = (report?["packets"] as? [[String: Any]])?.first
        let findings = (first?["findings"] as? [[String: Any]]) ?? []
        #expect(result.status == 0 && first?["ready"] as? Bool == true, "\(result.stdout)")
        let contractFindings = findings.filter { ($0["file"] as? String)?.hasSuffix("contracts/openapi.yaml") == true }
        #expect(contractFindings.isEmpty, "\(contractFindings)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        #expect(committed == OpenAPIDocument.yaml, "docs/openapi.yaml and OpenAPIDocument.yaml differ: keep them one text")
    }

    /// Headless Chromium from Debian's package, when installed.
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(
        "AC-2: the dashboard in headless Chromium: board, packet, flow and triage pages, wide and phone-sized, saved as screenshots",
        .enabled(
            if: chromium != nil, "chromium is not installed (scripts/install-deps.sh --test installs Debian's chromium); skipping the screenshots"))
    func screenshots() async throws {
        let demo = try ServedDemo()
        try demo.deliverPAY142()
        try demo.pushWork(claim: false)
        #expect(try await demo.await("/v1/repositories/demo/packets/PAY-142") { _, body in body.contains(#""state":"delivered""#) })
        #expect(try await demo.await("/v1/repositories/demo/packets/PAY-160") { status, _ in status == 200 })
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent(".build/screenshots").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let shots: [(String, String, String)] = [
            ("board", "/r/demo", "1280,800"), ("packet", "/r/demo/packets/PAY-142", "1280,1500"), ("flow", "/r/demo/flow", "1280,1200"),
            ("triage", "/r/demo/triage", "1280,800"), ("board-phone", "/r/demo", "390,1400"), ("packet-phone", "/r/demo/packets/PAY-160", "390,1600"),
        ]
        for (name, path, size) in shots {
            let file = "\(folder)/\(name).png"
            try? FileManager.default.removeItem(atPath: file)
            // No JavaScript is needed: it is turned off, so the pages are seen as a browser without it sees them.
            let result = try runProcess(
                Self.chromium ?? "chromium",
                [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-javascript", "--hide-scrollbars", "--no-first-run",
                    "--user-data-dir=\(demo.sandbox.root)/chromium", "--window-size=\(size)", "--screenshot=\(file)", demo.base + path,
                ], environment: demo.sandbox.environment)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            #expect(bytes > 10_000, "\(name): chromium exited \(result.status): \(result.stderr.suffix(500))")
        }
        kill(demo.daemon.pid, SIGTERM)
        #expect(demo.daemon.wait() == 0)
    }
}
