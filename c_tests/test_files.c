/* File tests through the C API: load the bundled .trees file, dump it,
 * reload it and compare; the error codes for files that cannot be read;
 * and a failed dump leaves an existing destination as it was.
 *
 * usage: test_files EXAMPLE.trees */
#define _XOPEN_SOURCE 700
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tmpdir.h"

static char path_buf[4096];

static const char *in_dir(const char *dir, const char *name)
{
    FORMAT(path_buf, "%s/%s", dir, name);
    return path_buf;
}

static tspar_tables_t *load(const char *path, tspar_flags_t options)
{
    tspar_tables_t *t = NULL;
    CHECK_OK(tspar_tables_load(path, options, NULL, &t));
    CHECK(t != NULL);
    return t;
}

/* Loading `path` fails with `code`, a message naming the file, and the
 * out-pointer untouched. */
static void check_load_fails(const char *path, int code)
{
    tspar_tables_t *sentinel = (tspar_tables_t *) &sentinel;
    tspar_tables_t *t = sentinel;
    const char *base = strrchr(path, '/');
    CHECK_ERR(tspar_tables_load(path, 0, NULL, &t), code, base != NULL ? base + 1 : path);
    CHECK(t == sentinel);
}

static void test_round_trip(const char *example, const char *dir)
{
    tspar_tables_t *t = load(example, 0);
    tspar_tables_t *again, *again64, *head;
    char out[4096], out64[4096];
    int table;

    for (table = TSPAR_TABLE_INDIVIDUALS; table <= TSPAR_TABLE_PROVENANCES; table++) {
        CHECK(tspar_tables_num_rows(t, table) > 0);
    }
    CHECK(tspar_tables_get_sequence_length(t) > 0);
    CHECK_EQ(tspar_tables_has_index(t), 1);

    FORMAT(out, "%s/out.trees", dir);
    CHECK_OK(tspar_tables_dump(t, out, 0));
    again = load(out, 0);
    CHECK_EQ(tspar_tables_equals(t, again, 0), 1);
    CHECK_EQ(tspar_tables_has_index(again), 1);

    /* 64-bit offsets load to the same tables. */
    FORMAT(out64, "%s/out64.trees", dir);
    CHECK_OK(tspar_tables_dump(again, out64, TSPAR_DUMP_FORCE_OFFSET_64));
    again64 = load(out64, 0);
    CHECK_EQ(tspar_tables_equals(t, again64, 0), 1);

    /* Overwriting an existing file replaces it. */
    CHECK_OK(tspar_tables_add_node(again, 0, 1.0, TSPAR_NULL, TSPAR_NULL, NULL, 0));
    CHECK_OK(tspar_tables_dump(again, out, 0));
    tspar_tables_free(again64);
    again64 = load(out, 0);
    CHECK_EQ(tspar_tables_equals(again, again64, 0), 1);
    CHECK_EQ(tspar_tables_equals(t, again64, 0), 0);

    /* Skipping the tables keeps the collection-level fields. */
    head = load(example, TSPAR_LOAD_SKIP_TABLES);
    CHECK_EQ(tspar_tables_num_rows(head, TSPAR_TABLE_NODES), 0);
    CHECK_EQ(tspar_tables_num_rows(head, TSPAR_TABLE_EDGES), 0);
    CHECK(tspar_tables_get_sequence_length(head) == tspar_tables_get_sequence_length(t));
    {
        char a[64], b[64];
        tspar_size_t na, nb;
        CHECK_OK(tspar_tables_get_field(t, "time_units", a, sizeof a, &na));
        CHECK_OK(tspar_tables_get_field(head, "time_units", b, sizeof b, &nb));
        CHECK(na == nb && memcmp(a, b, na) == 0);
    }
    tspar_tables_free(head);
    CHECK_ERR(tspar_tables_dump(t, out, 1u << 3), TSPAR_ERR_BAD_OPTIONS, "");

    tspar_tables_free(again64);
    tspar_tables_free(again);
    tspar_tables_free(t);
}

static void test_unreadable(const char *example, const char *dir)
{
    unsigned char *bytes;
    size_t size;
    char path[4096];

    FORMAT(path, "%s/does-not-exist.trees", dir);
    check_load_fails(path, TSPAR_ERR_FILE_NOT_FOUND);
    check_load_fails(dir, TSPAR_ERR_IS_A_DIRECTORY);

    bytes = read_file(example, &size);
    CHECK(size > 1024);

    /* Not a kastore file at all. */
    FORMAT(path, "%s/wrong-magic.trees", dir);
    bytes[0] ^= 0xff;
    write_file(path, bytes, size);
    bytes[0] ^= 0xff;
    check_load_fails(path, TSPAR_ERR_BAD_MAGIC);
    FORMAT(path, "%s/text.trees", dir);
    write_file(path, "this is not a tree sequence, just some text\n", 44);
    check_load_fails(path, TSPAR_ERR_BAD_MAGIC);

    /* Cut short: inside the header, and halfway through the data. */
    FORMAT(path, "%s/truncated-header.trees", dir);
    write_file(path, bytes, 20);
    check_load_fails(path, TSPAR_ERR_FILE_TRUNCATED);
    FORMAT(path, "%s/truncated.trees", dir);
    write_file(path, bytes, size / 2);
    check_load_fails(path, TSPAR_ERR_FILE_TRUNCATED);
    FORMAT(path, "%s/empty.trees", dir);
    write_file(path, bytes, 0);
    {
        tspar_tables_t *t = NULL;
        int ret = tspar_tables_load(path, 0, NULL, &t);
        CHECK(ret == TSPAR_ERR_FILE_TRUNCATED || ret == TSPAR_ERR_BAD_MAGIC);
        CHECK(tspar_last_error_message()[0] != '\0' && t == NULL);
    }

    /* No permission to read. */
    FORMAT(path, "%s/no-permission.trees", dir);
    write_file(path, bytes, size);
    CHECK(chmod(path, 0) == 0);
    if (geteuid() == 0) {
        printf("test_files: skipping the no-permission case: running as root, "
               "who may read any file\n");
    } else {
        check_load_fails(path, TSPAR_ERR_PERMISSION_DENIED);
    }
    free(bytes);
}

/* The destination's content, to compare after a failed dump. */
static int same_content(const char *path, const void *want, size_t size)
{
    size_t got_size;
    unsigned char *got = read_file(path, &got_size);
    int same = got_size == size && memcmp(got, want, size) == 0;
    free(got);
    return same;
}

static void test_failed_dump_keeps_destination(const char *example, const char *dir)
{
    static const char precious[] = "an existing file that a failed dump must not touch\n";
    tspar_tables_t *t = load(example, 0);
    char sub[4096], dest[4096];
    struct rlimit old, small;
    int entries;

    FORMAT(sub, "%s/dump-target", dir);
    CHECK(mkdir(sub, 0700) == 0);
    FORMAT(dest, "%s/existing.trees", sub);
    write_file(dest, precious, sizeof precious);

    /* 1. The disk "fills up" halfway: a file size limit makes the write
     * fail with EFBIG (root too is bound by it). */
    CHECK(getrlimit(RLIMIT_FSIZE, &old) == 0);
    small = old;
    small.rlim_cur = 4096;
    signal(SIGXFSZ, SIG_IGN);
    CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0);
    {
        int ret = tspar_tables_dump(t, dest, 0);
        CHECK(setrlimit(RLIMIT_FSIZE, &old) == 0);
        CHECK(ret < 0);
        CHECK(tspar_last_error_message()[0] != '\0');
        CHECK(strstr(tspar_last_error_message(), "existing.trees") != NULL);
    }
    CHECK(same_content(dest, precious, sizeof precious));
    entries = count_entries(sub);
    CHECK_EQ(entries, 1); /* no temporary file left behind */

    /* 2. The destination is a directory. */
    CHECK_ERR(tspar_tables_dump(t, sub, 0), TSPAR_ERR_IS_A_DIRECTORY, "dump-target");
    CHECK(same_content(dest, precious, sizeof precious));

    /* 3. The directory cannot be written (not a check for root). */
    if (geteuid() != 0) {
        CHECK(chmod(sub, 0500) == 0);
        CHECK_ERR(tspar_tables_dump(t, dest, 0), TSPAR_ERR_PERMISSION_DENIED, "existing.trees");
        CHECK(chmod(sub, 0700) == 0);
        CHECK(same_content(dest, precious, sizeof precious));
    } else {
        printf("test_files: skipping the read-only directory dump: running as root\n");
    }

    /* 4. A directory that does not exist. */
    CHECK_ERR(tspar_tables_dump(t, in_dir(sub, "missing/x.trees"), 0), TSPAR_ERR_FILE_NOT_FOUND,
        "x.trees");

    /* And a dump that succeeds does replace it. */
    CHECK_OK(tspar_tables_dump(t, dest, 0));
    CHECK(!same_content(dest, precious, sizeof precious));
    CHECK_EQ(count_entries(sub), 1);
    tspar_tables_free(t);
}

int main(int argc, char **argv)
{
    char *dir;
    if (argc != 2) {
        fprintf(stderr, "usage: %s EXAMPLE.trees\n", argv[0]);
        return 2;
    }
    dir = make_scratch_dir("tspar-test-files");
    test_round_trip(argv[1], dir);
    test_unreadable(argv[1], dir);
    test_failed_dump_keeps_destination(argv[1], dir);
    remove_tree(dir);
    free(dir);
    printf("test_files: ok\n");
    return 0;
}
