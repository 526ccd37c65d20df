import ArgumentParser
import Foundation
import Git
import HandoffEngine

/// `handoff signing setup`: makes this clone sign its commits with an SSH key, as
/// `participant_identity: signature` requires, and prints the line an operator adds to `allowed_signers`.
struct Signing: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "signing",
        abstract: "Sign commits with an SSH key, so that handoffd can hold them to you.",
        subcommands: [SigningSetup.self]
    )
}

/// `handoff signing setup [--key PATH] [--apply]`.
struct SigningSetup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "setup",
        abstract: "Print (or with --apply, run) the three git settings that sign every commit with your SSH key.",
        discussion: """
            Where the repository's handoffd uses participant_identity: signature, a commit counts only when it \
            carries an SSH signature by a key its allowed_signers file lists for you; an unsigned commit holds \
            no role and the server's hook refuses it. This prints the settings that make git (and handoff's own \
            action commits) sign, and the allowed_signers line to send to an operator.
            """
    )

    @Option(help: "Your SSH key (private or .pub); default: user.signingkey, else ~/.ssh/id_ed25519.")
    var key: String?

    @Flag(help: "Write the settings into this clone's .git/config instead of printing the commands.")
    var apply = false

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        let repository = try? Repository.open(at: cwd, searchParents: true)
        let configured = (try? repository?.configValue("user.signingkey")) ?? nil
        let chosen = key ?? configured.flatMap { $0.hasPrefix("key::") ? nil : $0 } ?? "\(NSHomeDirectory())/.ssh/id_ed25519"
        let path = chosen.hasPrefix("~/") ? NSHomeDirectory() + chosen.dropFirst() : chosen
        let absolute = path.hasPrefix("/") ? path : "\(cwd)/\(path)"
        let publicPath = absolute.hasSuffix(".pub") ? absolute : absolute + ".pub"
        let publicKey: SSHPublicKey
        do throws(SSHKeygen.Problem) {
            publicKey = try SSHKeygen.publicKey(of: absolute, scratch: repository.map { "\($0.gitDirectory)/handoff-tmp" } ?? NSTemporaryDirectory())
        } catch .noKey {
            throw CannotCheck(
                "no SSH key at \(absolute); create one with: ssh-keygen -t ed25519 -f \(absolute.replacingOccurrences(of: ".pub", with: "")) "
                    + "(or name yours with --key)")
        } catch {
            throw CannotCheck("\(error)")
        }
        guard publicKey.type == "ssh-ed25519" else {
            throw CannotCheck("\(absolute) is a \(publicKey.type) key; handoffd verifies ed25519 signatures: ssh-keygen -t ed25519")
        }
        let email = (try? repository?.configValue("user.email")) ?? nil
        let settings = [
            ("gpg.format", "ssh"), ("user.signingkey", FileManager.default.fileExists(atPath: publicPath) ? publicPath : absolute),
            ("commit.gpgsign", "true"),
        ]
        if apply {
            guard let repository else { throw CannotCheck("--apply works inside a clone; run it there, or run the commands below with --global") }
            do {
                for (name, value) in settings { try repository.setConfigValue(name, value) }
            } catch {
                throw CannotCheck("\(error)")
            }
            print("This clone now signs every commit with \(publicKey.fingerprint) (\(settings.map { "\($0.0)=\($0.1)" }.joined(separator: ", "))).")
        } else {
            print("Run these in your clone (or add --global to sign in every repository):")
            for (name, value) in settings { print("  git config \(name) \(HookInstall.quote(value))") }
        }
        print(
            """
            Then ask an operator to add this line to the allowed_signers file handoffd reads\(email == nil ? " (put your email first)" : ""):
              \(email ?? "you@example.com") namespaces="git" \(publicKey.line)
            Your user.email must be that line's first name: it is who handoff says you are when it checks an action.
            """)
    }
}
