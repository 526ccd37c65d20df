#ifndef HANDOFF_CGIT2_SHIM_H
#define HANDOFF_CGIT2_SHIM_H

#include <git2.h>
#include <git2/sys/commit.h>

// git_libgit2_opts is variadic, which Swift cannot call: one typed wrapper per option we use.

static inline int handoff_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}

static inline int handoff_git_enable_caching(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_CACHING, enabled);
}

static inline int handoff_git_enable_strict_object_creation(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_OBJECT_CREATION, enabled);
}

static inline int handoff_git_set_search_path(int level, const char *path) {
    return git_libgit2_opts(GIT_OPT_SET_SEARCH_PATH, level, path);
}

#endif
