/* The two-locus and pair coalescence statistics through the C API:
 * ld_matrix against r² and D² computed here from the genotype matrix;
 * pair coalescence counts against branch-mode divergence (twice the mean
 * time to the most recent common ancestor); quantiles and rates against
 * the counts; the same bits for 1, 2 and 3 threads; and every refusal
 * with its code, leaving the caller's buffer as it was.
 *
 *   test_twolocus FILE
 */
#include <math.h>

#include "check.h"

#define NSITES 40

static tspar_treeseq_t *ts;
static tspar_exec_t *execs[3];
static tspar_size_t n, num_nodes;
static const tspar_id_t *samples;
static const double *node_time;

static int
close_to(double a, double b, double rtol)
{
    if (isnan(a) || isnan(b)) {
        return isnan(a) && isnan(b);
    }
    return fabs(a - b) <= rtol * fmax(fabs(a), fabs(b)) + 1e-300;
}

static void
fill(double *x, size_t len, double value)
{
    size_t j;
    for (j = 0; j < len; j++) {
        x[j] = value;
    }
}

static int
untouched(const double *x, size_t len, double value)
{
    size_t j;
    for (j = 0; j < len; j++) {
        if (x[j] != value) {
            return 0;
        }
    }
    return 1;
}

/* r² and D² of every pair of the first `m` sites over all samples, from
 * the genotypes: for biallelic sites, D = p_AB - p_A p_B with A, B the
 * ancestral alleles; r² = D² / (p_A (1 - p_A) p_B (1 - p_B)), NaN when a
 * site does not vary. */
static void
test_ld_against_genotypes(void)
{
    size_t m = NSITES, i, j, s, t, checked = 0;
    int8_t *g = malloc(m * n);
    double *r2 = malloc(m * m * sizeof(double));
    double *d2 = malloc(m * m * sizeof(double));
    double *again = malloc(m * m * sizeof(double));
    tspar_size_t one[1];
    tspar_id_t rows[NSITES];

    CHECK(g != NULL && r2 != NULL && d2 != NULL && again != NULL);
    CHECK((size_t) tspar_treeseq_num_sites(ts) >= m);
    CHECK_OK(tspar_treeseq_genotype_matrix(ts, NULL, 0, NULL, 0, m, 0, TSPAR_DTYPE_INT8, NULL, g, m * n));
    for (i = 0; i < m; i++) {
        rows[i] = (tspar_id_t) i;
    }
    one[0] = n;
    /* NULL site lists: every site; here the first m given explicitly. */
    CHECK_OK(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_R2, m, rows, NULL, m, rows, NULL, 0,
        execs[0], r2, m * m));
    CHECK_OK(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_D2, m, rows, NULL, m, rows, NULL, 0,
        execs[0], d2, m * m));
    for (i = 0; i < m; i++) {
        for (j = 0; j < m; j++) {
            double pa = 0, pb = 0, pab = 0, d, r;
            int biallelic = 1;
            for (s = 0; s < n; s++) {
                int a = g[i * n + s], b = g[j * n + s];
                biallelic &= a >= 0 && a <= 1 && b >= 0 && b <= 1;
                pa += a == 0;
                pb += b == 0;
                pab += a == 0 && b == 0;
            }
            if (!biallelic) {
                continue;
            }
            pa /= (double) n;
            pb /= (double) n;
            pab /= (double) n;
            d = pab - pa * pb;
            r = d * d / (pa * (1 - pa) * pb * (1 - pb));
            /* D is a difference of products: absolute tolerance near 0. */
            CHECK(close_to(d2[i * m + j], d * d, 1e-9) || fabs(d2[i * m + j] - d * d) < 1e-15);
            if (pa > 0 && pa < 1 && pb > 0 && pb < 1) {
                CHECK(close_to(r2[i * m + j], r, 1e-9) || fabs(r2[i * m + j] - r) < 1e-12);
            } else {
                CHECK(isnan(r2[i * m + j]));
            }
            checked++;
        }
    }
    CHECK(checked > m * m / 2);
    /* The same bits on 2 and 3 threads, in branch mode too. */
    for (t = 1; t < 3; t++) {
        CHECK_OK(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_R2, m, rows, NULL, m, rows, NULL,
            0, execs[t], again, m * m));
        CHECK(memcmp(again, r2, m * m * sizeof(double)) == 0);
    }
    {
        const double *bp = tspar_treeseq_breakpoints(ts);
        size_t nt = (size_t) tspar_treeseq_num_trees(ts), k = nt < NSITES ? nt : NSITES;
        double pos[NSITES];
        for (i = 0; i < k; i++) {
            pos[i] = (bp[i] + bp[i + 1]) / 2;
        }
        CHECK_OK(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_D2, k, NULL, pos, k, NULL, pos,
            TSPAR_STAT_BRANCH, execs[0], d2, m * m));
        for (i = 0; i < k; i++) {
            CHECK(d2[i * k + i] > 0);
            for (j = 0; j < k; j++) {
                /* Symmetric in its two loci. */
                CHECK(close_to(d2[i * k + j], d2[j * k + i], 1e-12));
            }
        }
        for (t = 1; t < 3; t++) {
            CHECK_OK(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_D2, k, NULL, pos, k, NULL, pos,
                TSPAR_STAT_BRANCH, execs[t], again, m * m));
            CHECK(memcmp(again, d2, k * k * sizeof(double)) == 0);
        }
    }

    /* Refusals, each leaving the result untouched. */
    fill(r2, m * m, 42.0);
    CHECK_ERR(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_R2, m, rows, NULL, m, rows, NULL, 0,
                  NULL, r2, m * m - 1),
        TSPAR_ERR_BUFFER_TOO_SMALL, "");
    rows[3] = 1;
    CHECK_ERR(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_R2, m, rows, NULL, m, NULL, NULL, 0,
                  NULL, r2, m * m),
        TSPAR_ERR_STAT_UNSORTED_SITES, "");
    rows[3] = 2;
    CHECK_ERR(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_R2, m, rows, NULL, 1, rows, NULL, 0,
                  NULL, r2, m * m),
        TSPAR_ERR_STAT_DUPLICATE_SITES, "");
    rows[3] = 3;
    rows[m - 1] = (tspar_id_t) tspar_treeseq_num_sites(ts);
    CHECK_ERR(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_R2, m, rows, NULL, 1, rows, NULL, 0,
                  NULL, r2, m * m),
        TSPAR_ERR_SITE_OUT_OF_BOUNDS, "");
    rows[m - 1] = (tspar_id_t) (m - 1);
    {
        tspar_size_t two[2] = { n / 2, n - n / 2 };
        tspar_id_t pair[2] = { 0, 1 };
        CHECK_ERR(tspar_treeseq_ld_matrix(ts, 2, two, samples, 1, pair, TSPAR_LD_D, m, rows, NULL, m, rows, NULL,
                      0, NULL, r2, m * m),
            TSPAR_ERR_TWO_WAY_UNSUPPORTED, "");
        /* The two-way r² is allowed. */
        CHECK_OK(tspar_treeseq_ld_matrix(ts, 2, two, samples, 1, pair, TSPAR_LD_R2, 2, rows, NULL, 2, rows, NULL,
            0, NULL, again, 4));
    }
    CHECK_EQ(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, 99, m, rows, NULL, m, rows, NULL, 0, NULL, r2,
                 m * m),
        TSPAR_ERR_BAD_PARAM_VALUE);
    CHECK_EQ(tspar_treeseq_ld_matrix(NULL, 1, one, samples, 0, NULL, TSPAR_LD_R2, m, rows, NULL, m, rows, NULL, 0,
                 NULL, r2, m * m),
        TSPAR_ERR_NULL_POINTER);
    CHECK_EQ(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_R2, m, rows, NULL, m, rows, NULL, 0,
                 NULL, NULL, m * m),
        TSPAR_ERR_NULL_POINTER);
    {
        double far[1];
        far[0] = tspar_treeseq_sequence_length(ts);
        CHECK_ERR(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_D2, 1, NULL, far, 1, NULL, far,
                      TSPAR_STAT_BRANCH, NULL, r2, m * m),
            TSPAR_ERR_POSITION_OUT_OF_BOUNDS, "");
    }
    CHECK(untouched(r2, m * m, 42.0));
    free(g);
    free(r2);
    free(d2);
    free(again);
}

static int
by_time(const void *a, const void *b)
{
    double x = node_time[*(const tspar_id_t *) a], y = node_time[*(const tspar_id_t *) b];
    return (x > y) - (x < y);
}

/* Counts, quantiles and rates of two halves of the samples, indexes
 * (0, 0), (0, 1) and (1, 1), one window. */
static void
test_pair_coalescence(void)
{
    tspar_size_t sizes[2] = { n / 2, n - n / 2 };
    tspar_id_t idx[6] = { 0, 0, 0, 1, 1, 1 };
    tspar_id_t div_idx[6] = { 0, 0, 0, 1, 1, 1 };
    double *counts = malloc(3 * num_nodes * sizeof(double));
    double *again = malloc(3 * num_nodes * sizeof(double));
    tspar_id_t *order = malloc(num_nodes * sizeof(tspar_id_t));
    tspar_id_t *bins = malloc(num_nodes * sizeof(tspar_id_t));
    double *bin_time = malloc(num_nodes * sizeof(double));
    double div[3], mean_t[3], q[3 * 5], quantiles[5] = { 0, 0.1, 0.5, 0.9, 1 };
    double rates[3 * 2], tw[3], out[8];
    size_t i, u, t, nb = 0;

    CHECK(counts && again && order && bins && bin_time);
    CHECK_OK(tspar_treeseq_pair_coalescence_counts(ts, 2, sizes, samples, 3, idx, 0, NULL, 0, NULL,
        TSPAR_STAT_SPAN_NORMALISE | TSPAR_STAT_PAIR_NORMALISE, execs[0], counts, 3 * num_nodes));
    for (t = 1; t < 3; t++) {
        CHECK_OK(tspar_treeseq_pair_coalescence_counts(ts, 2, sizes, samples, 3, idx, 0, NULL, 0, NULL,
            TSPAR_STAT_SPAN_NORMALISE | TSPAR_STAT_PAIR_NORMALISE, execs[t], again, 3 * num_nodes));
        CHECK(memcmp(again, counts, 3 * num_nodes * sizeof(double)) == 0);
    }
    /* Every pair coalesces once in each (one-rooted) tree: shares sum to
     * 1, and twice the mean coalescence time is branch divergence. */
    CHECK_OK(tspar_treeseq_divergence(ts, 2, sizes, samples, 3, div_idx, 0, NULL,
        TSPAR_STAT_BRANCH | TSPAR_STAT_SPAN_NORMALISE, NULL, div, 3));
    for (i = 0; i < 3; i++) {
        double total = 0;
        mean_t[i] = 0;
        for (u = 0; u < num_nodes; u++) {
            total += counts[i * num_nodes + u];
            mean_t[i] += counts[i * num_nodes + u] * node_time[u];
        }
        CHECK(close_to(total, 1.0, 1e-12));
        CHECK(close_to(2 * mean_t[i], div[i], 1e-10));
    }

    /* Quantiles: one bin per distinct node time, in time order; checked
     * against numpy's "inverted_cdf" of the counts. */
    for (u = 0; u < num_nodes; u++) {
        order[u] = (tspar_id_t) u;
    }
    qsort(order, num_nodes, sizeof(tspar_id_t), by_time);
    for (u = 0; u < num_nodes; u++) {
        if (u == 0 || node_time[order[u]] != node_time[order[u - 1]]) {
            bin_time[nb++] = node_time[order[u]];
        }
        bins[order[u]] = (tspar_id_t) (nb - 1);
    }
    CHECK_OK(tspar_treeseq_pair_coalescence_quantiles(ts, 2, sizes, samples, 3, idx, 0, NULL, nb, bins, 5,
        quantiles, 0, execs[1], q, 15));
    for (i = 0; i < 3; i++) {
        size_t k;
        for (k = 0; k < 5; k++) {
            /* The first bin (with pairs) where the cumulative share reaches q. */
            double cum = 0, want = NAN;
            size_t b;
            for (b = 0; b < nb; b++) {
                double w = 0;
                for (u = 0; u < num_nodes; u++) {
                    if ((size_t) bins[u] == b) {
                        w += counts[i * num_nodes + u];
                    }
                }
                cum += w;
                if (w > 0 && cum >= quantiles[k] - 1e-12) {
                    want = bin_time[b];
                    break;
                }
            }
            CHECK(q[i * 5 + k] == want);
        }
    }

    /* Rates: one time window [0, inf) gives 1 / the mean coalescence time. */
    for (u = 0; u < num_nodes; u++) {
        bins[u] = 0;
    }
    tw[0] = 0;
    tw[1] = INFINITY;
    CHECK_OK(tspar_treeseq_pair_coalescence_rates(ts, 2, sizes, samples, 3, idx, 0, NULL, 1, bins, tw, 0,
        execs[2], rates, 3));
    for (i = 0; i < 3; i++) {
        CHECK(close_to(rates[i], 1 / mean_t[i], 1e-10));
    }
    /* Two windows split at T: -log(1 - F(T)) / T in the first. */
    tw[1] = q[2];
    tw[2] = INFINITY;
    for (u = 0; u < num_nodes; u++) {
        bins[u] = node_time[u] < tw[1] ? 0 : 1;
    }
    CHECK_OK(tspar_treeseq_pair_coalescence_rates(ts, 2, sizes, samples, 3, idx, 0, NULL, 2, bins, tw, 0,
        execs[0], rates, 6));
    for (i = 0; i < 3; i++) {
        double f = 0;
        for (u = 0; u < num_nodes; u++) {
            if (node_time[u] < tw[1]) {
                f += counts[i * num_nodes + u];
            }
        }
        CHECK(f > 0 && f < 1);
        CHECK(close_to(rates[2 * i], -log(1 - f) / tw[1], 1e-10));
        CHECK(rates[2 * i + 1] > 0);
    }

    /* Refusals leave the result as it was. */
    fill(out, 8, 42.0);
    quantiles[1] = 0.6;
    CHECK_ERR(tspar_treeseq_pair_coalescence_quantiles(ts, 2, sizes, samples, 3, idx, 0, NULL, nb, bins, 5,
                  quantiles, 0, NULL, out, 8),
        TSPAR_ERR_BAD_QUANTILES, "");
    quantiles[1] = 0.1;
    tw[1] = 0;
    CHECK_ERR(tspar_treeseq_pair_coalescence_rates(ts, 2, sizes, samples, 3, idx, 0, NULL, 2, bins, tw, 0, NULL,
                  out, 8),
        TSPAR_ERR_BAD_TIME_WINDOWS, "");
    tw[1] = q[2];
    bins[0] = 2;
    CHECK_ERR(tspar_treeseq_pair_coalescence_rates(ts, 2, sizes, samples, 3, idx, 0, NULL, 2, bins, tw, 0, NULL,
                  out, 8),
        TSPAR_ERR_BAD_NODE_BIN_MAP, "");
    bins[0] = 0;
    CHECK_ERR(tspar_treeseq_pair_coalescence_rates(ts, 2, sizes, samples, 3, idx, 0, NULL, 2, bins, tw, 0, NULL,
                  out, 5),
        TSPAR_ERR_BUFFER_TOO_SMALL, "");
    CHECK_ERR(tspar_treeseq_pair_coalescence_rates(ts, 2, sizes, samples, 3, idx, 0, NULL, 2, bins, tw,
                  TSPAR_STAT_SPAN_NORMALISE, NULL, out, 8),
        TSPAR_ERR_BAD_OPTIONS, "");
    CHECK_EQ(tspar_treeseq_pair_coalescence_counts(ts, 2, sizes, samples, 3, idx, 0, NULL, 0, NULL, 0, NULL, NULL,
                 3 * num_nodes),
        TSPAR_ERR_NULL_POINTER);
    {
        /* Overlapping sets: a sample in both is a duplicate. */
        tspar_size_t overlap[2] = { n / 2 + 1, n - n / 2 };
        tspar_id_t *ids = malloc((n + 1) * sizeof(tspar_id_t));
        CHECK(ids != NULL);
        memcpy(ids, samples, (n / 2 + 1) * sizeof(tspar_id_t));
        memcpy(ids + n / 2 + 1, samples + n / 2, (n - n / 2) * sizeof(tspar_id_t));
        CHECK_ERR(tspar_treeseq_pair_coalescence_counts(ts, 2, overlap, ids, 3, idx, 0, NULL, 0, NULL, 0, NULL,
                      out, 8),
            TSPAR_ERR_DUPLICATE_SAMPLE, "");
        free(ids);
    }
    CHECK(untouched(out, 8, 42.0));
    free(counts);
    free(again);
    free(order);
    free(bins);
    free(bin_time);
}

/* Quantiles and rates read node times as times: refused when the time
 * units are "uncalibrated", unless the caller allows it. */
static void
test_uncalibrated(const char *path)
{
    tspar_tables_t *tables = NULL;
    tspar_treeseq_t *un = NULL;
    tspar_size_t one[1];
    tspar_id_t idx[2] = { 0, 0 };
    tspar_id_t *bins = calloc(num_nodes, sizeof(tspar_id_t));
    double tw[2] = { 0, INFINITY }, q[1] = { 0.5 }, a[1], b[1];

    CHECK(bins != NULL);
    one[0] = n;
    CHECK_OK(tspar_tables_load(path, 0, NULL, &tables));
    CHECK_OK(tspar_tables_set_field(tables, "time_units", "uncalibrated", 12));
    CHECK_OK(tspar_treeseq_from_tables(tables, 0, NULL, &un));
    a[0] = 42.0;
    CHECK_ERR(tspar_treeseq_pair_coalescence_rates(un, 1, one, samples, 1, idx, 0, NULL, 1, bins, tw, 0, NULL, a, 1),
        TSPAR_ERR_TIME_UNCALIBRATED, "TSPAR_STAT_ALLOW_TIME_UNCALIBRATED");
    CHECK_ERR(tspar_treeseq_pair_coalescence_quantiles(un, 1, one, samples, 1, idx, 0, NULL, 1, bins, 1, q, 0, NULL,
                  a, 1),
        TSPAR_ERR_TIME_UNCALIBRATED, "");
    CHECK(a[0] == 42.0);
    CHECK_OK(tspar_treeseq_pair_coalescence_rates(un, 1, one, samples, 1, idx, 0, NULL, 1, bins, tw,
        TSPAR_STAT_ALLOW_TIME_UNCALIBRATED, NULL, a, 1));
    CHECK_OK(tspar_treeseq_pair_coalescence_rates(ts, 1, one, samples, 1, idx, 0, NULL, 1, bins, tw, 0, NULL, b, 1));
    CHECK(a[0] == b[0] && a[0] > 0);
    /* Per-node counts need no time. */
    CHECK_OK(tspar_treeseq_pair_coalescence_counts(un, 1, one, samples, 1, idx, 0, NULL, 1, bins, 0, NULL, a, 1));
    tspar_treeseq_free(un);
    tspar_tables_free(tables);
    free(bins);
}

struct cancel_state {
    int calls;
};

static int
cancel_now(double fraction, void *user_data)
{
    struct cancel_state *s = user_data;
    (void) fraction;
    s->calls++;
    return 1;
}

int
main(int argc, char **argv)
{
    size_t j;
    int dtype;
    const void *data;
    tspar_size_t len;
    tspar_exec_t *cancelling = NULL;
    struct cancel_state state = { 0 };

    CHECK(argc == 2);
    for (j = 0; j < 3; j++) {
        CHECK_OK(tspar_exec_new(j + 1, NULL, NULL, &execs[j]));
    }
    CHECK_OK(tspar_treeseq_load(argv[1], 0, NULL, &ts));
    n = (tspar_size_t) tspar_treeseq_num_samples(ts);
    num_nodes = (tspar_size_t) tspar_treeseq_num_nodes(ts);
    samples = tspar_treeseq_samples(ts);
    CHECK(n >= 8);
    CHECK_OK(tspar_treeseq_column(ts, "nodes/time", &dtype, &data, &len));
    CHECK(dtype == TSPAR_DTYPE_FLOAT64 && len == num_nodes);
    node_time = data;

    test_ld_against_genotypes();
    test_pair_coalescence();
    test_uncalibrated(argv[1]);

    /* A progress callback that cancels stops both families. */
    CHECK_OK(tspar_exec_new(2, cancel_now, &state, &cancelling));
    {
        tspar_size_t one[1];
        tspar_id_t idx[2] = { 0, 0 };
        double *out = malloc(num_nodes * sizeof(double));
        CHECK(out != NULL);
        one[0] = n;
        CHECK_EQ(tspar_treeseq_pair_coalescence_counts(ts, 1, one, samples, 1, idx, 0, NULL, 0, NULL, 0, cancelling,
                     out, num_nodes),
            TSPAR_ERR_CANCELLED);
        tspar_id_t sites[2] = { 0, 1 };
        CHECK_EQ(tspar_treeseq_ld_matrix(ts, 1, one, samples, 0, NULL, TSPAR_LD_R2, 2, sites, NULL, 2, sites, NULL,
                     0, cancelling, out, num_nodes),
            TSPAR_ERR_CANCELLED);
        CHECK(state.calls >= 2);
        free(out);
    }
    tspar_exec_free(cancelling);
    for (j = 0; j < 3; j++) {
        tspar_exec_free(execs[j]);
    }
    tspar_treeseq_free(ts);
    return 0;
}
