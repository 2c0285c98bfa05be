"""Expected failures, each with the command or step that repairs it.

Front ends catch `CaseBotError` only: the CLI prints `casebot: error: … — fix: …`,
Discord turns it into a polite reply. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class CaseBotError(Exception):
    """A failure the user can act on. `fix` names the repair (a command or a step), or is empty."""

    fix: str = ""

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        self.message = message
        if fix is not None:
            self.fix = fix

    def __str__(self) -> str:
        return self.message

    def one_line(self) -> str:
        """The message and its fix on one line, as front ends show it."""
        first = self.message.splitlines()[0] if self.message else type(self).__name__
        return f"{first} — fix: {self.fix}" if self.fix else first


class ConfigError(CaseBotError):
    """A setting has a value casebot cannot use."""

    fix = "correct the setting in the config file, the environment or the command line (`casebot config` shows them)"


class StoreError(CaseBotError):
    """The index on disk cannot be used as it is."""

    fix = "casebot index rebuild"


class NoIndex(StoreError):
    fix = "casebot index update"


class IndexMismatch(StoreError):
    """The index was built with other settings; `keys` names the manifest fields that differ."""

    def __init__(self, message: str, keys: set[str], fix: str):
        super().__init__(message, fix)
        self.keys = keys


class LockBusy(StoreError):
    fix = "wait for the running update to finish, then try again"


class InputError(CaseBotError):
    """A question, file or argument casebot will not take as given."""

    fix = ""


class EmbedderError(CaseBotError):
    """The configured embedding model cannot be loaded."""

    fix = "check the `model` setting (and set CASEBOT_OFFLINE=0 if it must be downloaded)"


class IngestError(InputError):
    """A file that cannot be indexed; the message names the problem and its fix, for the update's report."""
