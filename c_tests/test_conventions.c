/* What the header's preamble promises a binder, checked from C:
 *   - negative constants are parenthesised, so 5-TSPAR_NULL is an expression;
 *   - TSPAR_VERSION_MAJOR/MINOR/PATCH agree with tspar_version();
 *   - each family of functions (status, row id, count, double, pointer, and
 *     the functions that cannot fail) answers a NULL handle as documented,
 *     and tspar_last_error_message() names what was NULL;
 *   - the functions that cannot fail leave the last error as it was, and a
 *     call that succeeds clears it.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

/* Compile-time: without the parentheses `5-TSPAR_NULL` is `5--1`, which
 * does not compile. */
typedef char tspar_null_is_parenthesised[(5 - TSPAR_NULL == 6) ? 1 : -1];
typedef char tspar_err_is_parenthesised[(5 - TSPAR_ERR_NO_MEMORY == 6) ? 1 : -1];

#if !defined(TSPAR_VERSION_MAJOR) || !defined(TSPAR_VERSION_MINOR) || !defined(TSPAR_VERSION_PATCH)
#error "tspar.h lacks the version macros"
#elif TSPAR_VERSION_MAJOR < 0 || TSPAR_VERSION_MINOR < 0 || TSPAR_VERSION_PATCH < 0
#error "tspar.h version macros are not preprocessor numbers"
#endif

static tspar_tables_t *g_tables;

/* Leaves a last error that no NULL check says ("unknown table identifier
 * 99"), so that a check of the message after a call sees that call's. */
static void stale_error(void)
{
    CHECK_EQ(tspar_tables_num_rows(g_tables, 99), TSPAR_ERR_BAD_PARAM_VALUE);
    check_message_(__FILE__, __LINE__, "stale_error", "unknown table identifier 99");
}

/* A call with a NULL argument: the code and a message naming the argument. */
#define CHECK_NULL(expr, code, what)                                                  \
    do {                                                                              \
        stale_error();                                                                \
        CHECK_ERR(expr, code, what " is NULL");                                       \
    } while (0)

static void test_negative_constants(void)
{
    CHECK_EQ(5 - TSPAR_NULL, 6);
    CHECK_EQ(5 - TSPAR_ERR_NO_MEMORY, 6);
    CHECK_EQ(5 - TSPAR_ERR_NULL_POINTER, 7);
    CHECK_EQ(-TSPAR_ERR_BAD_WINDOWS, 401);
    CHECK_EQ(5 - TSPAR_ERR_SUMMARY_FUNC, 421);
}

static void test_version(void)
{
    char header[64];
    snprintf(header, sizeof header, "%d.%d.%d", TSPAR_VERSION_MAJOR, TSPAR_VERSION_MINOR,
        TSPAR_VERSION_PATCH);
    if (strcmp(header, tspar_version()) != 0) {
        fprintf(stderr, "header version %s, library version %s\n", header, tspar_version());
        exit(1);
    }
}

/* int: 0 (or 1 for a yes/no answer or a cursor on a tree), or a code. */
static void test_status_family(const tspar_treeseq_t *ts)
{
    tspar_tables_t *out = NULL;
    tspar_tree_t *tree = NULL;
    tspar_node_t node;
    tspar_bookmark_t mark;
    tspar_tree_arrays_t arrays;
    tspar_size_t n = 0;
    tspar_id_t id;
    double x;
    int dtype;
    const void *data;
    const tspar_size_t sizes[1] = { 2 };
    const tspar_id_t set[2] = { 0, 1 };
    double result[1];

    CHECK_NULL(tspar_tables_new(1.0, NULL), TSPAR_ERR_NULL_POINTER, "out");
    CHECK_NULL(tspar_tables_copy(NULL, &out), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK(out == NULL);
    CHECK_NULL(tspar_tables_dump(NULL, "x.trees", 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_dump(g_tables, NULL, 0), TSPAR_ERR_NULL_POINTER, "path");
    CHECK_NULL(tspar_tables_equals(NULL, g_tables, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_equals(g_tables, NULL, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_clear(NULL, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_set_sequence_length(NULL, 1.0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_get_field(NULL, "metadata", NULL, 0, &n), TSPAR_ERR_NULL_POINTER,
        "tables");
    CHECK_NULL(tspar_tables_set_field(NULL, "metadata", "", 0), TSPAR_ERR_NULL_POINTER,
        "tables");
    CHECK_NULL(tspar_tables_column_info(NULL, "nodes/time", &dtype, &n), TSPAR_ERR_NULL_POINTER,
        "tables");
    CHECK_NULL(tspar_tables_column_info(g_tables, NULL, &dtype, &n), TSPAR_ERR_NULL_POINTER,
        "name");
    CHECK_NULL(tspar_tables_has_index(NULL), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_drop_index(NULL), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_get_node(NULL, 0, &node, NULL, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_get_node(g_tables, 0, NULL, NULL, 0), TSPAR_ERR_NULL_POINTER, "row");
    CHECK_NULL(tspar_tables_set_populations(NULL, 0, NULL, NULL), TSPAR_ERR_NULL_POINTER,
        "tables");
    CHECK_NULL(tspar_tables_append_nodes(NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL),
        TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_build_index(NULL, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_compute_mutation_parents(NULL, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_deduplicate_sites(NULL, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_record_num_rows(NULL, &mark), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_truncate(g_tables, NULL), TSPAR_ERR_NULL_POINTER, "bookmark");

    CHECK_NULL(tspar_treeseq_dump(NULL, "x.trees", 0), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_copy_tables(NULL, &out), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_column(NULL, "nodes/time", &dtype, &data, &n),
        TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_diversity(NULL, 1, sizes, set, 0, NULL, 0, NULL, result, 1),
        TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_tree_new(NULL, 0, &tree), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK(tree == NULL);
    CHECK_NULL(tspar_tree_first(NULL), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_next(NULL), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_seek(NULL, 0.5, 0), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_seek_index(NULL, 0, 0), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_get_interval(NULL, NULL, &x, &x), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_get_arrays(NULL, &arrays), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_get_mrca(NULL, 0, 1, &id), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_get_branch_length(NULL, 0, &x), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_get_sites(NULL, &id, &id, &id, &id), TSPAR_ERR_NULL_POINTER, "tree");

    /* Success is >= 0, and 1 means yes / on a tree. */
    CHECK_EQ(tspar_tables_equals(g_tables, g_tables, 0), 1);
    CHECK_OK(tspar_tree_new(ts, 0, &tree));
    CHECK_EQ(tspar_tree_first(tree), 1);
    CHECK_EQ(tspar_tree_next(tree), 0);
    CHECK_NULL(tspar_tree_get_mrca(tree, 0, 1, NULL), TSPAR_ERR_NULL_POINTER, "mrca");
    tspar_tree_free(tree);
}

/* tspar_id_t: the new row's id (or the number of trees), or a code. */
static void test_row_id_family(void)
{
    CHECK_NULL(tspar_tables_add_individual(NULL, 0, NULL, 0, NULL, 0, NULL, 0),
        TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_add_node(NULL, 0, 0.0, TSPAR_NULL, TSPAR_NULL, NULL, 0),
        TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_add_edge(NULL, 0.0, 1.0, 0, 1, NULL, 0), TSPAR_ERR_NULL_POINTER,
        "tables");
    CHECK_NULL(tspar_tables_add_migration(NULL, 0.0, 1.0, 0, 0, 0, 0.0, NULL, 0),
        TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_add_site(NULL, 0.5, "A", 1, NULL, 0), TSPAR_ERR_NULL_POINTER,
        "tables");
    CHECK_NULL(tspar_tables_add_mutation(NULL, 0, 0, TSPAR_NULL, 0.0, "T", 1, NULL, 0),
        TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_add_population(NULL, NULL, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_add_provenance(NULL, "t", 1, "r", 1), TSPAR_ERR_NULL_POINTER,
        "tables");
    CHECK_NULL(tspar_tables_check_integrity(NULL, 0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_EQ(tspar_tables_add_population(g_tables, NULL, 0), 0);
}

/* int64_t: the count, or a code. */
static void test_count_family(const tspar_treeseq_t *ts)
{
    tspar_tree_t *tree = NULL;
    tspar_id_t ids[8];
    double column[8];
    int64_t n;

    CHECK_NULL(tspar_tables_num_rows(NULL, TSPAR_TABLE_NODES), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_tables_get_column(NULL, "nodes/time", TSPAR_DTYPE_FLOAT64, column, 8),
        TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_NULL(tspar_treeseq_num_trees(NULL), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_num_samples(NULL), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_num_nodes(NULL), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_num_edges(NULL), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_num_sites(NULL), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_num_mutations(NULL), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_treeseq_num_rows(NULL, TSPAR_TABLE_NODES), TSPAR_ERR_NULL_POINTER, "ts");
    CHECK_NULL(tspar_tree_get_roots(NULL, ids, 8), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_preorder(NULL, TSPAR_NULL, ids, 8), TSPAR_ERR_NULL_POINTER, "tree");
    CHECK_NULL(tspar_tree_postorder(NULL, TSPAR_NULL, ids, 8), TSPAR_ERR_NULL_POINTER, "tree");

    /* The same functions on live handles: the counts, and no error. */
    CHECK_EQ(tspar_treeseq_num_trees(ts), 1);
    CHECK_EQ(tspar_treeseq_num_samples(ts), 2);
    CHECK_EQ(tspar_treeseq_num_nodes(ts), 3);
    CHECK_EQ(tspar_treeseq_num_edges(ts), 2);
    CHECK_EQ(tspar_treeseq_num_sites(ts), 0);
    CHECK_EQ(tspar_treeseq_num_mutations(ts), 0);
    CHECK_EQ(tspar_treeseq_num_rows(ts, TSPAR_TABLE_EDGES), 2);
    CHECK_EQ(tspar_tables_get_column(g_tables, "nodes/time", TSPAR_DTYPE_FLOAT64, column, 8), 3);
    CHECK_OK(tspar_tree_new(ts, 0, &tree));
    CHECK_EQ(tspar_tree_first(tree), 1);
    n = tspar_tree_get_roots(tree, ids, 8);
    CHECK_EQ(n, 1);
    CHECK_EQ(ids[0], 2);
    CHECK_EQ(tspar_tree_preorder(tree, 2, ids, 8), 3);
    CHECK(ids[0] == 2 && ids[1] == 0 && ids[2] == 1);
    CHECK_EQ(tspar_tree_get_roots(tree, NULL, 8), TSPAR_ERR_NULL_POINTER);
    tspar_tree_free(tree);
}

/* double (a length, never negative): the value, or the code as a double. */
static void test_double_family(const tspar_treeseq_t *ts)
{
    double x;

    stale_error();
    x = tspar_tables_get_sequence_length(NULL);
    CHECK(x == (double) TSPAR_ERR_NULL_POINTER && (int) x == TSPAR_ERR_NULL_POINTER);
    check_message_(__FILE__, __LINE__, "tspar_tables_get_sequence_length(NULL)", "tables is NULL");
    stale_error();
    x = tspar_treeseq_sequence_length(NULL);
    CHECK(x == (double) TSPAR_ERR_NULL_POINTER);
    check_message_(__FILE__, __LINE__, "tspar_treeseq_sequence_length(NULL)", "ts is NULL");

    CHECK(tspar_tables_get_sequence_length(g_tables) == 10.0);
    CHECK(tspar_treeseq_sequence_length(ts) == 10.0);
    CHECK(tspar_last_error_message()[0] == '\0');
}

/* Pointers: the pointer, or NULL on error. */
static void test_pointer_family(const tspar_treeseq_t *ts)
{
    const tspar_id_t *samples;
    const double *breaks;

    stale_error();
    CHECK(tspar_treeseq_samples(NULL) == NULL);
    check_message_(__FILE__, __LINE__, "tspar_treeseq_samples(NULL)", "ts is NULL");
    stale_error();
    CHECK(tspar_treeseq_breakpoints(NULL) == NULL);
    check_message_(__FILE__, __LINE__, "tspar_treeseq_breakpoints(NULL)", "ts is NULL");

    samples = tspar_treeseq_samples(ts);
    CHECK(samples != NULL && samples[0] == 0 && samples[1] == 1);
    breaks = tspar_treeseq_breakpoints(ts);
    CHECK(breaks != NULL && breaks[0] == 0.0 && breaks[1] == 10.0);
    CHECK(tspar_last_error_message()[0] == '\0');
}

/* The functions that cannot fail: the free functions take NULL, and none of
 * them changes the calling thread's last error. */
static void test_functions_that_cannot_fail(void)
{
    stale_error();
    tspar_tables_free(NULL);
    tspar_treeseq_free(NULL);
    tspar_tree_free(NULL);
    tspar_exec_free(NULL);
    CHECK(tspar_version() != NULL);
    CHECK(strcmp(tspar_strerror(TSPAR_ERR_NULL_POINTER), "a required pointer argument is NULL") == 0);
    CHECK(strcmp(tspar_strerror(-9999), "unknown error") == 0);
    CHECK(tspar_is_unknown_time(tspar_unknown_time()) == 1);
    CHECK(tspar_is_unknown_time(0.0) == 0);
    check_message_(__FILE__, __LINE__, "after the functions that cannot fail",
        "unknown table identifier 99");
    /* Any other call that succeeds clears it. */
    CHECK_EQ(tspar_tables_num_rows(g_tables, TSPAR_TABLE_NODES), 3);
    CHECK(tspar_last_error_message()[0] == '\0');
}

int main(void)
{
    tspar_treeseq_t *ts = NULL;

    test_negative_constants();
    test_version();

    CHECK_OK(tspar_tables_new(10.0, &g_tables));
    CHECK_EQ(tspar_tables_add_node(g_tables, TSPAR_NODE_IS_SAMPLE, 0.0, TSPAR_NULL, TSPAR_NULL, NULL, 0), 0);
    CHECK_EQ(tspar_tables_add_node(g_tables, TSPAR_NODE_IS_SAMPLE, 0.0, TSPAR_NULL, TSPAR_NULL, NULL, 0), 1);
    CHECK_EQ(tspar_tables_add_node(g_tables, 0, 1.0, TSPAR_NULL, TSPAR_NULL, NULL, 0), 2);
    CHECK_EQ(tspar_tables_add_edge(g_tables, 0.0, 10.0, 2, 0, NULL, 0), 0);
    CHECK_EQ(tspar_tables_add_edge(g_tables, 0.0, 10.0, 2, 1, NULL, 0), 1);
    CHECK_OK(tspar_treeseq_from_tables(g_tables, TSPAR_TS_INIT_BUILD_INDEXES, NULL, &ts));

    test_status_family(ts);
    test_count_family(ts);
    test_double_family(ts);
    test_pointer_family(ts);
    test_functions_that_cannot_fail();
    test_row_id_family();

    tspar_treeseq_free(ts);
    tspar_tables_free(g_tables);
    printf("conventions: ok\n");
    return 0;
}
