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

use thiserror::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum Error {
    // General.
    #[error("out of memory")]
    NoMemory,
    #[error("a required pointer argument is NULL")]
    NullPointer,
    #[error("bad parameter value")]
    BadParamValue,
    #[error("output buffer too small")]
    BufferTooSmall,
    #[error("unknown option bits set")]
    BadOptions,
    #[error("internal error (a bug in tspar)")]
    Internal,
    #[error("object is in use by another thread")]
    Busy,
    #[error("operation cancelled by the caller")]
    Cancelled,
    #[error("string argument is not valid UTF-8")]
    BadString,
    #[error("data type does not match the column")]
    BadDtype,
    #[error("no column with this name")]
    ColumnNotFound,

    // Files.
    #[error("input/output error")]
    Io,
    #[error("file not found")]
    FileNotFound,
    #[error("permission denied")]
    PermissionDenied,
    #[error("path is a directory")]
    IsADirectory,
    #[error("not a kastore file (bad magic number)")]
    BadMagic,
    #[error("unexpected end of file")]
    FileTruncated,
    #[error("bad file format")]
    FileFormat,
    #[error("kastore or tskit file version too old")]
    FileVersionTooOld,
    #[error("kastore or tskit file version too new")]
    FileVersionTooNew,
    #[error("item offset or length out of the file's bounds")]
    BadItemOffset,
    #[error("duplicate key in file")]
    DuplicateKey,
    #[error("required column not found")]
    RequiredColNotFound,
    #[error("bad column type")]
    BadColumnType,
    #[error("both columns of a ragged pair are required")]
    BothColumnsRequired,
    #[error("column lengths disagree")]
    ColumnLengthMismatch,

    // Tables.
    #[error("bad offset column")]
    BadOffset,
    #[error("bad sequence length")]
    BadSequenceLength,
    #[error("table would exceed the maximum number of rows")]
    TableOverflow,
    #[error("column would exceed the maximum size")]
    ColumnOverflow,
    #[error("individual out of bounds")]
    IndividualOutOfBounds,
    #[error("node out of bounds")]
    NodeOutOfBounds,
    #[error("edge out of bounds")]
    EdgeOutOfBounds,
    #[error("migration out of bounds")]
    MigrationOutOfBounds,
    #[error("site out of bounds")]
    SiteOutOfBounds,
    #[error("mutation out of bounds")]
    MutationOutOfBounds,
    #[error("population out of bounds")]
    PopulationOutOfBounds,
    #[error("provenance out of bounds")]
    ProvenanceOutOfBounds,
    #[error("table collection has no edge indexes")]
    TablesNotIndexed,

    // Integrity, sorting, tree sequences.
    #[error("bad node time ordering: a parent is not older than its child")]
    BadNodeTimeOrdering,
    #[error("edge parent is null")]
    NullParent,
    #[error("edge child is null")]
    NullChild,
    #[error("edges not sorted by parent time")]
    EdgesNotSortedParentTime,
    #[error("edges not sorted by child within a parent")]
    EdgesNotSortedChild,
    #[error("edges not sorted by left coordinate")]
    EdgesNotSortedLeft,
    #[error("edges for a parent are not contiguous")]
    EdgesNoncontiguousParents,
    #[error("bad edge interval: left must be less than right")]
    BadEdgeInterval,
    #[error("duplicate edges")]
    DuplicateEdges,
    #[error("right coordinate greater than the sequence length")]
    RightGreaterSeqLength,
    #[error("left coordinate less than zero")]
    LeftLessZero,
    #[error("a child has more than one parent at a position")]
    BadEdgesContradictoryChildren,
    #[error("genome coordinates must be finite")]
    GenomeCoordsNonfinite,
    #[error("times must be finite")]
    TimeNonfinite,
    #[error("site position out of range [0, sequence length)")]
    BadSitePosition,
    #[error("sites not sorted by position")]
    UnsortedSites,
    #[error("duplicate site position")]
    DuplicateSitePosition,
    #[error("mutations not sorted")]
    UnsortedMutations,
    #[error("mutation parent is at a different site")]
    MutationParentDifferentSite,
    #[error("mutation is its own parent")]
    MutationParentEqual,
    #[error("mutation parent comes after its child")]
    MutationParentAfterChild,
    #[error("mutation time younger than its node")]
    MutationTimeYoungerThanNode,
    #[error("mutation time older than the parent of its node")]
    MutationTimeOlderThanParentNode,
    #[error("mutation time older than its parent mutation")]
    MutationTimeOlderThanParentMutation,
    #[error("mutation times at a site are both known and unknown")]
    MutationTimeHasBothKnownAndUnknown,
    #[error("mutation parents do not match those the trees imply")]
    BadMutationParent,
    #[error("mutation parent chain is inconsistent (a cycle)")]
    MutationParentInconsistent,
    #[error("migrations not sorted")]
    UnsortedMigrations,
    #[error("individuals not sorted: a parent comes after its child")]
    UnsortedIndividuals,
    #[error("individual is its own parent")]
    IndividualSelfParent,
    #[error("individual parents form a cycle")]
    IndividualParentCycle,
    #[error("edge indexes are invalid")]
    TablesBadIndexes,
    #[error("sort offset not supported for this table")]
    SortOffsetNotSupported,
    #[error("migrations are not supported by this operation")]
    MigrationsNotSupported,
    #[error("position or tree index out of bounds")]
    SeekOutOfBounds,
    #[error("tree sequence has no samples")]
    TreeSequenceHasNoSamples,
    #[error("unknown mutation times are not supported here")]
    UnknownTimeNotSupported,
    #[error("too many trees")]
    TreeOverflow,

    // Simplification and the simulator helpers.
    #[error("a sample is listed more than once")]
    DuplicateSample,
    #[error("the keep-unary and keep-unary-in-individuals options are mutually exclusive")]
    KeepUnaryMutuallyExclusive,
    #[error("cannot process edges that have metadata")]
    CantProcessEdgesWithMetadata,
    #[error("simplify does not support migrations")]
    SimplifyMigrationsNotSupported,
    #[error("bookmark position beyond the end of a table")]
    BadTablePosition,
    // Statistics.
    #[error("bad number of windows")]
    BadNumWindows,
    #[error("bad windows: they must increase strictly from 0 to the sequence length")]
    BadWindows,
    #[error("more than one statistics mode given")]
    MultipleStatModes,
    #[error("bad state dimension")]
    BadStateDims,
    #[error("bad result dimension")]
    BadResultDims,
    #[error("not enough sample sets")]
    InsufficientSampleSets,
    #[error("not enough index tuples")]
    InsufficientIndexTuples,
    #[error("sample set index out of bounds")]
    BadSampleSetIndex,
    #[error("empty sample set")]
    EmptySampleSet,
    #[error("statistic does not support this mode")]
    UnsupportedStatMode,
    #[error("statistics using branch lengths cannot be calculated when time_units is 'uncalibrated'")]
    TimeUncalibrated,
    #[error("statistic does not support the polarised option")]
    StatPolarisedUnsupported,
    #[error("statistic does not support the span-normalise option")]
    StatSpanNormaliseUnsupported,
    #[error("not enough weight columns")]
    InsufficientWeights,
    #[error("node in a sample set is not a sample")]
    BadSamples,
    #[error("the summary callback returned an error")]
    SummaryFunc,
}

impl Error {
    /// The stable code the C API returns for this error.
    pub fn code(self) -> i32 {
        use Error::*;
        match self {
            NoMemory => -1,
            NullPointer => -2,
            BadParamValue => -3,
            BufferTooSmall => -4,
            BadOptions => -5,
            Internal => -6,
            Busy => -7,
            Cancelled => -8,
            BadString => -9,
            BadDtype => -10,
            ColumnNotFound => -11,

            Io => -100,
            FileNotFound => -101,
            PermissionDenied => -102,
            IsADirectory => -103,
            BadMagic => -104,
            FileTruncated => -105,
            FileFormat => -106,
            FileVersionTooOld => -107,
            FileVersionTooNew => -108,
            BadItemOffset => -109,
            DuplicateKey => -110,
            RequiredColNotFound => -111,
            BadColumnType => -112,
            BothColumnsRequired => -113,
            ColumnLengthMismatch => -114,

            BadOffset => -200,
            BadSequenceLength => -201,
            TableOverflow => -202,
            ColumnOverflow => -203,
            IndividualOutOfBounds => -204,
            NodeOutOfBounds => -205,
            EdgeOutOfBounds => -206,
            MigrationOutOfBounds => -207,
            SiteOutOfBounds => -208,
            MutationOutOfBounds => -209,
            PopulationOutOfBounds => -210,
            ProvenanceOutOfBounds => -211,
            TablesNotIndexed => -212,

            BadNodeTimeOrdering => -300,
            NullParent => -301,
            NullChild => -302,
            EdgesNotSortedParentTime => -303,
            EdgesNotSortedChild => -304,
            EdgesNotSortedLeft => -305,
            EdgesNoncontiguousParents => -306,
            BadEdgeInterval => -307,
            DuplicateEdges => -308,
            RightGreaterSeqLength => -309,
            LeftLessZero => -310,
            BadEdgesContradictoryChildren => -311,
            GenomeCoordsNonfinite => -312,
            TimeNonfinite => -313,
            BadSitePosition => -314,
            UnsortedSites => -315,
            DuplicateSitePosition => -316,
            UnsortedMutations => -317,
            MutationParentDifferentSite => -318,
            MutationParentEqual => -319,
            MutationParentAfterChild => -320,
            MutationTimeYoungerThanNode => -321,
            MutationTimeOlderThanParentNode => -322,
            MutationTimeOlderThanParentMutation => -323,
            MutationTimeHasBothKnownAndUnknown => -324,
            BadMutationParent => -325,
            MutationParentInconsistent => -326,
            UnsortedMigrations => -327,
            UnsortedIndividuals => -328,
            IndividualSelfParent => -329,
            IndividualParentCycle => -330,
            TablesBadIndexes => -331,
            SortOffsetNotSupported => -332,
            MigrationsNotSupported => -333,
            SeekOutOfBounds => -334,
            TreeSequenceHasNoSamples => -335,
            UnknownTimeNotSupported => -336,
            TreeOverflow => -337,

            DuplicateSample => -500,
            KeepUnaryMutuallyExclusive => -501,
            CantProcessEdgesWithMetadata => -502,
            SimplifyMigrationsNotSupported => -503,
            BadTablePosition => -504,
            BadNumWindows => -400,
            BadWindows => -401,
            MultipleStatModes => -402,
            BadStateDims => -403,
            BadResultDims => -404,
            InsufficientSampleSets => -405,
            InsufficientIndexTuples => -406,
            BadSampleSetIndex => -407,
            EmptySampleSet => -408,
            UnsupportedStatMode => -409,
            TimeUncalibrated => -410,
            StatPolarisedUnsupported => -411,
            StatSpanNormaliseUnsupported => -412,
            InsufficientWeights => -413,
            BadSamples => -414,
            SummaryFunc => -416,
        }
    }

    /// Every variant, so that codes can be listed and checked for uniqueness.
    pub const ALL: &'static [Error] = &[
        Error::NoMemory,
        Error::NullPointer,
        Error::BadParamValue,
        Error::BufferTooSmall,
        Error::BadOptions,
        Error::Internal,
        Error::Busy,
        Error::Cancelled,
        Error::BadString,
        Error::BadDtype,
        Error::ColumnNotFound,
        Error::Io,
        Error::FileNotFound,
        Error::PermissionDenied,
        Error::IsADirectory,
        Error::BadMagic,
        Error::FileTruncated,
        Error::FileFormat,
        Error::FileVersionTooOld,
        Error::FileVersionTooNew,
        Error::BadItemOffset,
        Error::DuplicateKey,
        Error::RequiredColNotFound,
        Error::BadColumnType,
        Error::BothColumnsRequired,
        Error::ColumnLengthMismatch,
        Error::BadOffset,
        Error::BadSequenceLength,
        Error::TableOverflow,
        Error::ColumnOverflow,
        Error::IndividualOutOfBounds,
        Error::NodeOutOfBounds,
        Error::EdgeOutOfBounds,
        Error::MigrationOutOfBounds,
        Error::SiteOutOfBounds,
        Error::MutationOutOfBounds,
        Error::PopulationOutOfBounds,
        Error::ProvenanceOutOfBounds,
        Error::TablesNotIndexed,
        Error::BadNodeTimeOrdering,
        Error::NullParent,
        Error::NullChild,
        Error::EdgesNotSortedParentTime,
        Error::EdgesNotSortedChild,
        Error::EdgesNotSortedLeft,
        Error::EdgesNoncontiguousParents,
        Error::BadEdgeInterval,
        Error::DuplicateEdges,
        Error::RightGreaterSeqLength,
        Error::LeftLessZero,
        Error::BadEdgesContradictoryChildren,
        Error::GenomeCoordsNonfinite,
        Error::TimeNonfinite,
        Error::BadSitePosition,
        Error::UnsortedSites,
        Error::DuplicateSitePosition,
        Error::UnsortedMutations,
        Error::MutationParentDifferentSite,
        Error::MutationParentEqual,
        Error::MutationParentAfterChild,
        Error::MutationTimeYoungerThanNode,
        Error::MutationTimeOlderThanParentNode,
        Error::MutationTimeOlderThanParentMutation,
        Error::MutationTimeHasBothKnownAndUnknown,
        Error::BadMutationParent,
        Error::MutationParentInconsistent,
        Error::UnsortedMigrations,
        Error::UnsortedIndividuals,
        Error::IndividualSelfParent,
        Error::IndividualParentCycle,
        Error::TablesBadIndexes,
        Error::SortOffsetNotSupported,
        Error::MigrationsNotSupported,
        Error::SeekOutOfBounds,
        Error::TreeSequenceHasNoSamples,
        Error::UnknownTimeNotSupported,
        Error::TreeOverflow,
        Error::DuplicateSample,
        Error::KeepUnaryMutuallyExclusive,
        Error::CantProcessEdgesWithMetadata,
        Error::SimplifyMigrationsNotSupported,
        Error::BadTablePosition,
        Error::BadNumWindows,
        Error::BadWindows,
        Error::MultipleStatModes,
        Error::BadStateDims,
        Error::BadResultDims,
        Error::InsufficientSampleSets,
        Error::InsufficientIndexTuples,
        Error::BadSampleSetIndex,
        Error::EmptySampleSet,
        Error::UnsupportedStatMode,
        Error::TimeUncalibrated,
        Error::StatPolarisedUnsupported,
        Error::StatSpanNormaliseUnsupported,
        Error::InsufficientWeights,
        Error::BadSamples,
        Error::SummaryFunc,
    ];

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
}
