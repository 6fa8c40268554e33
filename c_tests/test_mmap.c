/* Mapped loads (TSPAR_LOAD_MMAP) through the C API: the same tables,
 * columns and statistics as a copying load; damaged files refused with the
 * same code and message; tables of a mapped load can be changed (copy on
 * write); a dump renamed over a mapped file leaves the mapping as it was.
 *
 * usage: test_mmap EXAMPLE.trees */
#define _XOPEN_SOURCE 700
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

static tspar_treeseq_t *load_ts(const char *path, tspar_flags_t options)
{
    tspar_treeseq_t *ts = NULL;
    CHECK_OK(tspar_treeseq_load(path, options, NULL, &ts));
    CHECK(ts != NULL);
    return ts;
}

/* Site and branch diversity of two halves of the samples, in windows,
 * into `out` (2 modes x 3 windows x 2 sets). */
static void diversity(const tspar_treeseq_t *ts, int threads, double *out)
{
    int64_t n = tspar_treeseq_num_samples(ts);
    const tspar_id_t *samples = tspar_treeseq_samples(ts);
    double L = tspar_treeseq_sequence_length(ts);
    double windows[4];
    tspar_size_t sizes[2];
    tspar_exec_t *exec = NULL;
    CHECK(n >= 4 && samples != NULL);
    sizes[0] = (tspar_size_t) n / 2;
    sizes[1] = (tspar_size_t) n - sizes[0];
    windows[0] = 0;
    windows[1] = L / 3;
    windows[2] = L / 2;
    windows[3] = L;
    CHECK_OK(tspar_exec_new(threads, NULL, NULL, &exec));
    CHECK_OK(tspar_treeseq_diversity(ts, 2, sizes, samples, 3, windows, TSPAR_STAT_SITE, exec, out, 6));
    CHECK_OK(tspar_treeseq_diversity(ts, 2, sizes, samples, 3, windows, TSPAR_STAT_BRANCH, exec, out + 6, 6));
    tspar_exec_free(exec);
}

static void check_same_column(const tspar_treeseq_t *a, const tspar_treeseq_t *b, const char *name)
{
    int ta, tb;
    const void *da, *db;
    tspar_size_t la, lb;
    CHECK_OK(tspar_treeseq_column(a, name, &ta, &da, &la));
    CHECK_OK(tspar_treeseq_column(b, name, &tb, &db, &lb));
    CHECK_EQ(ta, tb);
    CHECK_EQ(la, lb);
    CHECK(la == 0 || memcmp(da, db, (size_t) la * (ta == TSPAR_DTYPE_FLOAT64 || ta == TSPAR_DTYPE_UINT64 ? 8 : ta == TSPAR_DTYPE_INT32 || ta == TSPAR_DTYPE_UINT32 ? 4 : 1)) == 0);
}

static void test_same_as_copying(const char *example)
{
    static const char *columns[] = {"edges/left", "edges/right", "edges/parent", "edges/child", "nodes/time",
        "nodes/flags", "sites/position", "mutations/node", "mutations/time", "mutations/derived_state",
        "mutations/derived_state_offset", "nodes/metadata_offset"};
    tspar_treeseq_t *copied = load_ts(example, 0);
    tspar_treeseq_t *mapped = load_ts(example, TSPAR_LOAD_MMAP);
    tspar_treeseq_t *indexed = load_ts(example, TSPAR_LOAD_MMAP | TSPAR_TS_INIT_BUILD_INDEXES);
    double a[12], b[12], c[12];
    size_t j;
    CHECK_EQ(tspar_treeseq_num_trees(mapped), tspar_treeseq_num_trees(copied));
    CHECK_EQ(tspar_treeseq_num_edges(mapped), tspar_treeseq_num_edges(copied));
    for (j = 0; j < sizeof(columns) / sizeof(columns[0]); j++) {
        check_same_column(mapped, copied, columns[j]);
    }
    diversity(copied, 1, a);
    diversity(mapped, 1, b);
    diversity(indexed, 2, c);
    CHECK(memcmp(a, b, sizeof(a)) == 0);
    CHECK(memcmp(a, c, sizeof(a)) == 0);
    tspar_treeseq_free(copied);
    tspar_treeseq_free(indexed);
    /* Bits other than the load and init options are refused. */
    {
        tspar_treeseq_t *sentinel = (tspar_treeseq_t *) &sentinel, *t = sentinel;
        CHECK_ERR(tspar_treeseq_load(example, TSPAR_LOAD_MMAP | (1u << 23), NULL, &t), TSPAR_ERR_BAD_OPTIONS, "");
        CHECK(t == sentinel);
    }
    /* The cursor and the columns stay usable after the handle is freed
     * while a cursor still holds the data. */
    {
        tspar_tree_t *tree = NULL;
        CHECK_OK(tspar_tree_new(mapped, 0, &tree));
        tspar_treeseq_free(mapped);
        CHECK_EQ(tspar_tree_first(tree), 1);
        while (tspar_tree_next(tree) == 1) {
        }
        tspar_tree_free(tree);
    }
}

static void test_tables(const char *example)
{
    tspar_tables_t *copied = NULL, *mapped = NULL, *from_ts = NULL;
    tspar_treeseq_t *ts = load_ts(example, TSPAR_LOAD_MMAP);
    CHECK_OK(tspar_tables_load(example, 0, NULL, &copied));
    CHECK_OK(tspar_tables_load(example, TSPAR_LOAD_MMAP, NULL, &mapped));
    CHECK_OK(tspar_treeseq_copy_tables(ts, &from_ts));
    CHECK_EQ(tspar_tables_equals(mapped, copied, 0), 1);
    CHECK_EQ(tspar_tables_equals(from_ts, copied, 0), 1);
    /* Changed the same way, they stay equal: the mapped columns are
     * copied on their first change. */
    CHECK(tspar_tables_add_node(mapped, 0, 1e6, TSPAR_NULL, TSPAR_NULL, "m", 1) >= 0);
    CHECK(tspar_tables_add_node(copied, 0, 1e6, TSPAR_NULL, TSPAR_NULL, "m", 1) >= 0);
    CHECK(tspar_tables_add_node(from_ts, 0, 1e6, TSPAR_NULL, TSPAR_NULL, "m", 1) >= 0);
    CHECK_EQ(tspar_tables_equals(mapped, copied, 0), 1);
    CHECK_EQ(tspar_tables_equals(from_ts, copied, 0), 1);
    CHECK_OK(tspar_tables_sort(mapped, 0, 0, NULL));
    CHECK_OK(tspar_tables_sort(copied, 0, 0, NULL));
    CHECK_EQ(tspar_tables_equals(mapped, copied, 0), 1);
    CHECK_OK(tspar_tables_clear(mapped, 0));
    CHECK_EQ(tspar_tables_num_rows(mapped, TSPAR_TABLE_EDGES), 0);
    tspar_tables_free(copied);
    tspar_tables_free(mapped);
    tspar_tables_free(from_ts);
    tspar_treeseq_free(ts);
}

/* Damaged copies of the file: the mapped load gives the copying load's
 * code and message. */
static void test_damaged(const char *example, const char *dir)
{
    size_t size, cut;
    unsigned char *bytes = read_file(example, &size);
    char path[4096], copy_msg[4096];
    int refused = 0;
    FORMAT(path, "%s/damaged.trees", dir);
    for (cut = 0; cut < size; cut += (cut < 400 ? 7 : size / 60)) {
        int k;
        for (k = 0; k < 2; k++) {
            tspar_treeseq_t *a = NULL, *b = NULL;
            int ca, cb;
            if (k == 0) {
                write_file(path, bytes, cut);
            } else {
                bytes[cut] ^= 0x10;
                write_file(path, bytes, size);
                bytes[cut] ^= 0x10;
            }
            ca = tspar_treeseq_load(path, 0, NULL, &a);
            FORMAT(copy_msg, "%s", tspar_last_error_message());
            cb = tspar_treeseq_load(path, TSPAR_LOAD_MMAP, NULL, &b);
            CHECK_EQ(cb, ca);
            CHECK(strcmp(copy_msg, tspar_last_error_message()) == 0);
            refused += ca < 0;
            tspar_treeseq_free(a);
            tspar_treeseq_free(b);
        }
    }
    CHECK(refused > 60);
    free(bytes);
}

/* A dump renamed over the mapped file: the handle keeps the old contents. */
static void test_dump_over(const char *example, const char *dir)
{
    size_t size;
    unsigned char *bytes = read_file(example, &size);
    char path[4096];
    double before[12], after[12];
    tspar_treeseq_t *ts;
    tspar_tables_t *small = NULL, *back = NULL, *orig = NULL;
    FORMAT(path, "%s/replaced.trees", dir);
    write_file(path, bytes, size);
    free(bytes);
    ts = load_ts(path, TSPAR_LOAD_MMAP);
    diversity(ts, 2, before);
    CHECK_OK(tspar_tables_new(2.0, &small));
    CHECK(tspar_tables_add_node(small, TSPAR_NODE_IS_SAMPLE, 0, TSPAR_NULL, TSPAR_NULL, NULL, 0) == 0);
    CHECK_OK(tspar_tables_dump(small, path, 0));
    CHECK_OK(tspar_tables_load(path, TSPAR_LOAD_MMAP, NULL, &back));
    CHECK_EQ(tspar_tables_num_rows(back, TSPAR_TABLE_NODES), 1);
    diversity(ts, 1, after);
    CHECK(memcmp(before, after, sizeof(before)) == 0);
    /* The handle's own tables written over the file they map. */
    CHECK_OK(tspar_treeseq_dump(ts, path, 0));
    CHECK_OK(tspar_tables_load(example, 0, NULL, &orig));
    tspar_tables_free(back);
    back = NULL;
    CHECK_OK(tspar_tables_load(path, TSPAR_LOAD_MMAP, NULL, &back));
    CHECK_EQ(tspar_tables_equals(back, orig, 0), 1);
    diversity(ts, 2, after);
    CHECK(memcmp(before, after, sizeof(before)) == 0);
    tspar_tables_free(small);
    tspar_tables_free(back);
    tspar_tables_free(orig);
    tspar_treeseq_free(ts);
}

int main(int argc, char **argv)
{
    char *dir;
    if (argc != 2) {
        fprintf(stderr, "usage: %s EXAMPLE.trees\n", argv[0]);
        return 2;
    }
    dir = make_scratch_dir("tspar-test-mmap");
    test_same_as_copying(argv[1]);
    test_tables(argv[1]);
    test_damaged(argv[1], dir);
    test_dump_over(argv[1], dir);
    remove_tree(dir);
    free(dir);
    printf("mmap: ok\n");
    return 0;
}
