/* virtio-9p: one host directory served to the guest as 9P2000.L.
 *
 * Two layers:
 *   - p9/server.c: the transport-independent 9P2000.L server (P9Server). It only uses POSIX
 *     *at() calls that wasi-libc also provides, relative to one directory fd, and never
 *     follows a symlink or a ".." out of that directory.
 *   - virtio_9p.c: the virtio-mmio device (id 9, VIRTIO_9P_MOUNT_TAG) around it.
 * The guest mounts it with `mount -t 9p -o trans=virtio,version=9p2000.L TAG /path`. */
#ifndef C2W_VIRTIO_9P_H
#define C2W_VIRTIO_9P_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct Machine;
struct VirtioDev;

/* ---- the 9P2000.L server ---- */
typedef struct P9Server P9Server;

/* Largest msize the server agrees to (the whole message, header included). */
#define P9_MSIZE_MAX (128 * 1024 + 4096)

/* Serve the directory open as root_fd (the server takes ownership of the fd). */
P9Server *p9_server_new(int root_fd, bool readonly);
void p9_server_free(P9Server *s);
/* Handle one request message (req[0..req_len), size field included); writes the reply into
 * resp (capacity resp_cap, at least 64 bytes) and returns its length. Never fails: protocol
 * errors become Rlerror replies. */
size_t p9_server_handle(P9Server *s, const uint8_t *req, size_t req_len, uint8_t *resp,
                        size_t resp_cap);
/* Drop every fid (as after a transport reset). */
void p9_server_reset(P9Server *s);

/* ---- the virtio device ---- */
#define VIRTIO_9P_TAG_MAX 62 /* fits the 64-byte config space with its u16 length */

/* Serve directory fd root_fd (taken over) under mount tag `tag`. NULL on bad tag / no memory. */
struct VirtioDev *virtio_9p_new_fd(struct Machine *m, int root_fd, const char *tag, bool readonly);
/* Serve root_fd (taken over; -1 = nothing: attach fails with EBADF) from now on, in place of
 * whatever the device served: fids are dropped, the transport state and tag are kept. For
 * devices created before a snapshot (root_fd -1) and bound to a preopened directory after.
 * Returns false (and keeps the old server) when out of memory. */
bool virtio_9p_set_root(struct VirtioDev *d, int root_fd, bool readonly);
/* Parse "HOST_PATH[:TAG[:ro]]", open HOST_PATH (a directory) and create the device. The default
 * tag is "share<N>" (N = number of shares created so far). On failure returns NULL and writes one
 * line naming the problem into err. */
struct VirtioDev *virtio_9p_from_spec(struct Machine *m, const char *spec, char *err, size_t errlen);

#endif
