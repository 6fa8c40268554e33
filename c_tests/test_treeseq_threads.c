/* Threads and tree cursors.
 *
 * 1. Eight threads share one tspar_treeseq_t; each walks all trees forwards
 *    and then backwards with its own cursor, hashing every tree's interval
 *    and arrays. Every thread must get exactly the hashes one thread gets
 *    alone.
 * 2. Two threads use the SAME cursor at once, many times: every call
 *    returns success or TSPAR_ERR_BUSY (never anything else), and after the
 *    race the cursor still walks the same trees as a fresh one.
 *
 * Usage: test_treeseq_threads FILE.trees
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define NUM_THREADS 8
#define RACE_ITERATIONS 20000

typedef struct {
    uint64_t forward;
    uint64_t backward;
    uint64_t trees_forward;
    uint64_t trees_backward;
    int status;
} walk_result_t;

static uint64_t mix(uint64_t h, uint64_t x)
{
    /* FNV-1a over the 8 bytes of x. */
    int j;
    for (j = 0; j < 8; j++) {
        h ^= (x >> (8 * j)) & 0xff;
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_tree(uint64_t h, tspar_tree_t *tree)
{
    tspar_tree_arrays_t a;
    int64_t index;
    double left, right;
    uint64_t u, bits;

    if (tspar_tree_get_interval(tree, &index, &left, &right) < 0
        || tspar_tree_get_arrays(tree, &a) < 0) {
        return 0;
    }
    h = mix(h, (uint64_t) index);
    memcpy(&bits, &left, sizeof bits);
    h = mix(h, bits);
    memcpy(&bits, &right, sizeof bits);
    h = mix(h, bits);
    for (u = 0; u < a.length; u++) {
        h = mix(h, (uint64_t) (uint32_t) a.parent[u]);
        h = mix(h, (uint64_t) (uint32_t) a.left_child[u]);
        h = mix(h, (uint64_t) (uint32_t) a.right_sib[u]);
        h = mix(h, (uint64_t) (uint32_t) a.num_samples[u]);
    }
    return h;
}

typedef struct {
    const tspar_treeseq_t *ts;
    walk_result_t result;
} walk_arg_t;

static void *walk(void *p)
{
    walk_arg_t *arg = (walk_arg_t *) p;
    tspar_tree_t *tree = NULL;
    int rc;
    uint64_t h = 14695981039346656037ULL;

    arg->result.status = tspar_tree_new(arg->ts, 0, &tree);
    if (arg->result.status < 0) {
        return NULL;
    }
    while ((rc = tspar_tree_next(tree)) == 1) {
        h = hash_tree(h, tree);
        arg->result.trees_forward++;
    }
    arg->result.forward = h;
    if (rc < 0) {
        arg->result.status = rc;
    }
    h = 14695981039346656037ULL;
    while ((rc = tspar_tree_prev(tree)) == 1) {
        h = hash_tree(h, tree);
        arg->result.trees_backward++;
    }
    arg->result.backward = h;
    if (rc < 0) {
        arg->result.status = rc;
    }
    tspar_tree_free(tree);
    return NULL;
}

static void test_many_cursors(const tspar_treeseq_t *ts)
{
    walk_arg_t alone, args[NUM_THREADS];
    pthread_t threads[NUM_THREADS];
    int j;

    memset(&alone, 0, sizeof alone);
    alone.ts = ts;
    walk(&alone);
    CHECK(alone.result.status == 0);
    CHECK_EQ(alone.result.trees_forward, tspar_treeseq_num_trees(ts));
    CHECK_EQ(alone.result.trees_backward, tspar_treeseq_num_trees(ts));
    CHECK(alone.result.forward != alone.result.backward);

    memset(args, 0, sizeof args);
    for (j = 0; j < NUM_THREADS; j++) {
        args[j].ts = ts;
        CHECK(pthread_create(&threads[j], NULL, walk, &args[j]) == 0);
    }
    for (j = 0; j < NUM_THREADS; j++) {
        CHECK(pthread_join(threads[j], NULL) == 0);
        CHECK(args[j].result.status == 0);
        CHECK(args[j].result.forward == alone.result.forward);
        CHECK(args[j].result.backward == alone.result.backward);
        CHECK(args[j].result.trees_forward == alone.result.trees_forward);
        CHECK(args[j].result.trees_backward == alone.result.trees_backward);
    }
}

typedef struct {
    tspar_tree_t *tree;
    uint64_t num_trees;
    int seed;
    long iterations;
    long ok;
    long busy;
    long other;
} race_arg_t;

static void *race(void *p)
{
    race_arg_t *arg = (race_arg_t *) p;
    unsigned int state = (unsigned int) arg->seed;
    tspar_tree_arrays_t a;
    tspar_id_t roots[4096];
    double left, right;
    int64_t index;
    long i;
    int64_t rc;

    /* At least RACE_ITERATIONS calls, and on until this thread has had the
     * cursor a few times (the other one may hold it nearly all the time). */
    for (i = 0; i < RACE_ITERATIONS || (arg->ok < 100 && i < 100L * RACE_ITERATIONS); i++) {
        state = state * 1103515245u + 12345u;
        switch ((state >> 16) % 7) {
        case 0:
            rc = tspar_tree_next(arg->tree);
            break;
        case 1:
            rc = tspar_tree_prev(arg->tree);
            break;
        case 2:
            rc = tspar_tree_seek_index(arg->tree, (state >> 8) % arg->num_trees, 0);
            break;
        case 3:
            rc = tspar_tree_get_interval(arg->tree, &index, &left, &right);
            if (rc == 0 && index >= 0) {
                /* A consistent reading: the interval is a real one. */
                if (!(left < right)) {
                    rc = -1000;
                }
            }
            break;
        case 4:
            rc = tspar_tree_get_arrays(arg->tree, &a);
            break;
        case 5:
            rc = tspar_tree_get_roots(arg->tree, roots, 4096);
            break;
        default:
            rc = tspar_tree_first(arg->tree);
            break;
        }
        if (rc >= 0) {
            arg->ok++;
        } else if (rc == TSPAR_ERR_BUSY) {
            arg->busy++;
        } else {
            arg->other++;
        }
    }
    arg->iterations = i;
    return NULL;
}

static void test_shared_cursor(const tspar_treeseq_t *ts)
{
    tspar_tree_t *tree = NULL, *fresh = NULL;
    race_arg_t args[2];
    pthread_t threads[2];
    uint64_t h1, h2;
    int j, rc1, rc2;

    CHECK(tspar_tree_new(ts, 0, &tree) == 0);
    memset(args, 0, sizeof args);
    for (j = 0; j < 2; j++) {
        args[j].tree = tree;
        args[j].num_trees = tspar_treeseq_num_trees(ts);
        args[j].seed = 17 + j;
        CHECK(pthread_create(&threads[j], NULL, race, &args[j]) == 0);
    }
    for (j = 0; j < 2; j++) {
        CHECK(pthread_join(threads[j], NULL) == 0);
        CHECK(args[j].other == 0);
        CHECK(args[j].ok > 0);
        CHECK(args[j].ok + args[j].busy == args[j].iterations);
    }
    printf("shared cursor: thread 0 %ld ok / %ld busy, thread 1 %ld ok / %ld busy\n", args[0].ok,
        args[0].busy, args[1].ok, args[1].busy);

    /* The cursor is intact: from the first tree it walks as a fresh one. */
    CHECK(tspar_tree_new(ts, 0, &fresh) == 0);
    CHECK(tspar_tree_first(tree) == 1);
    CHECK(tspar_tree_first(fresh) == 1);
    h1 = h2 = 14695981039346656037ULL;
    do {
        h1 = hash_tree(h1, tree);
        h2 = hash_tree(h2, fresh);
        rc1 = tspar_tree_next(tree);
        rc2 = tspar_tree_next(fresh);
        CHECK(rc1 == rc2);
    } while (rc1 == 1 && rc2 == 1);
    CHECK(h1 == h2);
    tspar_tree_free(fresh);
    tspar_tree_free(tree);
}

int main(int argc, char **argv)
{
    tspar_treeseq_t *ts = NULL;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.trees\n", argv[0]);
        return 2;
    }
    rc = tspar_treeseq_load(argv[1], 0, NULL, &ts);
    if (rc < 0) {
        fprintf(stderr, "load %s: %s (%s)\n", argv[1], tspar_strerror(rc),
            tspar_last_error_message());
        return 1;
    }
    CHECK(tspar_treeseq_num_trees(ts) > 1);
    test_many_cursors(ts);
    test_shared_cursor(ts);
    tspar_treeseq_free(ts);
    printf("ok\n");
    return 0;
}
