//! The one error type of the library. Every variant has a stable negative
//! code (never reused, never renumbered) that the C API returns, and a
//! static message that `tspar_strerror` gives. Where tskit reports the same
//! condition the variant carries tskit's name.
//!
//! Codes are grouped by subject: general (-1..), files (-100..),
//! tables (-200..), integrity, sorting and tree sequences (-300..),
//! statistics (-400..-449), simplification and the simulator helpers
//! (-500..-549). A sample listed twice is one error wherever it happens
//! (tskit's TSK_ERR_DUPLICATE_SAMPLE).
//!
//! Each code is written once, in the `errors!` list below: the variant, its
//! number, its C name and its message. The enum, [`Error::code`],
//! [`Error::ALL`], [`Error::c_name`], the `TSPAR_ERR_*` constants of
//! [`codes`] and the `#define TSPAR_ERR_*` block of include/tspar.h
//! (written by tests/header.rs) all come from that list.

use thiserror::Error;

/// Defines [`Error`] and everything derived from its list of codes. An
/// entry is `Variant = code, TSPAR_ERR_NAME, "message";`.
macro_rules! errors {
    ($( $(#[$attr:meta])* $variant:ident = $code:literal, $c_name:ident, $msg:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
        #[non_exhaustive]
        #[repr(i32)]
        pub enum Error {
            $( $(#[$attr])* #[error($msg)] $variant = $code, )*
        }

        impl Error {
            /// Every variant, in the order of the list.
            pub const ALL: &'static [Error] = &[$(Error::$variant),*];

            /// The stable code the C API returns for this error.
            pub fn code(self) -> i32 {
                self as i32
            }

            /// The name of the code in the C header (`TSPAR_ERR_...`).
            pub fn c_name(self) -> &'static str {
                match self {
                    $(Error::$variant => stringify!($c_name),)*
                }
            }
        }

        /// The error codes under their C names, for Rust code that speaks
        /// the C API (`crate::capi` re-exports them).
        pub mod codes {
            $( pub const $c_name: std::ffi::c_int = $code; )*
        }
    };
}

errors! {
    // General.
    NoMemory = -1, TSPAR_ERR_NO_MEMORY, "out of memory";
    NullPointer = -2, TSPAR_ERR_NULL_POINTER, "a required pointer argument is NULL";
    BadParamValue = -3, TSPAR_ERR_BAD_PARAM_VALUE, "bad parameter value";
    BufferTooSmall = -4, TSPAR_ERR_BUFFER_TOO_SMALL, "output buffer too small";
    BadOptions = -5, TSPAR_ERR_BAD_OPTIONS, "unknown option bits set";
    Internal = -6, TSPAR_ERR_INTERNAL, "internal error (a bug in tspar)";
    Busy = -7, TSPAR_ERR_BUSY, "object is in use by another thread";
    Cancelled = -8, TSPAR_ERR_CANCELLED, "operation cancelled by the caller";
    BadString = -9, TSPAR_ERR_BAD_STRING, "string argument is not valid UTF-8";
    BadDtype = -10, TSPAR_ERR_BAD_DTYPE, "data type does not match the column";
    ColumnNotFound = -11, TSPAR_ERR_COLUMN_NOT_FOUND, "no column with this name";

    // Files.
    Io = -100, TSPAR_ERR_IO, "input/output error";
    FileNotFound = -101, TSPAR_ERR_FILE_NOT_FOUND, "file not found";
    PermissionDenied = -102, TSPAR_ERR_PERMISSION_DENIED, "permission denied";
    IsADirectory = -103, TSPAR_ERR_IS_A_DIRECTORY, "path is a directory";
    BadMagic = -104, TSPAR_ERR_BAD_MAGIC, "not a kastore file (bad magic number)";
    FileTruncated = -105, TSPAR_ERR_FILE_TRUNCATED, "unexpected end of file";
    FileFormat = -106, TSPAR_ERR_FILE_FORMAT, "bad file format";
    FileVersionTooOld = -107, TSPAR_ERR_FILE_VERSION_TOO_OLD, "kastore or tskit file version too old";
    FileVersionTooNew = -108, TSPAR_ERR_FILE_VERSION_TOO_NEW, "kastore or tskit file version too new";
    BadItemOffset = -109, TSPAR_ERR_BAD_ITEM_OFFSET, "item offset or length out of the file's bounds";
    DuplicateKey = -110, TSPAR_ERR_DUPLICATE_KEY, "duplicate key in file";
    RequiredColNotFound = -111, TSPAR_ERR_REQUIRED_COL_NOT_FOUND, "required column not found";
    BadColumnType = -112, TSPAR_ERR_BAD_COLUMN_TYPE, "bad column type";
    BothColumnsRequired = -113, TSPAR_ERR_BOTH_COLUMNS_REQUIRED, "both columns of a ragged pair are required";
    ColumnLengthMismatch = -114, TSPAR_ERR_COLUMN_LENGTH_MISMATCH, "column lengths disagree";

    // Tables.
    BadOffset = -200, TSPAR_ERR_BAD_OFFSET, "bad offset column";
    BadSequenceLength = -201, TSPAR_ERR_BAD_SEQUENCE_LENGTH, "bad sequence length";
    TableOverflow = -202, TSPAR_ERR_TABLE_OVERFLOW, "table would exceed the maximum number of rows";
    ColumnOverflow = -203, TSPAR_ERR_COLUMN_OVERFLOW, "column would exceed the maximum size";
    IndividualOutOfBounds = -204, TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS, "individual out of bounds";
    NodeOutOfBounds = -205, TSPAR_ERR_NODE_OUT_OF_BOUNDS, "node out of bounds";
    EdgeOutOfBounds = -206, TSPAR_ERR_EDGE_OUT_OF_BOUNDS, "edge out of bounds";
    MigrationOutOfBounds = -207, TSPAR_ERR_MIGRATION_OUT_OF_BOUNDS, "migration out of bounds";
    SiteOutOfBounds = -208, TSPAR_ERR_SITE_OUT_OF_BOUNDS, "site out of bounds";
    MutationOutOfBounds = -209, TSPAR_ERR_MUTATION_OUT_OF_BOUNDS, "mutation out of bounds";
    PopulationOutOfBounds = -210, TSPAR_ERR_POPULATION_OUT_OF_BOUNDS, "population out of bounds";
    ProvenanceOutOfBounds = -211, TSPAR_ERR_PROVENANCE_OUT_OF_BOUNDS, "provenance out of bounds";
    TablesNotIndexed = -212, TSPAR_ERR_TABLES_NOT_INDEXED, "table collection has no edge indexes";

    // Integrity, sorting, tree sequences.
    BadNodeTimeOrdering = -300, TSPAR_ERR_BAD_NODE_TIME_ORDERING,
        "bad node time ordering: a parent is not older than its child";
    NullParent = -301, TSPAR_ERR_NULL_PARENT, "edge parent is null";
    NullChild = -302, TSPAR_ERR_NULL_CHILD, "edge child is null";
    EdgesNotSortedParentTime = -303, TSPAR_ERR_EDGES_NOT_SORTED_PARENT_TIME, "edges not sorted by parent time";
    EdgesNotSortedChild = -304, TSPAR_ERR_EDGES_NOT_SORTED_CHILD, "edges not sorted by child within a parent";
    EdgesNotSortedLeft = -305, TSPAR_ERR_EDGES_NOT_SORTED_LEFT, "edges not sorted by left coordinate";
    EdgesNoncontiguousParents = -306, TSPAR_ERR_EDGES_NONCONTIGUOUS_PARENTS, "edges for a parent are not contiguous";
    BadEdgeInterval = -307, TSPAR_ERR_BAD_EDGE_INTERVAL, "bad edge interval: left must be less than right";
    DuplicateEdges = -308, TSPAR_ERR_DUPLICATE_EDGES, "duplicate edges";
    RightGreaterSeqLength = -309, TSPAR_ERR_RIGHT_GREATER_SEQ_LENGTH,
        "right coordinate greater than the sequence length";
    LeftLessZero = -310, TSPAR_ERR_LEFT_LESS_ZERO, "left coordinate less than zero";
    BadEdgesContradictoryChildren = -311, TSPAR_ERR_BAD_EDGES_CONTRADICTORY_CHILDREN,
        "a child has more than one parent at a position";
    GenomeCoordsNonfinite = -312, TSPAR_ERR_GENOME_COORDS_NONFINITE, "genome coordinates must be finite";
    TimeNonfinite = -313, TSPAR_ERR_TIME_NONFINITE, "times must be finite";
    BadSitePosition = -314, TSPAR_ERR_BAD_SITE_POSITION, "site position out of range [0, sequence length)";
    UnsortedSites = -315, TSPAR_ERR_UNSORTED_SITES, "sites not sorted by position";
    DuplicateSitePosition = -316, TSPAR_ERR_DUPLICATE_SITE_POSITION, "duplicate site position";
    UnsortedMutations = -317, TSPAR_ERR_UNSORTED_MUTATIONS, "mutations not sorted";
    MutationParentDifferentSite = -318, TSPAR_ERR_MUTATION_PARENT_DIFFERENT_SITE,
        "mutation parent is at a different site";
    MutationParentEqual = -319, TSPAR_ERR_MUTATION_PARENT_EQUAL, "mutation is its own parent";
    MutationParentAfterChild = -320, TSPAR_ERR_MUTATION_PARENT_AFTER_CHILD, "mutation parent comes after its child";
    MutationTimeYoungerThanNode = -321, TSPAR_ERR_MUTATION_TIME_YOUNGER_THAN_NODE,
        "mutation time younger than its node";
    MutationTimeOlderThanParentNode = -322, TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_NODE,
        "mutation time older than the parent of its node";
    MutationTimeOlderThanParentMutation = -323, TSPAR_ERR_MUTATION_TIME_OLDER_THAN_PARENT_MUTATION,
        "mutation time older than its parent mutation";
    MutationTimeHasBothKnownAndUnknown = -324, TSPAR_ERR_MUTATION_TIME_HAS_BOTH_KNOWN_AND_UNKNOWN,
        "mutation times at a site are both known and unknown";
    BadMutationParent = -325, TSPAR_ERR_BAD_MUTATION_PARENT, "mutation parents do not match those the trees imply";
    MutationParentInconsistent = -326, TSPAR_ERR_MUTATION_PARENT_INCONSISTENT,
        "mutation parent chain is inconsistent (a cycle)";
    UnsortedMigrations = -327, TSPAR_ERR_UNSORTED_MIGRATIONS, "migrations not sorted";
    UnsortedIndividuals = -328, TSPAR_ERR_UNSORTED_INDIVIDUALS,
        "individuals not sorted: a parent comes after its child";
    IndividualSelfParent = -329, TSPAR_ERR_INDIVIDUAL_SELF_PARENT, "individual is its own parent";
    IndividualParentCycle = -330, TSPAR_ERR_INDIVIDUAL_PARENT_CYCLE, "individual parents form a cycle";
    TablesBadIndexes = -331, TSPAR_ERR_TABLES_BAD_INDEXES, "edge indexes are invalid";
    SortOffsetNotSupported = -332, TSPAR_ERR_SORT_OFFSET_NOT_SUPPORTED, "sort offset not supported for this table";
    MigrationsNotSupported = -333, TSPAR_ERR_MIGRATIONS_NOT_SUPPORTED, "migrations are not supported by this operation";
    SeekOutOfBounds = -334, TSPAR_ERR_SEEK_OUT_OF_BOUNDS, "position or tree index out of bounds";
    TreeSequenceHasNoSamples = -335, TSPAR_ERR_TREE_SEQUENCE_HAS_NO_SAMPLES, "tree sequence has no samples";
    UnknownTimeNotSupported = -336, TSPAR_ERR_UNKNOWN_TIME_NOT_SUPPORTED,
        "unknown mutation times are not supported here";
    TreeOverflow = -337, TSPAR_ERR_TREE_OVERFLOW, "too many trees";

    // Simplification and the simulator helpers.
    DuplicateSample = -500, TSPAR_ERR_DUPLICATE_SAMPLE, "a sample is listed more than once";
    KeepUnaryMutuallyExclusive = -501, TSPAR_ERR_KEEP_UNARY_MUTUALLY_EXCLUSIVE,
        "the keep-unary and keep-unary-in-individuals options are mutually exclusive";
    CantProcessEdgesWithMetadata = -502, TSPAR_ERR_CANT_PROCESS_EDGES_WITH_METADATA,
        "cannot process edges that have metadata";
    SimplifyMigrationsNotSupported = -503, TSPAR_ERR_SIMPLIFY_MIGRATIONS_NOT_SUPPORTED,
        "simplify does not support migrations";
    BadTablePosition = -504, TSPAR_ERR_BAD_TABLE_POSITION, "bookmark position beyond the end of a table";

    // Statistics.
    BadNumWindows = -400, TSPAR_ERR_BAD_NUM_WINDOWS, "bad number of windows";
    BadWindows = -401, TSPAR_ERR_BAD_WINDOWS, "bad windows: they must increase strictly from 0 to the sequence length";
    MultipleStatModes = -402, TSPAR_ERR_MULTIPLE_STAT_MODES, "more than one statistics mode given";
    BadStateDims = -403, TSPAR_ERR_BAD_STATE_DIMS, "bad state dimension";
    BadResultDims = -404, TSPAR_ERR_BAD_RESULT_DIMS, "bad result dimension";
    InsufficientSampleSets = -405, TSPAR_ERR_INSUFFICIENT_SAMPLE_SETS, "not enough sample sets";
    InsufficientIndexTuples = -406, TSPAR_ERR_INSUFFICIENT_INDEX_TUPLES, "not enough index tuples";
    BadSampleSetIndex = -407, TSPAR_ERR_BAD_SAMPLE_SET_INDEX, "sample set index out of bounds";
    EmptySampleSet = -408, TSPAR_ERR_EMPTY_SAMPLE_SET, "empty sample set";
    UnsupportedStatMode = -409, TSPAR_ERR_UNSUPPORTED_STAT_MODE, "statistic does not support this mode";
    TimeUncalibrated = -410, TSPAR_ERR_TIME_UNCALIBRATED, "statistics using branch lengths cannot be calculated when time_units is 'uncalibrated'";
    StatPolarisedUnsupported = -411, TSPAR_ERR_STAT_POLARISED_UNSUPPORTED,
        "statistic does not support the polarised option";
    StatSpanNormaliseUnsupported = -412, TSPAR_ERR_STAT_SPAN_NORMALISE_UNSUPPORTED,
        "statistic does not support the span-normalise option";
    InsufficientWeights = -413, TSPAR_ERR_INSUFFICIENT_WEIGHTS, "not enough weight columns";
    BadSamples = -414, TSPAR_ERR_BAD_SAMPLES, "node in a sample set is not a sample";
    SummaryFunc = -416, TSPAR_ERR_SUMMARY_FUNC, "the summary callback returned an error";
    TwoWayUnsupported = -440, TSPAR_ERR_TWO_WAY_UNSUPPORTED,
        "this two-locus statistic has no form between two sample sets";
    StatUnsortedSites = -441, TSPAR_ERR_STAT_UNSORTED_SITES, "the sites of a statistic are not sorted";
    StatDuplicateSites = -442, TSPAR_ERR_STAT_DUPLICATE_SITES, "a site is listed twice for a statistic";
    PositionOutOfBounds = -443, TSPAR_ERR_POSITION_OUT_OF_BOUNDS,
        "position out of range [0, sequence length)";
    StatUnsortedPositions = -444, TSPAR_ERR_STAT_UNSORTED_POSITIONS, "the positions of a statistic are not sorted";
    StatDuplicatePositions = -445, TSPAR_ERR_STAT_DUPLICATE_POSITIONS,
        "a position is listed twice for a statistic";
    BadNodeBinMap = -446, TSPAR_ERR_BAD_NODE_BIN_MAP,
        "bad node bin map: one bin (or -1) per node, each less than the number of bins";
    BadQuantiles = -447, TSPAR_ERR_BAD_QUANTILES, "quantiles must increase within [0, 1]";
    BadTimeWindows = -448, TSPAR_ERR_BAD_TIME_WINDOWS, "time windows must increase";
    BadSamplePairTimes = -449, TSPAR_ERR_BAD_SAMPLE_PAIR_TIMES,
        "every sample's time must be the start of the first time window";

    // Genotypes and VCF.
    AlleleNotFound = -700, TSPAR_ERR_ALLELE_NOT_FOUND, "an allele was not found in the user-specified allele map";
    TooManyAlleles = -701, TSPAR_ERR_TOO_MANY_ALLELES, "too many alleles at a site for the genotype type";
    MultiCharacterAllele = -702, TSPAR_ERR_MULTI_CHARACTER_ALLELE,
        "an allele is not a single ASCII character (haplotypes need single-character alleles)";
    MissingCharacterClash = -703, TSPAR_ERR_MISSING_CHARACTER_CLASH,
        "the missing data character clashes with an allele";
    VcfTooManyAlleles = -704, TSPAR_ERR_VCF_TOO_MANY_ALLELES, "more than 9 alleles at a site are not supported in VCF";
    VcfPositionZero = -705, TSPAR_ERR_VCF_POSITION_ZERO,
        "a variant position of 0 was found in the VCF output (see allow_position_zero)";
    VcfNoSamples = -706, TSPAR_ERR_VCF_NO_SAMPLES, "no samples in the resulting VCF model";
    VcfBadIndividuals = -707, TSPAR_ERR_VCF_BAD_INDIVIDUALS,
        "bad individuals, names or ploidy for the VCF";

    // Parts and mapped loads.
    PartsFormat = -600, TSPAR_ERR_PARTS_FORMAT, "not the bytes of statistic parts, or damaged ones";
    PartsVersion = -601, TSPAR_ERR_PARTS_VERSION,
        "statistic parts made by another tspar version or parts format";
    PartsOtherCall = -602, TSPAR_ERR_PARTS_OTHER_CALL,
        "statistic parts of another statistic or other arguments";
    PartsOtherTreeSequence = -603, TSPAR_ERR_PARTS_OTHER_TREE_SEQUENCE,
        "statistic parts computed on another tree sequence";
    PartsOverlap = -604, TSPAR_ERR_PARTS_OVERLAP, "a statistic part was given more than once";
    PartsMissing = -605, TSPAR_ERR_PARTS_MISSING, "statistic parts are missing";
    BadPartRange = -606, TSPAR_ERR_BAD_PART_RANGE, "part range out of bounds";
    PartsUnsupported = -607, TSPAR_ERR_PARTS_UNSUPPORTED, "this statistic call cannot be split into parts";
    FileChanged = -620, TSPAR_ERR_FILE_CHANGED,
        "the file changed (was truncated or grown in place) while it was being loaded mapped";
}

impl Error {
    pub fn from_code(code: i32) -> Option<Error> {
        Error::ALL.iter().copied().find(|e| e.code() == code)
    }

    /// Maps an OS error to the specific file error a caller can act on.
    pub fn from_io(err: &std::io::Error) -> Error {
        use std::io::ErrorKind::*;
        match err.kind() {
            NotFound => Error::FileNotFound,
            PermissionDenied => Error::PermissionDenied,
            IsADirectory => Error::IsADirectory,
            UnexpectedEof => Error::FileTruncated,
            OutOfMemory => Error::NoMemory,
            _ => match err.raw_os_error() {
                Some(libc::EISDIR) => Error::IsADirectory,
                _ => Error::Io,
            },
        }
    }
}

/// An error with the detail a caller needs: which file, which row, which key.
/// The core returns this; the C API keeps `detail` as the thread's last
/// error message and returns `kind.code()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: Error,
    pub detail: String,
}

impl Failure {
    pub fn new(kind: Error, detail: impl Into<String>) -> Self {
        Failure {
            kind,
            detail: detail.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(kind: Error) -> Self {
        Failure {
            kind,
            detail: String::new(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}: {}", self.kind, self.detail)
        }
    }
}

impl std::error::Error for Failure {}

pub type Result<T> = std::result::Result<T, Failure>;

/// Shorthand for an early return with a detailed failure.
macro_rules! fail {
    ($kind:expr, $($fmt:tt)+) => {
        return Err($crate::error::Failure::new($kind, format!($($fmt)+)))
    };
}
pub(crate) use fail;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_negative_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for e in Error::ALL {
            assert!(e.code() < 0, "{e:?}");
            assert!(seen.insert(e.code()), "duplicate code {}", e.code());
            assert_eq!(Error::from_code(e.code()), Some(*e));
        }
    }

    /// The C name is the variant's name in upper snake case, so a copied
    /// line that kept the wrong name fails here.
    #[test]
    fn c_names_follow_the_variant_names() {
        let mut seen = std::collections::HashSet::new();
        for e in Error::ALL {
            let mut want = String::from("TSPAR_ERR_");
            for (i, ch) in format!("{e:?}").chars().enumerate() {
                if ch.is_ascii_uppercase() && i > 0 {
                    want.push('_');
                }
                want.push(ch.to_ascii_uppercase());
            }
            assert_eq!(e.c_name(), want, "{e:?}");
            assert!(seen.insert(e.c_name()), "duplicate name {}", e.c_name());
        }
    }

    #[test]
    fn messages_are_static_text() {
        assert_eq!(Error::NodeOutOfBounds.to_string(), "node out of bounds");
        for e in Error::ALL {
            assert!(!e.to_string().is_empty(), "{e:?}");
        }
    }
}
