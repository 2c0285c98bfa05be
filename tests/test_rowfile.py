"""bot.rowfile: scattered rows of a .npy file read with pread give what indexing the array gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.rowfile import RowFile


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


def test_a_truncated_file_is_an_error_not_garbage(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.ones((100, 4), np.float32))
    data = (tmp_path / "a.npy").read_bytes()
    (tmp_path / "a.npy").write_bytes(data[: len(data) - 16 * 4])
    rows = RowFile(tmp_path / "a.npy")
    np.testing.assert_array_equal(rows.take(np.array([0, 50])), np.ones((2, 4), np.float32))
    with pytest.raises(OSError, match="short read"):
        rows.take(np.array([99]))


def test_object_arrays_are_refused(tmp_path: Path) -> None:
    np.save(tmp_path / "o.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="plain numbers"):
        RowFile(tmp_path / "o.npy")
