/* A tiny assertion kit for tspar's C tests: each failed check prints
 * file:line, the expression and tspar's last error detail, and exits 1. */
#ifndef TSPAR_CHECK_H
#define TSPAR_CHECK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tspar.h>

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Checks that an expression (a status, a row id or a count) has exactly
 * the value expected, and says what it got otherwise. */
#define CHECK_EQ(expr, expected)                                                      \
    do {                                                                              \
        long long got_ = (long long) (expr);                                          \
        long long want_ = (long long) (expected);                                     \
        if (got_ != want_) {                                                          \
            fprintf(stderr, "%s:%d: %s gave %lld, expected %lld (%s; detail: %s)\n",  \
                __FILE__, __LINE__, #expr, got_, want_, tspar_strerror((int) got_),   \
                tspar_last_error_message());                                          \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Checks that a call succeeded (returned >= 0). */
#define CHECK_OK(expr)                                                                \
    do {                                                                              \
        long long got_ = (long long) (expr);                                          \
        if (got_ < 0) {                                                               \
            fprintf(stderr, "%s:%d: %s failed: %s (%s)\n", __FILE__, __LINE__, #expr, \
                tspar_strerror((int) got_), tspar_last_error_message());              \
            exit(1);                                                                  \
        }                                                                             \
    } while (0)

/* Checks that a call failed with `code` and left a detail message that
 * contains `needle` (pass "" to only require a non-empty message). */
#define CHECK_ERR(expr, code, needle)                                                 \
    do {                                                                              \
        CHECK_EQ(expr, code);                                                         \
        check_message_(__FILE__, __LINE__, #expr, (needle));                          \
    } while (0)

static inline void check_message_(const char *file, int line, const char *expr, const char *needle)
{
    const char *msg = tspar_last_error_message();
    if (msg == NULL || msg[0] == '\0') {
        fprintf(stderr, "%s:%d: %s: empty last error message\n", file, line, expr);
        exit(1);
    }
    if (strstr(msg, needle) == NULL) {
        fprintf(stderr, "%s:%d: %s: message '%s' does not mention '%s'\n", file, line, expr,
            msg, needle);
        exit(1);
    }
}

#endif
