"""Genotypes out, with tskit's Python signatures: ``TreeSequence.variants()``,
``genotype_matrix()``, ``haplotypes()`` and ``write_vcf()``.

The methods are attached to :class:`tspar.TreeSequence` at import. Each
converts its arguments and calls the C API (``tspar_variant_*``,
``tspar_treeseq_genotype_matrix``, ``tspar_treeseq_haplotypes``,
``tspar_treeseq_write_vcf``/``_stream``); the decoding, the allele rules
and the VCF text are the library's.
"""

from __future__ import annotations

import io
import os
from typing import NamedTuple, Optional

import numpy as np

from . import _exec
from ._ffi import C, ffi, lib
from ._trees import TreeSequence
from .exceptions import LibraryError, check

MISSING_DATA = -1


class Site(NamedTuple):
    """The site a :class:`Variant` is at (id, position, ancestral state)."""

    id: int
    position: float
    ancestral_state: str


class Variant:
    """One decoded site, as tskit's ``Variant``: ``site``, ``alleles`` (a
    tuple of str, ending in None when some genotype is missing),
    ``genotypes`` (int32, -1 for missing), ``has_missing_data``,
    ``num_alleles`` (without the None), ``index``, ``position``,
    ``samples``, ``isolated_as_missing``."""

    __slots__ = ("site", "alleles", "genotypes", "has_missing_data", "samples", "isolated_as_missing")

    def __init__(self, site, alleles, genotypes, has_missing_data, samples, isolated_as_missing):
        self.site = site
        self.alleles = alleles
        self.genotypes = genotypes
        self.has_missing_data = has_missing_data
        self.samples = samples
        self.isolated_as_missing = isolated_as_missing

    @property
    def index(self):
        return self.site.id

    @property
    def position(self):
        return self.site.position

    @property
    def num_alleles(self):
        return len(self.alleles) - int(self.has_missing_data)

    def copy(self):
        return Variant(self.site, self.alleles, self.genotypes.copy(), self.has_missing_data, self.samples,
                       self.isolated_as_missing)

    def __repr__(self):
        return (f"Variant(site={self.site}, alleles={self.alleles}, genotypes={self.genotypes}, "
                f"has_missing_data={self.has_missing_data})")


def _isolated(isolated_as_missing, impute_missing_data):
    if isolated_as_missing is None:
        isolated_as_missing = not impute_missing_data if impute_missing_data is not None else True
    return bool(isolated_as_missing)


def _samples_arg(samples):
    if samples is None:
        return None, ffi.NULL, 0
    a = np.ascontiguousarray(np.asarray(samples), dtype=np.int32)
    if a.ndim != 1:
        raise ValueError("samples must be a 1-d array of node ids")
    return a, ffi.from_buffer("int32_t[]", a, require_writable=False), a.size


def _alleles_arg(alleles):
    """A NULL-terminated ``char *[]`` of the alleles and what keeps it alive."""
    if alleles is None:
        return None, ffi.NULL
    if isinstance(alleles, (str, bytes)):
        raise TypeError("alleles must be a sequence of strings")
    keep = [ffi.new("char[]", (a.encode() if isinstance(a, str) else bytes(a))) for a in alleles]
    arr = ffi.new("char *[]", keep + [ffi.NULL])
    return keep, arr


def _range(ts, left, right):
    L = ts.sequence_length
    left = 0 if left is None else left
    right = L if right is None else right
    if not (0 <= left < right <= L):
        raise ValueError(f"invalid genomic range [{left}, {right}) for a sequence of length {L}")
    pos = ts.sites_position
    start, stop = np.searchsorted(pos, [left, right])
    return int(start), int(stop)


class _Decoder:
    """An owned ``tspar_variant_t``."""

    def __init__(self, ts, samples, alleles, isolated_as_missing):
        self._samples, sp, n = _samples_arg(samples)
        self._alleles_keep, ap = _alleles_arg(alleles)
        opts = 0 if isolated_as_missing else C.TSPAR_ISOLATED_NOT_MISSING
        out = ffi.new("tspar_variant_t **")
        h = ts._ll._h()
        check(lib.tspar_variant_new(h.ptr, sp, n, ap, opts, out))
        self._ptr = ffi.gc(out[0], lib.tspar_variant_free)
        self._ts_handle = h
        self._site = ffi.new("tspar_id_t *")
        self._g = ffi.new("int32_t **")
        self._n = ffi.new("tspar_size_t *")
        self._ad = ffi.new("char **")
        self._ao = ffi.new("tspar_size_t **")
        self._na = ffi.new("tspar_size_t *")
        self._miss = ffi.new("int *")

    def decode(self, site):
        check(lib.tspar_variant_decode(self._ptr, site))
        check(lib.tspar_variant_get(self._ptr, self._site, self._g, self._n, self._ad, self._ao, self._na,
                                    self._miss))
        n = int(self._n[0])
        g = np.frombuffer(ffi.buffer(self._g[0], 4 * n), dtype=np.int32).copy()
        na = int(self._na[0])
        offsets = np.frombuffer(ffi.buffer(self._ao[0], 8 * (na + 1)), dtype=np.uint64)
        data = ffi.buffer(self._ad[0], int(offsets[-1]))[:] if na else b""
        alleles = tuple(data[offsets[j]:offsets[j + 1]].decode() for j in range(na))
        return g, alleles, bool(self._miss[0])


def variants(self, *, samples=None, isolated_as_missing=None, alleles=None, impute_missing_data=None,
             copy=None, left=None, right=None):
    """The sites' variants, as tskit's ``variants()``: each a :class:`Variant`
    with the genotypes of ``samples`` (default: the samples) and the site's
    alleles (or ``alleles``, the same list for every site). Each yielded
    variant is a new object (tskit's ``copy=True``)."""
    iam = _isolated(isolated_as_missing, impute_missing_data)
    start, stop = _range(self, left, right)
    d = _Decoder(self, samples, alleles, iam)
    s = self.samples() if samples is None else np.asarray(samples, dtype=np.int32)
    pos = self.sites_position
    anc = self.column("sites/ancestral_state")
    anc_off = self.column("sites/ancestral_state_offset")
    for site in range(start, stop):
        g, al, miss = d.decode(site)
        if miss:
            al = al + (None,)
        a = bytes(anc[anc_off[site]:anc_off[site + 1]]).decode()
        yield Variant(Site(site, float(pos[site]), a), al, g, miss, s, iam)


def genotype_matrix(self, *, samples=None, isolated_as_missing=None, alleles=None, impute_missing_data=None,
                    num_threads: Optional[int] = None, progress=None, dtype=np.int32):
    """The ``num_sites × num_samples`` genotype matrix (tskit's
    ``genotype_matrix()``), decoded in parallel; ``dtype`` int8, int16 or
    int32 (tskit's)."""
    iam = _isolated(isolated_as_missing, impute_missing_data)
    dtype = np.dtype(dtype)
    codes = {np.dtype(np.int8): C.TSPAR_DTYPE_INT8, np.dtype(np.int16): C.TSPAR_DTYPE_INT16,
             np.dtype(np.int32): C.TSPAR_DTYPE_INT32}
    if dtype not in codes:
        raise ValueError("dtype must be int8, int16 or int32")
    sa, sp, n = _samples_arg(samples)
    if samples is None:
        n = self.num_samples
    keep, ap = _alleles_arg(alleles)
    m = self.num_sites
    out = np.empty((m, n), dtype=dtype)
    opts = 0 if iam else C.TSPAR_ISOLATED_NOT_MISSING
    h = self._ll._h()

    def call(e):
        check(lib.tspar_treeseq_genotype_matrix(h.ptr, sp, n, ap, 0, m, opts, codes[dtype], e.handle,
                                                ffi.from_buffer(out), out.size))
    _exec.run(call, num_threads, progress, "genotype_matrix")
    return out


def _haplotype_array(self, isolated_as_missing, missing_data_character, samples, left, right, num_threads):
    if missing_data_character is None:
        missing_data_character = "N"
    ch = missing_data_character.encode("ascii")
    if len(ch) != 1:
        raise TypeError("missing_data_character must be a single character")
    start, stop = _range(self, left, right)
    sa, sp, n = _samples_arg(samples)
    if samples is None:
        n = self.num_samples
    out = np.empty((n, stop - start), dtype=np.int8)
    opts = 0 if isolated_as_missing else C.TSPAR_ISOLATED_NOT_MISSING
    h = self._ll._h()

    def call(e):
        check(lib.tspar_treeseq_haplotypes(h.ptr, sp, n, start, stop, opts, ch, e.handle, ffi.from_buffer(out),
                                           out.size))
    try:
        _exec.run(call, num_threads, None, "haplotypes")
    except LibraryError as e:
        if e.code == C.TSPAR_ERR_MULTI_CHARACTER_ALLELE:
            raise TypeError(str(e)) from e
        if e.code == C.TSPAR_ERR_MISSING_CHARACTER_CLASH:
            raise ValueError(str(e)) from e
        raise
    return out


def haplotypes(self, *, isolated_as_missing=None, missing_data_character=None, samples=None, left=None,
               right=None, impute_missing_data=None, num_threads: Optional[int] = None):
    """Each sample's haplotype as a string (tskit's ``haplotypes()``):
    single-character alleles, ``missing_data_character`` (default "N") for
    missing data."""
    iam = _isolated(isolated_as_missing, impute_missing_data)
    H = _haplotype_array(self, iam, missing_data_character, samples, left, right, num_threads)
    for row in H:
        yield row.tobytes().decode("ascii")


_VCF_VALUE_ERRORS = ("TSPAR_ERR_VCF_POSITION_ZERO", "TSPAR_ERR_VCF_TOO_MANY_ALLELES", "TSPAR_ERR_VCF_NO_SAMPLES",
                     "TSPAR_ERR_VCF_BAD_INDIVIDUALS", "TSPAR_ERR_BAD_PARAM_VALUE",
                     "TSPAR_ERR_INDIVIDUAL_OUT_OF_BOUNDS")


def _vcf_nodes(ts, ploidy, individuals, include_non_sample_nodes):
    """The VCF's nodes, in order, as tskit's ``map_to_vcf_model`` makes them
    (for a callable sample mask; the arguments' errors are left to the
    writer)."""
    is_sample = (ts.nodes_flags & 1) != 0
    if ts.num_individuals == 0 and individuals is None:
        return ts.samples()
    node_ind = ts.column("nodes/individual")
    inds = np.arange(ts.num_individuals) if individuals is None else np.asarray(individuals).reshape(-1)
    nodes = []
    for i in inds:
        row = np.flatnonzero(node_ind == i)
        nodes.extend(row if include_non_sample_nodes else row[is_sample[row]])
    return np.array(nodes, dtype=np.int32)


def _call_sample_mask(ts, fn, site_mask, ploidy, individuals, isolated_as_missing, include_non_sample_nodes):
    nodes = _vcf_nodes(ts, ploidy, individuals, include_non_sample_nodes)
    skip = np.zeros(ts.num_sites, dtype=bool) if site_mask is None else np.array(site_mask, dtype=bool)
    if skip.shape != (ts.num_sites,):
        raise ValueError("Site mask must be 1D a boolean array of length num_sites")
    iam = True if isolated_as_missing is None else bool(isolated_as_missing)
    out = np.zeros((ts.num_sites, len(nodes)), dtype=bool)
    for v in ts.variants(samples=nodes, isolated_as_missing=iam):
        if skip[v.site.id]:
            continue
        m = np.array(fn(v), dtype=bool)
        if m.shape != v.genotypes.shape:
            raise ValueError("Sample mask must be a numpy array of size num_samples")
        out[v.site.id] = m
    return out


def write_vcf(self, output, ploidy=None, *, contig_id="1", individuals=None, individual_names=None,
              position_transform=None, site_mask=None, sample_mask=None, isolated_as_missing=None,
              allow_position_zero=None, include_non_sample_nodes=None, bgzf: bool = False,
              num_threads: Optional[int] = None, progress=None):
    """Writes the VCF tskit's ``write_vcf`` writes (the same bytes but the
    ``##source`` line) to ``output``: a file-like object (text, or binary)
    or a path (written atomically). ``bgzf=True`` writes BGZF (block gzip)
    instead, to a path or a binary file. ``sample_mask`` is an array: one
    flag per VCF sample node, ``[num_sites, num_nodes]`` flags, or (as in
    tskit) a function of each written site's :class:`Variant` (the genotypes
    of the VCF's nodes) returning that site's flags: it is called on every
    site first, one variant at a time, and its flags gathered into the
    ``[num_sites, num_nodes]`` form."""
    keep = []
    o = ffi.new("tspar_vcf_options_t *")
    flags = 0
    if ploidy is not None:
        if ploidy <= 0 or ploidy != int(ploidy):
            raise ValueError("Ploidy must be a positive integer")
        o.ploidy = int(ploidy)
    if individuals is not None:
        ind = np.ascontiguousarray(np.asarray(individuals), dtype=np.int32).reshape(-1)
        keep.append(ind)
        o.individuals = ffi.from_buffer("int32_t[]", ind, require_writable=False) if ind.size else \
            ffi.new("int32_t[1]")
        keep.append(o.individuals)
        o.num_individuals = ind.size
    if individual_names is not None:
        names = [ffi.new("char[]", str(nm).encode()) for nm in individual_names]
        arr = ffi.new("char *[]", names + [ffi.NULL])
        keep += [names, arr]
        o.individual_names = arr
        o.num_individual_names = len(names)
    cid = ffi.new("char[]", str(contig_id).encode())
    keep.append(cid)
    o.contig_id = cid
    if position_transform is not None:
        if isinstance(position_transform, str):
            if position_transform != "legacy":
                raise ValueError("position_transform must be None, 'legacy' or a callable")
            flags |= C.TSPAR_VCF_LEGACY_POSITIONS
        else:
            pos = np.array(position_transform(self.sites_position), dtype=int)
            if pos.shape != (self.num_sites,):
                raise ValueError("Position transform must return an array of the same length")
            pos = np.ascontiguousarray(pos, dtype=np.int64)
            keep.append(pos)
            o.positions = ffi.from_buffer("int64_t[]", pos, require_writable=False) if pos.size else \
                ffi.new("int64_t[1]")
            keep.append(o.positions)
            o.contig_length = max(1, int(position_transform([self.sequence_length])[0]))
    if site_mask is not None:
        sm = np.ascontiguousarray(np.array(site_mask, dtype=bool)).view(np.uint8)
        if sm.shape != (self.num_sites,):
            raise ValueError("Site mask must be 1D a boolean array of length num_sites")
        keep.append(sm)
        if sm.size:
            o.site_mask = ffi.from_buffer("uint8_t[]", sm, require_writable=False)
    if sample_mask is not None:
        if callable(sample_mask):
            sample_mask = _call_sample_mask(self, sample_mask, site_mask, ploidy, individuals,
                                            isolated_as_missing, include_non_sample_nodes)
        mk = np.ascontiguousarray(np.array(sample_mask, dtype=bool)).view(np.uint8).reshape(-1)
        keep.append(mk)
        o.sample_mask = ffi.from_buffer("uint8_t[]", mk, require_writable=False) if mk.size else \
            ffi.new("uint8_t[1]")
        keep.append(o.sample_mask)
        o.sample_mask_length = mk.size
    if isolated_as_missing is not None and not isolated_as_missing:
        flags |= C.TSPAR_ISOLATED_NOT_MISSING
    if allow_position_zero:
        flags |= C.TSPAR_VCF_ALLOW_POSITION_ZERO
    if include_non_sample_nodes:
        flags |= C.TSPAR_VCF_INCLUDE_NON_SAMPLE_NODES
    if bgzf:
        flags |= C.TSPAR_VCF_BGZF
    o.options = flags
    h = self._ll._h()

    if isinstance(output, (str, bytes, os.PathLike)):
        path = os.fsencode(os.fspath(output))

        def call(e):
            check(lib.tspar_treeseq_write_vcf(h.ptr, path, o, e.handle))
    else:
        binary = isinstance(output, (io.RawIOBase, io.BufferedIOBase))
        if bgzf and not binary:
            output = getattr(output, "buffer", None)
            if output is None:
                raise TypeError("bgzf=True needs a path or a binary file")
            binary = True
        failure = []

        @ffi.callback("int(const char *, tspar_size_t, void *)")
        def sink(data, length, _user):
            try:
                b = ffi.buffer(data, length)[:]
                output.write(b if binary else b.decode())
                return 0
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                failure.append(exc)
                return 1

        def call(e):
            try:
                check(lib.tspar_treeseq_write_vcf_stream(h.ptr, sink, ffi.NULL, o, e.handle))
            except LibraryError:
                if failure:
                    raise failure[0] from None
                raise
    try:
        _exec.run(call, num_threads, progress, "write_vcf")
    except LibraryError as e:
        if e.name in _VCF_VALUE_ERRORS:
            raise ValueError(str(e)) from e
        raise
    del keep


TreeSequence.variants = variants
TreeSequence.genotype_matrix = genotype_matrix
TreeSequence.haplotypes = haplotypes
TreeSequence.write_vcf = write_vcf


# ---------------------------------------------------------------- per-node statistics


def _reference_sets(sets):
    arrays = [np.ascontiguousarray(np.asarray(s), dtype=np.int32).reshape(-1) for s in sets]
    sizes = np.array([a.size for a in arrays], dtype=np.uint64)
    ids = np.ascontiguousarray(np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int32), dtype=np.int32)
    return sizes, ids


def _p(a, ctype):
    return ffi.from_buffer(ctype, a, require_writable=False) if a.size else ffi.NULL


def mean_descendants(self, sample_sets, *, num_threads: Optional[int] = None, progress=None):
    """tskit's ``mean_descendants(sample_sets)``: ``[node][set]``."""
    sizes, ids = _reference_sets(sample_sets)
    out = np.zeros((self.num_nodes, len(sizes)), dtype=np.float64)
    h = self._ll._h()

    def call(e):
        check(lib.tspar_treeseq_mean_descendants(h.ptr, len(sizes), _p(sizes, "uint64_t[]"), _p(ids, "int32_t[]"),
                                                 0, e.handle, ffi.from_buffer("double[]", out), out.size))
    _exec.run(call, num_threads, progress, "mean_descendants")
    return out


def genealogical_nearest_neighbours(self, focal, sample_sets, num_threads: Optional[int] = 0, *, progress=None):
    """tskit's ``genealogical_nearest_neighbours(focal, sample_sets)``:
    ``[focal][set]``, in parallel over the genome (``num_threads`` 0 or
    None: the library's default thread count)."""
    f = np.ascontiguousarray(np.asarray(focal), dtype=np.int32).reshape(-1)
    sizes, ids = _reference_sets(sample_sets)
    out = np.zeros((f.size, len(sizes)), dtype=np.float64)
    h = self._ll._h()

    def call(e):
        check(lib.tspar_treeseq_genealogical_nearest_neighbours(
            h.ptr, f.size, _p(f, "int32_t[]"), len(sizes), _p(sizes, "uint64_t[]"), _p(ids, "int32_t[]"), 0,
            e.handle, ffi.from_buffer("double[]", out), out.size))
    _exec.run(call, num_threads or None, progress, "genealogical_nearest_neighbours")
    return out


def trait_linear_model(self, W, Z=None, windows=None, mode="site", span_normalise=True, *,
                       num_threads: Optional[int] = None, progress=None):
    """tskit's ``trait_linear_model(W, Z, windows, mode, span_normalise)``."""
    from ._trees import _check_mode, _check_bool
    mode = _check_mode(mode)
    W = np.asarray(W, dtype=np.float64)
    if W.ndim != 2:
        raise ValueError("W must be a 2-d array")
    if W.shape[0] != self.num_samples:
        raise ValueError("First trait dimension must be equal to number of samples.")
    W = np.ascontiguousarray(W)
    if Z is not None:
        Z = np.ascontiguousarray(np.asarray(Z, dtype=np.float64))
        if Z.ndim != 2 or Z.shape[0] != self.num_samples:
            raise ValueError("First dimension of Z must equal the number of samples.")
    w = None if windows is None else np.ascontiguousarray(self.parse_windows(windows), dtype=np.float64)
    from .lowlevel import stat_options
    opts = stat_options(mode, _check_bool("span_normalise", span_normalise), False)
    nw = 1 if w is None else w.size - 1
    rows = nw if mode != "node" else nw * self.num_nodes
    out = np.zeros(rows * W.shape[1], dtype=np.float64)
    h = self._ll._h()

    def call(e):
        check(lib.tspar_treeseq_trait_linear_model(
            h.ptr, W.shape[1], _p(W.reshape(-1), "double[]"), 0 if Z is None else Z.shape[1],
            ffi.NULL if Z is None else _p(Z.reshape(-1), "double[]"), 0 if w is None else w.size - 1,
            ffi.NULL if w is None else _p(w, "double[]"), opts, e.handle, ffi.from_buffer("double[]", out),
            out.size))
    try:
        _exec.run(call, num_threads, progress, "trait_linear_model")
    except LibraryError as e:
        if e.code == C.TSPAR_ERR_BAD_PARAM_VALUE:
            raise ValueError(str(e)) from e
        raise
    if mode == "node":
        out = out.reshape(nw, self.num_nodes, W.shape[1])
    else:
        out = out.reshape(nw, W.shape[1])
    return out[0] if windows is None else out


TreeSequence.mean_descendants = mean_descendants
TreeSequence.genealogical_nearest_neighbours = genealogical_nearest_neighbours
TreeSequence.trait_linear_model = trait_linear_model
