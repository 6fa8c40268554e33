# tspar's errors become R errors with tspar's message; never a crash.

test_that("library errors are R errors of class tspar_error with tspar's message", {
  ts <- ts_load(fixture("stats.trees"))
  e <- tryCatch(ts$diversity(list(c(0, 100000))), error = function(e) e)
  expect_s3_class(e, "tspar_error")
  expect_match(conditionMessage(e), "node 100000")
  expect_identical(e$code, -205L)
  expect_error(ts$diversity(windows = c(0, 20000, 10)), class = "tspar_error")
  expect_error(ts$diversity(windows = c(5000, 0)), class = "tspar_error")
  expect_error(ts$diversity(list(integer(0))), class = "tspar_error")
  expect_error(ts_load(tempfile()), class = "tspar_error")
  bad <- tempfile()
  writeBin(as.raw(1:100), bad)
  expect_error(ts_load(bad), class = "tspar_error")
  expect_error(ts$diversity(threads = 5000), class = "tspar_error")
  expect_error(ts$first()$seek(1e9), class = "tspar_error")
  tc <- tc_new(10)
  expect_error(tc$add_row("edges", left = 0, right = 10, parent = 5, child = 1)$tree_sequence())
  expect_error(tc$tree_sequence(), class = "tspar_error")
})

test_that("bad R arguments are R errors before the library is called", {
  ts <- ts_load(fixture("stats.trees"))
  sets <- ts$samples_by_population()
  expect_error(ts$diversity(list(c(0, NA))), "NA")
  expect_error(ts$diversity(list(c(0.5, 1))), "not a valid id")
  expect_error(ts$diversity(list("a")), "sample_sets")
  expect_error(ts$diversity(mode = "nodes"), "mode")
  expect_error(ts$diversity(span_normalise = NA), "span_normalise")
  expect_error(ts$divergence(sets), "exactly 2")
  expect_error(ts$divergence(sets, indexes = c(1, 4)), "indexes")
  expect_error(ts$divergence(sets, indexes = matrix(1:3, 1)), "2 columns")
  expect_error(ts$diversity(windows = c(0, NA, 10000)), "NA")
  expect_error(ts$diversity(threads = NA), "threads")
  expect_error(ts$diversity(threads = -1), "threads")
  expect_error(ts$trait_covariance(matrix(1, 3, 1)), "number of samples")
  tc <- tc_new(10)
  expect_error(tc$add_row("nodes", time = NA), "NA")
  expect_error(tc$add_row("edges", left = 0), "missing")
  expect_error(tc$add_row("nodes", tim = 1), "named arguments")
  expect_error(tc$num_rows("nodez"), "table must be")
})

test_that("a freed object is an error, not a crash", {
  ts <- ts_load(fixture("stats.trees"))
  tree <- ts$first()
  ts$free()
  expect_error(ts$num_trees(), "freed")
  expect_error(ts$diversity(), "freed")
  ts$free() # twice is fine
  expect_true(tree$next_tree()) # the cursor keeps the data alive
  tree$free()
  expect_error(tree$parent_array(), "freed")
  tc <- tc_new(1)
  tc$free()
  expect_error(tc$nodes, "freed")
  expect_output(print(tc), "freed")
})

test_that("an error in general_stat's summary function is an error, not a crash", {
  ts <- ts_load(fixture("stats.trees"))
  W <- matrix(1, ts$num_samples(), 1)
  expect_error(suppressMessages(ts$general_stat(W, function(x) if (x[1] > 5) stop("boom") else 0, 1,
                                                strict = FALSE)),
               class = "tspar_error")
  expect_error(ts$general_stat(W, function(x) c(x, x), 1, strict = FALSE), class = "tspar_error")
  expect_identical(ts$num_trees(), ts$num_trees()) # the session goes on
})
