fixture <- function(name) test_path("fixtures", name)

# tskit's C-order flattening of an R result (arrays are column-major).
flat_c <- function(x) if (is.null(dim(x))) as.vector(x) else as.vector(aperm(x))

shape_of <- function(x) {
  if (!is.null(dim(x))) return(as.integer(dim(x)))
  if (length(x) == 1L && is.null(names(x))) integer(0) else length(x)
}

# Within 1e-9 relative or 1e-12 absolute (the project's rule), NaN = NaN.
expect_close <- function(actual, expected, label = "") {
  both_na <- is.na(actual) & is.na(expected)
  diff <- abs(actual - expected)
  ok <- both_na | (!is.na(diff) & diff <= 1e-9 * pmax(abs(actual), abs(expected)) + 1e-12)
  expect(length(actual) == length(expected) && all(ok),
         sprintf("%s: %d of %d values differ from tskit's (first: %s vs %s)", label,
                 sum(!ok), length(ok), format(actual[!ok][1], digits = 17),
                 format(expected[!ok][1], digits = 17)))
}
