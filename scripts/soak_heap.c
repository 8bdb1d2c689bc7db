// Heap statistics of the agent for scripts/soak --heap, preloaded (LD_PRELOAD) into the
// release binary: once a second, glibc's mallinfo2() over every arena is appended to the
// file SOAK_HEAP_LOG as "<unix time> <bytes in use> <bytes the arenas hold>". In-use bytes
// that stay flat while RSS grows mean the allocator keeps freed memory, not a leak.
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void *sample(void *path) {
    for (;;) {
        struct mallinfo2 info = mallinfo2();
        FILE *file = fopen(path, "a");
        if (file) {
            fprintf(file, "%ld %zu %zu\n", (long)time(NULL), info.uordblks + info.hblkhd, info.arena + info.hblkhd);
            fclose(file);
        }
        sleep(1);
    }
    return NULL;
}

__attribute__((constructor)) static void start(void) {
    char *path = getenv("SOAK_HEAP_LOG");
    pthread_t thread;
    if (path && *path) pthread_create(&thread, NULL, sample, path);
}
