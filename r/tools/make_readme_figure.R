# The README's tutorial: diversity per population, divergence and Fst
# between every pair in windows, on the bundled file, and the plot of Fst
# along the genome (README_files/fst.png). Run from r/ with the package
# installed:  Rscript tools/make_readme_figure.R
library(tspar)

ts <- ts_load(system.file("extdata", "tutorial.trees", package = "tspar"))
pops <- ts$samples_by_population()                  # list(A = ids, B = ids, C = ids)
windows <- seq(0, ts$sequence_length(), length.out = 21)
pairs <- t(combn(names(pops), 2))                   # A:B, A:C, B:C

pi <- ts$diversity(pops, windows = windows)          # [window, population]
dxy <- ts$divergence(pops, indexes = pairs, windows = windows)
fst <- ts$Fst(pops, indexes = pairs, windows = windows)

print(round(colMeans(pi), 6))
print(round(dxy[1:3, ], 6))
print(round(fst[1:3, ], 4))

dir.create("README_files", showWarnings = FALSE)
png("README_files/fst.png", width = 800, height = 420, res = 110)
mid <- (windows[-1] + windows[-length(windows)]) / 2
matplot(mid / 1e6, fst, type = "l", lty = 1, lwd = 2, col = 1:3,
        xlab = "position (Mb)", ylab = "Fst", main = "Fst along the genome (20 windows)")
legend("topright", legend = colnames(fst), col = 1:3, lty = 1, lwd = 2, bty = "n")
invisible(dev.off())
