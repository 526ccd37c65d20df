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

extension Repository {
    /// A boolean configuration value as git reads one (`true`/`yes`/`on`/`1`, …), or nil when unset.
    public func configFlag(_ key: String) throws(GitError) -> Bool? {
        var config: OpaquePointer?
        try check(git_repository_config_snapshot(&config, pointer), "read configuration")
        defer { git_config_free(config) }
        var value: Int32 = 0
        let result = git_config_get_bool(&value, config, key)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check(result, "read configuration value \(key)")
        return value != 0
    }

    /// Sets `key` in this repository's own configuration file (`.git/config`), as `git config key value` does.
    public func setConfigValue(_ key: String, _ value: String) throws(GitError) {
        var config: OpaquePointer?
        try check(git_repository_config(&config, pointer), "open configuration")
        defer { git_config_free(config) }
        var local: OpaquePointer?
        try check(git_config_open_level(&local, config, GIT_CONFIG_LEVEL_LOCAL), "open the repository's configuration")
        defer { git_config_free(local) }
        try check(git_config_set_string(local, key, value), "set \(key)")
    }
}
