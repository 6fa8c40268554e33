# Every statistic against tskit 1.0.3's values (tests/make_fixtures.py).
skip_if_not_installed("jsonlite")

fx <- jsonlite::fromJSON(fixture("stats.json"), simplifyVector = FALSE)
ts <- ts_load(fixture("stats.trees"))

r_args <- function(a, ts) {
  out <- list()
  for (k in names(a)) {
    v <- a[[k]]
    switch(k,
      sample_sets = out$sample_sets <- lapply(v, function(s) as.integer(unlist(s))),
      sample_sets_vector = out$sample_sets <- as.integer(unlist(v)),
      indexes = out$indexes <- do.call(rbind, lapply(v, function(r) unlist(r) + 1L)),
      indexes_vector = out$indexes <- unlist(v) + 1L,
      W = out$W <- do.call(rbind, lapply(v, unlist)),
      windows = out$windows <- if (is.character(v)) v else unlist(v),
      f = {
        n <- if (v == "pairs") ts$num_samples() else length(a$sample_sets[[1]])
        out$f <- function(x) x * (n - x)
      },
      out[[k]] <- v
    )
  }
  out
}

test_that("every statistic gives tskit's values and shapes", {
  expect_gt(length(fx$cases), 100)
  methods <- character(0)
  for (i in seq_along(fx$cases)) {
    case <- fx$cases[[i]]
    args <- r_args(case$args, ts)
    got <- do.call(ts[[case$method]], args)
    label <- paste0("case ", i, " ", case$method, " ", jsonlite::toJSON(case$args[setdiff(names(case$args), "W")],
                                                                          auto_unbox = TRUE))
    expected <- vapply(case$value, function(v) if (is.null(v)) NA_real_ else v, numeric(1))
    expect_identical(shape_of(got), as.integer(unlist(case$shape)), label = label)
    expect_close(flat_c(got), expected, label)
    methods <- c(methods, case$method)
  }
  # The C API's statistics, each covered.
  expect_setequal(unique(methods), c(
    "diversity", "segregating_sites", "Y1", "Tajimas_D", "divergence", "Fst", "Y2", "f2",
    "genetic_relatedness", "Y3", "f3", "f4", "trait_covariance", "trait_correlation",
    "genetic_relatedness_weighted", "allele_frequency_spectrum", "divergence_matrix",
    "genetic_relatedness_matrix", "general_stat", "sample_count_stat"))
})

test_that("results carry dimnames from the sample sets and windows", {
  sets <- ts$samples_by_population()
  expect_named(sets, c("A", "B", "C"))
  d <- ts$diversity(sets, windows = c(0, 5000, 10000))
  expect_identical(dimnames(d), list(window = c("[0, 5000)", "[5000, 10000)"), set = c("A", "B", "C")))
  f <- ts$Fst(sets, indexes = rbind(c("A", "B"), c("A", "C")), windows = c(0, 5000, 10000))
  expect_identical(colnames(f), c("A:B", "A:C"))
  expect_identical(f[, "A:B"], ts$Fst(sets[1:2], windows = c(0, 5000, 10000)))
  m <- ts$divergence_matrix(sets)
  expect_identical(dimnames(m), list(set = c("A", "B", "C"), set = c("A", "B", "C")))
  expect_equal(unname(diag(m)), unname(ts$diversity(sets)), tolerance = 1e-12)
  expect_named(ts$diversity(unname(sets)), c("1", "2", "3"))
})

test_that("threads = 2 gives the bits of threads = 1", {
  sets <- ts$samples_by_population()
  pairs <- t(combn(3, 2))
  for (mode in c("site", "branch")) {
    for (w in list(NULL, "trees")) {
      expect_identical(ts$diversity(sets, windows = w, mode = mode, threads = 1),
                       ts$diversity(sets, windows = w, mode = mode, threads = 2))
      expect_identical(ts$divergence(sets, pairs, windows = w, mode = mode, threads = 1),
                       ts$divergence(sets, pairs, windows = w, mode = mode, threads = 2))
      expect_identical(ts$Fst(sets, pairs, windows = w, mode = mode, threads = 1),
                       ts$Fst(sets, pairs, windows = w, mode = mode, threads = 2))
      expect_identical(ts$f4(c(sets, sets[1]), c(1, 2, 3, 4), windows = w, mode = mode, threads = 1),
                       ts$f4(c(sets, sets[1]), c(1, 2, 3, 4), windows = w, mode = mode, threads = 2))
      expect_identical(ts$divergence_matrix(windows = w, mode = mode, threads = 1),
                       ts$divergence_matrix(windows = w, mode = mode, threads = 2))
      expect_identical(ts$allele_frequency_spectrum(sets[1:2], windows = w, mode = mode, threads = 1),
                       ts$allele_frequency_spectrum(sets[1:2], windows = w, mode = mode, threads = 2))
    }
  }
})
