/*
 * mpi_stats: the job of pairwise (diversity within, divergence and Fst
 * between the populations of the samples) over one or several tree
 * sequences (one per chromosome), its parts spread over MPI ranks and
 * combined on rank 0, which prints what pairwise prints for each file in
 * turn, byte for byte.
 *
 *   mpiexec -n R mpi_stats FILE... [--windows N] [--threads T] [--mode site|branch] [--tsv]
 *                                  [--part-work W]
 *
 * Every rank loads every file (on a cluster: from a shared file system)
 * and makes the same three statistic calls per file, so every rank knows
 * the same parts. Rank r computes its share of each call's parts into
 * bytes; rank 0 gathers the bytes and combines them. Combining gives the
 * bits of one call, so the output does not depend on the number of ranks
 * or threads. --part-work W cuts each call into parts of W units of work
 * (edge changes plus sites) instead of the statistic's own cut: more parts
 * for more ranks, whose output is then the same for every number of ranks
 * but may differ from pairwise's in the last bits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mpi.h>
#include <tspar.h>

#ifndef TSPAR_DEFAULT_TREES
#define TSPAR_DEFAULT_TREES "tests/data/example.trees"
#endif

#define NUM_STATS 3

static int rank = 0;

static void
die(const char *what, int err)
{
    fprintf(stderr, "mpi_stats (rank %d): %s: %s (%s)\n", rank, what, tspar_strerror(err),
        tspar_last_error_message());
    MPI_Abort(MPI_COMM_WORLD, EXIT_FAILURE);
    exit(EXIT_FAILURE);
}

static void *
xmalloc(size_t n)
{
    void *p = malloc(n == 0 ? 1 : n);
    if (p == NULL) {
        fprintf(stderr, "mpi_stats (rank %d): out of memory\n", rank);
        MPI_Abort(MPI_COMM_WORLD, EXIT_FAILURE);
    }
    return p;
}

static void
usage(void)
{
    if (rank == 0) {
        fprintf(stderr,
            "usage: mpi_stats FILE... [--windows N] [--threads T] [--mode site|branch] [--tsv] "
            "[--part-work W]\n");
    }
    MPI_Finalize();
    exit(EXIT_FAILURE);
}

/* A K x K table of one window, aligned or as TSV (as pairwise prints it). */
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

/* The sample sets of one tree sequence: the samples of each population. */
struct job {
    tspar_treeseq_t *ts;
    size_t K;
    tspar_size_t *sizes;
    int32_t *pop_ids;
    tspar_id_t *sets;
    tspar_id_t *pairs;
    double *windows;
    size_t nw;
    double L;
    tspar_stat_call_t *calls[NUM_STATS];
    double *results[NUM_STATS];
};

static void
make_sets(struct job *job, const char *path)
{
    size_t num_samples = tspar_treeseq_num_samples(job->ts);
    const tspar_id_t *samples = tspar_treeseq_samples(job->ts);
    const void *data;
    int dtype, err;
    tspar_size_t num_nodes;
    size_t j, k;

    err = tspar_treeseq_column(job->ts, "nodes/population", &dtype, &data, &num_nodes);
    if (err < 0) {
        die("nodes/population", err);
    }
    const int32_t *population = data;
    int32_t max_pop = -1;
    for (j = 0; j < num_samples; j++) {
        if (population[samples[j]] > max_pop) {
            max_pop = population[samples[j]];
        }
    }
    if (max_pop < 0) {
        fprintf(stderr, "mpi_stats: %s: no sample has a population\n", path);
        MPI_Abort(MPI_COMM_WORLD, EXIT_FAILURE);
    }
    job->sizes = calloc((size_t) max_pop + 1, sizeof(*job->sizes));
    job->pop_ids = xmalloc(((size_t) max_pop + 1) * sizeof(*job->pop_ids));
    job->sets = xmalloc(num_samples * sizeof(*job->sets));
    size_t K = 0, off = 0;
    for (k = 0; k <= (size_t) max_pop; k++) {
        size_t before = off;
        for (j = 0; j < num_samples; j++) {
            if (population[samples[j]] == (int32_t) k) {
                job->sets[off++] = samples[j];
            }
        }
        if (off > before) {
            job->pop_ids[K] = (int32_t) k;
            job->sizes[K++] = off - before;
        }
    }
    job->K = K;
    job->pairs = xmalloc(K * K * 2 * sizeof(*job->pairs));
    for (j = 0; j < K; j++) {
        for (k = 0; k < K; k++) {
            job->pairs[2 * (j * K + k)] = (tspar_id_t) j;
            job->pairs[2 * (j * K + k) + 1] = (tspar_id_t) k;
        }
    }
}

static void
print_job(const struct job *job, int tsv)
{
    size_t w, k, K = job->K;
    const double *pi = job->results[0], *dxy = job->results[1], *fst = job->results[2];

    for (w = 0; w < job->nw; w++) {
        double left = job->windows ? job->windows[w] : 0, right = job->windows ? job->windows[w + 1] : job->L;
        printf(tsv ? "# window\t%zu\t%.10g\t%.10g\n" : "== window %zu [%g, %g) ==\n", w, left, right);
        printf(tsv ? "# diversity\npop\tsamples\tdiversity\n" : "diversity\n%6s %8s %12s\n", "pop", "samples",
            "diversity");
        for (k = 0; k < K; k++) {
            printf(tsv ? "%d\t%llu\t%.10g\n" : "%6d %8llu %12.6g\n", job->pop_ids[k],
                (unsigned long long) job->sizes[k], pi[w * K + k]);
        }
        print_matrix("divergence", K, job->pop_ids, dxy + w * K * K, tsv);
        print_matrix("Fst", K, job->pop_ids, fst + w * K * K, tsv);
    }
}

int
main(int argc, char **argv)
{
    size_t num_windows = 0, threads = 1, num_files = 0, part_work = 0, f, s, w;
    tspar_flags_t mode = TSPAR_STAT_SITE;
    int tsv = 0, err, a, size;
    tspar_exec_t *exec = NULL;
    const char **paths;
    static const uint32_t stats[NUM_STATS] = { TSPAR_STATISTIC_DIVERSITY, TSPAR_STATISTIC_DIVERGENCE,
        TSPAR_STATISTIC_FST };

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);

    paths = xmalloc((size_t) argc * sizeof(*paths));
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
        } else if (strcmp(argv[a], "--part-work") == 0 && a + 1 < argc) {
            part_work = strtoul(argv[++a], NULL, 10);
        } else if (strcmp(argv[a], "--tsv") == 0) {
            tsv = 1;
        } else if (argv[a][0] == '-') {
            usage();
        } else {
            paths[num_files++] = argv[a];
        }
    }
    if (num_files == 0) {
        paths[num_files++] = TSPAR_DEFAULT_TREES;
    }

    /* No progress callback: ranks would write over each other's lines. */
    err = tspar_exec_new(threads, NULL, NULL, &exec);
    if (err < 0) {
        die("exec", err);
    }
    struct job *jobs = calloc(num_files, sizeof(*jobs));
    for (f = 0; f < num_files; f++) {
        struct job *job = &jobs[f];
        err = tspar_treeseq_load(paths[f], 0, exec, &job->ts);
        if (err < 0) {
            die(paths[f], err);
        }
        make_sets(job, paths[f]);
        job->L = tspar_treeseq_sequence_length(job->ts);
        job->nw = num_windows == 0 ? 1 : num_windows;
        if (num_windows > 0) {
            job->windows = xmalloc((job->nw + 1) * sizeof(*job->windows));
            for (w = 0; w <= job->nw; w++) {
                job->windows[w] = job->L * (double) w / (double) job->nw;
            }
            job->windows[job->nw] = job->L;
        }
        size_t K = job->K;
        for (s = 0; s < NUM_STATS; s++) {
            /* part_work 0: the parts one call of the statistic is cut into,
             * so the combination is that call's bits, as pairwise prints. */
            err = tspar_stat_call_new(job->ts, stats[s], K, job->sizes, job->sets, 0, NULL, s == 0 ? 0 : K * K,
                s == 0 ? NULL : job->pairs, num_windows, job->windows, mode | TSPAR_STAT_SPAN_NORMALISE,
                part_work, &job->calls[s]);
            if (err < 0) {
                die("stat_call_new", err);
            }
        }
    }

    /* Each call's parts in `size` contiguous ranges, range r on rank r; each
     * rank's bytes for every call, one after another, gathered on rank 0. */
    size_t num_calls = num_files * NUM_STATS, c;
    uint64_t *my_lens = xmalloc(num_calls * sizeof(*my_lens));
    size_t my_total = 0;
    for (c = 0; c < num_calls; c++) {
        tspar_stat_call_t *call = jobs[c / NUM_STATS].calls[c % NUM_STATS];
        tspar_size_t n, len, start, end;
        tspar_stat_call_num_parts(call, &n);
        start = n * (tspar_size_t) rank / (tspar_size_t) size;
        end = n * (tspar_size_t) (rank + 1) / (tspar_size_t) size;
        err = tspar_stat_call_part_bytes(call, start, end, &len);
        if (err < 0) {
            die("part_bytes", err);
        }
        my_lens[c] = len;
        my_total += len;
    }
    uint8_t *mine = xmalloc(my_total);
    size_t at = 0;
    for (c = 0; c < num_calls; c++) {
        tspar_stat_call_t *call = jobs[c / NUM_STATS].calls[c % NUM_STATS];
        tspar_size_t n, start, end;
        tspar_stat_call_num_parts(call, &n);
        start = n * (tspar_size_t) rank / (tspar_size_t) size;
        end = n * (tspar_size_t) (rank + 1) / (tspar_size_t) size;
        err = tspar_stat_call_compute(call, start, end, exec, mine + at, my_lens[c]);
        if (err < 0) {
            die("compute", err);
        }
        at += my_lens[c];
    }

    uint64_t *all_lens = rank == 0 ? xmalloc((size_t) size * num_calls * sizeof(*all_lens)) : NULL;
    MPI_Gather(my_lens, (int) num_calls, MPI_UINT64_T, all_lens, (int) num_calls, MPI_UINT64_T, 0, MPI_COMM_WORLD);
    int *counts = NULL, *displs = NULL;
    uint8_t *all = NULL;
    if (rank == 0) {
        counts = xmalloc((size_t) size * sizeof(*counts));
        displs = xmalloc((size_t) size * sizeof(*displs));
        size_t total = 0;
        int r;
        for (r = 0; r < size; r++) {
            size_t t = 0;
            for (c = 0; c < num_calls; c++) {
                t += all_lens[(size_t) r * num_calls + c];
            }
            if (total + t > INT32_MAX) {
                fprintf(stderr, "mpi_stats: more than 2 GiB of parts for one gather\n");
                MPI_Abort(MPI_COMM_WORLD, EXIT_FAILURE);
            }
            counts[r] = (int) t;
            displs[r] = (int) total;
            total += t;
        }
        all = xmalloc(total);
    }
    MPI_Gatherv(mine, (int) my_total, MPI_BYTE, all, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);

    if (rank == 0) {
        const uint8_t **bufs = xmalloc((size_t) size * sizeof(*bufs));
        tspar_size_t *lens = xmalloc((size_t) size * sizeof(*lens));
        size_t *offset = xmalloc((size_t) size * sizeof(*offset));
        int r;
        for (r = 0; r < size; r++) {
            offset[r] = (size_t) displs[r];
        }
        for (c = 0; c < num_calls; c++) {
            struct job *job = &jobs[c / NUM_STATS];
            tspar_stat_call_t *call = job->calls[c % NUM_STATS];
            for (r = 0; r < size; r++) {
                bufs[r] = all + offset[r];
                lens[r] = all_lens[(size_t) r * num_calls + c];
                offset[r] += lens[r];
            }
            tspar_size_t n;
            tspar_stat_call_result_length(call, &n);
            double *out = xmalloc(n * sizeof(*out));
            err = tspar_stat_call_combine(call, (tspar_size_t) size, bufs, lens, exec, out, n);
            if (err < 0) {
                die("combine", err);
            }
            job->results[c % NUM_STATS] = out;
        }
        for (f = 0; f < num_files; f++) {
            print_job(&jobs[f], tsv);
        }
        free(bufs);
        free(lens);
        free(offset);
    }

    for (f = 0; f < num_files; f++) {
        for (s = 0; s < NUM_STATS; s++) {
            tspar_stat_call_free(jobs[f].calls[s]);
            free(jobs[f].results[s]);
        }
        tspar_treeseq_free(jobs[f].ts);
        free(jobs[f].sizes);
        free(jobs[f].pop_ids);
        free(jobs[f].sets);
        free(jobs[f].pairs);
        free(jobs[f].windows);
    }
    free(jobs);
    free(paths);
    free(my_lens);
    free(mine);
    free(all_lens);
    free(counts);
    free(displs);
    free(all);
    tspar_exec_free(exec);
    MPI_Finalize();
    return EXIT_SUCCESS;
}
