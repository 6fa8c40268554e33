/* The library under an address-space limit (RLIMIT_AS): every operation
 * whose memory grows with its input must return TSPAR_ERR_NO_MEMORY with a
 * message, leave the caller's tables as they were and nothing allocated
 * behind, and the process must go on: the same call without the limit then
 * succeeds.
 *
 * usage: test_memory_limit ops     each operation once under a limit
 *        test_memory_limit sweep [STEPS]   (40 limits by default)
 *                                  load -> tree sequence -> sort -> simplify
 *                                  -> statistics -> cursor in forked children
 *                                  under limits from "almost nothing extra"
 *                                  to "enough": each child must end normally
 *                                  with success or NO_MEMORY, never a signal
 *                                  (an abort is exit 134 / SIGABRT), and the
 *                                  library must print nothing.
 *
 * The input is made here: a haploid Wright-Fisher population recorded
 * without simplification (about 300,000 nodes, 600,000 edges and 200,000
 * sites and mutations), large enough that each operation needs megabytes.
 * Not run under valgrind (address-space limits and valgrind do not mix). */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "memory_limit.h"
#include "tmpdir.h"

#define N 3000     /* genomes per generation */
#define G 100      /* generations */
#define S 200000   /* sites, one mutation each */
#define L 1.0e6    /* sequence length */

/* Room above the current address-space size that an operation may use
 * under the limit: far less than any of them needs. */
#define MARGIN (256 * 1024ULL)
/* Memory still held after a failed call, beyond what it held before, that
 * is not counted as a leak (the thread's error message and the like). */
#define LEAK_SLACK (128 * 1024ULL)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_random(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return (double) (next_random() >> 11) * 0x1.0p-53;
}

/* The input columns, kept so that they can be set and appended again. */
typedef struct {
    size_t num_nodes, num_edges;
    tspar_flags_t *flags;
    double *time;
    double *left, *right;
    tspar_id_t *parent, *child;
    double *position;
    char *ancestral, *derived;
    tspar_size_t *state_offset;
    tspar_id_t *site, *node, *mut_parent;
    double *mut_time;
} columns_t;

static void *xmalloc(size_t n)
{
    void *p = malloc(n);
    CHECK(p != NULL);
    return p;
}

static void make_columns(columns_t *c)
{
    size_t g, i, j, e = 0;
    c->num_nodes = (size_t) N * (G + 1);
    c->flags = xmalloc(c->num_nodes * sizeof(*c->flags));
    c->time = xmalloc(c->num_nodes * sizeof(*c->time));
    for (g = 0; g <= G; g++) {
        for (i = 0; i < N; i++) {
            c->flags[g * N + i] = g == G ? TSPAR_NODE_IS_SAMPLE : 0;
            c->time[g * N + i] = (double) (G - g);
        }
    }
    c->left = xmalloc(2 * (size_t) N * G * sizeof(double));
    c->right = xmalloc(2 * (size_t) N * G * sizeof(double));
    c->parent = xmalloc(2 * (size_t) N * G * sizeof(tspar_id_t));
    c->child = xmalloc(2 * (size_t) N * G * sizeof(tspar_id_t));
    /* Recorded generation by generation: parents ever younger, so the
     * edges need sorting. */
    for (g = 1; g <= G; g++) {
        for (i = 0; i < N; i++) {
            tspar_id_t u = (tspar_id_t) (g * N + i);
            tspar_id_t a = (tspar_id_t) ((g - 1) * N + next_random() % N);
            tspar_id_t b = (tspar_id_t) ((g - 1) * N + next_random() % N);
            double x = L * (0.05 + 0.9 * uniform());
            if (a == b) {
                c->left[e] = 0;
                c->right[e] = L;
                c->parent[e] = a;
                c->child[e++] = u;
            } else {
                c->left[e] = 0;
                c->right[e] = x;
                c->parent[e] = a;
                c->child[e++] = u;
                c->left[e] = x;
                c->right[e] = L;
                c->parent[e] = b;
                c->child[e++] = u;
            }
        }
    }
    c->num_edges = e;
    c->position = xmalloc(S * sizeof(double));
    c->ancestral = xmalloc(S);
    c->derived = xmalloc(S);
    c->state_offset = xmalloc((S + 1) * sizeof(tspar_size_t));
    c->site = xmalloc(S * sizeof(tspar_id_t));
    c->node = xmalloc(S * sizeof(tspar_id_t));
    c->mut_parent = xmalloc(S * sizeof(tspar_id_t));
    c->mut_time = xmalloc(S * sizeof(double));
    for (j = 0; j < S; j++) {
        /* Distinct positions in scrambled order (7919 is prime to S). */
        c->position[j] = ((double) ((j * 7919) % S) + 0.5) * (L / S);
        c->ancestral[j] = 'A';
        c->derived[j] = 'T';
        c->state_offset[j] = j;
        c->site[j] = (tspar_id_t) j;
        c->node[j] = (tspar_id_t) (N + next_random() % ((size_t) N * G));
        c->mut_parent[j] = TSPAR_NULL;
        c->mut_time[j] = tspar_unknown_time();
    }
    c->state_offset[S] = S;
}

static void free_columns(columns_t *c)
{
    free(c->flags);
    free(c->time);
    free(c->left);
    free(c->right);
    free(c->parent);
    free(c->child);
    free(c->position);
    free(c->ancestral);
    free(c->derived);
    free(c->state_offset);
    free(c->site);
    free(c->node);
    free(c->mut_parent);
    free(c->mut_time);
}

static int set_edges(tspar_tables_t *t, const columns_t *c)
{
    return tspar_tables_set_edges(t, c->num_edges, c->left, c->right, c->parent, c->child, NULL, NULL);
}

static int append_edges(tspar_tables_t *t, const columns_t *c)
{
    return tspar_tables_append_edges(t, c->num_edges, c->left, c->right, c->parent, c->child, NULL, NULL);
}

/* The unsorted tables, built with whole-column calls. */
static tspar_tables_t *build_tables(const columns_t *c)
{
    tspar_tables_t *t = NULL;
    CHECK_OK(tspar_tables_new(L, &t));
    CHECK_OK(tspar_tables_set_nodes(t, c->num_nodes, c->flags, c->time, NULL, NULL, NULL, NULL));
    CHECK_OK(set_edges(t, c));
    CHECK_OK(tspar_tables_set_sites(t, S, c->position, c->ancestral, c->state_offset, NULL, NULL));
    CHECK_OK(tspar_tables_set_mutations(t, S, c->site, c->node, c->mut_parent, c->mut_time, c->derived,
        c->state_offset, NULL, NULL));
    return t;
}

/* ------------------------------------------------------------ ops */

/* What one operation works on. `tables` is the caller's data an
 * operation may change; `ts` a tree sequence to read. */
typedef struct {
    const columns_t *columns;
    const char *path;
    tspar_tables_t *tables;
    tspar_treeseq_t *ts;
    double *result;
    tspar_size_t result_length;
} env_t;

typedef int (*op_t)(env_t *env);

static int op_set_edges(env_t *env)
{
    return set_edges(env->tables, env->columns);
}

static int op_append_edges(env_t *env)
{
    return append_edges(env->tables, env->columns);
}

static int op_sort(env_t *env)
{
    return tspar_tables_sort(env->tables, 0, 0, NULL);
}

static int op_simplify(env_t *env)
{
    return tspar_tables_simplify(env->tables, NULL, 0, 0, NULL, NULL, 0);
}

static int op_copy(env_t *env)
{
    tspar_tables_t *copy = NULL;
    int ret = tspar_tables_copy(env->tables, &copy);
    tspar_tables_free(copy);
    return ret;
}

static int op_tables_load(env_t *env)
{
    tspar_tables_t *t = NULL;
    int ret = tspar_tables_load(env->path, 0, NULL, &t);
    tspar_tables_free(t);
    return ret;
}

static int op_treeseq_load(env_t *env)
{
    tspar_treeseq_t *ts = NULL;
    int ret = tspar_treeseq_load(env->path, 0, NULL, &ts);
    tspar_treeseq_free(ts);
    return ret;
}

static int op_from_tables(env_t *env)
{
    tspar_treeseq_t *ts = NULL;
    int ret = tspar_treeseq_from_tables(env->tables, TSPAR_TS_INIT_BUILD_INDEXES, NULL, &ts);
    tspar_treeseq_free(ts);
    return ret;
}

static int diversity(env_t *env, tspar_flags_t mode)
{
    tspar_size_t n = tspar_treeseq_num_samples(env->ts);
    const tspar_id_t *samples = tspar_treeseq_samples(env->ts);
    return tspar_treeseq_diversity(
        env->ts, 1, &n, samples, 0, NULL, mode, NULL, env->result, env->result_length);
}

static int op_stat_site(env_t *env)
{
    return diversity(env, TSPAR_STAT_SITE);
}

static int op_stat_branch(env_t *env)
{
    return diversity(env, TSPAR_STAT_BRANCH);
}

static int op_stat_node(env_t *env)
{
    return diversity(env, TSPAR_STAT_NODE);
}

static int op_cursor(env_t *env)
{
    tspar_tree_t *tree = NULL;
    int ret = tspar_tree_new(env->ts, 0, &tree);
    if (ret >= 0) {
        ret = tspar_tree_first(tree);
    }
    tspar_tree_free(tree);
    return ret;
}

/* Runs `op` once without a limit on a copy of the tables (so that worker
 * pools and the like exist first), then under a soft limit just above the
 * current address-space size, where it must fail with NO_MEMORY and a
 * message, leave the tables unchanged and nothing allocated behind; then
 * without the limit again, where it must succeed in the same process. */
static void under_limit(const char *name, op_t op, env_t *env)
{
    unsigned long long vm, held, after;
    tspar_tables_t *mine = env->tables, *scratch = NULL, *before = NULL;
    int ret;
    char message[1024];
    clock_t started = clock();

    CHECK_OK(tspar_tables_copy(mine, &scratch));
    env->tables = scratch;
    CHECK_OK(op(env));
    env->tables = mine;
    tspar_tables_free(scratch);
    CHECK_OK(tspar_tables_copy(mine, &before));

    held = heap_in_use();
    vm = vm_size();
    CHECK(vm > 0);
    CHECK_EQ(set_soft_limit((rlim_t) (vm + MARGIN)), 0);
    ret = op(env);
    snprintf(message, sizeof(message), "%s", tspar_last_error_message());
    CHECK_EQ(set_soft_limit(RLIM_INFINITY), 0);
    after = heap_in_use();
    if (ret != TSPAR_ERR_NO_MEMORY) {
        fprintf(stderr, "%s under a limit of %llu bytes: expected NO_MEMORY, got %d (%s)\n", name,
            vm + MARGIN, ret, message);
        exit(1);
    }
    CHECK(message[0] != '\0');
    printf("%-16s NO_MEMORY: %s (%.1f s)\n", name, message, (double) (clock() - started) / CLOCKS_PER_SEC);
    if (after > held + LEAK_SLACK) {
        fprintf(stderr, "%s: malloc held %llu bytes before the failed call and %llu after\n", name,
            held, after);
        exit(1);
    }
    CHECK_EQ(tspar_tables_equals(mine, before, 0), 1);
    CHECK_EQ(tspar_tables_has_index(mine), tspar_tables_has_index(before));
    tspar_tables_free(before);
    CHECK_OK(op(env));
}

static void run_ops(const columns_t *c, const char *dir)
{
    /* Which tables an operation works on. */
    enum { UNSORTED, SORTED, FEW_EDGES };
    struct {
        const char *name;
        op_t op;
        int tables;
    } ops[] = {
        /* Setting replaces the edges in the memory they have, so it only
         * needs more on a table with fewer edges than it is given. */
        {"set_edges", op_set_edges, FEW_EDGES},
        {"append_edges", op_append_edges, UNSORTED},
        {"copy", op_copy, UNSORTED},
        {"sort", op_sort, UNSORTED},
        {"tables_load", op_tables_load, SORTED},
        {"treeseq_load", op_treeseq_load, SORTED},
        {"from_tables", op_from_tables, SORTED},
        {"stat_site", op_stat_site, SORTED},
        {"stat_branch", op_stat_branch, SORTED},
        {"stat_node", op_stat_node, SORTED},
        {"tree_cursor", op_cursor, SORTED},
        /* Last: it leaves the sorted tables simplified. */
        {"simplify", op_simplify, SORTED},
    };
    env_t env;
    char path[4096];
    tspar_tables_t *unsorted = build_tables(c), *sorted = NULL, *few = NULL;
    tspar_treeseq_t *ts = NULL;
    size_t j;

    memset(&env, 0, sizeof(env));
    env.columns = c;
    FORMAT(path, "%s/input.trees", dir);
    env.path = path;
    CHECK_OK(tspar_tables_copy(unsorted, &sorted));
    CHECK_OK(tspar_tables_sort(sorted, 0, 0, NULL));
    CHECK_OK(tspar_tables_build_index(sorted, 0, NULL));
    CHECK_OK(tspar_tables_dump(sorted, path, 0));
    CHECK_OK(tspar_treeseq_from_tables(sorted, 0, NULL, &ts));
    env.ts = ts;
    env.result_length = tspar_treeseq_num_nodes(ts);
    env.result = xmalloc((size_t) env.result_length * sizeof(double));
    CHECK_OK(tspar_tables_new(L, &few));
    CHECK_OK(tspar_tables_set_nodes(few, c->num_nodes, c->flags, c->time, NULL, NULL, NULL, NULL));
    CHECK_OK(tspar_tables_set_edges(few, 1000, c->left, c->right, c->parent, c->child, NULL, NULL));
    for (j = 0; j < sizeof(ops) / sizeof(ops[0]); j++) {
        env.tables = ops[j].tables == SORTED ? sorted : ops[j].tables == FEW_EDGES ? few : unsorted;
        under_limit(ops[j].name, ops[j].op, &env);
    }
    tspar_tables_free(few);
    free(env.result);
    tspar_treeseq_free(ts);
    tspar_tables_free(sorted);
    tspar_tables_free(unsorted);
}

/* ------------------------------------------------------------ sweep */

/* Exit codes of a sweep child. */
#define CHILD_OK 0
#define CHILD_NO_MEMORY 3
#define CHILD_WRONG 4

/* A step of the pipeline: NO_MEMORY ends the child with CHILD_NO_MEMORY;
 * any other failure is wrong and is reported on stdout. */
#define STEP(call)                                                                         \
    do {                                                                                   \
        int r_ = (int) (call);                                                             \
        if (r_ == TSPAR_ERR_NO_MEMORY) {                                                   \
            if (tspar_last_error_message()[0] == '\0') {                                   \
                printf("%s: NO_MEMORY without a message\n", #call);                        \
                fflush(stdout);                                                            \
                _exit(CHILD_WRONG);                                                        \
            }                                                                              \
            printf("%.40s", #call);                                                        \
            fflush(stdout);                                                                \
            _exit(CHILD_NO_MEMORY);                                                        \
        }                                                                                  \
        if (r_ < 0) {                                                                      \
            printf("%s: %s (%s)\n", #call, tspar_strerror(r_), tspar_last_error_message()); \
            fflush(stdout);                                                                \
            _exit(CHILD_WRONG);                                                            \
        }                                                                                  \
    } while (0)

/* The pipeline a sweep child runs: load, tree sequence, sort, simplify,
 * statistics in each mode, a tree cursor. */
static void pipeline(const char *path)
{
    tspar_tables_t *t = NULL;
    tspar_treeseq_t *ts = NULL, *simple = NULL;
    tspar_tree_t *tree = NULL;
    tspar_size_t n;
    double *result;
    tspar_flags_t modes[] = {TSPAR_STAT_SITE, TSPAR_STAT_BRANCH, TSPAR_STAT_NODE};
    size_t j;

    STEP(tspar_tables_load(path, 0, NULL, &t));
    STEP(tspar_treeseq_load(path, 0, NULL, &ts));
    STEP(tspar_tables_sort(t, 0, 0, NULL));
    STEP(tspar_tables_simplify(t, NULL, 0, 0, NULL, NULL, 0));
    STEP(tspar_treeseq_from_tables(t, TSPAR_TS_INIT_BUILD_INDEXES, NULL, &simple));
    n = tspar_treeseq_num_samples(ts);
    result = malloc((size_t) tspar_treeseq_num_nodes(ts) * sizeof(double));
    if (result == NULL) {
        _exit(CHILD_NO_MEMORY);
    }
    for (j = 0; j < 3; j++) {
        STEP(tspar_treeseq_diversity(ts, 1, &n, tspar_treeseq_samples(ts), 0, NULL, modes[j], NULL, result,
            tspar_treeseq_num_nodes(ts)));
    }
    STEP(tspar_tree_new(ts, 0, &tree));
    STEP(tspar_tree_first(tree));
    tspar_tree_free(tree);
    free(result);
    tspar_treeseq_free(simple);
    tspar_treeseq_free(ts);
    tspar_tables_free(t);
}

static unsigned long long vm_peak(void);

/* Runs the pipeline in a child under `limit` (0: none); returns its wait
 * status, with what it printed on stdout and stderr in `out` and `err`. */
static int run_child(const char *path, unsigned long long limit, char *out, size_t out_size, char *err,
    size_t err_size)
{
    int po[2], pe[2], status = 0;
    pid_t pid;
    ssize_t k;
    size_t no = 0, ne = 0;

    CHECK(pipe(po) == 0 && pipe(pe) == 0);
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(po[0]);
        close(pe[0]);
        dup2(po[1], 1);
        dup2(pe[1], 2);
        if (limit > 0 && set_soft_limit((rlim_t) limit) != 0) {
            _exit(CHILD_WRONG);
        }
        pipeline(path);
        if (limit == 0) {
            printf("%llu\n", vm_peak());
        }
        fflush(stdout);
        _exit(CHILD_OK);
    }
    close(po[1]);
    close(pe[1]);
    /* The child prints little; read stdout then stderr to the end. */
    while ((k = read(po[0], out + no, out_size - 1 - no)) > 0) {
        no += (size_t) k;
    }
    while ((k = read(pe[0], err + ne, err_size - 1 - ne)) > 0) {
        ne += (size_t) k;
    }
    out[no] = '\0';
    err[ne] = '\0';
    close(po[0]);
    close(pe[0]);
    CHECK(waitpid(pid, &status, 0) == pid);
    return status;
}

/* Peak address-space size of the calling process (VmPeak), in bytes. */
static unsigned long long vm_peak(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    unsigned long long kb = 0;
    CHECK(f != NULL);
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strncmp(line, "VmPeak:", 7) == 0) {
            kb = strtoull(line + 7, NULL, 10);
        }
    }
    fclose(f);
    return kb * 1024ULL;
}

static void run_sweep(const columns_t *c, const char *dir, int steps)
{
    char path[4096], out[4096], err[4096];
    unsigned long long base, top, limit;
    int status, j, ok = 0, no_memory = 0;
    pid_t pid;

    /* The input is made and written in a child: the parent itself starts
     * no worker threads before it forks (a child of a process with threads
     * could not use them). */
    FORMAT(path, "%s/input.trees", dir);
    fflush(stdout);
    pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        tspar_tables_t *t = build_tables(c);
        if (tspar_tables_sort(t, 0, 0, NULL) < 0 || tspar_tables_build_index(t, 0, NULL) < 0
            || tspar_tables_dump(t, path, 0) < 0) {
            _exit(1);
        }
        tspar_tables_free(t);
        _exit(0);
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    /* Without a limit: it must succeed; its peak bounds the sweep. */
    base = vm_size();
    status = run_child(path, 0, out, sizeof(out), err, sizeof(err));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != CHILD_OK || err[0] != '\0') {
        fprintf(stderr, "unlimited run: status %d, stdout '%s', stderr '%s'\n", status, out, err);
        exit(1);
    }
    top = strtoull(out, NULL, 10);
    CHECK(top > base);
    printf("sweep: %llu bytes of address space at the start, %llu at the peak\n", base, top);
    for (j = 0; j <= steps + 1; j++) {
        /* The last limit is more than enough. */
        limit = j <= steps ? base + (top - base) * (unsigned long long) j / (unsigned long long) steps
                           : top + (top - base) / 2;
        status = run_child(path, limit, out, sizeof(out), err, sizeof(err));
        if (WIFSIGNALED(status)) {
            fprintf(stderr, "limit %llu: killed by signal %d (stderr: '%s')\n", limit, WTERMSIG(status), err);
            exit(1);
        }
        CHECK(WIFEXITED(status));
        if (err[0] != '\0') {
            fprintf(stderr, "limit %llu: the library printed on stderr: '%s'\n", limit, err);
            exit(1);
        }
        switch (WEXITSTATUS(status)) {
        case CHILD_OK:
            ok++;
            break;
        case CHILD_NO_MEMORY:
            no_memory++;
            break;
        default:
            fprintf(stderr, "limit %llu: exit %d: %s\n", limit, WEXITSTATUS(status), out);
            exit(1);
        }
        printf("limit +%6.1f MB: %s%s\n", (double) (limit - base) / 1e6,
            WEXITSTATUS(status) == CHILD_OK ? "ok" : "NO_MEMORY in ", WEXITSTATUS(status) == CHILD_OK ? "" : out);
    }
    printf("sweep: %d limits, %d ok, %d NO_MEMORY, no aborts\n", steps + 2, ok, no_memory);
    CHECK(ok >= 1 && no_memory >= 1);
}

int main(int argc, char **argv)
{
    columns_t c;
    char *dir;
    /* Large blocks always come from mmap, so that each changes the
     * address-space size the limit is set from. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
    if (argc < 2 || argc > 3 || (strcmp(argv[1], "ops") != 0 && strcmp(argv[1], "sweep") != 0)) {
        fprintf(stderr, "usage: test_memory_limit ops | sweep [steps]\n");
        return 2;
    }
    dir = make_scratch_dir("tspar_memory_limit");
    make_columns(&c);
    if (strcmp(argv[1], "ops") == 0) {
        /* One malloc arena for every thread: glibc gives each thread's
         * arena 64 MB of address space up front, which a worker thread's
         * allocations then use without the address-space size changing, so
         * a limit set from that size would not bind. */
        mallopt(M_ARENA_MAX, 1);
        run_ops(&c, dir);
    } else {
        run_sweep(&c, dir, argc == 3 ? atoi(argv[2]) : 40);
    }
    free_columns(&c);
    remove_tree(dir);
    free(dir);
    return 0;
}
