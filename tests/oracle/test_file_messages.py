"""Messages a user can act on, through the C API (tspar_last_error_message),
beside what tskit 1.0.3 says for the same files: a zip (tszip's .tsz), a
legacy HDF5 file, a gzip file, an empty path, a directory; and no message
that says its code's text twice."""

import gzip
import zipfile

import msprime
import pytest
import tskit

import tspar.lowlevel as T
from tspar.lowlevel import C, Tables
from tspar.lowlevel import LibraryError as TsparError


@pytest.fixture(scope="module")
def trees_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("msg") / "a.trees"
    msprime.sim_ancestry(3, sequence_length=10, random_seed=1).dump(path)
    return path


def _ours(path):
    with pytest.raises(TsparError) as info:
        Tables.load(path)
    return info.value


def _theirs(path):
    with pytest.raises(Exception) as info:
        tskit.load(path)
    return str(info.value)


def _said_once(err):
    kind = T.library.strerror(err.code).lower()
    assert err.message.lower().startswith(kind + ": "), err.message
    assert kind not in err.message.lower()[len(kind) + 2:], err.message


def test_zip(lib, trees_file, tmp_path):
    path = tmp_path / "a.tsz"
    with zipfile.ZipFile(path, "w") as z:
        z.write(trees_file, "a.trees")
    assert "zip format" in _theirs(path) and "tszip" in _theirs(path)
    e = _ours(path)
    assert e.code == C["TSPAR_ERR_BAD_MAGIC"]
    _said_once(e)
    for m in (str(path), "zip", "tszip -d", "tszip.decompress"):
        assert m in e.message, e.message


def test_hdf5(lib, tmp_path):
    path = tmp_path / "old.trees"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(200))
    theirs = _theirs(path)
    assert "HDF5" in theirs and "tskit upgrade" in theirs
    e = _ours(path)
    assert e.code == C["TSPAR_ERR_BAD_MAGIC"]
    _said_once(e)
    for m in (str(path), "HDF5", "msprime < 0.6.0", "tskit upgrade"):
        assert m in e.message, e.message


def test_gzip(lib, trees_file, tmp_path):
    path = tmp_path / "a.trees.gz"
    path.write_bytes(gzip.compress(trees_file.read_bytes()))
    assert "not in kastore format" in _theirs(path)
    e = _ours(path)
    assert e.code == C["TSPAR_ERR_BAD_MAGIC"]
    _said_once(e)
    for m in (str(path), "gzip", "gunzip"):
        assert m in e.message, e.message


def test_other_bad_magic_said_once(lib, tmp_path):
    path = tmp_path / "text.trees"
    path.write_bytes(b"this is a text file, not a kastore\n" * 4)
    assert "not in kastore format" in _theirs(path)
    e = _ours(path)
    assert e.code == C["TSPAR_ERR_BAD_MAGIC"]
    _said_once(e)
    assert str(path) in e.message


def test_empty_path(lib):
    """tskit (Python's FileNotFoundError) and the system (ENOENT) call an
    empty path a missing file; tspar gives that code and says the name is
    missing, for loading and dumping alike."""
    with pytest.raises(FileNotFoundError):
        tskit.load("")
    with pytest.raises(FileNotFoundError):
        tskit.TableCollection(1).dump("")
    e = _ours("")
    assert e.code == C["TSPAR_ERR_FILE_NOT_FOUND"]
    assert "no file name" in e.message, e.message
    with Tables.new(1.0) as t:
        with pytest.raises(TsparError) as info:
            t.dump("")
    assert info.value.code == C["TSPAR_ERR_FILE_NOT_FOUND"]
    assert "no file name" in info.value.message, info.value.message


def test_directory_said_once(lib, tmp_path):
    with pytest.raises(IsADirectoryError):
        tskit.load(tmp_path)
    e = _ours(tmp_path)
    assert e.code == C["TSPAR_ERR_IS_A_DIRECTORY"]
    _said_once(e)
    assert "is a directory" not in e.message.lower().split(": ", 1)[1], e.message
    with Tables.new(1.0) as t:
        with pytest.raises(TsparError) as info:
            t.dump(tmp_path)
    assert info.value.code == C["TSPAR_ERR_IS_A_DIRECTORY"]
    _said_once(info.value)
    assert "is a directory" not in info.value.message.lower().split(": ", 1)[1], info.value.message
