/* Statistic parts through the C API (tspar_stat_call_*): diversity and Fst
 * split into parts, computed in groups, combined in a shuffled order, give
 * the bytes of the one call; with the default part size, the bytes of the
 * statistic's own function. Damaged bytes, missing parts and NULL pointers
 * are refused.
 *
 * usage: test_parts EXAMPLE.trees */
#include "check.h"

/* xorshift: reproducible groupings and orders. */
static unsigned long long rng_state = 0x2545f4914f6cdd1dULL;

static size_t below(size_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (size_t) (rng_state % n);
}

typedef struct {
    tspar_size_t num_buffers;
    uint8_t *buffers[64];
    tspar_size_t lengths[64];
} groups_t;

/* Parts cut into random groups (at most 64), each computed into its own
 * buffer on 1 or 2 threads, the buffers shuffled. */
static void compute_groups(const tspar_stat_call_t *call, groups_t *g)
{
    tspar_size_t n, start = 0;
    tspar_exec_t *exec = NULL;
    size_t j;
    CHECK_OK(tspar_stat_call_num_parts(call, &n));
    CHECK(n > 0);
    g->num_buffers = 0;
    while (start < n) {
        tspar_size_t end = start + 1 + below((size_t) (n - start < 8 ? n - start : 8));
        tspar_size_t len;
        if (g->num_buffers == 63) {
            end = n;
        }
        CHECK_OK(tspar_stat_call_part_bytes(call, start, end, &len));
        g->buffers[g->num_buffers] = malloc((size_t) len);
        CHECK(g->buffers[g->num_buffers] != NULL);
        CHECK_OK(tspar_exec_new(1 + below(2), NULL, NULL, &exec));
        /* One byte short is refused before anything is computed. */
        CHECK_ERR(tspar_stat_call_compute(call, start, end, exec, g->buffers[g->num_buffers], len - 1),
            TSPAR_ERR_BUFFER_TOO_SMALL, "");
        CHECK_OK(tspar_stat_call_compute(call, start, end, exec, g->buffers[g->num_buffers], len));
        tspar_exec_free(exec);
        g->lengths[g->num_buffers] = len;
        g->num_buffers++;
        start = end;
    }
    for (j = (size_t) g->num_buffers; j > 1; j--) {
        size_t k = below(j);
        uint8_t *b = g->buffers[j - 1];
        tspar_size_t l = g->lengths[j - 1];
        g->buffers[j - 1] = g->buffers[k];
        g->lengths[j - 1] = g->lengths[k];
        g->buffers[k] = b;
        g->lengths[k] = l;
    }
}

static void free_groups(groups_t *g)
{
    tspar_size_t j;
    for (j = 0; j < g->num_buffers; j++) {
        free(g->buffers[j]);
    }
    g->num_buffers = 0;
}

/* Splits `call`, combines in random groupings on 1 and 2 threads and checks
 * the bytes against tspar_stat_call_run and, when given, `plain`. */
static void check_call(const tspar_stat_call_t *call, const double *plain)
{
    tspar_size_t len, n;
    double *one, *got;
    int round;
    CHECK_OK(tspar_stat_call_result_length(call, &len));
    CHECK_OK(tspar_stat_call_num_parts(call, &n));
    one = malloc(sizeof(double) * (size_t) len);
    got = malloc(sizeof(double) * (size_t) len);
    CHECK(one != NULL && got != NULL);
    CHECK_OK(tspar_stat_call_run(call, NULL, one, len));
    if (plain != NULL) {
        CHECK(memcmp(one, plain, sizeof(double) * (size_t) len) == 0);
    }
    for (round = 0; round < 4; round++) {
        groups_t g;
        tspar_exec_t *exec = NULL;
        CHECK_OK(tspar_exec_new(1 + (tspar_size_t) (round % 2), NULL, NULL, &exec));
        compute_groups(call, &g);
        memset(got, 0, sizeof(double) * (size_t) len);
        CHECK_OK(tspar_stat_call_combine(call, g.num_buffers, (const uint8_t *const *) g.buffers, g.lengths, exec,
            got, len));
        CHECK(memcmp(one, got, sizeof(double) * (size_t) len) == 0);
        tspar_exec_free(exec);
        free_groups(&g);
    }
    free(one);
    free(got);
}

static void test_refusals(const tspar_stat_call_t *call)
{
    groups_t g;
    tspar_size_t len, n, nb;
    double *out;
    const uint8_t *const *bufs;
    CHECK_OK(tspar_stat_call_result_length(call, &len));
    CHECK_OK(tspar_stat_call_num_parts(call, &n));
    out = malloc(sizeof(double) * (size_t) len);
    CHECK(out != NULL);
    compute_groups(call, &g);
    CHECK(g.num_buffers >= 2);
    bufs = (const uint8_t *const *) g.buffers;
    /* Damaged: the magic, and a truncated buffer. */
    g.buffers[0][0] ^= 0xff;
    CHECK_ERR(tspar_stat_call_combine(call, g.num_buffers, bufs, g.lengths, NULL, out, len), TSPAR_ERR_PARTS_FORMAT,
        "");
    g.buffers[0][0] ^= 0xff;
    g.lengths[1] -= 1;
    CHECK_ERR(tspar_stat_call_combine(call, g.num_buffers, bufs, g.lengths, NULL, out, len), TSPAR_ERR_PARTS_FORMAT,
        "");
    g.lengths[1] += 1;
    /* Missing parts: a buffer left out. */
    CHECK_ERR(tspar_stat_call_combine(call, g.num_buffers - 1, bufs, g.lengths, NULL, out, len),
        TSPAR_ERR_PARTS_MISSING, "");
    CHECK_ERR(tspar_stat_call_combine(call, 0, NULL, NULL, NULL, out, len), TSPAR_ERR_PARTS_MISSING, "");
    /* A part twice. */
    {
        const uint8_t *twice[65];
        tspar_size_t lengths[65];
        tspar_size_t j;
        for (j = 0; j < g.num_buffers; j++) {
            twice[j] = g.buffers[j];
            lengths[j] = g.lengths[j];
        }
        twice[g.num_buffers] = g.buffers[0];
        lengths[g.num_buffers] = g.lengths[0];
        CHECK_ERR(tspar_stat_call_combine(call, g.num_buffers + 1, twice, lengths, NULL, out, len),
            TSPAR_ERR_PARTS_OVERLAP, "");
    }
    /* NULL pointers and ranges. */
    CHECK_ERR(tspar_stat_call_combine(NULL, g.num_buffers, bufs, g.lengths, NULL, out, len), TSPAR_ERR_NULL_POINTER,
        "");
    CHECK_ERR(tspar_stat_call_combine(call, g.num_buffers, NULL, g.lengths, NULL, out, len), TSPAR_ERR_NULL_POINTER,
        "");
    CHECK_ERR(tspar_stat_call_combine(call, g.num_buffers, bufs, NULL, NULL, out, len), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_combine(call, g.num_buffers, bufs, g.lengths, NULL, NULL, len), TSPAR_ERR_NULL_POINTER,
        "");
    CHECK_ERR(tspar_stat_call_combine(call, g.num_buffers, bufs, g.lengths, NULL, out, len - 1),
        TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK_ERR(tspar_stat_call_num_parts(NULL, &nb), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_num_parts(call, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_result_length(call, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_part_bytes(NULL, 0, 1, &nb), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_part_bytes(call, 0, 1, NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_part_bytes(call, 0, n + 1, &nb), TSPAR_ERR_BAD_PART_RANGE, "");
    CHECK_ERR(tspar_stat_call_part_bytes(call, 2, 1, &nb), TSPAR_ERR_BAD_PART_RANGE, "");
    CHECK_OK(tspar_stat_call_part_bytes(call, 0, 1, &nb));
    CHECK_ERR(tspar_stat_call_compute(call, 0, 1, NULL, NULL, nb), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_compute(NULL, 0, 1, NULL, g.buffers[0], g.lengths[0]), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_run(call, NULL, NULL, len), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_run(NULL, NULL, out, len), TSPAR_ERR_NULL_POINTER, "");
    free_groups(&g);
    free(out);
    tspar_stat_call_free(NULL);
}

int main(int argc, char **argv)
{
    tspar_treeseq_t *ts = NULL;
    const tspar_id_t *samples;
    int64_t n;
    tspar_size_t sizes[2];
    tspar_id_t pair[2] = {0, 1};
    double windows[4], L;
    double plain[6];
    tspar_stat_call_t *call = NULL, *bad = NULL;
    tspar_flags_t modes[2] = {TSPAR_STAT_SITE, TSPAR_STAT_BRANCH};
    int m;
    if (argc != 2) {
        fprintf(stderr, "usage: %s EXAMPLE.trees\n", argv[0]);
        return 2;
    }
    CHECK_OK(tspar_treeseq_load(argv[1], 0, NULL, &ts));
    n = tspar_treeseq_num_samples(ts);
    samples = tspar_treeseq_samples(ts);
    CHECK(n >= 4 && samples != NULL);
    sizes[0] = (tspar_size_t) n / 2;
    sizes[1] = (tspar_size_t) n - sizes[0];
    L = tspar_treeseq_sequence_length(ts);
    windows[0] = 0;
    windows[1] = L / 4;
    windows[2] = L / 4 + 1;
    windows[3] = L;
    for (m = 0; m < 2; m++) {
        /* Diversity, default part size: the bits of tspar_treeseq_diversity. */
        CHECK_OK(tspar_treeseq_diversity(ts, 2, sizes, samples, 3, windows, modes[m], NULL, plain, 6));
        CHECK_OK(tspar_stat_call_new(ts, TSPAR_STATISTIC_DIVERSITY, 2, sizes, samples, 0, NULL, 0, NULL, 3, windows,
            modes[m], 0, &call));
        check_call(call, plain);
        tspar_stat_call_free(call);
        /* Small parts: many of them, the bits of tspar_stat_call_run. */
        CHECK_OK(tspar_stat_call_new(ts, TSPAR_STATISTIC_DIVERSITY, 2, sizes, samples, 0, NULL, 0, NULL, 3, windows,
            modes[m], 40, &call));
        {
            tspar_size_t parts;
            CHECK_OK(tspar_stat_call_num_parts(call, &parts));
            CHECK(parts > 5);
        }
        check_call(call, NULL);
        tspar_stat_call_free(call);
        /* Fst (a ratio after the sums), default size and small parts. */
        CHECK_OK(tspar_treeseq_Fst(ts, 2, sizes, samples, 1, pair, 3, windows, modes[m], NULL, plain, 3));
        CHECK_OK(tspar_stat_call_new(ts, TSPAR_STATISTIC_FST, 2, sizes, samples, 0, NULL, 1, pair, 3, windows, modes[m],
            0, &call));
        check_call(call, plain);
        tspar_stat_call_free(call);
        CHECK_OK(tspar_stat_call_new(ts, TSPAR_STATISTIC_FST, 2, sizes, samples, 0, NULL, 1, pair, 3, windows, modes[m],
            40, &call));
        check_call(call, NULL);
        test_refusals(call);
        tspar_stat_call_free(call);
    }
    /* Making a call: NULL pointers and bad arguments as the statistic's. */
    CHECK_ERR(tspar_stat_call_new(NULL, TSPAR_STATISTIC_DIVERSITY, 2, sizes, samples, 0, NULL, 0, NULL, 0, NULL, 0, 0,
        &bad), TSPAR_ERR_NULL_POINTER, "");
    CHECK_ERR(tspar_stat_call_new(ts, TSPAR_STATISTIC_DIVERSITY, 2, sizes, samples, 0, NULL, 0, NULL, 0, NULL, 0, 0,
        NULL), TSPAR_ERR_NULL_POINTER, "");
    CHECK(bad == NULL);
    tspar_treeseq_free(ts);
    printf("parts: ok\n");
    return 0;
}
