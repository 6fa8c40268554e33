/* A user's program: loads a .trees file, adds a row, dumps and reloads it
 * and checks the copy is equal. Built against an installed tspar by the
 * packaging tests, once with the shared and once with the static library.
 *
 * usage: consumer FILE.trees SCRATCH_DIR */
#include <stdio.h>
#include <string.h>

#include <tspar.h>

static int fail(const char *what, int code)
{
    fprintf(stderr, "consumer: %s: %s (%s)\n", what, tspar_strerror(code),
        tspar_last_error_message());
    return 1;
}

int main(int argc, char **argv)
{
    tspar_tables_t *tables = NULL;
    tspar_tables_t *again = NULL;
    char out[4096];
    int64_t nodes;
    tspar_id_t id;
    int ret;

    if (argc != 3) {
        fprintf(stderr, "usage: %s FILE.trees SCRATCH_DIR\n", argv[0]);
        return 2;
    }
    printf("tspar %s\n", tspar_version());
    ret = tspar_tables_load(argv[1], 0, NULL, &tables);
    if (ret < 0) {
        return fail("load", ret);
    }
    nodes = tspar_tables_num_rows(tables, TSPAR_TABLE_NODES);
    if (nodes <= 0) {
        return fail("num_rows", (int) nodes);
    }
    id = tspar_tables_add_node(tables, TSPAR_NODE_IS_SAMPLE, 0.0, TSPAR_NULL, TSPAR_NULL, "x", 1);
    if (id != nodes) {
        fprintf(stderr, "consumer: new node got id %d, expected %lld\n", (int) id,
            (long long) nodes);
        return 1;
    }
    snprintf(out, sizeof out, "%s/consumer.trees", argv[2]);
    ret = tspar_tables_dump(tables, out, 0);
    if (ret < 0) {
        return fail("dump", ret);
    }
    ret = tspar_tables_load(out, 0, NULL, &again);
    if (ret < 0) {
        return fail("reload", ret);
    }
    ret = tspar_tables_equals(tables, again, 0);
    if (ret != 1) {
        fprintf(stderr, "consumer: reloaded tables differ (%d)\n", ret);
        return 1;
    }
    printf("%lld nodes, round trip equal\n", (long long) nodes + 1);
    tspar_tables_free(again);
    tspar_tables_free(tables);
    return 0;
}
