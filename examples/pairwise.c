/*
 * pairwise: diversity within and divergence and Fst between the
 * populations of a tree sequence's samples, on every core.
 *
 *   pairwise [FILE] [--windows N] [--threads T] [--mode site|branch] [--tsv]
 *
 * FILE defaults to tests/data/example.trees. Sample sets are the sample
 * nodes of each population that has any. With --windows N the genome is cut
 * into N equal windows and every table is printed per window. --threads 1
 * runs on the calling thread only; the default is TSPAR_NUM_THREADS, else
 * all cores. A progress line is written to stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tspar.h>

#ifndef TSPAR_DEFAULT_TREES
#define TSPAR_DEFAULT_TREES "tests/data/example.trees"
#endif

static int
progress(double fraction, void *user_data)
{
    const char *what = (const char *) user_data;
    fprintf(stderr, "\r%-12s %5.1f%%", what, 100.0 * fraction);
    if (fraction >= 1.0) {
        fprintf(stderr, "\n");
    }
    fflush(stderr);
    return 0; /* non-zero would cancel */
}

static void
die(const char *what, int err)
{
    fprintf(stderr, "pairwise: %s: %s (%s)\n", what, tspar_strerror(err), tspar_last_error_message());
    exit(EXIT_FAILURE);
}

static void
usage(void)
{
    fprintf(stderr, "usage: pairwise [FILE] [--windows N] [--threads T] [--mode site|branch] [--tsv]\n");
    exit(EXIT_FAILURE);
}

/* A K x K table of one window, aligned or as TSV. */
static void
print_matrix(const char *title, size_t K, const int32_t *pop_ids, const double *m, int tsv)
{
    size_t i, j;

    printf(tsv ? "# %s\npop" : "%s\n%6s", title, tsv ? "" : "pop");
    for (j = 0; j < K; j++) {
        printf(tsv ? "\t%d" : " %12d", pop_ids[j]);
    }
    printf("\n");
    for (i = 0; i < K; i++) {
        printf(tsv ? "%d" : "%6d", pop_ids[i]);
        for (j = 0; j < K; j++) {
            printf(tsv ? "\t%.10g" : " %12.6g", m[i * K + j]);
        }
        printf("\n");
    }
}

int
main(int argc, char **argv)
{
    const char *path = TSPAR_DEFAULT_TREES;
    size_t num_windows = 0, threads = 0;
    tspar_flags_t mode = TSPAR_STAT_SITE;
    int tsv = 0, err, a;
    tspar_treeseq_t *ts = NULL;
    tspar_exec_t *exec = NULL;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--windows") == 0 && a + 1 < argc) {
            num_windows = strtoul(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--threads") == 0 && a + 1 < argc) {
            threads = strtoul(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--mode") == 0 && a + 1 < argc) {
            a++;
            if (strcmp(argv[a], "site") == 0) {
                mode = TSPAR_STAT_SITE;
            } else if (strcmp(argv[a], "branch") == 0) {
                mode = TSPAR_STAT_BRANCH;
            } else {
                usage();
            }
        } else if (strcmp(argv[a], "--tsv") == 0) {
            tsv = 1;
        } else if (argv[a][0] == '-') {
            usage();
        } else {
            path = argv[a];
        }
    }

    /* One exec, made with all its settings, serves every call below. */
    err = tspar_exec_new(threads, progress, (void *) "statistics", &exec);
    if (err < 0) {
        die("exec", err);
    }
    err = tspar_treeseq_load(path, 0, exec, &ts);
    if (err < 0) {
        die(path, err);
    }

    /* Sample sets: the samples of each population, in population order. */
    size_t num_samples = tspar_treeseq_num_samples(ts);
    const tspar_id_t *samples = tspar_treeseq_samples(ts);
    const int32_t *population;
    const void *data;
    int dtype;
    tspar_size_t num_nodes;
    err = tspar_treeseq_column(ts, "nodes/population", &dtype, &data, &num_nodes);
    if (err < 0) {
        die("nodes/population", err);
    }
    population = data;
    int32_t max_pop = -1;
    size_t j, k, w;
    for (j = 0; j < num_samples; j++) {
        if (population[samples[j]] > max_pop) {
            max_pop = population[samples[j]];
        }
    }
    if (max_pop < 0) {
        fprintf(stderr, "pairwise: no sample has a population\n");
        return EXIT_FAILURE;
    }
    tspar_size_t *sizes = calloc((size_t) max_pop + 1, sizeof(*sizes));
    int32_t *pop_ids = malloc(((size_t) max_pop + 1) * sizeof(*pop_ids));
    tspar_id_t *sets = malloc(num_samples * sizeof(*sets));
    size_t K = 0, off = 0;
    for (k = 0; k <= (size_t) max_pop; k++) {
        size_t before = off;
        for (j = 0; j < num_samples; j++) {
            if (population[samples[j]] == (int32_t) k) {
                sets[off++] = samples[j];
            }
        }
        if (off > before) {
            pop_ids[K] = (int32_t) k;
            sizes[K++] = off - before;
        }
    }

    /* Every ordered pair (i, j), so the matrices fill without index juggling. */
    tspar_id_t *pairs = malloc(K * K * 2 * sizeof(*pairs));
    for (j = 0; j < K; j++) {
        for (k = 0; k < K; k++) {
            pairs[2 * (j * K + k)] = (tspar_id_t) j;
            pairs[2 * (j * K + k) + 1] = (tspar_id_t) k;
        }
    }
    double L = tspar_treeseq_sequence_length(ts);
    size_t nw = num_windows == 0 ? 1 : num_windows;
    double *windows = NULL;
    if (num_windows > 0) {
        windows = malloc((nw + 1) * sizeof(*windows));
        for (w = 0; w <= nw; w++) {
            windows[w] = L * (double) w / (double) nw;
        }
        windows[nw] = L;
    }
    tspar_flags_t options = mode | TSPAR_STAT_SPAN_NORMALISE;
    double *pi = malloc(nw * K * sizeof(*pi));
    double *dxy = malloc(nw * K * K * sizeof(*dxy));
    double *fst = malloc(nw * K * K * sizeof(*fst));

    err = tspar_treeseq_diversity(ts, K, sizes, sets, num_windows, windows, options, exec, pi, nw * K);
    if (err < 0) {
        die("diversity", err);
    }
    err = tspar_treeseq_divergence(
        ts, K, sizes, sets, K * K, pairs, num_windows, windows, options, exec, dxy, nw * K * K);
    if (err < 0) {
        die("divergence", err);
    }
    err = tspar_treeseq_Fst(ts, K, sizes, sets, K * K, pairs, num_windows, windows, options, exec, fst, nw * K * K);
    if (err < 0) {
        die("Fst", err);
    }

    for (w = 0; w < nw; w++) {
        double left = windows ? windows[w] : 0, right = windows ? windows[w + 1] : L;
        printf(tsv ? "# window\t%zu\t%.10g\t%.10g\n" : "== window %zu [%g, %g) ==\n", w, left, right);
        printf(tsv ? "# diversity\npop\tsamples\tdiversity\n" : "diversity\n%6s %8s %12s\n", "pop", "samples",
            "diversity");
        for (k = 0; k < K; k++) {
            printf(tsv ? "%d\t%llu\t%.10g\n" : "%6d %8llu %12.6g\n", pop_ids[k], (unsigned long long) sizes[k],
                pi[w * K + k]);
        }
        print_matrix("divergence", K, pop_ids, dxy + w * K * K, tsv);
        print_matrix("Fst", K, pop_ids, fst + w * K * K, tsv);
    }

    free(pi);
    free(dxy);
    free(fst);
    free(windows);
    free(pairs);
    free(sets);
    free(pop_ids);
    free(sizes);
    tspar_exec_free(exec);
    tspar_treeseq_free(ts);
    return EXIT_SUCCESS;
}
