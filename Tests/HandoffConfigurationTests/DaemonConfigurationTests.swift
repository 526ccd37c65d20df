import Foundation
import GitTestSupport
import HandoffConfiguration
import HandoffEngine
import Logging
import Testing

@Suite("handoffd configuration: file, environment overrides, precise errors")
struct DaemonConfigurationTests {
    static let base = """
        identity: {email: handoffd@acme.example}
        state_directory: /var/lib/handoff
        repositories:
          - name: specs
            path: /srv/git/specs.git
            operators: [ops@acme.example]

        """

    @Test(
        "configuration errors name the file, line, key path and reason",
        arguments: [
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: /p, operators: [o@x]}]\ncolour: red\n",
                "handoffd.yaml:4: colour: unknown key (known here: http, identity, log_level"
            ),
            (
                "identity: {email: nope}\nstate_directory: /s\nrepositories: [{name: a, path: /p, operators: [o@x]}]\n",
                "handoffd.yaml:1: identity.email: 'nope' is not an email address"
            ),
            (
                "identity: {email: x@y}\nstate_directory: relative\nrepositories: [{name: a, path: /p, operators: [o@x]}]\n",
                "handoffd.yaml:2: state_directory: 'relative' must be an absolute path"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories:\n  - {name: a, path: /p}\n",
                "handoffd.yaml:4: repositories.a.operators: must list"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, pth: /p, operators: [o@x]}]\n",
                "handoffd.yaml:3: repositories[0].pth: unknown key"
            ),
            ("identity: {email: x@y}\nstate_directory: /s\nrepositories: []\n", "handoffd.yaml:3: repositories: must list at least one"),
            ("identity: {email: x@y}\nstate_directory: /s\nrepositories:\n", "handoffd.yaml:3: repositories: must list at least one"),
            (
                "identity: {email: x@y}\nstate_directory: /s\npoll_interval: 5\n",
                "handoffd.yaml:1: repositories: missing: list the repositories to serve"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\npoll_interval: soon\nrepositories: [{name: a, path: /p, operators: [o@x]}]\n",
                "handoffd.yaml:3: poll_interval: 'soon' must be a number of seconds"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nnetwork:\n  inactivity_timeout: 0\nrepositories: [{name: a, path: /p, operators: [o@x]}]\n",
                "handoffd.yaml:4: network.inactivity_timeout: '0' must be a number of seconds from 1 to 3600"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nnetwork: {timeout: 5}\nrepositories: [{name: a, path: /p, operators: [o@x]}]\n",
                "handoffd.yaml:3: network.timeout: unknown key"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nlog_level: loud\nrepositories: [{name: a, path: /p, operators: [o@x]}]\n",
                "handoffd.yaml:3: log_level: 'loud' is not one of trace"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: /p, url: git://h/r, operators: [o@x]}]\n",
                "handoffd.yaml:3: repositories.a: give either path (a local bare repository) or url (a remote one), not both"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: /p, status_branch: main, operators: [o@x]}]\n",
                "handoffd.yaml:3: repositories.a.status_branch: is the watched branch itself"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: /p, status_branch: 'a..b', operators: [o@x]}]\n",
                "handoffd.yaml:3: repositories.a.status_branch: 'a..b' is not a valid branch name"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, url: git://h/r, ssh_key: /k, operators: [o@x]}]\n",
                "handoffd.yaml:3: repositories.a.ssh_key: applies only to an ssh url"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, url: 'https://h/r', username: u, operators: [o@x]}]\n",
                "handoffd.yaml:3: repositories.a.password_file: username and password_file go together"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: [/p], operators: [o@x]}]\n",
                "handoffd.yaml:3: repositories.a.path: must be a single value"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories:\n  - {name: a, path: /p, operators: [o@x]}\n  - {name: a, path: /q, operators: [o@x]}\n",
                "handoffd.yaml:5: repositories[1].name: 'a' is used twice"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: /p, operators: [o@x], participant_identity: signature}]\n",
                "handoffd.yaml:3: repositories.a.allowed_signers: participant_identity: signature needs allowed_signers"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: /p, operators: [o@x], participant_identity: gpg}]\n",
                "handoffd.yaml:3: repositories.a.participant_identity: 'gpg' is not one of signature"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: /p, operators: [o@x], allowed_signers: /s/a}]\n",
                "handoffd.yaml:3: repositories.a.allowed_signers: applies only with participant_identity: signature"
            ),
            (
                "identity: {email: x@y}\nstate_directory: /s\nrepositories: [{name: a, path: /p, operators: [o@x], participant_identity: signature, allowed_signers: s}]\n",
                "handoffd.yaml:3: repositories.a.allowed_signers: 's' must be an absolute path"
            ),
            ("identity: [x]\n", "handoffd.yaml:1: identity: must be a mapping"),
            ("identity: {email: x@y\n", "handoffd.yaml: not valid YAML"),
        ])
    func errors(_ text: String, expected: String) {
        do {
            _ = try DaemonConfiguration.parse(text, file: "handoffd.yaml")
            Issue.record("accepted a bad configuration")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test("participant_identity: signature with its allowed_signers, author by default; both warned about at start as they deserve")
    func participantIdentity() throws {
        let sandbox = FileManager.default.temporaryDirectory.appendingPathComponent("handoff-signers-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: sandbox) }
        try Data("ana@x namespaces=\"git\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIH7b2Zy0p1bB0Yw6M7S5qVgq3mQ4m0m2mNwJQ1r1w2K\nbroken\n".utf8)
            .write(to: URL(fileURLWithPath: "\(sandbox)/allowed_signers"))
        let configuration = try DaemonConfiguration.parse(
            """
            identity: {email: x@y}
            state_directory: /s
            repositories:
              - {name: signed, path: /p, operators: [o@x], participant_identity: signature, allowed_signers: \(sandbox)/allowed_signers}
              - {name: trusted, path: /q, operators: [o@x]}

            """, file: "handoffd.yaml")
        #expect(configuration.repositories.map(\.participantIdentity) == [.signature(allowedSigners: "\(sandbox)/allowed_signers"), .authorEmail])
        #expect(
            configuration.identityWarnings() == [
                .skippedSigner(
                    repository: "signed", file: "\(sandbox)/allowed_signers", line: 2, reason: "expected principals, [options,] key type and key"),
                .authorLines(repository: "trusted"),
            ])
    }

    @Test("HANDOFFD_* environment variables override the file, globally and per repository")
    func environmentOverrides() throws {
        let environment = [
            "HANDOFFD_POLL_INTERVAL": "0.5", "HANDOFFD_LOG_LEVEL": "debug",
            "HANDOFFD_REPOSITORIES_SPECS_BRANCH": "trunk",
            "HANDOFFD_REPOSITORIES_SPECS_OPERATORS": "a@acme.example,b@acme.example",
            "HANDOFFD_IDENTITY_NAME": "handoff-bot", "HANDOFFD_NETWORK_CONNECT_TIMEOUT": "2.5",
        ]
        let configuration = try DaemonConfiguration.parse(Self.base, file: "h.yaml", environment: environment)
        #expect(configuration.pollInterval == 0.5)
        #expect(configuration.logLevel == .debug)
        #expect(configuration.name == "handoff-bot")
        #expect(configuration.connectTimeout == 2.5 && configuration.inactivityTimeout == 60)
        #expect(configuration.repositories[0].branch == "trunk")
        #expect(configuration.repositories[0].operators == ["a@acme.example", "b@acme.example"])
        let plain = try DaemonConfiguration.parse(Self.base, file: "h.yaml")
        #expect(plain.pollInterval == 2 && plain.logLevel == .info && plain.repositories[0].branch == "main")
    }

    @Test("a bad value from the environment names the variable, not the file")
    func badEnvironmentValue() {
        do {
            _ = try DaemonConfiguration.parse(Self.base, file: "h.yaml", environment: ["HANDOFFD_POLL_INTERVAL": "-1"])
            Issue.record("accepted a negative poll interval")
        } catch {
            #expect(
                error.description == "environment variable HANDOFFD_POLL_INTERVAL: poll_interval: '-1' must be a number of seconds from 0.1 to 3600")
        }
    }

    @Test("remote repositories: mirror path, credentials, status branch; local URLs are opened directly")
    func remoteEntries() throws {
        let text = """
            identity: {email: handoffd@acme.example}
            state_directory: /var/lib/handoff
            repositories:
              - name: partner
                url: ssh://git@git.partner.example:2222/specs.git
                ssh_key: /etc/handoff/deploy_ed25519
                known_hosts: /etc/handoff/known_hosts
                status_branch: handoff/status
                operators: [ops@acme.example]
              - name: hosted
                url: https://git.example/specs.git
                username: handoffd
                password_file: /etc/handoff/token
                operators: [ops@acme.example]
              - name: nearby
                url: file:///srv/git/nearby.git
                operators: [ops@acme.example]

            """
        let configuration = try DaemonConfiguration.parse(text, file: "h.yaml")
        let partner = configuration.repositories[0]
        #expect(partner.path == "/var/lib/handoff/mirrors/partner.git")
        #expect(partner.statusBranch == "handoff/status")
        #expect(partner.credentials.sshKey == "/etc/handoff/deploy_ed25519")
        #expect(partner.credentials.knownHosts == "/etc/handoff/known_hosts")
        #expect(configuration.repositories[1].credentials.passwordFile == "/etc/handoff/token")
        #expect(configuration.repositories[2].url == nil && configuration.repositories[2].path == "/srv/git/nearby.git")
    }

    @Test("a work tree given as path is refused with advice")
    func workTreeRefused() throws {
        let sandbox = try Sandbox()
        let clone = try sandbox.workRepository()
        let text = Self.base.replacingOccurrences(of: "/srv/git/specs.git", with: clone)
        do {
            _ = try DaemonConfiguration.parse(text, file: "h.yaml")
            Issue.record("accepted a work tree")
        } catch {
            #expect(error.description.contains("repositories.specs.path: '\(clone)' is a work tree"))
            #expect(error.description.contains("git clone --bare"))
        }
    }

    @Test("the shipped example configuration parses")
    func shippedExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = try DaemonConfiguration.load(root.appendingPathComponent("Config/handoffd.yaml").path, environment: [:])
        #expect(configuration.repositories.map(\.name) == ["specs"])
    }
}
