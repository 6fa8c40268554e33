/* Unit tests of the tables C API: rows in and out for all eight tables,
 * whole columns in and out, collection fields, copy/equals/clear, and the
 * error contract (codes, messages, nothing written on failure). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define SENTINEL 0x5a

static tspar_tables_t *new_tables(double sequence_length)
{
    tspar_tables_t *t = NULL;
    CHECK_OK(tspar_tables_new(sequence_length, &t));
    CHECK(t != NULL);
    return t;
}

static int all_bytes(const void *p, size_t n, unsigned char value)
{
    const unsigned char *b = p;
    size_t j;
    for (j = 0; j < n; j++) {
        if (b[j] != value) {
            return 0;
        }
    }
    return 1;
}

static void test_version_and_strerror(void)
{
    static const int codes[] = { TSPAR_ERR_NO_MEMORY, TSPAR_ERR_NULL_POINTER,
        TSPAR_ERR_BAD_PARAM_VALUE, TSPAR_ERR_BUFFER_TOO_SMALL, TSPAR_ERR_BAD_OPTIONS,
        TSPAR_ERR_INTERNAL, TSPAR_ERR_BUSY, TSPAR_ERR_CANCELLED, TSPAR_ERR_BAD_STRING,
        TSPAR_ERR_BAD_DTYPE, TSPAR_ERR_COLUMN_NOT_FOUND, TSPAR_ERR_IO,
        TSPAR_ERR_FILE_NOT_FOUND, TSPAR_ERR_PERMISSION_DENIED, TSPAR_ERR_IS_A_DIRECTORY,
        TSPAR_ERR_BAD_MAGIC, TSPAR_ERR_FILE_TRUNCATED, TSPAR_ERR_FILE_FORMAT,
        TSPAR_ERR_FILE_VERSION_TOO_OLD, TSPAR_ERR_FILE_VERSION_TOO_NEW,
        TSPAR_ERR_BAD_ITEM_OFFSET, TSPAR_ERR_DUPLICATE_KEY, TSPAR_ERR_REQUIRED_COL_NOT_FOUND,
        TSPAR_ERR_BAD_COLUMN_TYPE, TSPAR_ERR_BOTH_COLUMNS_REQUIRED,
        TSPAR_ERR_COLUMN_LENGTH_MISMATCH, TSPAR_ERR_BAD_OFFSET, TSPAR_ERR_BAD_SEQUENCE_LENGTH,
        TSPAR_ERR_TABLE_OVERFLOW, TSPAR_ERR_COLUMN_OVERFLOW, TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS,
        TSPAR_ERR_NODE_OUT_OF_BOUNDS, TSPAR_ERR_EDGE_OUT_OF_BOUNDS,
        TSPAR_ERR_MIGRATION_OUT_OF_BOUNDS, TSPAR_ERR_SITE_OUT_OF_BOUNDS,
        TSPAR_ERR_MUTATION_OUT_OF_BOUNDS, TSPAR_ERR_POPULATION_OUT_OF_BOUNDS,
        TSPAR_ERR_PROVENANCE_OUT_OF_BOUNDS, TSPAR_ERR_TABLES_NOT_INDEXED,
        TSPAR_ERR_BAD_NODE_TIME_ORDERING, TSPAR_ERR_NULL_PARENT, TSPAR_ERR_NULL_CHILD,
        TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME, TSPAR_ERR_EDGES_NOT_SORTED_CHILD,
        TSPAR_ERR_EDGES_NOT_SORTED_LEFT, TSPAR_ERR_EDGES_NONCONTIGUOUS_PARENTS,
        TSPAR_ERR_BAD_EDGE_INTERVAL, TSPAR_ERR_DUPLICATE_EDGES,
        TSPAR_ERR_RIGHT_GREATER_SEQ_LENGTH, TSPAR_ERR_LEFT_LESS_ZERO,
        TSPAR_ERR_BAD_EDGES_CONTRADICTORY_CHILDREN, TSPAR_ERR_GENOME_COORDS_NONFINITE,
        TSPAR_ERR_TIME_NONFINITE, TSPAR_ERR_BAD_SITE_POSITION, TSPAR_ERR_UNSORTED_SITES,
        TSPAR_ERR_DUPLICATE_SITE_POSITION, TSPAR_ERR_UNSORTED_MUTATIONS,
        TSPAR_ERR_MUTATION_PARENT_DIFFERENT_SITE, TSPAR_ERR_MUTATION_PARENT_EQUAL,
        TSPAR_ERR_MUTATION_PARENT_AFTER_CHILD, TSPAR_ERR_MUTATION_TIME_YOUNGER_THAN_NODE,
        TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_NODE,
        TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_MUTATION,
        TSPAR_ERR_MUTATION_TIME_HAS_BOTH_KNOWN_AND_UNKNOWN, TSPAR_ERR_BAD_MUTATION_PARENT,
        TSPAR_ERR_MUTATION_PARENT_INCONSISTENT, TSPAR_ERR_UNSORTED_MIGRATIONS,
        TSPAR_ERR_UNSORTED_INDIVIDUALS, TSPAR_ERR_INDIVIDUAL_SELF_PARENT,
        TSPAR_ERR_INDIVIDUAL_PARENT_CYCLE, TSPAR_ERR_TABLES_BAD_INDEXES,
        TSPAR_ERR_SORT_OFFSET_NOT_SUPPORTED, TSPAR_ERR_MIGRATIONS_NOT_SUPPORTED,
        TSPAR_ERR_SEEK_OUT_OF_BOUNDS, TSPAR_ERR_TREE_SEQUENCE_HAS_NO_SAMPLES,
        TSPAR_ERR_UNKNOWN_TIME_NOT_SUPPORTED, TSPAR_ERR_TREE_OVERFLOW };
    size_t n = sizeof codes / sizeof codes[0];
    size_t j, k;
    const char *unknown = tspar_strerror(-9999);

    CHECK(strcmp(tspar_version(), TSPAR_EXPECTED_VERSION) == 0);
    CHECK(strcmp(unknown, "unknown error") == 0);
    CHECK(strcmp(tspar_strerror(0), "no error") == 0);
    CHECK(strcmp(tspar_strerror(-12345678), "unknown error") == 0);
    /* Every code has its own message: specific, never the fallback. */
    for (j = 0; j < n; j++) {
        const char *m = tspar_strerror(codes[j]);
        CHECK(m != NULL && m[0] != '\0');
        CHECK(strcmp(m, unknown) != 0);
        for (k = 0; k < j; k++) {
            if (strcmp(m, tspar_strerror(codes[k])) == 0) {
                fprintf(stderr, "codes %d and %d share the message '%s'\n", codes[j], codes[k],
                    m);
                exit(1);
            }
        }
    }
    CHECK(strstr(tspar_strerror(TSPAR_ERR_NODE_OUT_OF_BOUNDS), "node") != NULL);
    CHECK(strstr(tspar_strerror(TSPAR_ERR_BUFFER_TOO_SMALL), "buffer") != NULL);
}

static void test_new_free_errors(void)
{
    tspar_tables_t *t = (tspar_tables_t *) &t; /* a sentinel that must stay */
    tspar_tables_t *sentinel = t;

    CHECK_ERR(tspar_tables_new(-1.0, &t), TSPAR_ERR_BAD_SEQUENCE_LENGTH, "");
    CHECK(t == sentinel);
    CHECK_ERR(tspar_tables_new(NAN, &t), TSPAR_ERR_BAD_SEQUENCE_LENGTH, "");
    CHECK_ERR(tspar_tables_new(INFINITY, &t), TSPAR_ERR_BAD_SEQUENCE_LENGTH, "");
    CHECK(t == sentinel);
    CHECK_ERR(tspar_tables_new(1.0, NULL), TSPAR_ERR_NULL_POINTER, "out");
    tspar_tables_free(NULL);

    t = new_tables(0.0); /* 0 means "not yet known", allowed */
    CHECK(tspar_last_error_message()[0] == '\0');
    CHECK(tspar_tables_get_sequence_length(t) == 0.0);
    CHECK_OK(tspar_tables_set_sequence_length(t, 123.5));
    CHECK(tspar_tables_get_sequence_length(t) == 123.5);
    CHECK_ERR(tspar_tables_set_sequence_length(t, -2.0), TSPAR_ERR_BAD_SEQUENCE_LENGTH, "");
    CHECK_ERR(tspar_tables_set_sequence_length(t, NAN), TSPAR_ERR_BAD_SEQUENCE_LENGTH, "");
    CHECK(tspar_tables_get_sequence_length(t) == 123.5);
    CHECK_ERR(tspar_tables_set_sequence_length(NULL, 1.0), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK(tspar_tables_get_sequence_length(NULL) == (double) TSPAR_ERR_NULL_POINTER);
    tspar_tables_free(t);
}

static void test_num_rows(void)
{
    tspar_tables_t *t = new_tables(10.0);
    int table;
    for (table = TSPAR_TABLE_INDIVIDUALS; table <= TSPAR_TABLE_PROVENANCES; table++) {
        CHECK_EQ(tspar_tables_num_rows(t, table), 0);
    }
    CHECK_ERR(tspar_tables_num_rows(t, 8), TSPAR_ERR_BAD_PARAM_VALUE, "8");
    CHECK_ERR(tspar_tables_num_rows(t, -1), TSPAR_ERR_BAD_PARAM_VALUE, "-1");
    CHECK_ERR(tspar_tables_num_rows(NULL, TSPAR_TABLE_NODES), TSPAR_ERR_NULL_POINTER, "");
    CHECK_EQ(tspar_tables_has_index(t), 0);
    CHECK_OK(tspar_tables_drop_index(t));
    CHECK_ERR(tspar_tables_has_index(NULL), TSPAR_ERR_NULL_POINTER, "");
    tspar_tables_free(t);
}

static void test_individuals(tspar_tables_t *t)
{
    const double loc[3] = { 0.5, 1.5, -2.25 };
    const tspar_id_t parents[2] = { TSPAR_NULL, 0 };
    double loc_out[3];
    tspar_id_t par_out[2];
    char md[8];
    tspar_individual_t row;

    CHECK_EQ(tspar_tables_add_individual(t, 7, loc, 3, NULL, 0, "ind0", 4), 0);
    CHECK_EQ(tspar_tables_add_individual(t, 0, NULL, 0, parents, 2, NULL, 0), 1);
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_INDIVIDUALS), 2);

    /* Lengths first, with NULL buffers. */
    memset(&row, SENTINEL, sizeof row);
    CHECK_OK(tspar_tables_get_individual(t, 0, &row, NULL, 0, NULL, 0, NULL, 0));
    CHECK_EQ(row.flags, 7);
    CHECK_EQ(row.location_length, 3);
    CHECK_EQ(row.parents_length, 0);
    CHECK_EQ(row.metadata_length, 4);
    CHECK_OK(tspar_tables_get_individual(t, 0, &row, loc_out, 3, par_out, 2, md, sizeof md));
    CHECK(memcmp(loc_out, loc, sizeof loc) == 0);
    CHECK(memcmp(md, "ind0", 4) == 0);
    CHECK_OK(tspar_tables_get_individual(t, 1, &row, loc_out, 3, par_out, 2, md, sizeof md));
    CHECK_EQ(row.parents_length, 2);
    CHECK_EQ(row.location_length, 0);
    CHECK(par_out[0] == TSPAR_NULL && par_out[1] == 0);

    /* A short buffer: the code, and nothing written anywhere. */
    memset(&row, SENTINEL, sizeof row);
    memset(loc_out, SENTINEL, sizeof loc_out);
    memset(md, SENTINEL, sizeof md);
    CHECK_ERR(tspar_tables_get_individual(t, 0, &row, loc_out, 2, NULL, 0, md, sizeof md),
        TSPAR_ERR_BUFFER_TOO_SMALL, "location");
    CHECK(all_bytes(&row, sizeof row, SENTINEL));
    CHECK(all_bytes(loc_out, sizeof loc_out, SENTINEL));
    CHECK(all_bytes(md, sizeof md, SENTINEL));
    CHECK_ERR(tspar_tables_get_individual(t, 0, &row, loc_out, 3, NULL, 0, md, 3),
        TSPAR_ERR_BUFFER_TOO_SMALL, "metadata");
    CHECK(all_bytes(loc_out, sizeof loc_out, SENTINEL));
    CHECK(all_bytes(&row, sizeof row, SENTINEL));

    CHECK_ERR(tspar_tables_get_individual(t, 2, &row, NULL, 0, NULL, 0, NULL, 0),
        TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS, "2");
    CHECK_ERR(tspar_tables_get_individual(t, -1, &row, NULL, 0, NULL, 0, NULL, 0),
        TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS, "");
    CHECK_ERR(tspar_tables_get_individual(t, 0, NULL, NULL, 0, NULL, 0, NULL, 0),
        TSPAR_ERR_NULL_POINTER, "row");
    CHECK_ERR(tspar_tables_add_individual(t, 0, NULL, 2, NULL, 0, NULL, 0),
        TSPAR_ERR_NULL_POINTER, "location");
    CHECK_ERR(tspar_tables_add_individual(NULL, 0, NULL, 0, NULL, 0, NULL, 0),
        TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_INDIVIDUALS), 2);
}

static void test_nodes(tspar_tables_t *t)
{
    tspar_node_t row;
    char md[4];
    CHECK_EQ(tspar_tables_add_node(t, TSPAR_NODE_IS_SAMPLE, 0.0, 0, 1, NULL, 0), 0);
    CHECK_EQ(tspar_tables_add_node(t, 0, 2.5, TSPAR_NULL, TSPAR_NULL, "abc", 3), 1);
    CHECK_OK(tspar_tables_get_node(t, 1, &row, md, sizeof md));
    CHECK_EQ(row.flags, 0);
    CHECK(row.time == 2.5);
    CHECK_EQ(row.population, TSPAR_NULL);
    CHECK_EQ(row.individual, TSPAR_NULL);
    CHECK_EQ(row.metadata_length, 3);
    CHECK(memcmp(md, "abc", 3) == 0);
    CHECK_OK(tspar_tables_get_node(t, 0, &row, NULL, 0));
    CHECK(row.flags == TSPAR_NODE_IS_SAMPLE && row.time == 0.0 && row.population == 0);
    CHECK_EQ(row.individual, 1);

    memset(md, SENTINEL, sizeof md);
    memset(&row, SENTINEL, sizeof row);
    CHECK_ERR(tspar_tables_get_node(t, 1, &row, md, 2), TSPAR_ERR_BUFFER_TOO_SMALL, "metadata");
    CHECK(all_bytes(md, sizeof md, SENTINEL) && all_bytes(&row, sizeof row, SENTINEL));
    CHECK_ERR(tspar_tables_get_node(t, 2, &row, NULL, 0), TSPAR_ERR_NODE_OUT_OF_BOUNDS, "nodes");
    CHECK_ERR(tspar_tables_get_node(t, INT32_MIN, &row, NULL, 0), TSPAR_ERR_NODE_OUT_OF_BOUNDS,
        "");
    CHECK_ERR(tspar_tables_get_node(NULL, 0, &row, NULL, 0), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_tables_add_node(t, 0, 1.0, 0, 0, NULL, 5), TSPAR_ERR_NULL_POINTER,
        "metadata");
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_NODES), 2);
}

static void test_edges(tspar_tables_t *t)
{
    tspar_edge_t row;
    char md[2];
    CHECK_EQ(tspar_tables_add_edge(t, 0.0, 5.0, 1, 0, NULL, 0), 0);
    CHECK_EQ(tspar_tables_add_edge(t, 5.0, 10.0, 1, 0, "e", 1), 1);
    CHECK_OK(tspar_tables_get_edge(t, 1, &row, md, sizeof md));
    CHECK(row.left == 5.0 && row.right == 10.0 && row.parent == 1 && row.child == 0);
    CHECK_EQ(row.metadata_length, 1);
    CHECK(md[0] == 'e');
    CHECK_ERR(tspar_tables_get_edge(t, 2, &row, NULL, 0), TSPAR_ERR_EDGE_OUT_OF_BOUNDS, "");
    CHECK_ERR(tspar_tables_get_edge(t, 1, &row, md, 0), TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK_ERR(tspar_tables_add_edge(NULL, 0, 1, 0, 1, NULL, 0), TSPAR_ERR_NULL_POINTER, "");
}

static void test_migrations(tspar_tables_t *t)
{
    tspar_migration_t row;
    char md[3];
    CHECK_EQ(tspar_tables_add_migration(t, 1.0, 2.0, 0, 0, 1, 3.5, "mg", 2), 0);
    CHECK_OK(tspar_tables_get_migration(t, 0, &row, md, sizeof md));
    CHECK(row.left == 1.0 && row.right == 2.0 && row.node == 0 && row.source == 0);
    CHECK(row.dest == 1 && row.time == 3.5 && row.metadata_length == 2);
    CHECK(memcmp(md, "mg", 2) == 0);
    CHECK_ERR(tspar_tables_get_migration(t, 1, &row, NULL, 0),
        TSPAR_ERR_MIGRATION_OUT_OF_BOUNDS, "");
    CHECK_ERR(tspar_tables_get_migration(t, 0, &row, md, 1), TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK_ERR(tspar_tables_add_migration(t, 0, 1, 0, 0, 0, 0, NULL, 1), TSPAR_ERR_NULL_POINTER,
        "");
}

static void test_sites_mutations(tspar_tables_t *t)
{
    tspar_site_t srow;
    tspar_mutation_t mrow;
    char state[8], md[8];

    CHECK_EQ(tspar_tables_add_site(t, 2.0, "A", 1, NULL, 0), 0);
    CHECK_EQ(tspar_tables_add_site(t, 7.0, "", 0, "site", 4), 1);
    CHECK_OK(tspar_tables_get_site(t, 0, &srow, state, sizeof state, md, sizeof md));
    CHECK(srow.position == 2.0 && srow.ancestral_state_length == 1 && state[0] == 'A');
    CHECK_EQ(srow.metadata_length, 0);
    CHECK_OK(tspar_tables_get_site(t, 1, &srow, state, sizeof state, md, sizeof md));
    CHECK(srow.ancestral_state_length == 0 && srow.metadata_length == 4);
    CHECK(memcmp(md, "site", 4) == 0);
    memset(state, SENTINEL, sizeof state);
    CHECK_ERR(tspar_tables_get_site(t, 1, &srow, state, sizeof state, md, 3),
        TSPAR_ERR_BUFFER_TOO_SMALL, "metadata");
    CHECK(all_bytes(state, sizeof state, SENTINEL));
    CHECK_ERR(tspar_tables_get_site(t, 2, &srow, NULL, 0, NULL, 0), TSPAR_ERR_SITE_OUT_OF_BOUNDS,
        "");
    CHECK_ERR(tspar_tables_add_site(t, 1.0, NULL, 1, NULL, 0), TSPAR_ERR_NULL_POINTER,
        "ancestral_state");

    CHECK_EQ(tspar_tables_add_mutation(t, 0, 0, TSPAR_NULL, tspar_unknown_time(), "T", 1, NULL,
                 0),
        0);
    CHECK_EQ(tspar_tables_add_mutation(t, 0, 1, 0, 1.25, "GG", 2, "m", 1), 1);
    CHECK_OK(tspar_tables_get_mutation(t, 0, &mrow, state, sizeof state, md, sizeof md));
    CHECK(mrow.site == 0 && mrow.node == 0 && mrow.parent == TSPAR_NULL);
    CHECK(tspar_is_unknown_time(mrow.time) == 1);
    CHECK(mrow.derived_state_length == 1 && state[0] == 'T');
    CHECK_OK(tspar_tables_get_mutation(t, 1, &mrow, state, sizeof state, md, sizeof md));
    CHECK(mrow.parent == 0 && mrow.time == 1.25 && tspar_is_unknown_time(mrow.time) == 0);
    CHECK(mrow.derived_state_length == 2 && memcmp(state, "GG", 2) == 0);
    CHECK(mrow.metadata_length == 1 && md[0] == 'm');
    CHECK(tspar_is_unknown_time(NAN) == 0);
    CHECK(isnan(tspar_unknown_time()));
    CHECK_ERR(tspar_tables_get_mutation(t, 1, &mrow, state, 1, NULL, 0),
        TSPAR_ERR_BUFFER_TOO_SMALL, "derived_state");
    CHECK_ERR(tspar_tables_get_mutation(t, 5, &mrow, NULL, 0, NULL, 0),
        TSPAR_ERR_MUTATION_OUT_OF_BOUNDS, "");
    CHECK_ERR(tspar_tables_add_mutation(t, 0, 0, -1, 0.0, NULL, 3, NULL, 0),
        TSPAR_ERR_NULL_POINTER, "");
}

static void test_populations_provenances(tspar_tables_t *t)
{
    tspar_population_t prow;
    tspar_provenance_t vrow;
    char a[32], b[32];

    CHECK_EQ(tspar_tables_add_population(t, "{\"name\":\"A\"}", 12), 0);
    CHECK_EQ(tspar_tables_add_population(t, NULL, 0), 1);
    CHECK_OK(tspar_tables_get_population(t, 0, &prow, a, sizeof a));
    CHECK(prow.metadata_length == 12 && memcmp(a, "{\"name\":\"A\"}", 12) == 0);
    CHECK_ERR(tspar_tables_get_population(t, 0, &prow, a, 11), TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK_ERR(tspar_tables_get_population(t, 2, &prow, NULL, 0),
        TSPAR_ERR_POPULATION_OUT_OF_BOUNDS, "");

    CHECK_EQ(tspar_tables_add_provenance(t, "2024-01-01", 10, "{}", 2), 0);
    CHECK_OK(tspar_tables_get_provenance(t, 0, &vrow, a, sizeof a, b, sizeof b));
    CHECK(vrow.timestamp_length == 10 && memcmp(a, "2024-01-01", 10) == 0);
    CHECK(vrow.record_length == 2 && memcmp(b, "{}", 2) == 0);
    memset(a, SENTINEL, sizeof a);
    CHECK_ERR(tspar_tables_get_provenance(t, 0, &vrow, a, sizeof a, b, 1),
        TSPAR_ERR_BUFFER_TOO_SMALL, "record");
    CHECK(all_bytes(a, sizeof a, SENTINEL));
    CHECK_ERR(tspar_tables_get_provenance(t, 1, &vrow, NULL, 0, NULL, 0),
        TSPAR_ERR_PROVENANCE_OUT_OF_BOUNDS, "");
    CHECK_ERR(tspar_tables_add_provenance(t, NULL, 1, "x", 1), TSPAR_ERR_NULL_POINTER,
        "timestamp");
}

/* Fills a collection with rows of every table through the row functions. */
static tspar_tables_t *filled_tables(void)
{
    tspar_tables_t *t = new_tables(10.0);
    test_individuals(t);
    test_nodes(t);
    test_edges(t);
    test_migrations(t);
    test_sites_mutations(t);
    test_populations_provenances(t);
    return t;
}

static void test_fields(void)
{
    tspar_tables_t *t = new_tables(1.0);
    char buf[64];
    tspar_size_t n = 999;

    CHECK_OK(tspar_tables_get_field(t, "time_units", NULL, 0, &n));
    CHECK_EQ(n, 7);
    CHECK_OK(tspar_tables_get_field(t, "time_units", buf, sizeof buf, &n));
    CHECK(memcmp(buf, "unknown", 7) == 0);
    CHECK_OK(tspar_tables_set_field(t, "time_units", "generations", 11));
    memset(buf, SENTINEL, sizeof buf);
    n = 999;
    CHECK_ERR(tspar_tables_get_field(t, "time_units", buf, 10, &n), TSPAR_ERR_BUFFER_TOO_SMALL,
        "time_units");
    CHECK(all_bytes(buf, sizeof buf, SENTINEL));
    CHECK_EQ(n, 999);
    CHECK_OK(tspar_tables_get_field(t, "time_units", buf, 11, &n));
    CHECK(n == 11 && memcmp(buf, "generations", 11) == 0);

    {
        static const char *names[] = { "metadata", "metadata_schema", "reference_sequence/data",
            "reference_sequence/url", "reference_sequence/metadata",
            "reference_sequence/metadata_schema", "individuals/metadata_schema",
            "nodes/metadata_schema", "edges/metadata_schema", "migrations/metadata_schema",
            "sites/metadata_schema", "mutations/metadata_schema", "populations/metadata_schema" };
        size_t j;
        for (j = 0; j < sizeof names / sizeof names[0]; j++) {
            char value[48];
            int len = snprintf(value, sizeof value, "value of %s", names[j]);
            CHECK_OK(tspar_tables_get_field(t, names[j], NULL, 0, &n));
            CHECK_EQ(n, 0);
            CHECK_OK(tspar_tables_set_field(t, names[j], value, (tspar_size_t) len));
            CHECK_OK(tspar_tables_get_field(t, names[j], buf, sizeof buf, &n));
            CHECK(n == (tspar_size_t) len && memcmp(buf, value, n) == 0);
        }
        CHECK_OK(tspar_tables_set_field(t, "metadata", NULL, 0));
        CHECK_OK(tspar_tables_get_field(t, "metadata", NULL, 0, &n));
        CHECK_EQ(n, 0);
    }
    CHECK_ERR(tspar_tables_get_field(t, "no_such_field", NULL, 0, &n),
        TSPAR_ERR_COLUMN_NOT_FOUND, "no_such_field");
    CHECK_ERR(tspar_tables_set_field(t, "nodes/time", "x", 1), TSPAR_ERR_COLUMN_NOT_FOUND,
        "nodes/time");
    CHECK_ERR(tspar_tables_get_field(t, NULL, NULL, 0, &n), TSPAR_ERR_NULL_POINTER, "name");
    CHECK_ERR(tspar_tables_set_field(t, "metadata", NULL, 3), TSPAR_ERR_NULL_POINTER, "value");
    CHECK_ERR(tspar_tables_get_field(NULL, "metadata", NULL, 0, &n), TSPAR_ERR_NULL_POINTER,
        "tables");
    CHECK_ERR(tspar_tables_get_field(t, "\xff\xfe", NULL, 0, &n), TSPAR_ERR_BAD_STRING, "");
    tspar_tables_free(t);
}

static void test_columns_out(tspar_tables_t *t)
{
    int dtype = -1;
    tspar_size_t n = 0;
    double time[4];
    uint64_t offset[4];
    char md[8];

    CHECK_OK(tspar_tables_column_info(t, "nodes/time", &dtype, &n));
    CHECK_EQ(dtype, TSPAR_DTYPE_FLOAT64);
    CHECK_EQ(n, 2);
    CHECK_EQ(tspar_tables_get_column(t, "nodes/time", TSPAR_DTYPE_FLOAT64, time, 4), 2);
    CHECK(time[0] == 0.0 && time[1] == 2.5);

    CHECK_OK(tspar_tables_column_info(t, "nodes/metadata_offset", &dtype, &n));
    CHECK(dtype == TSPAR_DTYPE_UINT64 && n == 3);
    CHECK_EQ(tspar_tables_get_column(t, "nodes/metadata_offset", TSPAR_DTYPE_UINT64, offset, 3),
        3);
    CHECK(offset[0] == 0 && offset[1] == 0 && offset[2] == 3);
    CHECK_OK(tspar_tables_column_info(t, "nodes/metadata", &dtype, &n));
    CHECK(n == 3);
    /* Byte columns accept both byte types. */
    CHECK_EQ(tspar_tables_get_column(t, "nodes/metadata", TSPAR_DTYPE_INT8, md, sizeof md), 3);
    CHECK_EQ(tspar_tables_get_column(t, "nodes/metadata", TSPAR_DTYPE_UINT8, md, sizeof md), 3);
    CHECK(memcmp(md, "abc", 3) == 0);
    {
        tspar_id_t ids[2];
        CHECK_OK(tspar_tables_column_info(t, "edges/parent", &dtype, &n));
        CHECK(dtype == TSPAR_DTYPE_INT32 && n == 2);
        CHECK_EQ(tspar_tables_get_column(t, "edges/parent", TSPAR_DTYPE_INT32, ids, 2), 2);
        CHECK(ids[0] == 1 && ids[1] == 1);
    }
    {
        uint32_t flags[2];
        CHECK_OK(tspar_tables_column_info(t, "individuals/flags", &dtype, &n));
        CHECK(dtype == TSPAR_DTYPE_UINT32 && n == 2);
        CHECK_EQ(tspar_tables_get_column(t, "individuals/flags", TSPAR_DTYPE_UINT32, flags, 2),
            2);
        CHECK(flags[0] == 7 && flags[1] == 0);
    }

    /* Errors: nothing written. */
    memset(time, SENTINEL, sizeof time);
    CHECK_ERR(tspar_tables_get_column(t, "nodes/time", TSPAR_DTYPE_FLOAT64, time, 1),
        TSPAR_ERR_BUFFER_TOO_SMALL, "nodes/time");
    CHECK(all_bytes(time, sizeof time, SENTINEL));
    CHECK_ERR(tspar_tables_get_column(t, "nodes/time", TSPAR_DTYPE_INT32, time, 4),
        TSPAR_ERR_BAD_DTYPE, "float64");
    CHECK(all_bytes(time, sizeof time, SENTINEL));
    CHECK_ERR(tspar_tables_get_column(t, "nodes/colour", TSPAR_DTYPE_FLOAT64, time, 4),
        TSPAR_ERR_COLUMN_NOT_FOUND, "nodes/colour");
    CHECK_ERR(tspar_tables_get_column(t, "nodes/time", TSPAR_DTYPE_FLOAT64, NULL, 4),
        TSPAR_ERR_NULL_POINTER, "out");
    CHECK_ERR(tspar_tables_column_info(t, "edges/nope", &dtype, &n), TSPAR_ERR_COLUMN_NOT_FOUND,
        "edges/nope");
    CHECK_ERR(tspar_tables_column_info(t, NULL, &dtype, &n), TSPAR_ERR_NULL_POINTER, "");
}

/* Reads a whole column into a new buffer (freed by the caller). */
static void *column(const tspar_tables_t *t, const char *name, int dtype, size_t size,
    tspar_size_t *length)
{
    int got_dtype;
    tspar_size_t n;
    void *buf;
    CHECK_OK(tspar_tables_column_info(t, name, &got_dtype, &n));
    if (dtype == TSPAR_DTYPE_INT8) {
        /* Text columns are int8, binary ones (metadata) uint8. */
        CHECK(got_dtype == TSPAR_DTYPE_INT8 || got_dtype == TSPAR_DTYPE_UINT8);
    } else {
        CHECK_EQ(got_dtype, dtype);
    }
    buf = malloc(n * size + 1);
    CHECK(buf != NULL);
    CHECK_EQ(tspar_tables_get_column(t, name, dtype, buf, n), (int64_t) n);
    if (length != NULL) {
        *length = n;
    }
    return buf;
}

#define COL(t, name, dtype, type) ((type *) column((t), (name), (dtype), sizeof(type), NULL))

/* Copies every table of `src` into `dst` through whole columns (set the
 * first time, append when `append`), reading them out with get_column. */
static void copy_by_columns(const tspar_tables_t *src, tspar_tables_t *dst, int append)
{
    enum { F64 = TSPAR_DTYPE_FLOAT64, I32 = TSPAR_DTYPE_INT32, U32 = TSPAR_DTYPE_UINT32,
        U64 = TSPAR_DTYPE_UINT64, I8 = TSPAR_DTYPE_INT8 };
    int64_t n;
    void *p[10];
    size_t j;

    n = tspar_tables_num_rows(src, TSPAR_TABLE_INDIVIDUALS);
    p[0] = COL(src, "individuals/flags", U32, uint32_t);
    p[1] = COL(src, "individuals/location", F64, double);
    p[2] = COL(src, "individuals/location_offset", U64, uint64_t);
    p[3] = COL(src, "individuals/parents", I32, tspar_id_t);
    p[4] = COL(src, "individuals/parents_offset", U64, uint64_t);
    p[5] = column(src, "individuals/metadata", I8, 1, NULL);
    p[6] = COL(src, "individuals/metadata_offset", U64, uint64_t);
    CHECK_OK((append ? tspar_tables_append_individuals : tspar_tables_set_individuals)(dst,
        (tspar_size_t) n, p[0], p[1], p[2], p[3], p[4], p[5], p[6]));
    for (j = 0; j < 7; j++) {
        free(p[j]);
    }

    n = tspar_tables_num_rows(src, TSPAR_TABLE_NODES);
    p[0] = COL(src, "nodes/flags", U32, uint32_t);
    p[1] = COL(src, "nodes/time", F64, double);
    p[2] = COL(src, "nodes/population", I32, tspar_id_t);
    p[3] = COL(src, "nodes/individual", I32, tspar_id_t);
    p[4] = column(src, "nodes/metadata", I8, 1, NULL);
    p[5] = COL(src, "nodes/metadata_offset", U64, uint64_t);
    CHECK_OK((append ? tspar_tables_append_nodes : tspar_tables_set_nodes)(dst,
        (tspar_size_t) n, p[0], p[1], p[2], p[3], p[4], p[5]));
    for (j = 0; j < 6; j++) {
        free(p[j]);
    }

    n = tspar_tables_num_rows(src, TSPAR_TABLE_EDGES);
    p[0] = COL(src, "edges/left", F64, double);
    p[1] = COL(src, "edges/right", F64, double);
    p[2] = COL(src, "edges/parent", I32, tspar_id_t);
    p[3] = COL(src, "edges/child", I32, tspar_id_t);
    p[4] = column(src, "edges/metadata", I8, 1, NULL);
    p[5] = COL(src, "edges/metadata_offset", U64, uint64_t);
    CHECK_OK((append ? tspar_tables_append_edges : tspar_tables_set_edges)(dst,
        (tspar_size_t) n, p[0], p[1], p[2], p[3], p[4], p[5]));
    for (j = 0; j < 6; j++) {
        free(p[j]);
    }

    n = tspar_tables_num_rows(src, TSPAR_TABLE_MIGRATIONS);
    p[0] = COL(src, "migrations/left", F64, double);
    p[1] = COL(src, "migrations/right", F64, double);
    p[2] = COL(src, "migrations/node", I32, tspar_id_t);
    p[3] = COL(src, "migrations/source", I32, tspar_id_t);
    p[4] = COL(src, "migrations/dest", I32, tspar_id_t);
    p[5] = COL(src, "migrations/time", F64, double);
    p[6] = column(src, "migrations/metadata", I8, 1, NULL);
    p[7] = COL(src, "migrations/metadata_offset", U64, uint64_t);
    CHECK_OK((append ? tspar_tables_append_migrations : tspar_tables_set_migrations)(dst,
        (tspar_size_t) n, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]));
    for (j = 0; j < 8; j++) {
        free(p[j]);
    }

    n = tspar_tables_num_rows(src, TSPAR_TABLE_SITES);
    p[0] = COL(src, "sites/position", F64, double);
    p[1] = column(src, "sites/ancestral_state", I8, 1, NULL);
    p[2] = COL(src, "sites/ancestral_state_offset", U64, uint64_t);
    p[3] = column(src, "sites/metadata", I8, 1, NULL);
    p[4] = COL(src, "sites/metadata_offset", U64, uint64_t);
    CHECK_OK((append ? tspar_tables_append_sites : tspar_tables_set_sites)(dst,
        (tspar_size_t) n, p[0], p[1], p[2], p[3], p[4]));
    for (j = 0; j < 5; j++) {
        free(p[j]);
    }

    n = tspar_tables_num_rows(src, TSPAR_TABLE_MUTATIONS);
    p[0] = COL(src, "mutations/site", I32, tspar_id_t);
    p[1] = COL(src, "mutations/node", I32, tspar_id_t);
    p[2] = COL(src, "mutations/parent", I32, tspar_id_t);
    p[3] = COL(src, "mutations/time", F64, double);
    p[4] = column(src, "mutations/derived_state", I8, 1, NULL);
    p[5] = COL(src, "mutations/derived_state_offset", U64, uint64_t);
    p[6] = column(src, "mutations/metadata", I8, 1, NULL);
    p[7] = COL(src, "mutations/metadata_offset", U64, uint64_t);
    CHECK_OK((append ? tspar_tables_append_mutations : tspar_tables_set_mutations)(dst,
        (tspar_size_t) n, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]));
    for (j = 0; j < 8; j++) {
        free(p[j]);
    }

    n = tspar_tables_num_rows(src, TSPAR_TABLE_POPULATIONS);
    p[0] = column(src, "populations/metadata", I8, 1, NULL);
    p[1] = COL(src, "populations/metadata_offset", U64, uint64_t);
    CHECK_OK((append ? tspar_tables_append_populations : tspar_tables_set_populations)(dst,
        (tspar_size_t) n, p[0], p[1]));
    free(p[0]);
    free(p[1]);

    n = tspar_tables_num_rows(src, TSPAR_TABLE_PROVENANCES);
    p[0] = column(src, "provenances/timestamp", I8, 1, NULL);
    p[1] = COL(src, "provenances/timestamp_offset", U64, uint64_t);
    p[2] = column(src, "provenances/record", I8, 1, NULL);
    p[3] = COL(src, "provenances/record_offset", U64, uint64_t);
    CHECK_OK((append ? tspar_tables_append_provenances : tspar_tables_set_provenances)(dst,
        (tspar_size_t) n, p[0], p[1], p[2], p[3]));
    for (j = 0; j < 4; j++) {
        free(p[j]);
    }
}

static void test_columns_in(const tspar_tables_t *src)
{
    tspar_tables_t *dst = new_tables(10.0);
    tspar_tables_t *twice = NULL;
    int table;

    /* Set from the columns of src gives equal tables. */
    copy_by_columns(src, dst, 0);
    CHECK_EQ(tspar_tables_equals(src, dst, 0), 1);
    /* Setting again replaces rather than adds. */
    copy_by_columns(src, dst, 0);
    CHECK_EQ(tspar_tables_equals(src, dst, 0), 1);
    /* Appending doubles every table; the appended rows equal the first ones. */
    copy_by_columns(src, dst, 1);
    CHECK_EQ(tspar_tables_equals(src, dst, 0), 0);
    for (table = TSPAR_TABLE_INDIVIDUALS; table <= TSPAR_TABLE_PROVENANCES; table++) {
        CHECK_EQ(tspar_tables_num_rows(dst, table), 2 * tspar_tables_num_rows(src, table));
    }
    {
        tspar_node_t a, b;
        char ma[8], mb[8];
        int64_t n = tspar_tables_num_rows(src, TSPAR_TABLE_NODES);
        tspar_id_t j;
        for (j = 0; j < (tspar_id_t) n; j++) {
            CHECK_OK(tspar_tables_get_node(dst, j, &a, ma, sizeof ma));
            CHECK_OK(tspar_tables_get_node(dst, j + (tspar_id_t) n, &b, mb, sizeof mb));
            CHECK(a.flags == b.flags && a.time == b.time && a.population == b.population);
            CHECK(a.metadata_length == b.metadata_length);
            CHECK(memcmp(ma, mb, a.metadata_length) == 0);
        }
    }
    CHECK_OK(tspar_tables_copy(dst, &twice));
    CHECK_EQ(tspar_tables_equals(dst, twice, 0), 1);
    tspar_tables_free(twice);
    tspar_tables_free(dst);
}

static void test_columns_in_errors(void)
{
    tspar_tables_t *t = new_tables(10.0);
    tspar_tables_t *before = NULL;
    const uint32_t flags[3] = { 1, 0, 1 };
    const double time[3] = { 0.0, 1.0, 2.0 };
    const tspar_id_t pop[3] = { 0, TSPAR_NULL, 1 };
    const char md[] = "aabbb";
    const uint64_t good_offset[4] = { 0, 2, 2, 5 };
    const uint64_t not_from_zero[4] = { 1, 2, 2, 5 };
    const uint64_t decreasing[4] = { 0, 3, 2, 5 };
    tspar_node_t row;
    char buf[4];

    CHECK_OK(tspar_tables_set_nodes(t, 3, flags, time, pop, NULL, md, good_offset));
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_NODES), 3);
    CHECK_OK(tspar_tables_get_node(t, 2, &row, buf, sizeof buf));
    CHECK(row.population == 1 && row.individual == TSPAR_NULL && row.time == 2.0);
    CHECK(row.metadata_length == 3 && memcmp(buf, "bbb", 3) == 0);
    CHECK_OK(tspar_tables_append_nodes(t, 3, flags, time, NULL, NULL, NULL, NULL));
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_NODES), 6);
    CHECK_OK(tspar_tables_get_node(t, 5, &row, NULL, 0));
    CHECK(row.population == TSPAR_NULL && row.metadata_length == 0);
    CHECK_OK(tspar_tables_copy(t, &before));

    /* Each rejected call leaves the table as it was. */
    CHECK_ERR(tspar_tables_set_nodes(t, 3, flags, time, NULL, NULL, md, not_from_zero),
        TSPAR_ERR_BAD_OFFSET, "");
    CHECK_ERR(tspar_tables_append_nodes(t, 3, flags, time, NULL, NULL, md, decreasing),
        TSPAR_ERR_BAD_OFFSET, "");
    CHECK_ERR(tspar_tables_set_nodes(t, 3, flags, time, NULL, NULL, md, NULL),
        TSPAR_ERR_BOTH_COLUMNS_REQUIRED, "metadata");
    CHECK_ERR(tspar_tables_set_nodes(t, 3, NULL, time, NULL, NULL, NULL, NULL),
        TSPAR_ERR_NULL_POINTER, "flags");
    CHECK_ERR(tspar_tables_set_nodes(NULL, 3, flags, time, NULL, NULL, NULL, NULL),
        TSPAR_ERR_NULL_POINTER, "tables");
    CHECK_ERR(tspar_tables_set_sites(t, 3, time, NULL, NULL, NULL, NULL),
        TSPAR_ERR_BOTH_COLUMNS_REQUIRED, "");
    CHECK_ERR(tspar_tables_set_populations(t, 1, NULL, NULL), TSPAR_ERR_BOTH_COLUMNS_REQUIRED,
        "");
    CHECK_EQ(tspar_tables_equals(t, before, 0), 1);

    /* Mutations: NULL parent and time give TSPAR_NULL and the unknown time. */
    {
        const tspar_id_t site[2] = { 0, 0 };
        const tspar_id_t node[2] = { 0, 1 };
        const uint64_t ds_offset[3] = { 0, 1, 2 };
        tspar_mutation_t m;
        CHECK_OK(tspar_tables_set_mutations(t, 2, site, node, NULL, NULL, "AC", ds_offset, NULL,
            NULL));
        CHECK_OK(tspar_tables_get_mutation(t, 1, &m, buf, sizeof buf, NULL, 0));
        CHECK(m.parent == TSPAR_NULL && tspar_is_unknown_time(m.time));
        CHECK(m.derived_state_length == 1 && buf[0] == 'C');
    }
    tspar_tables_free(before);
    tspar_tables_free(t);
}

static void test_copy_equals_clear(tspar_tables_t *t)
{
    tspar_tables_t *c = NULL;
    tspar_tables_t *sentinel = (tspar_tables_t *) &c;
    tspar_size_t n;
    int table;

    CHECK_OK(tspar_tables_set_field(t, "metadata", "top", 3));
    CHECK_OK(tspar_tables_set_field(t, "metadata_schema", "{\"codec\":\"json\"}", 16));
    CHECK_OK(tspar_tables_set_field(t, "nodes/metadata_schema", "{\"codec\":\"json\"}", 16));
    CHECK_OK(tspar_tables_copy(t, &c));
    CHECK(c != NULL && c != t);
    CHECK_EQ(tspar_tables_equals(t, c, 0), 1);
    CHECK_EQ(tspar_tables_equals(t, t, 0), 1);

    /* A copy is independent. */
    CHECK_OK(tspar_tables_add_node(c, 0, 9.0, TSPAR_NULL, TSPAR_NULL, NULL, 0));
    CHECK_EQ(tspar_tables_equals(t, c, 0), 0);
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_NODES) + 1,
        tspar_tables_num_rows(c, TSPAR_TABLE_NODES));
    tspar_tables_free(c);

    /* Comparison options. */
    CHECK_OK(tspar_tables_copy(t, &c));
    CHECK_OK(tspar_tables_set_field(c, "metadata", "other", 5));
    CHECK_EQ(tspar_tables_equals(t, c, 0), 0);
    CHECK_EQ(tspar_tables_equals(t, c, TSPAR_CMP_IGNORE_TS_METADATA), 1);
    CHECK_OK(tspar_tables_add_provenance(c, "now", 3, "{}", 2));
    CHECK_EQ(tspar_tables_equals(t, c, TSPAR_CMP_IGNORE_TS_METADATA), 0);
    CHECK_EQ(tspar_tables_equals(t, c, TSPAR_CMP_IGNORE_TS_METADATA | TSPAR_CMP_IGNORE_PROVENANCE),
        1);
    CHECK_ERR(tspar_tables_equals(t, c, 1u << 20), TSPAR_ERR_BAD_OPTIONS, "0x100000");
    CHECK_ERR(tspar_tables_equals(t, NULL, 0), TSPAR_ERR_NULL_POINTER, "");
    tspar_tables_free(c);
    c = sentinel;
    CHECK_ERR(tspar_tables_copy(NULL, &c), TSPAR_ERR_NULL_POINTER, "tables");
    CHECK(c == sentinel);
    CHECK_ERR(tspar_tables_copy(t, NULL), TSPAR_ERR_NULL_POINTER, "out");

    /* Clear keeps provenances, schemas and collection metadata by default. */
    CHECK_ERR(tspar_tables_clear(t, 1u << 10), TSPAR_ERR_BAD_OPTIONS, "0x400");
    CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_NODES) > 0);
    CHECK_OK(tspar_tables_clear(t, 0));
    for (table = TSPAR_TABLE_INDIVIDUALS; table < TSPAR_TABLE_PROVENANCES; table++) {
        CHECK_EQ(tspar_tables_num_rows(t, table), 0);
    }
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_PROVENANCES), 1);
    CHECK_OK(tspar_tables_get_field(t, "nodes/metadata_schema", NULL, 0, &n));
    CHECK_EQ(n, 16);
    CHECK_OK(tspar_tables_clear(t, TSPAR_CLEAR_METADATA_SCHEMAS));
    CHECK_OK(tspar_tables_get_field(t, "nodes/metadata_schema", NULL, 0, &n));
    CHECK_EQ(n, 0);
    CHECK_OK(tspar_tables_get_field(t, "metadata", NULL, 0, &n));
    CHECK_EQ(n, 3);
    CHECK_OK(tspar_tables_clear(t, TSPAR_CLEAR_TS_METADATA_AND_SCHEMA | TSPAR_CLEAR_PROVENANCE));
    CHECK_OK(tspar_tables_get_field(t, "metadata", NULL, 0, &n));
    CHECK_EQ(n, 0);
    CHECK_OK(tspar_tables_get_field(t, "metadata_schema", NULL, 0, &n));
    CHECK_EQ(n, 0);
    CHECK_EQ(tspar_tables_num_rows(t, TSPAR_TABLE_PROVENANCES), 0);
    CHECK(tspar_tables_get_sequence_length(t) == 10.0);
    CHECK_ERR(tspar_tables_clear(NULL, 0), TSPAR_ERR_NULL_POINTER, "");
}

static void test_last_error_is_per_call(void)
{
    tspar_tables_t *t = new_tables(1.0);
    tspar_node_t row;
    CHECK_ERR(tspar_tables_get_node(t, 3, &row, NULL, 0), TSPAR_ERR_NODE_OUT_OF_BOUNDS, "3");
    /* The message names the table and the row; a later success clears it. */
    CHECK(strstr(tspar_last_error_message(), "nodes") != NULL);
    CHECK_OK(tspar_tables_num_rows(t, TSPAR_TABLE_NODES));
    CHECK(tspar_last_error_message()[0] == '\0');
    CHECK_ERR(tspar_tables_load("/nonexistent/dir/x.trees", 0, NULL, &t), TSPAR_ERR_FILE_NOT_FOUND,
        "x.trees");
    CHECK_ERR(tspar_tables_load("irrelevant.trees", 1u << 7, NULL, &t), TSPAR_ERR_BAD_OPTIONS, "0x80");
    CHECK_ERR(tspar_tables_dump(t, NULL, 0), TSPAR_ERR_NULL_POINTER, "path");
    CHECK_ERR(tspar_tables_load(NULL, 0, NULL, &t), TSPAR_ERR_NULL_POINTER, "path");
    tspar_tables_free(t);
}

int main(void)
{
    tspar_tables_t *t;

    test_version_and_strerror();
    test_new_free_errors();
    test_num_rows();
    test_fields();
    t = filled_tables();
    test_columns_out(t);
    test_columns_in(t);
    test_columns_in_errors();
    test_copy_equals_clear(t);
    tspar_tables_free(t);
    test_last_error_is_per_call();
    printf("test_tables: ok\n");
    return 0;
}
