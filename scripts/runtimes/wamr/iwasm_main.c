/*
 * iwasm: a command-line runner for WASI command modules over WAMR's embedding
 * API (wasm_export.h), with WAMR's own libc-wasi (args, env, preopened dirs,
 * socket address pool).  The crate we get WAMR from (wamrx-sys) vendors the
 * runtime core but not upstream's product-mini/ CLI, so this file provides a
 * CLI whose options follow upstream iwasm's spelling:
 *
 *   iwasm [options] FILE.wasm [ARG...]
 *     --dir=DIR               preopen host DIR at the same guest path
 *     --map-dir=GUEST::HOST   preopen host HOST at guest path GUEST
 *     --env=KEY=VALUE         add a WASI environment variable
 *     --addr-pool=A/N[,A/N]   addresses the guest may bind/connect (CIDR)
 *     --allow-resolve=DOMAIN  domains the guest may resolve ('*' for all)
 *     --stack-size=N --heap-size=N
 *     --interp | --fast-jit   running mode (if built in)
 *     --jit-codecache-size=N  fast-JIT code cache size in bytes
 *     -v=N                    WAMR log level 0..5 (default 2)
 *     --version
 *
 * Exit status: the guest's proc_exit code (0 when _start returns); 1 after a
 * trap (the exception text goes to stderr, where upstream prints it on
 * stdout); 1 with a one-line message on a usage, load or instantiate error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wasm_export.h"

#define MAX_LIST 256

static void usage(FILE *f)
{
    fprintf(f,
            "usage: iwasm [options] FILE.wasm [ARG...]\n"
            "  --dir=DIR  --map-dir=GUEST::HOST  --env=KEY=VALUE\n"
            "  --addr-pool=ADDR/MASK[,...]  --allow-resolve=DOMAIN\n"
            "  --stack-size=N  --heap-size=N  --jit-codecache-size=N\n"
            "  --interp  --fast-jit  -v=N  --version  --help\n");
}

static int add(const char **list, unsigned *n, const char *item, const char *what)
{
    if (*n >= MAX_LIST) {
        fprintf(stderr, "iwasm: too many %s options (max %d)\n", what, MAX_LIST);
        return -1;
    }
    list[(*n)++] = item;
    return 0;
}

static int parse_u32(const char *s, unsigned *out, const char *what)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || end == s || *end || v > 0xffffffffUL) {
        fprintf(stderr, "iwasm: bad %s value: '%s'\n", what, s);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

static unsigned char *read_file(const char *path, unsigned *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "iwasm: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    unsigned char *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 20;
            if (cap > 0xffffffffUL) {
                fprintf(stderr, "iwasm: %s is too large\n", path);
                goto fail;
            }
            unsigned char *nb = realloc(buf, cap);
            if (!nb) {
                fprintf(stderr, "iwasm: out of memory reading %s\n", path);
                goto fail;
            }
            buf = nb;
        }
        size_t r = fread(buf + len, 1, cap - len, f);
        len += r;
        if (r == 0) {
            if (ferror(f)) {
                fprintf(stderr, "iwasm: cannot read %s: %s\n", path, strerror(errno));
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    *size = (unsigned)len;
    return buf;
fail:
    free(buf);
    fclose(f);
    return NULL;
}

/* Split "a,b,c" in place into the list. */
static int add_csv(const char **list, unsigned *n, char *csv, const char *what)
{
    for (char *tok = strtok(csv, ","); tok; tok = strtok(NULL, ","))
        if (add(list, n, tok, what))
            return -1;
    return 0;
}

int main(int argc, char *argv[])
{
    static const char *dirs[MAX_LIST], *map_dirs[MAX_LIST], *envs[MAX_LIST];
    static const char *addr_pool[MAX_LIST], *ns_pool[MAX_LIST];
    unsigned n_dirs = 0, n_map = 0, n_env = 0, n_addr = 0, n_ns = 0;
    unsigned stack_size = 64 * 1024, heap_size = 16 * 1024, log_level = 2;
    unsigned jit_cache = 0;
    RunningMode mode = 0;
    int i;

    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        }
        else if (!strncmp(a, "--dir=", 6)) {
            if (add(dirs, &n_dirs, a + 6, "--dir"))
                return 1;
        }
        else if (!strncmp(a, "--map-dir=", 10)) {
            if (!strstr(a + 10, "::")) {
                fprintf(stderr, "iwasm: --map-dir needs GUEST::HOST, got '%s'\n", a + 10);
                return 1;
            }
            if (add(map_dirs, &n_map, a + 10, "--map-dir"))
                return 1;
        }
        else if (!strncmp(a, "--env=", 6)) {
            if (!strchr(a + 6, '=')) {
                fprintf(stderr, "iwasm: --env needs KEY=VALUE, got '%s'\n", a + 6);
                return 1;
            }
            if (add(envs, &n_env, a + 6, "--env"))
                return 1;
        }
        else if (!strncmp(a, "--addr-pool=", 12)) {
            if (add_csv(addr_pool, &n_addr, a + 12, "--addr-pool"))
                return 1;
        }
        else if (!strncmp(a, "--allow-resolve=", 16)) {
            if (add(ns_pool, &n_ns, a + 16, "--allow-resolve"))
                return 1;
        }
        else if (!strncmp(a, "--stack-size=", 13)) {
            if (parse_u32(a + 13, &stack_size, "--stack-size"))
                return 1;
        }
        else if (!strncmp(a, "--heap-size=", 12)) {
            if (parse_u32(a + 12, &heap_size, "--heap-size"))
                return 1;
        }
        else if (!strncmp(a, "--jit-codecache-size=", 21)) {
            if (parse_u32(a + 21, &jit_cache, "--jit-codecache-size"))
                return 1;
        }
        else if (!strncmp(a, "-v=", 3)) {
            if (parse_u32(a + 3, &log_level, "-v") || log_level > 5) {
                fprintf(stderr, "iwasm: -v takes 0..5\n");
                return 1;
            }
        }
        else if (!strcmp(a, "--interp"))
            mode = Mode_Interp;
        else if (!strcmp(a, "--fast-jit"))
            mode = Mode_Fast_JIT;
        else if (!strcmp(a, "--version")) {
            uint32_t ma, mi, pa;
            wasm_runtime_get_version(&ma, &mi, &pa);
            printf("iwasm %u.%u.%u\n", ma, mi, pa);
            return 0;
        }
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        }
        else {
            fprintf(stderr, "iwasm: unknown option '%s'\n", a);
            usage(stderr);
            return 1;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "iwasm: no wasm file given\n");
        usage(stderr);
        return 1;
    }
    char **app_argv = argv + i;
    int app_argc = argc - i;

    RuntimeInitArgs init;
    memset(&init, 0, sizeof init);
    init.mem_alloc_type = Alloc_With_System_Allocator;
    if (jit_cache)
        init.fast_jit_code_cache_size = jit_cache;
    if (mode) {
        if (!wasm_runtime_is_running_mode_supported(mode)) {
            fprintf(stderr, "iwasm: running mode %s is not built into this iwasm\n",
                    mode == Mode_Fast_JIT ? "--fast-jit" : "--interp");
            return 1;
        }
        init.running_mode = mode;
    }
    if (!wasm_runtime_full_init(&init)) {
        fprintf(stderr, "iwasm: cannot initialise the WAMR runtime\n");
        return 1;
    }
    wasm_runtime_set_log_level((log_level_t)log_level);

    int ret = 1;
    char error[256];
    unsigned size;
    wasm_module_t module = NULL;
    wasm_module_inst_t inst = NULL;
    unsigned char *buf = read_file(app_argv[0], &size);
    if (!buf)
        goto out;
    module = wasm_runtime_load(buf, size, error, sizeof error);
    if (!module) {
        fprintf(stderr, "iwasm: cannot load %s: %s\n", app_argv[0], error);
        goto out;
    }
    wasm_runtime_set_wasi_args(module, dirs, n_dirs, map_dirs, n_map, envs, n_env,
                               app_argv, app_argc);
    wasm_runtime_set_wasi_addr_pool(module, addr_pool, n_addr);
    wasm_runtime_set_wasi_ns_lookup_pool(module, ns_pool, n_ns);
    inst = wasm_runtime_instantiate(module, stack_size, heap_size, error, sizeof error);
    if (!inst) {
        fprintf(stderr, "iwasm: cannot instantiate %s: %s\n", app_argv[0], error);
        goto out;
    }
    wasm_application_execute_main(inst, app_argc, app_argv);
    const char *exc = wasm_runtime_get_exception(inst);
    if (exc) {
        fprintf(stderr, "%s\n", exc);
        ret = 1;
    }
    else
        ret = (int)wasm_runtime_get_wasi_exit_code(inst);

out:
    if (inst)
        wasm_runtime_deinstantiate(inst);
    if (module)
        wasm_runtime_unload(module);
    free(buf);
    wasm_runtime_destroy();
    return ret;
}
