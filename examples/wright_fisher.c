/*
 * wright_fisher: a forward-time Wright-Fisher simulator that records its
 * genealogy in tspar tables.
 *
 * A population of N diploids lives for G generations. Each child has two
 * parents drawn at random; each of its two genomes is a recombinant of one
 * parent's two genomes (crossovers as a Poisson process of rate r per unit
 * of sequence). Every birth is recorded as two nodes and their edges, and,
 * with -u, neutral mutations on the new genomes (infinite sites). Every k
 * generations the tables are sorted and simplified to the genomes alive,
 * which keeps them small. At the end the tables are simplified once more,
 * checked by making a tree sequence, and written as a .trees file that
 * tskit loads.
 *
 * With -x, a birth is rejected with that probability after it has been
 * recorded (a stand-in for viability selection): the rows it added are
 * removed again by truncating to a bookmark taken before the birth.
 *
 * Several replicates (-R) run on several threads, each with its own tables.
 * With -c C, one pedigree carries C chromosomes, each recorded in its own
 * table collection, and the chromosomes are sorted and simplified in
 * parallel, one thread per chromosome.
 *
 * usage: wright_fisher [-N diploids] [-G generations] [-L length]
 *            [-r recombination rate] [-u mutation rate] [-k interval]
 *            [-x reject probability] [-R replicates] [-c chromosomes]
 *            [-t threads] [-s seed] [-o output prefix] [-q]
 *
 * -k 0 never simplifies: the output then holds every birth, unsorted and
 * unsimplified (benchmarks sort and simplify it). Output files are
 * PREFIX_rep<R>.trees, or PREFIX_chr<C>.trees with -c.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tspar.h>

typedef struct {
    long N;            /* diploid individuals */
    long G;            /* generations */
    double L;          /* sequence length */
    double r;          /* crossovers per unit of sequence per generation */
    double u;          /* mutations per unit of sequence per genome per generation */
    long k;            /* simplify every k generations; 0: never */
    double reject;     /* probability of undoing a birth */
    long replicates;
    long chromosomes;
    long threads;
    uint64_t seed;
    const char *prefix;
    int quiet;
} params_t;

/* ------------------------------------------------------------ random numbers */

/* xoshiro256** seeded through splitmix64: small, fast, good enough here. */
typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t
splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void
rng_seed(rng_t *rng, uint64_t seed)
{
    int j;
    for (j = 0; j < 4; j++) {
        rng->s[j] = splitmix64(&seed);
    }
}

static uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t
rng_next(rng_t *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform on [0, 1). */
static double
rng_uniform(rng_t *rng)
{
    return (double) (rng_next(rng) >> 11) * 0x1.0p-53;
}

static long
rng_below(rng_t *rng, long n)
{
    return (long) (rng_uniform(rng) * (double) n);
}

/* Exponential with the given rate (> 0). */
static double
rng_exp(rng_t *rng, double rate)
{
    return -log1p(-rng_uniform(rng)) / rate;
}

/* ------------------------------------------------------------ errors */

static int
report(int ret, const char *what)
{
    if (ret < 0) {
        fprintf(stderr, "wright_fisher: %s: %s (%s)\n", what, tspar_strerror(ret),
            tspar_last_error_message());
    }
    return ret;
}

#define CHECK(call, what)                                                          \
    do {                                                                           \
        if (report((int) (call), what) < 0) {                                      \
            goto fail;                                                             \
        }                                                                          \
    } while (0)

/* ------------------------------------------------------------ one chromosome */

/* The state of one chromosome: its tables and the node ids of the genomes
 * alive (two per individual). */
typedef struct {
    tspar_tables_t *tables;
    tspar_id_t *alive;      /* 2N node ids */
    tspar_id_t *next_alive; /* 2N node ids being born */
    tspar_id_t *node_map;
    size_t node_map_capacity;
    int status; /* result of the last parallel simplify */
} chrom_t;

static int
chrom_init(chrom_t *c, const params_t *p)
{
    long j;
    tspar_id_t id;
    memset(c, 0, sizeof(*c));
    c->alive = malloc(2 * (size_t) p->N * sizeof(tspar_id_t));
    c->next_alive = malloc(2 * (size_t) p->N * sizeof(tspar_id_t));
    if (c->alive == NULL || c->next_alive == NULL) {
        fprintf(stderr, "wright_fisher: out of memory\n");
        return -1;
    }
    CHECK(tspar_tables_new(p->L, &c->tables), "new tables");
    CHECK(tspar_tables_add_population(c->tables, NULL, 0), "add population");
    /* The founders, at time G (time counts generations before the end). */
    for (j = 0; j < 2 * p->N; j++) {
        id = tspar_tables_add_node(c->tables, 0, (double) p->G, 0, TSPAR_NULL, NULL, 0);
        CHECK(id, "add founder");
        c->alive[j] = id;
    }
    return 0;
fail:
    return -1;
}

static void
chrom_free(chrom_t *c)
{
    tspar_tables_free(c->tables);
    free(c->alive);
    free(c->next_alive);
    free(c->node_map);
}

/* Records one genome of a child born at `time`: a recombinant of the parent
 * genomes p0 and p1, starting with a random one. Returns the new node id or
 * a negative code. */
static tspar_id_t
record_genome(chrom_t *c, const params_t *p, rng_t *rng, tspar_id_t p0, tspar_id_t p1,
    double time)
{
    tspar_id_t child, parents[2] = { p0, p1 }, site;
    int which = (int) (rng_next(rng) & 1);
    double left = 0, x;
    int ret;

    child = tspar_tables_add_node(c->tables, 0, time, 0, TSPAR_NULL, NULL, 0);
    if (child < 0) {
        return child;
    }
    while (left < p->L) {
        x = p->r > 0 ? left + rng_exp(rng, p->r) : p->L;
        if (x > p->L) {
            x = p->L;
        }
        if (x > left) {
            ret = tspar_tables_add_edge(c->tables, left, x, parents[which], child, NULL, 0);
            if (ret < 0) {
                return ret;
            }
        }
        which = 1 - which;
        left = x;
    }
    if (p->u > 0) {
        for (x = rng_exp(rng, p->u); x < p->L; x += rng_exp(rng, p->u)) {
            site = tspar_tables_add_site(c->tables, x, "0", 1, NULL, 0);
            if (site < 0) {
                return site;
            }
            ret = tspar_tables_add_mutation(c->tables, site, child, TSPAR_NULL, time, "1", 1, NULL, 0);
            if (ret < 0) {
                return ret;
            }
        }
    }
    return child;
}

/* Sorts and simplifies one chromosome to its living genomes and renumbers
 * them. */
static int
chrom_simplify(chrom_t *c, const params_t *p)
{
    int64_t num_nodes = tspar_tables_num_rows(c->tables, TSPAR_TABLE_NODES);
    long j;
    tspar_id_t *grown;

    CHECK(num_nodes, "count nodes");
    if ((size_t) num_nodes > c->node_map_capacity) {
        grown = realloc(c->node_map, (size_t) num_nodes * sizeof(tspar_id_t));
        if (grown == NULL) {
            fprintf(stderr, "wright_fisher: out of memory\n");
            return -1;
        }
        c->node_map = grown;
        c->node_map_capacity = (size_t) num_nodes;
    }
    CHECK(tspar_tables_sort(c->tables, 0, 0, NULL), "sort");
    CHECK(tspar_tables_simplify(c->tables, c->alive, 2 * (tspar_size_t) p->N, TSPAR_SIMPLIFY_FILTER_SITES, NULL, c->node_map,
              (tspar_size_t) num_nodes),
        "simplify");
    for (j = 0; j < 2 * p->N; j++) {
        c->alive[j] = c->node_map[c->alive[j]];
    }
    return 0;
fail:
    return -1;
}

typedef struct {
    chrom_t *chrom;
    const params_t *params;
} simplify_job_t;

static void *
simplify_thread(void *arg)
{
    simplify_job_t *job = arg;
    job->chrom->status = chrom_simplify(job->chrom, job->params);
    return NULL;
}

/* Simplifies every chromosome, one thread each (at most `threads` at once). */
static int
simplify_all(chrom_t *chroms, long n, const params_t *p)
{
    long j, first, batch = p->threads > 0 ? p->threads : 1;
    pthread_t *tid = malloc((size_t) n * sizeof(pthread_t));
    simplify_job_t *jobs = malloc((size_t) n * sizeof(simplify_job_t));
    int ret = 0;

    if (tid == NULL || jobs == NULL) {
        free(tid);
        free(jobs);
        fprintf(stderr, "wright_fisher: out of memory\n");
        return -1;
    }
    if (n == 1 || batch == 1) {
        for (j = 0; j < n && ret == 0; j++) {
            ret = chrom_simplify(&chroms[j], p);
        }
    } else {
        for (first = 0; first < n; first += batch) {
            long last = first + batch < n ? first + batch : n;
            for (j = first; j < last; j++) {
                jobs[j].chrom = &chroms[j];
                jobs[j].params = p;
                if (pthread_create(&tid[j], NULL, simplify_thread, &jobs[j]) != 0) {
                    chroms[j].status = chrom_simplify(&chroms[j], p);
                    tid[j] = pthread_self();
                }
            }
            for (j = first; j < last; j++) {
                if (!pthread_equal(tid[j], pthread_self())) {
                    pthread_join(tid[j], NULL);
                }
                if (chroms[j].status != 0) {
                    ret = -1;
                }
            }
        }
    }
    free(tid);
    free(jobs);
    return ret;
}

/* ------------------------------------------------------------ one simulation */

typedef struct {
    const params_t *params;
    long replicate; /* -1 in chromosome mode */
    uint64_t seed;
    int status;
    double num_edges; /* edges written, summed over chromosomes */
} sim_t;

static int
write_output(chrom_t *c, const params_t *p, const char *path)
{
    tspar_treeseq_t *ts = NULL;

    if (p->k > 0) {
        /* The final tables must make a valid tree sequence. */
        CHECK(tspar_tables_build_index(c->tables, 0, NULL), "build index");
        CHECK(tspar_treeseq_from_tables(c->tables, 0, NULL, &ts), "make tree sequence");
        CHECK(tspar_treeseq_dump(ts, path, 0), "dump");
        tspar_treeseq_free(ts);
    } else {
        CHECK(tspar_tables_dump(c->tables, path, 0), "dump");
    }
    return 0;
fail:
    tspar_treeseq_free(ts);
    return -1;
}

static int
simulate(sim_t *sim)
{
    const params_t *p = sim->params;
    long nc = sim->replicate < 0 ? p->chromosomes : 1;
    chrom_t *chroms = calloc((size_t) nc, sizeof(chrom_t));
    rng_t rng;
    long gen, j, c, i, since = 0;
    tspar_bookmark_t *marks = calloc((size_t) nc, sizeof(tspar_bookmark_t));
    tspar_id_t *tmp, node;
    char path[4096];
    int ret = -1;

    if (chroms == NULL || marks == NULL) {
        fprintf(stderr, "wright_fisher: out of memory\n");
        goto out;
    }
    rng_seed(&rng, sim->seed);
    for (c = 0; c < nc; c++) {
        if (chrom_init(&chroms[c], p) != 0) {
            goto out;
        }
    }
    for (gen = 1; gen <= p->G; gen++) {
        double time = (double) (p->G - gen);
        for (i = 0; i < p->N; i++) {
            for (;;) {
                long mother = rng_below(&rng, p->N), father = rng_below(&rng, p->N);
                for (c = 0; c < nc; c++) {
                    CHECK(tspar_tables_record_num_rows(chroms[c].tables, &marks[c]), "bookmark");
                    for (j = 0; j < 2; j++) {
                        long parent = j == 0 ? mother : father;
                        node = record_genome(&chroms[c], p, &rng, chroms[c].alive[2 * parent],
                            chroms[c].alive[2 * parent + 1], time);
                        CHECK(node, "record birth");
                        chroms[c].next_alive[2 * i + j] = node;
                    }
                }
                if (p->reject > 0 && rng_uniform(&rng) < p->reject) {
                    /* Undo this birth on every chromosome and draw again. */
                    for (c = 0; c < nc; c++) {
                        CHECK(tspar_tables_truncate(chroms[c].tables, &marks[c]), "truncate");
                    }
                    continue;
                }
                break;
            }
        }
        for (c = 0; c < nc; c++) {
            tmp = chroms[c].alive;
            chroms[c].alive = chroms[c].next_alive;
            chroms[c].next_alive = tmp;
        }
        since++;
        if (p->k > 0 && (since == p->k || gen == p->G)) {
            if (simplify_all(chroms, nc, p) != 0) {
                goto out;
            }
            since = 0;
        }
        if (!p->quiet && sim->replicate <= 0 && gen % 100 == 0) {
            fprintf(stderr, "\rgeneration %ld / %ld", gen, p->G);
        }
    }
    if (!p->quiet && sim->replicate <= 0) {
        fprintf(stderr, "\n");
    }
    sim->num_edges = 0;
    for (c = 0; c < nc; c++) {
        if (sim->replicate < 0) {
            snprintf(path, sizeof(path), "%s_chr%ld.trees", p->prefix, c);
        } else {
            snprintf(path, sizeof(path), "%s_rep%ld.trees", p->prefix, sim->replicate);
        }
        if (write_output(&chroms[c], p, path) != 0) {
            goto out;
        }
        sim->num_edges += (double) tspar_tables_num_rows(chroms[c].tables, TSPAR_TABLE_EDGES);
        if (!p->quiet) {
            printf("%s\t%lld nodes\t%lld edges\t%lld sites\n", path,
                (long long) tspar_tables_num_rows(chroms[c].tables, TSPAR_TABLE_NODES),
                (long long) tspar_tables_num_rows(chroms[c].tables, TSPAR_TABLE_EDGES),
                (long long) tspar_tables_num_rows(chroms[c].tables, TSPAR_TABLE_SITES));
        }
    }
    ret = 0;
    goto out;
fail:
    ret = -1;
out:
    if (chroms != NULL) {
        for (c = 0; c < nc; c++) {
            chrom_free(&chroms[c]);
        }
    }
    free(chroms);
    free(marks);
    return ret;
}

static void *
replicate_thread(void *arg)
{
    sim_t *sim = arg;
    sim->status = simulate(sim);
    return NULL;
}

/* ------------------------------------------------------------ main */

static int
parse_long(const char *s, long min, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min) {
        return -1;
    }
    *out = v;
    return 0;
}

static int
parse_double(const char *s, double min, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || *end != '\0' || !(v >= min) || !isfinite(v)) {
        return -1;
    }
    *out = v;
    return 0;
}

static void
usage(void)
{
    fprintf(stderr,
        "usage: wright_fisher [-N diploids] [-G generations] [-L length] [-r recomb rate]\n"
        "                     [-u mutation rate] [-k simplify interval, 0 never]\n"
        "                     [-x reject probability] [-R replicates] [-c chromosomes]\n"
        "                     [-t threads] [-s seed] [-o output prefix] [-q]\n");
}

int
main(int argc, char **argv)
{
    params_t p = { 100, 500, 1e6, 1e-6, 0, 50, 0, 1, 1, 1, 1, "wright_fisher", 0 };
    int opt, bad = 0, failed = 0;
    long j, seed = 1;
    sim_t *sims;
    pthread_t *tid;

    while ((opt = getopt(argc, argv, "N:G:L:r:u:k:x:R:c:t:s:o:qh")) != -1) {
        switch (opt) {
            case 'N': bad |= parse_long(optarg, 1, &p.N); break;
            case 'G': bad |= parse_long(optarg, 1, &p.G); break;
            case 'L': bad |= parse_double(optarg, 1e-300, &p.L); break;
            case 'r': bad |= parse_double(optarg, 0, &p.r); break;
            case 'u': bad |= parse_double(optarg, 0, &p.u); break;
            case 'k': bad |= parse_long(optarg, 0, &p.k); break;
            case 'x':
                bad |= parse_double(optarg, 0, &p.reject);
                bad |= p.reject >= 1;
                break;
            case 'R': bad |= parse_long(optarg, 1, &p.replicates); break;
            case 'c': bad |= parse_long(optarg, 1, &p.chromosomes); break;
            case 't': bad |= parse_long(optarg, 1, &p.threads); break;
            case 's': bad |= parse_long(optarg, 0, &seed); break;
            case 'o': p.prefix = optarg; break;
            case 'q': p.quiet = 1; break;
            default: usage(); return opt == 'h' ? 0 : 2;
        }
    }
    if (bad || optind != argc || (p.chromosomes > 1 && p.replicates > 1)) {
        usage();
        fprintf(stderr, "(-c and -R cannot both be above 1)\n");
        return 2;
    }
    p.seed = (uint64_t) seed;
    if (p.chromosomes > 1) {
        sim_t sim = { &p, -1, p.seed, 0, 0 };
        return simulate(&sim) == 0 ? 0 : 1;
    }
    sims = calloc((size_t) p.replicates, sizeof(sim_t));
    tid = calloc((size_t) p.replicates, sizeof(pthread_t));
    if (sims == NULL || tid == NULL) {
        fprintf(stderr, "wright_fisher: out of memory\n");
        return 1;
    }
    /* Replicates in batches of `threads`, each on its own thread with its
     * own tables and its own random stream. */
    for (j = 0; j < p.replicates; j++) {
        sims[j].params = &p;
        sims[j].replicate = j;
        sims[j].seed = p.seed + 0x1000193ULL * (uint64_t) j;
    }
    for (j = 0; j < p.replicates; j += p.threads) {
        long i, last = j + p.threads < p.replicates ? j + p.threads : p.replicates;
        for (i = j; i < last; i++) {
            if (last - j == 1 || pthread_create(&tid[i], NULL, replicate_thread, &sims[i]) != 0) {
                sims[i].status = simulate(&sims[i]);
                tid[i] = pthread_self();
            }
        }
        for (i = j; i < last; i++) {
            if (!pthread_equal(tid[i], pthread_self())) {
                pthread_join(tid[i], NULL);
            }
            failed |= sims[i].status != 0;
        }
    }
    free(sims);
    free(tid);
    return failed ? 1 : 0;
}
