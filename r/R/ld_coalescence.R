# Two-locus statistics (ld_matrix), pair coalescence counts, quantiles and
# rates, the genetic relatedness vector and pca: tskit's Python arguments in
# R form, results shaped as tskit's, with dimnames; the computation is the
# library's.

.LD_STATS <- c(r2 = 0L, r = 1L, D2 = 2L, D = 3L, D_prime = 4L, Dz = 5L, pi2 = 6L, D2_unbiased = 7L,
               Dz_unbiased = 8L, pi2_unbiased = 9L)

.PAIR_NORMALISE <- 2097152L

# tskit's `sites` / `positions`: a list of one (rows and columns) or two
# (rows, columns) vectors; NULL: every site / the left end of every tree.
.ld_loci <- function(arg, what) {
  if (is.null(arg)) return(NULL)
  if (!is.list(arg) || !all(vapply(arg, is.numeric, logical(1)))) {
    stop(what, " must be a list of numeric vectors", call. = FALSE)
  }
  if (length(arg) == 1L) return(list(arg[[1]], arg[[1]]))
  if (length(arg) == 2L) return(arg)
  stop(what, " must be a length 1 or 2 list, got a length ", length(arg), " list", call. = FALSE)
}

TreeSequence$set("public", "ld_matrix", function(sample_sets = NULL, sites = NULL, positions = NULL, mode = "site",
                                                 stat = "r2", indexes = NULL, threads = NULL) {
  if (!is.character(stat) || length(stat) != 1L || !(stat %in% names(.LD_STATS))) {
    stop("Unknown two-locus statistic '", stat, "', we support: ", paste(names(.LD_STATS), collapse = ", "),
         call. = FALSE)
  }
  if (!is.character(mode) || length(mode) != 1L || !(mode %in% c("site", "branch"))) {
    stop("mode must be \"site\" or \"branch\"", call. = FALSE)
  }
  s <- .ld_loci(sites, "sites")
  p <- .ld_loci(positions, "positions")
  if (mode == "site") {
    if (!is.null(p)) stop("positions are for mode \"branch\"; use sites", call. = FALSE)
    all_loci <- seq_len(self$num_sites()) - 1L
    loci <- if (is.null(s)) list(all_loci, all_loci) else s
    dname <- "site"
  } else {
    if (!is.null(s)) stop("sites are for mode \"site\"; use positions", call. = FALSE)
    b <- self$breakpoints()
    all_loci <- b[-length(b)]
    loci <- if (is.null(p)) list(all_loci, all_loci) else p
    dname <- "position"
  }
  if (is.null(sample_sets)) sample_sets <- self$samples()
  sets <- .sample_sets(self, sample_sets, FALSE, "ld_matrix")
  if (is.null(indexes)) {
    first <- list(name = "set", labels = sets$names)
    idx <- NULL
    drop <- sets$drop
  } else {
    if (sets$drop) stop("sample_sets must be a list of vectors of node ids", call. = FALSE)
    if (any(sets$sizes == 0)) stop("Sample sets must contain at least one element", call. = FALSE)
    ix <- .index_tuples(indexes, 2L, sets)
    first <- list(name = "index", labels = ix$labels)
    idx <- ix$flat
    drop <- ix$drop
  }
  dims <- list(first, list(name = dname, labels = .labels(loci[[1]])),
               list(name = dname, labels = .labels(loci[[2]])))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  arg <- function(i, m) if (identical(mode, m) && !(is.null(sites) && is.null(positions))) loci[[i]] else NULL
  buf <- .Call(r_ld_matrix, self$handle, sets$sizes, sets$ids, idx, .LD_STATS[[stat]],
               arg(1L, "site"), arg(1L, "branch"), arg(2L, "site"), arg(2L, "branch"),
               .STAT[[mode]], threads, n)
  .shape(buf, dims, c(drop, FALSE, FALSE))
})

# Sample sets and index pairs of the pair coalescence statistics: NULL is
# every sample; without indexes one set is paired with itself, two with
# each other (and that dimension is dropped, as tskit does).
.pair_sets <- function(ts, sample_sets, indexes) {
  if (is.null(sample_sets)) sample_sets <- list(ts$samples())
  sets <- .sample_sets(ts, sample_sets, FALSE, "pair coalescence")
  if (is.null(indexes)) {
    if (sets$n == 1L) indexes <- c(1L, 1L)
    else if (sets$n == 2L) indexes <- c(1L, 2L)
    else stop("Must specify indexes if there are more than two sample sets", call. = FALSE)
  }
  c(list(sets = sets), .index_tuples(indexes, 2L, sets))
}

.time_labels <- function(tw) paste0("[", .labels(tw[-length(tw)]), ", ", .labels(tw[-1L]), ")")

.pair_call <- function(ts, what, p, windows, num_bins, map, extra, options, threads, last) {
  w <- .windows_arg(ts, windows)
  dims <- list(.window_dim(w), list(name = "index", labels = p$labels), last)
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_pair_coalescence, what, ts$handle, p$sets$sizes, p$sets$ids, p$flat, w$breaks, num_bins, map,
               extra, options, threads, n)
  .shape(buf, dims, c(is.null(windows), p$drop, FALSE))
}

# Each node's time window (-1: outside), as tskit's Python makes it with
# np.digitize: findInterval is the same for increasing breakpoints.
.uncalibrated <- function(ts) identical(rawToChar(ts$column("time_units")), "uncalibrated")

.time_bins <- function(ts, time_windows) {
  tw <- as.numeric(time_windows)
  if (length(tw) < 2L || anyNA(tw) || any(diff(tw) <= 0)) {
    stop("time_windows must be at least two increasing breakpoints", call. = FALSE)
  }
  map <- findInterval(ts$column("nodes/time"), tw) - 1L
  map[map == length(tw) - 1L] <- -1L
  list(breaks = tw, map = map)
}

TreeSequence$set("public", "pair_coalescence_counts", function(sample_sets = NULL, indexes = NULL, windows = NULL,
                                                               span_normalise = TRUE, pair_normalise = FALSE,
                                                               time_windows = "nodes", threads = NULL) {
  p <- .pair_sets(self, sample_sets, indexes)
  options <- (if (.flag(span_normalise, "span_normalise")) .STAT$span_normalise else 0L) +
    (if (.flag(pair_normalise, "pair_normalise")) .PAIR_NORMALISE else 0L)
  if (identical(time_windows, "nodes")) {
    nn <- self$num_nodes()
    tb <- list(map = NULL, n = nn)
    last <- list(name = "node", labels = as.character(seq_len(nn) - 1L))
  } else {
    if (!is.numeric(time_windows)) stop("time_windows must be \"nodes\" or breakpoints", call. = FALSE)
    if (.uncalibrated(self)) stop("Time windows require calibrated node times", call. = FALSE)
    tb <- .time_bins(self, time_windows)
    tb$n <- length(tb$breaks) - 1L
    last <- list(name = "time_window", labels = .time_labels(tb$breaks))
  }
  .pair_call(self, "counts", p, windows, tb$n, tb$map, NULL, options, threads, last)
})

TreeSequence$set("public", "pair_coalescence_quantiles", function(quantiles, sample_sets = NULL, indexes = NULL,
                                                                  windows = NULL, threads = NULL) {
  if (!is.numeric(quantiles)) stop("quantiles must be a numeric vector", call. = FALSE)
  p <- .pair_sets(self, sample_sets, indexes)
  if (.uncalibrated(self)) stop("Pair coalescence quantiles require calibrated node times", call. = FALSE)
  # One bin per distinct node time, as tskit's Python (np.unique).
  t <- self$column("nodes/time")
  times <- sort(unique(t))
  map <- match(t, times) - 1L
  .pair_call(self, "quantiles", p, windows, length(times), map, as.numeric(quantiles), 0L, threads,
             list(name = "quantile", labels = .labels(quantiles)))
})

TreeSequence$set("public", "pair_coalescence_rates", function(time_windows, sample_sets = NULL, indexes = NULL,
                                                              windows = NULL, threads = NULL) {
  if (!is.numeric(time_windows)) stop("time_windows must be numeric breakpoints", call. = FALSE)
  p <- .pair_sets(self, sample_sets, indexes)
  if (.uncalibrated(self)) stop("Pair coalescence rates require calibrated node times", call. = FALSE)
  tb <- .time_bins(self, time_windows)
  .pair_call(self, "rates", p, windows, length(tb$breaks) - 1L, tb$map, tb$breaks, 0L, threads,
             list(name = "time_window", labels = .time_labels(tb$breaks)))
})

TreeSequence$set("public", "genetic_relatedness_vector", function(W, windows = NULL, mode = "site",
                                                                  span_normalise = TRUE, centre = TRUE,
                                                                  nodes = NULL, threads = NULL) {
  if (!is.character(mode) || length(mode) != 1L || !(mode %in% c("site", "branch"))) {
    stop("mode must be \"site\" or \"branch\"", call. = FALSE)
  }
  centred <- .flag(centre, "centre")
  if (!is.null(nodes) && centred) stop("If `nodes` is provided, must have centre=FALSE.", call. = FALSE)
  if (!is.null(nodes) && (!is.numeric(nodes) || !is.null(dim(nodes)))) {
    stop("nodes must be a vector of node ids", call. = FALSE)
  }
  opts <- .stat_options(mode, span_normalise, extra = if (centred) 0L else .STAT$noncentred)
  Wa <- .weights(self, W)
  w <- .windows_arg(self, windows)
  focal <- if (is.null(nodes)) self$samples() else nodes
  dims <- list(.window_dim(w), list(name = "node", labels = as.character(focal)),
               list(name = "weight", labels = Wa$labels))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_genetic_relatedness_vector, self$handle, Wa$flat, Wa$ncol, w$breaks, nodes, opts, threads, n)
  .shape(buf, dims, c(is.null(windows), FALSE, FALSE))
})

TreeSequence$set("public", "pca", function(num_components, windows = NULL, samples = NULL, individuals = NULL,
                                           time_windows = NULL, mode = "branch", centre = TRUE,
                                           num_iterations = 5, num_oversamples = NULL, random_seed = NULL,
                                           range_sketch = NULL, threads = NULL) {
  if (!is.null(time_windows)) stop("time_windows is not supported by tspar", call. = FALSE)
  if (!is.numeric(num_iterations) || length(num_iterations) != 1L || is.na(num_iterations) ||
      num_iterations < 1 || num_iterations != round(num_iterations)) {
    stop("num_iterations should be a positive integer.", call. = FALSE)
  }
  if (!is.null(samples) && !is.null(individuals)) {
    stop("Samples and individuals cannot be used at the same time", call. = FALSE)
  }
  if (!is.character(mode) || length(mode) != 1L || !(mode %in% c("site", "branch"))) {
    stop("mode must be \"site\" or \"branch\"", call. = FALSE)
  }
  subjects <- if (!is.null(individuals)) individuals else if (!is.null(samples)) samples else self$samples()
  if (!is.numeric(subjects) || !is.null(dim(subjects))) {
    stop("samples and individuals must be vectors of ids", call. = FALSE)
  }
  nsub <- length(subjects)
  if (!is.numeric(num_components) || length(num_components) != 1L || is.na(num_components) ||
      num_components != round(num_components) || num_components < 1 || num_components > nsub) {
    stop("Number of components must be less than or equal to the number of samples ",
         "(or individuals, if specified).", call. = FALSE)
  }
  w <- .windows_arg(self, windows)
  nw <- if (is.null(w)) 1L else length(w$breaks) - 1L
  if (!is.null(num_oversamples) && !is.null(range_sketch)) {
    stop("Cannot specify both num_oversamples and range_sketch.", call. = FALSE)
  }
  q <- NULL
  if (!is.null(range_sketch)) {
    if (!is.numeric(range_sketch) || !(length(dim(range_sketch)) %in% c(2L, 3L))) {
      stop("range_sketch must be a matrix [subject, vector] (an array [window, subject, vector] with windows)",
           call. = FALSE)
    }
    d <- dim(range_sketch)
    if (length(d) == 2L) d <- c(1L, d)
    if (d[1] != nw || d[2] != nsub || d[3] < num_components) {
      stop("range_sketch must have one row per subject and at least num_components columns per window",
           call. = FALSE)
    }
    num_oversamples <- d[3] - num_components
    q <- as.vector(aperm(array(range_sketch, dim = d)))
  } else if (is.null(num_oversamples)) {
    num_oversamples <- min(10, nsub - num_components)
  }
  seed <- if (is.null(random_seed)) 0 else random_seed
  opts <- .STAT[[mode]] + (if (.flag(centre, "centre")) 0L else .STAT$noncentred)
  nv <- num_components + num_oversamples
  out <- .Call(r_pca, self$handle, num_components, w$breaks, samples, individuals, opts, num_iterations,
               num_oversamples, seed, q, threads, c(nw * nsub * num_components, nw * num_components,
                                                    nw * nsub * nv, nw))
  wd <- .window_dim(w)
  sd <- list(name = if (is.null(individuals)) "sample" else "individual", labels = as.character(subjects))
  cd <- list(name = "component", labels = as.character(seq_len(num_components)))
  drop <- is.null(windows)
  list(factors = .shape(out[[1]], list(wd, sd, cd), c(drop, FALSE, FALSE)),
       eigenvalues = .shape(out[[2]], list(wd, cd), c(drop, FALSE)),
       range_sketch = .shape(out[[3]], list(wd, sd, list(name = "vector", labels = as.character(seq_len(nv)))),
                             c(drop, FALSE, FALSE)),
       error_bound = if (drop) out[[4]][1] else structure(out[[4]], names = wd$labels))
})
