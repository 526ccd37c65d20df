#ifndef HANDOFF_ODB_H
#define HANDOFF_ODB_H

#include <git2.h>

// Object hashes checked on read with the CPU's SHA-1 (OpenSSL) instead of libgit2's collision-detecting
// one, which cost about a third of a catch-up's CPU. Reading needs second-preimage resistance only: a
// colliding pair cannot get in, because git's receive-pack and libgit2's indexer (fetch) hash with
// collision detection when objects arrive. libgit2's own check on read is switched off process-wide
// (handoff_odb_prepare), so every repository handle must go through handoff_odb_verify.
//
// The new object database has no commit-graph: ancestry is read from commits whose hashes are checked,
// never from that cache file, which anyone able to write the object directory could forge.

/// Switches libgit2's own hash check on read off, once per process (handoff_odb_verify then does it).
/// 0 on success.
int handoff_odb_prepare(void);

/// Objects written in a batch: held in memory, then written together (see handoff_odb_batch_end).
typedef struct handoff_object_batch handoff_object_batch;

/// Puts `repo`'s object database behind backends that check each object read against its id, in the
/// same order (quarantine and alternates included). With `own_store` (a repository opened by its path,
/// whose own loose store is `objects/` under its common folder), trees of 64 KiB and more are written
/// there with zlib's level 0, and `batch` receives the repository's batch (NULL otherwise); it lives as
/// long as the repository. 0 on success; a libgit2 error code otherwise (the repository is then unchanged
/// and must not be used).
int handoff_odb_verify(git_repository *repo, int own_store, handoff_object_batch **batch);

/// Starts (or nests) a batch: objects written through the repository stay in memory, readable through it
/// only, until the outermost batch ends. Same thread as the repository's other calls.
void handoff_odb_batch_begin(handoff_object_batch *batch);

/// Ends a batch begun last. At the outermost end, the objects are written: as one pack when they are 100
/// or more, loose otherwise (as git fetch's unpack limit has it), loose too when the pack cannot be
/// written. 0 on success; a libgit2 error code when an object could not be written at all.
int handoff_odb_batch_end(handoff_object_batch *batch);

/// Writes `data` of `type` into the batch under way (of `odb`'s repository), its id in `id`: 0, or
/// GIT_PASSTHROUGH when no batch is under way, it cannot take the object or the database holds it already
/// (write it with git_odb_write then, which freshens it), or a libgit2 error code when held objects could
/// not be written out to make room. The id is hashed with OpenSSL (handoff_odb_hash).
int handoff_odb_batch_write(handoff_object_batch *batch, git_odb *odb, git_oid *id, const void *data, size_t length, git_object_t type);

/// `data` of `type`'s object id in `id`, hashed with OpenSSL's SHA-1 as reads are checked: 0, or -1 when
/// it could not be computed. Used for the trees handoffd writes (libgit2's collision-detecting hash cost
/// 1.4 ms for a packet root of 20,000 folders, 700 KB): their bytes are names and ids from trees that came
/// in through git, which hashed them with collision detection, so a colliding partner cannot get in either.
/// Blobs, whose bytes could be anything, are still written through libgit2.
int handoff_odb_hash(git_oid *id, git_object_t type, const void *data, size_t length);

/// Whether `data` of `type` hashes to `id` (the check handoff_odb_verify's backends make): 1 or 0, or -1
/// when the hash could not be computed.
int handoff_odb_matches(const git_oid *id, git_object_t type, const void *data, size_t length);

#endif
