library(testthat)
library(tspar)

test_check("tspar")
