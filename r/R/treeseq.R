# TreeSequence (tspar_treeseq_t) and Tree (a cursor, tspar_tree_t).

#' Tree sequences
#'
#' A \code{TreeSequence} is an immutable, indexed tree sequence held by the
#' tspar library (see \code{\link{ts_load}}). Its methods read like tskit's
#' Python API: \code{ts$num_trees()}, \code{ts$samples()},
#' \code{ts$diversity(...)}, ... The statistics are documented in
#' \link{tspar-statistics}.
#'
#' @format An \code{\link[R6]{R6Class}} generator.
#' @export
TreeSequence <- R6::R6Class("TreeSequence",
  cloneable = FALSE,
  public = list(
    #' @field handle The external pointer to the library's tree sequence.
    handle = NULL,

    initialize = function(handle) {
      self$handle <- handle
      invisible(self)
    },

    print = function(...) {
      if (.Call(r_is_null_handle, self$handle)) {
        cat("<TreeSequence: freed>\n")
        return(invisible(self))
      }
      c <- private$counts()
      cat("<TreeSequence> sequence length ", format(c[["sequence_length"]]), "\n", sep = "")
      for (k in setdiff(names(c), "sequence_length")) {
        cat(sprintf("  %-12s %12s\n", k, format(c[[k]], big.mark = ",", scientific = FALSE)))
      }
      invisible(self)
    },

    num_trees = function() private$counts()[["trees"]],
    num_samples = function() private$counts()[["samples"]],
    num_individuals = function() private$counts()[["individuals"]],
    num_nodes = function() private$counts()[["nodes"]],
    num_edges = function() private$counts()[["edges"]],
    num_migrations = function() private$counts()[["migrations"]],
    num_sites = function() private$counts()[["sites"]],
    num_mutations = function() private$counts()[["mutations"]],
    num_populations = function() private$counts()[["populations"]],
    num_provenances = function() private$counts()[["provenances"]],
    sequence_length = function() private$counts()[["sequence_length"]],

    samples = function(population = NULL) {
      s <- .Call(r_ts_samples, self$handle)
      if (is.null(population)) return(s)
      pop <- self$column("nodes/population")
      s[pop[s + 1L] %in% population]
    },

    population_names = function() {
      n <- self$num_populations()
      md <- self$table("populations")$metadata
      vapply(seq_len(n), function(i) {
        m <- md[[i]]
        if (is.list(m) && is.character(m$name) && length(m$name) == 1L && nzchar(m$name)) m$name
        else paste0("pop_", i - 1L)
      }, character(1))
    },

    samples_by_population = function() {
      s <- self$samples()
      pop <- self$column("nodes/population")[s + 1L]
      names <- self$population_names()
      out <- list()
      for (p in sort(unique(pop[pop >= 0L]))) out[[names[p + 1L]]] <- s[pop == p]
      out
    },

    breakpoints = function() .Call(r_ts_breakpoints, self$handle),

    column = function(name) .Call(r_column, self$handle, name),

    table = function(table, decode_metadata = TRUE) {
      .table_id(table)
      key <- paste0(table, "/metadata_schema")
      schema <- tryCatch(self$column(key), tspar_error = function(e) raw(0))
      .table_df(function(k) self$column(k), table, decode_metadata, schema)
    },

    tables = function() TableCollection$new(handle = .Call(r_ts_copy_tables, self$handle)),
    dump_tables = function() self$tables(),

    dump = function(path) {
      .Call(r_ts_dump, self$handle, path.expand(path), 0L)
      invisible(self)
    },

    first = function() {
      t <- Tree$new(self)
      t$first()
      t
    },
    last = function() {
      t <- Tree$new(self)
      t$last()
      t
    },
    at = function(position) {
      t <- Tree$new(self)
      t$seek(position)
      t
    },
    at_index = function(index) {
      t <- Tree$new(self)
      t$seek_index(index)
      t
    },

    parse_windows = function(windows) {
      if (is.null(windows)) return(c(0, self$sequence_length()))
      if (is.character(windows)) {
        if (identical(windows, "trees")) return(self$breakpoints())
        if (identical(windows, "sites")) {
          pos <- self$column("sites/position")
          w <- c(if (length(pos) == 0L) 0, pos, self$sequence_length())
          w[1] <- 0
          return(w)
        }
        stop("windows must be NULL, \"trees\", \"sites\" or breakpoints", call. = FALSE)
      }
      if (!is.numeric(windows)) stop("windows must be NULL, \"trees\", \"sites\" or breakpoints", call. = FALSE)
      as.numeric(windows)
    },

    free = function() {
      .Call(r_ts_free, self$handle)
      invisible(NULL)
    }
  ),
  private = list(
    counts = function() {
      c <- .Call(r_ts_counts, self$handle)
      names(c) <- c("trees", "samples", .TABLES, "sequence_length")
      c
    }
  )
)

#' Trees of a tree sequence
#'
#' A \code{Tree} is a cursor over the trees of a \code{\link{TreeSequence}}:
#' \code{ts$first()}, \code{ts$at(position)}, \code{ts$at_index(i)} make
#' one; \code{next_tree()} and \code{prev_tree()} move it (\code{FALSE}
#' past either end). Node ids are tskit's (from 0); arrays have one entry
#' per node plus the virtual root, as tskit's.
#'
#' @format An \code{\link[R6]{R6Class}} generator.
#' @export
Tree <- R6::R6Class("Tree",
  cloneable = FALSE,
  public = list(
    #' @field handle The external pointer to the library's cursor.
    handle = NULL,
    #' @field tree_sequence The tree sequence.
    tree_sequence = NULL,

    initialize = function(tree_sequence) {
      self$tree_sequence <- tree_sequence
      self$handle <- .Call(r_tree_new, tree_sequence$handle)
      invisible(self)
    },
    print = function(...) {
      i <- self$interval()
      cat("<Tree> index ", self$index(), ", interval [", format(i[1]), ", ", format(i[2]), "), ",
          self$num_roots(), " root(s)\n", sep = "")
      invisible(self)
    },
    first = function() .Call(r_tree_move, self$handle, "first", NULL),
    last = function() .Call(r_tree_move, self$handle, "last", NULL),
    next_tree = function() .Call(r_tree_move, self$handle, "next", NULL),
    prev_tree = function() .Call(r_tree_move, self$handle, "prev", NULL),
    seek = function(position) invisible(.Call(r_tree_move, self$handle, "seek", position)),
    seek_index = function(index) invisible(.Call(r_tree_move, self$handle, "seek_index", index)),
    index = function() .Call(r_tree_interval, self$handle)[1],
    interval = function() {
      i <- .Call(r_tree_interval, self$handle)
      c(left = i[2], right = i[3])
    },
    span = function() diff(.Call(r_tree_interval, self$handle)[2:3]),
    parent_array = function() .Call(r_tree_array, self$handle, "parent"),
    left_child_array = function() .Call(r_tree_array, self$handle, "left_child"),
    right_child_array = function() .Call(r_tree_array, self$handle, "right_child"),
    left_sib_array = function() .Call(r_tree_array, self$handle, "left_sib"),
    right_sib_array = function() .Call(r_tree_array, self$handle, "right_sib"),
    num_children_array = function() .Call(r_tree_array, self$handle, "num_children"),
    parent = function(u) self$parent_array()[u + 1L],
    num_samples = function(u = NULL) {
      a <- .Call(r_tree_array, self$handle, "num_samples")
      if (is.null(u)) a[length(a)] else a[u + 1L]
    },
    roots = function() .Call(r_tree_nodes, self$handle, "roots", NULL),
    num_roots = function() length(self$roots()),
    root = function() {
      r <- self$roots()
      if (length(r) != 1L) stop("more than one root: use roots()", call. = FALSE)
      r
    },
    preorder = function(u = NULL) .Call(r_tree_nodes, self$handle, "preorder", u),
    postorder = function(u = NULL) .Call(r_tree_nodes, self$handle, "postorder", u),
    mrca = function(u, v) .Call(r_tree_mrca, self$handle, u, v),
    tmrca = function(u, v) {
      m <- self$mrca(u, v)
      if (m < 0L) stop("the nodes have no common ancestor", call. = FALSE)
      self$tree_sequence$column("nodes/time")[m + 1L]
    },
    branch_length = function(u) .Call(r_tree_length, self$handle, "branch_length", u),
    total_branch_length = function(u = NULL) .Call(r_tree_length, self$handle, "total_branch_length", u),
    sites = function() {
      s <- .Call(r_tree_sites, self$handle)
      if (s[2] > s[1]) seq.int(s[1], s[2] - 1L) else integer(0)
    },
    num_sites = function() {
      s <- .Call(r_tree_sites, self$handle)
      s[2] - s[1]
    },
    num_mutations = function() {
      s <- .Call(r_tree_sites, self$handle)
      s[4] - s[3]
    },
    free = function() {
      .Call(r_tree_free, self$handle)
      invisible(NULL)
    }
  )
)

#' Load a tree sequence
#'
#' Reads a \code{.trees} file (any tskit file format 12.x) as a
#' \code{\link{TreeSequence}}, validated as tskit validates one.
#'
#' @param path The file's path.
#' @param threads Threads for loading (\code{NULL}: the library's default,
#'   \code{TSPAR_NUM_THREADS} else all cores).
#' @return A \code{\link{TreeSequence}}.
#' @examples
#' ts <- ts_load(system.file("extdata", "tutorial.trees", package = "tspar"))
#' ts
#' ts$num_trees()
#' @export
ts_load <- function(path, threads = NULL) {
  TreeSequence$new(.Call(r_ts_load, path.expand(path), 0L, threads))
}
