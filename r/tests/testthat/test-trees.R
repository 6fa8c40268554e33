# Trees: parent arrays and intervals from the edge table, MRCA by walking up.

test_that("trees' parents, intervals, MRCA and branch lengths match the tables", {
  ts <- ts_load(fixture("stats.trees"))
  edges <- ts$table("edges")
  time <- ts$column("nodes/time")
  bp <- ts$breakpoints()
  expect_identical(length(bp), as.integer(ts$num_trees() + 1))
  tree <- ts$first()
  k <- 0
  repeat {
    iv <- tree$interval()
    expect_identical(unname(iv), bp[k + 1:2])
    x <- iv[["left"]]
    on <- edges$left <= x & x < edges$right
    parent <- rep(-1L, ts$num_nodes() + 1)
    parent[edges$child[on] + 1L] <- edges$parent[on]
    expect_identical(tree$parent_array(), parent)
    u <- 0L
    v <- as.integer(ts$num_samples()) - 1L
    up <- function(a) {
      path <- a
      while (parent[a + 1L] != -1L) {
        a <- parent[a + 1L]
        path <- c(path, a)
      }
      path
    }
    m <- intersect(up(u), up(v))
    expect_identical(tree$mrca(u, v), if (length(m)) m[1] else -1L)
    nonroot <- which(parent[seq_len(ts$num_nodes())] != -1L) - 1L
    w <- nonroot[1]
    expect_identical(tree$branch_length(w), time[parent[w + 1L] + 1L] - time[w + 1L])
    expect_equal(tree$total_branch_length(),
                 sum(time[parent[nonroot + 1L] + 1L] - time[nonroot + 1L]), tolerance = 1e-12)
    k <- k + 1
    if (k > 20 || !tree$next_tree()) break
  }
  last <- ts$last()
  expect_identical(last$index(), ts$num_trees() - 1)
  expect_false(last$next_tree())
  at <- ts$at(bp[3])
  expect_identical(at$index(), 2)
})

test_that("counts, samples and samples_by_population", {
  ts <- ts_load(fixture("stats.trees"))
  expect_identical(ts$num_samples(), 48)
  expect_identical(ts$num_populations(), 3)
  expect_identical(ts$samples(), 0:47)
  byp <- ts$samples_by_population()
  expect_identical(lengths(byp), c(A = 16L, B = 16L, C = 16L))
  pop <- ts$column("nodes/population")
  expect_true(all(pop[byp$B + 1L] == 1L))
  expect_output(print(ts), "TreeSequence")
  expect_output(print(ts$tables()), "TableCollection")
})
