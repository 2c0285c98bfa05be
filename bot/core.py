"""The one API every front end uses: `CaseBot(settings).ask(question, history)`.

It owns the model and the loaded index generation, reloads a newer generation
when an update lands (checked on every call: one small file read), and is safe to
call from worker threads, so an async front end can run it off its event loop.
"""
from __future__ import annotations

import logging
import threading
from typing import Sequence

from . import store
from .answer import compose
from .config import Settings, load_settings
from .embed import Embedder, get_embedder
from .indexer import Indexer, UpdateReport, expected_manifest, pending_changes
from .records import Answer, Hit, Turn
from .retrieve import Retriever

log = logging.getLogger(__name__)


class CaseBot:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None

    @property
    def embedder(self) -> Embedder:
        s = self.settings
        return get_embedder(s.model, s.offline, s.batch_size)

    def retriever(self) -> Retriever:
        """The retriever over the current generation, reloaded if a newer one was published."""
        current = store.current_generation(self.settings.index_dir)
        with self._lock:
            if self._retriever is None or self._retriever.snap.generation != current:
                expected = expected_manifest(self.settings, self.embedder.dimension)
                snapshot = store.load(self.settings.index_dir, expected)
                log.info("loaded index generation %s", snapshot.generation)
                self._retriever = Retriever(snapshot, self.embedder, self.settings)
            return self._retriever

    def ask(self, question: str, history: Sequence[Turn] = (), k: int | None = None) -> Answer:
        """Answer with quoted, cited sentences, or abstain and show the nearest passages."""
        question = " ".join(question.split())
        if not question:
            raise ValueError("the question is empty")
        retriever = self.retriever()
        query = retriever.analyse(question, list(history))
        s = self.settings
        return compose(retriever, query, retriever.candidates(query), k or s.k, s.max_sentences, s.abstain_below)

    def search(self, question: str, k: int | None = None, history: Sequence[Turn] = ()) -> list[Hit]:
        return self.retriever().search(question, k, list(history))

    def update_index(self, rebuild: bool = False, progress=None) -> UpdateReport:
        return Indexer(self.settings, progress).update(rebuild=rebuild)

    def pending_changes(self) -> dict[str, list[str]]:
        """Files in the docs dir that the index does not reflect yet."""
        return pending_changes(self.retriever().snap, self.settings.docs_dir)
