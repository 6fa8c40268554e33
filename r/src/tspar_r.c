/*
 * The R package's glue: converts R values to the arguments of tspar's C
 * API (include/tspar.h), calls it, and converts the results back. No
 * logic of its own beyond conversion.
 *
 * How R's non-local exits are kept out of the library:
 *   - Rf_error (and every R allocation, which may longjmp) happens only
 *     while no tspar call is running and no tspar handle made for the call
 *     (an exec) is alive: results and scratch buffers (R_alloc, freed by R
 *     on a longjmp) are allocated first, then the exec is made, the library
 *     called and the exec freed, and only then is an error raised.
 *   - The progress callback runs on R's thread (the library calls it on the
 *     calling thread) and checks for Ctrl-C with R_CheckUserInterrupt inside
 *     R_ToplevelExec, which stops R's jump at its own frame: the callback
 *     always returns, with 1 (cancel) when an interrupt was pending. The
 *     call then returns TSPAR_ERR_CANCELLED and the R code signals an
 *     "interrupt" condition (tspar:::.tspar_interrupt).
 *   - general_stat's R summary function runs inside R_ToplevelExec on R's
 *     thread (one thread only), so an R error in it becomes a non-zero
 *     return (TSPAR_ERR_SUMMARY_FUNC), never a longjmp through the library.
 */
#include <stdint.h>
#include <string.h>

#include <R.h>
#include <Rinternals.h>
#include <R_ext/Rdynload.h>

#include "tspar.h"

static SEXP tag_tables, tag_ts, tag_tree, pkg_ns = NULL;

/* ------------------------------------------------------------ errors */

/* Raises tspar's error as an R condition of class "tspar_error" (with the
 * code and tspar's message). Call only when no library resource of the
 * current call is alive. */
static SEXP namespace(void)
{
    if (pkg_ns == NULL) {
        SEXP name = PROTECT(Rf_mkString("tspar"));
        pkg_ns = R_FindNamespace(name);
        R_PreserveObject(pkg_ns);
        UNPROTECT(1);
    }
    return pkg_ns;
}

static void NORET tspar_fail(int rc)
{
    char detail[2048];
    const char *d = tspar_last_error_message();
    snprintf(detail, sizeof detail, "%s", d != NULL ? d : "");
    SEXP call = PROTECT(Rf_lang4(Rf_install(".tspar_error"), Rf_ScalarInteger(rc), Rf_mkString(detail),
        Rf_mkString(tspar_strerror(rc))));
    Rf_eval(call, namespace());
    UNPROTECT(1);
    Rf_error("%s", detail); /* not reached: .tspar_error always stops */
}

static void NORET interrupted(void)
{
    SEXP call = PROTECT(Rf_lang1(Rf_install(".tspar_interrupt")));
    Rf_eval(call, namespace());
    UNPROTECT(1);
    Rf_error("interrupted"); /* not reached */
}

/* ------------------------------------------------------------ handles */

static void *handle(SEXP x, SEXP tag, const char *what)
{
    if (TYPEOF(x) != EXTPTRSXP || R_ExternalPtrTag(x) != tag) {
        Rf_error("not a %s handle", what);
    }
    void *p = R_ExternalPtrAddr(x);
    if (p == NULL) {
        Rf_error("this %s has been freed", what);
    }
    return p;
}

static void fin_tables(SEXP x)
{
    tspar_tables_free(R_ExternalPtrAddr(x));
    R_ClearExternalPtr(x);
}

static void fin_ts(SEXP x)
{
    tspar_treeseq_free(R_ExternalPtrAddr(x));
    R_ClearExternalPtr(x);
}

static void fin_tree(SEXP x)
{
    tspar_tree_free(R_ExternalPtrAddr(x));
    R_ClearExternalPtr(x);
}

/* Wraps a new handle; the finaliser frees it. No R allocation may fail
 * between the library's constructor and this call without leaking the
 * handle, so callers allocate nothing in between. */
static SEXP wrap(void *p, SEXP tag, R_CFinalizer_t fin, SEXP prot)
{
    SEXP x = PROTECT(R_MakeExternalPtr(p, tag, prot));
    R_RegisterCFinalizerEx(x, fin, TRUE);
    UNPROTECT(1);
    return x;
}

static tspar_tables_t *tables_of(SEXP x) { return handle(x, tag_tables, "TableCollection"); }
static tspar_treeseq_t *ts_of(SEXP x) { return handle(x, tag_ts, "TreeSequence"); }
static tspar_tree_t *tree_of(SEXP x) { return handle(x, tag_tree, "Tree"); }

/* ------------------------------------------------------------ conversions */

static double num1(SEXP x, const char *what)
{
    if (!Rf_isNumeric(x) || XLENGTH(x) != 1) {
        Rf_error("%s must be a single number", what);
    }
    double v = Rf_asReal(x);
    if (ISNA(v)) {
        Rf_error("%s must not be NA", what);
    }
    return v;
}

static int int1(SEXP x, const char *what)
{
    double v = num1(x, what);
    if (v != (double) (int) v) {
        Rf_error("%s must be a whole number that fits an int (got %g)", what, v);
    }
    return (int) v;
}

static uint64_t size1(SEXP x, const char *what)
{
    double v = num1(x, what);
    if (v < 0 || v != (double) (uint64_t) v) {
        Rf_error("%s must be a whole number >= 0 (got %g)", what, v);
    }
    return (uint64_t) v;
}

static const char *str1(SEXP x, const char *what)
{
    if (!Rf_isString(x) || XLENGTH(x) != 1 || STRING_ELT(x, 0) == NA_STRING) {
        Rf_error("%s must be a single string", what);
    }
    return Rf_translateCharUTF8(STRING_ELT(x, 0));
}

/* Integer vector (ids): R integers, or doubles that are whole numbers. */
static int32_t *ids(SEXP x, R_xlen_t *n, const char *what)
{
    if (Rf_isNull(x)) {
        *n = 0;
        return NULL;
    }
    if (!Rf_isNumeric(x) && !Rf_isLogical(x)) {
        Rf_error("%s must be a numeric vector of ids", what);
    }
    R_xlen_t len = XLENGTH(x);
    int32_t *out = (int32_t *) R_alloc(len > 0 ? len : 1, sizeof(int32_t));
    for (R_xlen_t i = 0; i < len; i++) {
        double v = TYPEOF(x) == REALSXP ? REAL(x)[i]
            : (INTEGER(x)[i] == NA_INTEGER ? NA_REAL : (double) INTEGER(x)[i]);
        if (ISNAN(v)) {
            Rf_error("%s must not contain NA", what);
        }
        if (v != (double) (int32_t) v) {
            Rf_error("%s: %g is not a valid id", what, v);
        }
        out[i] = (int32_t) v;
    }
    *n = len;
    return out;
}

static double *doubles(SEXP x, R_xlen_t *n, const char *what, int allow_nan)
{
    if (Rf_isNull(x)) {
        *n = 0;
        return NULL;
    }
    if (!Rf_isNumeric(x) && !Rf_isLogical(x)) {
        Rf_error("%s must be a numeric vector", what);
    }
    R_xlen_t len = XLENGTH(x);
    double *out = (double *) R_alloc(len > 0 ? len : 1, sizeof(double));
    for (R_xlen_t i = 0; i < len; i++) {
        double v = TYPEOF(x) == REALSXP ? REAL(x)[i]
            : (INTEGER(x)[i] == NA_INTEGER ? NA_REAL : (double) INTEGER(x)[i]);
        if (ISNA(v) && !allow_nan) {
            Rf_error("%s must not contain NA", what);
        }
        out[i] = v;
    }
    *n = len;
    return out;
}

static uint64_t *sizes(SEXP x, R_xlen_t *n, const char *what)
{
    R_xlen_t len;
    double *d = doubles(x, &len, what, 0);
    if (d == NULL) {
        *n = 0;
        return NULL;
    }
    uint64_t *out = (uint64_t *) R_alloc(len > 0 ? len : 1, sizeof(uint64_t));
    for (R_xlen_t i = 0; i < len; i++) {
        if (!(d[i] >= 0) || d[i] != (double) (uint64_t) d[i]) {
            Rf_error("%s: %g is not a whole number >= 0", what, d[i]);
        }
        out[i] = (uint64_t) d[i];
    }
    *n = len;
    return out;
}

static uint32_t *flags32(SEXP x, R_xlen_t *n, const char *what)
{
    R_xlen_t len;
    double *d = doubles(x, &len, what, 0);
    if (d == NULL) {
        *n = 0;
        return NULL;
    }
    uint32_t *out = (uint32_t *) R_alloc(len > 0 ? len : 1, sizeof(uint32_t));
    for (R_xlen_t i = 0; i < len; i++) {
        if (!(d[i] >= 0) || d[i] > 4294967295.0 || d[i] != (double) (uint32_t) d[i]) {
            Rf_error("%s: %g is not a valid uint32 value", what, d[i]);
        }
        out[i] = (uint32_t) d[i];
    }
    *n = len;
    return out;
}

static const char *bytes(SEXP x, R_xlen_t *n, const char *what)
{
    if (Rf_isNull(x)) {
        *n = 0;
        return NULL;
    }
    if (TYPEOF(x) == RAWSXP) {
        *n = XLENGTH(x);
        return (const char *) RAW(x);
    }
    if (Rf_isString(x) && XLENGTH(x) == 1 && STRING_ELT(x, 0) != NA_STRING) {
        const char *s = Rf_translateCharUTF8(STRING_ELT(x, 0));
        *n = (R_xlen_t) strlen(s);
        return s;
    }
    Rf_error("%s must be a raw vector or a single string", what);
}

static uint32_t options1(SEXP x) { return (uint32_t) size1(x, "options"); }

/* ------------------------------------------------------------ exec */

typedef struct {
    int interrupted;
} progress_t;

static void check_interrupt(void *unused)
{
    (void) unused;
    R_CheckUserInterrupt();
}

/* Called by the library on R's thread. R_ToplevelExec returns FALSE when
 * R_CheckUserInterrupt jumped (an interrupt was pending): the jump ends at
 * R_ToplevelExec's frame, never in the library's. */
static int progress_cb(double fraction, void *user_data)
{
    (void) fraction;
    progress_t *p = user_data;
    if (!R_ToplevelExec(check_interrupt, NULL)) {
        p->interrupted = 1;
        return 1;
    }
    return 0;
}

static uint64_t threads_of(SEXP threads)
{
    if (Rf_isNull(threads)) {
        return 0;
    }
    return size1(threads, "threads");
}

/* Makes the exec for one call; raises an R error (nothing to free yet) on
 * failure. */
static tspar_exec_t *make_exec(uint64_t threads, progress_t *p)
{
    tspar_exec_t *exec = NULL;
    int rc = tspar_exec_new(threads, progress_cb, p, &exec);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return exec;
}

/* After the call (and after the exec is freed): interrupt, error or on. */
static void finish(int rc, const progress_t *p)
{
    if (rc == TSPAR_ERR_CANCELLED && p->interrupted) {
        interrupted();
    }
    if (rc < 0) {
        tspar_fail(rc);
    }
}

/* ------------------------------------------------------------ general */

static SEXP r_version(void) { return Rf_mkString(tspar_version()); }

static SEXP r_is_null_handle(SEXP x)
{
    return Rf_ScalarLogical(TYPEOF(x) != EXTPTRSXP || R_ExternalPtrAddr(x) == NULL);
}

/* ------------------------------------------------------------ tables */

static SEXP r_tc_new(SEXP seqlen)
{
    double L = num1(seqlen, "sequence_length");
    tspar_tables_t *t = NULL;
    int rc = tspar_tables_new(L, &t);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return wrap(t, tag_tables, fin_tables, R_NilValue);
}

static SEXP r_tc_load(SEXP path, SEXP options, SEXP threads)
{
    const char *p = str1(path, "path");
    uint32_t opts = options1(options);
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(threads_of(threads), &pg);
    tspar_tables_t *t = NULL;
    int rc = tspar_tables_load(p, opts, exec, &t);
    tspar_exec_free(exec);
    finish(rc, &pg);
    return wrap(t, tag_tables, fin_tables, R_NilValue);
}

static SEXP r_tc_dump(SEXP tc, SEXP path, SEXP options)
{
    int rc = tspar_tables_dump(tables_of(tc), str1(path, "path"), options1(options));
    if (rc < 0) {
        tspar_fail(rc);
    }
    return R_NilValue;
}

static SEXP r_tc_copy(SEXP tc)
{
    tspar_tables_t *t = NULL;
    int rc = tspar_tables_copy(tables_of(tc), &t);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return wrap(t, tag_tables, fin_tables, R_NilValue);
}

static SEXP r_tc_free(SEXP tc)
{
    if (TYPEOF(tc) == EXTPTRSXP && R_ExternalPtrTag(tc) == tag_tables) {
        fin_tables(tc);
    }
    return R_NilValue;
}

static SEXP r_tc_equals(SEXP a, SEXP b, SEXP options)
{
    int rc = tspar_tables_equals(tables_of(a), tables_of(b), options1(options));
    if (rc < 0) {
        tspar_fail(rc);
    }
    return Rf_ScalarLogical(rc == 1);
}

static SEXP r_tc_num_rows(SEXP tc, SEXP table)
{
    int64_t n = tspar_tables_num_rows(tables_of(tc), int1(table, "table"));
    if (n < 0) {
        tspar_fail((int) n);
    }
    return Rf_ScalarReal((double) n);
}

static SEXP r_tc_sequence_length(SEXP tc)
{
    double L = tspar_tables_get_sequence_length(tables_of(tc));
    if (L < 0) {
        tspar_fail((int) L);
    }
    return Rf_ScalarReal(L);
}

static SEXP r_tc_set_sequence_length(SEXP tc, SEXP L)
{
    int rc = tspar_tables_set_sequence_length(tables_of(tc), num1(L, "sequence_length"));
    if (rc < 0) {
        tspar_fail(rc);
    }
    return R_NilValue;
}

static SEXP r_tc_get_field(SEXP tc, SEXP name)
{
    tspar_tables_t *t = tables_of(tc);
    const char *n = str1(name, "name");
    uint64_t len = 0;
    int rc = tspar_tables_get_field(t, n, NULL, 0, &len);
    if (rc < 0) {
        tspar_fail(rc);
    }
    SEXP out = PROTECT(Rf_allocVector(RAWSXP, (R_xlen_t) len));
    rc = tspar_tables_get_field(t, n, (char *) RAW(out), len, NULL);
    UNPROTECT(1);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return out;
}

static SEXP r_tc_set_field(SEXP tc, SEXP name, SEXP value)
{
    tspar_tables_t *t = tables_of(tc);
    const char *n = str1(name, "name");
    R_xlen_t len;
    const char *v = bytes(value, &len, "value");
    int rc = tspar_tables_set_field(t, n, v, (uint64_t) len);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return R_NilValue;
}

/* A column as an R vector: bytes as raw, int32 as integer, the unsigned
 * types (flags, offsets) as double. */
static SEXP column_vector(int dtype, const void *data, uint64_t len)
{
    SEXP out;
    switch (dtype) {
    case TSPAR_DTYPE_INT8:
    case TSPAR_DTYPE_UINT8:
        out = Rf_allocVector(RAWSXP, (R_xlen_t) len);
        if (len > 0) {
            memcpy(RAW(out), data, len);
        }
        return out;
    case TSPAR_DTYPE_INT32:
        out = Rf_allocVector(INTSXP, (R_xlen_t) len);
        if (len > 0) {
            memcpy(INTEGER(out), data, len * sizeof(int32_t));
        }
        return out;
    case TSPAR_DTYPE_UINT32:
        out = Rf_allocVector(REALSXP, (R_xlen_t) len);
        for (uint64_t i = 0; i < len; i++) {
            REAL(out)[i] = ((const uint32_t *) data)[i];
        }
        return out;
    case TSPAR_DTYPE_UINT64:
        out = Rf_allocVector(REALSXP, (R_xlen_t) len);
        for (uint64_t i = 0; i < len; i++) {
            REAL(out)[i] = (double) ((const uint64_t *) data)[i];
        }
        return out;
    case TSPAR_DTYPE_FLOAT64:
        out = Rf_allocVector(REALSXP, (R_xlen_t) len);
        if (len > 0) {
            memcpy(REAL(out), data, len * sizeof(double));
        }
        return out;
    default:
        Rf_error("column of unknown type %d", dtype);
    }
}

static size_t dtype_size(int dtype)
{
    switch (dtype) {
    case TSPAR_DTYPE_INT8:
    case TSPAR_DTYPE_UINT8:
        return 1;
    case TSPAR_DTYPE_INT32:
    case TSPAR_DTYPE_UINT32:
        return 4;
    default:
        return 8;
    }
}

/* A column by its file key, from a TableCollection or a TreeSequence. */
static SEXP r_column(SEXP h, SEXP name)
{
    const char *n = str1(name, "name");
    int dtype = 0;
    if (TYPEOF(h) == EXTPTRSXP && R_ExternalPtrTag(h) == tag_ts) {
        const void *data = NULL;
        uint64_t len = 0;
        int rc = tspar_treeseq_column(ts_of(h), n, &dtype, &data, &len);
        if (rc < 0) {
            tspar_fail(rc);
        }
        return column_vector(dtype, data, len);
    }
    tspar_tables_t *t = tables_of(h);
    uint64_t len = 0;
    int rc = tspar_tables_column_info(t, n, &dtype, &len);
    if (rc < 0) {
        tspar_fail(rc);
    }
    void *buf = R_alloc(len > 0 ? len : 1, dtype_size(dtype));
    int64_t got = tspar_tables_get_column(t, n, dtype, buf, len);
    if (got < 0) {
        tspar_fail((int) got);
    }
    return column_vector(dtype, buf, (uint64_t) got);
}

/* Splits a ragged column (data, offsets) into a list of vectors (as =
 * "list") or a character vector (as = "character", for text columns). */
static SEXP r_ragged(SEXP data, SEXP offsets, SEXP as)
{
    const char *mode = str1(as, "as");
    R_xlen_t n = XLENGTH(offsets) - 1;
    if (n < 0 || TYPEOF(offsets) != REALSXP) {
        Rf_error("bad offsets");
    }
    const double *o = REAL(offsets);
    R_xlen_t dlen = XLENGTH(data);
    for (R_xlen_t i = 0; i < n; i++) {
        if (o[i] > o[i + 1] || o[i + 1] > (double) dlen) {
            Rf_error("bad offsets");
        }
    }
    int text = strcmp(mode, "character") == 0;
    SEXP out = PROTECT(Rf_allocVector(text ? STRSXP : VECSXP, n));
    for (R_xlen_t i = 0; i < n; i++) {
        R_xlen_t a = (R_xlen_t) o[i], len = (R_xlen_t) o[i + 1] - a;
        if (text) {
            SET_STRING_ELT(out, i, Rf_mkCharLenCE((const char *) RAW(data) + a, (int) len, CE_UTF8));
            continue;
        }
        SEXP v = Rf_allocVector(TYPEOF(data), len);
        SET_VECTOR_ELT(out, i, v);
        if (len > 0) {
            switch (TYPEOF(data)) {
            case RAWSXP:
                memcpy(RAW(v), RAW(data) + a, len);
                break;
            case INTSXP:
                memcpy(INTEGER(v), INTEGER(data) + a, len * sizeof(int));
                break;
            case REALSXP:
                memcpy(REAL(v), REAL(data) + a, len * sizeof(double));
                break;
            default:
                Rf_error("bad ragged column type");
            }
        }
    }
    UNPROTECT(1);
    return out;
}

static SEXP r_tc_add_row(SEXP tc, SEXP table, SEXP a)
{
    tspar_tables_t *t = tables_of(tc);
    int kind = int1(table, "table");
    if (TYPEOF(a) != VECSXP) {
        Rf_error("row must be a list");
    }
#define A(i) VECTOR_ELT(a, i)
    R_xlen_t n1, n2, n3;
    tspar_id_t id;
    switch (kind) {
    case TSPAR_TABLE_INDIVIDUALS: {
        double *loc = doubles(A(1), &n1, "location", 0);
        int32_t *par = ids(A(2), &n2, "parents");
        const char *md = bytes(A(3), &n3, "metadata");
        id = tspar_tables_add_individual(t, (uint32_t) size1(A(0), "flags"), loc, (uint64_t) n1, par,
            (uint64_t) n2, md, (uint64_t) n3);
        break;
    }
    case TSPAR_TABLE_NODES: {
        const char *md = bytes(A(4), &n1, "metadata");
        id = tspar_tables_add_node(t, (uint32_t) size1(A(0), "flags"), num1(A(1), "time"),
            int1(A(2), "population"), int1(A(3), "individual"), md, (uint64_t) n1);
        break;
    }
    case TSPAR_TABLE_EDGES: {
        const char *md = bytes(A(4), &n1, "metadata");
        id = tspar_tables_add_edge(t, num1(A(0), "left"), num1(A(1), "right"), int1(A(2), "parent"),
            int1(A(3), "child"), md, (uint64_t) n1);
        break;
    }
    case TSPAR_TABLE_MIGRATIONS: {
        const char *md = bytes(A(6), &n1, "metadata");
        id = tspar_tables_add_migration(t, num1(A(0), "left"), num1(A(1), "right"), int1(A(2), "node"),
            int1(A(3), "source"), int1(A(4), "dest"), num1(A(5), "time"), md, (uint64_t) n1);
        break;
    }
    case TSPAR_TABLE_SITES: {
        const char *as = bytes(A(1), &n1, "ancestral_state");
        const char *md = bytes(A(2), &n2, "metadata");
        id = tspar_tables_add_site(t, num1(A(0), "position"), as, (uint64_t) n1, md, (uint64_t) n2);
        break;
    }
    case TSPAR_TABLE_MUTATIONS: {
        const char *ds = bytes(A(4), &n1, "derived_state");
        const char *md = bytes(A(5), &n2, "metadata");
        /* time: NULL / NA is the unknown time */
        double time = Rf_isNull(A(3)) || (Rf_isNumeric(A(3)) && XLENGTH(A(3)) == 1 && ISNA(Rf_asReal(A(3))))
            ? tspar_unknown_time() : num1(A(3), "time");
        id = tspar_tables_add_mutation(t, int1(A(0), "site"), int1(A(1), "node"), int1(A(2), "parent"), time, ds,
            (uint64_t) n1, md, (uint64_t) n2);
        break;
    }
    case TSPAR_TABLE_POPULATIONS: {
        const char *md = bytes(A(0), &n1, "metadata");
        id = tspar_tables_add_population(t, md, (uint64_t) n1);
        break;
    }
    case TSPAR_TABLE_PROVENANCES: {
        const char *ts = bytes(A(0), &n1, "timestamp");
        const char *rec = bytes(A(1), &n2, "record");
        id = tspar_tables_add_provenance(t, ts, (uint64_t) n1, rec, (uint64_t) n2);
        break;
    }
    default:
        Rf_error("no table %d", kind);
    }
#undef A
    if (id < 0) {
        tspar_fail(id);
    }
    return Rf_ScalarInteger(id);
}

/* Whole columns: `cols` holds the table's columns in the C API's order,
 * ragged ones as data and offsets. Missing optional ones are NULL. */
static SEXP r_tc_set_columns(SEXP tc, SEXP table, SEXP append, SEXP num_rows, SEXP cols)
{
    tspar_tables_t *t = tables_of(tc);
    int kind = int1(table, "table");
    int app = Rf_asLogical(append) == TRUE;
    uint64_t n = size1(num_rows, "num_rows");
    if (TYPEOF(cols) != VECSXP) {
        Rf_error("columns must be a list");
    }
    R_xlen_t len;
#define C(i) VECTOR_ELT(cols, i)
#define D(i) doubles(C(i), &len, "column", 1)
#define I(i) ids(C(i), &len, "column")
#define F(i) flags32(C(i), &len, "flags")
#define B(i) bytes(C(i), &len, "column")
#define O(i) sizes(C(i), &len, "offsets")
    int rc;
    switch (kind) {
    case TSPAR_TABLE_INDIVIDUALS: {
        uint32_t *f = F(0);
        double *loc = D(1);
        uint64_t *loco = O(2);
        int32_t *par = I(3);
        uint64_t *paro = O(4);
        const char *md = B(5);
        uint64_t *mdo = O(6);
        rc = (app ? tspar_tables_append_individuals : tspar_tables_set_individuals)(
            t, n, f, loc, loco, par, paro, md, mdo);
        break;
    }
    case TSPAR_TABLE_NODES: {
        uint32_t *f = F(0);
        double *time = D(1);
        int32_t *pop = I(2), *ind = I(3);
        const char *md = B(4);
        uint64_t *mdo = O(5);
        rc = (app ? tspar_tables_append_nodes : tspar_tables_set_nodes)(t, n, f, time, pop, ind, md, mdo);
        break;
    }
    case TSPAR_TABLE_EDGES: {
        double *l = D(0), *r = D(1);
        int32_t *p = I(2), *c = I(3);
        const char *md = B(4);
        uint64_t *mdo = O(5);
        rc = (app ? tspar_tables_append_edges : tspar_tables_set_edges)(t, n, l, r, p, c, md, mdo);
        break;
    }
    case TSPAR_TABLE_MIGRATIONS: {
        double *l = D(0), *r = D(1);
        int32_t *node = I(2), *src = I(3), *dst = I(4);
        double *time = D(5);
        const char *md = B(6);
        uint64_t *mdo = O(7);
        rc = (app ? tspar_tables_append_migrations : tspar_tables_set_migrations)(
            t, n, l, r, node, src, dst, time, md, mdo);
        break;
    }
    case TSPAR_TABLE_SITES: {
        double *pos = D(0);
        const char *as = B(1);
        uint64_t *aso = O(2);
        const char *md = B(3);
        uint64_t *mdo = O(4);
        rc = (app ? tspar_tables_append_sites : tspar_tables_set_sites)(t, n, pos, as, aso, md, mdo);
        break;
    }
    case TSPAR_TABLE_MUTATIONS: {
        int32_t *site = I(0), *node = I(1), *parent = I(2);
        double *time = D(3);
        /* R's NA is the unknown time (tskit's own NaN passes through as it is) */
        for (R_xlen_t i = 0; time != NULL && i < len; i++) {
            if (ISNA(time[i])) {
                time[i] = tspar_unknown_time();
            }
        }
        const char *ds = B(4);
        uint64_t *dso = O(5);
        const char *md = B(6);
        uint64_t *mdo = O(7);
        rc = (app ? tspar_tables_append_mutations : tspar_tables_set_mutations)(
            t, n, site, node, parent, time, ds, dso, md, mdo);
        break;
    }
    case TSPAR_TABLE_POPULATIONS: {
        const char *md = B(0);
        uint64_t *mdo = O(1);
        rc = (app ? tspar_tables_append_populations : tspar_tables_set_populations)(t, n, md, mdo);
        break;
    }
    case TSPAR_TABLE_PROVENANCES: {
        const char *ts = B(0);
        uint64_t *tso = O(1);
        const char *rec = B(2);
        uint64_t *reco = O(3);
        rc = (app ? tspar_tables_append_provenances : tspar_tables_set_provenances)(t, n, ts, tso, rec, reco);
        break;
    }
    default:
        Rf_error("no table %d", kind);
    }
#undef C
#undef D
#undef I
#undef F
#undef B
#undef O
    (void) len;
    if (rc < 0) {
        tspar_fail(rc);
    }
    return R_NilValue;
}

static SEXP r_tc_sort(SEXP tc, SEXP edge_start, SEXP options, SEXP threads)
{
    tspar_tables_t *t = tables_of(tc);
    uint64_t start = size1(edge_start, "edge_start");
    uint32_t opts = options1(options);
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(threads_of(threads), &pg);
    int rc = tspar_tables_sort(t, start, opts, exec);
    tspar_exec_free(exec);
    finish(rc, &pg);
    return R_NilValue;
}

static SEXP r_tc_simplify(SEXP tc, SEXP samples, SEXP options, SEXP threads)
{
    tspar_tables_t *t = tables_of(tc);
    R_xlen_t ns = 0;
    int32_t *s = Rf_isNull(samples) ? NULL : ids(samples, &ns, "samples");
    uint32_t opts = options1(options);
    int64_t nn = tspar_tables_num_rows(t, TSPAR_TABLE_NODES);
    if (nn < 0) {
        tspar_fail((int) nn);
    }
    SEXP map = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t) nn));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(threads_of(threads), &pg);
    int rc = tspar_tables_simplify(t, s, (uint64_t) ns, opts, exec, INTEGER(map), (uint64_t) nn);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return map;
}

static SEXP r_tc_bookmark(SEXP tc)
{
    tspar_bookmark_t b;
    int rc = tspar_tables_record_num_rows(tables_of(tc), &b);
    if (rc < 0) {
        tspar_fail(rc);
    }
    SEXP out = PROTECT(Rf_allocVector(REALSXP, 8));
    double *o = REAL(out);
    o[0] = (double) b.individuals;
    o[1] = (double) b.nodes;
    o[2] = (double) b.edges;
    o[3] = (double) b.migrations;
    o[4] = (double) b.sites;
    o[5] = (double) b.mutations;
    o[6] = (double) b.populations;
    o[7] = (double) b.provenances;
    UNPROTECT(1);
    return out;
}

static SEXP r_tc_truncate(SEXP tc, SEXP bookmark)
{
    tspar_tables_t *t = tables_of(tc);
    R_xlen_t n;
    uint64_t *v = sizes(bookmark, &n, "bookmark");
    if (n != 8) {
        Rf_error("bookmark must have 8 entries (individuals, nodes, edges, migrations, sites, mutations, "
                 "populations, provenances)");
    }
    tspar_bookmark_t b = {v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]};
    int rc = tspar_tables_truncate(t, &b);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return R_NilValue;
}

/* The one-argument table operations: what = "build_index",
 * "drop_index", "has_index", "compute_mutation_parents",
 * "deduplicate_sites", "check_integrity", "clear". */
static SEXP r_tc_op(SEXP tc, SEXP what, SEXP options)
{
    tspar_tables_t *t = tables_of(tc);
    const char *w = str1(what, "what");
    uint32_t opts = options1(options);
    int rc;
    if (strcmp(w, "build_index") == 0) {
        progress_t pg = {0};
        tspar_exec_t *exec = make_exec(0, &pg);
        rc = tspar_tables_build_index(t, opts, exec);
        tspar_exec_free(exec);
        finish(rc, &pg);
    } else if (strcmp(w, "drop_index") == 0) {
        rc = tspar_tables_drop_index(t);
    } else if (strcmp(w, "has_index") == 0) {
        rc = tspar_tables_has_index(t);
    } else if (strcmp(w, "compute_mutation_parents") == 0) {
        rc = tspar_tables_compute_mutation_parents(t, opts);
    } else if (strcmp(w, "deduplicate_sites") == 0) {
        rc = tspar_tables_deduplicate_sites(t, opts);
    } else if (strcmp(w, "check_integrity") == 0) {
        rc = tspar_tables_check_integrity(t, opts);
    } else if (strcmp(w, "clear") == 0) {
        rc = tspar_tables_clear(t, opts);
    } else {
        Rf_error("unknown operation %s", w);
    }
    if (rc < 0) {
        tspar_fail(rc);
    }
    return Rf_ScalarInteger(rc);
}

/* ------------------------------------------------------------ tree sequences */

static SEXP r_ts_from_tables(SEXP tc, SEXP options, SEXP threads)
{
    tspar_tables_t *t = tables_of(tc);
    uint32_t opts = options1(options);
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(threads_of(threads), &pg);
    tspar_treeseq_t *ts = NULL;
    int rc = tspar_treeseq_from_tables(t, opts, exec, &ts);
    tspar_exec_free(exec);
    finish(rc, &pg);
    return wrap(ts, tag_ts, fin_ts, R_NilValue);
}

static SEXP r_ts_load(SEXP path, SEXP options, SEXP threads)
{
    const char *p = str1(path, "path");
    uint32_t opts = options1(options);
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(threads_of(threads), &pg);
    tspar_treeseq_t *ts = NULL;
    int rc = tspar_treeseq_load(p, opts, exec, &ts);
    tspar_exec_free(exec);
    finish(rc, &pg);
    return wrap(ts, tag_ts, fin_ts, R_NilValue);
}

static SEXP r_ts_dump(SEXP ts, SEXP path, SEXP options)
{
    int rc = tspar_treeseq_dump(ts_of(ts), str1(path, "path"), options1(options));
    if (rc < 0) {
        tspar_fail(rc);
    }
    return R_NilValue;
}

static SEXP r_ts_free(SEXP ts)
{
    if (TYPEOF(ts) == EXTPTRSXP && R_ExternalPtrTag(ts) == tag_ts) {
        fin_ts(ts);
    }
    return R_NilValue;
}

static SEXP r_ts_copy_tables(SEXP ts)
{
    tspar_tables_t *t = NULL;
    int rc = tspar_treeseq_copy_tables(ts_of(ts), &t);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return wrap(t, tag_tables, fin_tables, R_NilValue);
}

/* Counts: c(trees, samples, individuals, nodes, edges, migrations, sites,
 * mutations, populations, provenances) and the sequence length. */
static SEXP r_ts_counts(SEXP ts)
{
    tspar_treeseq_t *h = ts_of(ts);
    int64_t v[10];
    v[0] = tspar_treeseq_num_trees(h);
    v[1] = tspar_treeseq_num_samples(h);
    for (int k = 0; k < 8; k++) {
        v[k + 2] = tspar_treeseq_num_rows(h, k);
    }
    for (int k = 0; k < 10; k++) {
        if (v[k] < 0) {
            tspar_fail((int) v[k]);
        }
    }
    double L = tspar_treeseq_sequence_length(h);
    if (L < 0) {
        tspar_fail((int) L);
    }
    SEXP out = PROTECT(Rf_allocVector(REALSXP, 11));
    for (int k = 0; k < 10; k++) {
        REAL(out)[k] = (double) v[k];
    }
    REAL(out)[10] = L;
    UNPROTECT(1);
    return out;
}

static SEXP r_ts_samples(SEXP ts)
{
    tspar_treeseq_t *h = ts_of(ts);
    int64_t n = tspar_treeseq_num_samples(h);
    const tspar_id_t *s = tspar_treeseq_samples(h);
    if (n < 0 || s == NULL) {
        tspar_fail(n < 0 ? (int) n : TSPAR_ERR_INTERNAL);
    }
    return column_vector(TSPAR_DTYPE_INT32, s, (uint64_t) n);
}

static SEXP r_ts_breakpoints(SEXP ts)
{
    tspar_treeseq_t *h = ts_of(ts);
    int64_t n = tspar_treeseq_num_trees(h);
    const double *b = tspar_treeseq_breakpoints(h);
    if (n < 0 || b == NULL) {
        tspar_fail(n < 0 ? (int) n : TSPAR_ERR_INTERNAL);
    }
    return column_vector(TSPAR_DTYPE_FLOAT64, b, (uint64_t) n + 1);
}

/* ------------------------------------------------------------ trees */

static SEXP r_tree_new(SEXP ts)
{
    tspar_tree_t *tree = NULL;
    int rc = tspar_tree_new(ts_of(ts), 0, &tree);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return wrap(tree, tag_tree, fin_tree, ts);
}

static SEXP r_tree_free(SEXP tree)
{
    if (TYPEOF(tree) == EXTPTRSXP && R_ExternalPtrTag(tree) == tag_tree) {
        fin_tree(tree);
    }
    return R_NilValue;
}

/* Moves: what = "first", "last", "next", "prev", "seek", "seek_index". */
static SEXP r_tree_move(SEXP tree, SEXP what, SEXP arg)
{
    tspar_tree_t *t = tree_of(tree);
    const char *w = str1(what, "what");
    int rc;
    if (strcmp(w, "first") == 0) {
        rc = tspar_tree_first(t);
    } else if (strcmp(w, "last") == 0) {
        rc = tspar_tree_last(t);
    } else if (strcmp(w, "next") == 0) {
        rc = tspar_tree_next(t);
    } else if (strcmp(w, "prev") == 0) {
        rc = tspar_tree_prev(t);
    } else if (strcmp(w, "seek") == 0) {
        rc = tspar_tree_seek(t, num1(arg, "position"), 0);
    } else if (strcmp(w, "seek_index") == 0) {
        double i = num1(arg, "index");
        if (i < 0) {
            Rf_error("index must be >= 0");
        }
        rc = tspar_tree_seek_index(t, (uint64_t) i, 0);
    } else {
        Rf_error("unknown move %s", w);
    }
    if (rc < 0) {
        tspar_fail(rc);
    }
    return Rf_ScalarLogical(rc == 1);
}

/* c(index, left, right) of the current tree. */
static SEXP r_tree_interval(SEXP tree)
{
    int64_t index;
    double left, right;
    int rc = tspar_tree_get_interval(tree_of(tree), &index, &left, &right);
    if (rc < 0) {
        tspar_fail(rc);
    }
    SEXP out = PROTECT(Rf_allocVector(REALSXP, 3));
    REAL(out)[0] = (double) index;
    REAL(out)[1] = left;
    REAL(out)[2] = right;
    UNPROTECT(1);
    return out;
}

/* One of the cursor's arrays, copied: "parent", "left_child",
 * "right_child", "left_sib", "right_sib", "num_children", "num_samples". */
static SEXP r_tree_array(SEXP tree, SEXP which)
{
    tspar_tree_t *t = tree_of(tree);
    const char *w = str1(which, "which");
    tspar_tree_arrays_t a;
    int rc = tspar_tree_get_arrays(t, &a);
    if (rc < 0) {
        tspar_fail(rc);
    }
    const tspar_id_t *p = strcmp(w, "parent") == 0 ? a.parent
        : strcmp(w, "left_child") == 0             ? a.left_child
        : strcmp(w, "right_child") == 0            ? a.right_child
        : strcmp(w, "left_sib") == 0               ? a.left_sib
        : strcmp(w, "right_sib") == 0              ? a.right_sib
        : strcmp(w, "num_children") == 0           ? a.num_children
        : strcmp(w, "num_samples") == 0            ? a.num_samples
                                                   : NULL;
    if (p == NULL) {
        Rf_error("unknown tree array %s", w);
    }
    return column_vector(TSPAR_DTYPE_INT32, p, a.length);
}

/* Node lists: what = "roots", "preorder", "postorder". */
static SEXP r_tree_nodes(SEXP tree, SEXP what, SEXP node)
{
    tspar_tree_t *t = tree_of(tree);
    const char *w = str1(what, "what");
    tspar_tree_arrays_t a;
    int rc = tspar_tree_get_arrays(t, &a);
    if (rc < 0) {
        tspar_fail(rc);
    }
    int32_t u = Rf_isNull(node) ? a.virtual_root : int1(node, "node");
    uint64_t cap = a.length;
    int32_t *buf = (int32_t *) R_alloc(cap, sizeof(int32_t));
    int64_t n;
    if (strcmp(w, "roots") == 0) {
        n = tspar_tree_get_roots(t, buf, cap);
    } else if (strcmp(w, "preorder") == 0) {
        n = tspar_tree_preorder(t, u, buf, cap);
    } else if (strcmp(w, "postorder") == 0) {
        n = tspar_tree_postorder(t, u, buf, cap);
    } else {
        Rf_error("unknown node list %s", w);
    }
    if (n < 0) {
        tspar_fail((int) n);
    }
    return column_vector(TSPAR_DTYPE_INT32, buf, (uint64_t) n);
}

static SEXP r_tree_mrca(SEXP tree, SEXP u, SEXP v)
{
    tspar_id_t m;
    int rc = tspar_tree_get_mrca(tree_of(tree), int1(u, "u"), int1(v, "v"), &m);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return Rf_ScalarInteger(m);
}

/* what = "branch_length" (above node) or "total_branch_length" (below
 * node; NULL: the whole tree). */
static SEXP r_tree_length(SEXP tree, SEXP what, SEXP node)
{
    tspar_tree_t *t = tree_of(tree);
    const char *w = str1(what, "what");
    double len;
    int rc;
    if (strcmp(w, "branch_length") == 0) {
        rc = tspar_tree_get_branch_length(t, int1(node, "u"), &len);
    } else {
        tspar_tree_arrays_t a;
        rc = tspar_tree_get_arrays(t, &a);
        if (rc >= 0) {
            int32_t u = Rf_isNull(node) ? a.virtual_root : int1(node, "u");
            rc = tspar_tree_get_total_branch_length(t, u, &len);
        }
    }
    if (rc < 0) {
        tspar_fail(rc);
    }
    return Rf_ScalarReal(len);
}

/* c(site_start, site_stop, mutation_start, mutation_stop). */
static SEXP r_tree_sites(SEXP tree)
{
    tspar_id_t s0, s1, m0, m1;
    int rc = tspar_tree_get_sites(tree_of(tree), &s0, &s1, &m0, &m1);
    if (rc < 0) {
        tspar_fail(rc);
    }
    SEXP out = PROTECT(Rf_allocVector(INTSXP, 4));
    INTEGER(out)[0] = s0;
    INTEGER(out)[1] = s1;
    INTEGER(out)[2] = m0;
    INTEGER(out)[3] = m1;
    UNPROTECT(1);
    return out;
}

/* ------------------------------------------------------------ statistics */

typedef int (*one_way_fn)(const tspar_treeseq_t *, tspar_size_t, const tspar_size_t *, const tspar_id_t *,
    tspar_size_t, const double *, tspar_flags_t, const tspar_exec_t *, double *, tspar_size_t);
typedef int (*k_way_fn)(const tspar_treeseq_t *, tspar_size_t, const tspar_size_t *, const tspar_id_t *,
    tspar_size_t, const tspar_id_t *, tspar_size_t, const double *, tspar_flags_t, const tspar_exec_t *,
    double *, tspar_size_t);
typedef int (*weighted_fn)(const tspar_treeseq_t *, tspar_size_t, const double *, tspar_size_t, const double *,
    tspar_flags_t, const tspar_exec_t *, double *, tspar_size_t);

static const struct {
    const char *name;
    one_way_fn f;
} ONE_WAY[] = {
    {"diversity", tspar_treeseq_diversity},
    {"segregating_sites", tspar_treeseq_segregating_sites},
    {"Y1", tspar_treeseq_Y1},
    {"Tajimas_D", tspar_treeseq_Tajimas_D},
    {"divergence_matrix", tspar_treeseq_divergence_matrix},
    {"genetic_relatedness_matrix", tspar_treeseq_genetic_relatedness_matrix},
    {"allele_frequency_spectrum", tspar_treeseq_allele_frequency_spectrum},
};

static const struct {
    const char *name;
    k_way_fn f;
} K_WAY[] = {
    {"divergence", tspar_treeseq_divergence},
    {"Fst", tspar_treeseq_Fst},
    {"Y2", tspar_treeseq_Y2},
    {"f2", tspar_treeseq_f2},
    {"genetic_relatedness", tspar_treeseq_genetic_relatedness},
    {"Y3", tspar_treeseq_Y3},
    {"f3", tspar_treeseq_f3},
    {"f4", tspar_treeseq_f4},
};

static const struct {
    const char *name;
    weighted_fn f;
} WEIGHTED[] = {
    {"trait_covariance", tspar_treeseq_trait_covariance},
    {"trait_correlation", tspar_treeseq_trait_correlation},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The arguments every statistic shares. */
typedef struct {
    tspar_treeseq_t *ts;
    uint64_t num_sets;
    uint64_t *set_sizes;
    int32_t *set_ids;
    uint64_t num_windows;
    double *windows;
    uint32_t options;
    uint64_t threads;
    uint64_t result_length;
} stat_args_t;

static void common_args(stat_args_t *s, SEXP ts, SEXP set_sizes, SEXP set_ids, SEXP windows, SEXP options,
    SEXP threads, SEXP result_length)
{
    R_xlen_t n;
    s->ts = ts_of(ts);
    s->set_sizes = sizes(set_sizes, &n, "sample set sizes");
    s->num_sets = (uint64_t) n;
    s->set_ids = ids(set_ids, &n, "sample_sets");
    s->windows = doubles(windows, &n, "windows", 0);
    s->num_windows = n > 0 ? (uint64_t) n - 1 : 0;
    s->options = options1(options);
    s->threads = threads_of(threads);
    s->result_length = size1(result_length, "result length");
}

/* `sets` as sizes and concatenated ids; `windows` NULL or breakpoints;
 * `indexes` the index tuples row by row (k-way only); the result is the
 * C API's flat [window][...] buffer of `result_length` values. */
static SEXP r_stat(SEXP name, SEXP ts, SEXP set_sizes, SEXP set_ids, SEXP indexes, SEXP windows, SEXP options,
    SEXP threads, SEXP result_length)
{
    const char *n = str1(name, "name");
    one_way_fn f1 = NULL;
    k_way_fn fk = NULL;
    for (size_t i = 0; i < COUNT(ONE_WAY); i++) {
        if (strcmp(n, ONE_WAY[i].name) == 0) {
            f1 = ONE_WAY[i].f;
        }
    }
    for (size_t i = 0; i < COUNT(K_WAY); i++) {
        if (strcmp(n, K_WAY[i].name) == 0) {
            fk = K_WAY[i].f;
        }
    }
    if (f1 == NULL && fk == NULL) {
        Rf_error("unknown statistic %s", n);
    }
    stat_args_t s;
    common_args(&s, ts, set_sizes, set_ids, windows, options, threads, result_length);
    R_xlen_t ni = 0;
    int32_t *idx = fk != NULL ? ids(indexes, &ni, "indexes") : NULL;
    uint64_t k = fk == NULL ? 0 : n[0] == 'f' || n[0] == 'Y' ? (uint64_t) (n[1] - '0') : 2;
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) s.result_length));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(s.threads, &pg);
    int rc;
    if (f1 != NULL) {
        rc = f1(s.ts, s.num_sets, s.set_sizes, s.set_ids, s.num_windows, s.windows, s.options, exec, REAL(out),
            s.result_length);
    } else {
        rc = fk(s.ts, s.num_sets, s.set_sizes, s.set_ids, k > 0 ? (uint64_t) ni / k : 0, idx, s.num_windows,
            s.windows, s.options, exec, REAL(out), s.result_length);
    }
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* Weighted statistics: `W` is the weights row by row ([sample][column]),
 * `ncol` its columns; `indexes` pairs of columns for
 * genetic_relatedness_weighted. */
static SEXP r_stat_weighted(SEXP name, SEXP ts, SEXP W, SEXP ncol, SEXP indexes, SEXP windows, SEXP options,
    SEXP threads, SEXP result_length)
{
    const char *n = str1(name, "name");
    weighted_fn fw = NULL;
    for (size_t i = 0; i < COUNT(WEIGHTED); i++) {
        if (strcmp(n, WEIGHTED[i].name) == 0) {
            fw = WEIGHTED[i].f;
        }
    }
    int grw = strcmp(n, "genetic_relatedness_weighted") == 0;
    if (fw == NULL && !grw) {
        Rf_error("unknown statistic %s", n);
    }
    stat_args_t s;
    common_args(&s, ts, R_NilValue, R_NilValue, windows, options, threads, result_length);
    R_xlen_t nw;
    double *w = doubles(W, &nw, "W", 1);
    uint64_t nc = size1(ncol, "number of weight columns");
    R_xlen_t ni = 0;
    int32_t *idx = grw ? ids(indexes, &ni, "indexes") : NULL;
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) s.result_length));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(s.threads, &pg);
    int rc = grw ? tspar_treeseq_genetic_relatedness_weighted(s.ts, nc, w, (uint64_t) ni / 2, idx, s.num_windows,
                       s.windows, s.options, exec, REAL(out), s.result_length)
                 : fw(s.ts, nc, w, s.num_windows, s.windows, s.options, exec, REAL(out), s.result_length);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* general_stat with an R summary function, on R's thread only. */
typedef struct {
    SEXP f;
    SEXP env;
    uint64_t state_dim;
    const double *state;
    uint64_t result_dim;
    double *result;
    int ok;
} summary_call_t;

static void summary_body(void *data)
{
    summary_call_t *c = data;
    SEXP x = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) c->state_dim));
    memcpy(REAL(x), c->state, c->state_dim * sizeof(double));
    SEXP call = PROTECT(Rf_lang2(c->f, x));
    SEXP y = PROTECT(Rf_coerceVector(Rf_eval(call, c->env), REALSXP));
    if ((uint64_t) XLENGTH(y) == c->result_dim) {
        memcpy(c->result, REAL(y), c->result_dim * sizeof(double));
        c->ok = 1;
    }
    UNPROTECT(3);
}

static int summary_cb(uint64_t state_dim, const double *state, uint64_t result_dim, double *result, void *params)
{
    summary_call_t *c = params;
    c->state_dim = state_dim;
    c->state = state;
    c->result_dim = result_dim;
    c->result = result;
    c->ok = 0;
    /* An R error (or interrupt) in f ends at R_ToplevelExec's frame. */
    if (!R_ToplevelExec(summary_body, c) || !c->ok) {
        return 1;
    }
    return 0;
}

static SEXP r_general_stat(SEXP ts, SEXP W, SEXP ncol, SEXP f, SEXP result_dim, SEXP windows, SEXP options,
    SEXP result_length, SEXP env)
{
    stat_args_t s;
    common_args(&s, ts, R_NilValue, R_NilValue, windows, options, R_NilValue, result_length);
    R_xlen_t nw;
    double *w = doubles(W, &nw, "W", 1);
    uint64_t nc = size1(ncol, "number of weight columns");
    uint64_t rd = size1(result_dim, "output_dim");
    if (!Rf_isFunction(f)) {
        Rf_error("f must be a function");
    }
    summary_call_t call = {f, env, 0, NULL, 0, NULL, 0};
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) s.result_length));
    progress_t pg = {0};
    /* One thread: the summary function calls into R, which only R's thread may. */
    tspar_exec_t *exec = make_exec(1, &pg);
    int rc = tspar_treeseq_general_stat(s.ts, nc, w, rd, summary_cb, &call, s.num_windows, s.windows, s.options,
        exec, REAL(out), s.result_length);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* ------------------------------------------------------------ genotypes */

static SEXP tag_variant = NULL;

static void fin_variant(SEXP x)
{
    tspar_variant_free(R_ExternalPtrAddr(x));
    R_ClearExternalPtr(x);
}

/* A character vector as the NULL-terminated list of NUL-terminated strings
 * the C API takes for `alleles` (NULL for R's NULL). */
static const char **allele_list(SEXP x)
{
    if (Rf_isNull(x)) {
        return NULL;
    }
    if (!Rf_isString(x)) {
        Rf_error("alleles must be a character vector");
    }
    R_xlen_t n = XLENGTH(x);
    const char **out = (const char **) R_alloc(n + 1, sizeof(char *));
    for (R_xlen_t i = 0; i < n; i++) {
        if (STRING_ELT(x, i) == NA_STRING) {
            Rf_error("alleles must not contain NA");
        }
        out[i] = Rf_translateCharUTF8(STRING_ELT(x, i));
    }
    out[n] = NULL;
    return out;
}

/* Sites start..stop from a numeric vector of two whole numbers >= 0. */
static void site_range_of(SEXP x, uint64_t *start, uint64_t *stop)
{
    R_xlen_t n = 0;
    uint64_t *r = sizes(x, &n, "site range");
    if (n != 2 || r[0] > r[1]) {
        Rf_error("bad site range");
    }
    *start = r[0];
    *stop = r[1];
}

/* The [site][sample] genotype matrix of sites site_start..site_stop as a
 * flat integer vector in that (row-major) order; `num_samples` is the
 * number of samples decoded (the length of `samples`, or the sample count
 * when `samples` is NULL). */
static SEXP r_genotype_matrix(SEXP ts, SEXP samples, SEXP alleles, SEXP options, SEXP num_samples, SEXP site_range,
    SEXP threads)
{
    tspar_treeseq_t *t = ts_of(ts);
    R_xlen_t ns = 0;
    int32_t *s = ids(samples, &ns, "samples");
    const char **al = allele_list(alleles);
    uint32_t opts = options1(options);
    uint64_t n = size1(num_samples, "number of samples");
    uint64_t start, stop;
    site_range_of(site_range, &start, &stop);
    uint64_t len = stop > start ? (stop - start) * n : 0;
    SEXP out = PROTECT(Rf_allocVector(INTSXP, (R_xlen_t) len));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(threads_of(threads), &pg);
    int rc = tspar_treeseq_genotype_matrix(t, s, (uint64_t) ns, al, start, stop, opts, TSPAR_DTYPE_INT32, exec,
        INTEGER(out), len);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* Each sample's haplotype over sites site_start..site_stop, as strings. */
static SEXP r_haplotypes(SEXP ts, SEXP samples, SEXP options, SEXP missing_char, SEXP num_samples,
    SEXP site_range, SEXP threads)
{
    tspar_treeseq_t *t = ts_of(ts);
    R_xlen_t ns = 0;
    int32_t *s = ids(samples, &ns, "samples");
    uint32_t opts = options1(options);
    const char *mc = str1(missing_char, "missing_data_character");
    if (strlen(mc) != 1 || (unsigned char) mc[0] > 127) {
        Rf_error("missing_data_character must be a single ASCII character");
    }
    uint64_t n = size1(num_samples, "number of samples");
    uint64_t start, stop;
    site_range_of(site_range, &start, &stop);
    uint64_t m = stop > start ? stop - start : 0;
    char *buf = R_alloc(n * m > 0 ? n * m : 1, 1);
    SEXP out = PROTECT(Rf_allocVector(STRSXP, (R_xlen_t) n));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(threads_of(threads), &pg);
    int rc = tspar_treeseq_haplotypes(t, s, (uint64_t) ns, start, stop, opts, mc[0], exec, buf, n * m);
    tspar_exec_free(exec);
    if (rc < 0) {
        UNPROTECT(1);
        finish(rc, &pg);
    }
    for (uint64_t i = 0; i < n; i++) {
        SET_STRING_ELT(out, (R_xlen_t) i, Rf_mkCharLenCE(buf + i * m, (int) m, CE_UTF8));
    }
    UNPROTECT(1);
    return out;
}

/* A variant decoder (an external pointer that keeps `ts` alive). */
static SEXP r_variant_new(SEXP ts, SEXP samples, SEXP alleles, SEXP options)
{
    tspar_treeseq_t *t = ts_of(ts);
    R_xlen_t ns = 0;
    int32_t *s = ids(samples, &ns, "samples");
    const char **al = allele_list(alleles);
    uint32_t opts = options1(options);
    tspar_variant_t *v = NULL;
    int rc = tspar_variant_new(t, s, (uint64_t) ns, al, opts, &v);
    if (rc < 0) {
        tspar_fail(rc);
    }
    return wrap(v, tag_variant, fin_variant, ts);
}

/* Decodes `site`: list(site, genotypes, alleles, has_missing_data). */
static SEXP r_variant_decode(SEXP variant, SEXP site)
{
    tspar_variant_t *v = handle(variant, tag_variant, "variant decoder");
    int id = int1(site, "site");
    int rc = tspar_variant_decode(v, id);
    if (rc < 0) {
        tspar_fail(rc);
    }
    tspar_id_t got = 0;
    const int32_t *g = NULL;
    uint64_t n = 0, na = 0;
    const char *ad = NULL;
    const uint64_t *ao = NULL;
    int miss = 0;
    rc = tspar_variant_get(v, &got, &g, &n, &ad, &ao, &na, &miss);
    if (rc < 0) {
        tspar_fail(rc);
    }
    /* The library's buffers stay valid until the next decode: copy them. */
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    SET_VECTOR_ELT(out, 0, Rf_ScalarInteger(got));
    SEXP gv = Rf_allocVector(INTSXP, (R_xlen_t) n);
    SET_VECTOR_ELT(out, 1, gv);
    if (n > 0) {
        memcpy(INTEGER(gv), g, n * sizeof(int32_t));
    }
    SEXP av = Rf_allocVector(STRSXP, (R_xlen_t) na);
    SET_VECTOR_ELT(out, 2, av);
    for (uint64_t j = 0; j < na; j++) {
        SET_STRING_ELT(av, (R_xlen_t) j, Rf_mkCharLenCE(ad + ao[j], (int) (ao[j + 1] - ao[j]), CE_UTF8));
    }
    SET_VECTOR_ELT(out, 3, Rf_ScalarLogical(miss != 0));
    UNPROTECT(1);
    return out;
}

/* write_vcf to a path. `positions` NULL or one whole number per site
 * (a position transform's result) with `contig_length`; names NULL or a
 * character vector; `options` the TSPAR_VCF_* and TSPAR_ISOLATED_* bits. */
static SEXP r_write_vcf(SEXP ts, SEXP path, SEXP ploidy, SEXP individuals, SEXP names, SEXP contig_id,
    SEXP positions, SEXP contig_length, SEXP options, SEXP threads)
{
    tspar_vcf_options_t o;
    memset(&o, 0, sizeof o);
    tspar_treeseq_t *t = ts_of(ts);
    const char *p = str1(path, "path");
    o.ploidy = Rf_isNull(ploidy) ? 0 : size1(ploidy, "ploidy");
    if (!Rf_isNull(individuals)) {
        R_xlen_t ni = 0;
        int32_t *ind = ids(individuals, &ni, "individuals");
        o.individuals = ind;
        o.num_individuals = (uint64_t) ni;
    }
    if (!Rf_isNull(names)) {
        if (!Rf_isString(names)) {
            Rf_error("individual_names must be a character vector");
        }
        R_xlen_t nn = XLENGTH(names);
        const char **nm = (const char **) R_alloc(nn > 0 ? nn : 1, sizeof(char *));
        for (R_xlen_t i = 0; i < nn; i++) {
            if (STRING_ELT(names, i) == NA_STRING) {
                Rf_error("individual_names must not contain NA");
            }
            nm[i] = Rf_translateCharUTF8(STRING_ELT(names, i));
        }
        o.individual_names = nm;
        o.num_individual_names = (uint64_t) nn;
    }
    o.contig_id = str1(contig_id, "contig_id");
    if (!Rf_isNull(positions)) {
        R_xlen_t np = 0;
        double *d = doubles(positions, &np, "position_transform's result", 0);
        int64_t *pos = (int64_t *) R_alloc(np > 0 ? np : 1, sizeof(int64_t));
        for (R_xlen_t i = 0; i < np; i++) {
            if (!(d[i] > -9.2e18 && d[i] < 9.2e18) || d[i] != (double) (int64_t) d[i]) {
                Rf_error("position_transform must return whole numbers (got %g)", d[i]);
            }
            pos[i] = (int64_t) d[i];
        }
        o.positions = pos;
        double cl = num1(contig_length, "contig length");
        if (!(cl > -9.2e18 && cl < 9.2e18) || cl != (double) (int64_t) cl) {
            Rf_error("position_transform must return whole numbers (got %g)", cl);
        }
        o.contig_length = (int64_t) cl;
    }
    o.options = options1(options);
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(threads_of(threads), &pg);
    int rc = tspar_treeseq_write_vcf(t, p, &o, exec);
    tspar_exec_free(exec);
    finish(rc, &pg);
    return R_NilValue;
}

/* mean_descendants ([node][set]) and genealogical_nearest_neighbours
 * ([focal][set]; `focal` NULL for mean_descendants), flat, row-major. */
static SEXP r_node_stat(SEXP name, SEXP ts, SEXP focal, SEXP set_sizes, SEXP set_ids, SEXP threads,
    SEXP result_length)
{
    const char *n = str1(name, "name");
    int gnn = strcmp(n, "genealogical_nearest_neighbours") == 0;
    if (!gnn && strcmp(n, "mean_descendants") != 0) {
        Rf_error("unknown statistic %s", n);
    }
    stat_args_t s;
    common_args(&s, ts, set_sizes, set_ids, R_NilValue, Rf_ScalarInteger(0), threads, result_length);
    R_xlen_t nf = 0;
    int32_t *f = gnn ? ids(focal, &nf, "focal") : NULL;
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) s.result_length));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(s.threads, &pg);
    int rc = gnn ? tspar_treeseq_genealogical_nearest_neighbours(s.ts, (uint64_t) nf, f, s.num_sets, s.set_sizes,
                       s.set_ids, 0, exec, REAL(out), s.result_length)
                 : tspar_treeseq_mean_descendants(s.ts, s.num_sets, s.set_sizes, s.set_ids, 0, exec, REAL(out),
                       s.result_length);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* trait_linear_model: `W` and `Z` row by row ([sample][column]). */
static SEXP r_trait_linear_model(SEXP ts, SEXP W, SEXP ncol, SEXP Z, SEXP zcol, SEXP windows, SEXP options,
    SEXP threads, SEXP result_length)
{
    stat_args_t s;
    common_args(&s, ts, R_NilValue, R_NilValue, windows, options, threads, result_length);
    R_xlen_t nw, nz;
    double *w = doubles(W, &nw, "W", 1);
    uint64_t nc = size1(ncol, "number of weight columns");
    double *z = doubles(Z, &nz, "Z", 1);
    uint64_t nzc = size1(zcol, "number of covariate columns");
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) s.result_length));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(s.threads, &pg);
    int rc = tspar_treeseq_trait_linear_model(s.ts, nc, w, nzc, z, s.num_windows, s.windows, s.options, exec,
        REAL(out), s.result_length);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* ------------------------------------------------------------ ld, pair coalescence, relatedness vector, pca */

/* ld_matrix: `row_sites`/`col_sites` (site mode) or `row_pos`/`col_pos`
 * (branch mode), NULL for every site or tree; `indexes` pairs of sets row
 * by row, or NULL for one matrix per set. */
static SEXP r_ld_matrix(SEXP ts, SEXP set_sizes, SEXP set_ids, SEXP indexes, SEXP stat, SEXP row_sites,
    SEXP row_pos, SEXP col_sites, SEXP col_pos, SEXP options, SEXP threads, SEXP result_length)
{
    stat_args_t s;
    common_args(&s, ts, set_sizes, set_ids, R_NilValue, options, threads, result_length);
    R_xlen_t ni = 0, nrs = 0, nrp = 0, ncs = 0, ncp = 0;
    int32_t *idx = ids(indexes, &ni, "indexes");
    int code = int1(stat, "stat");
    int32_t *rs = ids(row_sites, &nrs, "sites");
    double *rp = doubles(row_pos, &nrp, "positions", 0);
    int32_t *cs = ids(col_sites, &ncs, "sites");
    double *cp = doubles(col_pos, &ncp, "positions", 0);
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) s.result_length));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(s.threads, &pg);
    int rc = tspar_treeseq_ld_matrix(s.ts, s.num_sets, s.set_sizes, s.set_ids, (uint64_t) ni / 2, idx, code,
        (uint64_t) (nrs + nrp), rs, rp, (uint64_t) (ncs + ncp), cs, cp, s.options, exec, REAL(out),
        s.result_length);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* pair_coalescence_counts / _quantiles / _rates: `node_bin_map` NULL (counts
 * only: one bin per node) or each node's bin; `extra` the quantiles or the
 * time window breakpoints. */
static SEXP r_pair_coalescence(SEXP what, SEXP ts, SEXP set_sizes, SEXP set_ids, SEXP indexes, SEXP windows,
    SEXP num_bins, SEXP node_bin_map, SEXP extra, SEXP options, SEXP threads, SEXP result_length)
{
    const char *w = str1(what, "what");
    stat_args_t s;
    common_args(&s, ts, set_sizes, set_ids, windows, options, threads, result_length);
    R_xlen_t ni = 0, nm = 0, ne = 0;
    int32_t *idx = ids(indexes, &ni, "indexes");
    uint64_t nb = size1(num_bins, "number of bins");
    int32_t *map = ids(node_bin_map, &nm, "node bin map");
    double *ex = doubles(extra, &ne, strcmp(w, "rates") == 0 ? "time_windows" : "quantiles", 0);
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) s.result_length));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(s.threads, &pg);
    int rc;
    if (strcmp(w, "counts") == 0) {
        rc = tspar_treeseq_pair_coalescence_counts(s.ts, s.num_sets, s.set_sizes, s.set_ids, (uint64_t) ni / 2,
            idx, s.num_windows, s.windows, nb, map, s.options, exec, REAL(out), s.result_length);
    } else if (strcmp(w, "quantiles") == 0) {
        rc = tspar_treeseq_pair_coalescence_quantiles(s.ts, s.num_sets, s.set_sizes, s.set_ids,
            (uint64_t) ni / 2, idx, s.num_windows, s.windows, nb, map, (uint64_t) ne, ex, s.options, exec,
            REAL(out), s.result_length);
    } else {
        rc = tspar_treeseq_pair_coalescence_rates(s.ts, s.num_sets, s.set_sizes, s.set_ids, (uint64_t) ni / 2,
            idx, s.num_windows, s.windows, nb, map, ex, s.options, exec, REAL(out), s.result_length);
    }
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* genetic_relatedness_vector: `W` row by row ([sample][column]); `nodes`
 * NULL for the samples. */
static SEXP r_genetic_relatedness_vector(SEXP ts, SEXP W, SEXP ncol, SEXP windows, SEXP nodes, SEXP options,
    SEXP threads, SEXP result_length)
{
    stat_args_t s;
    common_args(&s, ts, R_NilValue, R_NilValue, windows, options, threads, result_length);
    R_xlen_t nw, nn = 0;
    double *w = doubles(W, &nw, "W", 1);
    uint64_t nc = size1(ncol, "number of weight columns");
    int32_t *nd = ids(nodes, &nn, "nodes");
    SEXP out = PROTECT(Rf_allocVector(REALSXP, (R_xlen_t) s.result_length));
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(s.threads, &pg);
    int rc = tspar_treeseq_genetic_relatedness_vector(s.ts, nc, w, s.num_windows, s.windows, (uint64_t) nn, nd,
        s.options, exec, REAL(out), s.result_length);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* pca: `lengths` the four outputs' lengths (factors, eigenvalues,
 * range_sketch, error_bound); returns them as a list of flat vectors. */
static SEXP r_pca(SEXP ts, SEXP num_components, SEXP windows, SEXP samples, SEXP individuals, SEXP options,
    SEXP num_iterations, SEXP num_oversamples, SEXP seed, SEXP range_sketch, SEXP threads, SEXP lengths)
{
    stat_args_t s;
    common_args(&s, ts, R_NilValue, R_NilValue, windows, options, threads, Rf_ScalarInteger(0));
    uint64_t k = size1(num_components, "num_components");
    R_xlen_t ns = 0, nind = 0, nq = 0, nl = 0;
    int32_t *smp = ids(samples, &ns, "samples");
    int32_t *ind = ids(individuals, &nind, "individuals");
    uint64_t iters = size1(num_iterations, "num_iterations");
    uint64_t over = size1(num_oversamples, "num_oversamples");
    uint64_t sd = size1(seed, "random_seed");
    double *q = doubles(range_sketch, &nq, "range_sketch", 0);
    uint64_t *len = sizes(lengths, &nl, "output lengths");
    if (nl != 4) {
        Rf_error("four output lengths are needed");
    }
    SEXP out = PROTECT(Rf_allocVector(VECSXP, 4));
    for (int i = 0; i < 4; i++) {
        SET_VECTOR_ELT(out, i, Rf_allocVector(REALSXP, (R_xlen_t) len[i]));
    }
    progress_t pg = {0};
    tspar_exec_t *exec = make_exec(s.threads, &pg);
    int rc = tspar_treeseq_pca(s.ts, k, s.num_windows, s.windows, (uint64_t) ns, smp, (uint64_t) nind, ind,
        s.options, iters, over, sd, q, exec, REAL(VECTOR_ELT(out, 0)), len[0], REAL(VECTOR_ELT(out, 1)), len[1],
        REAL(VECTOR_ELT(out, 2)), len[2], REAL(VECTOR_ELT(out, 3)), len[3]);
    tspar_exec_free(exec);
    UNPROTECT(1);
    finish(rc, &pg);
    return out;
}

/* ------------------------------------------------------------ registration */

#define DEF(name, n) {#name, (DL_FUNC) &name, n}
static const R_CallMethodDef CALLS[] = {
    DEF(r_version, 0),
    DEF(r_is_null_handle, 1),
    DEF(r_tc_new, 1),
    DEF(r_tc_load, 3),
    DEF(r_tc_dump, 3),
    DEF(r_tc_copy, 1),
    DEF(r_tc_free, 1),
    DEF(r_tc_equals, 3),
    DEF(r_tc_num_rows, 2),
    DEF(r_tc_sequence_length, 1),
    DEF(r_tc_set_sequence_length, 2),
    DEF(r_tc_get_field, 2),
    DEF(r_tc_set_field, 3),
    DEF(r_column, 2),
    DEF(r_ragged, 3),
    DEF(r_tc_add_row, 3),
    DEF(r_tc_set_columns, 5),
    DEF(r_tc_sort, 4),
    DEF(r_tc_simplify, 4),
    DEF(r_tc_bookmark, 1),
    DEF(r_tc_truncate, 2),
    DEF(r_tc_op, 3),
    DEF(r_ts_from_tables, 3),
    DEF(r_ts_load, 3),
    DEF(r_ts_dump, 3),
    DEF(r_ts_free, 1),
    DEF(r_ts_copy_tables, 1),
    DEF(r_ts_counts, 1),
    DEF(r_ts_samples, 1),
    DEF(r_ts_breakpoints, 1),
    DEF(r_tree_new, 1),
    DEF(r_tree_free, 1),
    DEF(r_tree_move, 3),
    DEF(r_tree_interval, 1),
    DEF(r_tree_array, 2),
    DEF(r_tree_nodes, 3),
    DEF(r_tree_mrca, 3),
    DEF(r_tree_length, 3),
    DEF(r_tree_sites, 1),
    DEF(r_stat, 9),
    DEF(r_stat_weighted, 9),
    DEF(r_general_stat, 9),
    DEF(r_genotype_matrix, 7),
    DEF(r_haplotypes, 7),
    DEF(r_variant_new, 4),
    DEF(r_variant_decode, 2),
    DEF(r_write_vcf, 10),
    DEF(r_node_stat, 7),
    DEF(r_trait_linear_model, 9),
    DEF(r_ld_matrix, 12),
    DEF(r_pair_coalescence, 12),
    DEF(r_genetic_relatedness_vector, 8),
    DEF(r_pca, 12),
    {NULL, NULL, 0},
};

void R_init_tspar(DllInfo *dll)
{
    R_registerRoutines(dll, NULL, CALLS, NULL, NULL);
    R_useDynamicSymbols(dll, FALSE);
    R_forceSymbols(dll, TRUE);
    tag_tables = Rf_install("tspar_tables_t");
    tag_ts = Rf_install("tspar_treeseq_t");
    tag_tree = Rf_install("tspar_tree_t");
    tag_variant = Rf_install("tspar_variant_t");
}
