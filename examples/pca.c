/*
 * pca: the top principal components of the genetic relatedness matrix
 * between the individuals (or the sample nodes) of a .trees file, as
 * tskit's TreeSequence.pca, printed as TSV.
 *
 *   pca [FILE] [--components K] [--threads T] [--seed S] [--mode site|branch]
 *       [--samples] [--iterations N] [--oversamples N] [--sketch SKETCH]
 *       [--no-centre]
 *
 * FILE defaults to tests/data/example.trees.
 *
 *   --components K   number of components (default 2)
 *   --threads T      worker threads; 1 runs on the calling thread only; the
 *                    default is TSPAR_NUM_THREADS, else all cores. The output
 *                    is the same for every thread count.
 *   --seed S         seed of the Gaussian starting vectors (default 1); the
 *                    stream is tspar's own, not numpy's
 *   --mode M         branch (default; tskit's only mode) or site
 *   --samples        one row per sample node, not per individual
 *   --iterations N   power iterations (default 5, as tskit)
 *   --oversamples N  extra vectors of the sketch (default min(10, dim - K),
 *                    as tskit)
 *   --sketch SKETCH  a text file of dim x (K + oversamples) numbers, row by
 *                    row (numpy.savetxt of tskit's range_sketch): the
 *                    starting vectors instead of random ones; its number
 *                    of columns sets the oversamples
 *   --no-centre      tskit's centre=False
 *
 * Output: a header line, then one row per individual (all individuals whose
 * nodes are all samples, in id order) or per sample node: its id, its
 * population (the name in the population's JSON metadata, else the id; an
 * individual's is its first node's), then PC1..PCK, the factors (columns of
 * norm 1, sign arbitrary). Then comment lines with the eigenvalues, largest
 * first, and tskit's error bound.
 *
 * Exit status: 0 on success, 1 on an error, 2 on bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tspar.h>

#ifndef TSPAR_DEFAULT_TREES
#define TSPAR_DEFAULT_TREES "tests/data/example.trees"
#endif

static void
usage(void)
{
    fprintf(stderr, "usage: pca [FILE] [--components K] [--threads T] [--seed S] [--mode site|branch]\n"
                    "           [--samples] [--iterations N] [--oversamples N] [--sketch SKETCH] [--no-centre]\n");
}

static void
report(const char *what, int err)
{
    fprintf(stderr, "pca: %s: %s (%s)\n", what, tspar_strerror(err), tspar_last_error_message());
}

/* A whole non-negative decimal number, or -1. */
static long long
parse_count(const char *s)
{
    char *end;
    long long v;

    if (s[0] < '0' || s[0] > '9') {
        return -1;
    }
    v = strtoll(s, &end, 10);
    return *end == '\0' ? v : -1;
}

/* Reads every number of a text file into a new array; NULL on failure. */
static double *
read_numbers(const char *path, size_t *count)
{
    FILE *f = fopen(path, "r");
    size_t n = 0, cap = 1024;
    double *v, *bigger, x;
    int c;

    if (f == NULL) {
        return NULL;
    }
    v = malloc(cap * sizeof(*v));
    while (v != NULL && fscanf(f, "%lf", &x) == 1) {
        if (n == cap) {
            cap *= 2;
            bigger = realloc(v, cap * sizeof(*v));
            if (bigger == NULL) {
                free(v);
                v = NULL;
                break;
            }
            v = bigger;
        }
        v[n++] = x;
    }
    /* Only white space may follow the last number. */
    while (v != NULL && (c = fgetc(f)) != EOF) {
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            free(v);
            v = NULL;
        }
    }
    fclose(f);
    *count = n;
    return v;
}

/*
 * Prints population `p`'s "name" from its JSON metadata, else its id.
 * A plain scan, enough for msprime's and tskit's metadata: a name with
 * escapes, or metadata in another codec, falls back to the id.
 */
static void
print_population(int32_t p, size_t num_pops, const char *md, const uint64_t *md_offset)
{
    const char *s, *e, *end, *q;

    if (p >= 0 && (size_t) p < num_pops && md != NULL) {
        s = md + md_offset[p];
        end = md + md_offset[p + 1];
        for (q = s; q + 6 <= end; q++) {
            if (memcmp(q, "\"name\"", 6) != 0) {
                continue;
            }
            q += 6;
            while (q < end && (*q == ' ' || *q == ':')) {
                q++;
            }
            if (q < end && *q == '"') {
                for (e = ++q; e < end && *e != '"' && *e != '\\'; e++) {
                }
                if (e < end && *e == '"' && e > q) {
                    printf("%.*s", (int) (e - q), q);
                    return;
                }
            }
            break;
        }
    }
    printf("%d", p);
}

int
main(int argc, char **argv)
{
    const char *path = TSPAR_DEFAULT_TREES, *sketch_path = NULL;
    long long num_components = 2, threads = 0, iterations = 5, oversamples = -1, v;
    unsigned long long seed = 1;
    tspar_flags_t options = TSPAR_STAT_BRANCH;
    int use_samples = 0, ret = 1, err, a, dtype;
    tspar_treeseq_t *ts = NULL;
    tspar_exec_t *exec = NULL;
    tspar_id_t *subjects = NULL;
    int32_t *subject_pop = NULL;
    double *sketch = NULL, *factors = NULL, *eigenvalues = NULL, *sketch_out = NULL, error_bound;
    const int32_t *node_population, *node_individual;
    const uint32_t *node_flags;
    const uint64_t *pop_md_offset = NULL;
    const char *pop_md = NULL;
    const void *data;
    tspar_size_t length, num_nodes, num_pops = 0;
    size_t dim = 0, nv, sketch_count = 0, j, k;
    char *end;

    for (a = 1; a < argc; a++) {
        const char *arg = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(arg, "--samples") == 0) {
            use_samples = 1;
        } else if (strcmp(arg, "--no-centre") == 0) {
            options |= TSPAR_STAT_NONCENTRED;
        } else if (arg[0] != '-') {
            path = arg;
        } else if (val == NULL) {
            usage();
            return 2;
        } else {
            a++;
            if (strcmp(arg, "--mode") == 0) {
                options &= ~(tspar_flags_t) (TSPAR_STAT_SITE | TSPAR_STAT_BRANCH);
                if (strcmp(val, "site") == 0) {
                    options |= TSPAR_STAT_SITE;
                } else if (strcmp(val, "branch") == 0) {
                    options |= TSPAR_STAT_BRANCH;
                } else {
                    usage();
                    return 2;
                }
            } else if (strcmp(arg, "--sketch") == 0) {
                sketch_path = val;
            } else if (strcmp(arg, "--seed") == 0) {
                seed = strtoull(val, &end, 10);
                if (val[0] < '0' || val[0] > '9' || *end != '\0') {
                    usage();
                    return 2;
                }
            } else {
                v = parse_count(val);
                if (strcmp(arg, "--components") == 0 && v >= 1) {
                    num_components = v;
                } else if (strcmp(arg, "--threads") == 0 && v >= 1) {
                    threads = v;
                } else if (strcmp(arg, "--iterations") == 0 && v >= 1) {
                    iterations = v;
                } else if (strcmp(arg, "--oversamples") == 0 && v >= 0) {
                    oversamples = v;
                } else {
                    usage();
                    return 2;
                }
            }
        }
    }
    if (sketch_path != NULL && oversamples >= 0) {
        fprintf(stderr, "pca: give --sketch or --oversamples, not both\n");
        return 2;
    }

    err = tspar_exec_new((tspar_size_t) threads, NULL, NULL, &exec);
    if (err < 0) {
        report("exec", err);
        goto out;
    }
    err = tspar_treeseq_load(path, 0, exec, &ts);
    if (err < 0) {
        report(path, err);
        goto out;
    }

    /* Node columns, straight from the loaded file. */
    err = tspar_treeseq_column(ts, "nodes/population", &dtype, &data, &num_nodes);
    if (err < 0) {
        report("nodes/population", err);
        goto out;
    }
    node_population = data;
    err = tspar_treeseq_column(ts, "nodes/individual", &dtype, &data, &length);
    if (err < 0) {
        report("nodes/individual", err);
        goto out;
    }
    node_individual = data;
    err = tspar_treeseq_column(ts, "nodes/flags", &dtype, &data, &length);
    if (err < 0) {
        report("nodes/flags", err);
        goto out;
    }
    node_flags = data;
    if (tspar_treeseq_num_rows(ts, TSPAR_TABLE_POPULATIONS) > 0) {
        err = tspar_treeseq_column(ts, "populations/metadata", &dtype, &data, &length);
        if (err < 0) {
            report("populations/metadata", err);
            goto out;
        }
        pop_md = data;
        err = tspar_treeseq_column(ts, "populations/metadata_offset", &dtype, &data, &length);
        if (err < 0) {
            report("populations/metadata_offset", err);
            goto out;
        }
        pop_md_offset = data;
        num_pops = length - 1;
    }

    if (use_samples) {
        const tspar_id_t *samples = tspar_treeseq_samples(ts);
        dim = (size_t) tspar_treeseq_num_samples(ts);
        subjects = malloc((dim ? dim : 1) * sizeof(*subjects));
        subject_pop = malloc((dim ? dim : 1) * sizeof(*subject_pop));
        if (subjects == NULL || subject_pop == NULL) {
            fprintf(stderr, "pca: out of memory\n");
            goto out;
        }
        for (j = 0; j < dim; j++) {
            subjects[j] = samples[j];
            subject_pop[j] = node_population[samples[j]];
        }
    } else {
        /* Individuals with at least one node, all of them samples. */
        size_t num_ind = (size_t) tspar_treeseq_num_rows(ts, TSPAR_TABLE_INDIVIDUALS);
        int *usable = malloc((num_ind ? num_ind : 1) * sizeof(*usable));
        subjects = malloc((num_ind ? num_ind : 1) * sizeof(*subjects));
        subject_pop = malloc((num_ind ? num_ind : 1) * sizeof(*subject_pop));
        if (usable == NULL || subjects == NULL || subject_pop == NULL) {
            free(usable);
            fprintf(stderr, "pca: out of memory\n");
            goto out;
        }
        for (j = 0; j < num_ind; j++) {
            usable[j] = 0;
            subject_pop[j] = -1;
        }
        for (j = 0; j < (size_t) num_nodes; j++) {
            int32_t i = node_individual[j];
            if (i < 0) {
                continue;
            }
            if (usable[i] == 0) {
                usable[i] = 1;
                subject_pop[i] = node_population[j];
            }
            if (!(node_flags[j] & TSPAR_NODE_IS_SAMPLE)) {
                usable[i] = -1;
            }
        }
        for (j = 0; j < num_ind; j++) {
            if (usable[j] == 1) {
                subject_pop[dim] = subject_pop[j];
                subjects[dim++] = (tspar_id_t) j;
            }
        }
        free(usable);
        if (dim == 0) {
            fprintf(stderr, "pca: %s has no individual whose nodes are all samples; try --samples\n", path);
            goto out;
        }
    }
    if ((size_t) num_components > dim) {
        fprintf(stderr, "pca: %lld components asked of %zu %s\n", num_components, dim,
            use_samples ? "samples" : "individuals");
        goto out;
    }

    if (sketch_path != NULL) {
        sketch = read_numbers(sketch_path, &sketch_count);
        if (sketch == NULL) {
            fprintf(stderr, "pca: %s: cannot read the numbers of a range sketch\n", sketch_path);
            goto out;
        }
        if (sketch_count == 0 || sketch_count % dim != 0 || sketch_count / dim < (size_t) num_components) {
            fprintf(stderr, "pca: %s: %zu numbers are not %zu rows of at least %lld columns\n", sketch_path,
                sketch_count, dim, num_components);
            goto out;
        }
        nv = sketch_count / dim;
    } else {
        if (oversamples < 0) {
            oversamples = (long long) dim - num_components < 10 ? (long long) dim - num_components : 10;
        }
        nv = (size_t) (num_components + oversamples);
    }

    factors = malloc(dim * (size_t) num_components * sizeof(*factors));
    eigenvalues = malloc((size_t) num_components * sizeof(*eigenvalues));
    sketch_out = malloc(dim * nv * sizeof(*sketch_out));
    if (factors == NULL || eigenvalues == NULL || sketch_out == NULL) {
        fprintf(stderr, "pca: out of memory\n");
        goto out;
    }
    err = tspar_treeseq_pca(ts, (tspar_size_t) num_components, 0, NULL, use_samples ? dim : 0,
        use_samples ? subjects : NULL, use_samples ? 0 : dim, use_samples ? NULL : subjects, options,
        (tspar_size_t) iterations, (tspar_size_t) (nv - (size_t) num_components), (uint64_t) seed, sketch,
        exec, factors, dim * (size_t) num_components, eigenvalues, (tspar_size_t) num_components, sketch_out,
        dim * nv, &error_bound, 1);
    if (err < 0) {
        report("pca", err);
        goto out;
    }

    printf("%s\tpopulation", use_samples ? "sample" : "individual");
    for (k = 0; k < (size_t) num_components; k++) {
        printf("\tPC%zu", k + 1);
    }
    printf("\n");
    for (j = 0; j < dim; j++) {
        printf("%d\t", subjects[j]);
        print_population(subject_pop[j], (size_t) num_pops, pop_md, pop_md_offset);
        for (k = 0; k < (size_t) num_components; k++) {
            printf("\t%.17g", factors[j * (size_t) num_components + k]);
        }
        printf("\n");
    }
    printf("# eigenvalues");
    for (k = 0; k < (size_t) num_components; k++) {
        printf("\t%.17g", eigenvalues[k]);
    }
    printf("\n# error_bound\t%.17g\n", error_bound);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "pca: cannot write the output\n");
        goto out;
    }
    ret = 0;

out:
    free(factors);
    free(eigenvalues);
    free(sketch_out);
    free(sketch);
    free(subjects);
    free(subject_pop);
    tspar_treeseq_free(ts);
    tspar_exec_free(exec);
    return ret;
}
