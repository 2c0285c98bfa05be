"""`casebot chat`: a conversation in the terminal, or over a pipe.

On a terminal: prompt_toolkit line editing with a history file in the user's data dir,
answers rendered with rich (present's "terminal (rich)" section), and slash commands.
Ctrl-C cancels the line being typed (or the answer being computed); Ctrl-D or /quit
ends the session; an empty line does nothing. When stdin is not a terminal every line
is a question (or a command) and the output is plain text, so the chat can be piped
and scripted.
"""

from __future__ import annotations

import logging
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from platformdirs import user_data_dir
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from rich.console import Console

from . import present
from .config import Settings
from .conversation import Conversation
from .core import CaseBot
from .errors import CaseBotError, InputError
from .records import Answer

log = logging.getLogger(__name__)

PROMPT = "you> "
BANNER = "casebot: cited answers from medical case reports. Loading the model and the index…"
HISTORY_FILE = "chat_history"
HELP = """\
Ask a question; follow-ups ("did it help?", "and the dose?") use the earlier turns.
  /help          this list
  /sources       the full passages of the last answer, quoted sentences highlighted
  /open N        the whole section around citation [N]
  /new           forget the conversation so far (a new topic)
  /save FILE     save the conversation as JSON
  /load FILE     continue a saved conversation
  /quit          leave (Ctrl-D works too; Ctrl-C cancels the current line)"""


def history_path() -> Path:
    """Where typed lines are remembered across sessions (the user's data dir, e.g. ~/.local/share/casebot)."""
    return Path(user_data_dir("casebot", appauthor=False)) / HISTORY_FILE


class Chat:
    """One chat session: the conversation, the last answer, and the commands over them.

    `show` renders an answer, `say` prints a line; the terminal passes rich renderers,
    a pipe plain ones, so the commands behave the same in both.
    """

    def __init__(self, bot: CaseBot, k: int | None, rich: Console | None, out: TextIO = sys.stdout):
        self.bot, self.k, self.console, self.out = bot, k, rich, out
        self.conversation = Conversation(bot.settings.conversation.max_turns)
        self.last: Answer | None = None
        self.commands: dict[str, Callable[[list[str]], bool]] = {
            "help": self._help,
            "sources": self._sources,
            "open": self._open,
            "new": self._new,
            "save": self._save,
            "load": self._load,
            "quit": self._quit,
            "exit": self._quit,
        }

    def handle(self, line: str) -> bool:
        """Act on one line; False when the session should end. Errors are one line and the chat goes on."""
        line = line.strip()
        if not line:
            return True
        try:
            if line.startswith("/"):
                name, *args = shlex.split(line[1:]) or [""]
                command = self.commands.get(name.lower())
                if command is None:
                    self.say(f"unknown command /{name}: /help lists the commands", "red")
                    return True
                return command(args)
            self.last = self.bot.ask(line, self.k, self.conversation)
            self.show(self.last)
        except CaseBotError as exc:
            self.say(f"error: {exc.one_line()}", "red")
        except ValueError as exc:  # shlex: an unclosed quote
            self.say(f"error: {exc}", "red")
        return True

    # --- output --------------------------------------------------------------------

    def say(self, text: str, style: str = "") -> None:
        if self.console is not None:
            self.console.print(text, style=style or None, highlight=False, markup=False)
        else:
            print(text, file=self.out, flush=True)

    def show(self, answer: Answer) -> None:
        if self.console is not None:
            self.console.print(present.rich_answer(answer))
            self.console.print()
            return
        if (answer.query or answer.question) != answer.question:
            self.say(f"(searched: {present.fit(answer.query, present.SEARCHED_LIMIT)})")
        self.say(present.plain(answer) + "\n")

    # --- commands ------------------------------------------------------------------

    def _help(self, args: list[str]) -> bool:
        self.say(HELP)
        return True

    def _sources(self, args: list[str]) -> bool:
        if self.last is None:
            self.say("nothing asked yet")
        elif self.console is not None:
            self.console.print(present.rich_sources(self.last))
        else:
            self.say(present.plain(self.last, sources=True))
        return True

    def _open(self, args: list[str]) -> bool:
        shown = present.cited(self.last) if self.last is not None else []
        if len(args) != 1 or not args[0].isdigit():
            raise InputError("/open needs the number of a citation", "type e.g. /open 1")
        number = int(args[0])
        entry = next((e for e in shown if e[0] == number), None)
        if entry is None:
            raise InputError(
                f"the last answer has no citation [{number}]",
                f"choose one of {', '.join(f'[{e[0]}]' for e in shown) or 'none: ask a question first'}",
            )
        _, hit, quotes = entry
        text = self.bot.section_text(hit)
        if self.console is not None:
            self.console.print(present.rich_section(number, hit, text, quotes))
        else:
            self.say(f"[{number}] {present.where(hit)}\n{text}")
        return True

    def _new(self, args: list[str]) -> bool:
        self.conversation.clear()
        self.last = None
        self.say("new conversation: earlier turns forgotten", "dim")
        return True

    def _save(self, args: list[str]) -> bool:
        path = _one_path(args, "/save")
        self.conversation.save(path)
        self.say(f"saved {len(self.conversation)} turn(s) to {path}", "dim")
        return True

    def _load(self, args: list[str]) -> bool:
        path = _one_path(args, "/load")
        self.conversation = Conversation.load(path, self.bot.settings.conversation.max_turns)
        self.last = None
        self.say(f"loaded {len(self.conversation)} turn(s) from {path}", "dim")
        for turn in self.conversation.turns[-3:]:
            self.say(f"{PROMPT}{turn.question}", "dim")
            self.say(present.fit(turn.answer, 300), "dim")
        return True

    def _quit(self, args: list[str]) -> bool:
        return False


def _one_path(args: list[str], command: str) -> Path:
    if len(args) != 1:
        raise InputError(f"{command} needs one file name", f"type e.g. {command} conversation.json")
    return Path(args[0]).expanduser()


def run(settings: Settings, k: int | None, prepare: Callable[[CaseBot], None]) -> None:
    """The chat loop: interactive on a terminal, line by line over a pipe. `prepare` readies the index."""
    if not sys.stdin.isatty():
        _piped(settings, k, prepare)
        return
    from prompt_toolkit import PromptSession

    console = Console(highlight=False)
    console.print(BANNER, style="dim")
    bot = CaseBot(settings)
    prepare(bot)
    snap = bot.retriever().snap
    console.print(
        f"ready: {len(snap.documents)} paper(s), {len(snap.chunks)} passages. Ask a question, or /help.", style="dim"
    )
    session: PromptSession[str] = PromptSession(history=_history(console))
    chat = Chat(bot, k, console)
    while True:
        try:
            line = session.prompt(PROMPT)
        except KeyboardInterrupt:
            continue  # Ctrl-C drops the line being typed
        except EOFError:
            break
        try:
            if not chat.handle(line):
                break
        except KeyboardInterrupt:
            console.print("(cancelled)", style="dim")


def _history(console: Console) -> History:
    """The history file, or a history for this session only when the data dir cannot be written."""
    path = history_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        path.chmod(0o600)  # the questions asked about patients: the user's alone
    except OSError as exc:
        console.print(
            f"note: cannot keep a history in {path} ({exc.strerror}); it lasts this session only",
            style="dim",
            markup=False,
        )
        return InMemoryHistory()
    return FileHistory(str(path))


def _piped(settings: Settings, k: int | None, prepare: Callable[[CaseBot], None]) -> None:
    print(BANNER, file=sys.stderr, flush=True)
    bot = CaseBot(settings)
    prepare(bot)
    chat = Chat(bot, k, None)
    for line in sys.stdin:
        if not chat.handle(line):
            break
