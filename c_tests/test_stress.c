/* Stress: eight threads make a random, seeded mix of calls on shared handles
 * for a fixed number of operations, while a watchdog turns a hang (a
 * deadlock, a livelock) into a failure with a message naming the stuck
 * threads and what they were doing. Then the final state is checked.
 *
 * Shared handles, and what each must hold at the end:
 *   A, B    append-only tables: threads add rows (one at a time and whole
 *           columns at once), read rows, copy, dump and compare A with B in
 *           both orders. Every row added must be there once, whole, in its
 *           writer's order: the row counts equal the adds that succeeded.
 *   E1, E2  two equal tables (the example's, sorted): threads rewrite their
 *           node and site columns and a field with the same values, sort
 *           them (a no-op on sorted tables) and compare E1 with E2 in both
 *           orders, which must always give 1; they dump, read columns and
 *           make tree sequences from them.
 *   P       a simplified table collection that simplify and sort leave as
 *           they are: threads simplify, sort and compare it with its
 *           expected state, and make tree sequences from it.
 *   S       a simulator's tables: threads record bookmarks, add rows, sort
 *           the new edges and truncate (to their own bookmark, which may fail
 *           with TSPAR_ERR_BAD_TABLE_POSITION, or to the base). Each thread's
 *           last operation on S truncates it to the base, so S ends as the
 *           base.
 *   ts      one tree sequence: every statistic in every mode it supports
 *           (compared bit for bit with a one-thread run made before the
 *           threads start, with tspar thread counts 1, 2, 3 and the
 *           default), a cursor per thread (each tree compared with a
 *           one-thread walk), one cursor shared by all threads (every call
 *           gives success or TSPAR_ERR_BUSY), column reads, loads.
 *
 * usage: test_stress EXAMPLE.trees [OPS_PER_THREAD [SEED]]
 * TSPAR_STRESS_HANG_SECONDS (default 60): how long a thread may make no
 * progress before the watchdog fails the test. */
#define _XOPEN_SOURCE 700
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "check.h"
#include "tmpdir.h"

#define NUM_THREADS 8
#define DEFAULT_OPS 8000
#define DEFAULT_SEED 20261202u
#define STRIDE 100000.0
#define NUM_SETS 4
#define NUM_WINDOWS 4

/* ------------------------------------------------------------------------
 * Execs with a given thread count (no progress callback). */

static tspar_exec_t *exec_make(tspar_size_t threads)
{
    tspar_exec_t *exec = NULL;
    CHECK_OK(tspar_exec_new(threads, NULL, NULL, &exec));
    return exec;
}

/* ------------------------------------------------------------------------
 * Watchdog: every thread (the main thread is slot NUM_THREADS) bumps its
 * progress counter as it goes; a thread whose counter stays still for
 * hang_seconds fails the test. */

static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long progress[NUM_THREADS + 1];
static const char *doing[NUM_THREADS + 1];
static int finished[NUM_THREADS + 1];
static int all_done;
static long hang_seconds = 60;

static void step(int slot, const char *what)
{
    pthread_mutex_lock(&progress_lock);
    progress[slot]++;
    doing[slot] = what;
    pthread_mutex_unlock(&progress_lock);
}

static void finish(int slot)
{
    pthread_mutex_lock(&progress_lock);
    finished[slot] = 1;
    doing[slot] = "finished";
    pthread_mutex_unlock(&progress_lock);
}

static void *watchdog(void *arg)
{
    unsigned long seen[NUM_THREADS + 1];
    long still[NUM_THREADS + 1];
    int j;
    (void) arg;
    memset(seen, 0, sizeof seen);
    memset(still, 0, sizeof still);
    for (;;) {
        struct timespec tick = { 0, 100000000 }; /* 0.1 s */
        int hung = 0;
        nanosleep(&tick, NULL);
        pthread_mutex_lock(&progress_lock);
        if (all_done) {
            pthread_mutex_unlock(&progress_lock);
            return NULL;
        }
        for (j = 0; j <= NUM_THREADS; j++) {
            if (finished[j] || progress[j] != seen[j]) {
                seen[j] = progress[j];
                still[j] = 0;
            } else if (++still[j] >= 10 * hang_seconds) {
                hung = 1;
            }
        }
        if (hung) {
            fprintf(stderr,
                "test_stress: WATCHDOG: no progress for %ld s, a deadlock or livelock in tspar.\n",
                hang_seconds);
            for (j = 0; j <= NUM_THREADS; j++) {
                fprintf(stderr, "  %s %d: %lu operations, %s for %ld s%s\n",
                    j == NUM_THREADS ? "main thread" : "thread", j, progress[j],
                    doing[j] ? doing[j] : "starting", still[j] / 10,
                    still[j] >= 10 * hang_seconds ? "  <-- stuck" : "");
            }
            fflush(stderr);
            _exit(1);
        }
        pthread_mutex_unlock(&progress_lock);
    }
}

/* ------------------------------------------------------------------------
 * Shared state. */

static const char *example_path;
static const char *scratch;
static unsigned base_seed = DEFAULT_SEED;
static long ops_per_thread = DEFAULT_OPS;

static tspar_tables_t *A, *B, *E1, *E2, *P, *S;
static tspar_tables_t *P_expected, *S_base, *E_expected; /* read only */
static tspar_bookmark_t S_base_rows;
static tspar_id_t S_old, S_young;
static tspar_treeseq_t *ts;
static tspar_tree_t *shared_cursor;
static tspar_exec_t *execs[3]; /* 1, 2 and 3 tspar threads; NULL also used */
static uint64_t num_trees, E_trees, P_trees;
static double L;

/* Rows each thread added to A (0) and B (1) that succeeded: the next
 * sequence number of each kind of row. */
static long added_nodes[2][NUM_THREADS], added_edges[2][NUM_THREADS], added_sites[2][NUM_THREADS];

/* The columns rewritten on E1 and E2, read from E_expected. */
typedef struct {
    void *data;
    tspar_size_t length;
} column_t;
static column_t node_flags, node_time, node_population, node_individual, node_md, node_md_offset;
static column_t site_position, site_state, site_state_offset, site_md, site_md_offset;
static column_t edge_left;
static char *E_metadata;
static tspar_size_t E_metadata_length;
static column_t ts_time, ts_edge_parent, ts_site_position;

static column_t read_column(const tspar_tables_t *t, const char *name, int dtype, size_t elem)
{
    column_t c;
    int got;
    CHECK_OK(tspar_tables_column_info(t, name, &got, &c.length));
    c.data = malloc(c.length * elem + 1);
    CHECK(c.data != NULL);
    CHECK_EQ(tspar_tables_get_column(t, name, dtype, c.data, c.length), c.length);
    return c;
}

static column_t ts_column(const char *name)
{
    column_t c;
    const void *data;
    int dtype;
    CHECK_OK(tspar_treeseq_column(ts, name, &dtype, &data, &c.length));
    CHECK(dtype == TSPAR_DTYPE_FLOAT64 || dtype == TSPAR_DTYPE_INT32);
    c.data = malloc(c.length * 8 + 1);
    CHECK(c.data != NULL);
    memcpy(c.data, data, c.length * (dtype == TSPAR_DTYPE_FLOAT64 ? 8 : 4));
    return c;
}

/* ------------------------------------------------------------------------
 * Random numbers: xorshift64*, one state per thread. */

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned) ((next_random(s) >> 33) % n);
}

/* ------------------------------------------------------------------------
 * Rows of A and B: each carries its writer w and sequence number k. */

static int node_md_of(char *buf, size_t size, int w, long k)
{
    return snprintf(buf, size, "n%d.%ld%s", w, k, k % 3 ? "" : "..");
}

static int site_state_of(char *buf, int w, long k)
{
    int n = (int) (k % 5) + 1;
    memset(buf, 'A' + w, (size_t) n);
    return n;
}

static int check_node(const tspar_tables_t *t, tspar_id_t j, long *k)
{
    tspar_node_t row;
    char md[64], want[64];
    int w, n;
    CHECK_OK(tspar_tables_get_node(t, j, &row, md, sizeof md));
    w = (int) row.flags;
    *k = row.individual;
    CHECK(w >= 0 && w < NUM_THREADS && *k >= 0 && *k < STRIDE);
    CHECK(row.time == w * STRIDE + *k && row.population == w);
    n = node_md_of(want, sizeof want, w, *k);
    CHECK(row.metadata_length == (tspar_size_t) n && memcmp(md, want, (size_t) n) == 0);
    return w;
}

static int check_edge(const tspar_tables_t *t, tspar_id_t j, long *k)
{
    tspar_edge_t row;
    int w;
    CHECK_OK(tspar_tables_get_edge(t, j, &row, NULL, 0));
    w = row.parent;
    *k = row.child;
    CHECK(w >= 0 && w < NUM_THREADS && *k >= 0 && *k < STRIDE);
    CHECK(row.left == w * STRIDE + *k && row.right == row.left + 0.5 && row.metadata_length == 0);
    return w;
}

static int check_site(const tspar_tables_t *t, tspar_id_t j, long *k)
{
    tspar_site_t row;
    char state[8], want[8];
    int w, n;
    double x;
    CHECK_OK(tspar_tables_get_site(t, j, &row, state, sizeof state, NULL, 0));
    CHECK(row.ancestral_state_length >= 1 && row.metadata_length == 0);
    w = state[0] - 'A';
    CHECK(w >= 0 && w < NUM_THREADS);
    x = row.position - w * STRIDE;
    *k = (long) x;
    CHECK(x == (double) *k && *k >= 0 && *k < STRIDE);
    n = site_state_of(want, w, *k);
    CHECK(row.ancestral_state_length == (tspar_size_t) n && memcmp(state, want, (size_t) n) == 0);
    return w;
}

/* Every row of a snapshot is whole and each writer's rows come in the order
 * it added them; with `exact`, each writer's rows are all there. */
static void check_snapshot(const tspar_tables_t *t, int h, int exact)
{
    int (*checks[3])(const tspar_tables_t *, tspar_id_t, long *) = { check_node, check_edge,
        check_site };
    int tables[3] = { TSPAR_TABLE_NODES, TSPAR_TABLE_EDGES, TSPAR_TABLE_SITES };
    long *added[3];
    int c, w;
    added[0] = added_nodes[h];
    added[1] = added_edges[h];
    added[2] = added_sites[h];
    for (c = 0; c < 3; c++) {
        long next[NUM_THREADS] = { 0 };
        long k;
        int64_t n = tspar_tables_num_rows(t, tables[c]);
        tspar_id_t j;
        CHECK(n >= 0);
        for (j = 0; j < (tspar_id_t) n; j++) {
            w = checks[c](t, j, &k);
            CHECK_EQ(k, next[w]);
            next[w]++;
        }
        if (exact) {
            int64_t total = 0;
            for (w = 0; w < NUM_THREADS; w++) {
                CHECK_EQ(next[w], added[c][w]);
                total += added[c][w];
            }
            CHECK_EQ(n, total);
        }
    }
}

/* ------------------------------------------------------------------------
 * Statistics: every function, in every mode it has, with a result made by
 * one thread before the stress starts. */

enum {
    ST_DIVERSITY, ST_SEGSITES, ST_Y1, ST_TAJIMA, ST_DIVERGENCE, ST_FST, ST_Y2, ST_F2, ST_GR,
    ST_Y3, ST_F3, ST_F4, ST_TRAIT_COV, ST_TRAIT_CORR, ST_GRW, ST_DIV_MATRIX, ST_GR_MATRIX,
    ST_AFS, ST_GENERAL, ST_COUNT
};
static const char *stat_names[ST_COUNT] = { "diversity", "segregating_sites", "Y1",
    "Tajimas_D", "divergence", "Fst", "Y2", "f2", "genetic_relatedness", "Y3", "f3", "f4",
    "trait_covariance", "trait_correlation", "genetic_relatedness_weighted",
    "divergence_matrix", "genetic_relatedness_matrix", "allele_frequency_spectrum",
    "general_stat" };

typedef struct {
    int stat;
    tspar_flags_t options;
    size_t length;
    double *expected;
} stat_job_t;

#define MAX_JOBS (ST_COUNT * 3 * 2)
static stat_job_t jobs[MAX_JOBS];
static int num_jobs;
static size_t max_result_length;

static tspar_size_t set_sizes[NUM_SETS];
static tspar_id_t *set_members;
static tspar_id_t pairs[] = { 0, 1, 1, 2, 0, 0, 2, 3 };
static tspar_id_t triples[] = { 0, 1, 2, 1, 2, 3 };
static tspar_id_t quads[] = { 0, 1, 2, 3, 3, 2, 1, 0 };
static tspar_id_t weight_pairs[] = { 0, 1, 1, 1 };
static double windows[NUM_WINDOWS + 1];
static double *weights;     /* [sample][2] */
static double *gen_weights; /* [sample][1] */
static double gen_half;

static int general_summary(tspar_size_t state_dim, const double *state, tspar_size_t result_dim,
    double *result, void *params)
{
    const double *n = params;
    if (state_dim != 1 || result_dim != 1) {
        return 1;
    }
    result[0] = state[0] * (*n - state[0]);
    return 0;
}

static int run_stat(const stat_job_t *job, const tspar_exec_t *exec, double *out)
{
    tspar_size_t K = NUM_SETS, len = job->length, nw = NUM_WINDOWS;
    const tspar_size_t *sz = set_sizes;
    const tspar_id_t *ss = set_members;
    tspar_flags_t o = job->options;
    switch (job->stat) {
    case ST_DIVERSITY:
        return tspar_treeseq_diversity(ts, K, sz, ss, nw, windows, o, exec, out, len);
    case ST_SEGSITES:
        return tspar_treeseq_segregating_sites(ts, K, sz, ss, nw, windows, o, exec, out, len);
    case ST_Y1:
        return tspar_treeseq_Y1(ts, K, sz, ss, nw, windows, o, exec, out, len);
    case ST_TAJIMA:
        return tspar_treeseq_Tajimas_D(ts, K, sz, ss, nw, windows, o, exec, out, len);
    case ST_DIVERGENCE:
        return tspar_treeseq_divergence(ts, K, sz, ss, 4, pairs, nw, windows, o, exec, out, len);
    case ST_FST:
        return tspar_treeseq_Fst(ts, K, sz, ss, 4, pairs, nw, windows, o, exec, out, len);
    case ST_Y2:
        return tspar_treeseq_Y2(ts, K, sz, ss, 4, pairs, nw, windows, o, exec, out, len);
    case ST_F2:
        return tspar_treeseq_f2(ts, K, sz, ss, 4, pairs, nw, windows, o, exec, out, len);
    case ST_GR:
        return tspar_treeseq_genetic_relatedness(
            ts, K, sz, ss, 4, pairs, nw, windows, o, exec, out, len);
    case ST_Y3:
        return tspar_treeseq_Y3(ts, K, sz, ss, 2, triples, nw, windows, o, exec, out, len);
    case ST_F3:
        return tspar_treeseq_f3(ts, K, sz, ss, 2, triples, nw, windows, o, exec, out, len);
    case ST_F4:
        return tspar_treeseq_f4(ts, K, sz, ss, 2, quads, nw, windows, o, exec, out, len);
    case ST_TRAIT_COV:
        return tspar_treeseq_trait_covariance(ts, 2, weights, nw, windows, o, exec, out, len);
    case ST_TRAIT_CORR:
        return tspar_treeseq_trait_correlation(ts, 2, weights, nw, windows, o, exec, out, len);
    case ST_GRW:
        return tspar_treeseq_genetic_relatedness_weighted(
            ts, 2, weights, 2, weight_pairs, nw, windows, o, exec, out, len);
    case ST_DIV_MATRIX:
        return tspar_treeseq_divergence_matrix(ts, K, sz, ss, nw, windows, o, exec, out, len);
    case ST_GR_MATRIX:
        return tspar_treeseq_genetic_relatedness_matrix(
            ts, K, sz, ss, nw, windows, o, exec, out, len);
    case ST_AFS:
        /* Sets 0 and 1. */
        return tspar_treeseq_allele_frequency_spectrum(
            ts, 2, sz, ss, nw, windows, o, exec, out, len);
    case ST_GENERAL:
        return tspar_treeseq_general_stat(
            ts, 1, gen_weights, 1, general_summary, &gen_half, nw, windows, o, exec, out, len);
    default:
        return -1000;
    }
}

/* Values per window (per node in node mode) of a statistic. */
static size_t stat_row(int stat)
{
    switch (stat) {
    case ST_DIVERSITY: case ST_SEGSITES: case ST_Y1: case ST_TAJIMA:
        return NUM_SETS;
    case ST_DIVERGENCE: case ST_FST: case ST_Y2: case ST_F2: case ST_GR:
        return 4;
    case ST_Y3: case ST_F3: case ST_F4: case ST_TRAIT_COV: case ST_TRAIT_CORR: case ST_GRW:
        return 2;
    case ST_DIV_MATRIX: case ST_GR_MATRIX:
        return NUM_SETS * NUM_SETS;
    case ST_AFS:
        return (size_t) ((set_sizes[0] + 1) * (set_sizes[1] + 1));
    default:
        return 1;
    }
}

static void make_jobs(void)
{
    tspar_flags_t modes[3] = { TSPAR_STAT_SITE, TSPAR_STAT_BRANCH, TSPAR_STAT_NODE };
    int s, m, v;
    size_t nodes = tspar_treeseq_num_nodes(ts);
    for (s = 0; s < ST_COUNT; s++) {
        for (m = 0; m < 3; m++) {
            /* Matrices and the spectrum have no node mode. */
            if (m == 2 && (s == ST_DIV_MATRIX || s == ST_GR_MATRIX || s == ST_AFS)) {
                continue;
            }
            for (v = 0; v < 2; v++) {
                stat_job_t *job = &jobs[num_jobs++];
                job->stat = s;
                job->options = modes[m];
                if (v == 1) {
                    job->options |= s == ST_AFS ? TSPAR_STAT_POLARISED : TSPAR_STAT_SPAN_NORMALISE;
                }
                job->length = NUM_WINDOWS * stat_row(s) * (m == 2 ? nodes : 1);
                if (job->length > max_result_length) {
                    max_result_length = job->length;
                }
                job->expected = calloc(job->length, sizeof(double));
                CHECK(job->expected != NULL);
                if (run_stat(job, execs[0], job->expected) < 0) {
                    fprintf(stderr, "statistic %s, options %#x, one thread: %s (%s)\n",
                        stat_names[s], (unsigned) job->options,
                        tspar_strerror(run_stat(job, execs[0], job->expected)),
                        tspar_last_error_message());
                    exit(1);
                }
                step(NUM_THREADS, "one-thread statistics");
            }
        }
    }
}

/* ------------------------------------------------------------------------
 * Trees: the hash of every tree, from one thread's walk. */

static uint64_t *tree_hash;

static uint64_t mix(uint64_t h, uint64_t x)
{
    int j;
    for (j = 0; j < 8; j++) {
        h ^= (x >> (8 * j)) & 0xff;
        h *= 1099511628211ULL;
    }
    return h;
}

/* The hash of the cursor's current tree; sets *index. The order of
 * children depends on how the cursor got there (forwards, backwards, a
 * seek), so only the parent, child-count and sample-count arrays count. */
static uint64_t hash_tree(tspar_tree_t *tree, int64_t *index)
{
    tspar_tree_arrays_t a;
    double left, right;
    uint64_t u, bits, h = 14695981039346656037ULL;
    CHECK_OK(tspar_tree_get_interval(tree, index, &left, &right));
    CHECK_OK(tspar_tree_get_arrays(tree, &a));
    h = mix(h, (uint64_t) *index);
    memcpy(&bits, &left, sizeof bits);
    h = mix(h, bits);
    memcpy(&bits, &right, sizeof bits);
    h = mix(h, bits);
    for (u = 0; u < a.length; u++) {
        h = mix(h, (uint64_t) (uint32_t) a.parent[u]);
        h = mix(h, (uint64_t) (uint32_t) a.num_children[u]);
        h = mix(h, (uint64_t) (uint32_t) a.num_samples[u]);
    }
    return h;
}

static void check_tree(tspar_tree_t *tree, int rc)
{
    int64_t index;
    uint64_t h;
    CHECK(rc == 0 || rc == 1);
    h = hash_tree(tree, &index);
    if (rc == 1) {
        CHECK(index >= 0 && (uint64_t) index < num_trees);
        CHECK(h == tree_hash[index]);
    } else {
        CHECK(index == -1);
    }
}

/* ------------------------------------------------------------------------
 * The workers. */

typedef struct {
    int w;
    uint64_t rng;
    tspar_tree_t *cursor;
    double *out;
    char path[4096];
    int dumps;
    tspar_bookmark_t mark;
    int have_mark;
    long ops[16];
    long equal_ab, shared_ok, shared_busy, trunc_refused;
} worker_t;

enum {
    OP_ADD, OP_APPEND, OP_GET, OP_COPY, OP_EQUALS, OP_DUMP, OP_REWRITE, OP_COLUMNS, OP_SIMPLIFY,
    OP_SIMULATE, OP_STAT, OP_CURSOR, OP_SHARED_CURSOR, OP_TS_READ, OP_TS_MAKE, OP_COUNT
};
static const char *op_names[OP_COUNT] = { "add rows to A/B", "append columns to A/B",
    "get rows of A/B", "copy A/B", "equals both orders", "dump and load", "rewrite E columns",
    "read E columns", "simplify/sort P", "record/add/sort/truncate S", "statistic",
    "own cursor", "shared cursor", "tree sequence columns", "load / from_tables" };
/* Relative frequency of each operation. */
static const unsigned op_weight[OP_COUNT] = { 10, 4, 8, 2, 8, 1, 4, 4, 2, 6, 10, 6, 6, 3, 1 };

static tspar_tables_t *ab(int h)
{
    return h ? B : A;
}

static const tspar_exec_t *any_exec(worker_t *me)
{
    unsigned j = pick(&me->rng, 4);
    return j == 3 ? NULL : execs[j];
}

static void op_add(worker_t *me)
{
    int h = (int) pick(&me->rng, 2), w = me->w, n;
    tspar_tables_t *t = ab(h);
    char buf[64];
    long k;
    switch (pick(&me->rng, 3)) {
    case 0:
        k = added_nodes[h][w];
        n = node_md_of(buf, sizeof buf, w, k);
        CHECK_OK(tspar_tables_add_node(t, (tspar_flags_t) w, w * STRIDE + k, w, (tspar_id_t) k, buf,
            (tspar_size_t) n));
        added_nodes[h][w]++;
        break;
    case 1:
        k = added_edges[h][w];
        CHECK_OK(tspar_tables_add_edge(t, w * STRIDE + k, w * STRIDE + k + 0.5, w, (tspar_id_t) k, NULL, 0));
        added_edges[h][w]++;
        break;
    default:
        k = added_sites[h][w];
        n = site_state_of(buf, w, k);
        CHECK_OK(tspar_tables_add_site(t, w * STRIDE + k, buf, (tspar_size_t) n, NULL, 0));
        added_sites[h][w]++;
        break;
    }
}

static void op_append(worker_t *me)
{
    int h = (int) pick(&me->rng, 2), w = me->w;
    unsigned n = 1 + pick(&me->rng, 5), j;
    tspar_flags_t flags[5];
    double time[5];
    tspar_id_t pop[5], ind[5];
    char md[5 * 64];
    tspar_size_t off[6];
    off[0] = 0;
    for (j = 0; j < n; j++) {
        long k = added_nodes[h][w] + j;
        flags[j] = (tspar_flags_t) w;
        time[j] = w * STRIDE + k;
        pop[j] = w;
        ind[j] = (tspar_id_t) k;
        off[j + 1] = off[j] + (tspar_size_t) node_md_of(md + off[j], 64, w, k);
    }
    CHECK_OK(tspar_tables_append_nodes(ab(h), n, flags, time, pop, ind, md, off));
    added_nodes[h][w] += n;
}

static void op_get(worker_t *me)
{
    int h = (int) pick(&me->rng, 2), r;
    tspar_tables_t *t = ab(h);
    long k;
    for (r = 0; r < 3; r++) {
        int table = r == 0 ? TSPAR_TABLE_NODES : r == 1 ? TSPAR_TABLE_EDGES : TSPAR_TABLE_SITES;
        int64_t n = tspar_tables_num_rows(t, table);
        tspar_id_t j;
        CHECK(n >= 0);
        if (n == 0) {
            continue;
        }
        j = (tspar_id_t) pick(&me->rng, (unsigned) n);
        if (r == 0) {
            check_node(t, j, &k);
        } else if (r == 1) {
            check_edge(t, j, &k);
        } else {
            check_site(t, j, &k);
        }
    }
    /* A thread's error message is its own. */
    {
        tspar_node_t row;
        char needle[32];
        tspar_id_t bad = 50000000 + me->w * 1000 + (tspar_id_t) pick(&me->rng, 1000);
        FORMAT(needle, "%d", (int) bad);
        CHECK_ERR(tspar_tables_get_node(t, bad, &row, NULL, 0), TSPAR_ERR_NODE_OUT_OF_BOUNDS, needle);
    }
}

static void op_copy(worker_t *me)
{
    int h = (int) pick(&me->rng, 2);
    tspar_tables_t *copy = NULL;
    CHECK_OK(tspar_tables_copy(ab(h), &copy));
    check_snapshot(copy, h, 0);
    tspar_tables_free(copy);
}

static void op_equals(worker_t *me)
{
    int rc;
    if (pick(&me->rng, 2)) {
        /* A and B have writers: any answer, but an answer. */
        rc = tspar_tables_equals(A, B, 0);
        CHECK(rc == 0 || rc == 1);
        me->equal_ab += rc;
        rc = tspar_tables_equals(B, A, 0);
        CHECK(rc == 0 || rc == 1);
    } else {
        /* E1 and E2 are rewritten with what they hold: always equal. */
        CHECK_EQ(tspar_tables_equals(E1, E2, 0), 1);
        CHECK_EQ(tspar_tables_equals(E2, E1, 0), 1);
    }
}

static void op_dump(worker_t *me)
{
    tspar_tables_t *back = NULL;
    int which = (int) pick(&me->rng, 3);
    FORMAT(me->path, "%s/w%d-%d.trees", scratch, me->w, me->dumps++);
    if (which < 2) {
        CHECK_OK(tspar_tables_dump(ab(which), me->path, 0));
        CHECK_OK(tspar_tables_load(me->path, 0, NULL, &back));
        check_snapshot(back, which, 0);
    } else {
        CHECK_OK(tspar_tables_dump(E1, me->path, 0));
        CHECK_OK(tspar_tables_load(me->path, 0, NULL, &back));
        CHECK_EQ(tspar_tables_equals(back, E_expected, 0), 1);
    }
    tspar_tables_free(back);
    remove(me->path);
}

static void op_rewrite(worker_t *me)
{
    tspar_tables_t *t = pick(&me->rng, 2) ? E1 : E2;
    switch (pick(&me->rng, 4)) {
    case 0:
        CHECK_OK(tspar_tables_set_nodes(t, node_time.length, node_flags.data, node_time.data,
            node_population.data, node_individual.data, node_md.data, node_md_offset.data));
        break;
    case 1:
        CHECK_OK(tspar_tables_set_sites(t, site_position.length, site_position.data,
            site_state.data, site_state_offset.data, site_md.data, site_md_offset.data));
        break;
    case 2:
        CHECK_OK(tspar_tables_set_field(t, "metadata", E_metadata, E_metadata_length));
        break;
    default:
        CHECK_OK(tspar_tables_sort(t, 0, 0, any_exec(me)));
        break;
    }
}

static void op_columns(worker_t *me)
{
    tspar_tables_t *t = pick(&me->rng, 2) ? E1 : E2;
    double buf[4096];
    char bytes[8192];
    tspar_size_t n;
    int dtype;
    CHECK(node_time.length <= 4096 && edge_left.length <= 4096 && site_state.length <= 8192);
    CHECK_OK(tspar_tables_column_info(t, "nodes/time", &dtype, &n));
    CHECK(dtype == TSPAR_DTYPE_FLOAT64 && n == node_time.length);
    CHECK_EQ(tspar_tables_get_column(t, "nodes/time", TSPAR_DTYPE_FLOAT64, buf, 4096), n);
    CHECK(memcmp(buf, node_time.data, n * sizeof(double)) == 0);
    CHECK_EQ(tspar_tables_get_column(t, "edges/left", TSPAR_DTYPE_FLOAT64, buf, 4096), edge_left.length);
    CHECK(memcmp(buf, edge_left.data, edge_left.length * sizeof(double)) == 0);
    CHECK_EQ(tspar_tables_get_column(t, "sites/ancestral_state", TSPAR_DTYPE_INT8, bytes, 8192),
        site_state.length);
    CHECK(memcmp(bytes, site_state.data, site_state.length) == 0);
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_NODES), node_time.length);
}

static void op_simplify(worker_t *me)
{
    switch (pick(&me->rng, 3)) {
    case 0:
        CHECK_OK(tspar_tables_simplify(P, NULL, 0, 0, any_exec(me), NULL, 0));
        break;
    case 1:
        CHECK_OK(tspar_tables_sort(P, 0, 0, any_exec(me)));
        break;
    default:
        CHECK_EQ(tspar_tables_equals(P, P_expected, 0), 1);
        CHECK_EQ(tspar_tables_equals(P_expected, P, 0), 1);
        break;
    }
}

/* The simulator's pattern on S: bookmarks, births, sorting the new edges,
 * undoing. The added edges join two base nodes (the oldest and a younger
 * one), which exist throughout, so every added edge passes sort's checks. */
static void op_simulate(worker_t *me)
{
    tspar_bookmark_t now;
    int rc;
    switch (pick(&me->rng, 5)) {
    case 0:
        CHECK_OK(tspar_tables_record_num_rows(S, &me->mark));
        CHECK(me->mark.nodes >= S_base_rows.nodes && me->mark.edges >= S_base_rows.edges);
        CHECK(me->mark.sites == S_base_rows.sites && me->mark.mutations == S_base_rows.mutations);
        me->have_mark = 1;
        break;
    case 1: {
        tspar_id_t u = tspar_tables_add_node(S, 0, 1e6 + me->w, TSPAR_NULL, TSPAR_NULL, NULL, 0);
        CHECK_OK(u);
        CHECK(u >= (tspar_id_t) S_base_rows.nodes);
        CHECK_OK(tspar_tables_add_edge(
            S, 0, L * (0.1 + 0.1 * me->w) / NUM_THREADS + 0.5, S_old, S_young, NULL, 0));
        break;
    }
    case 2:
        CHECK_OK(tspar_tables_sort(S, S_base_rows.edges, 0, any_exec(me)));
        break;
    case 3:
        if (me->have_mark) {
            rc = tspar_tables_truncate(S, &me->mark);
            if (rc == TSPAR_ERR_BAD_TABLE_POSITION) {
                me->trunc_refused++; /* another thread truncated below the mark */
            } else {
                CHECK_OK(rc);
            }
            me->have_mark = 0;
        }
        break;
    default:
        CHECK_OK(tspar_tables_truncate(S, &S_base_rows));
        CHECK_OK(tspar_tables_record_num_rows(S, &now));
        CHECK(now.nodes >= S_base_rows.nodes);
        break;
    }
}

static void op_stat(worker_t *me)
{
    const stat_job_t *job = &jobs[pick(&me->rng, (unsigned) num_jobs)];
    memset(me->out, 0, max_result_length * sizeof(double));
    if (run_stat(job, any_exec(me), me->out) < 0) {
        fprintf(stderr, "thread %d: statistic %s, options %#x: %s (%s)\n", me->w,
            stat_names[job->stat], (unsigned) job->options,
            tspar_strerror(run_stat(job, NULL, me->out)), tspar_last_error_message());
        exit(1);
    }
    if (memcmp(me->out, job->expected, job->length * sizeof(double)) != 0) {
        fprintf(stderr, "thread %d: statistic %s, options %#x differs from one thread's result\n",
            me->w, stat_names[job->stat], (unsigned) job->options);
        exit(1);
    }
}

static void op_cursor(worker_t *me)
{
    int moves = 1 + (int) pick(&me->rng, 8), j, rc;
    for (j = 0; j < moves; j++) {
        switch (pick(&me->rng, 6)) {
        case 0:
            rc = tspar_tree_next(me->cursor);
            break;
        case 1:
            rc = tspar_tree_prev(me->cursor);
            break;
        case 2:
            rc = tspar_tree_seek_index(me->cursor, pick(&me->rng, (unsigned) num_trees), 0);
            break;
        case 3:
            rc = tspar_tree_seek(me->cursor, L * pick(&me->rng, 1000) / 1000.0, 0);
            break;
        case 4:
            rc = tspar_tree_first(me->cursor);
            break;
        default:
            rc = tspar_tree_last(me->cursor);
            break;
        }
        check_tree(me->cursor, rc);
    }
}

static void shared_cursor_call(worker_t *me)
{
    tspar_id_t roots[1024];
    double left, right;
    int64_t index, rc;
    switch (pick(&me->rng, 6)) {
    case 0:
        rc = tspar_tree_next(shared_cursor);
        break;
    case 1:
        rc = tspar_tree_prev(shared_cursor);
        break;
    case 2:
        rc = tspar_tree_seek_index(shared_cursor, pick(&me->rng, (unsigned) num_trees), 0);
        break;
    case 3:
        rc = tspar_tree_get_interval(shared_cursor, &index, &left, &right);
        if (rc == 0 && index >= 0) {
            CHECK((uint64_t) index < num_trees && left < right);
        }
        break;
    case 4:
        rc = tspar_tree_get_roots(shared_cursor, roots, 1024);
        break;
    default:
        rc = tspar_tree_first(shared_cursor);
        break;
    }
    if (rc == TSPAR_ERR_BUSY) {
        me->shared_busy++;
    } else if (rc >= 0) {
        me->shared_ok++;
    } else {
        fprintf(stderr, "thread %d: shared cursor call gave %lld (%s), not success or BUSY\n",
            me->w, (long long) rc, tspar_strerror((int) rc));
        exit(1);
    }
}

/* A burst of calls on the one shared cursor. Only calls that copy out: the
 * shared cursor's arrays may change under a reader (the one misuse the
 * library cannot check). */
static void op_shared_cursor(worker_t *me)
{
    int j;
    for (j = 0; j < 32; j++) {
        shared_cursor_call(me);
    }
}

static void op_ts_read(worker_t *me)
{
    const void *data;
    tspar_size_t n;
    int dtype;
    const char *names[3] = { "nodes/time", "edges/parent", "sites/position" };
    column_t *want[3] = { &ts_time, &ts_edge_parent, &ts_site_position };
    unsigned j = pick(&me->rng, 3);
    CHECK_OK(tspar_treeseq_column(ts, names[j], &dtype, &data, &n));
    CHECK(n == want[j]->length);
    CHECK(memcmp(data, want[j]->data, n * (dtype == TSPAR_DTYPE_FLOAT64 ? 8 : 4)) == 0);
    CHECK(tspar_treeseq_breakpoints(ts)[num_trees] == L);
    CHECK(tspar_treeseq_samples(ts)[0] == set_members[0]);
    CHECK(tspar_treeseq_num_trees(ts) == (int64_t) num_trees);
}

static void op_ts_make(worker_t *me)
{
    tspar_treeseq_t *made = NULL;
    switch (pick(&me->rng, 3)) {
    case 0:
        CHECK_OK(tspar_treeseq_load(example_path, 0, any_exec(me), &made));
        CHECK(tspar_treeseq_num_trees(made) == (int64_t) num_trees);
        break;
    case 1:
        CHECK_OK(tspar_treeseq_from_tables(E1, TSPAR_TS_INIT_BUILD_INDEXES, any_exec(me), &made));
        CHECK(tspar_treeseq_num_trees(made) == (int64_t) E_trees);
        break;
    default:
        CHECK_OK(tspar_treeseq_from_tables(P, TSPAR_TS_INIT_BUILD_INDEXES, any_exec(me), &made));
        CHECK(tspar_treeseq_num_trees(made) == (int64_t) P_trees);
        break;
    }
    tspar_treeseq_free(made);
}

static void *worker(void *arg)
{
    worker_t *me = arg;
    unsigned total = 0, j;
    long i;
    for (j = 0; j < OP_COUNT; j++) {
        total += op_weight[j];
    }
    CHECK_OK(tspar_tree_new(ts, 0, &me->cursor));
    me->out = malloc(max_result_length * sizeof(double));
    CHECK(me->out != NULL);
    for (i = 0; i < ops_per_thread; i++) {
        unsigned r = pick(&me->rng, total), op = 0;
        while (r >= op_weight[op]) {
            r -= op_weight[op];
            op++;
        }
        step(me->w, op_names[op]);
        switch (op) {
        case OP_ADD: op_add(me); break;
        case OP_APPEND: op_append(me); break;
        case OP_GET: op_get(me); break;
        case OP_COPY: op_copy(me); break;
        case OP_EQUALS: op_equals(me); break;
        case OP_DUMP: op_dump(me); break;
        case OP_REWRITE: op_rewrite(me); break;
        case OP_COLUMNS: op_columns(me); break;
        case OP_SIMPLIFY: op_simplify(me); break;
        case OP_SIMULATE: op_simulate(me); break;
        case OP_STAT: op_stat(me); break;
        case OP_CURSOR: op_cursor(me); break;
        case OP_SHARED_CURSOR: op_shared_cursor(me); break;
        case OP_TS_READ: op_ts_read(me); break;
        default: op_ts_make(me); break;
        }
        me->ops[op]++;
    }
    /* The last operation on S: back to the base. */
    step(me->w, "final truncate of S");
    CHECK_OK(tspar_tables_truncate(S, &S_base_rows));
    free(me->out);
    tspar_tree_free(me->cursor);
    finish(me->w);
    return NULL;
}

/* ------------------------------------------------------------------------
 * Set-up and the final checks. */

static void setup(void)
{
    tspar_tables_t *loaded = NULL, *again = NULL;
    tspar_tree_t *tree = NULL;
    const tspar_id_t *samples;
    size_t n, j;
    int rc;

    execs[0] = exec_make(1);
    execs[1] = exec_make(2);
    execs[2] = exec_make(3);

    CHECK_OK(tspar_treeseq_load(example_path, 0, execs[0], &ts));
    L = tspar_treeseq_sequence_length(ts);
    num_trees = tspar_treeseq_num_trees(ts);
    CHECK(num_trees > 1);

    /* E: the example's tables, sorted; sorting them again changes nothing. */
    CHECK_OK(tspar_tables_load(example_path, 0, NULL, &loaded));
    CHECK_OK(tspar_tables_sort(loaded, 0, 0, execs[0]));
    E_expected = loaded;
    CHECK_OK(tspar_tables_copy(E_expected, &E1));
    CHECK_OK(tspar_tables_copy(E_expected, &E2));
    CHECK_OK(tspar_tables_sort(E1, 0, 0, execs[1]));
    CHECK_EQ(tspar_tables_equals(E1, E_expected, 0), 1);
    {
        tspar_treeseq_t *made = NULL;
        CHECK_OK(tspar_treeseq_from_tables(E1, TSPAR_TS_INIT_BUILD_INDEXES, execs[0], &made));
        E_trees = tspar_treeseq_num_trees(made);
        tspar_treeseq_free(made);
    }
    node_flags = read_column(E_expected, "nodes/flags", TSPAR_DTYPE_UINT32, 4);
    node_time = read_column(E_expected, "nodes/time", TSPAR_DTYPE_FLOAT64, 8);
    node_population = read_column(E_expected, "nodes/population", TSPAR_DTYPE_INT32, 4);
    node_individual = read_column(E_expected, "nodes/individual", TSPAR_DTYPE_INT32, 4);
    node_md = read_column(E_expected, "nodes/metadata", TSPAR_DTYPE_INT8, 1);
    node_md_offset = read_column(E_expected, "nodes/metadata_offset", TSPAR_DTYPE_UINT64, 8);
    site_position = read_column(E_expected, "sites/position", TSPAR_DTYPE_FLOAT64, 8);
    site_state = read_column(E_expected, "sites/ancestral_state", TSPAR_DTYPE_INT8, 1);
    site_state_offset = read_column(E_expected, "sites/ancestral_state_offset", TSPAR_DTYPE_UINT64, 8);
    site_md = read_column(E_expected, "sites/metadata", TSPAR_DTYPE_INT8, 1);
    site_md_offset = read_column(E_expected, "sites/metadata_offset", TSPAR_DTYPE_UINT64, 8);
    edge_left = read_column(E_expected, "edges/left", TSPAR_DTYPE_FLOAT64, 8);
    /* The collection's metadata, which threads set again to the same bytes. */
    CHECK_OK(tspar_tables_get_field(E_expected, "metadata", NULL, 0, &E_metadata_length));
    E_metadata = malloc(E_metadata_length + 1);
    CHECK(E_metadata != NULL);
    CHECK_OK(tspar_tables_get_field(E_expected, "metadata", E_metadata, E_metadata_length + 1, &E_metadata_length));

    /* P: the example without migrations, simplified; simplify and sort
     * leave it as it is. */
    CHECK_OK(tspar_tables_copy(E_expected, &again));
    CHECK_OK(tspar_tables_set_migrations(again, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
    CHECK_OK(tspar_tables_simplify(again, NULL, 0, 0, execs[0], NULL, 0));
    P_expected = again;
    CHECK_OK(tspar_tables_copy(P_expected, &P));
    CHECK_OK(tspar_tables_simplify(P, NULL, 0, 0, execs[1], NULL, 0));
    CHECK_EQ(tspar_tables_equals(P, P_expected, 0), 1);
    CHECK_OK(tspar_tables_sort(P, 0, 0, execs[2]));
    CHECK_EQ(tspar_tables_equals(P, P_expected, 0), 1);
    {
        tspar_treeseq_t *made = NULL;
        CHECK_OK(tspar_treeseq_from_tables(P, TSPAR_TS_INIT_BUILD_INDEXES, execs[0], &made));
        P_trees = tspar_treeseq_num_trees(made);
        tspar_treeseq_free(made);
    }

    /* S: starts as P. */
    CHECK_OK(tspar_tables_copy(P_expected, &S_base));
    CHECK_OK(tspar_tables_copy(P_expected, &S));
    CHECK_OK(tspar_tables_record_num_rows(S_base, &S_base_rows));
    CHECK(S_base_rows.nodes >= 2);
    {
        column_t times = read_column(S_base, "nodes/time", TSPAR_DTYPE_FLOAT64, 8);
        const double *t = times.data;
        tspar_size_t u;
        S_old = 0;
        S_young = 0;
        for (u = 0; u < times.length; u++) {
            if (t[u] > t[S_old]) {
                S_old = (tspar_id_t) u;
            }
            if (t[u] < t[S_young]) {
                S_young = (tspar_id_t) u;
            }
        }
        CHECK(t[S_old] > t[S_young]);
        free(times.data);
    }

    CHECK_OK(tspar_tables_new(NUM_THREADS * STRIDE, &A));
    CHECK_OK(tspar_tables_new(NUM_THREADS * STRIDE, &B));

    /* Sample sets: four quarters of the samples. */
    n = tspar_treeseq_num_samples(ts);
    CHECK(n >= 2 * NUM_SETS);
    samples = tspar_treeseq_samples(ts);
    set_members = malloc(n * sizeof *set_members);
    weights = malloc(2 * n * sizeof *weights);
    gen_weights = malloc(n * sizeof *gen_weights);
    CHECK(set_members != NULL && weights != NULL && gen_weights != NULL);
    for (j = 0; j < NUM_SETS; j++) {
        set_sizes[j] = n / NUM_SETS + (j < n % NUM_SETS);
    }
    for (j = 0; j < n; j++) {
        set_members[j] = samples[j];
        weights[2 * j] = (double) (j % 7) - 3.0;
        weights[2 * j + 1] = sin((double) j);
        gen_weights[j] = j < n / 2;
    }
    gen_half = (double) (n / 2);
    for (j = 0; j <= NUM_WINDOWS; j++) {
        windows[j] = L * (double) j / NUM_WINDOWS;
    }
    windows[1] = L * 0.137;
    ts_time = ts_column("nodes/time");
    ts_edge_parent = ts_column("edges/parent");
    ts_site_position = ts_column("sites/position");

    /* Every tree's hash, walking forwards with one cursor. */
    tree_hash = malloc(num_trees * sizeof *tree_hash);
    CHECK(tree_hash != NULL);
    CHECK_OK(tspar_tree_new(ts, 0, &tree));
    j = 0;
    while ((rc = tspar_tree_next(tree)) == 1) {
        int64_t index;
        uint64_t h = hash_tree(tree, &index);
        CHECK_EQ(index, j);
        tree_hash[j++] = h;
    }
    CHECK_EQ(rc, 0);
    CHECK_EQ(j, num_trees);
    tspar_tree_free(tree);
    CHECK_OK(tspar_tree_new(ts, 0, &shared_cursor));

    make_jobs();
}

static void final_checks(worker_t *workers)
{
    int w, h, rc;
    long ok = 0, busy = 0;
    /* No lost rows: every add that succeeded is there, once, whole. */
    for (h = 0; h < 2; h++) {
        check_snapshot(ab(h), h, 1);
    }
    /* The handles whose state the operations leave as it was. */
    CHECK_EQ(tspar_tables_equals(E1, E_expected, 0), 1);
    CHECK_EQ(tspar_tables_equals(E2, E_expected, 0), 1);
    CHECK_EQ(tspar_tables_equals(P, P_expected, 0), 1);
    CHECK_EQ(tspar_tables_equals(S, S_base, 0), 1);
    /* The shared cursor still walks the trees as one thread did. */
    for (w = 0; w < NUM_THREADS; w++) {
        ok += workers[w].shared_ok;
        busy += workers[w].shared_busy;
    }
    CHECK(ok > 0);
    rc = tspar_tree_first(shared_cursor);
    while (rc == 1) {
        check_tree(shared_cursor, rc);
        rc = tspar_tree_next(shared_cursor);
    }
    CHECK_EQ(rc, 0);
    /* Statistics once more, after the stress. */
    {
        double *out = calloc(max_result_length, sizeof(double));
        int j;
        CHECK(out != NULL);
        for (j = 0; j < num_jobs; j++) {
            memset(out, 0, max_result_length * sizeof(double));
            CHECK_OK(run_stat(&jobs[j], execs[2], out));
            CHECK(memcmp(out, jobs[j].expected, jobs[j].length * sizeof(double)) == 0);
        }
        free(out);
    }
    printf("shared cursor: %ld calls succeeded, %ld got TSPAR_ERR_BUSY\n", ok, busy);
}

int main(int argc, char **argv)
{
    pthread_t threads[NUM_THREADS], dog;
    worker_t *workers;
    struct timespec t0, t1;
    const char *hang = getenv("TSPAR_STRESS_HANG_SECONDS");
    long total_ops = 0, per_op[OP_COUNT] = { 0 }, refused = 0, equal_ab = 0;
    int w, j;
    char *dir;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s EXAMPLE.trees [OPS_PER_THREAD [SEED]]\n", argv[0]);
        return 2;
    }
    example_path = argv[1];
    if (argc > 2) {
        ops_per_thread = strtol(argv[2], NULL, 10);
        CHECK(ops_per_thread > 0);
    }
    if (argc > 3) {
        base_seed = (unsigned) strtoul(argv[3], NULL, 10);
    }
    if (hang != NULL && hang[0] != '\0') {
        hang_seconds = strtol(hang, NULL, 10);
        CHECK(hang_seconds > 0);
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK(pthread_create(&dog, NULL, watchdog, NULL) == 0);
    dir = make_scratch_dir("tspar-test-stress");
    scratch = dir;

    step(NUM_THREADS, "set-up");
    setup();
    printf("test_stress: %d threads x %ld operations, seed %u, %d statistic jobs, %llu trees\n",
        NUM_THREADS, ops_per_thread, base_seed, num_jobs, (unsigned long long) num_trees);
    fflush(stdout);

    workers = calloc(NUM_THREADS, sizeof *workers);
    CHECK(workers != NULL);
    for (w = 0; w < NUM_THREADS; w++) {
        workers[w].w = w;
        workers[w].rng = 0x9E3779B97F4A7C15ULL * ((uint64_t) base_seed + 1) + (uint64_t) w * 7919 + 1;
        CHECK(pthread_create(&threads[w], NULL, worker, &workers[w]) == 0);
    }
    step(NUM_THREADS, "waiting for the workers");
    finish(NUM_THREADS); /* joining takes as long as the workers do */
    for (w = 0; w < NUM_THREADS; w++) {
        CHECK(pthread_join(threads[w], NULL) == 0);
    }
    pthread_mutex_lock(&progress_lock);
    finished[NUM_THREADS] = 0;
    pthread_mutex_unlock(&progress_lock);
    step(NUM_THREADS, "final checks");
    final_checks(workers);

    pthread_mutex_lock(&progress_lock);
    all_done = 1;
    pthread_mutex_unlock(&progress_lock);
    CHECK(pthread_join(dog, NULL) == 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);

    for (w = 0; w < NUM_THREADS; w++) {
        for (j = 0; j < OP_COUNT; j++) {
            per_op[j] += workers[w].ops[j];
            total_ops += workers[w].ops[j];
        }
        refused += workers[w].trunc_refused;
        equal_ab += workers[w].equal_ab;
    }
    for (j = 0; j < OP_COUNT; j++) {
        printf("  %-28s %6ld\n", op_names[j], per_op[j]);
    }
    printf("truncates refused (mark below another's truncate): %ld; A equal to B: %ld times\n",
        refused, equal_ab);
    printf("test_stress: ok, %ld operations in %.2f s\n", total_ops,
        (double) (t1.tv_sec - t0.tv_sec) + (double) (t1.tv_nsec - t0.tv_nsec) * 1e-9);

    tspar_tree_free(shared_cursor);
    tspar_treeseq_free(ts);
    for (j = 0; j < 3; j++) {
        tspar_exec_free(execs[j]);
    }
    tspar_tables_free(A);
    tspar_tables_free(B);
    tspar_tables_free(E1);
    tspar_tables_free(E2);
    tspar_tables_free(P);
    tspar_tables_free(S);
    tspar_tables_free(E_expected);
    tspar_tables_free(P_expected);
    tspar_tables_free(S_base);
    for (j = 0; j < num_jobs; j++) {
        free(jobs[j].expected);
    }
    free(workers);
    free(set_members);
    free(weights);
    free(gen_weights);
    free(tree_hash);
    free(E_metadata);
    remove_tree(dir);
    free(dir);
    return 0;
}
