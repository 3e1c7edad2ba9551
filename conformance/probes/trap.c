/* Probe: a wasm trap (unreachable), to see the runtime's exit status for traps.
 * usage: trap
 * Prints "about to trap" on fd 1, then executes `unreachable`. */
#include "probe.h"

int main(void)
{
    p_puts(1, "about to trap\n");
    __builtin_trap();
}
