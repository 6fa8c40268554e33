# The R benchmark's task from R: divergence and Fst between every ordered
# pair of distinct populations, in N equal windows, at T threads; prints
# the median seconds of the two calls (the load excluded), the median
# seconds of the same two calls made straight through the package's .Call
# entry with arguments prepared beforehand (the C API plus the C glue, in
# this process; repeats alternate between the two), the seconds of the R
# layer alone (no library call) for the two calls, and the first Fst
# value. See bench_r.sh.
#   Rscript bench/bench_r.R FILE WINDOWS THREADS REPEATS
library(tspar)
a <- commandArgs(trailingOnly = TRUE)
ts <- ts_load(a[1], threads = as.integer(a[3]))
nw <- as.integer(a[2])
threads <- as.integer(a[3])
repeats <- as.integer(a[4])
pops <- ts$samples_by_population()
K <- length(pops)
pairs <- as.matrix(subset(expand.grid(j = seq_len(K), i = seq_len(K)), i != j)[, c("i", "j")])
windows <- seq(0, ts$sequence_length(), length.out = nw + 1)
# The raw entry's arguments, as the methods prepare them.
sizes <- as.numeric(lengths(pops))
ids <- unlist(pops, use.names = FALSE)
flat <- as.vector(t(pairs)) - 1
opts <- 1L + 2048L
n <- nw * nrow(pairs)
r_stat <- get("r_stat", envir = asNamespace("tspar")) # the registered .Call entry
t <- raw <- numeric(repeats)
for (r in seq_len(repeats)) {
  t[r] <- system.time({
    dxy <- ts$divergence(pops, indexes = pairs, windows = windows, threads = threads)
    fst <- ts$Fst(pops, indexes = pairs, windows = windows, threads = threads)
  })[["elapsed"]]
  raw[r] <- system.time({
    .Call(r_stat, "divergence", ts$handle, sizes, ids, flat, windows, opts, threads, n)
    .Call(r_stat, "Fst", ts$handle, sizes, ids, flat, windows, opts, threads, n)
  })[["elapsed"]]
}
# The R layer alone (argument conversion and the shaping of the result,
# no library call), per pair of calls: what the package adds to the C API.
ns <- asNamespace("tspar")
layer <- system.time(for (i in 1:20) for (name in c("divergence", "Fst")) {
  sets <- ns$.sample_sets(ts, pops, FALSE, name)
  idx <- ns$.index_tuples(pairs, 2L, sets)
  w <- ns$.windows_arg(ts, windows)
  dims <- list(ns$.window_dim(w), list(name = "index", labels = idx$labels))
  ns$.shape(numeric(n), dims, c(FALSE, FALSE))
})[["elapsed"]] / 20
cat(sprintf("%.4f %.4f %.5f %d %d %.17g\n", median(t), median(raw), layer, K, nrow(pairs), fst[1, 1]))
