/* Damaged files: the bundled .trees file cut at many lengths, with random
 * bytes flipped (fixed seed) and with its kastore header and item
 * descriptors given wrong lengths, offsets and types. Every load must
 * return success or a negative code with a non-empty message, never crash
 * or hang. Run under valgrind too (with a smaller budget) to catch reads
 * outside buffers and leaks.
 *
 * usage: test_damage EXAMPLE.trees [BUDGET]
 *   BUDGET (default 20000) is the number of random byte-flip cases; the
 *   truncation stride is chosen to give about BUDGET / 2 truncations. */
#define _XOPEN_SOURCE 700
#include <stdint.h>

#include "check.h"
#include "tmpdir.h"

#define HEADER_SIZE 64
#define DESCRIPTOR_SIZE 64

static char target[4096];
static long cases, successes;
static int code_counts[1000];

/* A small, fixed-seed PRNG (xorshift64*), so every run damages alike. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint64_t next_random(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static int try_load(const unsigned char *bytes, size_t size, const char *what, long detail)
{
    tspar_tables_t *t = NULL;
    int ret;
    /* A new file each time: rewriting one in place makes ext4 flush it to
     * disk at every close, which is slow. */
    unlink(target);
    write_file(target, bytes, size);
    ret = tspar_tables_load(target, 0, NULL, &t);
    cases++;
    if (ret == 0) {
        CHECK(t != NULL);
        /* Whatever loaded must be usable. */
        tspar_tables_t *copy = NULL;
        CHECK(tspar_tables_num_rows(t, TSPAR_TABLE_NODES) >= 0);
        CHECK_OK(tspar_tables_copy(t, &copy));
        CHECK_EQ(tspar_tables_equals(t, copy, 0), 1);
        tspar_tables_free(copy);
        tspar_tables_free(t);
        successes++;
        return 0;
    }
    if (ret > 0 || t != NULL || tspar_last_error_message()[0] == '\0'
        || strcmp(tspar_strerror(ret), "unknown error") == 0) {
        fprintf(stderr, "%s %ld: load gave %d (%s), message '%s', out %p\n", what, detail, ret,
            tspar_strerror(ret), tspar_last_error_message(), (void *) t);
        exit(1);
    }
    if (-ret < 1000) {
        code_counts[-ret]++;
    }
    return ret;
}

static uint64_t get_u64(const unsigned char *b)
{
    uint64_t v = 0;
    int j;
    for (j = 7; j >= 0; j--) {
        v = (v << 8) | b[j];
    }
    return v;
}

static void put_u64(unsigned char *b, uint64_t v)
{
    int j;
    for (j = 0; j < 8; j++) {
        b[j] = (unsigned char) (v >> (8 * j));
    }
}

static void truncations(const unsigned char *bytes, size_t size, long budget)
{
    size_t stride = size / (size_t) (budget / 2 > 1 ? budget / 2 : 1);
    size_t n;
    if (stride == 0) {
        stride = 1;
    }
    for (n = 0; n < size; n += stride) {
        /* A file cut short is always refused. */
        CHECK(try_load(bytes, n, "truncated to", (long) n) < 0);
    }
    for (n = 0; n < 200 && n < size; n++) {
        CHECK(try_load(bytes, n, "truncated to", (long) n) < 0);
        CHECK(try_load(bytes, size - 1 - n, "truncated to", (long) (size - 1 - n)) < 0);
    }
}

static void byte_flips(const unsigned char *bytes, size_t size, long budget)
{
    unsigned char *copy = malloc(size);
    uint32_t num_items;
    size_t meta_end;
    long j;
    CHECK(copy != NULL);
    memcpy(&num_items, bytes + 12, 4);
    meta_end = HEADER_SIZE + (size_t) num_items * DESCRIPTOR_SIZE;
    CHECK(meta_end < size);
    for (j = 0; j < budget; j++) {
        int flips = 1 + (int) (next_random() % 4), f;
        memcpy(copy, bytes, size);
        for (f = 0; f < flips; f++) {
            /* Half the flips land in the header and descriptors, where a
             * single byte changes the meaning of the whole file. */
            size_t at = next_random() % 2 ? next_random() % meta_end : next_random() % size;
            copy[at] ^= (unsigned char) (1 + next_random() % 255);
        }
        try_load(copy, size, "random flips, case", j);
    }
    free(copy);
}

static void header_fields(const unsigned char *bytes, size_t size, long budget)
{
    unsigned char *copy = malloc(size);
    uint32_t num_items, j;
    uint32_t step;
    size_t v;
    CHECK(copy != NULL);
    memcpy(&num_items, bytes + 12, 4);

    /* The header: version, item count, file size. */
    {
        static const uint32_t counts[] = { 0, 1, 2, 0x7fffffffu, 0xffffffffu };
        for (v = 0; v < sizeof counts / sizeof counts[0]; v++) {
            memcpy(copy, bytes, size);
            memcpy(copy + 12, &counts[v], 4);
            try_load(copy, size, "num_items", (long) counts[v]);
        }
        memcpy(copy, bytes, size);
        {
            uint32_t n = num_items + 1;
            memcpy(copy + 12, &n, 4);
            try_load(copy, size, "num_items", (long) n);
            n = num_items - 1;
            memcpy(copy, bytes, size);
            memcpy(copy + 12, &n, 4);
            try_load(copy, size, "num_items", (long) n);
        }
        for (v = 0; v < 6; v++) {
            uint64_t sizes[6];
            sizes[0] = 0;
            sizes[1] = size - 1;
            sizes[2] = size + 1;
            sizes[3] = (uint64_t) size * 2;
            sizes[4] = UINT64_MAX;
            sizes[5] = HEADER_SIZE;
            memcpy(copy, bytes, size);
            put_u64(copy + 16, sizes[v]);
            try_load(copy, size, "file_size", (long) v);
        }
        for (v = 0; v < 4; v++) {
            static const uint16_t versions[4][2] = { { 0, 0 }, { 2, 0 }, { 1, 99 }, { 0xffff, 0 } };
            memcpy(copy, bytes, size);
            memcpy(copy + 8, versions[v], 4);
            try_load(copy, size, "kastore version", (long) v);
        }
    }

    /* Every descriptor's type, key and array fields, set to wrong values.
     * Under a small budget, every few descriptors only. */
    step = budget >= 1000 ? 1 : 4;
    for (j = 0; j < num_items; j += step) {
        unsigned char *d = copy + HEADER_SIZE + (size_t) j * DESCRIPTOR_SIZE;
        const unsigned char *orig = bytes + HEADER_SIZE + (size_t) j * DESCRIPTOR_SIZE;
        int field;
        for (field = 0; field < 4; field++) {
            uint64_t old = get_u64(orig + 8 + 8 * field);
            uint64_t values[8];
            values[0] = 0;
            values[1] = old + 1;
            values[2] = old - 1;
            values[3] = old * 2 + 8;
            values[4] = (uint64_t) size;
            values[5] = UINT64_MAX;
            values[6] = UINT64_MAX - 7;
            values[7] = (uint64_t) 1 << 62;
            for (v = 0; v < 8; v++) {
                memcpy(copy, bytes, size);
                put_u64(d + 8 + 8 * field, values[v]);
                try_load(copy, size, "descriptor field", (long) (j * 100 + (uint32_t) field));
            }
        }
        {
            static const unsigned char types[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 200 };
            for (v = 0; v < sizeof types; v++) {
                memcpy(copy, bytes, size);
                if (types[v] == orig[0]) {
                    continue;
                }
                d[0] = types[v];
                try_load(copy, size, "descriptor type", (long) (j * 100 + types[v]));
            }
        }
    }
    free(copy);
}

int main(int argc, char **argv)
{
    unsigned char *bytes;
    size_t size;
    long budget = 20000;
    char *dir;
    int c;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s EXAMPLE.trees [BUDGET]\n", argv[0]);
        return 2;
    }
    if (argc == 3) {
        budget = strtol(argv[2], NULL, 10);
        CHECK(budget > 0);
    }
    bytes = read_file(argv[1], &size);
    CHECK(size > HEADER_SIZE);
    dir = make_scratch_dir("tspar-test-damage");
    FORMAT(target, "%s/damaged.trees", dir);

    /* The undamaged file loads. */
    try_load(bytes, size, "undamaged", 0);
    CHECK(successes == 1);

    truncations(bytes, size, budget);
    header_fields(bytes, size, budget);
    byte_flips(bytes, size, budget);

    printf("test_damage: %ld damaged loads, %ld loaded anyway, the rest refused:\n", cases - 1,
        successes - 1);
    for (c = 0; c < 1000; c++) {
        if (code_counts[c] > 0) {
            printf("  %6d x %s\n", code_counts[c], tspar_strerror(-c));
        }
    }
    remove_tree(dir);
    free(dir);
    free(bytes);
    return 0;
}
