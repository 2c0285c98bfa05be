"""casebot: cited answers from medical case reports.

    from bot import CaseBot
    answer = CaseBot().ask("What share of dermatomyositis patients develop calcinosis cutis?")
    print(answer.text, [p.title for p in answer.passages])
"""
from .config import Settings, load_settings
from .core import CaseBot
from .records import Answer, Citation, Chunk, Document, Hit, Turn

__all__ = ["Answer", "CaseBot", "Chunk", "Citation", "Document", "Hit", "Settings", "Turn", "load_settings"]
