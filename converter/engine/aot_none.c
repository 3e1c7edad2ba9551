/* No translated pages: the interpreter runs everything (see aot.h). */
#include "aot.h"

const AotPage c2w_aot_pages[1];
const unsigned c2w_aot_npages = 0;
