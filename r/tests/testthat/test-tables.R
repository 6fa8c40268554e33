# Tables: rows, columns, round trips through files, against tables tskit wrote.

build_row_by_row <- function() {
  tc <- tc_new(100)
  tc$time_units <- "generations"
  tc$add_row("populations", metadata = charToRaw("pop-a"))
  tc$add_row("populations")
  tc$add_row("individuals", flags = 0, location = c(0.5, 1.5), parents = c(-1, -1), metadata = "ind0")
  tc$add_row("individuals", flags = 1, parents = 0L)
  for (j in 0:3) tc$add_row("nodes", flags = 1, time = 0, population = j %% 2, individual = j %/% 2)
  tc$add_row("nodes", time = 1.5, population = 0, metadata = "anc")
  tc$add_row("nodes", time = 3.25, population = 1)
  edges <- rbind(c(0, 100, 4, 0), c(0, 100, 4, 1), c(0, 60, 5, 2), c(0, 100, 5, 4),
                 c(60, 100, 5, 3), c(0, 60, 5, 3), c(60, 100, 5, 2))
  for (i in seq_len(nrow(edges))) {
    expect_identical(tc$add_row("edges", left = edges[i, 1], right = edges[i, 2], parent = edges[i, 3],
                                child = edges[i, 4]), i - 1L)
  }
  tc$add_row("sites", position = 10.5, ancestral_state = "A", metadata = "s")
  tc$add_row("sites", position = 70, ancestral_state = "GG")
  tc$add_row("mutations", site = 0, node = 0, derived_state = "T", time = 0.5)
  tc$add_row("mutations", site = 1, node = 4, derived_state = "C")
  tc$add_row("mutations", site = 1, node = 1, derived_state = "CCC", parent = 1, time = NA, metadata = "m")
  tc$add_row("migrations", left = 0, right = 50, node = 2, source = 0, dest = 1, time = 0.75)
  tc$add_row("provenances", record = '{"software": "test"}', timestamp = "2026-01-01T00:00:00")
  tc
}

test_that("tables built row by row equal the tables tskit built", {
  expected <- tc_load(fixture("tables_expected.trees"))
  tc <- build_row_by_row()
  expect_true(tc$equals(expected))
  # and through a file
  path <- tempfile(fileext = ".trees")
  tc$dump(path)
  expect_true(tc_load(path)$equals(expected))
})

test_that("tables as data frames, and back through set_columns", {
  expected <- tc_load(fixture("tables_expected.trees"))
  tc <- tc_new(100)
  tc$time_units <- "generations"
  for (t in c("individuals", "nodes", "edges", "migrations", "sites", "mutations", "populations",
              "provenances")) {
    df <- expected$table(t)
    expect_s3_class(df, "data.frame")
    expect_identical(nrow(df), as.integer(expected$num_rows(t)))
    tc$set_columns(t, df)
  }
  expect_true(tc$equals(expected))
  n <- expected$nodes
  expect_identical(n$time, c(0, 0, 0, 0, 1.5, 3.25))
  expect_identical(n$population, c(0L, 1L, 0L, 1L, 0L, 1L))
  expect_identical(n$metadata[[5]], charToRaw("anc"))
  expect_identical(expected$sites$ancestral_state, c("A", "GG"))
  expect_identical(expected$individuals$location, I(list(c(0.5, 1.5), numeric(0))))
  expect_true(is.nan(expected$mutations$time[2]))
  expect_identical(expected$column("edges/parent"), c(4L, 4L, 5L, 5L, 5L, 5L, 5L))
})

test_that("append_columns adds rows; bookmark and truncate cut back", {
  tc <- build_row_by_row()
  b <- tc$bookmark()
  expect_identical(b[["nodes"]], 6)
  tc$append_columns("nodes", flags = c(0, 0), time = c(5, 6))
  tc$append_columns("sites", position = c(80, 90), ancestral_state = c("T", "TT"))
  expect_identical(tc$num_rows("nodes"), 8)
  expect_identical(tc$nodes$population[7:8], c(-1L, -1L))
  expect_identical(tc$sites$ancestral_state, c("A", "GG", "T", "TT"))
  tc$truncate(b)
  expect_true(tc$equals(build_row_by_row()))
  b[["nodes"]] <- 100
  expect_error(tc$truncate(b), class = "tspar_error")
})

test_that("sort, tree_sequence and dump round trip a tree sequence", {
  ts <- ts_load(fixture("stats.trees"))
  tc <- ts$tables()
  df <- tc$edges
  tc$set_columns("edges", df[rev(seq_len(nrow(df))), ])
  expect_error(tc$tree_sequence(), class = "tspar_error")
  tc$sort(threads = 2)
  ts2 <- tc$tree_sequence()
  expect_true(ts2$tables()$equals(ts$tables()))
  path <- tempfile(fileext = ".trees")
  ts2$dump(path)
  expect_true(tc_load(path)$equals(ts$tables()))
  expect_identical(ts_load(path)$breakpoints(), ts$breakpoints())
})

test_that("metadata with a JSON schema is decoded", {
  skip_if_not_installed("jsonlite")
  ts <- ts_load(fixture("stats.trees"))
  pops <- ts$table("populations")
  expect_identical(vapply(pops$metadata, `[[`, "", "name"), c("A", "B", "C"))
  raw_md <- ts$table("populations", decode_metadata = FALSE)$metadata
  expect_type(raw_md[[1]], "raw")
})

test_that("R-written files load in tskit with equal tables", {
  py <- Sys.getenv("TSPAR_PYTHON", file.path("..", "..", "..", ".venv", "bin", "python"))
  skip_if_not(file.exists(py), "no Python with tskit (set TSPAR_PYTHON)")
  ok <- system2(py, c("-c", shQuote("import tskit")), stdout = FALSE, stderr = FALSE) == 0
  skip_if_not(ok, "no tskit in that Python")
  path <- tempfile(fileext = ".trees")
  build_row_by_row()$dump(path)
  code <- sprintf(paste0("import tskit; a = tskit.TableCollection.load(%s); ",
                         "b = tskit.TableCollection.load(%s); print(a == b)"),
                  shQuote(path), shQuote(normalizePath(fixture("tables_expected.trees"))))
  out <- system2(py, c("-c", shQuote(code)), stdout = TRUE)
  expect_identical(out, "True")
})
