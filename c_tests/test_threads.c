/* Many threads on one tspar_tables_t at once: adding rows to three tables
 * (with ragged fields), reading rows, copying and dumping while the others
 * write; then checking that no row was lost or torn. Also many threads
 * loading one file at once, each getting what a serial load gives.
 *
 * usage: test_threads EXAMPLE.trees */
#define _XOPEN_SOURCE 700
#include <pthread.h>

#include "check.h"
#include "tmpdir.h"

#define NUM_THREADS 8
#define ROWS_PER_THREAD 1500
#define COPY_EVERY 300
#define DUMP_EVERY 500
#define STRIDE 100000.0

static tspar_tables_t *shared;
static const char *scratch;

/* All threads start their work at the same moment. */
static pthread_mutex_t start_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t start_cond = PTHREAD_COND_INITIALIZER;
static int waiting;

static void start_together(void)
{
    pthread_mutex_lock(&start_lock);
    waiting++;
    if (waiting == NUM_THREADS) {
        pthread_cond_broadcast(&start_cond);
    }
    while (waiting < NUM_THREADS) {
        pthread_cond_wait(&start_cond, &start_lock);
    }
    pthread_mutex_unlock(&start_lock);
}

/* Every row carries its writer thread `w` and sequence number `k` in its
 * fixed fields and again in its ragged fields, whose lengths vary. */
static int node_metadata(char *buf, size_t size, int w, int k)
{
    int n = snprintf(buf, size, "node w%d k%d", w, k);
    int pad = k % 7;
    memset(buf + n, '.', (size_t) pad);
    return n + pad;
}

static int site_state(char *buf, int w, int k)
{
    int n = k % 5 + 1;
    memset(buf, 'A' + w, (size_t) n);
    return n;
}

static int site_metadata(char *buf, size_t size, int w, int k)
{
    return snprintf(buf, size, "site w%d k%d%s", w, k, k % 3 == 0 ? "" : " extra");
}

static int edge_metadata(char *buf, size_t size, int w, int k)
{
    return k % 2 ? snprintf(buf, size, "edge w%d k%d", w, k) : 0;
}

/* Checks node `j` of `t` is internally consistent; returns its writer and
 * sets *k to its sequence number. */
static int check_node(const tspar_tables_t *t, tspar_id_t j, int *k)
{
    tspar_node_t row;
    char md[64], want[64];
    int w, n;
    CHECK_OK(tspar_tables_get_node(t, j, &row, md, sizeof md));
    w = (int) row.flags;
    *k = row.individual;
    CHECK(w >= 0 && w < NUM_THREADS && *k >= 0 && *k < ROWS_PER_THREAD);
    CHECK(row.time == w * STRIDE + *k);
    CHECK(row.population == w);
    n = node_metadata(want, sizeof want, w, *k);
    CHECK(row.metadata_length == (tspar_size_t) n && memcmp(md, want, (size_t) n) == 0);
    return w;
}

static int check_edge(const tspar_tables_t *t, tspar_id_t j, int *k)
{
    tspar_edge_t row;
    char md[64], want[64];
    int w, n;
    CHECK_OK(tspar_tables_get_edge(t, j, &row, md, sizeof md));
    w = row.parent;
    *k = row.child;
    CHECK(w >= 0 && w < NUM_THREADS && *k >= 0 && *k < ROWS_PER_THREAD);
    CHECK(row.left == w * STRIDE + *k && row.right == row.left + 0.5);
    n = edge_metadata(want, sizeof want, w, *k);
    CHECK(row.metadata_length == (tspar_size_t) n && memcmp(md, want, (size_t) n) == 0);
    return w;
}

static int check_site(const tspar_tables_t *t, tspar_id_t j, int *k)
{
    tspar_site_t row;
    char state[8], md[64], want[64];
    int w, n;
    double x;
    CHECK_OK(tspar_tables_get_site(t, j, &row, state, sizeof state, md, sizeof md));
    CHECK(row.ancestral_state_length >= 1);
    w = state[0] - 'A';
    CHECK(w >= 0 && w < NUM_THREADS);
    x = row.position - w * STRIDE;
    *k = (int) x;
    CHECK(x == *k && *k >= 0 && *k < ROWS_PER_THREAD);
    n = site_state(want, w, *k);
    CHECK(row.ancestral_state_length == (tspar_size_t) n && memcmp(state, want, (size_t) n) == 0);
    n = site_metadata(want, sizeof want, w, *k);
    CHECK(row.metadata_length == (tspar_size_t) n && memcmp(md, want, (size_t) n) == 0);
    return w;
}

/* Checks every row of a snapshot (a copy, a reloaded dump): each one
 * consistent, and each writer's rows in the order it added them. */
static void check_snapshot(const tspar_tables_t *t)
{
    int (*checks[3])(const tspar_tables_t *, tspar_id_t, int *) = { check_node, check_edge,
        check_site };
    int tables[3] = { TSPAR_TABLE_NODES, TSPAR_TABLE_EDGES, TSPAR_TABLE_SITES };
    int c, w, k;
    for (c = 0; c < 3; c++) {
        int next[NUM_THREADS] = { 0 };
        int64_t n = tspar_tables_num_rows(t, tables[c]);
        tspar_id_t j;
        CHECK(n >= 0 && n <= NUM_THREADS * ROWS_PER_THREAD);
        for (j = 0; j < (tspar_id_t) n; j++) {
            w = checks[c](t, j, &k);
            CHECK_EQ(k, next[w]);
            next[w]++;
        }
    }
}

static void *writer(void *arg)
{
    int w = (int) (size_t) arg;
    unsigned seed = 12345u + (unsigned) w;
    char md[64], state[8], path[4096];
    int k, n, m, dumps = 0;

    start_together();
    for (k = 0; k < ROWS_PER_THREAD; k++) {
        n = node_metadata(md, sizeof md, w, k);
        CHECK_OK(tspar_tables_add_node(shared, (tspar_flags_t) w, w * STRIDE + k, w, k, md,
            (tspar_size_t) n));
        n = edge_metadata(md, sizeof md, w, k);
        CHECK_OK(tspar_tables_add_edge(shared, w * STRIDE + k, w * STRIDE + k + 0.5, w, k,
            n > 0 ? md : NULL, (tspar_size_t) n));
        n = site_state(state, w, k);
        m = site_metadata(md, sizeof md, w, k);
        CHECK_OK(tspar_tables_add_site(shared, w * STRIDE + k, state, (tspar_size_t) n, md,
            (tspar_size_t) m));

        /* Read a few rows anyone wrote. */
        {
            int64_t rows = tspar_tables_num_rows(shared, TSPAR_TABLE_NODES);
            int64_t sites = tspar_tables_num_rows(shared, TSPAR_TABLE_SITES);
            int r, kk;
            CHECK(rows >= k + 1 && sites >= k + 1);
            for (r = 0; r < 3; r++) {
                seed = seed * 1103515245u + 12345u;
                check_node(shared, (tspar_id_t) ((seed >> 8) % (unsigned) rows), &kk);
                check_site(shared, (tspar_id_t) ((seed >> 4) % (unsigned) sites), &kk);
            }
        }
        /* A thread's own error message is its own. */
        {
            tspar_node_t row;
            char needle[32];
            FORMAT(needle, "%d", 50000000 + w * 1000 + k % 1000);
            CHECK_ERR(tspar_tables_get_node(shared, 50000000 + w * 1000 + k % 1000, &row, NULL, 0),
                TSPAR_ERR_NODE_OUT_OF_BOUNDS, needle);
        }
        if (k % COPY_EVERY == COPY_EVERY - 1) {
            tspar_tables_t *copy = NULL;
            CHECK_OK(tspar_tables_copy(shared, &copy));
            CHECK(tspar_tables_num_rows(copy, TSPAR_TABLE_NODES) >= k + 1);
            check_snapshot(copy);
            tspar_tables_free(copy);
        }
        if (k % DUMP_EVERY == DUMP_EVERY - 1) {
            tspar_tables_t *back = NULL;
            FORMAT(path, "%s/writer%d-%d.trees", scratch, w, dumps++);
            CHECK_OK(tspar_tables_dump(shared, path, 0));
            CHECK_OK(tspar_tables_load(path, 0, NULL, &back));
            CHECK(tspar_tables_num_rows(back, TSPAR_TABLE_SITES) >= k + 1);
            check_snapshot(back);
            tspar_tables_free(back);
        }
    }
    return NULL;
}

static void test_shared_writers(void)
{
    pthread_t threads[NUM_THREADS];
    int64_t counts[3];
    size_t j;
    CHECK_OK(tspar_tables_new(NUM_THREADS * STRIDE, &shared));
    waiting = 0;
    for (j = 0; j < NUM_THREADS; j++) {
        CHECK(pthread_create(&threads[j], NULL, writer, (void *) j) == 0);
    }
    for (j = 0; j < NUM_THREADS; j++) {
        CHECK(pthread_join(threads[j], NULL) == 0);
    }
    counts[0] = tspar_tables_num_rows(shared, TSPAR_TABLE_NODES);
    counts[1] = tspar_tables_num_rows(shared, TSPAR_TABLE_EDGES);
    counts[2] = tspar_tables_num_rows(shared, TSPAR_TABLE_SITES);
    for (j = 0; j < 3; j++) {
        CHECK_EQ(counts[j], NUM_THREADS * ROWS_PER_THREAD);
    }
    /* Every row is there once, whole, in its writer's order. */
    check_snapshot(shared);
    tspar_tables_free(shared);
    shared = NULL;
}

/* ---------------------------------------------------- concurrent loads */

static const char *example;
static tspar_tables_t *serial;
static tspar_tables_t *loaded[NUM_THREADS];

static void *loader(void *arg)
{
    size_t w = (size_t) arg;
    int round;
    start_together();
    for (round = 0; round < 3; round++) {
        tspar_tables_free(loaded[w]);
        loaded[w] = NULL;
        CHECK_OK(tspar_tables_load(example, 0, NULL, &loaded[w]));
        /* Comparing with the shared serial load while others do too. */
        CHECK_EQ(tspar_tables_equals(loaded[w], serial, 0), 1);
    }
    return NULL;
}

static void test_concurrent_loads(void)
{
    pthread_t threads[NUM_THREADS];
    size_t j;
    CHECK_OK(tspar_tables_load(example, 0, NULL, &serial));
    waiting = 0;
    for (j = 0; j < NUM_THREADS; j++) {
        CHECK(pthread_create(&threads[j], NULL, loader, (void *) j) == 0);
    }
    for (j = 0; j < NUM_THREADS; j++) {
        CHECK(pthread_join(threads[j], NULL) == 0);
    }
    for (j = 0; j < NUM_THREADS; j++) {
        CHECK(loaded[j] != NULL);
        CHECK_EQ(tspar_tables_equals(loaded[j], serial, 0), 1);
        tspar_tables_free(loaded[j]);
    }
    tspar_tables_free(serial);
}

int main(int argc, char **argv)
{
    char *dir;
    if (argc != 2) {
        fprintf(stderr, "usage: %s EXAMPLE.trees\n", argv[0]);
        return 2;
    }
    example = argv[1];
    dir = make_scratch_dir("tspar-test-threads");
    scratch = dir;
    test_shared_writers();
    test_concurrent_loads();
    remove_tree(dir);
    free(dir);
    printf("test_threads: ok (%d threads)\n", NUM_THREADS);
    return 0;
}
