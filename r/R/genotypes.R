# Genotypes (variants, genotype matrix, haplotypes, VCF) and the per-node
# statistics (mean_descendants, genealogical_nearest_neighbours,
# trait_linear_model): tskit's Python arguments in R form; the decoding,
# the allele rules and the VCF text are the library's.

.GENO <- list(isolated_not_missing = 2L, vcf_legacy_positions = 256L, vcf_allow_position_zero = 512L,
              vcf_include_non_sample_nodes = 1024L, vcf_bgzf = 2048L)

.isolated_opts <- function(isolated_as_missing) {
  if (.flag(isolated_as_missing, "isolated_as_missing")) 0L else .GENO$isolated_not_missing
}

# The nodes decoded (NULL: the samples) and how many.
.geno_samples <- function(ts, samples) {
  if (is.null(samples)) return(list(arg = NULL, ids = ts$samples()))
  if (!is.numeric(samples) || !is.null(dim(samples))) {
    stop("samples must be a vector of node ids", call. = FALSE)
  }
  list(arg = samples, ids = as.integer(samples))
}

# Sites with left <= position < right, as tskit's left/right arguments.
.site_range <- function(ts, left, right) {
  L <- ts$sequence_length()
  if (is.null(left)) left <- 0
  if (is.null(right)) right <- L
  if (!is.numeric(left) || !is.numeric(right) || length(left) != 1L || length(right) != 1L ||
      is.na(left) || is.na(right) || !(0 <= left && left < right && right <= L)) {
    stop("invalid genomic range [", left, ", ", right, ") for a sequence of length ", L, call. = FALSE)
  }
  pos <- ts$column("sites/position")
  c(sum(pos < left), sum(pos < right))
}

.alleles_arg <- function(alleles) {
  if (is.null(alleles)) return(NULL)
  if (!is.character(alleles) || anyNA(alleles)) stop("alleles must be a character vector", call. = FALSE)
  alleles
}

.variant_list <- function(d, position) {
  alleles <- d[[3]]
  if (d[[4]]) alleles <- c(alleles, NA_character_)
  list(site = d[[1]], position = position, alleles = alleles, genotypes = d[[2]],
       has_missing_data = d[[4]])
}

TreeSequence$set("public", "genotype_matrix", function(samples = NULL, isolated_as_missing = TRUE,
                                                       alleles = NULL, threads = NULL) {
  s <- .geno_samples(self, samples)
  m <- self$num_sites()
  n <- length(s$ids)
  buf <- .Call(r_genotype_matrix, self$handle, s$arg, .alleles_arg(alleles), .isolated_opts(isolated_as_missing),
               n, c(0, m), threads)
  # The library's [site][sample] rows become the matrix's rows.
  g <- matrix(buf, nrow = m, ncol = n, byrow = TRUE)
  dimnames(g) <- list(site = as.character(seq_len(m) - 1L), sample = as.character(s$ids))
  g
})

TreeSequence$set("public", "haplotypes", function(isolated_as_missing = TRUE, missing_data_character = "N",
                                                  samples = NULL, left = NULL, right = NULL, threads = NULL) {
  s <- .geno_samples(self, samples)
  r <- .site_range(self, left, right)
  h <- .Call(r_haplotypes, self$handle, s$arg, .isolated_opts(isolated_as_missing), missing_data_character,
             length(s$ids), r, threads)
  names(h) <- as.character(s$ids)
  h
})

TreeSequence$set("public", "variant", function(site, samples = NULL, isolated_as_missing = TRUE, alleles = NULL) {
  s <- .geno_samples(self, samples)
  v <- .Call(r_variant_new, self$handle, s$arg, .alleles_arg(alleles), .isolated_opts(isolated_as_missing))
  d <- .Call(r_variant_decode, v, site)
  .variant_list(d, self$column("sites/position")[d[[1]] + 1L])
})

TreeSequence$set("public", "variants", function(samples = NULL, isolated_as_missing = TRUE, alleles = NULL,
                                                left = NULL, right = NULL) {
  s <- .geno_samples(self, samples)
  r <- .site_range(self, left, right)
  v <- .Call(r_variant_new, self$handle, s$arg, .alleles_arg(alleles), .isolated_opts(isolated_as_missing))
  pos <- self$column("sites/position")
  lapply(seq_len(r[2] - r[1]) + r[1] - 1L, function(site) {
    .variant_list(.Call(r_variant_decode, v, site), pos[site + 1L])
  })
})

TreeSequence$set("public", "write_vcf", function(path, ploidy = NULL, individuals = NULL, individual_names = NULL,
                                                 contig_id = "1", position_transform = NULL,
                                                 isolated_as_missing = TRUE, allow_position_zero = FALSE,
                                                 include_non_sample_nodes = FALSE, bgzf = FALSE,
                                                 threads = NULL) {
  if (!is.character(path) || length(path) != 1L || is.na(path)) stop("path must be a single string", call. = FALSE)
  opts <- .isolated_opts(isolated_as_missing)
  if (.flag(allow_position_zero, "allow_position_zero")) opts <- opts + .GENO$vcf_allow_position_zero
  if (.flag(include_non_sample_nodes, "include_non_sample_nodes")) {
    opts <- opts + .GENO$vcf_include_non_sample_nodes
  }
  if (.flag(bgzf, "bgzf")) opts <- opts + .GENO$vcf_bgzf
  if (!is.null(ploidy)) {
    if (!is.numeric(ploidy) || length(ploidy) != 1L || is.na(ploidy) || ploidy <= 0 || ploidy != round(ploidy)) {
      stop("Ploidy must be a positive integer", call. = FALSE)
    }
  }
  if (!is.null(individual_names)) individual_names <- as.character(individual_names)
  positions <- NULL
  contig_length <- NULL
  if (!is.null(position_transform)) {
    if (identical(position_transform, "legacy")) {
      opts <- opts + .GENO$vcf_legacy_positions
    } else if (is.function(position_transform)) {
      # As tskit: the transform's values truncated to integers.
      positions <- trunc(as.numeric(position_transform(self$column("sites/position"))))
      if (length(positions) != self$num_sites()) {
        stop("Position transform must return an array of the same length", call. = FALSE)
      }
      contig_length <- max(1, trunc(as.numeric(position_transform(self$sequence_length()))[1]))
    } else {
      stop("position_transform must be NULL, \"legacy\" or a function", call. = FALSE)
    }
  }
  if (!is.character(contig_id) || length(contig_id) != 1L || is.na(contig_id)) {
    stop("contig_id must be a single string", call. = FALSE)
  }
  .Call(r_write_vcf, self$handle, path.expand(path), ploidy, individuals, individual_names, contig_id,
        positions, contig_length, opts, threads)
  invisible(self)
})

# Reference sets for the per-node statistics: the set dimension is kept.
.reference_sets <- function(ts, sample_sets, what) {
  if (is.null(sample_sets)) stop(what, " needs sample_sets", call. = FALSE)
  .sample_sets(ts, sample_sets, FALSE, what)
}

TreeSequence$set("public", "mean_descendants", function(sample_sets, threads = NULL) {
  sets <- .reference_sets(self, sample_sets, "mean_descendants")
  nn <- self$num_nodes()
  buf <- .Call(r_node_stat, "mean_descendants", self$handle, NULL, sets$sizes, sets$ids, threads, nn * sets$n)
  .shape(buf, list(list(name = "node", labels = as.character(seq_len(nn) - 1L)),
                   list(name = "set", labels = sets$names)), c(FALSE, FALSE))
})

TreeSequence$set("public", "genealogical_nearest_neighbours", function(focal, sample_sets, threads = NULL) {
  if (!is.numeric(focal) || !is.null(dim(focal))) stop("focal must be a vector of node ids", call. = FALSE)
  sets <- .reference_sets(self, sample_sets, "genealogical_nearest_neighbours")
  buf <- .Call(r_node_stat, "genealogical_nearest_neighbours", self$handle, focal, sets$sizes, sets$ids, threads,
               length(focal) * sets$n)
  .shape(buf, list(list(name = "focal", labels = as.character(focal)),
                   list(name = "set", labels = sets$names)), c(FALSE, FALSE))
})

TreeSequence$set("public", "trait_linear_model", function(W, Z = NULL, windows = NULL, mode = "site",
                                                          span_normalise = TRUE, threads = NULL) {
  opts <- .stat_options(mode, span_normalise)
  Wa <- .weights(self, W)
  Zflat <- NULL
  zcol <- 0L
  if (!is.null(Z)) {
    if (is.data.frame(Z)) Z <- as.matrix(Z)
    if (is.null(dim(Z))) Z <- matrix(Z, ncol = 1L)
    if (!is.numeric(Z) || length(dim(Z)) != 2L || nrow(Z) != self$num_samples()) {
      stop("First dimension of Z must equal the number of samples.", call. = FALSE)
    }
    Zflat <- as.vector(t(Z))
    zcol <- ncol(Z)
  }
  w <- .windows_arg(self, windows)
  dims <- c(list(.window_dim(w)), .node_dim(self, mode), list(list(name = "weight", labels = Wa$labels)))
  n <- prod(lengths(lapply(dims, `[[`, "labels")))
  buf <- .Call(r_trait_linear_model, self$handle, Wa$flat, Wa$ncol, Zflat, zcol, w$breaks, opts, threads, n)
  .shape(buf, dims, c(is.null(windows), rep(FALSE, length(dims) - 1L)))
})
