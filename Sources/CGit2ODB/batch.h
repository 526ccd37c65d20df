#ifndef HANDOFF_BATCH_H
#define HANDOFF_BATCH_H

#include "handoff_odb.h"

#include <git2/sys/odb_backend.h>

// The batch backend (batch.c), for odb.c: created with the own objects folder ("…/objects/") and the
// own loose store's backend, where objects go outside a batch and when a batch is small.
handoff_object_batch *handoff_batch_new(const char *objects_folder, int fsync_objects, git_odb_backend *loose);
/// The backend to add to the object database; the database frees it (and with it the batch).
git_odb_backend *handoff_batch_backend(handoff_object_batch *batch);
/// Whether a batch is under way: objects written now stay in memory until it ends.
int handoff_batch_is_active(const handoff_object_batch *batch);
/// The own packs' folder ("…/objects/pack/").
const char *handoff_batch_pack_folder(const handoff_object_batch *batch);

// File writing both the loose writer (odb.c) and the pack writer use.
/// Writes all `length` bytes, retrying short writes and EINTR; 0, or -1 with errno set.
int handoff_write_fully(int fd, const unsigned char *bytes, size_t length);
/// Creates `folder` + "tmp_<kind>_<pid>_<serial>" read-only and exclusively, its path in `path`; a descriptor, or -1.
int handoff_open_temporary(const char *folder, const char *kind, char *path, size_t path_size);

#endif
