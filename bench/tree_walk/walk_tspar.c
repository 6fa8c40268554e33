/* Times a full forward and a full backward walk over every tree of a
 * .trees file with tspar's cursor. Prints one line of key=value pairs. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tspar.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "%s: %s (%s)\n", what, tspar_strerror(rc), tspar_last_error_message());
    exit(1);
}

int main(int argc, char **argv)
{
    tspar_treeseq_t *ts = NULL;
    tspar_tree_t *tree = NULL;
    tspar_tree_arrays_t arrays;
    double t0, forward, backward;
    uint64_t n_fwd = 0, n_bwd = 0;
    int64_t checksum = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE.trees\n", argv[0]);
        return 2;
    }
    rc = tspar_treeseq_load(argv[1], 0, NULL, &ts);
    if (rc < 0) {
        die("load", rc);
    }
    rc = tspar_tree_new(ts, 0, &tree);
    if (rc < 0) {
        die("tree_new", rc);
    }
    rc = tspar_tree_get_arrays(tree, &arrays);
    if (rc < 0) {
        die("get_arrays", rc);
    }
    t0 = now();
    while ((rc = tspar_tree_next(tree)) == 1) {
        n_fwd++;
        checksum += arrays.left_child[arrays.virtual_root];
    }
    forward = now() - t0;
    if (rc < 0) {
        die("next", rc);
    }
    t0 = now();
    while ((rc = tspar_tree_prev(tree)) == 1) {
        n_bwd++;
        checksum += arrays.left_child[arrays.virtual_root];
    }
    backward = now() - t0;
    if (rc < 0) {
        die("prev", rc);
    }
    printf("trees=%llu edges=%llu forward=%.6f backward=%.6f checksum=%lld\n",
        (unsigned long long) n_fwd, (unsigned long long) tspar_treeseq_num_edges(ts), forward,
        backward, (long long) checksum);
    if (n_fwd != n_bwd || (int64_t) n_fwd != tspar_treeseq_num_trees(ts)) {
        fprintf(stderr, "walk counted %llu / %llu trees\n", (unsigned long long) n_fwd,
            (unsigned long long) n_bwd);
        return 1;
    }
    tspar_tree_free(tree);
    tspar_treeseq_free(ts);
    return 0;
}
