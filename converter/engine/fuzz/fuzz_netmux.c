/* libFuzzer harness: net.c's `--net=stdio` multiplex (fuzz_net.c with NET_MUX: the engine's
 * fd 0 and fd 1 are pipes to the harness, the peer). */
#define NET_MUX 1
#include "fuzz_net.c"
