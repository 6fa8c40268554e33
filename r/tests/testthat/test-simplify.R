# simplify against tskit's tables and node maps (tests/make_fixtures.py).
skip_if_not_installed("jsonlite")

test_that("simplify gives tskit's tables and node map", {
  fx <- jsonlite::fromJSON(fixture("simplify.json"), simplifyVector = TRUE)
  for (name in names(fx$cases)) {
    case <- fx$cases[[name]]
    for (threads in c(1, 2)) {
      tc <- tc_load(fixture("simplify_in.trees"))
      args <- c(list(samples = fx$samples, threads = threads), case$args)
      node_map <- do.call(tc$simplify, args)
      expect_identical(node_map, as.integer(case$node_map), label = name)
      expected <- tc_load(fixture(paste0("simplify_", name, ".trees")))
      expect_true(tc$equals(expected, ignore_provenance = TRUE), label = name)
    }
  }
})
