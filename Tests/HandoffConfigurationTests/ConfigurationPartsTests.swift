import Foundation
import HandoffConfiguration
import HandoffEngine
import Testing

@Suite("Configuration parts: URL classification, filesystem probe, startup sequence")
struct ConfigurationPartsTests {
    static let text = """
        identity: {email: handoffd@acme.example}
        state_directory: /var/lib/handoff
        repositories:
          - name: specs
            path: /srv/git/specs.git
            status_branch: handoff/status
            operators: [ops@acme.example]

        """

    @Test(
        "URLs are classified by scheme; local paths and file:// are opened directly",
        arguments: [
            ("/srv/git/a.git", RepositoryLocation.local(path: "/srv/git/a.git")),
            ("file:///srv/git/a.git", .local(path: "/srv/git/a.git")),
            ("ssh://git@host:2222/a.git", .remote(.ssh)),
            ("git@host:a.git", .remote(.ssh)),
            ("https://host/a.git", .remote(.https)),
            ("git://host/a.git", .remote(.git)),
        ])
    func classification(_ url: String, expected: RepositoryLocation) {
        #expect(RepositoryLocation(url: url) == expected)
    }

    @Test("URLs of other schemes are not classified")
    func unsupported() {
        #expect(RepositoryLocation(url: "ftp://host/a.git") == nil)
        #expect(RepositoryLocation(url: "relative/path") == nil)
    }

    @Test("the work-tree refusal asks the injected probe, and only for local repositories")
    func probe() throws {
        let everythingIsAWorkTree = FileSystemProbe { _ in true }
        #expect(
            throws: DaemonConfiguration.Problem(
                file: "t.yaml", line: 5, key: "repositories.specs.path",
                reason: .workTree("/srv/git/specs.git"))
        ) {
            try DaemonConfiguration.parse(Self.text, file: "t.yaml", probe: everythingIsAWorkTree)
        }
        let remote = Self.text.replacingOccurrences(of: "path: /srv/git/specs.git", with: "url: https://host/specs.git")
        #expect(
            try DaemonConfiguration.parse(remote, file: "t.yaml", probe: everythingIsAWorkTree).repositories[0].url
                == "https://host/specs.git")
    }

    @Test("the startup sequence never makes a key: a missing one is a typed problem; generated once, it signs and is trusted with trusted_keys")
    func prepared() throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-prepared-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let text = Self.text.replacingOccurrences(of: "/var/lib/handoff", with: state)
        let configuration = try DaemonConfiguration.parse(text, file: "t.yaml")
        let missing = PreparedConfiguration(configuration)
        #expect(throws: CommitSigningKey.Problem.missing(path: "\(state)/handoffd_ed25519")) { try missing.signingKey.get() }
        #expect(!FileManager.default.fileExists(atPath: "\(state)/handoffd_ed25519"), "no key made on the way")
        #expect(missing.trustedKeys.keys.isEmpty)
        #expect(throws: PreparedConfiguration.UnknownOwnKeys.self) { try PreparedConfiguration.forVerifying(configuration) }

        let made = try configuration.generateSigningKey()
        #expect(throws: CommitSigningKey.Problem.exists(path: made.privateKeyPath)) { try configuration.generateSigningKey() }
        #expect(FileManager.default.fileExists(atPath: CommitSigningKey.allowedSignersPath(for: made.privateKeyPath)))
        let prepared = PreparedConfiguration(configuration)
        #expect(try prepared.signingKey.get().publicKey == made.publicKey)
        #expect(prepared.trustedKeys.keys == [made.publicKey])
        // What only verifies reads the public half, and adds the configured keys.
        let other = try SSHKeygen.generate(at: "\(state)/other", comment: "other", scratch: "\(state)/tmp")
        var withTrusted = configuration
        withTrusted.trustedKeys = [other]
        #expect(try PreparedConfiguration.forVerifying(withTrusted).trustedKeys.keys == [made.publicKey, other])
        let settings = prepared.settings(for: prepared.configuration.repositories[0], cache: nil)
        #expect(settings.branch == "main" && settings.statusBranch == "handoff/status")
        #expect(settings.operators == ["ops@acme.example"] && settings.email == "handoffd@acme.example")
        #expect(settings.memoryFile == "\(state)/specs.covered")
    }
}
