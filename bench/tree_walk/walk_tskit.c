/* The same walk as walk_tspar.c with tskit's C library (built from
 * tskit's source distribution by bench_treeseq.py; not part of tspar). */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <tskit.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static void check(const char *what, int rc)
{
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", what, tsk_strerror(rc));
        exit(1);
    }
}

int main(int argc, char **argv)
{
    tsk_treeseq_t ts;
    tsk_tree_t tree;
    double t0, forward, backward;
    uint64_t n_fwd = 0, n_bwd = 0;
    int64_t checksum = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.trees\n", argv[0]);
        return 2;
    }
    check("load", tsk_treeseq_load(&ts, argv[1], 0));
    check("tree_init", tsk_tree_init(&tree, &ts, 0));
    t0 = now();
    for (rc = tsk_tree_first(&tree); rc == TSK_TREE_OK; rc = tsk_tree_next(&tree)) {
        n_fwd++;
        checksum += tree.left_child[tree.virtual_root];
    }
    forward = now() - t0;
    check("next", rc);
    t0 = now();
    for (rc = tsk_tree_last(&tree); rc == TSK_TREE_OK; rc = tsk_tree_prev(&tree)) {
        n_bwd++;
        checksum += tree.left_child[tree.virtual_root];
    }
    backward = now() - t0;
    check("prev", rc);
    printf("trees=%llu edges=%llu forward=%.6f backward=%.6f checksum=%lld\n",
        (unsigned long long) n_fwd, (unsigned long long) tsk_treeseq_get_num_edges(&ts),
        forward, backward, (long long) checksum);
    tsk_tree_free(&tree);
    tsk_treeseq_free(&ts);
    return n_fwd == n_bwd ? 0 : 1;
}
