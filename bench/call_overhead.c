/* Times a small statistic called from C, for bench_parallel.py's
 * call-overhead comparison: diversity of one sample set (the first
 * `n` samples), site mode, one thread, `reps` calls. Prints the mean
 * seconds per call. Usage: call_overhead FILE N REPS */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tspar.h"

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE N REPS\n", argv[0]);
        return 2;
    }
    tspar_size_t n = (tspar_size_t)strtoull(argv[2], NULL, 10);
    long reps = strtol(argv[3], NULL, 10);
    tspar_exec_t *exec = NULL;
    tspar_treeseq_t *ts = NULL;
    if (tspar_exec_new(1, NULL, NULL, &exec) < 0 || tspar_treeseq_load(argv[1], 0, exec, &ts) < 0) {
        fprintf(stderr, "%s\n", tspar_last_error_message());
        return 1;
    }
    const tspar_id_t *samples = tspar_treeseq_samples(ts);
    double result = 0;
    tspar_flags_t options = TSPAR_STAT_SITE | TSPAR_STAT_SPAN_NORMALISE;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long r = 0; r < reps; r++) {
        if (tspar_treeseq_diversity(ts, 1, &n, samples, 0, NULL, options, exec, &result, 1) < 0) {
            fprintf(stderr, "%s\n", tspar_last_error_message());
            return 1;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("%.9g %.17g\n", seconds / (double)reps, result);
    tspar_treeseq_free(ts);
    tspar_exec_free(exec);
    return 0;
}
