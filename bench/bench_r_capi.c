/*
 * bench_r_capi: the R benchmark's task through the C API directly:
 * divergence and Fst between every ordered pair of distinct populations,
 * in N equal windows, at T threads; prints the seconds of the two calls
 * (the median of R repeats), the load excluded. See bench_r.sh.
 *
 *   bench_r_capi FILE WINDOWS THREADS REPEATS
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <tspar.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static void check(int err, const char *what)
{
    if (err < 0) {
        fprintf(stderr, "bench_r_capi: %s: %s (%s)\n", what, tspar_strerror(err), tspar_last_error_message());
        exit(1);
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_r_capi FILE WINDOWS THREADS REPEATS\n");
        return 2;
    }
    size_t nw = strtoul(argv[2], NULL, 10), threads = strtoul(argv[3], NULL, 10);
    int repeats = atoi(argv[4]);
    tspar_exec_t *exec = NULL;
    tspar_treeseq_t *ts = NULL;
    check(tspar_exec_new(threads, NULL, NULL, &exec), "exec");
    check(tspar_treeseq_load(argv[1], 0, exec, &ts), argv[1]);
    size_t n = (size_t) tspar_treeseq_num_samples(ts);
    const tspar_id_t *samples = tspar_treeseq_samples(ts);
    const void *data;
    int dtype;
    tspar_size_t num_nodes;
    check(tspar_treeseq_column(ts, "nodes/population", &dtype, &data, &num_nodes), "population");
    const int32_t *pop = data;
    int32_t K = 0;
    for (size_t j = 0; j < n; j++) {
        K = pop[samples[j]] + 1 > K ? pop[samples[j]] + 1 : K;
    }
    tspar_size_t *sizes = calloc((size_t) K, sizeof(*sizes));
    tspar_id_t *sets = malloc(n * sizeof(*sets));
    size_t off = 0;
    for (int32_t k = 0; k < K; k++) {
        for (size_t j = 0; j < n; j++) {
            if (pop[samples[j]] == k) {
                sets[off++] = samples[j];
                sizes[k]++;
            }
        }
    }
    size_t np = 0;
    tspar_id_t *pairs = malloc((size_t) (K * K * 2) * sizeof(*pairs));
    for (int32_t i = 0; i < K; i++) {
        for (int32_t j = 0; j < K; j++) {
            if (i != j) {
                pairs[2 * np] = i;
                pairs[2 * np + 1] = j;
                np++;
            }
        }
    }
    double L = tspar_treeseq_sequence_length(ts);
    double *windows = malloc((nw + 1) * sizeof(*windows));
    for (size_t w = 0; w <= nw; w++) {
        windows[w] = L * (double) w / (double) nw;
    }
    windows[nw] = L;
    double *dxy = malloc(nw * np * sizeof(*dxy)), *fst = malloc(nw * np * sizeof(*fst));
    double *t = malloc((size_t) repeats * sizeof(*t));
    tspar_flags_t o = TSPAR_STAT_SITE | TSPAR_STAT_SPAN_NORMALISE;
    for (int r = 0; r < repeats; r++) {
        double t0 = now();
        check(tspar_treeseq_divergence(ts, (tspar_size_t) K, sizes, sets, np, pairs, nw, windows, o, exec, dxy,
                  nw * np),
            "divergence");
        check(tspar_treeseq_Fst(ts, (tspar_size_t) K, sizes, sets, np, pairs, nw, windows, o, exec, fst, nw * np),
            "Fst");
        t[r] = now() - t0;
    }
    qsort(t, (size_t) repeats, sizeof(*t), cmp);
    printf("%.4f %d %zu %.17g\n", t[repeats / 2], K, np, fst[0]);
    tspar_treeseq_free(ts);
    tspar_exec_free(exec);
    return 0;
}
