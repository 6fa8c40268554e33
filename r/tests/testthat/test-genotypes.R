# Genotypes, haplotypes, variants, VCF and the per-node statistics against
# tskit 1.0.3's values (tests/make_fixtures.py writes genotypes.json).
skip_if_not_installed("jsonlite")

gx <- jsonlite::fromJSON(fixture("genotypes.json"), simplifyVector = FALSE)
files <- list()
ts_of <- function(name) {
  if (is.null(files[[name]])) files[[name]] <<- ts_load(fixture(name))
  files[[name]]
}
ints <- function(x) as.integer(unlist(x))
nums <- function(x) vapply(x, function(v) if (is.null(v)) NA_real_ else v, numeric(1))
geno_args <- function(a) {
  out <- list()
  for (k in names(a)) {
    v <- a[[k]]
    out[[k]] <- switch(k, samples = ints(v), individuals = ints(v),
                       alleles = , individual_names = as.character(unlist(v)),
                       position_transform = if (identical(v, "times10")) function(x) x * 10 else v,
                       v)
  }
  out
}

test_that("genotype_matrix gives tskit's [site, sample] matrix", {
  expect_gte(length(gx$genotype_matrix), 5)
  for (case in gx$genotype_matrix) {
    ts <- ts_of(case$file)
    args <- geno_args(case$args)
    g <- do.call(ts$genotype_matrix, args)
    expected <- do.call(rbind, lapply(case$value, ints))
    label <- paste(case$file, jsonlite::toJSON(case$args, auto_unbox = TRUE))
    expect_true(is.integer(g), label = label)
    expect_identical(unname(g), expected, label = label)
    samples <- if (is.null(args$samples)) ts$samples() else args$samples
    expect_identical(dimnames(g), list(site = as.character(seq_len(ts$num_sites()) - 1L),
                                       sample = as.character(samples)), label = label)
  }
  ts <- ts_of("genotypes_missing.trees")
  expect_true(any(ts$genotype_matrix() == -1L))
})

test_that("haplotypes give tskit's strings", {
  for (case in gx$haplotypes) {
    h <- do.call(ts_of(case$file)$haplotypes, geno_args(case$args))
    expect_identical(unname(h), as.character(unlist(case$value)),
                     label = paste(case$file, jsonlite::toJSON(case$args, auto_unbox = TRUE)))
  }
})

test_that("variant and variants give tskit's sites, alleles and genotypes", {
  for (case in gx$variants) {
    ts <- ts_of(case$file)
    v <- ts$variant(case$site)
    expect_identical(v$site, as.integer(case$site))
    expect_identical(v$position, case$position)
    expect_identical(v$alleles, vapply(case$alleles, function(a) if (is.null(a)) NA_character_ else a, ""))
    expect_identical(v$genotypes, ints(case$genotypes))
    expect_identical(v$has_missing_data, anyNA(v$alleles))
  }
  ts <- ts_of("stats.trees")
  all <- ts$variants()
  expect_length(all, ts$num_sites())
  g <- ts$genotype_matrix()
  expect_identical(unname(do.call(rbind, lapply(all, `[[`, "genotypes"))), unname(g))
  part <- ts$variants(samples = c(5, 0), left = 2500, right = 6000)
  pos <- ts$column("sites/position")
  expect_identical(vapply(part, `[[`, 0, "position"), pos[pos >= 2500 & pos < 6000])
  expect_identical(part[[1]]$genotypes, unname(g[part[[1]]$site + 1L, c("5", "0")]))
  expect_error(ts$variant(ts$num_sites()), class = "tspar_error")
})

test_that("write_vcf writes tskit's VCF text but the ##source line", {
  strip <- function(lines) lines[!startsWith(lines, "##source=")]
  for (case in gx$vcf) {
    ts <- ts_of(case$file)
    path <- tempfile(fileext = ".vcf")
    do.call(ts$write_vcf, c(list(path), geno_args(case$args)))
    got <- readLines(path)
    expected <- strsplit(case$value, "\n", fixed = TRUE)[[1]]
    expect_identical(strip(got), strip(expected),
                     label = paste(case$file, jsonlite::toJSON(case$args, auto_unbox = TRUE)))
    expect_true(any(startsWith(got, "##source=")))
    unlink(path)
  }
  ts <- ts_of("stats.trees")
  a <- tempfile()
  b <- tempfile()
  ts$write_vcf(a, threads = 1)
  ts$write_vcf(b, threads = 2)
  expect_identical(readBin(a, "raw", file.size(a)), readBin(b, "raw", file.size(b)))
  gz <- tempfile(fileext = ".vcf.gz")
  ts$write_vcf(gz, bgzf = TRUE)
  con <- gzfile(gz)
  expect_identical(readLines(con), readLines(a))
  close(con)
  expect_error(ts_of("stats.trees")$write_vcf(tempfile(), ploidy = 2), class = "tspar_error")
  expect_error(ts$write_vcf(a, ploidy = 0), "Ploidy")
  unlink(c(a, b, gz))
})

test_that("mean_descendants and genealogical_nearest_neighbours give tskit's values", {
  ts <- ts_of("stats.trees")
  md <- gx$mean_descendants
  sets <- lapply(md$sample_sets, ints)
  got <- ts$mean_descendants(sets)
  expect_identical(dim(got), ints(md$shape))
  expect_close(flat_c(got), nums(md$value), "mean_descendants")
  expect_identical(dimnames(got)$node, as.character(seq_len(ts$num_nodes()) - 1L))
  gnn <- gx$genealogical_nearest_neighbours
  got <- ts$genealogical_nearest_neighbours(ints(gnn$focal), lapply(gnn$sample_sets, ints))
  expect_identical(dim(got), ints(gnn$shape))
  expect_close(flat_c(got), nums(gnn$value), "genealogical_nearest_neighbours")
  named <- ts$samples_by_population()
  expect_identical(colnames(ts$genealogical_nearest_neighbours(ts$samples(), named)), names(named))
  expect_identical(ts$genealogical_nearest_neighbours(ts$samples(), named, threads = 1),
                   ts$genealogical_nearest_neighbours(ts$samples(), named, threads = 2))
  expect_identical(ts$mean_descendants(named, threads = 1), ts$mean_descendants(named, threads = 2))
  expect_error(ts$mean_descendants(list(0:3, 2:5)), class = "tspar_error")
})

test_that("trait_linear_model gives tskit's values", {
  ts <- ts_of("stats.trees")
  for (case in gx$trait_linear_model) {
    a <- case$args
    args <- list(W = do.call(rbind, lapply(a$W, unlist)), mode = a$mode)
    if (!is.null(a$Z)) args$Z <- do.call(rbind, lapply(a$Z, unlist))
    if (!is.null(a$windows)) args$windows <- unlist(a$windows)
    got <- do.call(ts$trait_linear_model, args)
    label <- paste("trait_linear_model", a$mode, !is.null(a$Z), !is.null(a$windows))
    expect_identical(shape_of(got), ints(case$shape), label = label)
    expect_close(flat_c(got), nums(case$value), label)
  }
  W <- do.call(rbind, lapply(gx$trait_linear_model[[1]]$args$W, unlist))
  expect_error(ts$trait_linear_model(W[-1, ]), "samples")
  expect_error(ts$trait_linear_model(W, Z = cbind(1, 2 * rep(1, nrow(W)))), class = "tspar_error")
})

test_that("threads = 2 gives the bits of threads = 1", {
  ts <- ts_of("stats.trees")
  expect_identical(ts$genotype_matrix(threads = 1), ts$genotype_matrix(threads = 2))
  m <- ts_of("genotypes_missing.trees")
  expect_identical(m$genotype_matrix(threads = 1), m$genotype_matrix(threads = 2))
  expect_identical(ts$haplotypes(threads = 1), ts$haplotypes(threads = 2))
  W <- do.call(rbind, lapply(gx$trait_linear_model[[1]]$args$W, unlist))
  for (mode in c("site", "branch")) {
    expect_identical(ts$trait_linear_model(W, windows = "trees", mode = mode, threads = 1),
                     ts$trait_linear_model(W, windows = "trees", mode = mode, threads = 2))
  }
})

test_that("genotype errors are tspar_errors; bad R arguments are R errors first", {
  ts <- ts_of("stats.trees")
  expect_error(ts$genotype_matrix(alleles = c("A", "C")), class = "tspar_error")
  expect_error(ts$genotype_matrix(samples = c(0, 0)), class = "tspar_error")
  expect_error(ts$genotype_matrix(samples = 100000), class = "tspar_error")
  expect_error(ts$haplotypes(missing_data_character = "A"), class = "tspar_error")
  # Multi-character alleles ("GG", "CCC") have no haplotype.
  tc <- tc_load(fixture("tables_expected.trees"))
  tc$sort()
  tc$build_index()
  multi <- tc$tree_sequence()
  expect_error(multi$haplotypes(), class = "tspar_error")
  expect_error(ts$genotype_matrix(samples = c(0, NA)), "NA")
  expect_error(ts$haplotypes(missing_data_character = "NN"), "single")
  expect_error(ts$haplotypes(left = 5000, right = 10), "range")
  expect_error(ts$write_vcf(tempfile(), position_transform = "other"), "position_transform")
  expect_error(ts$genotype_matrix(isolated_as_missing = NA), "isolated_as_missing")
})
