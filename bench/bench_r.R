# The R benchmark's task from R: divergence and Fst between every ordered
# pair of distinct populations, in N equal windows, at T threads; prints
# the median seconds of the two calls (the load excluded). See bench_r.sh.
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
t <- numeric(repeats)
for (r in seq_len(repeats)) {
  t[r] <- system.time({
    dxy <- ts$divergence(pops, indexes = pairs, windows = windows, threads = threads)
    fst <- ts$Fst(pops, indexes = pairs, windows = windows, threads = threads)
  })[["elapsed"]]
}
cat(sprintf("%.4f %d %d %.17g\n", median(t), K, nrow(pairs), fst[1, 1]))
