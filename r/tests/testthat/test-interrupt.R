# Ctrl-C: SIGINT to an R process during a long statistic stops the call
# with an "interrupt" condition, and the session carries on.

# The library checks for a cancel between pieces of about 2^18 edge
# changes and sites, so the long statistic needs a long tree sequence: the
# bundled one, tiled `times` times along the genome.
tiled <- function(times) {
  ts <- ts_load(system.file("extdata", "tutorial.trees", package = "tspar"))
  tc <- ts$tables()
  L <- ts$sequence_length()
  e <- tc$edges
  s <- tc$sites
  m <- tc$mutations
  tc$sequence_length <- L * times
  shift <- function(n, by) rep((seq_len(times) - 1) * by, each = n)
  tc$set_columns("edges", left = rep(e$left, times) + shift(nrow(e), L),
                 right = rep(e$right, times) + shift(nrow(e), L),
                 parent = rep(e$parent, times), child = rep(e$child, times))
  tc$set_columns("sites", position = rep(s$position, times) + shift(nrow(s), L),
                 ancestral_state = rep(s$ancestral_state, times))
  parent <- rep(m$parent, times)
  tc$set_columns("mutations", site = rep(m$site, times) + shift(nrow(m), nrow(s)),
                 node = rep(m$node, times),
                 parent = ifelse(parent < 0L, -1L, parent + shift(nrow(m), nrow(m))),
                 time = rep(m$time, times), derived_state = rep(m$derived_state, times))
  tc$sort()
  tc$build_index()
  path <- tempfile(fileext = ".trees")
  tc$dump(path)
  path
}

run_interrupted <- function(path, threads,
                            call = "ts$divergence_matrix(g, mode = 'branch', threads = %d)") {
  script <- tempfile(fileext = ".R")
  out <- tempfile(fileext = ".txt")
  writeLines(c(
    "library(tspar)",
    sprintf("ts <- ts_load('%s')", path),
    "g <- split(ts$samples(), rep(1:24, each = 5))",
    "cat('started\\n'); flush(stdout())",
    "r <- tryCatch({",
    sprintf(paste("  for (i in 1:10)", call), threads),
    "  'finished'",
    "}, interrupt = function(e) paste('caught:', conditionMessage(e)))",
    "cat(r, '\\n')",
    "cat('at', format(as.numeric(Sys.time()), digits = 15), '\\n')",
    "cat('alive', ts$num_trees(), '\\n')"
  ), script)
  rscript <- file.path(R.home("bin"), "Rscript")
  libs <- paste(.libPaths(), collapse = .Platform$path.sep)
  pid <- as.integer(system(sprintf("R_LIBS=%s %s %s > %s 2>&1 & echo $!", shQuote(libs), shQuote(rscript),
                                   shQuote(script), shQuote(out)), intern = TRUE))
  # wait until the statistic runs, then interrupt it
  for (i in 1:300) {
    if (file.exists(out) && any(grepl("started", readLines(out, warn = FALSE)))) break
    Sys.sleep(0.1)
  }
  Sys.sleep(1.5)
  sent <- as.numeric(Sys.time())
  tools::pskill(pid, tools::SIGINT)
  for (i in 1:300) {
    if (any(grepl("^alive", readLines(out, warn = FALSE)))) break
    Sys.sleep(0.1)
  }
  lines <- readLines(out, warn = FALSE)
  at <- as.numeric(sub("^at ", "", grep("^at ", lines, value = TRUE)))
  list(lines = lines, delay = if (length(at)) at - sent else NA)
}

test_that("SIGINT during a statistic gives an interrupt condition and the session goes on", {
  skip_on_os("windows")
  path <- tiled(400)
  for (threads in c(1, 2)) {
    r <- run_interrupted(path, threads)
    expect_true(any(grepl("caught: tspar: interrupted", r$lines)), label = paste(r$lines, collapse = "\n"))
    expect_true(any(grepl("^alive [0-9]+", r$lines)), label = paste(r$lines, collapse = "\n"))
    # Stopped within a second of the signal (2 s allowed: the machine may be busy).
    expect_lt(r$delay, 2)
  }
})

test_that("SIGINT during the haplotypes (a bulk genotype call) stops it the same way", {
  skip_on_os("windows")
  path <- tiled(400)
  for (threads in c(1, 2)) {
    r <- run_interrupted(path, threads, call = "ts$haplotypes(samples = 0:1, threads = %d)")
    expect_true(any(grepl("caught: tspar: interrupted", r$lines)), label = paste(r$lines, collapse = "\n"))
    expect_true(any(grepl("^alive [0-9]+", r$lines)), label = paste(r$lines, collapse = "\n"))
    expect_lt(r$delay, 2)
  }
})

# A small result, so that the time is the library's and the signal comes
# while it runs.
test_that("SIGINT during pair_coalescence_counts stops it the same way", {
  skip_on_os("windows")
  path <- tiled(400)
  for (threads in c(1, 2)) {
    r <- run_interrupted(path, threads, call = "for (j in 1:5) ts$pair_coalescence_counts(g[1:2], threads = %d)")
    expect_true(any(grepl("caught: tspar: interrupted", r$lines)), label = paste(r$lines, collapse = "\n"))
    expect_true(any(grepl("^alive [0-9]+", r$lines)), label = paste(r$lines, collapse = "\n"))
    expect_lt(r$delay, 2)
  }
})
