"""casebot's hybrid retrieval as a LangChain retriever, for use in any chain or agent.

    from bot import CaseBot
    from bot.langchain_retriever import CaseBotRetriever
    docs = CaseBotRetriever(bot=CaseBot(), k=5).invoke("IVIg dose for calcinosis?")
    docs[0].metadata["source"], docs[0].metadata["start"], docs[0].page_content

Each Document is one passage, verbatim, with the provenance needed to cite it.
This wraps casebot's own index; it does not use langchain-community's FAISS store,
whose loader unpickles files.
"""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from .core import CaseBot


class CaseBotRetriever(BaseRetriever):
    bot: CaseBot
    k: int = 5

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        docs = []
        for rank, hit in enumerate(self.bot.search(query, k=self.k), 1):
            meta = self.bot.retriever().snap.documents[hit.doc_id].metadata
            docs.append(
                Document(
                    page_content=hit.text,
                    id=str(hit.chunk_id),
                    metadata={
                        "rank": rank,
                        "source": hit.doc_id,
                        "title": hit.title,
                        "section": hit.section,
                        "start": hit.start,
                        "end": hit.end,
                        "page": hit.page,
                        "score": hit.score,
                        "chunk_id": hit.chunk_id,
                        "authors": meta.get("authors", []),
                        "journal": meta.get("journal"),
                        "year": meta.get("year"),
                        "doi": meta.get("doi"),
                        "pmid": meta.get("pmid"),
                        "url": meta.get("url"),
                    },
                )
            )
        return docs
