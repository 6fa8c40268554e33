/* Scratch directories for the C tests: made under $TMPDIR (or /tmp) and
 * removed with everything in them at the end. */
#ifndef TSPAR_TMPDIR_H
#define TSPAR_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* snprintf into an array, exiting if the text does not fit. */
#define FORMAT(buf, ...) format_checked_((buf), sizeof(buf), snprintf((buf), sizeof(buf), __VA_ARGS__))

static inline void format_checked_(const char *buf, size_t size, int n)
{
    if (n < 0 || (size_t) n >= size) {
        fprintf(stderr, "path too long: %s...\n", buf);
        exit(1);
    }
}

static inline char *make_scratch_dir(const char *prefix)
{
    const char *base = getenv("TMPDIR");
    char *dir;
    size_t n;
    if (base == NULL || base[0] == '\0') {
        base = "/tmp";
    }
    n = strlen(base) + strlen(prefix) + 16;
    dir = malloc(n);
    if (dir == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    snprintf(dir, n, "%s/%s.XXXXXX", base, prefix);
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        exit(1);
    }
    return dir;
}

/* Removes a directory tree (only files and directories, as the tests make). */
static inline void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        DIR *d;
        struct dirent *e;
        chmod(path, 0700);
        d = opendir(path);
        if (d != NULL) {
            while ((e = readdir(d)) != NULL) {
                char child[4096];
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
                    continue;
                }
                FORMAT(child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Number of entries in a directory other than "." and "..". */
static inline int count_entries(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;
    if (d == NULL) {
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}

/* Reads a whole file into memory; exits on failure. */
static inline unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
        || fseek(f, 0, SEEK_SET) != 0) {
        perror(path);
        exit(1);
    }
    buf = malloc((size_t) n + 1);
    if (buf == NULL || fread(buf, 1, (size_t) n, f) != (size_t) n) {
        perror(path);
        exit(1);
    }
    fclose(f);
    *size = (size_t) n;
    return buf;
}

static inline void write_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

#endif
