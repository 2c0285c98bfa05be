"""bot.rowfile: scattered rows of a .npy file read with pread, and whole files mapped, give what np.load gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot import rowfile
from bot.rowfile import RowFile, mapped


@pytest.mark.parametrize(
    "array",
    [
        np.arange(1000 * 8, dtype=np.float32).reshape(1000, 8),
        np.arange(500 * 6, dtype=np.float16).reshape(500, 6),  # sentence vectors are float16
        np.arange(300, dtype=np.int64),  # 1-D arrays read row by row too
    ],
    ids=["float32", "float16", "1-d"],
)
def test_rows_in_any_order_equal_the_arrays(tmp_path: Path, array: np.ndarray) -> None:
    np.save(tmp_path / "a.npy", array)
    rows = RowFile(tmp_path / "a.npy")
    assert rows.shape == array.shape and rows.dtype == array.dtype
    rng = np.random.default_rng(3)
    for picked in (
        rng.integers(0, len(array), 50),  # scattered, unsorted, with repeats
        np.arange(10, 40),  # one run of consecutive rows: one read
        np.array([len(array) - 1, 0, 1, 2, len(array) - 2]),
        np.array([], np.int64),
    ):
        np.testing.assert_array_equal(rows.take(picked), array[picked])
    with pytest.raises(IndexError):
        rows.take(np.array([len(array)]))
    rows.close()


@pytest.mark.parametrize(
    ("merge_gap", "block"),
    [(0, 2**20), (64, 256), (rowfile.MERGE_GAP_BYTES, rowfile.BLOCK_BYTES)],
    ids=["each-run-alone", "small-blocks", "shipped"],
)
def test_rows_read_in_shared_blocks_equal_the_arrays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merge_gap: int, block: int
) -> None:
    """Nearby rows come from one read with the bytes between them; what take returns must not depend on
    how the reads were grouped (dense requests, rows on block boundaries, repeats)."""
    monkeypatch.setattr(rowfile, "MERGE_GAP_BYTES", merge_gap)
    monkeypatch.setattr(rowfile, "BLOCK_BYTES", block)
    array = np.arange(20_000, dtype=np.int64)  # 8-byte rows, like value shapes and chunk ids
    np.save(tmp_path / "a.npy", array)
    rows = RowFile(tmp_path / "a.npy")
    rng = np.random.default_rng(5)
    for picked in (
        rng.integers(0, len(array), 6_000),  # thousands of scattered rows with repeats
        rng.choice(len(array), 40, replace=False),  # a few far apart
        np.arange(0, len(array), 32),  # one row at every 256-byte boundary
        np.array([31, 32, 33, 63, 64]),
    ):
        np.testing.assert_array_equal(rows.take(picked), array[picked])
    rows.close()


def test_a_truncated_file_is_an_error_not_garbage(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.ones((100, 4), np.float32))
    data = (tmp_path / "a.npy").read_bytes()
    (tmp_path / "a.npy").write_bytes(data[: len(data) - 16 * 4])
    rows = RowFile(tmp_path / "a.npy")
    np.testing.assert_array_equal(rows.take(np.array([0, 50])), np.ones((2, 4), np.float32))
    with pytest.raises(OSError, match="short read"):
        rows.take(np.array([99]))


@pytest.mark.parametrize("opener", [RowFile, mapped], ids=["rows", "mapped"])
def test_object_and_fortran_arrays_are_refused(tmp_path: Path, opener) -> None:
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp_path / "f.npy", np.asfortranarray(np.ones((3, 4), np.float32)))
    for name in ("o.npy", "f.npy"):
        with pytest.raises(ValueError, match="plain numbers"):
            opener(tmp_path / name)


@pytest.mark.parametrize(
    "array",
    [
        np.arange(1000 * 8, dtype=np.float32).reshape(1000, 8),
        np.arange(500 * 6, dtype=np.float16).reshape(500, 6),
        np.frombuffer(b"postings", np.uint8),
        np.zeros((0, 384), np.float16),  # a segment whose passages have no sentences
    ],
    ids=["float32", "float16", "bytes", "empty"],
)
def test_a_mapped_file_is_what_np_load_reads_and_stays_read_only(tmp_path: Path, array: np.ndarray) -> None:
    np.save(tmp_path / "a.npy", array)
    got = mapped(tmp_path / "a.npy")
    assert type(got) is np.ndarray and got.dtype == array.dtype and got.shape == array.shape
    np.testing.assert_array_equal(got, np.load(tmp_path / "a.npy"))
    assert not got.flags.writeable


def test_a_truncated_mapped_file_is_refused_at_open(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.ones((100, 4), np.float32))
    data = (tmp_path / "a.npy").read_bytes()
    (tmp_path / "a.npy").write_bytes(data[:-4])
    with pytest.raises(ValueError, match="shorter than the array its header describes"):
        mapped(tmp_path / "a.npy")


@pytest.mark.parametrize("opener", [RowFile, mapped], ids=["rows", "mapped"])
def test_headers_of_other_writers_and_versions_are_read(tmp_path: Path, opener) -> None:
    """np.save's own header is read by a fast pattern; a version 2 header, or another writer's key order and
    spacing, goes through numpy's reader and gives the same array."""
    data = np.arange(6, dtype="<i8")
    with open(tmp_path / "v2.npy", "wb") as fh:
        np.lib.format.write_array(fh, data, version=(2, 0))
    header = b"{'shape': (6,),  'descr': '<i8', 'fortran_order': False}"
    header += b" " * (-(10 + len(header) + 1) % 64) + b"\n"
    (tmp_path / "other.npy").write_bytes(
        b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + data.tobytes()
    )
    for name in ("v2.npy", "other.npy"):
        opened = opener(tmp_path / name)
        assert opened.shape == (6,) and opened.dtype == data.dtype
        np.testing.assert_array_equal(opened.take(np.arange(6), axis=0), data)


def test_a_header_claiming_gigabytes_is_refused_without_reading_them(tmp_path: Path) -> None:
    """A damaged length field (version 2: four bytes) must not make opening read the whole file."""
    np.save(tmp_path / "a.npy", np.ones(4, np.float32))
    data = bytearray((tmp_path / "a.npy").read_bytes())
    (tmp_path / "bad.npy").write_bytes(b"\x93NUMPY\x02\x00" + (2**31).to_bytes(4, "little") + bytes(data[10:]))
    for opener in (mapped, RowFile):
        with pytest.raises(ValueError, match="damaged header"):
            opener(tmp_path / "bad.npy")
