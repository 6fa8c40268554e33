/*
 * tspar: tree sequences with a thread-safe C API and parallel statistics.
 * This preamble is the contract for C, C++ and for bindings (R, Python,
 * Julia): what each function returns, which thread runs what, and how long
 * a pointer the library hands out stays valid.
 *
 * Return values, one convention per family
 *   - int (status): >= 0 is success: 0, or 1 for a yes (tspar_tables_equals,
 *     tspar_tables_has_index) and for a cursor that is on a tree after a
 *     move (tspar_tree_first, _last, _next, _prev, _seek, _seek_index; 0
 *     there means the null state past either end). < 0 is a TSPAR_ERR_* code.
 *   - tspar_id_t (row ids): tspar_tables_add_* give the new row's id and
 *     tspar_tables_check_integrity the number of trees (or 0); < 0 is a code.
 *   - int64_t (counts): tspar_tables_num_rows, tspar_tables_get_column,
 *     tspar_treeseq_num_* and tspar_tree_get_roots, _preorder, _postorder
 *     give the count, >= 0; < 0 is a code.
 *   - double (lengths): tspar_tables_get_sequence_length and
 *     tspar_treeseq_sequence_length give the length, >= 0; < 0 is the code
 *     as a double ((int) value is the TSPAR_ERR_* code).
 *   - pointers: tspar_treeseq_samples and tspar_treeseq_breakpoints give a
 *     non-NULL pointer, or NULL on error.
 *   - Every function of these five families sets the calling thread's last
 *     error message when it fails and clears it (to "") when it succeeds.
 *     tspar_last_error_message() gives the detail (which file, key, row or
 *     argument: "tables is NULL"), tspar_strerror(code) the static message.
 *   - Functions that cannot fail: tspar_version, tspar_strerror,
 *     tspar_last_error_message, tspar_unknown_time, tspar_is_unknown_time,
 *     and the tspar_*_free functions (void; NULL is a no-op). They leave the
 *     last error message as it was.
 *
 * Arguments and results
 *   - NULL where a pointer is required gives TSPAR_ERR_NULL_POINTER; a
 *     pointer paired with a length of 0 may be NULL.
 *   - Constructors write the new handle through an out-pointer only on
 *     success.
 *   - Outputs go into caller buffers passed with their length; a buffer that
 *     is too small gives TSPAR_ERR_BUFFER_TOO_SMALL and nothing is written.
 *   - The library copies what it keeps: no pointer argument is used after
 *     the call returns, except a callback's user_data, which the exec
 *     handle holds until it is freed.
 *   - The library never aborts the host process and never prints. A Rust
 *     panic inside it is caught and returned as TSPAR_ERR_INTERNAL; the
 *     process-wide panic hook it installs once passes every panic outside
 *     tspar calls to the hook that was there before.
 *
 * Lifetimes of the pointers the library hands out
 *   - tspar_version(), tspar_strerror(): static strings, valid while the
 *     library is loaded.
 *   - tspar_last_error_message(): valid until the calling thread's next
 *     call into tspar other than the functions that cannot fail.
 *   - tspar_treeseq_samples, _breakpoints and the zero-copy columns of
 *     tspar_treeseq_column: valid and unchanged until tspar_treeseq_free of
 *     that tree sequence.
 *   - tspar_tree_get_arrays: the arrays belong to the cursor and stay
 *     valid (same addresses) until tspar_tree_free. Their values are the
 *     current tree's until that cursor's next move (first, last, next, prev,
 *     seek, seek_index), which rewrites them in place.
 *   - Callback arguments (the state and result of a summary function) are
 *     valid only during that call of the callback.
 *
 * Threads
 *   - tspar_tables_t is internally synchronised: any function may be called
 *     on one handle from many threads at once. Writers (add, set, append,
 *     clear, set_field, sort, ...) are serialised; readers (get, dump, copy,
 *     equals, ...) run together and see the state between two writes.
 *   - tspar_treeseq_t is immutable: any number of threads may use one handle
 *     at once.
 *   - Functions that lock two table collections (tspar_tables_equals) take
 *     the locks in one global order (by address): calls in either argument
 *     order, with writers waiting, cannot deadlock; one handle may be passed
 *     twice.
 *   - Every function that may use worker threads (the statistics,
 *     tspar_tables_load, _sort, _build_index, _simplify, tspar_treeseq_load,
 *     _from_tables) takes `const tspar_exec_t *exec` right after its
 *     options. A NULL exec means the default: TSPAR_NUM_THREADS threads if
 *     it is a positive integer, else all cores. TSPAR_NUM_THREADS is read
 *     once per process, the first time a default is needed, so a later
 *     setenv has no effect (and cannot race with the library's getenv).
 *   - tspar_exec_t is immutable once made (every setting is given to
 *     tspar_exec_new): any number of threads may pass one exec to calls at
 *     once. Only the statistics and the bulk genotype calls (genotype matrix,
 *     haplotypes, VCF) call its progress callback.
 *   - A panic inside the library, on the calling thread or on a worker
 *     thread, becomes TSPAR_ERR_INTERNAL with its message in the calling
 *     thread's tspar_last_error_message().
 *   - tspar_tree_t (a cursor) belongs to one thread at a time: a call on a
 *     cursor that another thread's call is using gives TSPAR_ERR_BUSY. The
 *     library cannot see a read of a cursor's arrays: reading them while
 *     another thread moves that cursor is a data race, which the caller
 *     must prevent.
 *   - tspar_variant_t (a genotype decoder) is a cursor in the same sense:
 *     one thread at a time (TSPAR_ERR_BUSY otherwise); the genotypes and
 *     alleles tspar_variant_get points at change with the next decode.
 *   - Freeing a handle while another thread still uses it is the other
 *     misuse the library cannot detect.
 *   - Parallel calls run on the library's own worker threads, never on a
 *     pool the host owns, and return only when all their work is done.
 *   - fork: a child process forked while no call into tspar is running may
 *     use the library, at any thread count; it starts worker threads of
 *     its own (the parent's are not copied by fork).
 *
 * Callbacks
 *   - A progress callback (tspar_progress_func_t) is called on the thread
 *     that made the call; returning non-zero cancels the call, which then
 *     returns TSPAR_ERR_CANCELLED.
 *   - A summary function (tspar_general_stat_func_t) is called on the
 *     library's worker threads, several at once, when the exec allows more
 *     than one thread; on the calling thread only with one thread. It must
 *     be safe to call concurrently. A non-zero return stops the call with
 *     TSPAR_ERR_SUMMARY_FUNC.
 *   - Every callback must return normally: no longjmp out of it (R's
 *     Rf_error, Julia's throw) and no C++ exception through the library.
 *     Either is undefined behaviour: in practice it aborts the process, or
 *     skips the library's cleanup and leaves its locks held. Catch the
 *     error inside the callback and return non-zero instead.
 *   - A callback must not use the handles of the call that invoked it (a
 *     write to those tables would wait for that call forever) nor free them.
 *
 * Platform
 *   - Linux is the only platform tspar is built and tested on. What is
 *     Linux-specific: the SONAME and the libtspar.so packaging (CMake,
 *     pkg-config); dumps swap the new file into place with renameat2
 *     (RENAME_EXCHANGE, glibc; elsewhere a plain rename); loads advise
 *     transparent huge pages (madvise). Files are read with POSIX
 *     positioned reads, so the library does not build on Windows, and it
 *     needs a little-endian target.
 */


#ifndef TSPAR_H
#define TSPAR_H

/* Generated by cbindgen from tspar's Rust sources: do not edit. Regenerate with
   TSPAR_BLESS=1 cargo test --test header */

#include <stdint.h>
#include <stddef.h>

// The version of this header (tspar_version() gives the version of the library
// loaded at run time; a program may check that the two agree).
#define TSPAR_VERSION_MAJOR 0
#define TSPAR_VERSION_MINOR 1
#define TSPAR_VERSION_PATCH 0

// Error codes, < 0. The numbers are stable: never reused, never renumbered.
// tspar_strerror(code) gives the message written above each one.

// out of memory
#define TSPAR_ERR_NO_MEMORY (-1)

// a required pointer argument is NULL
#define TSPAR_ERR_NULL_POINTER (-2)

// bad parameter value
#define TSPAR_ERR_BAD_PARAM_VALUE (-3)

// output buffer too small
#define TSPAR_ERR_BUFFER_TOO_SMALL (-4)

// unknown option bits set
#define TSPAR_ERR_BAD_OPTIONS (-5)

// internal error (a bug in tspar)
#define TSPAR_ERR_INTERNAL (-6)

// object is in use by another thread
#define TSPAR_ERR_BUSY (-7)

// operation cancelled by the caller
#define TSPAR_ERR_CANCELLED (-8)

// string argument is not valid UTF-8
#define TSPAR_ERR_BAD_STRING (-9)

// data type does not match the column
#define TSPAR_ERR_BAD_DTYPE (-10)

// no column with this name
#define TSPAR_ERR_COLUMN_NOT_FOUND (-11)

// input/output error
#define TSPAR_ERR_IO (-100)

// file not found
#define TSPAR_ERR_FILE_NOT_FOUND (-101)

// permission denied
#define TSPAR_ERR_PERMISSION_DENIED (-102)

// path is a directory
#define TSPAR_ERR_IS_A_DIRECTORY (-103)

// not a kastore file (bad magic number)
#define TSPAR_ERR_BAD_MAGIC (-104)

// unexpected end of file
#define TSPAR_ERR_FILE_TRUNCATED (-105)

// bad file format
#define TSPAR_ERR_FILE_FORMAT (-106)

// kastore or tskit file version too old
#define TSPAR_ERR_FILE_VERSION_TOO_OLD (-107)

// kastore or tskit file version too new
#define TSPAR_ERR_FILE_VERSION_TOO_NEW (-108)

// item offset or length out of the file's bounds
#define TSPAR_ERR_BAD_ITEM_OFFSET (-109)

// duplicate key in file
#define TSPAR_ERR_DUPLICATE_KEY (-110)

// required column not found
#define TSPAR_ERR_REQUIRED_COL_NOT_FOUND (-111)

// bad column type
#define TSPAR_ERR_BAD_COLUMN_TYPE (-112)

// both columns of a ragged pair are required
#define TSPAR_ERR_BOTH_COLUMNS_REQUIRED (-113)

// column lengths disagree
#define TSPAR_ERR_COLUMN_LENGTH_MISMATCH (-114)

// bad offset column
#define TSPAR_ERR_BAD_OFFSET (-200)

// bad sequence length
#define TSPAR_ERR_BAD_SEQUENCE_LENGTH (-201)

// table would exceed the maximum number of rows
#define TSPAR_ERR_TABLE_OVERFLOW (-202)

// column would exceed the maximum size
#define TSPAR_ERR_COLUMN_OVERFLOW (-203)

// individual out of bounds
#define TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS (-204)

// node out of bounds
#define TSPAR_ERR_NODE_OUT_OF_BOUNDS (-205)

// edge out of bounds
#define TSPAR_ERR_EDGE_OUT_OF_BOUNDS (-206)

// migration out of bounds
#define TSPAR_ERR_MIGRATION_OUT_OF_BOUNDS (-207)

// site out of bounds
#define TSPAR_ERR_SITE_OUT_OF_BOUNDS (-208)

// mutation out of bounds
#define TSPAR_ERR_MUTATION_OUT_OF_BOUNDS (-209)

// population out of bounds
#define TSPAR_ERR_POPULATION_OUT_OF_BOUNDS (-210)

// provenance out of bounds
#define TSPAR_ERR_PROVENANCE_OUT_OF_BOUNDS (-211)

// table collection has no edge indexes
#define TSPAR_ERR_TABLES_NOT_INDEXED (-212)

// bad node time ordering: a parent is not older than its child
#define TSPAR_ERR_BAD_NODE_TIME_ORDERING (-300)

// edge parent is null
#define TSPAR_ERR_NULL_PARENT (-301)

// edge child is null
#define TSPAR_ERR_NULL_CHILD (-302)

// edges not sorted by parent time
#define TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME (-303)

// edges not sorted by child within a parent
#define TSPAR_ERR_EDGES_NOT_SORTED_CHILD (-304)

// edges not sorted by left coordinate
#define TSPAR_ERR_EDGES_NOT_SORTED_LEFT (-305)

// edges for a parent are not contiguous
#define TSPAR_ERR_EDGES_NONCONTIGUOUS_PARENTS (-306)

// bad edge interval: left must be less than right
#define TSPAR_ERR_BAD_EDGE_INTERVAL (-307)

// duplicate edges
#define TSPAR_ERR_DUPLICATE_EDGES (-308)

// right coordinate greater than the sequence length
#define TSPAR_ERR_RIGHT_GREATER_SEQ_LENGTH (-309)

// left coordinate less than zero
#define TSPAR_ERR_LEFT_LESS_ZERO (-310)

// a child has more than one parent at a position
#define TSPAR_ERR_BAD_EDGES_CONTRADICTORY_CHILDREN (-311)

// genome coordinates must be finite
#define TSPAR_ERR_GENOME_COORDS_NONFINITE (-312)

// times must be finite
#define TSPAR_ERR_TIME_NONFINITE (-313)

// site position out of range [0, sequence length)
#define TSPAR_ERR_BAD_SITE_POSITION (-314)

// sites not sorted by position
#define TSPAR_ERR_UNSORTED_SITES (-315)

// duplicate site position
#define TSPAR_ERR_DUPLICATE_SITE_POSITION (-316)

// mutations not sorted
#define TSPAR_ERR_UNSORTED_MUTATIONS (-317)

// mutation parent is at a different site
#define TSPAR_ERR_MUTATION_PARENT_DIFFERENT_SITE (-318)

// mutation is its own parent
#define TSPAR_ERR_MUTATION_PARENT_EQUAL (-319)

// mutation parent comes after its child
#define TSPAR_ERR_MUTATION_PARENT_AFTER_CHILD (-320)

// mutation time younger than its node
#define TSPAR_ERR_MUTATION_TIME_YOUNGER_THAN_NODE (-321)

// mutation time older than the parent of its node
#define TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_NODE (-322)

// mutation time older than its parent mutation
#define TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_MUTATION (-323)

// mutation times at a site are both known and unknown
#define TSPAR_ERR_MUTATION_TIME_HAS_BOTH_KNOWN_AND_UNKNOWN (-324)

// mutation parents do not match those the trees imply
#define TSPAR_ERR_BAD_MUTATION_PARENT (-325)

// mutation parent chain is inconsistent (a cycle)
#define TSPAR_ERR_MUTATION_PARENT_INCONSISTENT (-326)

// migrations not sorted
#define TSPAR_ERR_UNSORTED_MIGRATIONS (-327)

// individuals not sorted: a parent comes after its child
#define TSPAR_ERR_UNSORTED_INDIVIDUALS (-328)

// individual is its own parent
#define TSPAR_ERR_INDIVIDUAL_SELF_PARENT (-329)

// individual parents form a cycle
#define TSPAR_ERR_INDIVIDUAL_PARENT_CYCLE (-330)

// edge indexes are invalid
#define TSPAR_ERR_TABLES_BAD_INDEXES (-331)

// sort offset not supported for this table
#define TSPAR_ERR_SORT_OFFSET_NOT_SUPPORTED (-332)

// migrations are not supported by this operation
#define TSPAR_ERR_MIGRATIONS_NOT_SUPPORTED (-333)

// position or tree index out of bounds
#define TSPAR_ERR_SEEK_OUT_OF_BOUNDS (-334)

// tree sequence has no samples
#define TSPAR_ERR_TREE_SEQUENCE_HAS_NO_SAMPLES (-335)

// unknown mutation times are not supported here
#define TSPAR_ERR_UNKNOWN_TIME_NOT_SUPPORTED (-336)

// too many trees
#define TSPAR_ERR_TREE_OVERFLOW (-337)

// a sample is listed more than once
#define TSPAR_ERR_DUPLICATE_SAMPLE (-500)

// the keep-unary and keep-unary-in-individuals options are mutually exclusive
#define TSPAR_ERR_KEEP_UNARY_MUTUALLY_EXCLUSIVE (-501)

// cannot process edges that have metadata
#define TSPAR_ERR_CANT_PROCESS_EDGES_WITH_METADATA (-502)

// simplify does not support migrations
#define TSPAR_ERR_SIMPLIFY_MIGRATIONS_NOT_SUPPORTED (-503)

// bookmark position beyond the end of a table
#define TSPAR_ERR_BAD_TABLE_POSITION (-504)

// bad number of windows
#define TSPAR_ERR_BAD_NUM_WINDOWS (-400)

// bad windows: they must increase strictly from 0 to the sequence length
#define TSPAR_ERR_BAD_WINDOWS (-401)

// more than one statistics mode given
#define TSPAR_ERR_MULTIPLE_STAT_MODES (-402)

// bad state dimension
#define TSPAR_ERR_BAD_STATE_DIMS (-403)

// bad result dimension
#define TSPAR_ERR_BAD_RESULT_DIMS (-404)

// not enough sample sets
#define TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS (-405)

// not enough index tuples
#define TSPAR_ERR_INSUFFICIENT_INDEX_TUPLES (-406)

// sample set index out of bounds
#define TSPAR_ERR_BAD_SAMPLE_SET_INDEX (-407)

// empty sample set
#define TSPAR_ERR_EMPTY_SAMPLE_SET (-408)

// statistic does not support this mode
#define TSPAR_ERR_UNSUPPORTED_STAT_MODE (-409)

// statistics using branch lengths cannot be calculated when time_units is 'uncalibrated'
#define TSPAR_ERR_TIME_UNCALIBRATED (-410)

// statistic does not support the polarised option
#define TSPAR_ERR_STAT_POLARISED_UNSUPPORTED (-411)

// statistic does not support the span-normalise option
#define TSPAR_ERR_STAT_SPAN_NORMALISE_UNSUPPORTED (-412)

// not enough weight columns
#define TSPAR_ERR_INSUFFICIENT_WEIGHTS (-413)

// node in a sample set is not a sample
#define TSPAR_ERR_BAD_SAMPLES (-414)

// the summary callback returned an error
#define TSPAR_ERR_SUMMARY_FUNC (-416)

// this two-locus statistic has no form between two sample sets
#define TSPAR_ERR_TWO_WAY_UNSUPPORTED (-440)

// the sites of a statistic are not sorted
#define TSPAR_ERR_STAT_UNSORTED_SITES (-441)

// a site is listed twice for a statistic
#define TSPAR_ERR_STAT_DUPLICATE_SITES (-442)

// position out of range [0, sequence length)
#define TSPAR_ERR_POSITION_OUT_OF_BOUNDS (-443)

// the positions of a statistic are not sorted
#define TSPAR_ERR_STAT_UNSORTED_POSITIONS (-444)

// a position is listed twice for a statistic
#define TSPAR_ERR_STAT_DUPLICATE_POSITIONS (-445)

// bad node bin map: one bin (or -1) per node, each less than the number of bins
#define TSPAR_ERR_BAD_NODE_BIN_MAP (-446)

// quantiles must increase within [0, 1]
#define TSPAR_ERR_BAD_QUANTILES (-447)

// time windows must increase
#define TSPAR_ERR_BAD_TIME_WINDOWS (-448)

// every sample's time must be the start of the first time window
#define TSPAR_ERR_BAD_SAMPLE_PAIR_TIMES (-449)

// an allele was not found in the user-specified allele map
#define TSPAR_ERR_ALLELE_NOT_FOUND (-700)

// too many alleles at a site for the genotype type
#define TSPAR_ERR_TOO_MANY_ALLELES (-701)

// an allele is not a single ASCII character (haplotypes need single-character alleles)
#define TSPAR_ERR_MULTI_CHARACTER_ALLELE (-702)

// the missing data character clashes with an allele
#define TSPAR_ERR_MISSING_CHARACTER_CLASH (-703)

// more than 9 alleles at a site are not supported in VCF
#define TSPAR_ERR_VCF_TOO_MANY_ALLELES (-704)

// a variant position of 0 was found in the VCF output (see allow_position_zero)
#define TSPAR_ERR_VCF_POSITION_ZERO (-705)

// no samples in the resulting VCF model
#define TSPAR_ERR_VCF_NO_SAMPLES (-706)

// bad individuals, names or ploidy for the VCF
#define TSPAR_ERR_VCF_BAD_INDIVIDUALS (-707)

// not the bytes of statistic parts, or damaged ones
#define TSPAR_ERR_PARTS_FORMAT (-600)

// statistic parts made by another tspar version or parts format
#define TSPAR_ERR_PARTS_VERSION (-601)

// statistic parts of another statistic or other arguments
#define TSPAR_ERR_PARTS_OTHER_CALL (-602)

// statistic parts computed on another tree sequence
#define TSPAR_ERR_PARTS_OTHER_TREE_SEQUENCE (-603)

// a statistic part was given more than once
#define TSPAR_ERR_PARTS_OVERLAP (-604)

// statistic parts are missing
#define TSPAR_ERR_PARTS_MISSING (-605)

// part range out of bounds
#define TSPAR_ERR_BAD_PART_RANGE (-606)

// this statistic call cannot be split into parts
#define TSPAR_ERR_PARTS_UNSUPPORTED (-607)

// the file changed (was truncated or grown in place) while it was being loaded mapped
#define TSPAR_ERR_FILE_CHANGED (-620)


// Table identifiers, for functions that take a table as an argument.
#define TSPAR_TABLE_INDIVIDUALS 0

#define TSPAR_TABLE_NODES 1

#define TSPAR_TABLE_EDGES 2

#define TSPAR_TABLE_MIGRATIONS 3

#define TSPAR_TABLE_SITES 4

#define TSPAR_TABLE_MUTATIONS 5

#define TSPAR_TABLE_POPULATIONS 6

#define TSPAR_TABLE_PROVENANCES 7

// Column data types (kastore's type codes).
#define TSPAR_DTYPE_INT8 0

#define TSPAR_DTYPE_UINT8 1

#define TSPAR_DTYPE_INT32 4

#define TSPAR_DTYPE_UINT32 5

#define TSPAR_DTYPE_UINT64 7

#define TSPAR_DTYPE_FLOAT64 9

// The genotype of a missing sample (tskit's `TSK_MISSING_DATA`).
#define TSPAR_MISSING_DATA (-1)

// Element type code for `int16_t` genotype matrices (kastore's code).
#define TSPAR_DTYPE_INT16 2

// Statistic ids for `tspar_stat_call_new`: each names the function
// `tspar_treeseq_<name>` whose arguments and result it takes.
#define TSPAR_STATISTIC_DIVERSITY 1

#define TSPAR_STATISTIC_SEGREGATING_SITES 2

#define TSPAR_STATISTIC_Y1 3

#define TSPAR_STATISTIC_TAJIMAS_D 4

#define TSPAR_STATISTIC_DIVERGENCE 5

#define TSPAR_STATISTIC_FST 6

#define TSPAR_STATISTIC_Y2 7

#define TSPAR_STATISTIC_F2 8

#define TSPAR_STATISTIC_GENETIC_RELATEDNESS 9

#define TSPAR_STATISTIC_Y3 10

#define TSPAR_STATISTIC_F3 11

#define TSPAR_STATISTIC_F4 12

#define TSPAR_STATISTIC_DIVERGENCE_MATRIX 13

#define TSPAR_STATISTIC_GENETIC_RELATEDNESS_MATRIX 14

#define TSPAR_STATISTIC_ALLELE_FREQUENCY_SPECTRUM 15

#define TSPAR_STATISTIC_TRAIT_COVARIANCE 16

#define TSPAR_STATISTIC_TRAIT_CORRELATION 17

#define TSPAR_STATISTIC_GENETIC_RELATEDNESS_WEIGHTED 18

// r²: the squared correlation of the alleles (haplotype-weighted over
// allele pairs at multi-allelic sites). Two-way form: r_i r_j.
#define TSPAR_LD_R2 0

// r: the correlation (polarised).
#define TSPAR_LD_R 1

// D²; two-way form D_i D_j.
#define TSPAR_LD_D2 2

// D = p_AB - p_A p_B (polarised).
#define TSPAR_LD_D 3

// D' (Lewontin's normalised D; polarised).
#define TSPAR_LD_D_PRIME 4

// Dz = D (1 - 2 p_A)(1 - 2 p_B).
#define TSPAR_LD_DZ 5

// pi2 = p_A (1 - p_A) p_B (1 - p_B).
#define TSPAR_LD_PI2 6

// The unbiased estimator of D² (Ragsdale and Gravel 2019); two-way form too.
#define TSPAR_LD_D2_UNBIASED 7

// The unbiased estimator of Dz.
#define TSPAR_LD_DZ_UNBIASED 8

// The unbiased estimator of pi2.
#define TSPAR_LD_PI2_UNBIASED 9

// Settings for the calls that may use worker threads (statistics, sort,
// simplify, loading, making a tree sequence, building indexes): a thread
// count and a progress callback. Opaque; made by `tspar_exec_new` with
// every setting, freed by `tspar_exec_free`, and never changed in between,
// so one exec may be passed to any number of calls on any number of
// threads at once. Each call runs the progress callback on its own calling
// thread (with the same `user_data`), so a callback shared that way must be
// safe to run on several threads at once. Wherever an exec is taken, NULL
// means the default: `TSPAR_NUM_THREADS` threads, else all cores, and no
// progress callback. Freeing an exec while a call still uses it is a
// misuse the library cannot detect.
typedef struct tspar_exec_t tspar_exec_t;

// One statistic call on one tree sequence, split into parts. Opaque; made
// by `tspar_stat_call_new`, freed by `tspar_stat_call_free`. Never changed
// once made: any number of threads may use one call at once. It holds its
// own reference to the tree sequence, which may be freed before it.
typedef struct tspar_stat_call_t tspar_stat_call_t;

// A table collection. Opaque; made by `tspar_tables_new`, `_load` or
// `_copy`, freed by `tspar_tables_free`. Safe to use from many threads at
// once.
typedef struct tspar_tables_t tspar_tables_t;

// A tree cursor. Opaque; made by `tspar_tree_new`, freed by
// `tspar_tree_free`. One thread at a time: while a call on a cursor runs,
// any other call on the same cursor (every `tspar_tree_*` function but
// `_new` and `_free`) returns `TSPAR_ERR_BUSY` at once and changes nothing.
// What the library cannot detect: reading through the pointers of
// `tspar_tree_get_arrays` while another thread moves the same cursor (a
// data race, undefined behaviour), and freeing a cursor while another
// thread uses it. A program that shares a cursor between threads must
// itself keep readers of its arrays and movers apart.
typedef struct tspar_tree_t tspar_tree_t;

// An immutable tree sequence. Opaque; made by `tspar_treeseq_from_tables`
// or `tspar_treeseq_load`, freed by `tspar_treeseq_free`. Any number of
// threads may use one handle at once.
typedef struct tspar_treeseq_t tspar_treeseq_t;

// A variant decoder. Opaque; made by `tspar_variant_new`, freed by
// `tspar_variant_free`. One thread at a time: while a call on a decoder
// runs, another call on the same decoder returns `TSPAR_ERR_BUSY`. The
// pointers `tspar_variant_get` gives stay valid until the next decode or
// the free; reading them while another thread decodes is the caller's race.
typedef struct tspar_variant_t tspar_variant_t;

// A count or length: `uint64_t`, as tskit's `tsk_size_t`.
typedef uint64_t tspar_size_t;

// A progress callback: called on the thread that made the call, never on
// a worker thread, with the fraction of the work done (0 to 1). Return
// non-zero to cancel the call, which then returns `TSPAR_ERR_CANCELLED`.
// It must return normally: no `longjmp` out of it and no C++ exception
// thrown through the library (either is undefined behaviour).
typedef int (*tspar_progress_func_t)(double fraction,
                                     void *user_data);

// A row id: `int32_t`, as tskit's `tsk_id_t`.
typedef int32_t tspar_id_t;

// A set of option bits: `uint32_t`, as tskit's `tsk_flags_t`.
typedef uint32_t tspar_flags_t;

// The VCF arguments of `tspar_treeseq_write_vcf`, tskit's `write_vcf`
// arguments. All zero (or a NULL pointer to the struct) means tskit's
// defaults: samples grouped by ploidy 1 without individuals, else every
// individual with sample nodes; names `tsk_<id>`; contig "1"; positions
// rounded to the nearest integer (ties to even); no masks.
typedef struct tspar_vcf_options_t {
  // Nodes per VCF sample without individuals (0: 1). Must be 0 when the
  // tree sequence has individuals.
  tspar_size_t ploidy;
  // The individuals to write, in order (NULL: the default).
  const tspar_id_t *individuals;
  tspar_size_t num_individuals;
  // NULL, or one name per individual (before individuals without nodes
  // are dropped), `num_individual_names` NUL-terminated strings.
  const char *const *individual_names;
  tspar_size_t num_individual_names;
  // NULL: "1".
  const char *contig_id;
  // NULL, or one VCF position per site (a caller's position transform);
  // `contig_length` is then the contig's length (at least 1 is written).
  const int64_t *positions;
  int64_t contig_length;
  // NULL, or one byte per site: non-zero leaves the site out.
  const uint8_t *site_mask;
  // NULL, or non-zero bytes marking genotypes missing: one per VCF
  // sample node (the same for every site), or `[site][node]` for all sites.
  const uint8_t *sample_mask;
  tspar_size_t sample_mask_length;
  // `TSPAR_ISOLATED_NOT_MISSING`, `TSPAR_VCF_LEGACY_POSITIONS`,
  // `TSPAR_VCF_ALLOW_POSITION_ZERO`, `TSPAR_VCF_INCLUDE_NON_SAMPLE_NODES`,
  // `TSPAR_VCF_BGZF`.
  tspar_flags_t options;
} tspar_vcf_options_t;

// A sink for `tspar_treeseq_write_vcf_stream`: called on the calling
// thread with the next `length` bytes; a non-zero return stops the write
// with `TSPAR_ERR_IO`.
typedef int (*tspar_write_func_t)(const char *data,
                                  tspar_size_t length,
                                  void *user_data);

// The number of rows of each table at some moment, as tskit's
// `tsk_bookmark_t`. A plain struct the caller owns.
typedef struct tspar_bookmark_t {
  tspar_size_t individuals;
  tspar_size_t nodes;
  tspar_size_t edges;
  tspar_size_t migrations;
  tspar_size_t sites;
  tspar_size_t mutations;
  tspar_size_t populations;
  tspar_size_t provenances;
} tspar_bookmark_t;

// A summary function for `tspar_treeseq_general_stat`: `state_dim`
// weights in, `result_dim` values out; non-zero return is an error. With
// more than one thread it is called from several worker threads at once.
typedef int (*tspar_general_stat_func_t)(tspar_size_t state_dim,
                                         const double *state,
                                         tspar_size_t result_dim,
                                         double *result,
                                         void *params);

// An individual's fixed fields and the lengths of its ragged fields.
typedef struct tspar_individual_t {
  tspar_flags_t flags;
  tspar_size_t location_length;
  tspar_size_t parents_length;
  tspar_size_t metadata_length;
} tspar_individual_t;

typedef struct tspar_node_t {
  tspar_flags_t flags;
  double time;
  tspar_id_t population;
  tspar_id_t individual;
  tspar_size_t metadata_length;
} tspar_node_t;

typedef struct tspar_edge_t {
  double left;
  double right;
  tspar_id_t parent;
  tspar_id_t child;
  tspar_size_t metadata_length;
} tspar_edge_t;

typedef struct tspar_migration_t {
  double left;
  double right;
  tspar_id_t node;
  tspar_id_t source;
  tspar_id_t dest;
  double time;
  tspar_size_t metadata_length;
} tspar_migration_t;

typedef struct tspar_site_t {
  double position;
  tspar_size_t ancestral_state_length;
  tspar_size_t metadata_length;
} tspar_site_t;

typedef struct tspar_mutation_t {
  tspar_id_t site;
  tspar_id_t node;
  tspar_id_t parent;
  double time;
  tspar_size_t derived_state_length;
  tspar_size_t metadata_length;
} tspar_mutation_t;

typedef struct tspar_population_t {
  tspar_size_t metadata_length;
} tspar_population_t;

typedef struct tspar_provenance_t {
  tspar_size_t timestamp_length;
  tspar_size_t record_length;
} tspar_provenance_t;

// The cursor's arrays, each of `length` = num_nodes + 1 entries (the last
// is the virtual root, whose children are the roots), as tskit's tree
// arrays. Borrowed from the cursor: the pointers stay valid, and the
// arrays keep their addresses, until the cursor is freed; the contents
// describe the current tree and are rewritten in place by every move of
// that cursor (`tspar_tree_first`, `_last`, `_next`, `_prev`, `_seek`,
// `_seek_index`), so values read after a move are the new tree's. Read-only
// for the caller. Reading them while another thread moves the same cursor
// is a data race the library cannot detect.
typedef struct tspar_tree_arrays_t {
  const tspar_id_t *parent;
  const tspar_id_t *left_child;
  const tspar_id_t *right_child;
  const tspar_id_t *left_sib;
  const tspar_id_t *right_sib;
  const tspar_id_t *num_children;
  const tspar_id_t *num_samples;
  tspar_size_t length;
  tspar_id_t virtual_root;
} tspar_tree_arrays_t;

// The null id: no parent, no population, no individual.
#define TSPAR_NULL (-1)

// Node flag: the node is a sample.
#define TSPAR_NODE_IS_SAMPLE 1

// Load options (tskit's values).
#define TSPAR_LOAD_SKIP_TABLES (1 << 0)

#define TSPAR_LOAD_SKIP_REFERENCE_SEQUENCE (1 << 1)

// Dump option: write every offset column as 64-bit even when 32 bits suffice.
#define TSPAR_DUMP_FORCE_OFFSET_64 (1 << 27)

// Comparison options for `tspar_tables_equals` (tskit's values).
#define TSPAR_CMP_IGNORE_TS_METADATA (1 << 0)

#define TSPAR_CMP_IGNORE_PROVENANCE (1 << 1)

#define TSPAR_CMP_IGNORE_METADATA (1 << 2)

#define TSPAR_CMP_IGNORE_TIMESTAMPS (1 << 3)

#define TSPAR_CMP_IGNORE_TABLES (1 << 4)

#define TSPAR_CMP_IGNORE_REFERENCE_SEQUENCE (1 << 5)

// Clear options for `tspar_tables_clear` (tskit's values).
#define TSPAR_CLEAR_METADATA_SCHEMAS (1 << 0)

#define TSPAR_CLEAR_TS_METADATA_AND_SCHEMA (1 << 1)

#define TSPAR_CLEAR_PROVENANCE (1 << 2)

// Genotype option: isolated samples get the ancestral state instead of
// `TSPAR_MISSING_DATA` (tskit's `TSK_ISOLATED_NOT_MISSING`).
#define TSPAR_ISOLATED_NOT_MISSING (1 << 1)

// VCF option: tskit's "legacy" position transform (rounded, then each
// position at least one more than the last).
#define TSPAR_VCF_LEGACY_POSITIONS (1 << 8)

// VCF option: allow a (transformed) position of 0.
#define TSPAR_VCF_ALLOW_POSITION_ZERO (1 << 9)

// VCF option: write the individuals' non-sample nodes too.
#define TSPAR_VCF_INCLUDE_NON_SAMPLE_NODES (1 << 10)

// VCF option: BGZF-compress the output (block gzip, which bgzip, bcftools
// and tabix read): deflate level 1 (bgzip's default is 6; on VCF text
// level 1 is about three times faster for about twice the bytes, still
// about 1/80 of the text), members of at most 65,280 bytes of text cut
// within fixed blocks of sites, so the same bytes for every thread count.
#define TSPAR_VCF_BGZF (1 << 11)

// Integrity check flags for `tspar_tables_check_integrity` (tskit's values).
#define TSPAR_CHECK_EDGE_ORDERING (1 << 0)

#define TSPAR_CHECK_SITE_ORDERING (1 << 1)

#define TSPAR_CHECK_SITE_DUPLICATES (1 << 2)

#define TSPAR_CHECK_MUTATION_ORDERING (1 << 3)

#define TSPAR_CHECK_INDIVIDUAL_ORDERING (1 << 4)

#define TSPAR_CHECK_MIGRATION_ORDERING (1 << 5)

#define TSPAR_CHECK_INDEXES (1 << 6)

// Walk the trees; implies every ordering check and the index check. The
// check then returns the number of trees.
#define TSPAR_CHECK_TREES (1 << 7)

// Check the mutation parent column against the trees; implies
// `TSPAR_CHECK_TREES`.
#define TSPAR_CHECK_MUTATION_PARENTS (1 << 8)

// Do not check that node and migration population ids exist.
#define TSPAR_NO_CHECK_POPULATION_REFS (1 << 12)

// Option of `tspar_tables_sort`: skip the integrity check that comes first.
#define TSPAR_NO_CHECK_INTEGRITY (1 << 29)

// Simplify options (tskit's values). A test checks them against the core's.
#define TSPAR_SIMPLIFY_FILTER_SITES (1 << 0)

#define TSPAR_SIMPLIFY_FILTER_POPULATIONS (1 << 1)

#define TSPAR_SIMPLIFY_FILTER_INDIVIDUALS (1 << 2)

#define TSPAR_SIMPLIFY_REDUCE_TO_SITE_TOPOLOGY (1 << 3)

#define TSPAR_SIMPLIFY_KEEP_UNARY (1 << 4)

#define TSPAR_SIMPLIFY_KEEP_INPUT_ROOTS (1 << 5)

#define TSPAR_SIMPLIFY_KEEP_UNARY_IN_INDIVIDUALS (1 << 6)

#define TSPAR_SIMPLIFY_NO_FILTER_NODES (1 << 7)

#define TSPAR_SIMPLIFY_NO_UPDATE_SAMPLE_FLAGS (1 << 8)

// Site mode (the default when no mode is given).
#define TSPAR_STAT_SITE (1 << 0)

// Branch mode.
#define TSPAR_STAT_BRANCH (1 << 1)

// Node mode.
#define TSPAR_STAT_NODE (1 << 2)

// Leave the ancestral allele (branch: the complement) out.
#define TSPAR_STAT_POLARISED (1 << 10)

// Divide each window's values by its span.
#define TSPAR_STAT_SPAN_NORMALISE (1 << 11)

// Allow branch statistics when time units are "uncalibrated".
#define TSPAR_STAT_ALLOW_TIME_UNCALIBRATED (1 << 12)

// Genetic relatedness: not centred.
#define TSPAR_STAT_NONCENTRED (1 << 14)

// Genetic relatedness: divided by the segregating sites of the union of
// the sample sets (tskit Python's `proportion=True`). tspar's own bit.
#define TSPAR_STAT_PROPORTION (1 << 20)

// Tree sequence option: build the edge indexes when the tables lack them.
#define TSPAR_TS_INIT_BUILD_INDEXES (1 << 0)

// Tree sequence option: compute mutation parents instead of checking them.
#define TSPAR_TS_INIT_COMPUTE_MUTATION_PARENTS (1 << 1)

// Load option of `tspar_treeseq_load` and `tspar_tables_load`: map the
// file read-only and use its columns in place instead of copying them, so
// that processes loading the same file share one copy of its pages (see
// `tspar_treeseq_load` for what is shared and the contract on the file).
// Not a tskit option.
#define TSPAR_LOAD_MMAP (1 << 24)

// Divide pair coalescence counts by each index's number of pairs
// (tskit's `pair_normalise=True`). tspar's own bit.
#define TSPAR_STAT_PAIR_NORMALISE (1 << 21)





#ifdef __cplusplus
extern "C" {
#endif // __cplusplus

// The tspar version ("MAJOR.MINOR.PATCH"), a static string.
const char *tspar_version(void);

// A static message for an error code (or "unknown error" for a code tspar
// never returns). The string lives as long as the library is loaded.
const char *tspar_strerror(int err);

// The detail of the last failed call on the calling thread: what failed and
// where (which file, key, row or argument). An empty string after a call
// that succeeded. Valid until this thread's next call into tspar.
const char *tspar_last_error_message(void);

// Makes the settings for parallel calls. `threads`: 1 runs everything on
// the calling thread (no worker threads), 0 means the default
// (`TSPAR_NUM_THREADS` if it is set to a positive integer when the library
// first needs it, read once per process; else the number of cores); at
// most 1024 (`TSPAR_ERR_BAD_PARAM_VALUE` above). `progress` (NULL: none)
// is called with `user_data` by the statistics; the other functions that
// take an exec use its thread count only. On success `*out` owns the
// handle; free it with `tspar_exec_free`.
int tspar_exec_new(tspar_size_t threads,
                   tspar_progress_func_t progress,
                   void *user_data,
                   struct tspar_exec_t **out);

// Frees settings made by `tspar_exec_new`. NULL is a no-op.
void tspar_exec_free(struct tspar_exec_t *exec);

// Makes a variant decoder on `ts` (tskit's `tsk_variant_init`).
// `samples`: the nodes to decode, in output order, each at most once; any
// node may be given (NULL: the samples, `num_samples` ignored).
// `alleles`: NULL (each site's alleles are its ancestral state, then its
// mutations' derived states in order of appearance), or a NULL-terminated
// list of NUL-terminated strings used for every site
// (`TSPAR_ERR_ALLELE_NOT_FOUND` at a site with a state not in it).
// `options`: `TSPAR_ISOLATED_NOT_MISSING`. On success `*out` owns the
// decoder (free it with `tspar_variant_free`); it keeps the tree
// sequence's data alive.
int tspar_variant_new(const struct tspar_treeseq_t *ts,
                      const tspar_id_t *samples,
                      tspar_size_t num_samples,
                      const char *const *alleles,
                      tspar_flags_t options,
                      struct tspar_variant_t **out);

// Frees a variant decoder. NULL is a no-op.
void tspar_variant_free(struct tspar_variant_t *variant);

// Decodes site `site` (any order; walking the sites in order is cheapest).
int tspar_variant_decode(struct tspar_variant_t *variant,
                         tspar_id_t site);

// The last decoded site: its id, the genotypes (`*num_samples` of them,
// `TSPAR_MISSING_DATA` for missing), the alleles (`*num_alleles` strings,
// allele `j` being `allele_data[allele_offsets[j]..allele_offsets[j + 1]]`,
// not NUL-terminated) and whether any genotype is missing. Any out-pointer
// may be NULL. The pointers stay valid until the next decode or the free.
// `TSPAR_ERR_BAD_PARAM_VALUE` before the first successful decode.
int tspar_variant_get(struct tspar_variant_t *variant,
                      tspar_id_t *site,
                      const int32_t **genotypes,
                      tspar_size_t *num_samples,
                      const char **allele_data,
                      const tspar_size_t **allele_offsets,
                      tspar_size_t *num_alleles,
                      int *has_missing_data);

// Fills `out`, `(site_stop - site_start) × num_samples` elements of
// `dtype` (`TSPAR_DTYPE_INT8`, `TSPAR_DTYPE_INT16` or `TSPAR_DTYPE_INT32`),
// row by site, with the genotypes of sites `site_start..site_stop`, as
// `tspar_variant_t` decodes them (samples, alleles and options as
// `tspar_variant_new`). A site with more alleles than `dtype` holds is
// `TSPAR_ERR_TOO_MANY_ALLELES`. Sites are decoded in parallel on `exec`'s
// threads (NULL: the default), with the same result for every count;
// cancellable through `exec`'s progress callback. `out_length` counts
// elements.
int tspar_treeseq_genotype_matrix(const struct tspar_treeseq_t *ts,
                                  const tspar_id_t *samples,
                                  tspar_size_t num_samples,
                                  const char *const *alleles,
                                  tspar_size_t site_start,
                                  tspar_size_t site_stop,
                                  tspar_flags_t options,
                                  int dtype,
                                  const struct tspar_exec_t *exec,
                                  void *out,
                                  tspar_size_t out_length);

// Fills `out`, `num_samples × (site_stop - site_start)` bytes, row by
// sample, with each sample's haplotype over sites `site_start..site_stop`
// as tskit's `haplotypes()`: each site's allele as one ASCII character,
// `missing_data_character` for missing data. An allele that is not one
// ASCII character is `TSPAR_ERR_MULTI_CHARACTER_ALLELE`, one equal to
// `missing_data_character` is `TSPAR_ERR_MISSING_CHARACTER_CLASH`.
// Samples and options as `tspar_variant_new`; parallel as
// `tspar_treeseq_genotype_matrix`. The rows are not NUL-terminated.
int tspar_treeseq_haplotypes(const struct tspar_treeseq_t *ts,
                             const tspar_id_t *samples,
                             tspar_size_t num_samples,
                             tspar_size_t site_start,
                             tspar_size_t site_stop,
                             tspar_flags_t options,
                             char missing_data_character,
                             const struct tspar_exec_t *exec,
                             char *out,
                             tspar_size_t out_length);

// Writes the tree sequence as VCF to the file `path`, as tskit 1.0.3's
// `write_vcf` with the arguments in `options` (NULL: tskit's defaults)
// writes it — the same bytes but the `##source` line — optionally
// BGZF-compressed (`TSPAR_VCF_BGZF`). Sites are decoded in parallel on
// `exec`'s threads (NULL: the default): with n >= 2 threads, the calling
// thread writes while n - 1 others decode the next sites (BGZF: n decode
// and compress); the bytes are the same for every count. The file is
// written under a temporary name and renamed over `path` once complete,
// so a failed write leaves an existing file as it was. Errors as
// tskit's: `TSPAR_ERR_VCF_POSITION_ZERO`, `TSPAR_ERR_VCF_TOO_MANY_ALLELES`
// (more than 9 alleles at a written site), `TSPAR_ERR_VCF_NO_SAMPLES`,
// `TSPAR_ERR_VCF_BAD_INDIVIDUALS`.
int tspar_treeseq_write_vcf(const struct tspar_treeseq_t *ts,
                            const char *path,
                            const struct tspar_vcf_options_t *options,
                            const struct tspar_exec_t *exec);

// As `tspar_treeseq_write_vcf`, handing the bytes, in order and in
// pieces of up to about a megabyte, to `write` (called on the calling
// thread only) instead of writing a file. A non-zero return from `write`
// stops with `TSPAR_ERR_IO`.
int tspar_treeseq_write_vcf_stream(const struct tspar_treeseq_t *ts,
                                   tspar_write_func_t write,
                                   void *user_data,
                                   const struct tspar_vcf_options_t *options,
                                   const struct tspar_exec_t *exec);

// Sorts the tables into tskit's canonical order: edges from row
// `edge_start` on by (time of parent, parent, child, left); migrations by
// (time, source, dest, left, node); sites by position; mutations by site,
// then known time (older first), parents before children. Individuals keep
// their order. The edge indexes are dropped. Runs on `exec`'s threads
// (NULL: the default, `TSPAR_NUM_THREADS` else all cores); the result is
// the same for every count. Options: `TSPAR_NO_CHECK_INTEGRITY` skips the
// integrity check, but the ids the sort indexes by (edge parents from
// `edge_start` on, mutation sites, nodes and parents) are still checked:
// a bad one gives `TSPAR_ERR_NODE_OUT_OF_BOUNDS`, `_SITE_OUT_OF_BOUNDS` or
// `_MUTATION_OUT_OF_BOUNDS`. On failure the tables are unchanged.
int tspar_tables_sort(struct tspar_tables_t *tables,
                      tspar_size_t edge_start,
                      tspar_flags_t options,
                      const struct tspar_exec_t *exec);

// Checks the tables with tskit's conditions (`TSPAR_CHECK_*` flags; 0 checks
// references and values only). Returns the number of trees when
// `TSPAR_CHECK_TREES` (or `TSPAR_CHECK_MUTATION_PARENTS`) is given, else 0;
// or a negative code naming the first problem found.
tspar_id_t tspar_tables_check_integrity(const struct tspar_tables_t *tables,
                                        tspar_flags_t options);

// Builds the edge indexes (the edges must be sorted) on `exec`'s threads
// (NULL: the default); the result is the same for every count. `options`
// must be 0.
int tspar_tables_build_index(struct tspar_tables_t *tables,
                             tspar_flags_t options,
                             const struct tspar_exec_t *exec);

// Sets the mutation parent column from the trees (the tables must be
// sorted and indexed). `options` must be 0.
int tspar_tables_compute_mutation_parents(struct tspar_tables_t *tables,
                                          tspar_flags_t options);

// Removes every site at the same position as the site before it, keeping
// the first, and points its mutations at the kept site. The sites must be
// sorted. `options` must be 0.
int tspar_tables_deduplicate_sites(struct tspar_tables_t *tables,
                                   tspar_flags_t options);

// tskit's `mean_descendants`: for each node and reference set, the mean
// number of the set's nodes at or below the node, over the part of the
// genome where the node is an ancestor of (or is) any reference node.
// Reference sets must be disjoint (`TSPAR_ERR_DUPLICATE_SAMPLE`).
// `options` must be 0. Output `[node][set]`, `num_nodes × num_reference_sets`.
int tspar_treeseq_mean_descendants(const struct tspar_treeseq_t *ts,
                                   tspar_size_t num_reference_sets,
                                   const tspar_size_t *reference_set_sizes,
                                   const tspar_id_t *reference_sets,
                                   tspar_flags_t options,
                                   const struct tspar_exec_t *exec,
                                   double *result,
                                   tspar_size_t result_length);

// tskit's `genealogical_nearest_neighbours`: for each focal node and
// reference set, the span-weighted mean fraction of the focal node's
// nearest neighbours in that set. Reference sets must be disjoint.
// Parallel over the genome on `exec`'s threads, the same result for
// every count. `options` must be 0. Output `[focal][set]`.
int tspar_treeseq_genealogical_nearest_neighbours(const struct tspar_treeseq_t *ts,
                                                  tspar_size_t num_focal,
                                                  const tspar_id_t *focal,
                                                  tspar_size_t num_reference_sets,
                                                  const tspar_size_t *reference_set_sizes,
                                                  const tspar_id_t *reference_sets,
                                                  tspar_flags_t options,
                                                  const struct tspar_exec_t *exec,
                                                  double *result,
                                                  tspar_size_t result_length);

// tskit's `trait_linear_model`: for each trait (a column of the
// `[sample][trait]` `weights`), the squared regression coefficient of the
// trait on genotype with the `[sample][covariate]` `covariates` (NULL or
// `num_covariates` 0: none) accounted for; as tskit, a column of ones is
// added to the covariates when they stay independent, and dependent
// covariates are `TSPAR_ERR_BAD_PARAM_VALUE`. Modes, windows, options and
// output as `tspar_treeseq_trait_covariance`.
int tspar_treeseq_trait_linear_model(const struct tspar_treeseq_t *ts,
                                     tspar_size_t num_weights,
                                     const double *weights,
                                     tspar_size_t num_covariates,
                                     const double *covariates,
                                     tspar_size_t num_windows,
                                     const double *windows,
                                     tspar_flags_t options,
                                     const struct tspar_exec_t *exec,
                                     double *result,
                                     tspar_size_t result_length);

// Makes a statistic call to split into parts: the statistic `statistic`
// (a `TSPAR_STATISTIC_*` id) with the arguments of its own function. A
// statistic of sample sets takes `num_sample_sets`, `sample_set_sizes` and
// `sample_sets` (then `num_weights` is 0 and `weights` NULL); one of
// weights takes `num_weights` columns of `[sample][column]` `weights`
// (then `num_sample_sets` is 0); a k-way statistic and weighted
// relatedness take `num_index_tuples` tuples of `index_tuples` (the others
// 0 and NULL). Windows and options as for the statistic's own function.
//
// `part_work` is the size of a part in units of work (edge changes plus
// sites); 0 means the size that the statistic's own function cuts its work
// into, and then combining the parts gives exactly its bits. A smaller size
// gives more parts (for many processes), which combine to the bits of
// `tspar_stat_call_run` on the same call (not to the statistic's own
// function, whose sums are cut elsewhere).
//
// The arguments are checked here as the statistic checks them (the same
// error codes) and copied: the caller's arrays may be freed once this
// returns. Finding the parts walks the tree sequence's tree boundaries
// once. On success `*out` owns the call; free it with
// `tspar_stat_call_free`.
int tspar_stat_call_new(const struct tspar_treeseq_t *ts,
                        uint32_t statistic,
                        tspar_size_t num_sample_sets,
                        const tspar_size_t *sample_set_sizes,
                        const tspar_id_t *sample_sets,
                        tspar_size_t num_weights,
                        const double *weights,
                        tspar_size_t num_index_tuples,
                        const tspar_id_t *index_tuples,
                        tspar_size_t num_windows,
                        const double *windows,
                        tspar_flags_t options,
                        tspar_size_t part_work,
                        struct tspar_stat_call_t **out);

// Frees a call made by `tspar_stat_call_new`. NULL is a no-op.
void tspar_stat_call_free(struct tspar_stat_call_t *call);

// The number of parts of the call, into `*num_parts`: parts are numbered
// from 0, and every process that makes the same call on the same file gets
// the same number and the same parts. It depends on the tree sequence, the
// windows and `part_work`, never on threads or processes.
int tspar_stat_call_num_parts(const struct tspar_stat_call_t *call,
                              tspar_size_t *num_parts);

// The number of values of the call's result (what the statistic's own
// function writes), into `*length`.
int tspar_stat_call_result_length(const struct tspar_stat_call_t *call,
                                  tspar_size_t *length);

// The length in bytes of parts `start` to `end` (exclusive) as
// `tspar_stat_call_compute` writes them, into `*num_bytes`, without
// computing them. `TSPAR_ERR_BAD_PART_RANGE` unless `start <= end <=
// num_parts`.
int tspar_stat_call_part_bytes(const struct tspar_stat_call_t *call,
                               tspar_size_t start,
                               tspar_size_t end,
                               tspar_size_t *num_bytes);

// Computes parts `start` to `end` (exclusive) into `bytes`, which holds
// `bytes_length` bytes: exactly `tspar_stat_call_part_bytes` of them are
// written (`TSPAR_ERR_BUFFER_TOO_SMALL` if fewer fit, before anything is
// computed). The bytes are the parts' unreduced sums behind a header
// (the 8 bytes `TSPARPRT`, format version, tspar version, statistic,
// fingerprints of the tree sequence and of the arguments, the result's
// length and windows, the part range): they may travel over any transport
// and be combined by another process with `tspar_stat_call_combine`. The
// same parts give the same bytes whatever `exec`'s thread count. Progress
// and cancelling as for the statistics.
int tspar_stat_call_compute(const struct tspar_stat_call_t *call,
                            tspar_size_t start,
                            tspar_size_t end,
                            const struct tspar_exec_t *exec,
                            uint8_t *bytes,
                            tspar_size_t bytes_length);

// Combines parts into the call's result: `num_buffers` buffers, buffer `i`
// at `buffers[i]` with `buffer_lengths[i]` bytes, each as
// `tspar_stat_call_compute` wrote it for this call (in this process or
// another). Together they must hold every part exactly once, in any
// grouping and any order; the result is then bit for bit that of
// `tspar_stat_call_run` (and, with `part_work` 0, of the statistic's own
// function) at every thread count. Refused, writing nothing:
// `TSPAR_ERR_PARTS_FORMAT` (not part bytes, truncated, damaged),
// `TSPAR_ERR_PARTS_VERSION` (another tspar version or format),
// `TSPAR_ERR_PARTS_OTHER_CALL` (another statistic, or other arguments,
// windows, options or part size), `TSPAR_ERR_PARTS_OTHER_TREE_SEQUENCE`,
// `TSPAR_ERR_PARTS_OVERLAP` (a part twice), `TSPAR_ERR_PARTS_MISSING`; the
// message names the buffer. The result goes into `result` as the
// statistic's own function writes it (`tspar_stat_call_result_length`
// values).
int tspar_stat_call_combine(const struct tspar_stat_call_t *call,
                            tspar_size_t num_buffers,
                            const uint8_t *const *buffers,
                            const tspar_size_t *buffer_lengths,
                            const struct tspar_exec_t *exec,
                            double *result,
                            tspar_size_t result_length);

// Runs the whole call at once into `result` (`tspar_stat_call_result_length`
// values): the bits every combination of its parts gives.
int tspar_stat_call_run(const struct tspar_stat_call_t *call,
                        const struct tspar_exec_t *exec,
                        double *result,
                        tspar_size_t result_length);

// Simplifies the tables in place to the history of the given samples, with
// tskit's algorithm and result (`tsk_table_collection_simplify`).
//
// `samples` lists `num_samples` node ids, which become output nodes
// 0..num_samples-1 in that order; NULL means the nodes that currently have
// `TSPAR_NODE_IS_SAMPLE` (and `num_samples` is ignored). Options are the
// `TSPAR_SIMPLIFY_*` bits; any other bit is `TSPAR_ERR_BAD_OPTIONS`. If
// `node_map` is not NULL it must hold at least as many entries as there are
// input nodes (else `TSPAR_ERR_BUFFER_TOO_SMALL`); on success entry `u` is
// the output id of input node `u`, or `TSPAR_NULL`.
//
// The input needs edges sorted as tskit requires, sorted sites without
// duplicates, no edge metadata and no migrations. Errors include
// `TSPAR_ERR_NODE_OUT_OF_BOUNDS` and `TSPAR_ERR_DUPLICATE_SAMPLE` for bad
// samples, `TSPAR_ERR_KEEP_UNARY_MUTUALLY_EXCLUSIVE`,
// `TSPAR_ERR_CANT_PROCESS_EDGES_WITH_METADATA`,
// `TSPAR_ERR_SIMPLIFY_MIGRATIONS_NOT_SUPPORTED` and the integrity errors.
// On any error the tables and `node_map` are unchanged. The edge indexes
// are dropped, as tskit does. Large tables are simplified on `exec`'s
// threads (NULL: the default, `TSPAR_NUM_THREADS` else all cores), pieces
// of the genome at once; the result is the same for every count.
int tspar_tables_simplify(struct tspar_tables_t *tables,
                          const tspar_id_t *samples,
                          tspar_size_t num_samples,
                          tspar_flags_t options,
                          const struct tspar_exec_t *exec,
                          tspar_id_t *node_map,
                          tspar_size_t node_map_length);

// Writes the current number of rows of every table to `*out`.
int tspar_tables_record_num_rows(const struct tspar_tables_t *tables,
                                 struct tspar_bookmark_t *out);

// Cuts every table back to the row counts in `*bookmark` (ragged columns
// included) and drops the edge indexes. A count larger than a table gives
// `TSPAR_ERR_BAD_TABLE_POSITION` and changes nothing.
int tspar_tables_truncate(struct tspar_tables_t *tables,
                          const struct tspar_bookmark_t *bookmark);

// Mean pairwise difference within each sample set (tskit's diversity).
// Output `[window][set]` (node mode `[window][node][set]`).
int tspar_treeseq_diversity(const struct tspar_treeseq_t *ts,
                            tspar_size_t num_sample_sets,
                            const tspar_size_t *sample_set_sizes,
                            const tspar_id_t *sample_sets,
                            tspar_size_t num_windows,
                            const double *windows,
                            tspar_flags_t options,
                            const struct tspar_exec_t *exec,
                            double *result,
                            tspar_size_t result_length);

// Segregating sites (site mode) or the branch/node analogue, per set.
int tspar_treeseq_segregating_sites(const struct tspar_treeseq_t *ts,
                                    tspar_size_t num_sample_sets,
                                    const tspar_size_t *sample_set_sizes,
                                    const tspar_id_t *sample_sets,
                                    tspar_size_t num_windows,
                                    const double *windows,
                                    tspar_flags_t options,
                                    const struct tspar_exec_t *exec,
                                    double *result,
                                    tspar_size_t result_length);

// tskit's Y1 per sample set.
int tspar_treeseq_Y1(const struct tspar_treeseq_t *ts,
                     tspar_size_t num_sample_sets,
                     const tspar_size_t *sample_set_sizes,
                     const tspar_id_t *sample_sets,
                     tspar_size_t num_windows,
                     const double *windows,
                     tspar_flags_t options,
                     const struct tspar_exec_t *exec,
                     double *result,
                     tspar_size_t result_length);

// Tajima's D per sample set, from diversity and segregating sites not
// span-normalised (as tskit's Python; the span-normalise bit is ignored).
// NaN where the denominator is zero (no segregating sites, or fewer than
// four samples), where tskit gives NaN or ±inf as its numerator rounds.
int tspar_treeseq_Tajimas_D(const struct tspar_treeseq_t *ts,
                            tspar_size_t num_sample_sets,
                            const tspar_size_t *sample_set_sizes,
                            const tspar_id_t *sample_sets,
                            tspar_size_t num_windows,
                            const double *windows,
                            tspar_flags_t options,
                            const struct tspar_exec_t *exec,
                            double *result,
                            tspar_size_t result_length);

// Mean divergence between pairs of sample sets given by index pairs
// (within a set: over distinct pairs). Output `[window][pair]`.
int tspar_treeseq_divergence(const struct tspar_treeseq_t *ts,
                             tspar_size_t num_sample_sets,
                             const tspar_size_t *sample_set_sizes,
                             const tspar_id_t *sample_sets,
                             tspar_size_t num_index_tuples,
                             const tspar_id_t *index_tuples,
                             tspar_size_t num_windows,
                             const double *windows,
                             tspar_flags_t options,
                             const struct tspar_exec_t *exec,
                             double *result,
                             tspar_size_t result_length);

// Fst between pairs: `1 - 2 (d_i + d_j) / (d_i + d_j + 2 d_ij)` (tskit's Python).
int tspar_treeseq_Fst(const struct tspar_treeseq_t *ts,
                      tspar_size_t num_sample_sets,
                      const tspar_size_t *sample_set_sizes,
                      const tspar_id_t *sample_sets,
                      tspar_size_t num_index_tuples,
                      const tspar_id_t *index_tuples,
                      tspar_size_t num_windows,
                      const double *windows,
                      tspar_flags_t options,
                      const struct tspar_exec_t *exec,
                      double *result,
                      tspar_size_t result_length);

// tskit's Y2 for index pairs.
int tspar_treeseq_Y2(const struct tspar_treeseq_t *ts,
                     tspar_size_t num_sample_sets,
                     const tspar_size_t *sample_set_sizes,
                     const tspar_id_t *sample_sets,
                     tspar_size_t num_index_tuples,
                     const tspar_id_t *index_tuples,
                     tspar_size_t num_windows,
                     const double *windows,
                     tspar_flags_t options,
                     const struct tspar_exec_t *exec,
                     double *result,
                     tspar_size_t result_length);

// tskit's f2 for index pairs.
int tspar_treeseq_f2(const struct tspar_treeseq_t *ts,
                     tspar_size_t num_sample_sets,
                     const tspar_size_t *sample_set_sizes,
                     const tspar_id_t *sample_sets,
                     tspar_size_t num_index_tuples,
                     const tspar_id_t *index_tuples,
                     tspar_size_t num_windows,
                     const double *windows,
                     tspar_flags_t options,
                     const struct tspar_exec_t *exec,
                     double *result,
                     tspar_size_t result_length);

// Genetic relatedness for index pairs; options `TSPAR_STAT_NONCENTRED`,
// `TSPAR_STAT_PROPORTION`, `TSPAR_STAT_POLARISED` (tskit Python's
// default is polarised, centred, proportion).
int tspar_treeseq_genetic_relatedness(const struct tspar_treeseq_t *ts,
                                      tspar_size_t num_sample_sets,
                                      const tspar_size_t *sample_set_sizes,
                                      const tspar_id_t *sample_sets,
                                      tspar_size_t num_index_tuples,
                                      const tspar_id_t *index_tuples,
                                      tspar_size_t num_windows,
                                      const double *windows,
                                      tspar_flags_t options,
                                      const struct tspar_exec_t *exec,
                                      double *result,
                                      tspar_size_t result_length);

// tskit's Y3 for index triples.
int tspar_treeseq_Y3(const struct tspar_treeseq_t *ts,
                     tspar_size_t num_sample_sets,
                     const tspar_size_t *sample_set_sizes,
                     const tspar_id_t *sample_sets,
                     tspar_size_t num_index_tuples,
                     const tspar_id_t *index_tuples,
                     tspar_size_t num_windows,
                     const double *windows,
                     tspar_flags_t options,
                     const struct tspar_exec_t *exec,
                     double *result,
                     tspar_size_t result_length);

// tskit's f3 for index triples.
int tspar_treeseq_f3(const struct tspar_treeseq_t *ts,
                     tspar_size_t num_sample_sets,
                     const tspar_size_t *sample_set_sizes,
                     const tspar_id_t *sample_sets,
                     tspar_size_t num_index_tuples,
                     const tspar_id_t *index_tuples,
                     tspar_size_t num_windows,
                     const double *windows,
                     tspar_flags_t options,
                     const struct tspar_exec_t *exec,
                     double *result,
                     tspar_size_t result_length);

// tskit's f4 for index quadruples.
int tspar_treeseq_f4(const struct tspar_treeseq_t *ts,
                     tspar_size_t num_sample_sets,
                     const tspar_size_t *sample_set_sizes,
                     const tspar_id_t *sample_sets,
                     tspar_size_t num_index_tuples,
                     const tspar_id_t *index_tuples,
                     tspar_size_t num_windows,
                     const double *windows,
                     tspar_flags_t options,
                     const struct tspar_exec_t *exec,
                     double *result,
                     tspar_size_t result_length);

// Trait covariance: `weights` is `[sample][trait]` over the tree
// sequence's samples in order. Output `[window][trait]`.
int tspar_treeseq_trait_covariance(const struct tspar_treeseq_t *ts,
                                   tspar_size_t num_weights,
                                   const double *weights,
                                   tspar_size_t num_windows,
                                   const double *windows,
                                   tspar_flags_t options,
                                   const struct tspar_exec_t *exec,
                                   double *result,
                                   tspar_size_t result_length);

// Trait correlation: as trait covariance, the traits standardised.
int tspar_treeseq_trait_correlation(const struct tspar_treeseq_t *ts,
                                    tspar_size_t num_weights,
                                    const double *weights,
                                    tspar_size_t num_windows,
                                    const double *windows,
                                    tspar_flags_t options,
                                    const struct tspar_exec_t *exec,
                                    double *result,
                                    tspar_size_t result_length);

// Divergence between every pair of sample sets: `[window][K][K]`;
// diagonals over distinct pairs (0 for a one-sample set). Site and
// branch modes, not polarised. As in tskit: the windows may leave out the
// start and the end of the genome; a sample in two sets is
// `TSPAR_ERR_DUPLICATE_SAMPLE`; no sample sets give no values (K = 0).
int tspar_treeseq_divergence_matrix(const struct tspar_treeseq_t *ts,
                                    tspar_size_t num_sample_sets,
                                    const tspar_size_t *sample_set_sizes,
                                    const tspar_id_t *sample_sets,
                                    tspar_size_t num_windows,
                                    const double *windows,
                                    tspar_flags_t options,
                                    const struct tspar_exec_t *exec,
                                    double *result,
                                    tspar_size_t result_length);

// Genetic relatedness between every pair of sample sets (tskit
// Python's `genetic_relatedness_matrix`): `[window][K][K]`. Windows and
// sample sets as for `tspar_treeseq_divergence_matrix`.
int tspar_treeseq_genetic_relatedness_matrix(const struct tspar_treeseq_t *ts,
                                             tspar_size_t num_sample_sets,
                                             const tspar_size_t *sample_set_sizes,
                                             const tspar_id_t *sample_sets,
                                             tspar_size_t num_windows,
                                             const double *windows,
                                             tspar_flags_t options,
                                             const struct tspar_exec_t *exec,
                                             double *result,
                                             tspar_size_t result_length);

// Weighted genetic relatedness between pairs of weight columns
// (`weights` is `[sample][column]`). Option `TSPAR_STAT_NONCENTRED`.
int tspar_treeseq_genetic_relatedness_weighted(const struct tspar_treeseq_t *ts,
                                               tspar_size_t num_weights,
                                               const double *weights,
                                               tspar_size_t num_index_tuples,
                                               const tspar_id_t *index_tuples,
                                               tspar_size_t num_windows,
                                               const double *windows,
                                               tspar_flags_t options,
                                               const struct tspar_exec_t *exec,
                                               double *result,
                                               tspar_size_t result_length);

// The joint allele frequency spectrum of the sample sets: output
// `[window][n_0 + 1]...[n_{k-1} + 1]`. Folded unless
// `TSPAR_STAT_POLARISED`. Site and branch modes. The spectrum is written
// straight into `result` (it can be large); a call refused before it
// starts (bad arguments, short buffer) writes nothing, and one that fails
// after it started (`TSPAR_ERR_CANCELLED`, an internal error) leaves every
// value NaN, never a partial spectrum. Every other statistic writes
// `result` only on success.
int tspar_treeseq_allele_frequency_spectrum(const struct tspar_treeseq_t *ts,
                                            tspar_size_t num_sample_sets,
                                            const tspar_size_t *sample_set_sizes,
                                            const tspar_id_t *sample_sets,
                                            tspar_size_t num_windows,
                                            const double *windows,
                                            tspar_flags_t options,
                                            const struct tspar_exec_t *exec,
                                            double *result,
                                            tspar_size_t result_length);

// tskit's general statistic with the caller's summary function.
// `sample_weights` is `[sample][state_dim]` over the tree sequence's samples
// in order; output `[window][result_dim]` (node mode
// `[window][node][result_dim]`). With one thread `f` is called on the
// calling thread only (the progress callback then runs between pieces);
// with more than one, from worker threads, several at once: it must be
// thread-safe. A non-zero return from `f` stops the call with
// `TSPAR_ERR_SUMMARY_FUNC`.
int tspar_treeseq_general_stat(const struct tspar_treeseq_t *ts,
                               tspar_size_t state_dim,
                               const double *sample_weights,
                               tspar_size_t result_dim,
                               tspar_general_stat_func_t f,
                               void *f_params,
                               tspar_size_t num_windows,
                               const double *windows,
                               tspar_flags_t options,
                               const struct tspar_exec_t *exec,
                               double *result,
                               tspar_size_t result_length);

// The genetic relatedness matrix between samples times the weights, as
// tskit's `genetic_relatedness_vector`, without building the matrix:
// `weights` is `[sample][column]` with `num_weights` columns over the tree
// sequence's samples in order; output `[window][node][column]`, one row
// per focal node (`nodes`, or the samples in order when `nodes` is NULL).
//
// Branch mode: the relatedness of a node and a sample is the branch
// length above both (tskit's, polarised). Site mode (which tskit lacks):
// centred, the product equals tskit's site-mode
// `genetic_relatedness_matrix` between one-sample sets times the weights
// (`-1/2 P D P W`, `D` the number of sites at which two samples differ,
// `P` the centring); with `TSPAR_STAT_NONCENTRED` it is `1/2 M W`, `M` the
// number of sites at which two samples carry the same allele, whose
// centring is the centred product.
//
// Centred (the default): the weight columns are centred before and the
// output columns after the product. `TSPAR_STAT_NONCENTRED` leaves both
// as they are; focal `nodes` need it (as in tskit). Options
// `TSPAR_STAT_SITE` or `TSPAR_STAT_BRANCH`, `TSPAR_STAT_SPAN_NORMALISE`.
// Windows from 0 to the sequence length. Parallel over pieces of the
// genome, the same bits for every thread count, cancellable through
// `exec`. Its cost grows with the number of edges times `num_weights`,
// not with the square of the number of samples.
int tspar_treeseq_genetic_relatedness_vector(const struct tspar_treeseq_t *ts,
                                             tspar_size_t num_weights,
                                             const double *weights,
                                             tspar_size_t num_windows,
                                             const double *windows,
                                             tspar_size_t num_nodes,
                                             const tspar_id_t *nodes,
                                             tspar_flags_t options,
                                             const struct tspar_exec_t *exec,
                                             double *result,
                                             tspar_size_t result_length);

// Principal components of the genetic relatedness matrix between samples
// or individuals, as tskit's `pca`: a randomized SVD (Martinsson and
// Tropp's algorithms 8 and 9) over `tspar_treeseq_genetic_relatedness_vector`,
// never building the matrix. The relatedness is not span-normalised;
// `options`: `TSPAR_STAT_BRANCH` (tskit's only mode) or `TSPAR_STAT_SITE`,
// and `TSPAR_STAT_NONCENTRED` for tskit's `centre=False`.
//
// Subjects: `samples` (`num_samples` sample node ids), or `individuals`
// (`num_individuals` ids; each individual's nodes must be samples and its
// relatedness is the mean over its nodes), or both NULL for every sample;
// `dim` below is their number. Each window (NULL: one over the genome) is
// analysed on its own with `nv = num_components + num_oversamples`
// vectors and `num_iterations` (at least 1) power iterations, starting
// from `range_sketch` (`[window][dim][nv]`, tskit's layout) or, when it
// is NULL, from Gaussian vectors drawn from `random_seed` (tspar's own
// generator: not numpy's stream).
//
// Outputs (all required, each with its length): `factors`
// `[window][dim][num_components]` (columns of norm 1, sign arbitrary),
// `eigenvalues` `[window][num_components]` (largest first),
// `range_sketch_out` `[window][dim][nv]` (pass it back to refine), and
// `error_bound` `[window]` (tskit's bound; NaN when `num_oversamples` is
// 0). Deterministic for every thread count; cancellable through `exec`.
int tspar_treeseq_pca(const struct tspar_treeseq_t *ts,
                      tspar_size_t num_components,
                      tspar_size_t num_windows,
                      const double *windows,
                      tspar_size_t num_samples,
                      const tspar_id_t *samples,
                      tspar_size_t num_individuals,
                      const tspar_id_t *individuals,
                      tspar_flags_t options,
                      tspar_size_t num_iterations,
                      tspar_size_t num_oversamples,
                      uint64_t random_seed,
                      const double *range_sketch,
                      const struct tspar_exec_t *exec,
                      double *factors,
                      tspar_size_t factors_length,
                      double *eigenvalues,
                      tspar_size_t eigenvalues_length,
                      double *range_sketch_out,
                      tspar_size_t range_sketch_out_length,
                      double *error_bound,
                      tspar_size_t error_bound_length);

// Makes an empty table collection with the given sequence length (finite,
// not negative) and time units "unknown". On success `*out` owns the new
// handle, which the caller frees with `tspar_tables_free`; on failure
// `*out` is not written.
int tspar_tables_new(double sequence_length,
                     struct tspar_tables_t **out);

// Loads a `.trees` file (any tskit file format 12.x, 32- or 64-bit offsets).
// Options: `TSPAR_LOAD_SKIP_TABLES`, `TSPAR_LOAD_SKIP_REFERENCE_SEQUENCE`,
// `TSPAR_LOAD_MMAP` (the columns are used in place from a read-only
// mapping of the file, as for `tspar_treeseq_load`, and copied on their
// first change; the file's size is checked again before the call returns).
// Large columns are read on `exec`'s threads (NULL: the default); the
// result is the same for every count. On success `*out` owns a new handle
// (free it with `tspar_tables_free`); on failure `*out` is not written and
// the last error message names the file and what was wrong with it.
int tspar_tables_load(const char *path,
                      tspar_flags_t options,
                      const struct tspar_exec_t *exec,
                      struct tspar_tables_t **out);

// Writes the tables to a `.trees` file that tskit loads. The file is
// written beside the destination and renamed over it, so a failed dump
// leaves no partial file and an existing file as it was. Options:
// `TSPAR_DUMP_FORCE_OFFSET_64`. Other threads may read the tables
// meanwhile; writers wait until the dump ends.
int tspar_tables_dump(const struct tspar_tables_t *tables,
                      const char *path,
                      tspar_flags_t options);

// Makes an independent copy of the tables (indexes included). On success
// `*out` owns the copy (free it with `tspar_tables_free`).
int tspar_tables_copy(const struct tspar_tables_t *tables,
                      struct tspar_tables_t **out);

// Compares two table collections as tskit does: 1 if equal, 0 if not, a
// negative code on error. Options are the `TSPAR_CMP_*` bits. The edge
// indexes are not compared. Columns compare bitwise (a NaN equals the same NaN).
// Safe to call from many threads at once, in either argument order, while
// others write to either handle; `a` and `b` may be the same handle (1).
int tspar_tables_equals(const struct tspar_tables_t *a,
                        const struct tspar_tables_t *b,
                        tspar_flags_t options);

// Removes every row of every table except the provenances, and the edge
// indexes. `TSPAR_CLEAR_PROVENANCE` also clears the provenances,
// `TSPAR_CLEAR_METADATA_SCHEMAS` the tables' metadata schemas and
// `TSPAR_CLEAR_TS_METADATA_AND_SCHEMA` the collection's metadata and schema.
int tspar_tables_clear(struct tspar_tables_t *tables,
                       tspar_flags_t options);

// Frees a handle made by `tspar_tables_new`, `_load` or `_copy`. NULL is a
// no-op. No other thread may be using the handle.
void tspar_tables_free(struct tspar_tables_t *tables);

// The number of rows of a table (`TSPAR_TABLE_*`), or a negative code.
int64_t tspar_tables_num_rows(const struct tspar_tables_t *tables,
                              int table);

// The sequence length, or a negative code (as a double).
double tspar_tables_get_sequence_length(const struct tspar_tables_t *tables);

// Sets the sequence length (finite, not negative).
int tspar_tables_set_sequence_length(struct tspar_tables_t *tables,
                                     double sequence_length);

// Reads a collection-level byte field by its file key: "time_units",
// "metadata", "metadata_schema", "reference_sequence/data",
// "reference_sequence/url", "reference_sequence/metadata",
// "reference_sequence/metadata_schema", or "<table>/metadata_schema".
// Writes the field's length to `*length` (if not NULL) and, when `buffer`
// is not NULL, copies the bytes (not NUL-terminated) into it. A buffer with
// fewer than `length` bytes gives `TSPAR_ERR_BUFFER_TOO_SMALL` and nothing
// is written.
int tspar_tables_get_field(const struct tspar_tables_t *tables,
                           const char *name,
                           char *buffer,
                           tspar_size_t buffer_length,
                           tspar_size_t *length);

// Sets a collection-level byte field (see `tspar_tables_get_field` for the
// names) to `length` bytes from `value` (NULL allowed when length is 0).
int tspar_tables_set_field(struct tspar_tables_t *tables,
                           const char *name,
                           const char *value,
                           tspar_size_t length);

// Gives a column's data type (`TSPAR_DTYPE_*`) and number of elements. The
// name is the column's key in a `.trees` file: "nodes/time",
// "edges/parent", "sites/ancestral_state", "sites/ancestral_state_offset"
// (offset columns are `TSPAR_DTYPE_UINT64` with one entry more than rows),
// "indexes/edge_insertion_order", ...
int tspar_tables_column_info(const struct tspar_tables_t *tables,
                             const char *name,
                             int *dtype,
                             tspar_size_t *length);

// Copies a column (see `tspar_tables_column_info`) into `out`, which holds
// `out_length` elements of type `dtype`. `dtype` must be the column's type
// (byte columns accept INT8 and UINT8); a buffer shorter than the column
// gives `TSPAR_ERR_BUFFER_TOO_SMALL` and nothing is written. Returns the
// number of elements copied.
int64_t tspar_tables_get_column(const struct tspar_tables_t *tables,
                                const char *name,
                                int dtype,
                                void *out,
                                tspar_size_t out_length);

// Whether the tables carry edge indexes covering every edge: 1 yes, 0 no,
// or a negative code.
int tspar_tables_has_index(const struct tspar_tables_t *tables);

// Removes the edge indexes.
int tspar_tables_drop_index(struct tspar_tables_t *tables);

// Adds an individual; returns its id or a negative code. `location`,
// `parents` and `metadata` may be NULL when their length is 0.
tspar_id_t tspar_tables_add_individual(struct tspar_tables_t *tables,
                                       tspar_flags_t flags,
                                       const double *location,
                                       tspar_size_t location_length,
                                       const tspar_id_t *parents,
                                       tspar_size_t parents_length,
                                       const char *metadata,
                                       tspar_size_t metadata_length);

// Adds a node; returns its id or a negative code. `metadata` may be NULL
// when `metadata_length` is 0.
tspar_id_t tspar_tables_add_node(struct tspar_tables_t *tables,
                                 tspar_flags_t flags,
                                 double time,
                                 tspar_id_t population,
                                 tspar_id_t individual,
                                 const char *metadata,
                                 tspar_size_t metadata_length);

// Adds an edge; returns its id or a negative code.
tspar_id_t tspar_tables_add_edge(struct tspar_tables_t *tables,
                                 double left,
                                 double right,
                                 tspar_id_t parent,
                                 tspar_id_t child,
                                 const char *metadata,
                                 tspar_size_t metadata_length);

// Adds a migration; returns its id or a negative code.
tspar_id_t tspar_tables_add_migration(struct tspar_tables_t *tables,
                                      double left,
                                      double right,
                                      tspar_id_t node,
                                      tspar_id_t source,
                                      tspar_id_t dest,
                                      double time,
                                      const char *metadata,
                                      tspar_size_t metadata_length);

// Adds a site; returns its id or a negative code.
tspar_id_t tspar_tables_add_site(struct tspar_tables_t *tables,
                                 double position,
                                 const char *ancestral_state,
                                 tspar_size_t ancestral_state_length,
                                 const char *metadata,
                                 tspar_size_t metadata_length);

// Adds a mutation; returns its id or a negative code. Pass
// `tspar_unknown_time()` as `time` when it is not known.
tspar_id_t tspar_tables_add_mutation(struct tspar_tables_t *tables,
                                     tspar_id_t site,
                                     tspar_id_t node,
                                     tspar_id_t parent,
                                     double time,
                                     const char *derived_state,
                                     tspar_size_t derived_state_length,
                                     const char *metadata,
                                     tspar_size_t metadata_length);

// Adds a population; returns its id or a negative code.
tspar_id_t tspar_tables_add_population(struct tspar_tables_t *tables,
                                       const char *metadata,
                                       tspar_size_t metadata_length);

// Adds a provenance record; returns its id or a negative code.
tspar_id_t tspar_tables_add_provenance(struct tspar_tables_t *tables,
                                       const char *timestamp,
                                       tspar_size_t timestamp_length,
                                       const char *record,
                                       tspar_size_t record_length);

// The unknown mutation time: a NaN with tskit's bit pattern.
double tspar_unknown_time(void);

// 1 if `time` is the unknown mutation time (that exact NaN), else 0.
int tspar_is_unknown_time(double time);

// Reads individual `id`. Each ragged field is copied into its buffer when
// the buffer is not NULL; a buffer too small gives
// `TSPAR_ERR_BUFFER_TOO_SMALL` and nothing is written. Call with NULL
// buffers first to learn the lengths.
int tspar_tables_get_individual(const struct tspar_tables_t *tables,
                                tspar_id_t id,
                                struct tspar_individual_t *row,
                                double *location,
                                tspar_size_t location_capacity,
                                tspar_id_t *parents,
                                tspar_size_t parents_capacity,
                                char *metadata,
                                tspar_size_t metadata_capacity);

// Reads node `id` (metadata copied when `metadata` is not NULL; see
// `tspar_tables_get_individual` for the buffer rules).
int tspar_tables_get_node(const struct tspar_tables_t *tables,
                          tspar_id_t id,
                          struct tspar_node_t *row,
                          char *metadata,
                          tspar_size_t metadata_capacity);

// Reads edge `id`.
int tspar_tables_get_edge(const struct tspar_tables_t *tables,
                          tspar_id_t id,
                          struct tspar_edge_t *row,
                          char *metadata,
                          tspar_size_t metadata_capacity);

// Reads migration `id`.
int tspar_tables_get_migration(const struct tspar_tables_t *tables,
                               tspar_id_t id,
                               struct tspar_migration_t *row,
                               char *metadata,
                               tspar_size_t metadata_capacity);

// Reads site `id`.
int tspar_tables_get_site(const struct tspar_tables_t *tables,
                          tspar_id_t id,
                          struct tspar_site_t *row,
                          char *ancestral_state,
                          tspar_size_t ancestral_state_capacity,
                          char *metadata,
                          tspar_size_t metadata_capacity);

// Reads mutation `id`.
int tspar_tables_get_mutation(const struct tspar_tables_t *tables,
                              tspar_id_t id,
                              struct tspar_mutation_t *row,
                              char *derived_state,
                              tspar_size_t derived_state_capacity,
                              char *metadata,
                              tspar_size_t metadata_capacity);

// Reads population `id`.
int tspar_tables_get_population(const struct tspar_tables_t *tables,
                                tspar_id_t id,
                                struct tspar_population_t *row,
                                char *metadata,
                                tspar_size_t metadata_capacity);

// Reads provenance `id`.
int tspar_tables_get_provenance(const struct tspar_tables_t *tables,
                                tspar_id_t id,
                                struct tspar_provenance_t *row,
                                char *timestamp,
                                tspar_size_t timestamp_capacity,
                                char *record,
                                tspar_size_t record_capacity);

// Replaces every row of the individual table with `num_rows` rows given as
// whole columns. Ragged columns are data plus `num_rows + 1` offsets
// starting at 0. Everything is checked before anything changes: a rejected
// call leaves the table as it was.
int tspar_tables_set_individuals(struct tspar_tables_t *tables,
                                 tspar_size_t num_rows,
                                 const tspar_flags_t *flags,
                                 const double *location,
                                 const tspar_size_t *location_offset,
                                 const tspar_id_t *parents,
                                 const tspar_size_t *parents_offset,
                                 const char *metadata,
                                 const tspar_size_t *metadata_offset);

// Appends `num_rows` rows to the individual table; arguments as for
// `tspar_tables_set_individuals`. Offsets are relative to the given data (starting at 0).
int tspar_tables_append_individuals(struct tspar_tables_t *tables,
                                    tspar_size_t num_rows,
                                    const tspar_flags_t *flags,
                                    const double *location,
                                    const tspar_size_t *location_offset,
                                    const tspar_id_t *parents,
                                    const tspar_size_t *parents_offset,
                                    const char *metadata,
                                    const tspar_size_t *metadata_offset);

// Replaces every row of the node table with `num_rows` rows given as
// whole columns. Ragged columns are data plus `num_rows + 1` offsets
// starting at 0. Everything is checked before anything changes: a rejected
// call leaves the table as it was. `population` and `individual` may be
// NULL (every row gets `TSPAR_NULL`); metadata and its offsets may both be NULL.
int tspar_tables_set_nodes(struct tspar_tables_t *tables,
                           tspar_size_t num_rows,
                           const tspar_flags_t *flags,
                           const double *time,
                           const tspar_id_t *population,
                           const tspar_id_t *individual,
                           const char *metadata,
                           const tspar_size_t *metadata_offset);

// Appends `num_rows` rows to the node table; arguments as for
// `tspar_tables_set_nodes`. Offsets are relative to the given data (starting at 0).
int tspar_tables_append_nodes(struct tspar_tables_t *tables,
                              tspar_size_t num_rows,
                              const tspar_flags_t *flags,
                              const double *time,
                              const tspar_id_t *population,
                              const tspar_id_t *individual,
                              const char *metadata,
                              const tspar_size_t *metadata_offset);

// Replaces every row of the edge table with `num_rows` rows given as
// whole columns. Ragged columns are data plus `num_rows + 1` offsets
// starting at 0. Everything is checked before anything changes: a rejected
// call leaves the table as it was.
int tspar_tables_set_edges(struct tspar_tables_t *tables,
                           tspar_size_t num_rows,
                           const double *left,
                           const double *right,
                           const tspar_id_t *parent,
                           const tspar_id_t *child,
                           const char *metadata,
                           const tspar_size_t *metadata_offset);

// Appends `num_rows` rows to the edge table; arguments as for
// `tspar_tables_set_edges`. Offsets are relative to the given data (starting at 0).
int tspar_tables_append_edges(struct tspar_tables_t *tables,
                              tspar_size_t num_rows,
                              const double *left,
                              const double *right,
                              const tspar_id_t *parent,
                              const tspar_id_t *child,
                              const char *metadata,
                              const tspar_size_t *metadata_offset);

// Replaces every row of the migration table with `num_rows` rows given as
// whole columns. Ragged columns are data plus `num_rows + 1` offsets
// starting at 0. Everything is checked before anything changes: a rejected
// call leaves the table as it was.
int tspar_tables_set_migrations(struct tspar_tables_t *tables,
                                tspar_size_t num_rows,
                                const double *left,
                                const double *right,
                                const tspar_id_t *node,
                                const tspar_id_t *source,
                                const tspar_id_t *dest,
                                const double *time,
                                const char *metadata,
                                const tspar_size_t *metadata_offset);

// Appends `num_rows` rows to the migration table; arguments as for
// `tspar_tables_set_migrations`. Offsets are relative to the given data (starting at 0).
int tspar_tables_append_migrations(struct tspar_tables_t *tables,
                                   tspar_size_t num_rows,
                                   const double *left,
                                   const double *right,
                                   const tspar_id_t *node,
                                   const tspar_id_t *source,
                                   const tspar_id_t *dest,
                                   const double *time,
                                   const char *metadata,
                                   const tspar_size_t *metadata_offset);

// Replaces every row of the site table with `num_rows` rows given as
// whole columns. Ragged columns are data plus `num_rows + 1` offsets
// starting at 0. Everything is checked before anything changes: a rejected
// call leaves the table as it was.
int tspar_tables_set_sites(struct tspar_tables_t *tables,
                           tspar_size_t num_rows,
                           const double *position,
                           const char *ancestral_state,
                           const tspar_size_t *ancestral_state_offset,
                           const char *metadata,
                           const tspar_size_t *metadata_offset);

// Appends `num_rows` rows to the site table; arguments as for
// `tspar_tables_set_sites`. Offsets are relative to the given data (starting at 0).
int tspar_tables_append_sites(struct tspar_tables_t *tables,
                              tspar_size_t num_rows,
                              const double *position,
                              const char *ancestral_state,
                              const tspar_size_t *ancestral_state_offset,
                              const char *metadata,
                              const tspar_size_t *metadata_offset);

// Replaces every row of the mutation table with `num_rows` rows given as
// whole columns. Ragged columns are data plus `num_rows + 1` offsets
// starting at 0. Everything is checked before anything changes: a rejected
// call leaves the table as it was. `parent` may be NULL (every row gets
// `TSPAR_NULL`) and `time` NULL (every row gets the unknown time).
int tspar_tables_set_mutations(struct tspar_tables_t *tables,
                               tspar_size_t num_rows,
                               const tspar_id_t *site,
                               const tspar_id_t *node,
                               const tspar_id_t *parent,
                               const double *time,
                               const char *derived_state,
                               const tspar_size_t *derived_state_offset,
                               const char *metadata,
                               const tspar_size_t *metadata_offset);

// Appends `num_rows` rows to the mutation table; arguments as for
// `tspar_tables_set_mutations`. Offsets are relative to the given data (starting at 0).
int tspar_tables_append_mutations(struct tspar_tables_t *tables,
                                  tspar_size_t num_rows,
                                  const tspar_id_t *site,
                                  const tspar_id_t *node,
                                  const tspar_id_t *parent,
                                  const double *time,
                                  const char *derived_state,
                                  const tspar_size_t *derived_state_offset,
                                  const char *metadata,
                                  const tspar_size_t *metadata_offset);

// Replaces every row of the population table with `num_rows` rows given as
// whole columns. Ragged columns are data plus `num_rows + 1` offsets
// starting at 0. Everything is checked before anything changes: a rejected
// call leaves the table as it was.
int tspar_tables_set_populations(struct tspar_tables_t *tables,
                                 tspar_size_t num_rows,
                                 const char *metadata,
                                 const tspar_size_t *metadata_offset);

// Appends `num_rows` rows to the population table; arguments as for
// `tspar_tables_set_populations`. Offsets are relative to the given data (starting at 0).
int tspar_tables_append_populations(struct tspar_tables_t *tables,
                                    tspar_size_t num_rows,
                                    const char *metadata,
                                    const tspar_size_t *metadata_offset);

// Replaces every row of the provenance table with `num_rows` rows given as
// whole columns. Ragged columns are data plus `num_rows + 1` offsets
// starting at 0. Everything is checked before anything changes: a rejected
// call leaves the table as it was.
int tspar_tables_set_provenances(struct tspar_tables_t *tables,
                                 tspar_size_t num_rows,
                                 const char *timestamp,
                                 const tspar_size_t *timestamp_offset,
                                 const char *record,
                                 const tspar_size_t *record_offset);

// Appends `num_rows` rows to the provenance table; arguments as for
// `tspar_tables_set_provenances`. Offsets are relative to the given data (starting at 0).
int tspar_tables_append_provenances(struct tspar_tables_t *tables,
                                    tspar_size_t num_rows,
                                    const char *timestamp,
                                    const tspar_size_t *timestamp_offset,
                                    const char *record,
                                    const tspar_size_t *record_offset);

// Makes a tree sequence from a copy of the tables, validated as tskit
// validates a tree sequence (the tree and mutation-parent checks
// included). Options: `TSPAR_TS_INIT_BUILD_INDEXES`,
// `TSPAR_TS_INIT_COMPUTE_MUTATION_PARENTS`. Runs on `exec`'s threads
// (NULL: the default); the result is the same for every count. On success
// `*out` owns the new handle (free it with `tspar_treeseq_free`); the
// tables are not changed.
int tspar_treeseq_from_tables(const struct tspar_tables_t *tables,
                              tspar_flags_t options,
                              const struct tspar_exec_t *exec,
                              struct tspar_treeseq_t **out);

// Loads a `.trees` file as a tree sequence (validated as by
// `tspar_treeseq_from_tables`, with the same options), on `exec`'s
// threads (NULL: the default). On success `*out` owns the new handle.
//
// With `TSPAR_LOAD_MMAP` in `options` the file is mapped read-only and
// the columns are used in place where the file's layout allows (kastore
// aligns arrays to 8 bytes; `uint32` offset columns are widened into
// private memory), the edge indexes included; what the tree sequence
// derives (tree boundaries, tree and site starts, samples) is built in
// private memory. Processes that map the same file share its pages. The
// tree cursor and the statistics then read each edge's parent and child
// through the mapped index instead of from the (parent, child) pairs in
// index order that a copying load gathers (16 bytes an edge): less
// private memory, at the cost of scattered reads (statistics that walk
// the edges were up to 1.5 times slower in bench/bench_mmap.py). The same checks run as without the option, on the mapped bytes,
// before the call returns: a damaged file gets the same error. The file's
// size is checked after mapping and after the checks; a change fails with
// `TSPAR_ERR_FILE_CHANGED`. After the load: replacing the file by a rename
// (as `tspar_tables_dump` does) is safe, the handle keeps the old
// contents; truncating the file or writing into it in place while a handle
// maps it is not, and makes this process get SIGBUS (or see the changed
// bytes) when it next reads those pages, as with any mapped file. Column
// pointers are into the mapping and stay valid until the handle and every
// cursor and table copy using them are freed. Tables copied out of the
// handle (`tspar_treeseq_copy_tables`) are copied on their first change.
int tspar_treeseq_load(const char *path,
                       tspar_flags_t options,
                       const struct tspar_exec_t *exec,
                       struct tspar_treeseq_t **out);

// Writes the tree sequence to a `.trees` file (as `tspar_tables_dump`).
int tspar_treeseq_dump(const struct tspar_treeseq_t *ts,
                       const char *path,
                       tspar_flags_t options);

// Frees a tree sequence. NULL is a no-op. Cursors made from it stay usable
// (they keep the data alive) until they are freed.
void tspar_treeseq_free(struct tspar_treeseq_t *ts);

// Copies the tree sequence's tables into a new tables handle (`*out`,
// freed with `tspar_tables_free`).
int tspar_treeseq_copy_tables(const struct tspar_treeseq_t *ts,
                              struct tspar_tables_t **out);

// The number of trees, or a negative code.
int64_t tspar_treeseq_num_trees(const struct tspar_treeseq_t *ts);

// The number of sample nodes, or a negative code.
int64_t tspar_treeseq_num_samples(const struct tspar_treeseq_t *ts);

// The number of nodes, or a negative code.
int64_t tspar_treeseq_num_nodes(const struct tspar_treeseq_t *ts);

// The number of edges, or a negative code.
int64_t tspar_treeseq_num_edges(const struct tspar_treeseq_t *ts);

// The number of sites, or a negative code.
int64_t tspar_treeseq_num_sites(const struct tspar_treeseq_t *ts);

// The number of mutations, or a negative code.
int64_t tspar_treeseq_num_mutations(const struct tspar_treeseq_t *ts);

// The number of rows of any table (`TSPAR_TABLE_*`), or a negative code.
int64_t tspar_treeseq_num_rows(const struct tspar_treeseq_t *ts,
                               int table);

// The sequence length, or a negative code (as a double).
double tspar_treeseq_sequence_length(const struct tspar_treeseq_t *ts);

// The sample node ids in increasing order: `tspar_treeseq_num_samples`
// entries, valid until the tree sequence is freed. NULL on error.
const tspar_id_t *tspar_treeseq_samples(const struct tspar_treeseq_t *ts);

// The tree boundaries: `num_trees + 1` positions from 0 to the sequence
// length, valid until the tree sequence is freed. NULL on error.
const double *tspar_treeseq_breakpoints(const struct tspar_treeseq_t *ts);

// Zero-copy access to a column by its file key (see
// `tspar_tables_column_info`): writes its type, a pointer to its data and
// its number of elements. The data stay valid and unchanged until the tree
// sequence is freed.
int tspar_treeseq_column(const struct tspar_treeseq_t *ts,
                         const char *name,
                         int *dtype,
                         const void **data,
                         tspar_size_t *length);

// Makes a cursor on `ts`, in the null state (every sample an isolated
// root). `options` must be 0. On success `*out` owns the cursor (free it
// with `tspar_tree_free`); it keeps the tree sequence's data alive, so the
// cursor may outlive `ts`'s handle. Each thread that walks trees at the
// same time as others needs a cursor of its own (see `tspar_tree_t`).
int tspar_tree_new(const struct tspar_treeseq_t *ts,
                   tspar_flags_t options,
                   struct tspar_tree_t **out);

// Frees a cursor, which ends the validity of the pointers from
// `tspar_tree_get_arrays`. NULL is a no-op.
void tspar_tree_free(struct tspar_tree_t *tree);

// Moves to the first tree. Returns 1 (on a tree) or a negative code.
int tspar_tree_first(struct tspar_tree_t *tree);

// Moves to the last tree. Returns 1 (on a tree) or a negative code.
int tspar_tree_last(struct tspar_tree_t *tree);

// Moves to the next tree (from the null state: the first). Returns 1 on a
// tree, 0 after the last tree (the cursor is then in the null state), or a
// negative code.
int tspar_tree_next(struct tspar_tree_t *tree);

// Moves to the previous tree (from the null state: the last). Returns 1 on
// a tree, 0 before the first tree (null state), or a negative code.
int tspar_tree_prev(struct tspar_tree_t *tree);

// Moves to the tree covering `position` (0 <= position < L, else
// `TSPAR_ERR_SEEK_OUT_OF_BOUNDS`). `options` must be 0. Returns 1.
int tspar_tree_seek(struct tspar_tree_t *tree,
                    double position,
                    tspar_flags_t options);

// Moves to tree `index` (< num_trees, else `TSPAR_ERR_SEEK_OUT_OF_BOUNDS`).
// `options` must be 0. Returns 1.
int tspar_tree_seek_index(struct tspar_tree_t *tree,
                          tspar_size_t index,
                          tspar_flags_t options);

// Writes the current tree's index (-1 in the null state) and interval
// `[left, right)` ((0, 0) in the null state). Any out-pointer may be NULL.
int tspar_tree_get_interval(const struct tspar_tree_t *tree,
                            int64_t *index,
                            double *left,
                            double *right);

// Fills `*arrays` with pointers to the cursor's arrays: valid until the
// cursor is freed, contents those of the current tree until the cursor's
// next move (see `tspar_tree_arrays_t`). The only function that hands out
// pointers into a cursor; the others copy into the caller's buffers.
int tspar_tree_get_arrays(const struct tspar_tree_t *tree,
                          struct tspar_tree_arrays_t *arrays);

// Writes the roots, left to right, into `out`; returns how many.
int64_t tspar_tree_get_roots(const struct tspar_tree_t *tree,
                             tspar_id_t *out,
                             tspar_size_t out_length);

// Writes the nodes below `node` in preorder (the virtual root: the whole
// tree, without the virtual root itself); returns how many. A buffer of
// num_nodes entries always suffices.
int64_t tspar_tree_preorder(const struct tspar_tree_t *tree,
                            tspar_id_t node,
                            tspar_id_t *out,
                            tspar_size_t out_length);

// Writes the nodes below `node` in postorder; returns how many.
int64_t tspar_tree_postorder(const struct tspar_tree_t *tree,
                             tspar_id_t node,
                             tspar_id_t *out,
                             tspar_size_t out_length);

// Writes the most recent common ancestor of `u` and `v` (-1 if none).
int tspar_tree_get_mrca(const struct tspar_tree_t *tree,
                        tspar_id_t u,
                        tspar_id_t v,
                        tspar_id_t *mrca);

// Writes the length of the branch above `node` (0 for a root).
int tspar_tree_get_branch_length(const struct tspar_tree_t *tree,
                                 tspar_id_t node,
                                 double *length);

// Writes the total branch length below `node` (the virtual root: the whole tree).
int tspar_tree_get_total_branch_length(const struct tspar_tree_t *tree,
                                       tspar_id_t node,
                                       double *length);

// Writes the current tree's site ids as the range `[*start, *stop)` and its
// mutation ids as `[*mutation_start, *mutation_stop)` (empty in the null
// state). Any out-pointer may be NULL.
int tspar_tree_get_sites(const struct tspar_tree_t *tree,
                         tspar_id_t *start,
                         tspar_id_t *stop,
                         tspar_id_t *mutation_start,
                         tspar_id_t *mutation_stop);

// A two-locus statistic between row and column loci, as tskit's Python
// `ld_matrix` (tskit's C `tsk_treeseq_r2` and kin, one function with a
// `stat` code `TSPAR_LD_*`).
//
// Site mode (`TSPAR_STAT_SITE` or no mode): `row_sites` and `col_sites`
// are site ids, each list strictly increasing; NULL means every site (the
// count is then ignored). Branch mode (`TSPAR_STAT_BRANCH`): `row_positions`
// and `col_positions` are genome positions in [0, L), strictly increasing;
// NULL means the left end of every tree. The other mode's lists must be
// NULL.
//
// `num_index_tuples` = 0: one matrix per sample set. Otherwise
// `index_tuples` holds that many pairs of sample set indexes and there is
// one matrix per pair (only `TSPAR_LD_R2`, `TSPAR_LD_D2` and
// `TSPAR_LD_D2_UNBIASED` have a two-way form; the others give
// `TSPAR_ERR_TWO_WAY_UNSUPPORTED`, fewer than two sample sets
// `TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS`). Sample sets may overlap; a sample
// twice in one set is `TSPAR_ERR_DUPLICATE_SAMPLE`.
//
// Output `[index][row][col]` (index: the sample set, or the index pair)
// into `result`, which must hold at least that many values
// (`TSPAR_ERR_BUFFER_TOO_SMALL`). Unsorted or repeated sites are
// `TSPAR_ERR_STAT_UNSORTED_SITES` / `TSPAR_ERR_STAT_DUPLICATE_SITES`, a
// site id out of range `TSPAR_ERR_SITE_OUT_OF_BOUNDS`; for positions
// `TSPAR_ERR_STAT_UNSORTED_POSITIONS`, `TSPAR_ERR_STAT_DUPLICATE_POSITIONS`,
// `TSPAR_ERR_POSITION_OUT_OF_BOUNDS`. NaN where tskit gives NaN (a site
// without variation in a sample set, for r², r and D').
//
// Runs on `exec`'s threads over blocks of rows; the result is the same
// bits for every thread count. Cancellable through `exec`'s progress.
int tspar_treeseq_ld_matrix(const struct tspar_treeseq_t *ts,
                            tspar_size_t num_sample_sets,
                            const tspar_size_t *sample_set_sizes,
                            const tspar_id_t *sample_sets,
                            tspar_size_t num_index_tuples,
                            const tspar_id_t *index_tuples,
                            int stat,
                            tspar_size_t num_rows,
                            const tspar_id_t *row_sites,
                            const double *row_positions,
                            tspar_size_t num_cols,
                            const tspar_id_t *col_sites,
                            const double *col_positions,
                            tspar_flags_t options,
                            const struct tspar_exec_t *exec,
                            double *result,
                            tspar_size_t result_length);

// Pair coalescence counts (tskit's `pair_coalescence_counts`): for each
// index pair of sample sets (i, j), the number of sample pairs, one from
// each set (or two from set i when i = j), whose most recent common
// ancestor is a node of each bin, weighted by genome span, per window.
//
// `node_bin_map` gives each node's bin (`-1`: left out), all less than
// `num_bins` (tskit Python's time windows are the bins of node times);
// NULL makes every node its own bin (`num_bins` is then the number of
// nodes and ignored). Output `[window][index][bin]`. Options:
// `TSPAR_STAT_SPAN_NORMALISE` divides each window by its span where the
// trees have edges; `TSPAR_STAT_PAIR_NORMALISE` divides each index by its
// number of pairs. Sample sets must not overlap
// (`TSPAR_ERR_DUPLICATE_SAMPLE`); a bad map is
// `TSPAR_ERR_BAD_NODE_BIN_MAP`. Parallel over pieces of the genome, the
// same bits for every thread count, cancellable through `exec`.
int tspar_treeseq_pair_coalescence_counts(const struct tspar_treeseq_t *ts,
                                          tspar_size_t num_sample_sets,
                                          const tspar_size_t *sample_set_sizes,
                                          const tspar_id_t *sample_sets,
                                          tspar_size_t num_index_tuples,
                                          const tspar_id_t *index_tuples,
                                          tspar_size_t num_windows,
                                          const double *windows,
                                          tspar_size_t num_bins,
                                          const tspar_id_t *node_bin_map,
                                          tspar_flags_t options,
                                          const struct tspar_exec_t *exec,
                                          double *result,
                                          tspar_size_t result_length);

// Quantiles of pair coalescence times (tskit's
// `pair_coalescence_quantiles`): for each window and index pair of sample
// sets, the node time at which the share of coalesced pairs (weighted by
// span) first reaches each of `quantiles` (increasing, within [0, 1]),
// numpy's "inverted_cdf". `node_bin_map` puts the nodes in `num_bins`
// bins ordered by time, the nodes of a bin sharing one time (tskit's
// Python: one bin per distinct node time); -1 leaves a node out. Output
// `[window][index][quantile]`; NaN where no pair coalesces. Node times
// whose time units are "uncalibrated" are `TSPAR_ERR_TIME_UNCALIBRATED`
// unless `options` is `TSPAR_STAT_ALLOW_TIME_UNCALIBRATED` (the only
// option). Errors: `TSPAR_ERR_BAD_QUANTILES`, `TSPAR_ERR_BAD_NODE_BIN_MAP`,
// and as `tspar_treeseq_pair_coalescence_counts`.
int tspar_treeseq_pair_coalescence_quantiles(const struct tspar_treeseq_t *ts,
                                             tspar_size_t num_sample_sets,
                                             const tspar_size_t *sample_set_sizes,
                                             const tspar_id_t *sample_sets,
                                             tspar_size_t num_index_tuples,
                                             const tspar_id_t *index_tuples,
                                             tspar_size_t num_windows,
                                             const double *windows,
                                             tspar_size_t num_bins,
                                             const tspar_id_t *node_bin_map,
                                             tspar_size_t num_quantiles,
                                             const double *quantiles,
                                             tspar_flags_t options,
                                             const struct tspar_exec_t *exec,
                                             double *result,
                                             tspar_size_t result_length);

// Rates of pair coalescence in time windows (tskit's
// `pair_coalescence_rates`): `time_windows` holds `num_time_windows + 1`
// increasing breakpoints (tskit's Python: from the samples' age to
// infinity) and `node_bin_map` each node's time window (-1: outside). For
// each window and index pair, from the empirical distribution F of pair
// coalescence times: -log(1 - (F(b) - F(a)) / (1 - F(a))) / (b - a) in
// [a, b); 1 / (E[t | t > a] - a) in the window where the last pair
// coalesces (or the last window); NaN once every pair has coalesced.
// Output `[window][index][time window]`. Uncalibrated time units and
// `options` as `tspar_treeseq_pair_coalescence_quantiles`. Errors:
// `TSPAR_ERR_BAD_TIME_WINDOWS`, `TSPAR_ERR_BAD_NODE_BIN_MAP`, and as
// `tspar_treeseq_pair_coalescence_counts`.
int tspar_treeseq_pair_coalescence_rates(const struct tspar_treeseq_t *ts,
                                         tspar_size_t num_sample_sets,
                                         const tspar_size_t *sample_set_sizes,
                                         const tspar_id_t *sample_sets,
                                         tspar_size_t num_index_tuples,
                                         const tspar_id_t *index_tuples,
                                         tspar_size_t num_windows,
                                         const double *windows,
                                         tspar_size_t num_time_windows,
                                         const tspar_id_t *node_bin_map,
                                         const double *time_windows,
                                         tspar_flags_t options,
                                         const struct tspar_exec_t *exec,
                                         double *result,
                                         tspar_size_t result_length);

#ifdef __cplusplus
}  // extern "C"
#endif  // __cplusplus

#endif  /* TSPAR_H */
