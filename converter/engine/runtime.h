/* The run-time interface of an image (out.wasm's own argv, environ and preopens) and the RUN
 * record built from it (converter/guest/PROTOCOL.md, DESIGN.md "Run-time interface"). */
#ifndef C2W_RUNTIME_H
#define C2W_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ctl.h"
#include "hostio.h"
#include "net.h"

#define MAX_MOUNT_MAPS 64
#define MAX_PREOPENS 64

typedef struct {
    const char *name, *path; /* --mount NAME:PATH[:ro] */
    bool ro;                 /* served and mounted read-only */
} MountMap;

typedef struct {
    int fd;         /* directory fd (WASI preopen; natively opened by --preopen) */
    char *name;     /* the runtime's guest path for it */
} Preopen;

typedef struct {
    Buf fields;          /* run-time RUN fields from argv, in order (a, e, w, u) */
    bool no_stdin;
    int tty;             /* -1 auto (fd 0 and fd 1 are terminals), 0, 1; run_record decides */
    enum StdinMode stdin_mode;
    bool debug, stats;
    MountMap maps[MAX_MOUNT_MAPS];
    int nmaps;
    Buf env;             /* extra v fields given natively (--env) */
    Preopen pre[MAX_PREOPENS];
    int npre;
    NetOpts net;         /* --net, --mac (net.h) */
    bool fixed_inputs;   /* development mode --deterministic: no host time or entropy in RUN */
} RunOpts;

/* Parse the run-time interface argv[start..argc). On a bad argument prints one line on stderr
 * and exits 2; --help prints the usage and exits 0. */
void runopts_parse(RunOpts *o, int argc, char **argv, int start, const char *prog);
void runopts_usage(FILE *f, const char *prog);

/* Collect the WASI preopened directories (raw fd_prestat calls, so nothing cached by libc
 * before a snapshot is used). Native builds only have the ones added with runopts_add_preopen. */
void runopts_scan_preopens(RunOpts *o);
/* Natively: open HOST and treat it as a preopen named GUEST. false (errno) on failure. */
bool runopts_add_preopen(RunOpts *o, const char *host, const char *guest);

/* A 9p device slot prepared at boot for a run-time directory. */
typedef struct {
    struct VirtioDev *dev;
    char tag[16];
} NinepSlot;

/* Build the RUN payload: the config payload's fields (image defaults), then the run-time
 * fields. Preopens are bound to the slots' 9p devices (up to nslots); they and --mount decide
 * the m fields. Returns false with a message in err. */
/* A launcher that cannot read exit statuses above 125 from proc_exit (wasmtime traps on them)
 * sets STATUS_ENV to a file in a preopen under STATUS_DIR; the engine writes the container's
 * status there as decimal text, hides that preopen and that variable from the container. */
#define STATUS_ENV "C2W_STATUS_FILE"
#define STATUS_DIR "/.c2w-run"
/* The launcher's terminal size for --tty, ROWSxCOLS (e.g. 24x80); also not shown to the container. */
#define WINSIZE_ENV "C2W_WINSIZE"
extern char *runtime_status_file;
/* Write `code` to the status file, if there is one; returns the exit status to give proc_exit. */
int runtime_report_status(int code);

bool run_record(Machine *m, RunOpts *o, const uint8_t *config, size_t config_len, NinepSlot *slots,
                int nslots, Buf *out, char *err, size_t errlen);

/* Start the container once the init is READY: take the network connection (--net), send RUN
 * (run_record), turn on stdin. Returns 0, or the exit status after a message on stderr
 * (2: bad run-time options, 125: the container cannot start). */
int runtime_start(Machine *m, RunOpts *o, const uint8_t *config, size_t config_len, NinepSlot *slots,
                  int nslots);

/* Check a config payload (sequence of fields) and return its engine-only settings.
 * Fields with tag 'M' (guest RAM MiB, decimal) are the engine's and are not forwarded. */
bool config_check(const uint8_t *p, size_t len, unsigned *ram_mb, char *err, size_t errlen);

#endif
