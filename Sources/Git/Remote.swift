internal import CGit2
internal import CGit2Network
import Foundation

/// How to authenticate to a remote.
public enum Credentials: Hashable, Sendable {
    /// An SSH key pair from files (ed25519 recommended: current sshd refuses SHA-1 RSA signatures).
    case sshKey(username: String, privateKeyPath: String, publicKeyPath: String? = nil, passphrase: String? = nil)
    /// Keys held by the running `ssh-agent` (`SSH_AUTH_SOCK`).
    case sshAgent(username: String)
    /// A user name and password or token, for https.
    case userPassword(username: String, password: String)

    /// The user these credentials log in as.
    public var username: String {
        switch self {
        case .sshKey(let username, _, _, _), .sshAgent(let username), .userPassword(let username, _): username
        }
    }
}

/// How to decide whether an SSH server's host key is the right one.
public enum HostKeyPolicy: Hashable, Sendable {
    /// libgit2's own checks (the user's `~/.ssh/known_hosts` for SSH, the system CA store for https).
    case libgit2Default
    /// Accept only these keys: the base64 key field of `known_hosts` lines, e.g. `AAAAC3NzaC1lZDI1NTE5…`.
    case trustedKeys([String])
}

/// How long a network operation may wait: for a connection, and for any traffic once connected.
///
/// libgit2 1.5 has no timeouts of its own; a silent remote would block its caller forever.
public struct NetworkDeadlines: Hashable, Sendable {
    /// From the start of the operation until a TCP connection is established.
    public var connect: Duration
    /// The longest stretch without traffic in either direction once connected.
    public var inactivity: Duration

    /// Creates deadlines; zero means unbounded.
    public init(connect: Duration, inactivity: Duration) {
        self.connect = connect
        self.inactivity = inactivity
    }

    /// 10 s to connect, 60 s without traffic: generous for a server computing a pack, short for a dead one.
    public static let standard = NetworkDeadlines(connect: .seconds(10), inactivity: .seconds(60))

}

/// Network operations that are cut together: a daemon's, when it stops, so that no remote can hold a stop.
public struct NetworkGroup: Hashable, Sendable {
    let id: UInt64

    /// A new, empty group.
    public init() {
        Libgit2.ensureInitialized()
        id = UInt64(handoff_net_group_new())
    }

    /// Shuts down the connections of every operation of the group in progress (they fail as
    /// ``GitError/Code-swift.struct/cancelled``), and fails its later operations at once. Returns how
    /// many were in progress.
    @discardableResult
    public func cancel() -> Int {
        Int(handoff_net_cancel_group(CUnsignedLongLong(id)))
    }
}

/// Settings for talking to a remote.
public struct RemoteOptions: Hashable, Sendable {
    /// Credentials to offer when the server asks; nil offers none.
    public var credentials: Credentials?
    /// How SSH host keys are checked.
    public var hostKeys: HostKeyPolicy
    /// How long the operation may wait on the remote.
    public var deadlines: NetworkDeadlines
    /// The group whose cancel cuts the operation, if any.
    public var group: NetworkGroup?

    /// Creates remote options.
    public init(
        credentials: Credentials? = nil, hostKeys: HostKeyPolicy = .libgit2Default, deadlines: NetworkDeadlines = .standard,
        group: NetworkGroup? = nil
    ) {
        self.credentials = credentials
        self.hostKeys = hostKeys
        self.deadlines = deadlines
        self.group = group
    }
}

/// One reference to update on a remote by a push.
public struct PushUpdate: Hashable, Sendable {
    /// What the remote's current value must be for the update to go ahead.
    public enum Expectation: Hashable, Sendable {
        /// The new value must descend from the remote's (git's default).
        case fastForward
        /// The remote must hold exactly this value (nil: the reference must not exist) — a remote compare-and-swap.
        case remoteValue(ObjectID?)
        /// Overwrite whatever is there.
        case force
    }

    /// The local reference whose value is pushed, e.g. `refs/heads/main`.
    public var source: String
    /// The remote reference to update.
    public var destination: String
    /// The condition on the remote's current value.
    public var expectation: Expectation

    /// Creates a push update; `destination` defaults to the same name as `source`.
    public init(source: String, destination: String? = nil, expectation: Expectation = .fastForward) {
        self.source = source
        self.destination = destination ?? source
        self.expectation = expectation
    }
}

/// A reference update a push did not make, and why.
public struct PushRejection: Hashable, Sendable, CustomStringConvertible {
    /// The remote reference.
    public var reference: String
    /// The reason, as the server or the client check gave it (e.g. `pre-receive hook declined`).
    public var reason: String

    public var description: String { "\(reference): \(reason)" }
}

/// A push that did not fully succeed.
public enum PushError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The transfer happened, or was stopped before it, but these references were not updated.
    case rejected([PushRejection])
    /// The push failed before any reference could be judged (network, authentication, bad refspec).
    case failed(GitError)

    public var description: String {
        switch self {
        case .rejected(let rejections):
            "push rejected: " + rejections.map(\.description).joined(separator: "; ")
        case .failed(let error):
            error.description
        }
    }
}

extension Repository {
    /// Fetches `refspecs` (e.g. `+refs/heads/main:refs/remotes/origin/main`) from `url`, without tags.
    public func fetch(from url: String, refspecs: [String], options: RemoteOptions = RemoteOptions()) throws(GitError) {
        let state = RemoteCallbackState(options: options)
        try withDeadlines(options, "fetch from \(url)") { () throws(GitError) in
            try withAnonymousRemote(url) { (remote) throws(GitError) in
                var fetchOptions = git_fetch_options()
                try check(git_fetch_options_init(&fetchOptions, UInt32(GIT_FETCH_OPTIONS_VERSION)), "prepare fetch")
                fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
                fetchOptions.prune = GIT_FETCH_NO_PRUNE
                state.install(into: &fetchOptions.callbacks)
                let result = withExtendedLifetime(state) {
                    Self.withStrArray(refspecs) { array in
                        git_remote_fetch(remote, &array, &fetchOptions, "handoff: fetch from \(url)")
                    }
                }
                try check(result, state.failureContext("fetch from \(url)"))
            }
        }
    }

    /// The references a remote advertises, as `git ls-remote` lists them.
    public func remoteReferences(at url: String, options: RemoteOptions = RemoteOptions()) throws(GitError) -> [Reference] {
        let state = RemoteCallbackState(options: options)
        return try withDeadlines(options, "list references of \(url)") { () throws(GitError) -> [Reference] in
            try withAnonymousRemote(url) { (remote) throws(GitError) -> [Reference] in
                var callbacks = git_remote_callbacks()
                try check(git_remote_init_callbacks(&callbacks, UInt32(GIT_REMOTE_CALLBACKS_VERSION)), "prepare connection")
                state.install(into: &callbacks)
                let connected = withExtendedLifetime(state) { git_remote_connect(remote, GIT_DIRECTION_FETCH, &callbacks, nil, nil) }
                try check(connected, state.failureContext("connect to \(url)"))
                defer { git_remote_disconnect(remote) }
                var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
                var count = 0
                try check(git_remote_ls(&heads, &count, remote), "list references of \(url)")
                return (0..<count).compactMap { index -> Reference? in
                    guard let head = heads?[index]?.pointee else { return nil }
                    return Reference(
                        name: String(cString: head.name), target: ObjectID(head.oid),
                        symbolicTarget: head.symref_target.map { String(cString: $0) })
                }
            }
        }
    }

    /// Pushes `updates` to `url`; any reference the client check or the server refused is a ``PushError``.
    ///
    /// Over git://, ssh and https libgit2 reports success even when the server refused a reference, so each
    /// reference's status is read from the server's report. Never push to a local path: libgit2 writes into
    /// it directly, bypassing its hooks and locks. Open the repository and compare-and-swap instead.
    public func push(to url: String, updates: [PushUpdate], options: RemoteOptions = RemoteOptions()) throws(PushError) {
        let state = RemoteCallbackState(options: options)
        for update in updates {
            state.expectations[update.destination] = update.expectation
        }
        let refspecs = updates.map { update in
            (update.expectation == .fastForward ? "" : "+") + "\(update.source):\(update.destination)"
        }
        do {
            try withDeadlines(options, "push to \(url)") { () throws(GitError) in
                try withAnonymousRemote(url) { (remote) throws(GitError) in
                    var pushOptions = git_push_options()
                    try check(git_push_options_init(&pushOptions, UInt32(GIT_PUSH_OPTIONS_VERSION)), "prepare push")
                    state.install(into: &pushOptions.callbacks)
                    let result = withExtendedLifetime(state) {
                        Self.withStrArray(refspecs) { array in git_remote_push(remote, &array, &pushOptions) }
                    }
                    if result == GIT_ENONFASTFORWARD.rawValue, state.rejections.isEmpty {
                        let error = GitError(operation: "push to \(url)", result: result)
                        state.rejections = updates.filter { $0.expectation == .fastForward }
                            .map {
                                PushRejection(reference: $0.destination, reason: "non-fast-forward (\(error.message)); fetch, merge and push again")
                            }
                    }
                    if !state.rejections.isEmpty { return }
                    try check(result, state.failureContext("push to \(url)"))
                }
            }
        } catch {
            throw .failed(error)
        }
        if !state.rejections.isEmpty { throw .rejected(state.rejections) }
        let reported = Set(state.reported)
        let missing = updates.map(\.destination).filter { !reported.contains($0) }
        if !missing.isEmpty {
            throw .rejected(missing.map { PushRejection(reference: $0, reason: "the server did not report this reference as updated") })
        }
    }

    /// Runs `body` (one whole remote operation, the remote freed inside it) under the options' deadlines; a timeout or
    /// cancel becomes a ``GitError`` of its own code, whatever libgit2 reported when its socket was shut.
    private func withDeadlines<T>(
        _ options: RemoteOptions, _ operation: String, _ body: () throws(GitError) -> T
    ) throws(GitError) -> T {
        Libgit2.ensureInitialized()
        let deadlines = options.deadlines
        let deadline = handoff_net_deadline_begin(
            Self.milliseconds(deadlines.connect), Self.milliseconds(deadlines.inactivity), CUnsignedLongLong(options.group?.id ?? 0))
        let result: Result<T, GitError>
        do { result = .success(try body()) } catch { result = .failure(error) }
        switch handoff_net_deadline_end(deadline) {
        case HANDOFF_NET_CONNECT_TIMEOUT:
            throw GitError(operation: operation, code: .timedOut, message: "no connection within \(Self.text(deadlines.connect))")
        case HANDOFF_NET_INACTIVITY_TIMEOUT:
            throw GitError(operation: operation, code: .timedOut, message: "the remote sent nothing for \(Self.text(deadlines.inactivity))")
        case HANDOFF_NET_CANCELLED:
            throw GitError(operation: operation, code: .cancelled, message: "cancelled: the process is stopping")
        default:
            return try result.get()
        }
    }

    private static func text(_ duration: Duration) -> String {
        let milliseconds = Int(milliseconds(duration))
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: max(0, seconds) * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    private func withAnonymousRemote<T>(_ url: String, _ body: (OpaquePointer) throws(GitError) -> T) throws(GitError) -> T {
        var remote: OpaquePointer?
        var options = git_remote_create_options()
        try check(git_remote_create_options_init(&options, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION)), "open remote \(url)")
        options.repository = pointer
        // What git_remote_create_anonymous does, without applying `url.<base>.insteadOf`: libgit2 1.5 looks
        // for it by matching every configuration entry against a PCRE2 pattern and leaks the match data of
        // each entry that does not match (heaptrack: about 35 KiB a remote, so a daemon polling one remote
        // every 2 s grew by 60 MiB an hour). handoffd's configuration names each remote's URL in full.
        options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue
        try check(git_remote_create_with_opts(&remote, url, &options), "open remote \(url)")
        defer { git_remote_free(remote) }
        return try body(remote!)
    }

    static func withStrArray<T>(_ strings: [String], _ body: (inout git_strarray) -> T) -> T {
        let duplicates = strings.map { strdup($0) }
        defer { duplicates.forEach { free($0) } }
        var pointers = duplicates
        return pointers.withUnsafeMutableBufferPointer { buffer in
            var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return body(&array)
        }
    }
}

/// State shared with libgit2's C callbacks during one fetch or push, on the calling thread only.
private final class RemoteCallbackState {
    let options: RemoteOptions
    var credentialAttempts = 0
    var expectations: [String: PushUpdate.Expectation] = [:]
    var rejections: [PushRejection] = []
    var reported: [String] = []
    var callbackFailure: String?

    init(options: RemoteOptions) {
        self.options = options
    }

    /// The operation name, with the reason a callback stopped it when one did.
    func failureContext(_ operation: String) -> String {
        callbackFailure.map { "\(operation) (\($0))" } ?? operation
    }

    func install(into callbacks: inout git_remote_callbacks) {
        // The callbacks run synchronously inside the libgit2 call, while the caller keeps `self` alive.
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        // libssh2 reads its socket itself: each callback is the only sign of traffic the deadline gets.
        callbacks.sideband_progress = { _, _, _ in
            handoff_net_deadline_touch()
            return 0
        }
        callbacks.transfer_progress = { _, _ in
            handoff_net_deadline_touch()
            return 0
        }
        callbacks.push_transfer_progress = { _, _, _, _ in
            handoff_net_deadline_touch()
            return 0
        }
        callbacks.credentials = { out, _, usernameFromURL, allowed, payload in
            handoff_net_deadline_touch()
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue()
            return state.credential(out, usernameFromURL: usernameFromURL.map { String(cString: $0) }, allowed: allowed)
        }
        callbacks.certificate_check = { cert, valid, host, payload in
            handoff_net_deadline_touch()
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue()
            return state.checkCertificate(cert, valid: valid != 0, host: host.map { String(cString: $0) } ?? "?")
        }
        callbacks.push_negotiation = { updates, count, payload in
            handoff_net_deadline_touch()
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue()
            var list: [(String, ObjectID)] = []
            for index in 0..<count {
                guard let update = updates?[index]?.pointee else { continue }
                list.append((String(cString: update.dst_refname), ObjectID(update.src)))
            }
            return state.negotiate(list)
        }
        callbacks.push_update_reference = { reference, status, payload in
            let state = Unmanaged<RemoteCallbackState>.fromOpaque(payload!).takeUnretainedValue()
            let name = reference.map { String(cString: $0) } ?? "?"
            if let status {
                state.rejections.append(PushRejection(reference: name, reason: String(cString: status)))
            } else {
                state.reported.append(name)
            }
            return 0
        }
    }

    private func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>?, usernameFromURL: String?, allowed: UInt32) -> Int32 {
        // An ssh URL without `user@` makes libgit2 ask for the user name alone first (allowed = USERNAME),
        // then for a key for that user: answer the first from the configured credentials, not as an attempt.
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0, allowed & GIT_CREDENTIAL_SSH_KEY.rawValue == 0,
            let username = options.credentials?.username
        {
            return git_credential_username_new(out, usernameFromURL ?? username)
        }
        credentialAttempts += 1
        // libgit2 asks again after each refusal; one offer per connection avoids an endless loop.
        guard credentialAttempts == 1, let credentials = options.credentials else {
            callbackFailure =
                options.credentials == nil
                ? "the server asked for credentials and none are configured"
                : "the server refused the configured credentials"
            return GIT_EAUTH.rawValue
        }
        switch credentials {
        case .sshKey(let username, let privateKey, let publicKey, let passphrase):
            guard allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else { return refuse("an SSH key", allowed: allowed) }
            return git_credential_ssh_key_new(out, usernameFromURL ?? username, publicKey, privateKey, passphrase)
        case .sshAgent(let username):
            guard allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 else { return refuse("ssh-agent keys", allowed: allowed) }
            return git_credential_ssh_key_from_agent(out, usernameFromURL ?? username)
        case .userPassword(let username, let password):
            guard allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 else { return refuse("a password", allowed: allowed) }
            return git_credential_userpass_plaintext_new(out, username, password)
        }
    }

    private func refuse(_ offered: String, allowed: UInt32) -> Int32 {
        callbackFailure = "the server does not accept \(offered) (allowed credential types: \(allowed))"
        return GIT_EAUTH.rawValue
    }

    private func checkCertificate(_ cert: UnsafeMutablePointer<git_cert>?, valid: Bool, host: String) -> Int32 {
        guard case .trustedKeys(let trusted) = options.hostKeys else { return GIT_PASSTHROUGH.rawValue }
        guard let cert, cert.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else {
            // Not SSH: leave TLS certificates to libgit2's own validation.
            return GIT_PASSTHROUGH.rawValue
        }
        let hostKey = UnsafeMutableRawPointer(cert).assumingMemoryBound(to: git_cert_hostkey.self).pointee
        guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey else {
            callbackFailure = "the SSH server \(host) did not present a raw host key"
            return GIT_ECERTIFICATE.rawValue
        }
        let presented = Data(bytes: raw, count: hostKey.hostkey_len).base64EncodedString()
        if trusted.contains(presented) { return 0 }
        callbackFailure = "host key of \(host) is not among the trusted keys (presented \(presented.prefix(24))…)"
        return GIT_ECERTIFICATE.rawValue
    }

    private func negotiate(_ updates: [(destination: String, remoteValue: ObjectID)]) -> Int32 {
        for update in updates {
            guard case .remoteValue(let expected) = expectations[update.destination] else { continue }
            let actual: ObjectID? = update.remoteValue.isZero ? nil : update.remoteValue
            if actual != expected {
                rejections.append(
                    PushRejection(
                        reference: update.destination,
                        reason: "remote moved: expected \(expected?.abbreviated() ?? "no reference"), "
                            + "found \(actual?.abbreviated() ?? "no reference"); fetch and retry"))
            }
        }
        return rejections.isEmpty ? 0 : GIT_EUSER.rawValue
    }
}
