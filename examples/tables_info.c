/* tables_info: prints an overview of a .trees file's tables.
 *
 * usage: tables_info [FILE.trees]
 *
 * Shows the sequence length, time units, the collection's metadata and
 * metadata schema, and for each of the eight tables its number of rows,
 * the bytes of metadata its rows carry and its metadata schema. Without an
 * argument it shows the example file bundled with tspar. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tspar.h>

#ifndef TSPAR_DEFAULT_TREES
#define TSPAR_DEFAULT_TREES "tests/data/example.trees"
#endif

/* How many characters of a schema or metadata value to show. */
#define SHOW 48

static const char *const table_names[8] = { "individuals", "nodes", "edges", "migrations",
    "sites", "mutations", "populations", "provenances" };

/* Reads a collection field into a new NUL-terminated string (or NULL,
 * with the error reported). */
static char *get_field(const tspar_tables_t *tables, const char *name, tspar_size_t *length)
{
    char *buf;
    int ret = tspar_tables_get_field(tables, name, NULL, 0, length);
    if (ret < 0) {
        fprintf(stderr, "%s: %s\n", name, tspar_last_error_message());
        return NULL;
    }
    buf = malloc((size_t) *length + 1);
    if (buf == NULL) {
        fprintf(stderr, "out of memory\n");
        return NULL;
    }
    ret = tspar_tables_get_field(tables, name, buf, *length, length);
    if (ret < 0) {
        fprintf(stderr, "%s: %s\n", name, tspar_last_error_message());
        free(buf);
        return NULL;
    }
    buf[*length] = '\0';
    return buf;
}

/* Writes at most SHOW characters of `text` (`length` bytes) on one line:
 * control characters become spaces and a cut is marked with "...". */
static void show(const char *text, tspar_size_t length)
{
    tspar_size_t j, n = length < SHOW ? length : SHOW - 3;
    if (length == 0) {
        fputs("-", stdout);
        return;
    }
    for (j = 0; j < n; j++) {
        unsigned char c = (unsigned char) text[j];
        putchar(c < 0x20 || c == 0x7f ? ' ' : c);
    }
    if (n < length) {
        fputs("...", stdout);
    }
}

static void show_field(const tspar_tables_t *tables, const char *label, const char *name)
{
    tspar_size_t length;
    char *value = get_field(tables, name, &length);
    printf("%-20s", label);
    if (value != NULL) {
        show(value, length);
        printf("  (%llu bytes)", (unsigned long long) length);
    }
    putchar('\n');
    free(value);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : TSPAR_DEFAULT_TREES;
    tspar_tables_t *tables = NULL;
    char name[64];
    int j, ret;

    if (argc > 2 || (argc == 2 && strcmp(argv[1], "--help") == 0)) {
        fprintf(stderr, "usage: %s [FILE.trees]\n", argv[0]);
        return 2;
    }
    ret = tspar_tables_load(path, 0, NULL, &tables);
    if (ret < 0) {
        fprintf(stderr, "tables_info: %s: %s\n", tspar_strerror(ret),
            tspar_last_error_message());
        return 1;
    }

    printf("%-20s%s\n", "file", path);
    printf("%-20s%s\n", "tspar", tspar_version());
    printf("%-20s%.17g\n", "sequence length", tspar_tables_get_sequence_length(tables));
    show_field(tables, "time units", "time_units");
    show_field(tables, "metadata", "metadata");
    show_field(tables, "metadata schema", "metadata_schema");
    show_field(tables, "reference sequence", "reference_sequence/data");
    printf("%-20s%s\n", "edge indexes", tspar_tables_has_index(tables) == 1 ? "yes" : "no");
    putchar('\n');

    printf("%-12s %10s %14s  %s\n", "table", "rows", "metadata bytes", "metadata schema");
    printf("%.*s\n", 12 + 1 + 10 + 1 + 14 + 2 + SHOW, "----------------------------------------"
                                                        "----------------------------------------"
                                                        "----------------------------------------");
    for (j = 0; j < 8; j++) {
        int64_t rows = tspar_tables_num_rows(tables, j);
        printf("%-12s %10lld ", table_names[j], (long long) rows);
        if (j == TSPAR_TABLE_PROVENANCES) {
            /* Provenances carry a timestamp and a record, no metadata. */
            printf("%14s  %s\n", "-", "-");
            continue;
        }
        {
            tspar_size_t md_bytes = 0, schema_length;
            char *schema;
            snprintf(name, sizeof name, "%s/metadata", table_names[j]);
            if (tspar_tables_column_info(tables, name, NULL, &md_bytes) < 0) {
                fprintf(stderr, "%s: %s\n", name, tspar_last_error_message());
                tspar_tables_free(tables);
                return 1;
            }
            printf("%14llu  ", (unsigned long long) md_bytes);
            snprintf(name, sizeof name, "%s/metadata_schema", table_names[j]);
            schema = get_field(tables, name, &schema_length);
            if (schema != NULL) {
                show(schema, schema_length);
            }
            putchar('\n');
            free(schema);
        }
    }
    tspar_tables_free(tables);
    return 0;
}
