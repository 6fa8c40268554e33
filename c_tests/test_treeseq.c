/* Edge cases of the tree sequence and cursor C API: NULL pointers, bad
 * seeks, seek indexes out of range, buffers too short, freeing NULL, and
 * that a failed call writes nothing.
 *
 * Usage: test_treeseq FILE.trees
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static void test_null_pointers(const char *path, const tspar_treeseq_t *ts)
{
    tspar_treeseq_t *out = NULL;
    tspar_tree_t *tree = NULL;
    tspar_tables_t *tables = NULL;
    tspar_tree_arrays_t arrays;
    tspar_id_t ids[8];
    tspar_id_t mrca;
    double length;
    int dtype;
    const void *data;
    tspar_size_t n;

    CHECK_ERR(tspar_treeseq_load(NULL, 0, NULL, &out), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_treeseq_load(path, 0, NULL, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK(out == NULL);
    CHECK_ERR(tspar_treeseq_from_tables(NULL, 0, NULL, &out), TSPAR_ERR_NULL_POINTER, "");
    CHECK(out == NULL);
    CHECK_ERR(tspar_treeseq_copy_tables(NULL, &tables), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_treeseq_copy_tables(ts, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK(tables == NULL);
    CHECK_ERR(tspar_treeseq_dump(NULL, "x.trees", 0), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_treeseq_dump(ts, NULL, 0), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_treeseq_column(NULL, "nodes/time", &dtype, &data, &n), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_treeseq_column(ts, NULL, &dtype, &data, &n), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_treeseq_column(ts, "nodes/time", &dtype, NULL, &n), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_treeseq_column(ts, "nodes/nonsense", &dtype, &data, &n),
        TSPAR_ERR_COLUMN_NOT_FOUND, "");
    CHECK_ERR(tspar_treeseq_num_rows(NULL, TSPAR_TABLE_NODES), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_treeseq_num_rows(ts, 99), TSPAR_ERR_BAD_PARAM_VALUE, "");
    /* Counts and the sequence length of a NULL handle are the code; its
     * arrays are NULL. */
    CHECK_ERR(tspar_treeseq_num_trees(NULL), TSPAR_ERR_NULL_POINTER, "ts is NULL");
    CHECK_ERR(tspar_treeseq_num_nodes(NULL), TSPAR_ERR_NULL_POINTER, "ts is NULL");
    CHECK_ERR(tspar_treeseq_num_samples(NULL), TSPAR_ERR_NULL_POINTER, "ts is NULL");
    CHECK(tspar_treeseq_sequence_length(NULL) == (double) TSPAR_ERR_NULL_POINTER);
    CHECK(tspar_treeseq_samples(NULL) == NULL);
    CHECK(tspar_treeseq_breakpoints(NULL) == NULL);

    CHECK_ERR(tspar_tree_new(NULL, 0, &tree), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_new(ts, 0, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_new(ts, 1, &tree), TSPAR_ERR_BAD_OPTIONS, "");
    CHECK(tree == NULL);
    CHECK_ERR(tspar_tree_first(NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_last(NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_next(NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_prev(NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_seek(NULL, 0.0, 0), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_seek_index(NULL, 0, 0), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_interval(NULL, NULL, NULL, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_arrays(NULL, &arrays), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_roots(NULL, ids, 8), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_preorder(NULL, 0, ids, 8), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_postorder(NULL, 0, ids, 8), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_mrca(NULL, 0, 1, &mrca), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_branch_length(NULL, 0, &length), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_total_branch_length(NULL, 0, &length), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_sites(NULL, NULL, NULL, NULL, NULL), TSPAR_ERR_NULL_POINTER, "");

    CHECK(tspar_tree_new(ts, 0, &tree) == 0);
    CHECK_ERR(tspar_tree_get_arrays(tree, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_mrca(tree, 0, 1, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_branch_length(tree, 0, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tree_get_total_branch_length(tree, 0, NULL), TSPAR_ERR_NULL_POINTER, "");
    /* Optional out-pointers may be NULL. */
    CHECK(tspar_tree_get_interval(tree, NULL, NULL, NULL) == 0);
    CHECK(tspar_tree_get_sites(tree, NULL, NULL, NULL, NULL) == 0);
    /* NULL with a non-zero length is an error, not a crash. */
    CHECK_ERR(tspar_tree_get_roots(tree, NULL, tspar_treeseq_num_nodes(ts)), TSPAR_ERR_NULL_POINTER, "");
    tspar_tree_free(tree);
}

static void test_seeks(const tspar_treeseq_t *ts)
{
    tspar_tree_t *tree = NULL;
    const double L = tspar_treeseq_sequence_length(ts);
    const tspar_size_t num_trees = tspar_treeseq_num_trees(ts);
    const double *breaks = tspar_treeseq_breakpoints(ts);
    double bad[] = { -1.0, -1e-300, 0.0, 0.0, INFINITY, -INFINITY, NAN };
    int64_t index;
    double left, right;
    size_t j;

    bad[2] = L;
    bad[3] = L + 1.0;
    CHECK(tspar_tree_new(ts, 0, &tree) == 0);
    CHECK(tspar_tree_seek_index(tree, 2, 0) == 1);
    for (j = 0; j < sizeof bad / sizeof bad[0]; j++) {
        CHECK_ERR(tspar_tree_seek(tree, bad[j], 0), TSPAR_ERR_SEEK_OUT_OF_BOUNDS, "");
    }
    CHECK_ERR(tspar_tree_seek_index(tree, num_trees, 0), TSPAR_ERR_SEEK_OUT_OF_BOUNDS, "");
    CHECK_ERR(tspar_tree_seek_index(tree, UINT64_MAX, 0), TSPAR_ERR_SEEK_OUT_OF_BOUNDS, "");
    CHECK_ERR(tspar_tree_seek(tree, 0.0, 1), TSPAR_ERR_BAD_OPTIONS, "");
    CHECK_ERR(tspar_tree_seek_index(tree, 0, 1), TSPAR_ERR_BAD_OPTIONS, "");
    /* Failed seeks leave the cursor where it was. */
    CHECK(tspar_tree_get_interval(tree, &index, &left, &right) == 0);
    CHECK(index == 2 && left == breaks[2] && right == breaks[3]);

    /* The edges of the genome. */
    CHECK(tspar_tree_seek(tree, 0.0, 0) == 1);
    CHECK(tspar_tree_get_interval(tree, &index, NULL, NULL) == 0 && index == 0);
    CHECK(tspar_tree_seek(tree, nextafter(L, 0.0), 0) == 1);
    CHECK(tspar_tree_get_interval(tree, &index, NULL, NULL) == 0
          && index == (int64_t) num_trees - 1);
    CHECK(tspar_tree_seek_index(tree, num_trees - 1, 0) == 1);
    /* Walking off either end gives 0 and the null state. */
    CHECK(tspar_tree_next(tree) == 0);
    CHECK(tspar_tree_get_interval(tree, &index, &left, &right) == 0);
    CHECK(index == -1 && left == 0.0 && right == 0.0);
    CHECK(tspar_tree_first(tree) == 1);
    CHECK(tspar_tree_prev(tree) == 0);
    CHECK(tspar_tree_get_interval(tree, &index, NULL, NULL) == 0 && index == -1);
    tspar_tree_free(tree);
}

static void test_short_buffers(const tspar_treeseq_t *ts)
{
    tspar_tree_t *tree = NULL;
    tspar_tree_arrays_t a;
    const tspar_size_t num_nodes = tspar_treeseq_num_nodes(ts);
    const tspar_size_t num_samples = tspar_treeseq_num_samples(ts);
    tspar_id_t *buf = malloc((num_nodes + 2) * sizeof *buf);
    int64_t n_roots, n_pre, n_post;
    tspar_size_t j;

    CHECK(buf != NULL);
    CHECK(tspar_tree_new(ts, 0, &tree) == 0);
    CHECK(tspar_tree_get_arrays(tree, &a) == 0);
    CHECK(a.length == num_nodes + 1 && a.virtual_root == (tspar_id_t) num_nodes);

    /* Null state: every sample is a root. */
    n_roots = tspar_tree_get_roots(tree, buf, num_nodes);
    CHECK(n_roots == (int64_t) num_samples);
    for (j = 0; j < num_nodes + 2; j++) {
        buf[j] = 12345;
    }
    CHECK_ERR(tspar_tree_get_roots(tree, buf, num_samples - 1), TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK(buf[0] == 12345); /* nothing written */

    CHECK(tspar_tree_seek_index(tree, 1, 0) == 1);
    n_roots = tspar_tree_get_roots(tree, buf, num_nodes);
    CHECK(n_roots >= 1);
    CHECK(a.left_child[a.virtual_root] == buf[0]);
    n_pre = tspar_tree_preorder(tree, a.virtual_root, buf, num_nodes);
    CHECK(n_pre > (int64_t) num_samples);
    n_post = tspar_tree_postorder(tree, a.virtual_root, buf, num_nodes);
    CHECK(n_post == n_pre);
    for (j = 0; j < num_nodes + 2; j++) {
        buf[j] = 12345;
    }
    CHECK_ERR(tspar_tree_preorder(tree, a.virtual_root, buf, (tspar_size_t) n_pre - 1),
        TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK_ERR(tspar_tree_postorder(tree, a.virtual_root, buf, (tspar_size_t) n_post - 1),
        TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK_ERR(tspar_tree_get_roots(tree, buf, (tspar_size_t) n_roots - 1),
        TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK_ERR(tspar_tree_preorder(tree, a.virtual_root, buf, 0), TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK(buf[0] == 12345);
    /* Exactly long enough is enough. */
    CHECK(tspar_tree_preorder(tree, a.virtual_root, buf, (tspar_size_t) n_pre) == n_pre);
    CHECK(buf[0] == a.left_child[a.virtual_root]);
    /* A leaf's preorder is the leaf. */
    CHECK(tspar_tree_preorder(tree, 0, buf, 1) == 1 && buf[0] == 0);
    /* Nodes out of range. */
    CHECK_ERR(tspar_tree_preorder(tree, -1, buf, num_nodes), TSPAR_ERR_NODE_OUT_OF_BOUNDS, "");
    CHECK_ERR(tspar_tree_preorder(tree, (tspar_id_t) num_nodes + 1, buf, num_nodes),
        TSPAR_ERR_NODE_OUT_OF_BOUNDS, "");
    {
        tspar_id_t m = 777;
        double len = 5.0;
        CHECK_ERR(tspar_tree_get_mrca(tree, 0, -3, &m), TSPAR_ERR_NODE_OUT_OF_BOUNDS, "");
        CHECK(m == 777);
        CHECK_ERR(tspar_tree_get_branch_length(tree, (tspar_id_t) num_nodes + 1, &len),
            TSPAR_ERR_NODE_OUT_OF_BOUNDS, "");
        CHECK(len == 5.0);
        CHECK(tspar_tree_get_branch_length(tree, a.virtual_root, &len) == 0 && len == 0.0);
        CHECK(tspar_tree_get_mrca(tree, 0, a.virtual_root, &m) == 0 && m == a.virtual_root);
    }
    tspar_tree_free(tree);
    free(buf);
}

static void test_lifetimes(const char *path)
{
    tspar_treeseq_t *ts = NULL;
    tspar_tree_t *tree = NULL;
    tspar_tables_t *tables = NULL;
    tspar_treeseq_t *again = NULL;

    /* free(NULL) is a no-op. */
    tspar_treeseq_free(NULL);
    tspar_tree_free(NULL);
    tspar_tables_free(NULL);

    CHECK(tspar_treeseq_load(path, 0, NULL, &ts) == 0);
    CHECK(tspar_treeseq_copy_tables(ts, &tables) == 0);
    CHECK(tspar_tree_new(ts, 0, &tree) == 0);
    /* A cursor keeps the data alive after its tree sequence is freed. */
    tspar_treeseq_free(ts);
    CHECK(tspar_tree_last(tree) == 1);
    CHECK(tspar_tree_prev(tree) == 1);
    tspar_tree_free(tree);
    /* Tables without indexes need the build option. */
    CHECK(tspar_tables_drop_index(tables) == 0);
    CHECK_ERR(tspar_treeseq_from_tables(tables, 0, NULL, &again), TSPAR_ERR_TABLES_NOT_INDEXED, "");
    CHECK(again == NULL);
    CHECK_ERR(tspar_treeseq_from_tables(tables, 1u << 7, NULL, &again), TSPAR_ERR_BAD_OPTIONS, "");
    CHECK(tspar_treeseq_from_tables(tables, TSPAR_TS_INIT_BUILD_INDEXES, NULL, &again) == 0);
    CHECK(again != NULL);
    CHECK(tspar_tables_has_index(tables) == 0);
    tspar_treeseq_free(again);
    tspar_tables_free(tables);
    /* A missing file. */
    ts = NULL;
    CHECK_ERR(tspar_treeseq_load("no/such/file.trees", 0, NULL, &ts), TSPAR_ERR_FILE_NOT_FOUND, "");
    CHECK(ts == NULL);
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
    CHECK(tspar_treeseq_num_trees(ts) > 3);
    test_null_pointers(argv[1], ts);
    test_seeks(ts);
    test_short_buffers(ts);
    test_lifetimes(argv[1]);
    tspar_treeseq_free(ts);
    printf("ok\n");
    return 0;
}
