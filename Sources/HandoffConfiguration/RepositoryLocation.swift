/// A remote repository's transport, told by its URL's scheme.
public enum RemoteScheme: Sendable, Equatable {
    /// `ssh://…` or scp-like `user@host:path`.
    case ssh
    /// `https://…`.
    case https
    /// `git://…` (anonymous, read-only on most hosts).
    case git
}

/// Where a configured `url` points: a local repository handoffd opens directly, or a remote one it mirrors.
public enum RepositoryLocation: Sendable, Equatable {
    /// A path or `file://` URL. Opened directly: libgit2's local push would bypass the server's hooks and locks.
    case local(path: String)
    /// A remote repository reached over `scheme`.
    case remote(RemoteScheme)

    /// Classifies `url`; nil when it is no ssh, https or git:// URL nor a local path.
    public init?(url: String) {
        if url.hasPrefix("/") {
            self = .local(path: url)
        } else if url.hasPrefix("file://") {
            self = .local(path: String(url.dropFirst(7)))
        } else if url.hasPrefix("ssh://") {
            self = .remote(.ssh)
        } else if url.hasPrefix("https://") {
            self = .remote(.https)
        } else if url.hasPrefix("git://") {
            self = .remote(.git)
        } else if url.contains("@") && url.contains(":") && !url.contains("://") {
            self = .remote(.ssh)
        } else {
            return nil
        }
    }
}
