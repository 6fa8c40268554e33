/* Statistics from many host threads at once on one tree sequence: every
 * thread gets the numbers it gets alone, whatever tspar's own thread count,
 * with execs shared by all of them; a progress callback runs on the calling
 * thread and can cancel.
 *
 *   test_stats_threads FILE
 */
#include <math.h>
#include <pthread.h>

#include "check.h"

#define HOST_THREADS 8
#define ROUNDS 3

static tspar_treeseq_t *ts;
static tspar_size_t sizes[3];
static tspar_id_t *sets;
static tspar_id_t pairs[] = { 0, 1, 1, 2, 0, 0, 2, 2 };
static double windows[6];
static double reference[2][5 * 4]; /* [site, branch][window][pair] */

/* One exec per tspar thread count (1, 2, 3), each shared by every host
 * thread at once: an exec is never changed after it is made. */
static tspar_exec_t *shared_exec[3];

static int
run(tspar_flags_t mode, size_t threads, double *out)
{
    CHECK(threads >= 1 && threads <= 3);
    return tspar_treeseq_divergence(ts, 3, sizes, sets, 4, pairs, 5, windows,
        mode | TSPAR_STAT_SPAN_NORMALISE, shared_exec[threads - 1], out, 5 * 4);
}

static void *
worker(void *arg)
{
    size_t id = (size_t) arg;
    int round, m;
    double out[5 * 4];

    for (round = 0; round < ROUNDS; round++) {
        for (m = 0; m < 2; m++) {
            /* tspar threads 1, 2 or 3: the bits must not change. */
            CHECK_OK(run(m ? TSPAR_STAT_BRANCH : TSPAR_STAT_SITE, 1 + (id + round) % 3, out));
            CHECK(memcmp(out, reference[m], sizeof(out)) == 0);
        }
    }
    return NULL;
}

struct progress_state {
    pthread_t caller;
    int calls;
    int wrong_thread;
    int cancel;
};

/* A summary function that counts its calls made off the calling thread. */
static pthread_t summary_caller;
static int summary_calls, summary_off_thread;

static int
summary(tspar_size_t state_dim, const double *state, tspar_size_t result_dim, double *result, void *params)
{
    (void) params;
    (void) state_dim;
    summary_calls++;
    if (!pthread_equal(pthread_self(), summary_caller)) {
        summary_off_thread++;
    }
    CHECK(result_dim == 1);
    result[0] = state[0] * (state[1] - state[0]);
    return 0;
}

static int
progress(double fraction, void *user_data)
{
    struct progress_state *p = user_data;
    p->calls++;
    if (!pthread_equal(pthread_self(), p->caller)) {
        p->wrong_thread = 1;
    }
    CHECK(fraction >= 0 && fraction <= 1);
    return p->cancel;
}

int
main(int argc, char **argv)
{
    pthread_t threads[HOST_THREADS];
    size_t j, n, half;
    double L, out[5 * 4];
    const tspar_id_t *samples;
    tspar_exec_t *exec;
    struct progress_state state;

    CHECK(argc == 2);
    /* An exec is made whole: a bad thread count or a NULL out fails. */
    exec = NULL;
    CHECK_ERR(tspar_exec_new(1025, NULL, NULL, &exec), TSPAR_ERR_BAD_PARAM_VALUE, "1025");
    CHECK(exec == NULL);
    CHECK_ERR(tspar_exec_new(1, NULL, NULL, NULL), TSPAR_ERR_NULL_POINTER, "out");
    for (j = 0; j < 3; j++) {
        CHECK_OK(tspar_exec_new(j + 1, NULL, NULL, &shared_exec[j]));
    }
    CHECK_OK(tspar_treeseq_load(argv[1], 0, shared_exec[1], &ts));
    n = tspar_treeseq_num_samples(ts);
    CHECK(n >= 8);
    samples = tspar_treeseq_samples(ts);
    half = n / 2;
    sizes[0] = half;
    sizes[1] = n - half;
    sizes[2] = 2;
    sets = malloc((n + 2) * sizeof(*sets));
    CHECK(sets != NULL);
    for (j = 0; j < n; j++) {
        sets[j] = samples[j];
    }
    sets[n] = samples[0];
    sets[n + 1] = samples[n - 1];
    L = tspar_treeseq_sequence_length(ts);
    windows[0] = 0;
    windows[1] = L * 0.137;
    windows[2] = L * 0.5;
    windows[3] = L * 0.5 + L * 1e-9;
    windows[4] = L * 0.81;
    windows[5] = L;

    CHECK_OK(run(TSPAR_STAT_SITE, 1, reference[0]));
    CHECK_OK(run(TSPAR_STAT_BRANCH, 1, reference[1]));
    CHECK(reference[1][0] > 0);

    for (j = 0; j < HOST_THREADS; j++) {
        CHECK(pthread_create(&threads[j], NULL, worker, (void *) j) == 0);
    }
    for (j = 0; j < HOST_THREADS; j++) {
        CHECK(pthread_join(threads[j], NULL) == 0);
    }

    /* Progress on the calling thread; a cancel gives TSPAR_ERR_CANCELLED. */
    memset(&state, 0, sizeof(state));
    state.caller = pthread_self();
    CHECK_OK(tspar_exec_new(2, progress, &state, &exec));
    CHECK_OK(tspar_treeseq_divergence(ts, 3, sizes, sets, 4, pairs, 5, windows, TSPAR_STAT_BRANCH, exec, out, 20));
    CHECK(state.calls > 0);
    CHECK(!state.wrong_thread);
    state.cancel = 1;
    state.calls = 0;
    CHECK_EQ(tspar_treeseq_divergence(ts, 3, sizes, sets, 4, pairs, 5, windows, TSPAR_STAT_BRANCH, exec, out, 20),
        TSPAR_ERR_CANCELLED);
    CHECK_EQ(state.calls, 1);

    /* A failed call leaves the result as it was. */
    for (j = 0; j < 20; j++) {
        out[j] = 42.0;
    }
    CHECK_EQ(tspar_treeseq_divergence(ts, 3, sizes, sets, 4, pairs, 5, windows, TSPAR_STAT_BRANCH, exec, out, 20),
        TSPAR_ERR_CANCELLED);
    for (j = 0; j < 20; j++) {
        CHECK(out[j] == 42.0);
    }
    /* The spectrum is written in place: refused before it starts, nothing
     * is written; cancelled once started, every value is NaN. Sets 0 and
     * 2 give (half + 1) x 3 values per window. */
    {
        tspar_size_t afs_sizes[2] = { sizes[0], sizes[2] };
        size_t afs_len = 5 * (sizes[0] + 1) * (sizes[2] + 1);
        tspar_id_t *afs_sets = malloc((sizes[0] + 2) * sizeof(*afs_sets));
        double *afs = malloc(afs_len * sizeof(*afs));
        double total = 0;
        CHECK(afs_sets != NULL && afs != NULL);
        memcpy(afs_sets, sets, sizes[0] * sizeof(*afs_sets));
        afs_sets[sizes[0]] = sets[n];
        afs_sets[sizes[0] + 1] = sets[n + 1];
        for (j = 0; j < afs_len; j++) {
            afs[j] = 42.0;
        }
        CHECK_EQ(tspar_treeseq_allele_frequency_spectrum(
                     ts, 2, afs_sizes, afs_sets, 5, windows, TSPAR_STAT_BRANCH, exec, afs, afs_len - 1),
            TSPAR_ERR_BUFFER_TOO_SMALL);
        afs_sets[0] = (tspar_id_t) tspar_treeseq_num_nodes(ts);
        CHECK_EQ(tspar_treeseq_allele_frequency_spectrum(
                     ts, 2, afs_sizes, afs_sets, 5, windows, TSPAR_STAT_BRANCH, exec, afs, afs_len),
            TSPAR_ERR_NODE_OUT_OF_BOUNDS);
        afs_sets[0] = sets[0];
        for (j = 0; j < afs_len; j++) {
            CHECK(afs[j] == 42.0);
        }
        CHECK_EQ(tspar_treeseq_allele_frequency_spectrum(
                     ts, 2, afs_sizes, afs_sets, 5, windows, TSPAR_STAT_BRANCH, exec, afs, afs_len),
            TSPAR_ERR_CANCELLED);
        for (j = 0; j < afs_len; j++) {
            CHECK(isnan(afs[j]));
        }
        state.cancel = 0;
        CHECK_OK(tspar_treeseq_allele_frequency_spectrum(
            ts, 2, afs_sizes, afs_sets, 5, windows, TSPAR_STAT_BRANCH, exec, afs, afs_len));
        for (j = 0; j < afs_len; j++) {
            CHECK(isfinite(afs[j]) && afs[j] >= 0);
            total += afs[j];
        }
        CHECK(total > 0);
        free(afs);
        free(afs_sets);
    }

    /* Errors: a short buffer, a bad index, a non-sample. */
    CHECK_EQ(tspar_treeseq_divergence(ts, 3, sizes, sets, 4, pairs, 5, windows, 0, NULL, out, 19),
        TSPAR_ERR_BUFFER_TOO_SMALL);
    pairs[7] = 3;
    CHECK_EQ(tspar_treeseq_divergence(ts, 3, sizes, sets, 4, pairs, 5, windows, 0, NULL, out, 20),
        TSPAR_ERR_BAD_SAMPLE_SET_INDEX);
    pairs[7] = 2;
    CHECK_EQ(tspar_treeseq_divergence(ts, 3, sizes, sets, 4, pairs, 5, windows,
                 TSPAR_STAT_SITE | TSPAR_STAT_BRANCH, NULL, out, 20),
        TSPAR_ERR_MULTIPLE_STAT_MODES);

    tspar_exec_free(exec);
    for (j = 0; j < 3; j++) {
        tspar_exec_free(shared_exec[j]);
    }
    free(sets);
    /* With one thread the summary function runs on the calling thread
     * only, with a progress callback too (the header's contract). */
    {
        double *w = malloc(2 * n * sizeof(double)), g[5];
        tspar_exec_t *one = NULL;
        CHECK(w != NULL);
        for (j = 0; j < n; j++) {
            w[2 * j] = j < half;
            w[2 * j + 1] = 1;
        }
        memset(&state, 0, sizeof(state));
        state.caller = pthread_self();
        summary_caller = pthread_self();
        CHECK_OK(tspar_exec_new(1, progress, &state, &one));
        CHECK_OK(tspar_treeseq_general_stat(ts, 2, w, 1, summary, NULL, 5, windows, TSPAR_STAT_BRANCH, one, g, 5));
        CHECK(summary_calls > 0);
        CHECK_EQ(summary_off_thread, 0);
        CHECK(state.calls > 0 && !state.wrong_thread);
        tspar_exec_free(one);
        free(w);
    }
    tspar_treeseq_free(ts);
    printf("test_stats_threads: ok\n");
    return 0;
}
