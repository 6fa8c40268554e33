/*
 * fork_workers: one statistic computed by N worker processes that each
 * load the file by name with a mapped load (TSPAR_LOAD_MMAP), so that the
 * N processes share one copy of the file's pages instead of holding N.
 *
 *   fork_workers [FILE] [--procs N] [--windows W] [--mode site|branch] [--part-work U]
 *
 * The statistic is the diversity of each population's samples in W equal
 * windows. It is split into parts (tspar_stat_call_*): worker i computes
 * the i-th share of the parts and sends their bytes to the parent through
 * a pipe; the parent loads the file the same way, combines the parts and
 * prints the result, which is bit for bit the one-process result (checked
 * here against tspar_stat_call_run). Each worker reports its proportional
 * set size (Linux: /proc/self/smaps_rollup) on stderr. --part-work sets
 * the size of a part (see tspar_stat_call_new; 0, the default, is the
 * statistic's own cut, which may give fewer parts than workers on a small
 * file: the workers without parts then send an empty range).
 *
 * With fork, a worker could also use a tree sequence its parent loaded
 * before forking (tspar is fork-safe: see the header's preamble); loading
 * by name is what a process pool or a cluster scheduler does, and is what
 * the mapped load makes cheap.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tspar.h>

#ifndef TSPAR_DEFAULT_TREES
#define TSPAR_DEFAULT_TREES "tests/data/example.trees"
#endif

#define MAX_PROCS 64

static void die(const char *what, int err)
{
    fprintf(stderr, "fork_workers: %s: %s (%s)\n", what, tspar_strerror(err), tspar_last_error_message());
    exit(EXIT_FAILURE);
}

static void check(int err, const char *what)
{
    if (err < 0) {
        die(what, err);
    }
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n > 0 ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "fork_workers: out of memory\n");
        exit(EXIT_FAILURE);
    }
    return p;
}

typedef struct {
    tspar_treeseq_t *ts;
    tspar_stat_call_t *call;
    size_t num_sets;
    int32_t pops[256];
    double *windows;
} job_t;

/* Loads FILE mapped and makes the call: every process makes the same one,
 * so every process has the same parts. */
static tspar_size_t part_work = 0;

static void make_job(job_t *job, const char *file, size_t num_windows, tspar_flags_t mode)
{
    int64_t n, num_nodes;
    const tspar_id_t *samples;
    const int32_t *population;
    const void *data;
    int dtype;
    tspar_size_t len, *sizes;
    tspar_id_t *sets;
    size_t j, k, at = 0;
    double L;

    check(tspar_treeseq_load(file, TSPAR_LOAD_MMAP, NULL, &job->ts), file);
    n = tspar_treeseq_num_samples(job->ts);
    num_nodes = tspar_treeseq_num_nodes(job->ts);
    samples = tspar_treeseq_samples(job->ts);
    check(tspar_treeseq_column(job->ts, "nodes/population", &dtype, &data, &len), "nodes/population");
    population = data;
    (void) num_nodes;
    /* One sample set per population that has samples (up to 256). */
    job->num_sets = 0;
    for (j = 0; j < (size_t) n; j++) {
        int32_t p = population[samples[j]];
        for (k = 0; k < job->num_sets && job->pops[k] != p; k++) {
        }
        if (k == job->num_sets && job->num_sets < 256) {
            job->pops[job->num_sets++] = p;
        }
    }
    sizes = xmalloc(sizeof(*sizes) * job->num_sets);
    sets = xmalloc(sizeof(*sets) * (size_t) n);
    for (k = 0; k < job->num_sets; k++) {
        sizes[k] = 0;
        for (j = 0; j < (size_t) n; j++) {
            if (population[samples[j]] == job->pops[k]) {
                sets[at++] = samples[j];
                sizes[k]++;
            }
        }
    }
    L = tspar_treeseq_sequence_length(job->ts);
    job->windows = xmalloc(sizeof(double) * (num_windows + 1));
    for (j = 0; j <= num_windows; j++) {
        job->windows[j] = j == num_windows ? L : L * (double) j / (double) num_windows;
    }
    check(tspar_stat_call_new(job->ts, TSPAR_STATISTIC_DIVERSITY, job->num_sets, sizes, sets, 0, NULL, 0, NULL,
              num_windows, job->windows, mode, part_work, &job->call),
        "tspar_stat_call_new");
    free(sizes);
    free(sets);
}

static void free_job(job_t *job)
{
    tspar_stat_call_free(job->call);
    tspar_treeseq_free(job->ts);
    free(job->windows);
}

/* Proportional set size of this process in KiB, or -1 where unknown. */
static long pss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "Pss: %ld kB", &kib) == 1) {
            break;
        }
    }
    fclose(f);
    return kib;
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t) w;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t) r;
    }
    return 0;
}

/* Worker `i` of `procs`: its share of the parts, as length + bytes on `fd`. */
static int worker(const char *file, size_t num_windows, tspar_flags_t mode, size_t i, size_t procs, int fd)
{
    job_t job;
    tspar_size_t parts, start, end, nbytes;
    tspar_exec_t *exec = NULL;
    uint8_t *bytes;
    make_job(&job, file, num_windows, mode);
    check(tspar_stat_call_num_parts(job.call, &parts), "num_parts");
    start = parts * i / procs;
    end = parts * (i + 1) / procs;
    check(tspar_stat_call_part_bytes(job.call, start, end, &nbytes), "part_bytes");
    bytes = xmalloc((size_t) nbytes);
    check(tspar_exec_new(1, NULL, NULL, &exec), "exec");
    check(tspar_stat_call_compute(job.call, start, end, exec, bytes, nbytes), "compute");
    fprintf(stderr, "worker %zu (pid %ld): parts %llu..%llu of %llu, PSS %ld KiB\n", i, (long) getpid(),
        (unsigned long long) start, (unsigned long long) end, (unsigned long long) parts, pss_kib());
    if (write_all(fd, &nbytes, sizeof(nbytes)) != 0 || write_all(fd, bytes, (size_t) nbytes) != 0) {
        return EXIT_FAILURE;
    }
    tspar_exec_free(exec);
    free(bytes);
    free_job(&job);
    return EXIT_SUCCESS;
}

int main(int argc, char **argv)
{
    const char *file = TSPAR_DEFAULT_TREES;
    size_t procs = 2, num_windows = 4, i, w, k;
    tspar_flags_t mode = TSPAR_STAT_SITE;
    int fds[MAX_PROCS];
    pid_t pids[MAX_PROCS];
    uint8_t *buffers[MAX_PROCS];
    tspar_size_t lengths[MAX_PROCS], result_len;
    double *result, *one;
    job_t job;
    int j, status = EXIT_SUCCESS;

    for (j = 1; j < argc; j++) {
        if (strcmp(argv[j], "--procs") == 0 && j + 1 < argc) {
            procs = (size_t) strtoul(argv[++j], NULL, 10);
        } else if (strcmp(argv[j], "--windows") == 0 && j + 1 < argc) {
            num_windows = (size_t) strtoul(argv[++j], NULL, 10);
        } else if (strcmp(argv[j], "--mode") == 0 && j + 1 < argc) {
            j++;
            mode = strcmp(argv[j], "branch") == 0 ? TSPAR_STAT_BRANCH : TSPAR_STAT_SITE;
        } else if (strcmp(argv[j], "--part-work") == 0 && j + 1 < argc) {
            part_work = (tspar_size_t) strtoull(argv[++j], NULL, 10);
        } else if (argv[j][0] != '-') {
            file = argv[j];
        } else {
            fprintf(stderr, "usage: fork_workers [FILE] [--procs N] [--windows W] [--mode site|branch] "
                            "[--part-work U]\n");
            return EXIT_FAILURE;
        }
    }
    if (procs < 1 || procs > MAX_PROCS || num_windows < 1) {
        fprintf(stderr, "fork_workers: --procs must be 1..%d and --windows at least 1\n", MAX_PROCS);
        return EXIT_FAILURE;
    }
    /* The workers first: nothing of tspar runs in this process before the
     * forks (the children would not need that, but it keeps them plain). */
    for (i = 0; i < procs; i++) {
        int p[2];
        if (pipe(p) != 0) {
            perror("pipe");
            return EXIT_FAILURE;
        }
        pids[i] = fork();
        if (pids[i] < 0) {
            perror("fork");
            return EXIT_FAILURE;
        }
        if (pids[i] == 0) {
            close(p[0]);
            _exit(worker(file, num_windows, mode, i, procs, p[1]));
        }
        close(p[1]);
        fds[i] = p[0];
    }
    /* The parent loads the same file mapped (sharing the pages again) to
     * make the same call and combine the workers' parts. */
    make_job(&job, file, num_windows, mode);
    for (i = 0; i < procs; i++) {
        if (read_all(fds[i], &lengths[i], sizeof(lengths[i])) != 0) {
            fprintf(stderr, "fork_workers: worker %zu sent nothing\n", i);
            return EXIT_FAILURE;
        }
        buffers[i] = xmalloc((size_t) lengths[i]);
        if (read_all(fds[i], buffers[i], (size_t) lengths[i]) != 0) {
            fprintf(stderr, "fork_workers: worker %zu sent too little\n", i);
            return EXIT_FAILURE;
        }
        close(fds[i]);
    }
    for (i = 0; i < procs; i++) {
        int st;
        if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "fork_workers: worker %zu failed\n", i);
            status = EXIT_FAILURE;
        }
    }
    check(tspar_stat_call_result_length(job.call, &result_len), "result_length");
    result = xmalloc(sizeof(double) * (size_t) result_len);
    one = xmalloc(sizeof(double) * (size_t) result_len);
    check(tspar_stat_call_combine(job.call, procs, (const uint8_t *const *) buffers, lengths, NULL, result,
              result_len),
        "combine");
    check(tspar_stat_call_run(job.call, NULL, one, result_len), "run");
    if (memcmp(result, one, sizeof(double) * (size_t) result_len) != 0) {
        fprintf(stderr, "fork_workers: the combined parts differ from the one-process result\n");
        status = EXIT_FAILURE;
    }
    printf("diversity (%s), %zu windows, %zu processes\nwindow", mode == TSPAR_STAT_SITE ? "site" : "branch",
        num_windows, procs);
    for (k = 0; k < job.num_sets; k++) {
        printf(" %12s%d", "pop", job.pops[k]);
    }
    printf("\n");
    for (w = 0; w < num_windows; w++) {
        printf("%6zu", w);
        for (k = 0; k < job.num_sets; k++) {
            printf(" %15.9g", result[w * job.num_sets + k]);
        }
        printf("\n");
    }
    fprintf(stderr, "parent (pid %ld): PSS %ld KiB; combined parts %s the one-process result\n", (long) getpid(),
        pss_kib(), status == EXIT_SUCCESS ? "equal" : "DIFFER FROM");
    for (i = 0; i < procs; i++) {
        free(buffers[i]);
    }
    free(result);
    free(one);
    free_job(&job);
    return status;
}
