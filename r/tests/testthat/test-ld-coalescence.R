# ld_matrix, pair coalescence, genetic_relatedness_vector and pca against
# tskit 1.0.3's values (tests/make_fixtures.py).
skip_if_not_installed("jsonlite")

fx <- jsonlite::fromJSON(fixture("ld_coalescence.json"), simplifyVector = FALSE)
ts <- ts_load(fixture("stats.trees"))
small <- ts_load(fixture("ld_small.trees"))

nums <- function(v) vapply(v, function(x) if (is.null(x)) NA_real_ else as.numeric(x), 0)
ints <- function(v) as.integer(unlist(v))

lc_args <- function(a) {
  out <- list()
  for (k in names(a)) {
    v <- a[[k]]
    switch(k,
      file = NULL,
      sample_sets = out$sample_sets <- lapply(v, ints),
      sample_sets_vector = out$sample_sets <- ints(v),
      indexes = out$indexes <- do.call(rbind, lapply(v, ints)),
      indexes_vector = out$indexes <- ints(v),
      sites = out$sites <- lapply(v, ints),
      positions = out$positions <- lapply(v, nums),
      W = out$W <- do.call(rbind, lapply(v, nums)),
      windows = out$windows <- nums(v),
      nodes = out$nodes <- ints(v),
      time_windows = out$time_windows <- vapply(v, function(x) if (identical(x, "inf")) Inf else x, 0),
      quantiles = out$quantiles <- nums(v),
      out[[k]] <- v
    )
  }
  out
}

test_that("ld_matrix, pair coalescence and genetic_relatedness_vector give tskit's values and shapes", {
  expect_gt(length(fx$cases), 50)
  for (i in seq_along(fx$cases)) {
    case <- fx$cases[[i]]
    x <- if (identical(case$args$file, "small")) small else ts
    args <- lc_args(case$args)
    r <- do.call(x[[case$method]], args)
    label <- paste0(case$method, " case ", i)
    expect_identical(shape_of(r), as.integer(unlist(case$shape)), label = label)
    expect_close(flat_c(r), nums(case$value), label)
    args$threads <- 2
    r2 <- do.call(x[[case$method]], args)
    args$threads <- 1
    expect_identical(r2, do.call(x[[case$method]], args), label = label)
  }
})

test_that("results carry dimnames", {
  ld <- ts$ld_matrix(sites = list(0:2, 3:4))
  expect_identical(dimnames(ld), list(site = c("0", "1", "2"), site = c("3", "4")))
  pops <- list(A = ts$samples()[1:8], B = ts$samples()[9:16])
  two <- ts$ld_matrix(sample_sets = pops, sites = list(0:1), indexes = c("A", "B"), stat = "D2")
  expect_identical(dim(two), c(2L, 2L))
  pc <- ts$pair_coalescence_counts(pops, windows = c(0, 5000, 10000), time_windows = c(0, 100, Inf))
  expect_identical(dimnames(pc), list(window = c("[0, 5000)", "[5000, 10000)"),
                                      time_window = c("[0, 100)", "[100, Inf)")))
  q <- ts$pair_coalescence_quantiles(c(0.25, 0.5), pops, indexes = rbind(c(1, 2), c(2, 2)))
  expect_identical(dimnames(q), list(index = c("A:B", "B:B"), quantile = c("0.25", "0.5")))
  W <- matrix(1, nrow = ts$num_samples(), ncol = 2, dimnames = list(NULL, c("u", "v")))
  g <- ts$genetic_relatedness_vector(W, mode = "branch")
  expect_identical(dimnames(g), list(node = as.character(ts$samples()), weight = c("u", "v")))
})

test_that("argument errors are R errors", {
  expect_error(ts$ld_matrix(stat = "nope"), "Unknown two-locus statistic")
  expect_error(ts$ld_matrix(sites = list(3:1)), class = "tspar_error")
  expect_error(ts$ld_matrix(sites = list(0:1, 0:1, 0:1)), "length 1 or 2")
  expect_error(ts$ld_matrix(positions = list(c(1, 2))), "mode \"branch\"")
  expect_error(ts$pair_coalescence_counts(list(0:1, 2:3, 4:5)), "Must specify indexes")
  expect_error(ts$pair_coalescence_rates(c(0, 10, 5)), "increasing")
  tc <- ts$tables()
  tc$time_units <- "uncalibrated"
  un <- tc$tree_sequence()
  expect_error(un$pair_coalescence_rates(c(0, 10, Inf)), "Pair coalescence rates require calibrated")
  expect_error(un$pair_coalescence_quantiles(0.5), "Pair coalescence quantiles require calibrated")
  expect_error(un$pair_coalescence_counts(time_windows = c(0, 10, Inf)), "Time windows require calibrated")
  # Per-node counts need no time.
  expect_identical(un$pair_coalescence_counts(), ts$pair_coalescence_counts())
  W <- matrix(1, nrow = ts$num_samples(), ncol = 1)
  expect_error(ts$genetic_relatedness_vector(W, nodes = 0:1), "centre=FALSE")
  expect_error(ts$pca(0), "Number of components")
  expect_error(ts$pca(2, samples = 0:3, individuals = 0:1), "cannot be used at the same time")
  expect_error(ts$pca(2, num_oversamples = 2, range_sketch = matrix(0, 48, 4)), "Cannot specify both")
})

# Factors compared up to the sign of each column; the range sketches by
# the projection onto their column space (a basis is unique up to rotation).
test_that("pca gives tskit's factors and eigenvalues from the same range sketch", {
  expect_length(fx$pca, 3L)
  for (i in seq_along(fx$pca)) {
    p <- fx$pca[[i]]
    args <- list(num_components = p$num_components)
    for (k in names(p$args)) {
      args[[k]] <- if (k %in% c("individuals", "samples")) ints(p$args[[k]])
                   else if (k == "windows") nums(p$args[[k]]) else p$args[[k]]
    }
    shape <- as.integer(unlist(p$range_sketch$shape))
    args$range_sketch <- aperm(array(nums(p$range_sketch$value), dim = rev(shape)))
    res <- do.call(ts$pca, args)
    expect_named(res, c("factors", "eigenvalues", "range_sketch", "error_bound"))
    expect_identical(shape_of(res$factors), as.integer(unlist(p$factors$shape)))
    expect_identical(shape_of(res$eigenvalues), as.integer(unlist(p$eigenvalues$shape)))
    expect_identical(shape_of(res$range_sketch), as.integer(unlist(p$range_sketch_out$shape)))
    expect_identical(length(res$error_bound), max(1L, as.integer(unlist(p$error_bound$shape))))
    ev <- nums(p$eigenvalues$value)
    expect_true(all(abs(flat_c(res$eigenvalues) - ev) <= 1e-6 * pmax(1, abs(ev))), label = paste("eigenvalues", i))
    eb <- nums(p$error_bound$value)
    expect_true(all(abs(as.vector(res$error_bound) - eb) <= 1e-6 * pmax(1, abs(eb))), label = paste("error_bound", i))
    fshape <- as.integer(unlist(p$factors$shape))
    f_tsk <- aperm(array(nums(p$factors$value), dim = rev(fshape)))
    f_us <- res$factors
    q_us <- res$range_sketch
    q_tsk <- aperm(array(nums(p$range_sketch_out$value), dim = rev(as.integer(unlist(p$range_sketch_out$shape)))))
    if (length(fshape) == 2L) {
      f_tsk <- array(f_tsk, dim = c(1L, fshape))
      f_us <- array(f_us, dim = c(1L, fshape))
      q_tsk <- array(q_tsk, dim = c(1L, dim(q_tsk)))
      q_us <- array(q_us, dim = c(1L, dim(q_us)))
    }
    for (w in seq_len(dim(f_us)[1])) {
      a <- f_us[w, , ]
      b <- f_tsk[w, , ]
      s <- sign(colSums(a * b))
      expect_true(max(abs(sweep(a, 2, s, `*`) - b)) <= 1e-6, label = paste("factors", i, w))
      pa <- tcrossprod(q_us[w, , ])
      pb <- tcrossprod(q_tsk[w, , ])
      expect_true(max(abs(pa - pb)) <= 1e-6, label = paste("range sketch", i, w))
    }
    args$threads <- 2
    r2 <- do.call(ts$pca, args)
    args$threads <- 1
    expect_identical(r2, do.call(ts$pca, args), label = paste("pca threads", i))
  }
  # Refining: passing the range sketch back, and a seeded start.
  r <- ts$pca(2, random_seed = 5)
  expect_identical(r, ts$pca(2, random_seed = 5, threads = 2))
  again <- ts$pca(2, range_sketch = r$range_sketch)
  expect_identical(dim(again$range_sketch), dim(r$range_sketch))
})
