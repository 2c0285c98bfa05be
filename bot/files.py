"""Small file helpers shared by ingest, the indexer, the store and the CLI.

Two folders are casebot's to write: the docs folder (papers added or removed by
`casebot index`) and the index folder. Everything that writes or deletes there goes
through these helpers, which resolve a path and check it lies inside its folder,
never open through a symbolic link (O_NOFOLLOW), and create temporary files
exclusively, so a planted link cannot redirect a write to a file elsewhere.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import stat
from pathlib import Path

from .errors import InputError, StoreError

BLOCK = 1 << 20  # read files in 1 MiB blocks: constant memory for any size


def sha256_file(path: Path, tail: bytes = b"") -> str:
    """sha256 of the file's bytes followed by `tail` (e.g. a sidecar's bytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    digest.update(tail)
    return digest.hexdigest()


def is_inside(path: Path, folder: Path) -> bool:
    """Whether `path`, with every link and `..` resolved, lies inside `folder` (resolved too)."""
    return path.resolve().is_relative_to(folder.resolve())


def inside(path: Path, folder: Path, what: str = "path") -> Path:
    """`path` resolved, or InputError when it would land outside `folder` (through `..` or a link)."""
    if not is_inside(path, folder):
        raise InputError(
            f"{what} {path} lies outside {folder} (through '..', an absolute path or a symbolic link)",
            f"name a path inside {folder}",
        )
    return path.resolve()


def is_link(path: Path) -> bool:
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def refuse_link(path: Path) -> None:
    """StoreError naming the link when an index entry is a symbolic link (it could point anywhere)."""
    if is_link(path):
        raise StoreError(
            f"{path} is a symbolic link; casebot never reads or writes the index through one",
            f"delete the link ({path}), then run the command again",
        )


def open_nofollow(path: Path, flags: int, mode: int = 0o644) -> int:
    """os.open that refuses a symbolic link at the last component with a StoreError."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            refuse_link(path)
        raise


def read_text_nofollow(path: Path) -> str:
    fd = open_nofollow(path, os.O_RDONLY)
    with os.fdopen(fd, "r", encoding="utf-8") as fh:
        return fh.read()


def write_exclusive(path: Path, data: bytes) -> None:
    """Create `path` (which must not exist, not even as a link), write and fsync it."""
    fd = open_nofollow(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def remove_entry(path: Path) -> None:
    """Delete a file, a folder tree or a symbolic link, never following the link."""
    if is_link(path) or path.is_file():
        path.unlink(missing_ok=True)
    elif path.exists():
        shutil.rmtree(path, ignore_errors=True)


def copy_exclusive(src: Path, dest: Path) -> None:
    """Copy under a hidden temporary name created exclusively, then rename into place.

    A concurrent update never sees half a file, and a planted link at either name is refused.
    """
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.copying")
    remove_entry(tmp)  # a leftover from a killed copy (or a link planted under that name)
    fd = open_nofollow(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as fh:
            shutil.copyfileobj(fh, out, BLOCK)
        os.replace(tmp, dest)  # replaces a link at `dest` itself, never what it points to
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
