#ifndef TELEGEN_CPREFETCH_H
#define TELEGEN_CPREFETCH_H

/// Asks the processor to start loading the cache line holding `address`, for a read
/// soon. A hint: it never faults, whatever the address. Swift has no spelling of it.
static inline void telegen_prefetch(const void *address) {
    __builtin_prefetch(address, 0, 3);
}

#endif
