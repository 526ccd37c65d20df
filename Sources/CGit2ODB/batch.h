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

#endif
