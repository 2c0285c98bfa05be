"""The one API every front end uses: `CaseBot(settings).ask(question, k, conversation)`.

It assembles the pipeline (retrieve -> answer) in one place, owns the model and the
loaded index generation, reloads a newer generation when an update lands (checked on
every call: one small file read), and is safe to call from worker threads, so an async
front end can run it off its event loop.
"""

from __future__ import annotations

import logging
import threading

from . import frequency, store
from .adapter import adapter_for
from .answer import compose
from .config import Settings, load_settings
from .conversation import Conversation, Resolution
from .embed import QueryEncoder
from .errors import InputError
from .indexer import Indexer, Progress, UpdateReport, expected_manifest, freshness, pending_changes
from .onnx_encoder import query_encoder
from .records import Answer, Hit
from .rerank import shipped_reranker
from .retrieve import Query, Retriever

log = logging.getLogger(__name__)
CONTROL_CHARACTERS = dict.fromkeys(
    [*range(32), *range(127, 160)], " "
)  # pasted terminal junk: never part of a question


class CaseBot:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        frequency.use_cache(self.settings.cache_dir)
        self._lock = threading.Lock()
        self._retriever: Retriever | None = None

    @property
    def encoder(self) -> QueryEncoder:
        """What embeds questions: the lean ONNX encoder when it matches the index, else the model itself."""
        return self.retriever().encoder

    def retriever(self) -> Retriever:
        """The retriever over the current generation, reloaded if a newer one was published."""
        current = store.current_generation(self.settings.index_dir)
        with self._lock:
            if self._retriever is None or self._retriever.snap.generation != current:
                snapshot = store.load(self.settings.index_dir, expected_manifest(self.settings))
                encoder = query_encoder(self.settings, snapshot.manifest)
                store.check_compatible(
                    snapshot.manifest, expected_manifest(self.settings, encoder.dimension), self.settings.index_dir
                )
                log.info(
                    "loaded index generation %s; questions embedded by %s", snapshot.generation, type(encoder).__name__
                )
                adapter = adapter_for(self.settings, snapshot.manifest, encoder)
                self._retriever = Retriever(snapshot, encoder, self.settings, adapter)
            return self._retriever

    def checked(self, question: str) -> str:
        """The question with control characters and runs of spaces cleaned; InputError when it is
        empty or longer than max_question_words (front ends may ask before they start answering)."""
        question = " ".join(question.translate(CONTROL_CHARACTERS).split())
        if not question:
            raise InputError("the question is empty", "type a question")
        if not any(c.isalnum() for c in question):  # "?", "..."
            raise InputError("the question has no words", "type a question")
        words, limit = question.count(" ") + 1, self.settings.answer.max_question_words
        if words > limit:
            raise InputError(
                f"the question has {words} words, over the limit of {limit} (setting max_question_words)",
                "ask a shorter question",
            )
        return question

    def resolve(
        self, question: str, conversation: Conversation | None = None, retriever: Retriever | None = None
    ) -> Resolution:
        """The question checked, cleaned and read against the conversation so far (bot.conversation's rules).

        `retriever`: the one the caller will search with (else the current one)."""
        question = self.checked(question)
        retriever = retriever or self.retriever()
        conversation = conversation or Conversation()
        said = [question] + [text for t in conversation.turns for text in (t.question, t.answer)]
        vocabulary = retriever.vocabulary_for(" ".join(said))
        resolution = conversation.resolve(question, vocabulary, retriever.snap.has_term)
        if resolution.follow_up:
            log.debug("follow-up (%s): context %s", resolution.reason, resolution.context)
        return resolution

    def analyse(self, question: str, conversation: Conversation | None = None) -> Query:
        """The query to search: the question, with context and preferred papers when it is a follow-up."""
        return self._read(question, conversation)[2]

    def _read(self, question: str, conversation: Conversation | None) -> tuple[Retriever, Resolution, Query]:
        """The retriever of the current generation (kept for the whole question, even if a newer
        one is published meanwhile), the question resolved against the conversation, its query."""
        retriever = self.retriever()
        r = self.resolve(question, conversation, retriever)
        return retriever, r, retriever.analyse(r.question, r.context, r.prefer, r.said)

    def ask(self, question: str, k: int | None = None, conversation: Conversation | None = None) -> Answer:
        """Answer with quoted, cited sentences, or abstain and show the nearest passages.

        With a conversation, the question may lean on its earlier turns, and the turn is recorded in it.
        """
        return self.ask_ranked(question, k, conversation)[0]

    def ask_ranked(
        self, question: str, k: int | None = None, conversation: Conversation | None = None, depth: int = 0
    ) -> tuple[Answer, list[Hit]]:
        """`ask`, plus the ranking it came from to `depth` passages (for evaluation); the answer uses the top k.

        Diversification is greedy, so the top k of a deeper ranking are the top k themselves.
        """
        k = k or self.settings.retrieval.k
        retriever, resolution, query = self._read(question, conversation)
        ranked = retriever.retrieve(query, max(k, depth))
        a = self.settings.answer
        answer = compose(query, ranked[:k], a.max_sentences, a.abstain_below, shipped_reranker() if a.rerank else None)
        if conversation is not None:
            conversation.add(answer, resolution.follow_up)
        return answer, ranked

    def search(self, question: str, k: int | None = None, conversation: Conversation | None = None) -> list[Hit]:
        """The passages `ask` would quote from, without composing an answer."""
        retriever, _, query = self._read(question, conversation)
        return retriever.retrieve(query, k or self.settings.retrieval.k)

    def section_text(self, hit: Hit) -> str:
        """The whole section a passage lies in, rebuilt from its passages (they overlap; gaps are blank lines)."""
        parts = self.retriever().snap.chunks.of_section(hit.doc_id, hit.section)
        text, end = "", None
        for c in parts:
            if end is None or c.start >= end:
                text += ("\n\n" if text else "") + c.text
            elif c.end > end:
                text += c.text[end - c.start :]
            end = max(end or 0, c.end)
        return text or hit.text

    def update_index(self, rebuild: bool = False, progress: Progress | None = None) -> UpdateReport:
        return Indexer(self.settings, progress).update(rebuild=rebuild)

    def pending_changes(self) -> dict[str, list[str]]:
        """Files in the docs dir that the index does not reflect yet."""
        return pending_changes(self.retriever().snap, self.settings.docs_dir)

    def freshness(self) -> dict[str, list[str]]:
        """What changed in the docs dir since the index was built, at a cost that does not grow
        with the corpus (bot.indexer.freshness): pending_changes, or changed folders."""
        return freshness(self.retriever().snap, self.settings.docs_dir)
