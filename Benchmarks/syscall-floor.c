// What the kernel charges for one cgroup-style file read on this machine: openat
// relative to an O_PATH directory handle, one read, close — the calls the container
// collector makes per file — in a tight loop. docs/benchmarks.md quotes it.
//
//   cc -O2 -o /tmp/syscall-floor Benchmarks/syscall-floor.c
//   /tmp/syscall-floor /sys/fs/cgroup/memory memory.stat
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s DIRECTORY FILE\n", argv[0]);
        return 2;
    }
    char buffer[65536];
    int directory = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (directory < 0) {
        perror(argv[1]);
        return 1;
    }
    const int rounds = 20000;
    struct timespec start, end;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
    for (int i = 0; i < rounds; i++) {
        int fd = openat(directory, argv[2], O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, buffer, sizeof buffer) < 0) {
            perror(argv[2]);
            return 1;
        }
        close(fd);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &end);
    double nanoseconds = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
    printf("%s/%s: %.2f us per openat + read + close\n", argv[1], argv[2], nanoseconds / rounds / 1000);
    return 0;
}
