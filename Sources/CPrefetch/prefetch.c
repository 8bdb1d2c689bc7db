// The module is its header: telegen_prefetch is inlined where Swift calls it.
#include "CPrefetch.h"
