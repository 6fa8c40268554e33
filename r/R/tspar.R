# Shared pieces: errors, interrupts, table layouts, option bits.

#' @useDynLib tspar, .registration = TRUE
NULL

.TABLES <- c("individuals", "nodes", "edges", "migrations", "sites",
             "mutations", "populations", "provenances")

# Each table's columns in the C API's order, with their kind: "u32"
# (flags), "f64", "i32", "text" (ragged bytes read as strings), "meta"
# (ragged bytes: metadata), "rf64" / "ri32" (ragged numbers).
.COLUMNS <- list(
  individuals = c(flags = "u32", location = "rf64", parents = "ri32", metadata = "meta"),
  nodes = c(flags = "u32", time = "f64", population = "i32", individual = "i32", metadata = "meta"),
  edges = c(left = "f64", right = "f64", parent = "i32", child = "i32", metadata = "meta"),
  migrations = c(left = "f64", right = "f64", node = "i32", source = "i32", dest = "i32",
                 time = "f64", metadata = "meta"),
  sites = c(position = "f64", ancestral_state = "text", metadata = "meta"),
  mutations = c(site = "i32", node = "i32", parent = "i32", time = "f64",
                derived_state = "text", metadata = "meta"),
  populations = c(metadata = "meta"),
  provenances = c(timestamp = "text", record = "text")
)

# add_row's defaults (tskit's).
.ROW_DEFAULTS <- list(
  individuals = list(flags = 0, location = NULL, parents = NULL, metadata = NULL),
  nodes = list(flags = 0, time = 0, population = -1L, individual = -1L, metadata = NULL),
  edges = list(left = NULL, right = NULL, parent = NULL, child = NULL, metadata = NULL),
  migrations = list(left = NULL, right = NULL, node = NULL, source = NULL, dest = NULL,
                    time = NULL, metadata = NULL),
  sites = list(position = NULL, ancestral_state = NULL, metadata = NULL),
  mutations = list(site = NULL, node = NULL, parent = -1L, time = NULL,
                   derived_state = NULL, metadata = NULL),
  populations = list(metadata = NULL),
  provenances = list(timestamp = NULL, record = NULL)
)

.table_id <- function(table) {
  if (!is.character(table) || length(table) != 1L || !(table %in% .TABLES)) {
    stop("table must be one of ", paste(.TABLES, collapse = ", "), call. = FALSE)
  }
  match(table, .TABLES) - 1L
}

.STAT <- list(site = 1L, branch = 2L, node = 4L, polarised = 1024L,
              span_normalise = 2048L, noncentred = 16384L, proportion = 1048576L)

.SIMPLIFY <- list(filter_sites = 1L, filter_populations = 2L, filter_individuals = 4L,
                  reduce_to_site_topology = 8L, keep_unary = 16L, keep_input_roots = 32L,
                  keep_unary_in_individuals = 64L, no_filter_nodes = 128L,
                  no_update_sample_flags = 256L)

# Called from C with tspar's error: an R error of class "tspar_error"
# whose message is tspar's (the detail of tspar_last_error_message, else
# tspar_strerror), with the code and the static message as fields.
.tspar_error <- function(code, detail, strerror) {
  msg <- if (nzchar(detail)) detail else strerror
  cond <- structure(
    class = c("tspar_error", "error", "condition"),
    list(message = msg, call = sys.call(-1L), code = code, strerror = strerror)
  )
  stop(cond)
}

# Called from C when the user interrupted a tspar call (Ctrl-C, SIGINT):
# the library has stopped and freed everything; signal the interrupt the
# way R does, so that tryCatch(interrupt = ) and withCallingHandlers see
# it, then return to the top level as R's own interrupt does.
.tspar_interrupt <- function() {
  cond <- structure(class = c("interrupt", "condition"),
                    list(message = "tspar: interrupted", call = NULL))
  signalCondition(cond)
  invokeRestart("abort")
}

.flag <- function(x, name) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    stop(name, " must be TRUE or FALSE", call. = FALSE)
  }
  x
}

# Ragged column values (a list of raw vectors, strings, numbers or, for
# metadata, objects to encode as JSON) as data and offsets.
.ragged <- function(x, kind, name) {
  if (is.null(x)) {
    return(list(NULL, NULL))
  }
  if (kind %in% c("text", "meta")) {
    parts <- lapply(x, function(v) {
      if (is.null(v)) raw(0)
      else if (is.raw(v)) v
      else if (is.character(v) && length(v) == 1L) charToRaw(enc2utf8(v))
      else if (kind == "meta" && requireNamespace("jsonlite", quietly = TRUE)) {
        charToRaw(as.character(jsonlite::toJSON(v, auto_unbox = TRUE, digits = NA)))
      } else {
        stop(name, ": each entry must be a raw vector or a single string", call. = FALSE)
      }
    })
    data <- if (length(parts)) unlist(parts, use.names = FALSE) else raw(0)
    if (is.null(data)) data <- raw(0)
  } else {
    parts <- lapply(x, function(v) if (is.null(v)) numeric(0) else v)
    data <- as.numeric(unlist(parts, use.names = FALSE))
  }
  list(data, c(0, cumsum(as.numeric(lengths(parts)))))
}

.is_json_schema <- function(schema) {
  length(schema) > 0L && grepl('"codec"[[:space:]]*:[[:space:]]*"json"', rawToChar(schema))
}

.decode_metadata <- function(md, schema, decode) {
  if (!decode || !.is_json_schema(schema) || !requireNamespace("jsonlite", quietly = TRUE)) {
    return(md)
  }
  lapply(md, function(b) {
    if (length(b) == 0L) NULL else jsonlite::fromJSON(rawToChar(b), simplifyVector = TRUE)
  })
}

# A table as a data.frame, from a column getter (TableCollection or
# TreeSequence; the file keys are the same).
.table_df <- function(getcol, table, decode_metadata = TRUE, schema = raw(0)) {
  spec <- .COLUMNS[[table]]
  cols <- list()
  n <- NA
  for (name in names(spec)) {
    key <- paste0(table, "/", name)
    kind <- spec[[name]]
    if (kind %in% c("u32", "f64", "i32")) {
      v <- getcol(key)
    } else {
      data <- getcol(key)
      off <- getcol(paste0(key, "_offset"))
      v <- .Call(r_ragged, data, off, if (kind == "text") "character" else "list")
      if (kind == "meta") v <- .decode_metadata(v, schema, decode_metadata)
      if (is.list(v)) v <- I(v)
    }
    cols[[name]] <- v
    n <- length(v)
  }
  df <- c(list(id = seq_len(n) - 1L), cols)
  structure(df, class = "data.frame", row.names = .set_row_names(n))
}

#' The tspar library's version
#'
#' @return The version of the bundled tspar library, a string.
#' @export
tspar_version <- function() .Call(r_version)
