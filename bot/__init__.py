"""casebot: cited answers from medical case reports.

from bot import CaseBot
answer = CaseBot().ask("What share of dermatomyositis patients develop calcinosis cutis?")
print(answer.text, [p.title for p in answer.passages])
"""

from .config import Settings, load_settings
from .conversation import Conversation, Turn
from .core import CaseBot
from .errors import CaseBotError
from .records import Answer, Chunk, Citation, Document, Hit

__all__ = [
    "Answer",
    "CaseBot",
    "CaseBotError",
    "Chunk",
    "Citation",
    "Conversation",
    "Document",
    "Hit",
    "Settings",
    "Turn",
    "load_settings",
]
