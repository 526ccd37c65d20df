#include "batch.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

// Objects a batch holds before it writes them out on its own (a pack then stays far below the 2 GiB that
// 32-bit offsets in its index can address), and the largest one it takes (larger ones go straight to the
// loose store, as they would without a batch).
#define BATCH_BYTES ((size_t)32 << 20)
// Fewer objects than this are written loose, as `git fetch` unpacks fewer than `fetch.unpackLimit`
// (default 100): a pack per small batch would pile up packs, each one more index probed by every read.
#define UNPACK_LIMIT 100
// Objects at least this large are deflated with zlib's level 0, as the loose writer does for large trees.
#define STORED_BYTES (64 * 1024)

typedef struct {
    git_oid id;
    git_object_t type;
    size_t length;
    unsigned char *data;
} held_object;

struct handoff_object_batch {
    git_odb_backend parent;
    int depth;  // begin calls not yet ended
    // The first failure to write held objects out, returned by the batch's end: libgit2 takes a failed write
    // as "try the next backend" and goes on, so without it the end would report success over lost objects.
    int failure;
    held_object *objects;
    size_t count, capacity, bytes;
    uint32_t *slots;  // open addressing: index + 1 into objects, 0 = empty; size a power of two
    size_t slot_count;
    char *pack_folder;  // "…/objects/pack/"
    int fsync_objects;
    git_odb_backend *loose;  // the own loose store's (verifying) backend: where small batches go
};

static handoff_object_batch *batch_of(git_odb_backend *backend) { return (handoff_object_batch *)backend; }

static size_t slot_of(const git_oid *id, size_t mask) {
    uint64_t key;
    memcpy(&key, id->id, sizeof key);  // an object id is already uniformly spread
    return (size_t)key & mask;
}

static held_object *find(handoff_object_batch *batch, const git_oid *id) {
    if (batch->count == 0) return NULL;
    size_t mask = batch->slot_count - 1;
    for (size_t slot = slot_of(id, mask);; slot = (slot + 1) & mask) {
        uint32_t index = batch->slots[slot];
        if (index == 0) return NULL;
        if (git_oid_equal(&batch->objects[index - 1].id, id)) return &batch->objects[index - 1];
    }
}

static int grow_slots(handoff_object_batch *batch) {
    size_t slot_count = batch->slot_count == 0 ? 1024 : batch->slot_count * 2;
    uint32_t *slots = calloc(slot_count, sizeof *slots);
    if (slots == NULL) return -1;
    for (size_t index = 0; index < batch->count; index++) {
        size_t slot = slot_of(&batch->objects[index].id, slot_count - 1);
        while (slots[slot] != 0) slot = (slot + 1) & (slot_count - 1);
        slots[slot] = (uint32_t)index + 1;
    }
    free(batch->slots);
    batch->slots = slots;
    batch->slot_count = slot_count;
    return 0;
}

static void forget_all(handoff_object_batch *batch) {
    for (size_t index = 0; index < batch->count; index++) free(batch->objects[index].data);
    batch->count = 0;
    batch->bytes = 0;
    if (batch->slots != NULL) memset(batch->slots, 0, batch->slot_count * sizeof *batch->slots);
}

// ---- Writing a batch out ----------------------------------------------------------------------------------

typedef struct {
    int fd;
    EVP_MD_CTX *sha1;
    uint64_t offset;
    unsigned char buffer[64 * 1024];
    size_t used;
} pack_file;

static int flush_buffer(pack_file *file) {
    if (handoff_write_fully(file->fd, file->buffer, file->used) < 0) return -1;
    file->used = 0;
    return 0;
}

// Appends bytes to the file and to its running SHA-1 (the trailer of a pack or an index).
static int put(pack_file *file, const void *data, size_t length) {
    if (length > 0 && EVP_DigestUpdate(file->sha1, data, length) != 1) {
        errno = EIO;
        return -1;
    }
    const unsigned char *bytes = data;
    file->offset += length;
    while (length > 0) {
        size_t room = sizeof file->buffer - file->used, part = length < room ? length : room;
        memcpy(file->buffer + file->used, bytes, part);
        file->used += part;
        bytes += part;
        length -= part;
        if (file->used == sizeof file->buffer && flush_buffer(file) < 0) return -1;
    }
    return 0;
}

static int put_u32(pack_file *file, uint32_t value) {
    unsigned char bytes[4] = {(unsigned char)(value >> 24), (unsigned char)(value >> 16), (unsigned char)(value >> 8), (unsigned char)value};
    return put(file, bytes, 4);
}

// Writes the trailer (the SHA-1 of everything before it) and closes the stream; `digest` receives it.
static int finish(pack_file *file, unsigned char digest[GIT_OID_RAWSZ], int fsync_file) {
    unsigned int digest_length = 0;
    if (EVP_DigestFinal_ex(file->sha1, digest, &digest_length) != 1 || digest_length != GIT_OID_RAWSZ) {
        errno = EIO;
        return -1;
    }
    if (file->used + GIT_OID_RAWSZ > sizeof file->buffer && flush_buffer(file) < 0) return -1;
    memcpy(file->buffer + file->used, digest, GIT_OID_RAWSZ);
    file->used += GIT_OID_RAWSZ;
    if (flush_buffer(file) < 0) return -1;
    if (fsync_file && fsync(file->fd) < 0) return -1;
    return 0;
}

static int compare_ids(const void *left, const void *right) {
    return git_oid_cmp(&(*(held_object *const *)left)->id, &(*(held_object *const *)right)->id);
}

// The pack's entry header: type and length, seven bits a byte after the first four, as git's pack format has it.
static size_t entry_header(unsigned char *header, git_object_t type, size_t length) {
    size_t used = 0;
    unsigned char byte = (unsigned char)(((unsigned)type << 4) | (length & 0x0f));
    length >>= 4;
    while (length > 0) {
        header[used++] = byte | 0x80;
        byte = (unsigned char)(length & 0x7f);
        length >>= 7;
    }
    header[used++] = byte;
    return used;
}

// Writes every held object into one pack and its version-2 index, under git's names (pack-<trailer>.pack,
// then .idx: an index makes a pack visible, so it lands last). The files are removed on failure.
static int write_pack(handoff_object_batch *batch) {
    size_t count = batch->count, path_size = strlen(batch->pack_folder) + 64;
    held_object **sorted = malloc(count * sizeof *sorted);
    uint64_t *offsets = malloc(count * sizeof *offsets);
    uint32_t *crcs = malloc(count * sizeof *crcs);
    char *pack_path = malloc(path_size), *index_path = malloc(path_size), *final_path = malloc(path_size);
    unsigned char *compressed = NULL;
    size_t compressed_capacity = 0;
    pack_file *pack = calloc(1, sizeof *pack), *index = calloc(1, sizeof *index);
    int pack_created = 0, index_created = 0, error = -1;
    if (pack != NULL) pack->fd = -1;  // never descriptor 0, which calloc's zeroes would name
    if (index != NULL) index->fd = -1;
    if (sorted == NULL || offsets == NULL || crcs == NULL || pack_path == NULL || index_path == NULL || final_path == NULL ||
        pack == NULL || index == NULL)
        goto done;
    if ((pack->sha1 = EVP_MD_CTX_new()) == NULL || (index->sha1 = EVP_MD_CTX_new()) == NULL ||
        EVP_DigestInit_ex(pack->sha1, EVP_sha1(), NULL) != 1 || EVP_DigestInit_ex(index->sha1, EVP_sha1(), NULL) != 1)
        goto done;

    if (mkdir(batch->pack_folder, 0777) < 0 && errno != EEXIST) goto done;
    if ((pack->fd = handoff_open_temporary(batch->pack_folder, "pack", pack_path, path_size)) < 0) goto done;
    pack_created = 1;

    // The pack: a header, the objects in the order they were written, each deflated whole (no deltas).
    if (put(pack, "PACK", 4) < 0 || put_u32(pack, 2) < 0 || put_u32(pack, (uint32_t)count) < 0) goto done;
    for (size_t position = 0; position < count; position++) {
        held_object *object = &batch->objects[position];
        uLong bound = compressBound((uLong)object->length);
        if (bound > compressed_capacity) {
            free(compressed);
            compressed_capacity = bound;
            if ((compressed = malloc(compressed_capacity)) == NULL) goto done;
        }
        uLongf compressed_length = (uLongf)compressed_capacity;
        int level = object->length >= STORED_BYTES ? Z_NO_COMPRESSION : Z_BEST_SPEED;
        if (compress2(compressed, &compressed_length, object->data, (uLong)object->length, level) != Z_OK) goto done;
        unsigned char header[16];
        size_t header_length = entry_header(header, object->type, object->length);
        offsets[position] = pack->offset;
        uLong crc = crc32(0L, header, (uInt)header_length);
        crcs[position] = (uint32_t)crc32(crc, compressed, (uInt)compressed_length);
        if (put(pack, header, header_length) < 0 || put(pack, compressed, compressed_length) < 0) goto done;
        sorted[position] = object;
    }
    unsigned char pack_digest[GIT_OID_RAWSZ], index_digest[GIT_OID_RAWSZ];
    if (finish(pack, pack_digest, batch->fsync_objects) < 0) goto done;

    // The index: fan-out, sorted ids, CRC-32s, 32-bit offsets (a batch never reaches 2 GiB), the pack's trailer.
    qsort(sorted, count, sizeof *sorted, compare_ids);
    if ((index->fd = handoff_open_temporary(batch->pack_folder, "idx", index_path, path_size)) < 0) goto done;
    index_created = 1;
    static const unsigned char index_magic[8] = {0xff, 't', 'O', 'c', 0, 0, 0, 2};
    if (put(index, index_magic, sizeof index_magic) < 0) goto done;
    size_t below = 0;
    for (unsigned first = 0; first < 256; first++) {
        while (below < count && sorted[below]->id.id[0] <= first) below++;
        if (put_u32(index, (uint32_t)below) < 0) goto done;
    }
    for (size_t position = 0; position < count; position++)
        if (put(index, sorted[position]->id.id, GIT_OID_RAWSZ) < 0) goto done;
    for (size_t position = 0; position < count; position++)
        if (put_u32(index, crcs[sorted[position] - batch->objects]) < 0) goto done;
    for (size_t position = 0; position < count; position++)
        if (put_u32(index, (uint32_t)offsets[sorted[position] - batch->objects]) < 0) goto done;
    if (put(index, pack_digest, GIT_OID_RAWSZ) < 0 || finish(index, index_digest, batch->fsync_objects) < 0) goto done;
    if (close(pack->fd) < 0 || close(index->fd) < 0) {
        pack->fd = index->fd = -1;
        goto done;
    }
    pack->fd = index->fd = -1;

    char hex[GIT_OID_HEXSZ + 1];
    git_oid name;
    git_oid_fromraw(&name, pack_digest);
    git_oid_tostr(hex, sizeof hex, &name);
    snprintf(final_path, path_size, "%spack-%s.pack", batch->pack_folder, hex);
    if (rename(pack_path, final_path) < 0) goto done;
    pack_created = 0;
    snprintf(final_path, path_size, "%spack-%s.idx", batch->pack_folder, hex);
    if (rename(index_path, final_path) < 0) goto done;  // the pack stays: unindexed, git ignores it
    index_created = 0;
    // The renames themselves, durable as the files are (git and libgit2 sync the folder in this mode too).
    if (batch->fsync_objects) {
        int folder = open(batch->pack_folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (folder < 0) goto done;
        int synced = fsync(folder);
        close(folder);
        if (synced < 0) goto done;
    }
    error = 0;
done:
    if (pack != NULL) {
        if (pack->fd >= 0) close(pack->fd);
        EVP_MD_CTX_free(pack->sha1);
    }
    if (index != NULL) {
        if (index->fd >= 0) close(index->fd);
        EVP_MD_CTX_free(index->sha1);
    }
    if (pack_created) unlink(pack_path);
    if (index_created) unlink(index_path);
    free(pack);
    free(index);
    free(compressed);
    free(final_path);
    free(index_path);
    free(pack_path);
    free(crcs);
    free(offsets);
    free(sorted);
    return error;
}

// Every held object through the own loose store's backend, as libgit2 would have written it without a batch.
static int write_loose(handoff_object_batch *batch) {
    for (size_t position = 0; position < batch->count; position++) {
        held_object *object = &batch->objects[position];
        int error = batch->loose->write(batch->loose, &object->id, object->data, object->length, object->type);
        if (error < 0) return error;
    }
    return 0;
}

// Writes the held objects out (one pack, or loose when they are few or the pack fails) and forgets them.
static int write_out(handoff_object_batch *batch, int as_pack) {
    int error = 0;
    if (batch->count == 0) return 0;
    if (!as_pack || write_pack(batch) < 0) {
        // A pack that could not be written (a full disk, a folder not ours) costs speed, never objects.
        error = write_loose(batch);
    }
    forget_all(batch);
    if (error < 0 && batch->failure == 0) batch->failure = error;
    return error;
}

// ---- The backend ------------------------------------------------------------------------------------------

static int batch_read(void **data, size_t *length, git_object_t *type, git_odb_backend *backend, const git_oid *id) {
    held_object *object = find(batch_of(backend), id);
    if (object == NULL) return GIT_ENOTFOUND;
    void *copy = git_odb_backend_data_alloc(backend, object->length > 0 ? object->length : 1);
    if (copy == NULL) return GIT_ERROR;
    memcpy(copy, object->data, object->length);
    *data = copy;
    *length = object->length;
    *type = object->type;
    return 0;
}

static int batch_read_header(size_t *length, git_object_t *type, git_odb_backend *backend, const git_oid *id) {
    held_object *object = find(batch_of(backend), id);
    if (object == NULL) return GIT_ENOTFOUND;
    *length = object->length;
    *type = object->type;
    return 0;
}

static int batch_exists(git_odb_backend *backend, const git_oid *id) { return find(batch_of(backend), id) != NULL; }

static int batch_freshen(git_odb_backend *backend, const git_oid *id) {
    return find(batch_of(backend), id) != NULL ? 0 : GIT_ENOTFOUND;
}

// Whether the batch holds an object of `length` bytes: one is under way, and the object is not too large.
static int takes(const handoff_object_batch *batch, size_t length) { return batch->depth > 0 && length < BATCH_BYTES; }

static int batch_write(git_odb_backend *backend, const git_oid *id, const void *data, size_t length, git_object_t type) {
    handoff_object_batch *batch = batch_of(backend);
    // Outside a batch, or too large for one: the next backend (the loose store) writes it.
    if (!takes(batch, length)) return GIT_PASSTHROUGH;
    if (find(batch, id) != NULL) return 0;
    if (batch->bytes + length > BATCH_BYTES) {
        int error = write_out(batch, 1);
        if (error < 0) return error;
    }
    if ((batch->count + 1) * 2 > batch->slot_count && grow_slots(batch) < 0) return GIT_PASSTHROUGH;
    if (batch->count == batch->capacity) {
        size_t capacity = batch->capacity == 0 ? 256 : batch->capacity * 2;
        held_object *objects = realloc(batch->objects, capacity * sizeof *objects);
        if (objects == NULL) return GIT_PASSTHROUGH;
        batch->objects = objects;
        batch->capacity = capacity;
    }
    unsigned char *copy = malloc(length > 0 ? length : 1);
    if (copy == NULL) return GIT_PASSTHROUGH;
    memcpy(copy, data, length);
    held_object *object = &batch->objects[batch->count];
    git_oid_cpy(&object->id, id);
    object->type = type;
    object->length = length;
    object->data = copy;
    batch->count++;
    batch->bytes += length;
    size_t mask = batch->slot_count - 1, slot = slot_of(id, mask);
    while (batch->slots[slot] != 0) slot = (slot + 1) & mask;
    batch->slots[slot] = (uint32_t)batch->count;
    return 0;
}

int handoff_odb_batch_write(handoff_object_batch *batch, git_odb *odb, git_oid *id, const void *data, size_t length, git_object_t type) {
    if (!takes(batch, length) || handoff_odb_hash(id, type, data, length) < 0) return GIT_PASSTHROUGH;
    // What is stored already goes through git_odb_write, which freshens it (its file's time) as git does, so
    // that a prune running before the reference names it cannot take it.
    if (git_odb_exists(odb, id)) return GIT_PASSTHROUGH;
    return batch_write(&batch->parent, id, data, length, type);
}

// Blobs arrive as streams (git_blob_create_from_buffer): held whole, then kept like any written object.
typedef struct {
    git_odb_stream parent;
    git_object_t type;
    unsigned char *data;
    size_t length, declared;
} held_stream;

static int stream_write(git_odb_stream *stream, const char *buffer, size_t length) {
    held_stream *held = (held_stream *)stream;
    if (length > held->declared - held->length) {
        git_error_set_str(GIT_ERROR_ODB, "cannot write an object: more bytes than declared");
        return GIT_ERROR;
    }
    memcpy(held->data + held->length, buffer, length);
    held->length += length;
    return 0;
}

static int stream_finalize(git_odb_stream *stream, const git_oid *id) {
    held_stream *held = (held_stream *)stream;
    handoff_object_batch *batch = batch_of(stream->backend);
    int error = batch_write(stream->backend, id, held->data, held->length, held->type);
    // No room in the batch: straight to the loose store, as without one.
    if (error == GIT_PASSTHROUGH) error = batch->loose->write(batch->loose, id, held->data, held->length, held->type);
    return error;
}

static void stream_free(git_odb_stream *stream) {
    held_stream *held = (held_stream *)stream;
    free(held->data);
    free(held);
}

static int batch_write_stream(git_odb_stream **stream, git_odb_backend *backend, git_object_size_t length, git_object_t type) {
    handoff_object_batch *batch = batch_of(backend);
    if (!takes(batch, (size_t)length)) return GIT_PASSTHROUGH;
    held_stream *held = calloc(1, sizeof *held);
    unsigned char *data = malloc(length > 0 ? (size_t)length : 1);
    if (held == NULL || data == NULL) {
        free(held);
        free(data);
        return GIT_PASSTHROUGH;
    }
    held->parent.backend = backend;
    held->parent.mode = GIT_STREAM_WRONLY;
    held->parent.write = stream_write;
    held->parent.finalize_write = stream_finalize;
    held->parent.free = stream_free;
    held->type = type;
    held->data = data;
    held->declared = (size_t)length;
    *stream = &held->parent;
    return 0;
}

static void batch_free(git_odb_backend *backend) {
    handoff_object_batch *batch = batch_of(backend);
    // Objects still held belong to a batch never ended: nothing can name them yet, so they may go.
    forget_all(batch);
    free(batch->objects);
    free(batch->slots);
    free(batch->pack_folder);
    free(batch);
}

handoff_object_batch *handoff_batch_new(const char *objects_folder, int fsync_objects, git_odb_backend *loose) {
    handoff_object_batch *batch = calloc(1, sizeof *batch);
    size_t length = strlen(objects_folder);
    char *pack_folder = malloc(length + sizeof "pack/");
    if (batch == NULL || pack_folder == NULL) {
        free(batch);
        free(pack_folder);
        return NULL;
    }
    snprintf(pack_folder, length + sizeof "pack/", "%spack/", objects_folder);
    git_odb_init_backend(&batch->parent, GIT_ODB_BACKEND_VERSION);
    batch->parent.read = batch_read;
    batch->parent.read_header = batch_read_header;
    batch->parent.write = batch_write;
    batch->parent.writestream = batch_write_stream;
    batch->parent.exists = batch_exists;
    batch->parent.freshen = batch_freshen;
    batch->parent.free = batch_free;
    batch->pack_folder = pack_folder;
    batch->fsync_objects = fsync_objects;
    batch->loose = loose;
    return batch;
}

git_odb_backend *handoff_batch_backend(handoff_object_batch *batch) { return &batch->parent; }

int handoff_batch_is_active(const handoff_object_batch *batch) { return batch->depth > 0; }

const char *handoff_batch_pack_folder(const handoff_object_batch *batch) { return batch->pack_folder; }

void handoff_odb_batch_begin(handoff_object_batch *batch) { batch->depth++; }

int handoff_odb_batch_end(handoff_object_batch *batch) {
    if (batch->depth == 0 || --batch->depth > 0) return 0;
    int as_pack = batch->count >= UNPACK_LIMIT, error = write_out(batch, as_pack);
    if (batch->failure < 0) {
        error = batch->failure;  // objects were lost while the batch ran: nothing may name what was written
        batch->failure = 0;
        git_error_set_str(GIT_ERROR_ODB, "cannot write objects held in memory to the object database");
    }
    // The new pack is found by the next read that misses anyway; refreshing now spares that miss its scan.
    if (as_pack && error == 0 && batch->parent.odb != NULL) git_odb_refresh(batch->parent.odb);
    return error;
}
