/*
 * vcf: writes a .trees file's genotypes as VCF, the same text tskit's
 * write_vcf writes (but the ##source line), decoding sites on several
 * threads.
 *
 * usage: vcf [-o OUT] [-p ploidy] [-c contig] [-z] [-l] [-0] [-m] [-n]
 *            [-t threads] FILE.trees
 *
 *   -o OUT      write to OUT (atomically: a failed write leaves an existing
 *               OUT as it was); default: standard output
 *   -p PLOIDY   nodes per VCF sample when the file has no individuals
 *   -c CONTIG   the contig id (default "1")
 *   -z          BGZF-compress (the block gzip bcftools and tabix read)
 *   -l          tskit's "legacy" position transform
 *   -0          allow a VCF position of 0
 *   -m          isolated samples get the ancestral state, not missing data
 *   -n          include the individuals' non-sample nodes
 *   -t THREADS  worker threads (default: TSPAR_NUM_THREADS, else all cores)
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <tspar.h>

static int to_stdout(const char *data, tspar_size_t length, void *user_data)
{
    FILE *f = (FILE *) user_data;
    return fwrite(data, 1, (size_t) length, f) == (size_t) length ? 0 : 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: vcf [-o OUT] [-p ploidy] [-c contig] [-z] [-l] [-0] [-m] [-n] "
                    "[-t threads] FILE.trees\n");
}

int main(int argc, char **argv)
{
    const char *out = NULL;
    long threads = 0, ploidy = 0;
    tspar_vcf_options_t opts;
    tspar_treeseq_t *ts = NULL;
    tspar_exec_t *exec = NULL;
    int c, ret;
    char *end;

    memset(&opts, 0, sizeof(opts));
    while ((c = getopt(argc, argv, "o:p:c:zl0mnt:")) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'p':
            ploidy = strtol(optarg, &end, 10);
            if (*end != '\0' || ploidy < 1) {
                usage();
                return 2;
            }
            opts.ploidy = (tspar_size_t) ploidy;
            break;
        case 'c': opts.contig_id = optarg; break;
        case 'z': opts.options |= TSPAR_VCF_BGZF; break;
        case 'l': opts.options |= TSPAR_VCF_LEGACY_POSITIONS; break;
        case '0': opts.options |= TSPAR_VCF_ALLOW_POSITION_ZERO; break;
        case 'm': opts.options |= TSPAR_ISOLATED_NOT_MISSING; break;
        case 'n': opts.options |= TSPAR_VCF_INCLUDE_NON_SAMPLE_NODES; break;
        case 't':
            threads = strtol(optarg, &end, 10);
            if (*end != '\0' || threads < 1) {
                usage();
                return 2;
            }
            break;
        default: usage(); return 2;
        }
    }
    if (optind != argc - 1) {
        usage();
        return 2;
    }
    ret = tspar_exec_new((tspar_size_t) threads, NULL, NULL, &exec);
    if (ret < 0) {
        fprintf(stderr, "vcf: %s\n", tspar_last_error_message());
        return 1;
    }
    ret = tspar_treeseq_load(argv[optind], 0, exec, &ts);
    if (ret < 0) {
        fprintf(stderr, "vcf: %s: %s\n", argv[optind], tspar_last_error_message());
        tspar_exec_free(exec);
        return 1;
    }
    if (out != NULL) {
        ret = tspar_treeseq_write_vcf(ts, out, &opts, exec);
    } else {
        ret = tspar_treeseq_write_vcf_stream(ts, to_stdout, stdout, &opts, exec);
        if (ret >= 0 && fflush(stdout) != 0) {
            ret = TSPAR_ERR_IO;
        }
    }
    if (ret < 0) {
        fprintf(stderr, "vcf: %s (%s)\n", tspar_strerror(ret), tspar_last_error_message());
    }
    tspar_treeseq_free(ts);
    tspar_exec_free(exec);
    return ret < 0 ? 1 : 0;
}
