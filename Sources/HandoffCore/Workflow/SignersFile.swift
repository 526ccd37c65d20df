/// `.handoff/allowed_signers`: handoffd's public keys in git's `allowed_signers` format, written by handoffd
/// beside the board so that anyone with a clone can verify its status commits with git alone.
public enum SignersFile {
    /// The file's path from the repository root.
    public static let path = ".handoff/allowed_signers"

    /// The command that verifies the newest status commit on `branch` with the file at that commit.
    public static func verifyCommand(branch: String) -> String {
        "git show \(branch):\(path) > /tmp/handoffd.signers && git -c gpg.ssh.allowedSignersFile=/tmp/handoffd.signers log --show-signature -1 \(branch)"
    }

    /// The file for handoffd's `principal` (its email) and its trusted keys' lines, sorted so the bytes depend
    /// on the set alone; nil without keys.
    /// `branch` is where the file is published, named in the verify command it carries.
    public static func render(principal: String, keys: [String], branch: String = "main") -> String? {
        guard !keys.isEmpty else { return nil }
        var out = "# Written by handoffd: the keys that sign its status commits. Do not edit: edits are recorded as tampering and undone.\n"
        out += "# Verify a status commit: \(verifyCommand(branch: branch))\n"
        for key in keys.sorted() { out += "\(principal) namespaces=\"git\" \(key)\n" }
        return out
    }
}
