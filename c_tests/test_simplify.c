/* Simplify, bookmarks and truncation through the C API: a hand-made
 * genealogy whose simplified form is known, and every bad input the
 * functions refuse, each with its code, a message, and the tables and node
 * map left exactly as they were. A failed check reports the line of the
 * call and exits.
 *
 * (The oracle suite compares simplify with tskit on simulated data; this
 * test is about the C contract.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/*
 * Samples 0, 1, 2 at time 0 on [0, 10). Node 3 (time 1) is the parent of 0
 * and 1; node 5 (time 1.5) is unary above 3; node 4 (time 2) is the parent
 * of 5 and 2. Node 6 (time 3) is a unary root above 4 on [0, 5) only. A site
 * at 2.0 has a mutation above 0, a site at 7.0 one above 5.
 */
static tspar_tables_t *make_tables(void)
{
    tspar_tables_t *t = NULL;
    CHECK(tspar_tables_new(10.0, &t) == 0);
    CHECK(tspar_tables_add_node(t, TSPAR_NODE_IS_SAMPLE, 0.0, TSPAR_NULL, TSPAR_NULL, NULL, 0) == 0);
    CHECK(tspar_tables_add_node(t, TSPAR_NODE_IS_SAMPLE, 0.0, TSPAR_NULL, TSPAR_NULL, NULL, 0) == 1);
    CHECK(tspar_tables_add_node(t, TSPAR_NODE_IS_SAMPLE, 0.0, TSPAR_NULL, TSPAR_NULL, NULL, 0) == 2);
    CHECK(tspar_tables_add_node(t, 0, 1.0, TSPAR_NULL, TSPAR_NULL, NULL, 0) == 3);
    CHECK(tspar_tables_add_node(t, 0, 2.0, TSPAR_NULL, TSPAR_NULL, NULL, 0) == 4);
    CHECK(tspar_tables_add_node(t, 0, 1.5, TSPAR_NULL, TSPAR_NULL, NULL, 0) == 5);
    CHECK(tspar_tables_add_node(t, 0, 3.0, TSPAR_NULL, TSPAR_NULL, NULL, 0) == 6);
    /* Sorted as tskit requires: by parent time, then parent, child, left. */
    CHECK(tspar_tables_add_edge(t, 0, 10, 3, 0, NULL, 0) == 0);
    CHECK(tspar_tables_add_edge(t, 0, 10, 3, 1, NULL, 0) == 1);
    CHECK(tspar_tables_add_edge(t, 0, 10, 5, 3, NULL, 0) == 2);
    CHECK(tspar_tables_add_edge(t, 0, 10, 4, 2, NULL, 0) == 3);
    CHECK(tspar_tables_add_edge(t, 0, 10, 4, 5, NULL, 0) == 4);
    CHECK(tspar_tables_add_edge(t, 0, 5, 6, 4, NULL, 0) == 5);
    CHECK(tspar_tables_add_site(t, 2.0, "A", 1, NULL, 0) == 0);
    CHECK(tspar_tables_add_site(t, 7.0, "C", 1, NULL, 0) == 1);
    CHECK(tspar_tables_add_mutation(t, 0, 0, TSPAR_NULL, tspar_unknown_time(), "T", 1, NULL, 0) == 0);
    CHECK(tspar_tables_add_mutation(t, 1, 5, TSPAR_NULL, tspar_unknown_time(), "G", 1, NULL, 0) == 1);
    return t;
}

static void expect_edge(const tspar_tables_t *t, tspar_id_t id, double left, double right, tspar_id_t parent,
    tspar_id_t child)
{
    tspar_edge_t e;
    CHECK(tspar_tables_get_edge(t, id, &e, NULL, 0) == 0);
    if (e.left != left || e.right != right || e.parent != parent || e.child != child) {
        fprintf(stderr, "edge %d is (%g, %g, %d, %d), expected (%g, %g, %d, %d)\n", (int) id, e.left, e.right,
            (int) e.parent, (int) e.child, left, right, (int) parent, (int) child);
        exit(1);
    }
}

static void test_known_result(void)
{
    tspar_tables_t *t = make_tables();
    tspar_id_t map[7];
    const tspar_id_t expected[7] = { 0, 1, 2, 3, 4, TSPAR_NULL, TSPAR_NULL };

    /* NULL samples: the nodes flagged as samples. The unary nodes 5 and 6
     * go; both sites keep their mutation. */
    CHECK(tspar_tables_simplify(t, NULL, 0, TSPAR_SIMPLIFY_FILTER_SITES, NULL, map, 7) == 0);
    CHECK(memcmp(map, expected, sizeof(map)) == 0);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_NODES) == 5);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_EDGES) == 4);
    expect_edge(t, 0, 0, 10, 3, 0);
    expect_edge(t, 1, 0, 10, 3, 1);
    expect_edge(t, 2, 0, 10, 4, 2);
    expect_edge(t, 3, 0, 10, 4, 3);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_SITES) == 2);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_MUTATIONS) == 2);
    tspar_tables_free(t);

    /* Samples 2 and 0, in that order: they become 0 and 1; their MRCA 4 is
     * node 2, and 3 and 5 are unary on the path to 0, so they go. */
    t = make_tables();
    const tspar_id_t samples[2] = { 2, 0 };
    CHECK(tspar_tables_simplify(t, samples, 2, 0, NULL, map, 7) == 0);
    CHECK(map[2] == 0 && map[0] == 1 && map[4] == 2);
    CHECK(map[1] == TSPAR_NULL && map[3] == TSPAR_NULL && map[5] == TSPAR_NULL && map[6] == TSPAR_NULL);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_EDGES) == 2);
    expect_edge(t, 0, 0, 10, 2, 0);
    expect_edge(t, 1, 0, 10, 2, 1);
    tspar_tables_free(t);

    /* Keep unary and input roots: every node stays, root 6 included. */
    t = make_tables();
    CHECK(tspar_tables_simplify(t, NULL, 0, TSPAR_SIMPLIFY_KEEP_UNARY | TSPAR_SIMPLIFY_KEEP_INPUT_ROOTS, NULL, NULL, 0)
        == 0);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_NODES) == 7);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_EDGES) == 6);
    tspar_tables_free(t);
}

/* A failing simplify: code, message, tables and map unchanged. */
static void expect_refused(tspar_tables_t *t, const tspar_id_t *samples, tspar_size_t n, tspar_flags_t options,
    tspar_size_t map_length, int code)
{
    tspar_tables_t *before = NULL;
    tspar_id_t map[16];
    size_t i;

    for (i = 0; i < 16; i++) {
        map[i] = -7;
    }
    CHECK(tspar_tables_copy(t, &before) == 0);
    CHECK_ERR(tspar_tables_simplify(t, samples, n, options, NULL, map, map_length), code, "");
    CHECK(tspar_tables_equals(t, before, 0) == 1);
    for (i = 0; i < 16; i++) {
        CHECK(map[i] == -7);
    }
    tspar_tables_free(before);
}

static void test_refusals(void)
{
    tspar_tables_t *t = make_tables();
    const tspar_id_t out_of_range[2] = { 0, 99 };
    const tspar_id_t negative[2] = { 0, -1 };
    const tspar_id_t twice[3] = { 0, 1, 0 };
    const tspar_id_t good[2] = { 0, 1 };

    CHECK_ERR(tspar_tables_simplify(NULL, good, 2, 0, NULL, NULL, 0), TSPAR_ERR_NULL_POINTER, "");
    expect_refused(t, out_of_range, 2, 0, 16, TSPAR_ERR_NODE_OUT_OF_BOUNDS);
    expect_refused(t, negative, 2, 0, 16, TSPAR_ERR_NODE_OUT_OF_BOUNDS);
    expect_refused(t, twice, 3, 0, 16, TSPAR_ERR_DUPLICATE_SAMPLE);
    expect_refused(t, good, 2, 0, 6, TSPAR_ERR_BUFFER_TOO_SMALL);
    expect_refused(t, good, 2, 1u << 20, 16, TSPAR_ERR_BAD_OPTIONS);
    expect_refused(t, good, 2, TSPAR_SIMPLIFY_KEEP_UNARY | TSPAR_SIMPLIFY_KEEP_UNARY_IN_INDIVIDUALS, 16,
        TSPAR_ERR_KEEP_UNARY_MUTUALLY_EXCLUSIVE);

    /* An edge out of order (parent time 1 after parent time 2). */
    CHECK(tspar_tables_add_edge(t, 5, 10, 3, 2, NULL, 0) == 6);
    expect_refused(t, good, 2, 0, 16, TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME);
    tspar_tables_free(t);

    t = make_tables();
    CHECK(tspar_tables_add_edge(t, 5, 10, 6, 4, "m", 1) == 6);
    expect_refused(t, good, 2, 0, 16, TSPAR_ERR_CANT_PROCESS_EDGES_WITH_METADATA);
    tspar_tables_free(t);

    t = make_tables();
    CHECK(tspar_tables_add_population(t, NULL, 0) == 0);
    CHECK(tspar_tables_add_population(t, NULL, 0) == 1);
    CHECK(tspar_tables_add_migration(t, 0, 10, 3, 0, 1, 1.2, NULL, 0) == 0);
    expect_refused(t, good, 2, 0, 16, TSPAR_ERR_SIMPLIFY_MIGRATIONS_NOT_SUPPORTED);
    tspar_tables_free(t);
}

static void test_bookmarks(void)
{
    tspar_tables_t *t = make_tables();
    tspar_tables_t *before = NULL;
    tspar_bookmark_t mark, far;

    CHECK_ERR(tspar_tables_record_num_rows(NULL, &mark), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tables_record_num_rows(t, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK(tspar_tables_record_num_rows(t, &mark) == 0);
    CHECK(mark.nodes == 7 && mark.edges == 6 && mark.sites == 2 && mark.mutations == 2);
    CHECK(mark.individuals == 0 && mark.migrations == 0 && mark.populations == 0 && mark.provenances == 0);
    CHECK(tspar_tables_copy(t, &before) == 0);

    /* A birth, then undone: every table back to the mark, ragged columns too. */
    CHECK(tspar_tables_add_node(t, 0, 0.0, TSPAR_NULL, TSPAR_NULL, "meta", 4) == 7);
    CHECK(tspar_tables_add_edge(t, 0, 10, 4, 7, NULL, 0) == 6);
    CHECK(tspar_tables_add_site(t, 9.0, "GG", 2, NULL, 0) == 2);
    CHECK(tspar_tables_add_mutation(t, 2, 7, TSPAR_NULL, 0.0, "TTT", 3, NULL, 0) == 2);
    CHECK(tspar_tables_add_population(t, "p", 1) == 0);
    CHECK(tspar_tables_add_individual(t, 0, NULL, 0, NULL, 0, NULL, 0) == 0);
    CHECK(tspar_tables_equals(t, before, 0) == 0);
    CHECK(tspar_tables_truncate(t, &mark) == 0);
    CHECK(tspar_tables_equals(t, before, 0) == 1);

    /* A mark beyond a table: refused, nothing cut. */
    far = mark;
    far.nodes = 6;
    far.edges = 100;
    CHECK_ERR(tspar_tables_truncate(t, &far), TSPAR_ERR_BAD_TABLE_POSITION, "");
    CHECK(tspar_tables_equals(t, before, 0) == 1);
    CHECK_ERR(tspar_tables_truncate(NULL, &mark), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tables_truncate(t, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK(tspar_tables_equals(t, before, 0) == 1);

    /* Truncating to a smaller mark, then simplifying what is left. */
    far = mark;
    far.edges = 5; /* drop the root edge above 4 */
    far.nodes = 6;
    far.mutations = 1;
    far.sites = 1;
    CHECK(tspar_tables_truncate(t, &far) == 0);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_NODES) == 6);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_EDGES) == 5);
    CHECK(tspar_tables_simplify(t, NULL, 0, 0, NULL, NULL, 0) == 0);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_NODES) == 5);
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_EDGES) == 4);

    tspar_tables_free(before);
    tspar_tables_free(t);
}

int main(void)
{
    test_known_result();
    test_refusals();
    test_bookmarks();
    printf("test_simplify: ok\n");
    return 0;
}
