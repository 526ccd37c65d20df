#ifndef HANDOFF_NETWORK_H
#define HANDOFF_NETWORK_H

// Deadlines for libgit2's network operations, which libgit2 1.5 cannot bound itself: a socket stream
// registered in place of libgit2's own (same leading layout, which its ssh transport relies on) that
// connects with a timeout, and a per-operation watchdog that shuts the operation's sockets down after a
// stretch without traffic. Shutting a socket down wakes a blocked recv or poll, also libssh2's.

/// Why an operation's sockets were shut down; HANDOFF_NET_OK when they were not.
typedef enum {
    HANDOFF_NET_OK = 0,
    HANDOFF_NET_CONNECT_TIMEOUT = 1,
    HANDOFF_NET_INACTIVITY_TIMEOUT = 2,
    HANDOFF_NET_CANCELLED = 3,
} handoff_net_expiry;

typedef struct handoff_net_deadline handoff_net_deadline;

/// Registers the stream with libgit2 (once per process; later calls do nothing). 0 on success.
int handoff_net_register(void);

/// A new group id: operations begun with it are cancelled together (0 is no group).
unsigned long long handoff_net_group_new(void);

/// Starts bounding the network operations this thread runs until `handoff_net_deadline_end`, as part of
/// `group` (0: none). NULL when out of memory (the operation then runs unbounded).
handoff_net_deadline *handoff_net_deadline_begin(int connect_ms, int inactivity_ms, unsigned long long group);

/// Stops bounding, frees the deadline and returns why its sockets were shut down, if they were.
handoff_net_expiry handoff_net_deadline_end(handoff_net_deadline *deadline);

/// Records traffic that bypasses the stream (libssh2 reads the socket itself), seen through a callback
/// on the operation's thread.
void handoff_net_deadline_touch(void);

/// Shuts down the sockets of every operation of `group` in progress, and makes its later operations fail
/// at once: used when a daemon stops. Returns how many operations were in progress.
int handoff_net_cancel_group(unsigned long long group);

#endif
