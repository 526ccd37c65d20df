internal import CGit2

extension Repository {
    /// A configuration value as git resolves it for this repository (repository, global and system files),
    /// or nil when unset — e.g. `user.email`.
    public func configValue(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, pointer), "read configuration")
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let result = git_config_get_string(&value, config, key)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read configuration value \(key)")
        return value.map { String(cString: $0) }
    }
}
