"""Rows of a large .npy array read with pread(2), without mapping the file.

Why: a question reads a few hundred scattered rows of a segment's vectors (candidates to
re-score, their sentences). Read through a memory map, every touched row maps the whole
page-cache folio around it, and the kernel here keeps the page cache in large folios (up
to 2 MB): re-scoring 320 candidates of a 1M-passage segment put 437 MB of
passage_vectors.npy into the process's resident set (bench/scale.py), pages it did not
need. pread copies just the rows' bytes, in one call per block of nearby rows (MERGE_GAP_BYTES),
straight into the result when the block is one run of consecutive rows.
Whole-array scans (exact search, index builds) keep using the memory map, and so do
small files (see PREAD_ABOVE_BYTES); `mapped` opens those maps.
"""

from __future__ import annotations

import mmap
import os
import re
import weakref
from pathlib import Path
from typing import BinaryIO, Protocol

import numpy as np

from .files import open_nofollow

# Files up to this size are read through their memory map: mapping all of one costs at most
# this much resident memory, and a question's ~400 scattered reads cost ~1.2 ms more as
# pread calls than as memory accesses (warm ask at 9,833 passages: 10.9 -> 12.2 ms).
# Above it, reading rows with pread keeps the resident set to the bytes read.
PREAD_ABOVE_BYTES = 64 * 2**20
# Arrays of one number per passage (chunk ids, sentence offsets, value shapes; 8 bytes a row) are
# read by pread from a smaller size. A scattered read through the map makes the 64 KB around it
# resident (the kernel's fault-around) whatever the row's width, so a question's few hundred reads
# of 8-byte rows made most of each 7.6 MB file of the 1M-passage index resident (15 MB of the cold
# ask's 223 MB, bench/scale.py). 1 MB is 131,072 passages: smaller indexes, including every one of
# the 10k benchmark's, keep the map.
NARROW_ROW_BYTES = 8
NARROW_PREAD_ABOVE_BYTES = 2**20
# Rows this close are fetched by one pread together with the bytes between them. A pread and its
# loop turn cost a few microseconds, about what copying 16 KB costs, and a question may ask for
# thousands of scattered narrow rows (the value shapes of every passage naming a test: 6,000 preads,
# ~250 ms at 1M passages, read one run at a time).
MERGE_GAP_BYTES = 16 * 2**10
# No read crosses a boundary of this many bytes of the file, so a dense request holds at most
# this much of it in a temporary buffer at once.
BLOCK_BYTES = 2**20


def rows_of(path: Path, mapped: np.ndarray) -> Rows:
    """How to read scattered rows of the .npy at `path` (`mapped`: its memory map)."""
    row_bytes = mapped.nbytes // max(len(mapped), 1)
    limit = NARROW_PREAD_ABOVE_BYTES if row_bytes <= NARROW_ROW_BYTES else PREAD_ABOVE_BYTES
    return RowFile(path) if mapped.nbytes > limit else mapped


def mapped(path: Path) -> np.ndarray:
    """A .npy file memory-mapped read-only, as a plain ndarray (never pickle).

    What np.load(mmap_mode="r") gives, at a fifth of its cost (0.07 against 0.36 ms a file;
    a segment maps 11 files, so this is most of what opening an index costs per segment):
    np.memmap resolves the path and builds a subclass whose every slice pays its overhead, and
    the header is read by a pattern (_PLAIN_HEADER) instead of as a Python literal.
    """
    with open(path, "rb") as fh:
        shape, dtype, start = _header(fh, path)
        size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if os.fstat(fh.fileno()).st_size < start + size:
            raise ValueError(f"{path.name} is shorter than the array its header describes")
        buffer = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return np.ndarray(shape, dtype, buffer=buffer, offset=start)


# The header np.save writes for an array of plain numbers, e.g. "{'descr': '<f4', 'fortran_order': False,
# 'shape': (1000058, 384), }". Read with this pattern it costs 15 us; numpy's reader evaluates it as a
# Python literal (88 us), which was half of opening a segment's 11 files. Anything else (other
# layouts, structured or object dtypes) goes to numpy's reader, which refuses what it must.
_PLAIN_HEADER = re.compile(
    rb"\{'descr': '([<>|][biuf][1248])', 'fortran_order': (False|True), 'shape': \(((?:\d+, ?)*\d*)\), \} *\n"
)
_MAGIC = b"\x93NUMPY"
_MAX_HEADER = 10_000  # bytes: numpy's own limit (max_header_size); numpy reads a longer one before refusing it


def _header(fh: BinaryIO, path: Path) -> tuple[tuple[int, ...], np.dtype, int]:
    """(shape, dtype, where the data starts) of the .npy open in `fh`; only C-ordered plain numbers."""
    prefix = fh.read(12)
    if prefix[:6] == _MAGIC and prefix[6:8] in (b"\x01\x00", b"\x02\x00", b"\x03\x00"):
        width = 2 if prefix[6] == 1 else 4
        start = 8 + width + int.from_bytes(prefix[8 : 8 + width], "little")
        if start > _MAX_HEADER:
            raise ValueError(f"{path.name} has a damaged header (it claims {start:,} bytes)")
        fh.seek(0)
        plain = _PLAIN_HEADER.fullmatch(fh.read(start), 8 + width)
        if plain is not None:
            if plain[2] == b"True":
                raise ValueError(f"{path.name} is not a C-ordered array of plain numbers")
            shape = tuple(int(n) for n in plain[3].split(b",") if n.strip())
            return shape, np.dtype(plain[1].decode()), start
    fh.seek(0)
    version = np.lib.format.read_magic(fh)
    if version == (1, 0):
        read_shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
    else:
        read_shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    if fortran or dtype.hasobject:
        raise ValueError(f"{path.name} is not a C-ordered array of plain numbers")
    return tuple(read_shape), dtype, fh.tell()


class Rows(Protocol):
    """An array's shape and its rows by number: an ndarray or a RowFile."""

    @property
    def shape(self) -> tuple[int, ...]: ...

    @property
    def dtype(self) -> np.dtype: ...

    def take(self, indices: np.ndarray, axis: int = 0) -> np.ndarray: ...


class RowFile:
    """Read-only rows of a C-ordered .npy file (no pickle), fetched on demand."""

    def __init__(self, path: Path):
        fd = open_nofollow(path, os.O_RDONLY)
        self._closer = weakref.finalize(self, os.close, fd)
        self._fd = fd
        try:
            with os.fdopen(os.dup(fd), "rb") as fh:  # the header, from the file just opened
                shape, dtype, self._start = _header(fh, path)
        except ValueError:
            self.close()
            raise
        self.shape: tuple[int, ...] = tuple(shape)
        self.dtype: np.dtype = dtype
        self.row_bytes = int(np.prod(shape[1:], dtype=np.int64)) * dtype.itemsize

    def __len__(self) -> int:
        return self.shape[0]

    def take(self, indices: np.ndarray, axis: int = 0) -> np.ndarray:
        """Rows `indices` in that order (like ndarray.take along axis 0)."""
        if axis != 0:
            raise ValueError("a RowFile is read by rows (axis 0)")
        rows = np.asarray(indices, np.int64)
        out = np.empty((len(rows), *self.shape[1:]), self.dtype)
        if not len(rows):
            return out
        if rows.min() < 0 or rows.max() >= self.shape[0]:
            raise IndexError(f"row out of range 0..{self.shape[0] - 1}")
        order = np.argsort(rows, kind="stable")
        ordered = rows[order]
        # one read per block: rows at most MERGE_GAP_BYTES apart share one, with the bytes between them,
        # and a block never crosses a BLOCK_BYTES boundary of the file
        step = np.diff(ordered, prepend=ordered[0] - 1)  # 1 from a row to the next one in the file
        blocks = (ordered * self.row_bytes) // BLOCK_BYTES
        breaks = ((step - 1) * self.row_bytes > MERGE_GAP_BYTES) | (np.diff(blocks, prepend=blocks[0]) != 0)
        breaks[0] = True
        starts = np.flatnonzero(breaks)
        ends = np.append(starts[1:], len(ordered))
        firsts, lasts = ordered[starts].tolist(), ordered[ends - 1].tolist()
        run = np.cumsum(step != 1)  # which run of distinct consecutive rows each row is in
        single = (run[ends - 1] == run[starts]).tolist()  # blocks that are one such run, with no gap or repeat
        read = np.empty((len(rows), self.row_bytes), np.uint8)  # the rows in ascending order, as bytes
        into, width = read.data.cast("B"), self.row_bytes
        for a, b, first, last, one_run in zip(starts.tolist(), ends.tolist(), firsts, lasts, single, strict=True):
            size, at = (last - first + 1) * width, self._start + first * width
            if one_run:  # straight into its place
                done = os.preadv(self._fd, [into[a * width : b * width]], at)
            else:
                data = os.pread(self._fd, size, at)
                done = len(data)
                if done == size:
                    read[a:b] = np.frombuffer(data, np.uint8).reshape(-1, width)[ordered[a:b] - first]
            if done != size:
                raise OSError(f"short read: the file holds fewer rows than its header says ({self.shape[0]})")
        out[order] = read.view(self.dtype).reshape(out.shape)
        return out

    def span(self, start: int, stop: int) -> np.ndarray:
        """Rows start..stop-1, in one read."""
        if not 0 <= start <= stop <= self.shape[0]:
            raise IndexError(f"rows {start}..{stop} out of range 0..{self.shape[0]}")
        out = np.empty((stop - start, *self.shape[1:]), self.dtype)
        size = out.nbytes
        if size and os.preadv(self._fd, [out.data.cast("B")], self._start + start * self.row_bytes) != size:
            raise OSError(f"short read: the file holds fewer rows than its header says ({self.shape[0]})")
        return out

    def close(self) -> None:
        self._closer()


class NpyWriter:
    """A .npy file written block by block: the bytes np.save writes, without the whole array in memory.

    Why: merging segments joins arrays of many gigabytes (1M passages: 4.5 GB of sentence vectors);
    joined in memory, one merge of the 1M-passage benchmark index peaked at 17.5 GB.
    """

    def __init__(self, path: Path, dtype: np.dtype | type, shape: tuple[int, ...]):
        self.dtype, self.shape = np.dtype(dtype), shape
        self._left = int(np.prod(shape, dtype=np.int64)) * self.dtype.itemsize
        self._fh = open(path, "wb")  # noqa: SIM115 (closed by close(), after the last block)
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": shape}
        np.lib.format.write_array_header_1_0(self._fh, header)

    def write(self, block: np.ndarray) -> None:
        data = np.ascontiguousarray(block, self.dtype)
        if data.nbytes > self._left:
            raise ValueError("more rows than the header says")
        self._fh.write(data.data.cast("B"))
        self._left -= data.nbytes

    def close(self) -> None:
        self._fh.close()
        if self._left:
            raise ValueError(f"{self._left} bytes fewer than the header says")
