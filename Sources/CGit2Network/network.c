#define _GNU_SOURCE
#include "handoff_network.h"

#include <git2.h>
#include <git2/sys/stream.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

// A handful of sockets per operation at most (the connection, a proxy, an https redirect).
#define HANDOFF_NET_MAX_SOCKETS 8

struct handoff_net_deadline {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int references;  // the operation, plus one per stream created under it
    int connect_ms;
    int inactivity_ms;
    int64_t last_activity_ms;
    handoff_net_expiry expired;
    int finished;
    int watching;
    pthread_t watchdog;
    int sockets[HANDOFF_NET_MAX_SOCKETS];
    int socket_count;
    unsigned long long group;
    handoff_net_deadline *previous_current;  // the thread's deadline before this one began
    handoff_net_deadline *next;               // every deadline in progress, for handoff_net_cancel_all
    handoff_net_deadline *prev;
};

// The same leading fields as libgit2 1.5's git_socket_stream: its ssh transport takes the socket from there.
typedef struct {
    git_stream parent;
    char *host;
    char *port;
    int s;
    handoff_net_deadline *deadline;
} handoff_stream;

static _Thread_local handoff_net_deadline *current;
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static handoff_net_deadline *all_head;
// Groups cancelled so far (guarded by all_lock); a daemon cancels its one group once, at stop.
#define HANDOFF_NET_CANCELLED_GROUPS 64
static unsigned long long cancelled_groups[HANDOFF_NET_CANCELLED_GROUPS];
static int cancelled_count;
static unsigned long long last_group;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void release(handoff_net_deadline *d) {
    pthread_mutex_lock(&d->lock);
    int left = --d->references;
    pthread_mutex_unlock(&d->lock);
    if (left > 0) return;
    pthread_cond_destroy(&d->wake);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

// Called with d->lock held.
static void expire_locked(handoff_net_deadline *d, handoff_net_expiry reason) {
    if (d->expired != HANDOFF_NET_OK) return;
    d->expired = reason;
    for (int i = 0; i < d->socket_count; i++) shutdown(d->sockets[i], SHUT_RDWR);
    pthread_cond_broadcast(&d->wake);
}

static void touch(handoff_net_deadline *d) {
    if (!d) return;
    pthread_mutex_lock(&d->lock);
    d->last_activity_ms = now_ms();
    pthread_mutex_unlock(&d->lock);
}

static void *watchdog_main(void *argument) {
    handoff_net_deadline *d = argument;
    pthread_mutex_lock(&d->lock);
    while (!d->finished && d->expired == HANDOFF_NET_OK) {
        int64_t due = d->last_activity_ms + d->inactivity_ms;
        if (now_ms() >= due) {
            expire_locked(d, HANDOFF_NET_INACTIVITY_TIMEOUT);
            break;
        }
        struct timespec until = {.tv_sec = due / 1000, .tv_nsec = (due % 1000) * 1000000};
        pthread_cond_timedwait(&d->wake, &d->lock, &until);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

// Adds a socket to the deadline (so a timeout or cancel shuts it down); -1 when the deadline has expired.
static int attach(handoff_net_deadline *d, int s) {
    if (!d) return 0;
    int result = 0;
    pthread_mutex_lock(&d->lock);
    if (d->expired != HANDOFF_NET_OK || d->socket_count == HANDOFF_NET_MAX_SOCKETS) {
        result = -1;
    } else {
        d->sockets[d->socket_count++] = s;
        d->last_activity_ms = now_ms();
        if (!d->watching && d->inactivity_ms > 0) {
            pthread_attr_t attributes;
            pthread_attr_init(&attributes);
            pthread_attr_setstacksize(&attributes, 64 * 1024);
            if (pthread_create(&d->watchdog, &attributes, watchdog_main, d) == 0) d->watching = 1;
            pthread_attr_destroy(&attributes);
        }
    }
    pthread_mutex_unlock(&d->lock);
    return result;
}

static void detach(handoff_net_deadline *d, int s) {
    if (!d) return;
    pthread_mutex_lock(&d->lock);
    for (int i = 0; i < d->socket_count; i++) {
        if (d->sockets[i] == s) {
            d->sockets[i] = d->sockets[--d->socket_count];
            break;
        }
    }
    pthread_mutex_unlock(&d->lock);
}

static handoff_net_expiry expiry(handoff_net_deadline *d) {
    if (!d) return HANDOFF_NET_OK;
    pthread_mutex_lock(&d->lock);
    handoff_net_expiry reason = d->expired;
    pthread_mutex_unlock(&d->lock);
    return reason;
}

static void set_expiry_error(handoff_stream *st, handoff_net_expiry reason, const char *doing) {
    char message[512];
    switch (reason) {
    case HANDOFF_NET_CONNECT_TIMEOUT:
        snprintf(message, sizeof message, "no connection to %s port %s within %d ms", st->host, st->port,
                 st->deadline->connect_ms);
        break;
    case HANDOFF_NET_INACTIVITY_TIMEOUT:
        snprintf(message, sizeof message, "%s %s port %s: no traffic for %d ms", doing, st->host, st->port,
                 st->deadline->inactivity_ms);
        break;
    case HANDOFF_NET_CANCELLED:
        snprintf(message, sizeof message, "%s %s port %s: cancelled (handoffd is stopping)", doing, st->host,
                 st->port);
        break;
    default:
        snprintf(message, sizeof message, "%s %s port %s: %s", doing, st->host, st->port,
                 errno ? strerror(errno) : "connection closed");
    }
    git_error_set_str(GIT_ERROR_NET, message);
}

// A non-blocking connect, bounded by the connect timeout counted from `start` (0: unbounded) and by cancel.
static int connect_within(handoff_stream *st, int s, const struct addrinfo *address, int64_t start) {
    handoff_net_deadline *d = st->deadline;
    int limit = d ? d->connect_ms : 0;
    int flags = fcntl(s, F_GETFL);
    if (flags < 0 || fcntl(s, F_SETFL, flags | O_NONBLOCK) < 0) return -1;
    if (connect(s, address->ai_addr, address->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) return -1;
        for (;;) {
            if (expiry(d) != HANDOFF_NET_OK) return -1;
            int slice = 200;
            if (limit > 0) {
                int64_t left = start + limit - now_ms();
                if (left <= 0) {
                    pthread_mutex_lock(&d->lock);
                    expire_locked(d, HANDOFF_NET_CONNECT_TIMEOUT);
                    pthread_mutex_unlock(&d->lock);
                    return -1;
                }
                if (left < slice) slice = (int)left;
            }
            struct pollfd waiting = {.fd = s, .events = POLLOUT};
            int ready = poll(&waiting, 1, slice);
            if (ready < 0 && errno != EINTR) return -1;
            if (ready > 0) break;
        }
        int failure = 0;
        socklen_t size = sizeof failure;
        if (getsockopt(s, SOL_SOCKET, SO_ERROR, &failure, &size) != 0) return -1;
        if (failure != 0) {
            errno = failure;
            return -1;
        }
    }
    return fcntl(s, F_SETFL, flags);
}

static int stream_connect(git_stream *stream) {
    handoff_stream *st = (handoff_stream *)stream;
    struct addrinfo hints = {0};
    struct addrinfo *addresses = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int resolved = getaddrinfo(st->host, st->port, &hints, &addresses);
    if (resolved != 0) {
        char message[512];
        snprintf(message, sizeof message, "failed to resolve address for %s: %s", st->host, gai_strerror(resolved));
        git_error_set_str(GIT_ERROR_NET, message);
        return -1;
    }
    int64_t start = now_ms();
    int s = -1;
    errno = 0;
    for (struct addrinfo *address = addresses; address; address = address->ai_next) {
        s = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
        if (s < 0) continue;
        if (attach(st->deadline, s) < 0) {
            close(s);
            s = -1;
            break;
        }
        if (connect_within(st, s, address, start) == 0) break;
        int saved = errno;
        detach(st->deadline, s);
        close(s);
        s = -1;
        errno = saved;
        if (expiry(st->deadline) != HANDOFF_NET_OK) break;
    }
    freeaddrinfo(addresses);
    if (s < 0) {
        set_expiry_error(st, expiry(st->deadline), "failed to connect to");
        return -1;
    }
    st->s = s;
    return 0;
}

static ssize_t stream_read(git_stream *stream, void *data, size_t length) {
    handoff_stream *st = (handoff_stream *)stream;
    ssize_t count;
    do {
        count = recv(st->s, data, length, 0);
    } while (count < 0 && errno == EINTR);
    handoff_net_expiry reason = expiry(st->deadline);
    if (reason != HANDOFF_NET_OK || count < 0) {
        set_expiry_error(st, reason, "error receiving from");
        return -1;
    }
    if (count > 0) touch(st->deadline);
    return count;
}

static ssize_t stream_write(git_stream *stream, const char *data, size_t length, int flags) {
    handoff_stream *st = (handoff_stream *)stream;
    ssize_t count;
    do {
        count = send(st->s, data, length, flags | MSG_NOSIGNAL);
    } while (count < 0 && errno == EINTR);
    handoff_net_expiry reason = expiry(st->deadline);
    if (reason != HANDOFF_NET_OK || count < 0) {
        set_expiry_error(st, reason, "error sending to");
        return -1;
    }
    touch(st->deadline);
    return count;
}

static int stream_close(git_stream *stream) {
    handoff_stream *st = (handoff_stream *)stream;
    if (st->s < 0) return 0;
    detach(st->deadline, st->s);
    int result = close(st->s);
    st->s = -1;
    return result;
}

static void stream_free(git_stream *stream) {
    handoff_stream *st = (handoff_stream *)stream;
    stream_close(stream);
    if (st->deadline) release(st->deadline);
    free(st->host);
    free(st->port);
    free(st);
}

static int stream_init(git_stream **out, const char *host, const char *port) {
    handoff_stream *st = calloc(1, sizeof *st);
    if (!st) {
        git_error_set_oom();
        return -1;
    }
    st->host = strdup(host);
    st->port = strdup(port ? port : "");
    if (!st->host || !st->port) {
        free(st->host);
        free(st->port);
        free(st);
        git_error_set_oom();
        return -1;
    }
    st->parent.version = GIT_STREAM_VERSION;
    st->parent.connect = stream_connect;
    st->parent.read = stream_read;
    st->parent.write = stream_write;
    st->parent.close = stream_close;
    st->parent.free = stream_free;
    st->s = -1;
    st->deadline = current;
    if (st->deadline) {
        pthread_mutex_lock(&st->deadline->lock);
        st->deadline->references++;
        pthread_mutex_unlock(&st->deadline->lock);
    }
    *out = (git_stream *)st;
    return 0;
}

static int registered = -1;
static pthread_once_t registration_once = PTHREAD_ONCE_INIT;

static void register_once(void) {
    git_stream_registration registration = {
        .version = GIT_STREAM_VERSION,
        .init = stream_init,
        .wrap = NULL,
    };
    registered = git_stream_register(GIT_STREAM_STANDARD, &registration);
}

int handoff_net_register(void) {
    pthread_once(&registration_once, register_once);
    return registered;
}

unsigned long long handoff_net_group_new(void) {
    pthread_mutex_lock(&all_lock);
    unsigned long long group = ++last_group;
    pthread_mutex_unlock(&all_lock);
    return group;
}

handoff_net_deadline *handoff_net_deadline_begin(int connect_ms, int inactivity_ms, unsigned long long group) {
    handoff_net_deadline *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    pthread_condattr_t attributes;
    pthread_condattr_init(&attributes);
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC);
    pthread_cond_init(&d->wake, &attributes);
    pthread_condattr_destroy(&attributes);
    pthread_mutex_init(&d->lock, NULL);
    d->references = 1;
    d->connect_ms = connect_ms > 0 ? connect_ms : 0;
    d->inactivity_ms = inactivity_ms > 0 ? inactivity_ms : 0;
    d->last_activity_ms = now_ms();
    d->group = group;
    d->previous_current = current;
    current = d;
    pthread_mutex_lock(&all_lock);
    for (int i = 0; group != 0 && i < cancelled_count; i++) {
        if (cancelled_groups[i] == group) d->expired = HANDOFF_NET_CANCELLED;
    }
    d->next = all_head;
    if (all_head) all_head->prev = d;
    all_head = d;
    pthread_mutex_unlock(&all_lock);
    return d;
}

handoff_net_expiry handoff_net_deadline_end(handoff_net_deadline *d) {
    if (!d) return HANDOFF_NET_OK;
    current = d->previous_current;
    pthread_mutex_lock(&all_lock);
    if (d->prev) d->prev->next = d->next;
    else all_head = d->next;
    if (d->next) d->next->prev = d->prev;
    pthread_mutex_unlock(&all_lock);
    pthread_mutex_lock(&d->lock);
    d->finished = 1;
    pthread_cond_broadcast(&d->wake);
    int watching = d->watching;
    handoff_net_expiry reason = d->expired;
    pthread_mutex_unlock(&d->lock);
    if (watching) pthread_join(d->watchdog, NULL);
    release(d);
    return reason;
}

void handoff_net_deadline_touch(void) {
    touch(current);
}

int handoff_net_cancel_group(unsigned long long group) {
    int count = 0;
    if (group == 0) return 0;
    pthread_mutex_lock(&all_lock);
    cancelled_groups[cancelled_count % HANDOFF_NET_CANCELLED_GROUPS] = group;
    if (cancelled_count < HANDOFF_NET_CANCELLED_GROUPS) cancelled_count++;
    for (handoff_net_deadline *d = all_head; d; d = d->next) {
        if (d->group != group) continue;
        pthread_mutex_lock(&d->lock);
        expire_locked(d, HANDOFF_NET_CANCELLED);
        pthread_mutex_unlock(&d->lock);
        count++;
    }
    pthread_mutex_unlock(&all_lock);
    return count;
}
