import Foundation
import Git
import GitTestSupport
import HandoffConfiguration
import Testing

@testable import HandoffDaemon

/// Issue 16, item 5 (AC-4): `ssh_user` in handoffd.yaml is the user handoffd logs in as over ssh. The Git
/// layer's half (libgit2 asks for the user name first when the URL names none) is tested against a real
/// sshd in `SSHRemoteTests`; this is the configuration's half, which never reached it before the fix.
@Suite("ssh_user")
struct SSHUserTests {
    @Test("ssh_user from the file becomes the ssh credentials' user; without it the user is git")
    func configuredUser() throws {
        let sandbox = try Sandbox()
        let key = "\(sandbox.root)/id_ed25519"
        try "a key file; only its presence is checked here\n".write(toFile: key, atomically: true, encoding: .utf8)
        let path = "\(sandbox.root)/handoffd.yaml"
        try """
        identity:
          email: handoffd@acme.example
        state_directory: \(sandbox.root)/state
        repositories:
          - { name: deploy, url: "ssh://127.0.0.1:2222/specs.git", ssh_key: \(key), ssh_user: deploy, operators: [ops@acme.example] }
          - { name: default, url: "ssh://example.test/specs.git", ssh_key: \(key), operators: [ops@acme.example] }

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try DaemonConfiguration.load(path)
        let deploy = try #require(configuration.repository(named: "deploy"))
        let standard = try #require(configuration.repository(named: "default"))
        #expect(deploy.credentials.sshUser == "deploy")
        #expect(try deploy.credentials.options(for: #require(deploy.url)).credentials == .sshKey(username: "deploy", privateKeyPath: key))
        #expect(try standard.credentials.options(for: #require(standard.url)).credentials == .sshKey(username: "git", privateKeyPath: key))
    }
}
