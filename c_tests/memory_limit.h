/* Shared by the memory-limit test and benchmark: address-space limits
 * (RLIMIT_AS) and what the process holds. Linux with glibc only. */
#ifndef TSPAR_MEMORY_LIMIT_H
#define TSPAR_MEMORY_LIMIT_H

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/* The process's address-space size in bytes (VmSize), or 0. */
static inline unsigned long long vm_size(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kb = 0;
    if (f == NULL) {
        return 0;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmSize:", 7) == 0) {
            kb = strtoull(line + 7, NULL, 10);
            break;
        }
    }
    fclose(f);
    return kb * 1024ULL;
}

/* Sets the soft address-space limit (the hard one stays as it is).
 * RLIM_INFINITY lifts it. Returns 0 on success. */
static inline int set_soft_limit(rlim_t bytes)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_AS, &r) != 0) {
        return -1;
    }
    r.rlim_cur = bytes;
    if (r.rlim_max != RLIM_INFINITY && bytes > r.rlim_max) {
        r.rlim_cur = r.rlim_max;
    }
    return setrlimit(RLIMIT_AS, &r);
}

/* Bytes malloc has handed out and not had back (heap and mmapped). */
static inline unsigned long long heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return (unsigned long long) m.uordblks + (unsigned long long) m.hblkhd;
}

#endif
