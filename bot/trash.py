"""Papers taken out of the docs folder by `casebot index remove`, kept so a removal can be undone.

    index/trash/gen-000007-20261125T193000Z/batch/paper.pdf   (with its sidecar, if it had one)

Each removal gets its own folder, named after the generation that was current when the
paper was removed; `casebot index restore NAME` moves the newest match back. A folder is
deleted once KEEP_GENERATIONS newer generations have been published after it.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import store
from .errors import InputError
from .files import inside, refuse_link, remove_entry
from .ingest import SIDECAR_SUFFIX, sidecar_path

log = logging.getLogger(__name__)

TRASH = "trash"
KEEP_GENERATIONS = 5  # enough updates for a maintainer to notice a wrong removal; bounded disk use
_FOLDER = re.compile(r"gen-(\d{6})-\d{8}T\d{6}Z(?:-\d+)?")


@dataclass(frozen=True)
class Trashed:
    """One removed paper: the trash folder it sits in and its path relative to the docs folder."""

    folder: Path
    rel: str

    def matches(self, name: str) -> bool:
        return name in (self.rel, Path(self.rel).name, Path(self.rel).stem)


def _root(index_dir: Path) -> Path:
    root = index_dir / TRASH
    refuse_link(root)
    return root


def put(lock: store.WriterLock, docs_dir: Path, papers: list[Path]) -> Path:
    """Move papers (and their sidecars) from the docs folder into a new trash folder. Needs the writer lock."""
    generation = store.current_generation(lock.index_dir) or "gen-000000"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder, n = _root(lock.index_dir) / f"{generation}-{stamp}", 1
    while folder.exists():
        n += 1
        folder = folder.with_name(f"{generation}-{stamp}-{n}")
    for paper in papers:
        for path in (paper, sidecar_path(paper)):
            if path.exists() or path.is_symlink():
                target = folder / inside(path.parent, docs_dir, "paper").relative_to(docs_dir.resolve()) / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)  # a rename; a copy and delete when the index is on another disk
    return folder


def find(index_dir: Path, name: str) -> list[Trashed]:
    """Removed papers matching NAME (path relative to the docs dir, file name or stem), newest first."""
    root = _root(index_dir)
    if not root.is_dir():
        return []
    found = []
    for folder in sorted((p for p in root.iterdir() if _FOLDER.fullmatch(p.name)), reverse=True):
        for path in sorted(folder.rglob("*")):
            if (path.is_file() or path.is_symlink()) and not path.name.endswith(SIDECAR_SUFFIX):
                item = Trashed(folder, path.relative_to(folder).as_posix())
                if item.matches(name):
                    found.append(item)
    return found


def restore(lock: store.WriterLock, docs_dir: Path, item: Trashed) -> Path:
    """Move a removed paper (and its sidecar) back to where it was. Needs the writer lock."""
    dest = docs_dir / item.rel
    inside(dest.parent, docs_dir, "restore target")
    for src, target in ((item.folder / item.rel, dest), (sidecar_path(item.folder / item.rel), sidecar_path(dest))):
        if src.exists() and (target.exists() or target.is_symlink()):
            raise InputError(f"{target} exists already", f"move it away, then run `casebot index restore {item.rel}`")
    dest.parent.mkdir(parents=True, exist_ok=True)
    for src, target in ((item.folder / item.rel, dest), (sidecar_path(item.folder / item.rel), sidecar_path(dest))):
        if src.exists() or src.is_symlink():
            shutil.move(src, target)
    if not any(p.is_file() or p.is_symlink() for p in item.folder.rglob("*")):
        remove_entry(item.folder)
    return dest


def collect(index_dir: Path, generation: str | None) -> None:
    """Delete trash folders KEEP_GENERATIONS or more generations older than `generation`."""
    root = index_dir / TRASH
    if generation is None or not root.is_dir() or root.is_symlink():
        return
    current = int(generation.split("-")[1])
    for folder in root.iterdir():
        m = _FOLDER.fullmatch(folder.name)
        if m and current - int(m.group(1)) > KEEP_GENERATIONS:
            log.info("emptied trash folder %s", folder.name)
            remove_entry(folder)
