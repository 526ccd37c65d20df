#include "handoff_odb.h"
#include "batch.h"

#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

// The original database, kept alive while any of the backends borrowed from it is.
typedef struct {
    git_odb *odb;
    size_t users;
    pthread_mutex_t lock;
} shared_odb;

typedef struct {
    git_odb_backend parent;
    git_odb_backend *inner;
    shared_odb *owner;
    // The own loose store's folder ("…/objects/") when large trees are written there stored; NULL otherwise.
    char *stored_objects;
    int stored_fsync;
    // The own packs' backend only: the repository's batch, and the pack folder as of the last scan.
    handoff_object_batch *batch;
    struct stat scanned;
    int scan_reusable;
} verifying_backend;

// Trees at least this large are written as stored zlib blocks. A packet root of 20,000 folders is a 700 KB
// tree of names and binary ids that deflate shrinks by only a third, at about 45 MB/s: 15 ms of every status
// commit, the largest single cost of a one-commit run (measured). Stored, it costs a copy, and reads skip
// the inflate too; `git gc` compresses it like any object when it packs.
#define STORED_TREE_BYTES (64 * 1024)

static EVP_MD *sha1;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

static void fetch_sha1(void) { sha1 = EVP_MD_fetch(NULL, "SHA1", NULL); }

int handoff_odb_hash(git_oid *id, git_object_t type, const void *data, size_t length) {
    pthread_once(&sha1_once, fetch_sha1);
    const char *name = git_object_type2string(type);
    if (name == NULL || *name == '\0' || sha1 == NULL) return -1;
    char header[64];
    int header_length = snprintf(header, sizeof header, "%s %zu", name, length);
    if (header_length < 0 || (size_t)header_length >= sizeof header) return -1;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digest_length = 0;
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    int ok = context != NULL && EVP_DigestInit_ex(context, sha1, NULL) == 1 &&
             EVP_DigestUpdate(context, header, (size_t)header_length + 1) == 1 &&  // with the NUL, as git hashes
             (length == 0 || EVP_DigestUpdate(context, data, length) == 1) &&
             EVP_DigestFinal_ex(context, digest, &digest_length) == 1 && digest_length == GIT_OID_RAWSZ;
    EVP_MD_CTX_free(context);
    if (!ok) return -1;
    git_oid_fromraw(id, digest);
    return 0;
}

int handoff_odb_matches(const git_oid *id, git_object_t type, const void *data, size_t length) {
    const char *name = git_object_type2string(type);
    if (name == NULL || *name == '\0') return 0;  // no object type: nothing hashes to an id as that
    git_oid computed;
    if (handoff_odb_hash(&computed, type, data, length) < 0) return -1;
    return git_oid_equal(&computed, id);
}

static verifying_backend *outer(git_odb_backend *backend) { return (verifying_backend *)backend; }

// A read whose bytes do not hash to the id asked for is refused as libgit2's own check would refuse it.
// A hash that could not be computed (no memory, no SHA-1) is an error to retry, never a verdict on the object.
static int checked(git_odb_backend *inner, const git_oid *id, void *data, size_t length, git_object_t type) {
    int matches = handoff_odb_matches(id, type, data, length);
    if (matches == 1) return 0;
    git_odb_backend_data_free(inner, data);
    if (matches < 0) {
        git_error_set_str(GIT_ERROR_ODB, "cannot check an object's hash: OpenSSL's SHA-1 failed");
        return GIT_ERROR;
    }
    char hex[GIT_OID_HEXSZ + 1], message[128];
    git_oid_tostr(hex, sizeof hex, id);
    snprintf(message, sizeof message, "object hash mismatch: the stored object %s does not hash to its id", hex);
    git_error_set_str(GIT_ERROR_ODB, message);
    return GIT_EMISMATCH;
}

// The own loose store's folder for the object `hex` ("…/objects/xx/"), or with `whole` its file ("…/xx/yyyy…").
static void own_loose_path(const verifying_backend *backend, const char *hex, int whole, char *path, size_t path_size) {
    if (whole) {
        snprintf(path, path_size, "%s%.2s/%s", backend->stored_objects, hex, hex + 2);
    } else {
        snprintf(path, path_size, "%s%.2s/", backend->stored_objects, hex);
    }
}

// A loose object of STORED_TREE_BYTES or more in the own store, read when its zlib stream is made of stored
// blocks only (as write_stored writes large trees, and git with core.looseCompression 0): the bytes are moved
// out of the blocks in place, in the buffer the file was read into. libgit2's reader copies them once more and
// computes an Adler-32 that the SHA-1 check after it makes redundant (so a wrong Adler-32 alone is not
// refused here): about 1 ms of a one-commit run at 20,000 packets (two 700 KB packet roots). Anything else
// (a smaller or deflated object, a stream or header that does not parse) answers GIT_PASSTHROUGH, and
// libgit2's reader reads it and says what is wrong; a deflated object cut short still stalls that reader.
static int read_stored(verifying_backend *self, const git_oid *id, void **data, size_t *length, git_object_t *type) {
    char hex[GIT_OID_HEXSZ + 1];
    git_oid_tostr(hex, sizeof hex, id);
    size_t path_size = strlen(self->stored_objects) + GIT_OID_HEXSZ + 2;
    char *path = malloc(path_size);
    if (path == NULL) return GIT_PASSTHROUGH;
    own_loose_path(self, hex, 1, path, path_size);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0) return GIT_PASSTHROUGH;
    struct stat status;
    if (fstat(fd, &status) != 0 || !S_ISREG(status.st_mode) || status.st_size < STORED_TREE_BYTES || status.st_size >= ((off_t)1 << 31)) {
        close(fd);
        return GIT_PASSTHROUGH;
    }
    size_t size = (size_t)status.st_size, got = 0;
    unsigned char *bytes = git_odb_backend_data_alloc(&self->parent, size);
    while (bytes != NULL && got < size) {
        ssize_t part = read(fd, bytes + got, size - got);
        if (part < 0 && errno == EINTR) continue;
        if (part <= 0) break;
        got += (size_t)part;
    }
    close(fd);
    // zlib's header (deflate, no preset dictionary, its check), then stored blocks up to the final one, each
    // its length and the length's complement; the Adler-32 closes the stream, and nothing follows it.
    size_t in = 2, out = 0;
    int last = 0;
    if (bytes == NULL || got != size || (bytes[0] & 0x0f) != 8 || (bytes[0] >> 4) > 7 || (bytes[1] & 0x20) != 0 || ((bytes[0] << 8) | bytes[1]) % 31 != 0) goto other;
    while (!last) {
        // Cut short: libgit2 1.5's reader would wait for the rest forever (measured), so the read fails here.
        if (size - in < 5) goto cut;
        if ((bytes[in] & 0x06) != 0) goto other;  // a block of another kind than stored
        last = bytes[in] & 1;
        size_t block = (size_t)bytes[in + 1] | (size_t)bytes[in + 2] << 8, complement = (size_t)bytes[in + 3] | (size_t)bytes[in + 4] << 8;
        in += 5;
        if ((block ^ 0xffff) != complement) goto other;
        if (size - in < block) goto cut;
        memmove(bytes + out, bytes + in, block);  // out stays behind in: five bytes per block
        out += block;
        in += block;
    }
    if (size - in != 4) goto other;
    // "<type> <length>\0", then exactly that many bytes.
    size_t space = 0;
    while (space < out && space < 16 && bytes[space] != ' ') space++;
    if (space == 0 || space >= out || space >= 16) goto other;
    char name[16];
    memcpy(name, bytes, space);
    name[space] = '\0';
    git_object_t kind = git_object_string2type(name);
    size_t at = space + 1, declared = 0;
    while (at < out && at - space <= 18 && bytes[at] >= '0' && bytes[at] <= '9') declared = declared * 10 + (size_t)(bytes[at++] - '0');
    if (!git_object_typeisloose(kind) || at == space + 1 || at >= out || bytes[at] != '\0' || out - at - 1 != declared) goto other;
    memmove(bytes, bytes + at + 1, declared);
    *data = bytes;
    *length = declared;
    *type = kind;
    return 0;
other:
    if (bytes != NULL) git_odb_backend_data_free(&self->parent, bytes);
    return GIT_PASSTHROUGH;
cut:
    git_odb_backend_data_free(&self->parent, bytes);
    char message[128];
    snprintf(message, sizeof message, "the loose object %s is cut short: its stored zlib stream ends early", hex);
    git_error_set_str(GIT_ERROR_ODB, message);
    return GIT_ERROR;
}

static int read_object(void **data, size_t *length, git_object_t *type, git_odb_backend *backend, const git_oid *id) {
    git_odb_backend *inner = outer(backend)->inner;
    int error = outer(backend)->stored_objects != NULL ? read_stored(outer(backend), id, data, length, type) : GIT_PASSTHROUGH;
    if (error == GIT_PASSTHROUGH) error = inner->read(data, length, type, inner, id);
    return error < 0 ? error : checked(inner, id, *data, *length, *type);
}

static int read_prefix(
    git_oid *found, void **data, size_t *length, git_object_t *type, git_odb_backend *backend, const git_oid *prefix,
    size_t prefix_length) {
    git_odb_backend *inner = outer(backend)->inner;
    int error = inner->read_prefix(found, data, length, type, inner, prefix, prefix_length);
    return error < 0 ? error : checked(inner, found, *data, *length, *type);
}

static int read_header(size_t *length, git_object_t *type, git_odb_backend *backend, const git_oid *id) {
    git_odb_backend *inner = outer(backend)->inner;
    return inner->read_header(length, type, inner, id);
}

int handoff_write_fully(int fd, const unsigned char *bytes, size_t length) {
    while (length > 0) {
        ssize_t written = write(fd, bytes, length);
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) {
            if (written == 0) errno = EIO;
            return -1;
        }
        bytes += written;
        length -= (size_t)written;
    }
    return 0;
}

static unsigned long temporary_names;

int handoff_open_temporary(const char *folder, const char *kind, char *path, size_t path_size) {
    for (int attempt = 0; attempt < 16; attempt++) {
        unsigned long serial = __atomic_add_fetch(&temporary_names, 1, __ATOMIC_RELAXED);
        snprintf(path, path_size, "%stmp_%s_%ld_%lu", folder, kind, (long)getpid(), serial);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    return -1;
}

// A loose object as git writes one: a zlib stream of "<type> <length>\0" and the bytes, in objects/xx/…,
// created read-only under the umask, linked into place whole (an object already there wins, as in git).
// zlib's level 0. On failure libgit2 goes on to the loose store's own (deflating) writer.
static int write_stored(verifying_backend *backend, const git_oid *id, const void *data, size_t length, git_object_t type) {
    char hex[GIT_OID_HEXSZ + 1], header[64];
    git_oid_tostr(hex, sizeof hex, id);
    int header_length = snprintf(header, sizeof header, "%s %zu", git_object_type2string(type), length);
    size_t folder_length = strlen(backend->stored_objects), path_size = folder_length + GIT_OID_HEXSZ + 64;
    size_t raw_length = (size_t)header_length + 1 + length;  // with the NUL, as git writes it
    uLong compressed_length = compressBound((uLong)raw_length);
    char *temporary = malloc(path_size), *target = malloc(path_size);
    unsigned char *raw = malloc(raw_length), *compressed = malloc(compressed_length);
    int fd = -1, created = 0, error = GIT_ERROR, cause = 0;
    const char *failed = "write";
    if (temporary == NULL || target == NULL || raw == NULL || compressed == NULL || header_length < 0 ||
        (size_t)header_length >= sizeof header) {
        failed = "allocate";
        goto done;
    }
    memcpy(raw, header, (size_t)header_length + 1);
    memcpy(raw + header_length + 1, data, length);
    if (compress2(compressed, &compressed_length, raw, (uLong)raw_length, Z_NO_COMPRESSION) != Z_OK) {
        failed = "compress";
        goto done;
    }
    own_loose_path(backend, hex, 0, target, path_size);
    if (mkdir(target, 0777) < 0 && errno != EEXIST) goto failed;
    if ((fd = handoff_open_temporary(target, "obj", temporary, path_size)) < 0) goto failed;
    created = 1;
    if (handoff_write_fully(fd, compressed, compressed_length) < 0 || (backend->stored_fsync && fsync(fd) < 0)) goto failed;
    int closed = close(fd);
    fd = -1;
    if (closed < 0) goto failed;
    own_loose_path(backend, hex, 1, target, path_size);
    if (link(temporary, target) < 0 && errno != EEXIST && rename(temporary, target) < 0) goto failed;
    error = 0;
    goto done;
failed:
    cause = errno;
done:
    if (fd >= 0) close(fd);
    if (created) unlink(temporary);  // after a link, or a rename (then nothing is left to remove)
    if (error < 0) {
        char message[256];
        if (cause != 0)
            snprintf(message, sizeof message, "cannot %s the object %s: %s", failed, hex, strerror(cause));
        else
            snprintf(message, sizeof message, "cannot %s the object %s", failed, hex);
        git_error_set_str(GIT_ERROR_ODB, message);
    }
    free(compressed);
    free(raw);
    free(target);
    free(temporary);
    return error;
}

static int write_object(git_odb_backend *backend, const git_oid *id, const void *data, size_t length, git_object_t type) {
    verifying_backend *self = outer(backend);
    if (self->stored_objects != NULL && type == GIT_OBJECT_TREE && length >= STORED_TREE_BYTES && length < ((size_t)1 << 31))
        return write_stored(self, id, data, length, type);
    return self->inner->write(self->inner, id, data, length, type);
}

static int write_stream(git_odb_stream **stream, git_odb_backend *backend, git_object_size_t length, git_object_t type) {
    git_odb_backend *inner = outer(backend)->inner;
    return inner->writestream(stream, inner, length, type);
}

static int exists(git_odb_backend *backend, const git_oid *id) {
    git_odb_backend *inner = outer(backend)->inner;
    return inner->exists(inner, id);
}

static int exists_prefix(git_oid *found, git_odb_backend *backend, const git_oid *prefix, size_t prefix_length) {
    git_odb_backend *inner = outer(backend)->inner;
    return inner->exists_prefix(found, inner, prefix, prefix_length);
}

// In a batch, libgit2 rescans the pack folder before writing each new object (to find it in a pack that
// may have arrived): a directory listing per object, most of a large batch's system time. The folder is
// scanned again only when it changed since the last scan. Its change time tells, once that time is over
// two seconds older than the scan: later changes then get a later time on any clock granularity.
static int same_folder(const struct stat *left, const struct stat *right) {
    return left->st_ino == right->st_ino && left->st_dev == right->st_dev && left->st_mtim.tv_sec == right->st_mtim.tv_sec &&
           left->st_mtim.tv_nsec == right->st_mtim.tv_nsec && left->st_ctim.tv_sec == right->st_ctim.tv_sec &&
           left->st_ctim.tv_nsec == right->st_ctim.tv_nsec;
}

static int refresh(git_odb_backend *backend) {
    verifying_backend *self = outer(backend);
    git_odb_backend *inner = self->inner;
    if (self->batch != NULL && handoff_batch_is_active(self->batch)) {
        struct stat folder;
        int seen = stat(handoff_batch_pack_folder(self->batch), &folder) == 0;
        if (seen && self->scan_reusable && same_folder(&folder, &self->scanned)) return 0;
        struct timespec now;
        self->scan_reusable = seen && clock_gettime(CLOCK_REALTIME, &now) == 0 && now.tv_sec - folder.st_mtim.tv_sec > 2 &&
                              now.tv_sec - folder.st_ctim.tv_sec > 2;
        self->scanned = folder;
    }
    return inner->refresh(inner);
}

static int for_each(git_odb_backend *backend, git_odb_foreach_cb callback, void *payload) {
    git_odb_backend *inner = outer(backend)->inner;
    return inner->foreach(inner, callback, payload);
}

static int write_pack(
    git_odb_writepack **pack, git_odb_backend *backend, git_odb *odb, git_indexer_progress_cb progress, void *payload) {
    git_odb_backend *inner = outer(backend)->inner;
    return inner->writepack(pack, inner, odb, progress, payload);
}

static int write_midx(git_odb_backend *backend) {
    git_odb_backend *inner = outer(backend)->inner;
    return inner->writemidx(inner);
}

static int freshen(git_odb_backend *backend, const git_oid *id) {
    git_odb_backend *inner = outer(backend)->inner;
    return inner->freshen(inner, id);
}

static void release(shared_odb *owner) {
    pthread_mutex_lock(&owner->lock);
    size_t left = --owner->users;
    pthread_mutex_unlock(&owner->lock);
    if (left > 0) return;
    git_odb_free(owner->odb);
    pthread_mutex_destroy(&owner->lock);
    free(owner);
}

static void free_backend(git_odb_backend *backend) {
    shared_odb *owner = outer(backend)->owner;
    free(outer(backend)->stored_objects);
    free(backend);
    release(owner);
}

int handoff_odb_prepare(void) { return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0); }

// The own loose store's folder, "…/objects/", of a repository opened by its path (objects live under its
// common folder); NULL when it is not a folder or memory runs out.
static char *own_objects_folder(git_repository *repo) {
    const char *common = git_repository_commondir(repo);
    if (common == NULL) return NULL;
    size_t length = strlen(common);
    char *folder = malloc(length + sizeof "/objects/");
    if (folder == NULL) return NULL;
    snprintf(folder, length + sizeof "/objects/", "%s%sobjects/", common, length > 0 && common[length - 1] == '/' ? "" : "/");
    struct stat info;
    if (stat(folder, &info) < 0 || !S_ISDIR(info.st_mode)) {
        free(folder);
        return NULL;
    }
    return folder;
}

int handoff_odb_verify(git_repository *repo, int own_store, handoff_object_batch **batch) {
    *batch = NULL;
    pthread_once(&sha1_once, fetch_sha1);
    if (sha1 == NULL) {
        git_error_set_str(GIT_ERROR_ODB, "OpenSSL offers no SHA-1 to check objects with");
        return GIT_ERROR;
    }
    shared_odb *owner = calloc(1, sizeof *owner);
    if (owner == NULL) return GIT_ERROR;
    pthread_mutex_init(&owner->lock, NULL);
    owner->users = 1;  // this function's own hold, dropped at the end
    int error = git_repository_odb(&owner->odb, repo);
    git_odb *verified = NULL;
    if (error == 0) error = git_odb_new(&verified);
    size_t count = error == 0 ? git_odb_num_backends(owner->odb) : 0;
    // Which backends are the repository's own (written to) and which an alternate's (read only): libgit2
    // keeps no public flag, but orders backends by priority and, within one, alternates first. So the own
    // loose store is the last backend that writes objects, and the own packs the last that writes packs.
    size_t own_loose = count, own_packs = count;
    verifying_backend *loose_backend = NULL, *packs_backend = NULL;
    for (size_t position = 0; error == 0 && position < count; position++) {
        git_odb_backend *inner = NULL;
        if ((error = git_odb_get_backend(&inner, owner->odb, position)) < 0) break;
        if (inner->write != NULL) own_loose = position;
        if (inner->writepack != NULL) own_packs = position;
    }
    for (size_t position = 0; error == 0 && position < count; position++) {
        git_odb_backend *inner = NULL;
        if ((error = git_odb_get_backend(&inner, owner->odb, position)) < 0) break;
        verifying_backend *backend = calloc(1, sizeof *backend);
        if (backend == NULL) {
            error = GIT_ERROR;
            break;
        }
        git_odb_init_backend(&backend->parent, GIT_ODB_BACKEND_VERSION);
        backend->inner = inner;
        backend->owner = owner;
        if (own_store && position == own_loose && inner->write != NULL) {
            backend->stored_objects = own_objects_folder(repo);
            git_config *config = NULL;
            if (backend->stored_objects != NULL && git_repository_config_snapshot(&config, repo) == 0) {
                int fsync_objects = 0;
                if (git_config_get_bool(&fsync_objects, config, "core.fsyncObjectFiles") == 0) backend->stored_fsync = fsync_objects;
                git_config_free(config);
            }
            git_error_clear();
        }
        // Each operation only where the inner backend has it: libgit2 skips a backend lacking one.
        backend->parent.read = inner->read ? read_object : NULL;
        backend->parent.read_prefix = inner->read_prefix ? read_prefix : NULL;
        backend->parent.read_header = inner->read_header ? read_header : NULL;
        backend->parent.write = inner->write ? write_object : NULL;
        backend->parent.writestream = inner->writestream ? write_stream : NULL;
        backend->parent.readstream = NULL;  // a stream would bypass the check (git_odb_open_rstream then fails)
        backend->parent.exists = inner->exists ? exists : NULL;
        backend->parent.exists_prefix = inner->exists_prefix ? exists_prefix : NULL;
        backend->parent.refresh = inner->refresh ? refresh : NULL;
        backend->parent.foreach = inner->foreach ? for_each : NULL;
        backend->parent.writepack = inner->writepack ? write_pack : NULL;
        backend->parent.writemidx = inner->writemidx ? write_midx : NULL;
        backend->parent.freshen = inner->freshen ? freshen : NULL;
        backend->parent.free = free_backend;
        pthread_mutex_lock(&owner->lock);
        owner->users++;
        pthread_mutex_unlock(&owner->lock);
        // Priorities falling with the position keep the reading order; alternates stay alternates, which
        // libgit2 never writes to.
        int priority = (int)(count - position);
        error = position == own_loose || position == own_packs ? git_odb_add_backend(verified, &backend->parent, priority)
                                                               : git_odb_add_alternate(verified, &backend->parent, priority);
        if (error < 0) {
            free(backend->stored_objects);
            free(backend);
            release(owner);
        } else if (position == own_loose && backend->stored_objects != NULL) {
            loose_backend = backend;
        } else if (position == own_packs && own_store) {
            packs_backend = backend;
        }
    }
    // The batch reads before every other backend (it holds what nothing else has yet) and writes first.
    // Without one (no memory), objects are written loose as always.
    handoff_object_batch *created = NULL;
    if (error == 0 && loose_backend != NULL &&
        (created = handoff_batch_new(loose_backend->stored_objects, loose_backend->stored_fsync, &loose_backend->parent)) != NULL) {
        if (git_odb_add_backend(verified, handoff_batch_backend(created), (int)count + 1) < 0) {
            handoff_batch_backend(created)->free(handoff_batch_backend(created));
            created = NULL;
            git_error_clear();
        } else if (packs_backend != NULL) {
            packs_backend->batch = created;
        }
    }
    if (error == 0) error = git_repository_set_odb(repo, verified);
    if (error == 0) *batch = created;
    git_odb_free(verified);  // the repository holds its own reference; on failure this frees the backends
    release(owner);
    return error;
}
