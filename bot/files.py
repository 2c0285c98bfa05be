"""Small file helpers shared by ingest and the store (one sha256 reader, not two)."""
from __future__ import annotations

import hashlib
from pathlib import Path

BLOCK = 1 << 20  # read files in 1 MiB blocks: constant memory for any size


def sha256_file(path: Path, tail: bytes = b"") -> str:
    """sha256 of the file's bytes followed by `tail` (e.g. a sidecar's bytes)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            digest.update(block)
    digest.update(tail)
    return digest.hexdigest()
