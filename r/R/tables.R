# TableCollection: a mutable set of the eight tables (tspar_tables_t).

#' Table collections
#'
#' A \code{TableCollection} holds tskit's eight tables (individuals,
#' nodes, edges, migrations, sites, mutations, populations, provenances)
#' in the tspar library. It is what a simulator written in R fills and
#' simplifies; \code{tree_sequence()} turns it into a
#' \code{\link{TreeSequence}}. See \code{\link{tc_load}} and
#' \code{\link{tc_new}}; the methods are listed in the Methods section.
#'
#' @format An \code{\link[R6]{R6Class}} generator.
#' @export
TableCollection <- R6::R6Class("TableCollection",
  cloneable = FALSE,
  public = list(
    #' @field handle The external pointer to the library's table collection.
    handle = NULL,

    initialize = function(sequence_length = NULL, handle = NULL) {
      if (is.null(handle)) {
        if (is.null(sequence_length)) stop("sequence_length is needed", call. = FALSE)
        handle <- .Call(r_tc_new, sequence_length)
      }
      self$handle <- handle
      invisible(self)
    },

    print = function(...) {
      if (.Call(r_is_null_handle, self$handle)) {
        cat("<TableCollection: freed>\n")
        return(invisible(self))
      }
      n <- vapply(.TABLES, function(t) self$num_rows(t), numeric(1))
      cat("<TableCollection> sequence length ", format(self$sequence_length), ", time units ",
          self$time_units, "\n", sep = "")
      for (t in .TABLES) cat(sprintf("  %-12s %12s rows\n", t, format(n[[t]], big.mark = ",")))
      cat("  indexed:", self$has_index(), "\n")
      invisible(self)
    },

    num_rows = function(table) .Call(r_tc_num_rows, self$handle, .table_id(table)),

    table = function(table, decode_metadata = TRUE) {
      .table_id(table)
      schema <- if (table == "provenances") raw(0) else self$get_field(paste0(table, "/metadata_schema"))
      .table_df(function(key) self$column(key), table, decode_metadata, schema)
    },

    column = function(name) .Call(r_column, self$handle, name),

    get_field = function(name) .Call(r_tc_get_field, self$handle, name),

    set_field = function(name, value) {
      .Call(r_tc_set_field, self$handle, name, value)
      invisible(self)
    },

    add_row = function(table, ...) {
      id <- .table_id(table)
      args <- list(...)
      defaults <- .ROW_DEFAULTS[[table]]
      unknown <- setdiff(names(args), names(defaults))
      if (length(unknown) || (length(args) && is.null(names(args))) || any(names(args) == "")) {
        stop("add_row(\"", table, "\") takes named arguments among: ",
             paste(names(defaults), collapse = ", "), call. = FALSE)
      }
      row <- defaults
      row[names(args)] <- args
      spec <- .COLUMNS[[table]]
      for (name in names(spec)) {
        if (spec[[name]] == "meta" && !is.null(row[[name]]) && !is.raw(row[[name]]) &&
            !(is.character(row[[name]]) && length(row[[name]]) == 1L)) {
          row[[name]] <- .ragged(list(row[[name]]), "meta", name)[[1]]
        }
      }
      missing <- names(spec)[vapply(names(spec), function(n) {
        is.null(row[[n]]) && !(spec[[n]] %in% c("meta", "rf64", "ri32")) &&
          !(table == "mutations" && n == "time")
      }, logical(1))]
      if (length(missing)) {
        stop("add_row(\"", table, "\"): missing ", paste(missing, collapse = ", "), call. = FALSE)
      }
      .Call(r_tc_add_row, self$handle, id, unname(row[names(spec)]))
    },

    set_columns = function(table, ..., append = FALSE) {
      id <- .table_id(table)
      cols <- list(...)
      if (length(cols) == 1L && is.null(names(cols)) && is.list(cols[[1]])) cols <- cols[[1]]
      cols <- cols[setdiff(names(cols), "id")]
      spec <- .COLUMNS[[table]]
      unknown <- setdiff(names(cols), names(spec))
      if (length(unknown)) {
        stop("no column ", paste(unknown, collapse = ", "), " in the ", table, " table", call. = FALSE)
      }
      lens <- lengths(cols)
      n <- if (length(cols)) max(lens) else 0
      flat <- list()
      for (name in names(spec)) {
        kind <- spec[[name]]
        v <- cols[[name]]
        if (kind %in% c("text", "meta", "rf64", "ri32")) {
          if (!is.null(v) && length(v) != n) stop("column ", name, " has ", length(v), " rows, not ", n, call. = FALSE)
          if (is.character(v)) v <- as.list(v)
          flat <- c(flat, .ragged(v, kind, name))
        } else {
          if (!is.null(v) && length(v) != n) stop("column ", name, " has ", length(v), " rows, not ", n, call. = FALSE)
          flat <- c(flat, list(v))
        }
      }
      .Call(r_tc_set_columns, self$handle, id, append, n, flat)
      invisible(self)
    },

    append_columns = function(table, ...) self$set_columns(table, ..., append = TRUE),

    sort = function(edge_start = 0, threads = NULL) {
      .Call(r_tc_sort, self$handle, edge_start, 0L, threads)
      invisible(self)
    },

    simplify = function(samples = NULL, filter_sites = TRUE, filter_populations = TRUE,
                        filter_individuals = TRUE, filter_nodes = TRUE, update_sample_flags = TRUE,
                        keep_unary = FALSE, keep_unary_in_individuals = FALSE,
                        keep_input_roots = FALSE, reduce_to_site_topology = FALSE, threads = NULL) {
      o <- 0L
      if (.flag(filter_sites, "filter_sites")) o <- o + .SIMPLIFY$filter_sites
      if (.flag(filter_populations, "filter_populations")) o <- o + .SIMPLIFY$filter_populations
      if (.flag(filter_individuals, "filter_individuals")) o <- o + .SIMPLIFY$filter_individuals
      if (!.flag(filter_nodes, "filter_nodes")) o <- o + .SIMPLIFY$no_filter_nodes
      if (!.flag(update_sample_flags, "update_sample_flags")) o <- o + .SIMPLIFY$no_update_sample_flags
      if (.flag(keep_unary, "keep_unary")) o <- o + .SIMPLIFY$keep_unary
      if (.flag(keep_unary_in_individuals, "keep_unary_in_individuals")) {
        o <- o + .SIMPLIFY$keep_unary_in_individuals
      }
      if (.flag(keep_input_roots, "keep_input_roots")) o <- o + .SIMPLIFY$keep_input_roots
      if (.flag(reduce_to_site_topology, "reduce_to_site_topology")) {
        o <- o + .SIMPLIFY$reduce_to_site_topology
      }
      .Call(r_tc_simplify, self$handle, samples, o, threads)
    },

    bookmark = function() {
      b <- .Call(r_tc_bookmark, self$handle)
      names(b) <- .TABLES
      b
    },

    truncate = function(bookmark) {
      .Call(r_tc_truncate, self$handle, unname(bookmark[.TABLES]))
      invisible(self)
    },

    build_index = function() {
      .Call(r_tc_op, self$handle, "build_index", 0L)
      invisible(self)
    },
    drop_index = function() {
      .Call(r_tc_op, self$handle, "drop_index", 0L)
      invisible(self)
    },
    has_index = function() .Call(r_tc_op, self$handle, "has_index", 0L) == 1L,
    compute_mutation_parents = function() {
      .Call(r_tc_op, self$handle, "compute_mutation_parents", 0L)
      invisible(self)
    },
    deduplicate_sites = function() {
      .Call(r_tc_op, self$handle, "deduplicate_sites", 0L)
      invisible(self)
    },
    check_integrity = function(options = 0L) .Call(r_tc_op, self$handle, "check_integrity", options),
    clear = function(clear_provenance = FALSE, clear_metadata_schemas = FALSE,
                     clear_ts_metadata_and_schema = FALSE) {
      o <- 0L
      if (.flag(clear_metadata_schemas, "clear_metadata_schemas")) o <- o + 1L
      if (.flag(clear_ts_metadata_and_schema, "clear_ts_metadata_and_schema")) o <- o + 2L
      if (.flag(clear_provenance, "clear_provenance")) o <- o + 4L
      .Call(r_tc_op, self$handle, "clear", o)
      invisible(self)
    },

    copy = function() TableCollection$new(handle = .Call(r_tc_copy, self$handle)),

    equals = function(other, ignore_metadata = FALSE, ignore_ts_metadata = FALSE,
                      ignore_provenance = FALSE, ignore_timestamps = FALSE,
                      ignore_reference_sequence = FALSE) {
      if (!inherits(other, "TableCollection")) stop("other must be a TableCollection", call. = FALSE)
      o <- 0L
      if (.flag(ignore_ts_metadata, "ignore_ts_metadata")) o <- o + 1L
      if (.flag(ignore_provenance, "ignore_provenance")) o <- o + 2L
      if (.flag(ignore_metadata, "ignore_metadata")) o <- o + 4L
      if (.flag(ignore_timestamps, "ignore_timestamps")) o <- o + 8L
      if (.flag(ignore_reference_sequence, "ignore_reference_sequence")) o <- o + 32L
      .Call(r_tc_equals, self$handle, other$handle, o)
    },

    tree_sequence = function(build_indexes = TRUE, threads = NULL) {
      o <- if (.flag(build_indexes, "build_indexes")) 1L else 0L
      TreeSequence$new(.Call(r_ts_from_tables, self$handle, o, threads))
    },

    dump = function(path) {
      .Call(r_tc_dump, self$handle, path.expand(path), 0L)
      invisible(self)
    },

    free = function() {
      .Call(r_tc_free, self$handle)
      invisible(NULL)
    }
  ),
  active = list(
    sequence_length = function(value) {
      if (missing(value)) return(.Call(r_tc_sequence_length, self$handle))
      .Call(r_tc_set_sequence_length, self$handle, value)
    },
    time_units = function(value) {
      if (missing(value)) return(rawToChar(self$get_field("time_units")))
      self$set_field("time_units", value)
    },
    metadata = function(value) {
      if (missing(value)) return(self$get_field("metadata"))
      self$set_field("metadata", value)
    },
    individuals = function() self$table("individuals"),
    nodes = function() self$table("nodes"),
    edges = function() self$table("edges"),
    migrations = function() self$table("migrations"),
    sites = function() self$table("sites"),
    mutations = function() self$table("mutations"),
    populations = function() self$table("populations"),
    provenances = function() self$table("provenances")
  )
)

#' Load or make a table collection
#'
#' \code{tc_load} reads a \code{.trees} file (any tskit file format 12.x)
#' into a \code{\link{TableCollection}}; \code{tc_new} makes an empty one.
#'
#' @param path The file's path.
#' @param threads Threads for large columns (\code{NULL}: the library's
#'   default, \code{TSPAR_NUM_THREADS} else all cores).
#' @param sequence_length The genome's length.
#' @return A \code{\link{TableCollection}}.
#' @export
tc_load <- function(path, threads = NULL) {
  TableCollection$new(handle = .Call(r_tc_load, path.expand(path), 0L, threads))
}

#' @rdname tc_load
#' @export
tc_new <- function(sequence_length) TableCollection$new(sequence_length = sequence_length)
