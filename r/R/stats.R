# The statistics: tskit's Python arguments in R form, results shaped as
# tskit's (windows first, when given), with dimnames.

.mode_bits <- function(mode) {
  if (is.null(mode)) mode <- "site"
  if (!is.character(mode) || length(mode) != 1L || !(mode %in% c("site", "branch", "node"))) {
    stop("mode must be \"site\", \"branch\" or \"node\"", call. = FALSE)
  }
  .STAT[[mode]]
}

.stat_options <- function(mode, span_normalise, polarised = FALSE, extra = 0L) {
  o <- .mode_bits(mode) + extra
  if (.flag(span_normalise, "span_normalise")) o <- o + .STAT$span_normalise
  if (.flag(polarised, "polarised")) o <- o + .STAT$polarised
  o
}

.labels <- function(x) trimws(formatC(x, digits = 15, format = "fg"))

# Sample sets: a list of vectors of node ids (named or not), or one
# vector (one set; that dimension is then dropped, as tskit does).
.sample_sets <- function(ts, sample_sets, default_all = TRUE, what = "this statistic") {
  drop <- FALSE
  if (is.null(sample_sets)) {
    if (!default_all) stop(what, " needs sample_sets", call. = FALSE)
    sample_sets <- ts$samples()
  }
  if (is.atomic(sample_sets) && !is.list(sample_sets)) {
    if (!is.numeric(sample_sets)) stop("sample_sets must be a list of vectors of node ids", call. = FALSE)
    sample_sets <- list(sample_sets)
    drop <- TRUE
  }
  if (!is.list(sample_sets)) stop("sample_sets must be a list of vectors of node ids", call. = FALSE)
  ok <- vapply(sample_sets, function(s) is.numeric(s) && !is.matrix(s), logical(1))
  if (!all(ok)) stop("sample_sets must be a list of vectors of node ids", call. = FALSE)
  nm <- names(sample_sets)
  if (is.null(nm)) nm <- as.character(seq_along(sample_sets))
  nm[is.na(nm) | nm == ""] <- as.character(seq_along(sample_sets))[is.na(nm) | nm == ""]
  list(sizes = as.numeric(lengths(sample_sets)),
       ids = if (length(sample_sets)) unlist(sample_sets, use.names = FALSE) else integer(0),
       names = nm, drop = drop, n = length(sample_sets))
}

# Index tuples: a k-column matrix (one tuple per row) of sample-set
# positions in the list (from 1, R's way) or names; one vector of k is one
# tuple (that dimension is then dropped); NULL needs exactly k sets.
.index_tuples <- function(indexes, k, sets) {
  drop <- FALSE
  if (is.null(indexes)) {
    if (sets$n != k) {
      stop("Must specify indexes if there are not exactly ", k, " sample sets.", call. = FALSE)
    }
    indexes <- seq_len(k)
  }
  if (is.null(dim(indexes))) {
    if (length(indexes) != k) stop("indexes must be a matrix with ", k, " columns", call. = FALSE)
    indexes <- matrix(indexes, nrow = 1L)
    drop <- TRUE
  }
  if (length(dim(indexes)) != 2L || ncol(indexes) != k) {
    stop("indexes must be a matrix with ", k, " columns", call. = FALSE)
  }
  if (is.character(indexes)) {
    m <- match(indexes, sets$names)
    if (anyNA(m)) stop("indexes: no sample set named ", indexes[is.na(m)][1], call. = FALSE)
    indexes <- matrix(m, ncol = k)
  }
  if (!is.numeric(indexes) || anyNA(indexes) || any(indexes != round(indexes)) ||
      any(indexes < 1 | indexes > sets$n)) {
    stop("indexes must be positions of sample sets (1 to ", sets$n, ") or their names", call. = FALSE)
  }
  labels <- apply(matrix(sets$names[indexes], ncol = k), 1L, paste, collapse = ":")
  list(flat = as.vector(t(indexes)) - 1, n = nrow(indexes), labels = labels, drop = drop)
}

.windows_arg <- function(ts, windows) {
  if (is.null(windows)) return(NULL)
  w <- ts$parse_windows(windows)
  list(breaks = w, labels = if (length(w) > 1L) {
    paste0("[", .labels(w[-length(w)]), ", ", .labels(w[-1L]), ")")
  } else character(0))
}

# The C API's flat row-major result as an R array: `dims` is a list of
# (name, labels) from the first dimension on; dims flagged in `drop` (of
# length 1) are removed. One dimension left gives a named vector, none a
# number.
.shape <- function(buf, dims, drop) {
  dims <- dims[!drop]
  if (length(dims) == 0L) return(buf[1])
  labels <- lapply(dims, `[[`, "labels")
  size <- lengths(labels)
  if (length(dims) == 1L) return(structure(buf, names = labels[[1]]))
  x <- array(buf, dim = rev(size))
  x <- aperm(x)
  dimnames(x) <- structure(labels, names = vapply(dims, `[[`, "", "name"))
  x
}

.window_dim <- function(w) {
  if (is.null(w)) list(name = "window", labels = "all")
  else list(name = "window", labels = w$labels)
}

.node_dim <- function(ts, mode) {
  if (identical(mode, "node")) list(list(name = "node", labels = as.character(seq_len(ts$num_nodes()) - 1L)))
  else list()
}

.one_way <- function(ts, name, sample_sets, windows, mode, span_normalise, threads,
                     polarised = FALSE, extra = 0L, default_all = TRUE) {
  opts <- .stat_options(mode, span_normalise, polarised, extra)
  sets <- .sample_sets(ts, sample_sets, default_all, name)
  w <- .windows_arg(ts, windows)
  dims <- c(list(.window_dim(w)), .node_dim(ts, mode), list(list(name = "set", labels = sets$names)))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_stat, name, ts$handle, sets$sizes, sets$ids, NULL, w$breaks, opts, threads, n)
  drop <- c(is.null(windows), rep(FALSE, length(dims) - 2L), sets$drop)
  .shape(buf, dims, drop)
}

.k_way <- function(ts, name, k, sample_sets, indexes, windows, mode, span_normalise, threads,
                   polarised = FALSE, extra = 0L) {
  opts <- .stat_options(mode, span_normalise, polarised, extra)
  if (is.null(sample_sets)) stop(name, " needs sample_sets", call. = FALSE)
  sets <- .sample_sets(ts, sample_sets, FALSE, name)
  if (sets$drop) stop("sample_sets must be a list of vectors of node ids", call. = FALSE)
  idx <- .index_tuples(indexes, k, sets)
  w <- .windows_arg(ts, windows)
  dims <- c(list(.window_dim(w)), .node_dim(ts, mode), list(list(name = "index", labels = idx$labels)))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_stat, name, ts$handle, sets$sizes, sets$ids, idx$flat, w$breaks, opts, threads, n)
  drop <- c(is.null(windows), rep(FALSE, length(dims) - 2L), idx$drop)
  .shape(buf, dims, drop)
}

.weights <- function(ts, W) {
  if (is.data.frame(W)) W <- as.matrix(W)
  if (is.null(dim(W))) W <- matrix(W, ncol = 1L)
  if (!is.numeric(W) || length(dim(W)) != 2L) {
    stop("W must be a numeric matrix: one row per sample, one column per weight", call. = FALSE)
  }
  if (nrow(W) != ts$num_samples()) {
    stop("First trait dimension must be equal to number of samples.", call. = FALSE)
  }
  labels <- colnames(W)
  if (is.null(labels)) labels <- as.character(seq_len(ncol(W)))
  list(flat = as.vector(t(W)), ncol = ncol(W), labels = labels)
}

.weighted <- function(ts, name, W, windows, mode, span_normalise, threads) {
  opts <- .stat_options(mode, span_normalise)
  Wa <- .weights(ts, W)
  w <- .windows_arg(ts, windows)
  dims <- c(list(.window_dim(w)), .node_dim(ts, mode), list(list(name = "weight", labels = Wa$labels)))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_stat_weighted, name, ts$handle, Wa$flat, Wa$ncol, NULL, w$breaks, opts, threads, n)
  .shape(buf, dims, c(is.null(windows), rep(FALSE, length(dims) - 1L)))
}

.matrix_stat <- function(ts, name, sample_sets, windows, mode, span_normalise, threads) {
  opts <- .stat_options(mode, span_normalise)
  if (is.null(sample_sets)) {
    s <- ts$samples()
    sample_sets <- structure(as.list(s), names = as.character(s))
  }
  sets <- .sample_sets(ts, sample_sets, FALSE, name)
  w <- .windows_arg(ts, windows)
  dims <- list(.window_dim(w), list(name = "set", labels = sets$names),
               list(name = "set", labels = sets$names))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_stat, name, ts$handle, sets$sizes, sets$ids, NULL, w$breaks, opts, threads, n)
  .shape(buf, dims, c(is.null(windows), FALSE, FALSE))
}

TreeSequence$set("public", "diversity", function(sample_sets = NULL, windows = NULL, mode = "site",
                                                 span_normalise = TRUE, threads = NULL) {
  .one_way(self, "diversity", sample_sets, windows, mode, span_normalise, threads)
})

TreeSequence$set("public", "segregating_sites", function(sample_sets = NULL, windows = NULL, mode = "site",
                                                         span_normalise = TRUE, threads = NULL) {
  .one_way(self, "segregating_sites", sample_sets, windows, mode, span_normalise, threads)
})

TreeSequence$set("public", "Y1", function(sample_sets, windows = NULL, mode = "site",
                                          span_normalise = TRUE, threads = NULL) {
  .one_way(self, "Y1", sample_sets, windows, mode, span_normalise, threads, default_all = FALSE)
})

TreeSequence$set("public", "Tajimas_D", function(sample_sets = NULL, windows = NULL, mode = "site",
                                                 threads = NULL) {
  .one_way(self, "Tajimas_D", sample_sets, windows, mode, TRUE, threads)
})

# R6 gives every method the object's environment, so the name and k are
# put into each method's body.
for (.name in c("divergence", "Fst", "Y2", "f2", "Y3", "f3", "f4")) {
  TreeSequence$set("public", .name, eval(substitute(
    function(sample_sets, indexes = NULL, windows = NULL, mode = "site", span_normalise = TRUE,
             threads = NULL) {
      .k_way(self, NAME, K, sample_sets, indexes, windows, mode, span_normalise, threads)
    },
    list(NAME = .name, K = switch(.name, Y3 = 3L, f3 = 3L, f4 = 4L, 2L))
  )))
}
rm(.name)

TreeSequence$set("public", "genetic_relatedness", function(sample_sets, indexes = NULL, windows = NULL,
                                                           mode = "site", span_normalise = TRUE,
                                                           polarised = TRUE, proportion = TRUE,
                                                           centre = TRUE, threads = NULL) {
  extra <- (if (.flag(centre, "centre")) 0L else .STAT$noncentred) +
    (if (.flag(proportion, "proportion")) .STAT$proportion else 0L)
  .k_way(self, "genetic_relatedness", 2L, sample_sets, indexes, windows, mode, span_normalise, threads,
         polarised = polarised, extra = extra)
})

TreeSequence$set("public", "trait_covariance", function(W, windows = NULL, mode = "site",
                                                        span_normalise = TRUE, threads = NULL) {
  .weighted(self, "trait_covariance", W, windows, mode, span_normalise, threads)
})

TreeSequence$set("public", "trait_correlation", function(W, windows = NULL, mode = "site",
                                                         span_normalise = TRUE, threads = NULL) {
  .weighted(self, "trait_correlation", W, windows, mode, span_normalise, threads)
})

TreeSequence$set("public", "genetic_relatedness_weighted", function(W, indexes = NULL, windows = NULL,
                                                                    mode = "site", span_normalise = TRUE,
                                                                    polarised = FALSE, centre = TRUE,
                                                                    threads = NULL) {
  extra <- if (.flag(centre, "centre")) 0L else .STAT$noncentred
  opts <- .stat_options(mode, span_normalise, polarised, extra)
  Wa <- .weights(self, W)
  if (is.null(indexes) && Wa$ncol != 2L) {
    stop("Must specify indexes if there are not exactly 2 columns in W.", call. = FALSE)
  }
  idx <- .index_tuples(indexes, 2L, list(n = Wa$ncol, names = Wa$labels))
  w <- .windows_arg(self, windows)
  dims <- c(list(.window_dim(w)), .node_dim(self, mode), list(list(name = "index", labels = idx$labels)))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_stat_weighted, "genetic_relatedness_weighted", self$handle, Wa$flat, Wa$ncol, idx$flat,
               w$breaks, opts, threads, n)
  .shape(buf, dims, c(is.null(windows), rep(FALSE, length(dims) - 2L), idx$drop))
})

TreeSequence$set("public", "allele_frequency_spectrum", function(sample_sets = NULL, windows = NULL,
                                                                 mode = "site", span_normalise = TRUE,
                                                                 polarised = FALSE, threads = NULL) {
  opts <- .stat_options(mode, span_normalise, polarised)
  if (is.null(sample_sets)) sample_sets <- list(self$samples())
  sets <- .sample_sets(self, sample_sets, FALSE, "allele_frequency_spectrum")
  w <- .windows_arg(self, windows)
  dims <- c(list(.window_dim(w)), lapply(seq_len(sets$n), function(i) {
    list(name = sets$names[i], labels = as.character(0:sets$sizes[i]))
  }))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_stat, "allele_frequency_spectrum", self$handle, sets$sizes, sets$ids, NULL, w$breaks, opts,
               threads, n)
  .shape(buf, dims, c(is.null(windows), rep(FALSE, sets$n)))
})

TreeSequence$set("public", "divergence_matrix", function(sample_sets = NULL, windows = NULL, mode = "site",
                                                         span_normalise = TRUE, threads = NULL) {
  .matrix_stat(self, "divergence_matrix", sample_sets, windows, mode, span_normalise, threads)
})

TreeSequence$set("public", "genetic_relatedness_matrix", function(sample_sets = NULL, windows = NULL,
                                                                  mode = "site", span_normalise = TRUE,
                                                                  threads = NULL) {
  .matrix_stat(self, "genetic_relatedness_matrix", sample_sets, windows, mode, span_normalise, threads)
})

TreeSequence$set("public", "general_stat", function(W, f, output_dim, windows = NULL, polarised = FALSE,
                                                    mode = "site", span_normalise = TRUE, strict = TRUE) {
  opts <- .stat_options(mode, span_normalise, polarised)
  Wa <- .weights(self, W)
  if (!is.function(f)) stop("f must be a function", call. = FALSE)
  output_dim <- as.integer(output_dim)
  if (length(output_dim) != 1L || is.na(output_dim) || output_dim < 1L) {
    stop("output_dim must be >= 1", call. = FALSE)
  }
  if (.flag(strict, "strict")) {
    total <- colSums(matrix(Wa$flat, ncol = Wa$ncol, byrow = TRUE))
    for (x in list(total, total * 0)) {
      fx <- suppressWarnings(as.numeric(f(x)))
      fx[is.nan(fx)] <- 0
      if (length(fx) != output_dim || any(abs(fx) > 1e-8)) {
        stop("Summary function does not return zero for both zero weight and total weight.", call. = FALSE)
      }
    }
  }
  w <- .windows_arg(self, windows)
  dims <- c(list(.window_dim(w)), .node_dim(self, mode),
            list(list(name = "output", labels = as.character(seq_len(output_dim)))))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_general_stat, self$handle, Wa$flat, Wa$ncol, f, output_dim, w$breaks, opts, n,
               environment())
  .shape(buf, dims, c(is.null(windows), rep(FALSE, length(dims) - 1L)))
})

TreeSequence$set("public", "sample_count_stat", function(sample_sets, f, output_dim, windows = NULL,
                                                         polarised = FALSE, mode = "site",
                                                         span_normalise = TRUE, strict = TRUE) {
  sets <- .sample_sets(self, sample_sets, FALSE, "sample_count_stat")
  s <- self$samples()
  W <- matrix(0, nrow = length(s), ncol = sets$n)
  start <- 0
  for (k in seq_len(sets$n)) {
    ids <- sets$ids[start + seq_len(sets$sizes[k])]
    start <- start + sets$sizes[k]
    row <- match(ids, s)
    if (anyNA(row)) stop(ids[is.na(row)][1], " is not a sample", call. = FALSE)
    W[row, k] <- 1
  }
  colnames(W) <- sets$names
  self$general_stat(W, f, output_dim, windows = windows, polarised = polarised, mode = mode,
                    span_normalise = span_normalise, strict = strict)
})
