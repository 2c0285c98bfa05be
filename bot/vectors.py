"""The dense-vector index behind one small interface, so another engine can take FAISS's place.

`DenseIndex` is what the store and the retriever ask of a vector index: add and remove
vectors by passage id, search by inner product, read vectors back, save and load.
`FaissIndex` (exact inner product over unit vectors, ids kept by IndexIDMap2) is today's
implementation; a Qdrant- or HNSW-backed class implementing the same methods can replace it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np


class DenseIndex(Protocol):
    dimension: int

    def __len__(self) -> int: ...

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: np.ndarray) -> None: ...

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    def ids(self) -> np.ndarray: ...

    def vectors(self) -> np.ndarray: ...

    def save(self, path: Path) -> None: ...


class FaissIndex:
    """Exact inner-product search (cosine on unit vectors) with passage ids, in FAISS's own file format."""

    def __init__(self, index: Any):
        self._index = index  # faiss.IndexIDMap2 over IndexFlatIP; faiss's stubs miss its id_map API
        self.dimension = int(index.d)

    @classmethod
    def empty(cls, dimension: int) -> FaissIndex:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)))

    @classmethod
    def load(cls, path: Path) -> FaissIndex:
        return cls(faiss.read_index(str(path)))

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids) of the k nearest for each row of `vectors`; id -1 pads a short result."""
        scores, ids = self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
        return scores, ids

    def ids(self) -> np.ndarray:
        """Passage ids in insertion order."""
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def vectors(self) -> np.ndarray:
        """Every vector, in insertion order (the order of `ids()`)."""
        if not len(self):
            return np.zeros((0, self.dimension), np.float32)
        return faiss.downcast_index(self._index.index).reconstruct_n(0, len(self))

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))
