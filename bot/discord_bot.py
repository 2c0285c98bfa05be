"""The Discord front end: /ask, @mention threads with follow-ups, /papers, /reindex, over one CaseBot.

A thin layer: every answer comes from `CaseBot.ask`, every render from `bot.present`. All CPU work
(embedding, retrieval, re-indexing) runs in worker threads (`asyncio.to_thread`), so the gateway
heartbeat never waits for a question. The model and index are loaded before connecting, so the
first question is as fast as any other. Nothing is sent with mentions enabled: a quoted passage
or a question containing `@everyone` pings no one.

Environment: DISCORD_TOKEN (or a `.env` file in the working directory) holds the bot token; it is
never logged. CASEBOT_DISCORD_API_BASE and CASEBOT_DISCORD_GATEWAY point the client at another
Discord (a local fake in the tests); only loopback addresses are accepted, so the token cannot be
sent anywhere but Discord or this machine.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import math
import os
import re
import secrets
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
import discord
from discord import app_commands

from . import present, store
from .config import DiscordSettings
from .conversation import Conversation
from .core import CaseBot
from .errors import CaseBotError, InputError, LockBusy
from .records import Answer

log = logging.getLogger(__name__)

TOKEN_ENV = "DISCORD_TOKEN"
API_BASE_ENV = "CASEBOT_DISCORD_API_BASE"
GATEWAY_ENV = "CASEBOT_DISCORD_GATEWAY"
DOTENV = ".env"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

EXIT_REFUSED = 2  # Discord (or the setup) refuses this bot: fix the token, the intents, the config
EXIT_UNREACHABLE = 3  # Discord could not be reached: network, DNS, firewall, an outage

NONE = discord.AllowedMentions.none()
THREADS_KEPT = 500  # conversations held in memory (least recently used dropped); a dropped thread starts afresh
ANSWERS_KEPT = 1000  # answers whose passages "Show passages" can still show
SHUTDOWN_GRACE = 10.0  # seconds in-flight answers get to finish on SIGINT/SIGTERM before they are cancelled
PASSAGES_ID = "casebot:passages:"
PAPERS_ID = "casebot:papers:"
MAINTAINERS_ONLY = "Only casebot's maintainers can re-index (a role or user id in the [discord] settings)."
SORRY = "Sorry, something went wrong on casebot's side; its log has the details for the maintainers."

K = TypeVar("K")
V = TypeVar("V")


class StartError(CaseBotError):
    """Discord cannot be used as configured: one line, and the exit code that says why."""

    def __init__(self, message: str, fix: str, exit_code: int):
        super().__init__(message, fix)
        self.exit_code = exit_code


class Recent(collections.OrderedDict[K, V]):
    """A dict that keeps only the `size` most recently used entries."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def use(self, key: K) -> V | None:
        if key not in self:
            return None
        self.move_to_end(key)
        return self[key]

    def keep(self, key: K, value: V) -> V:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


class RateLimiter:
    """At most `questions` per user in any `seconds`-long window."""

    def __init__(self, questions: int, seconds: float):
        self.questions, self.seconds = questions, seconds
        self.asked: dict[int, collections.deque[float]] = {}

    def wait(self, user_id: int) -> float:
        """0 and the question is counted, or the seconds until this user may ask again."""
        now = time.monotonic()
        times = self.asked.setdefault(user_id, collections.deque())
        while times and times[0] <= now - self.seconds:
            times.popleft()
        if len(times) >= self.questions:
            return times[0] + self.seconds - now
        times.append(now)
        return 0.0


def read_token(env: Mapping[str, str], dotenv: Path) -> str | None:
    """DISCORD_TOKEN from the environment, else from a `.env` file (KEY=value lines)."""
    token = env.get(TOKEN_ENV, "").strip()
    if token or not dotenv.is_file():
        return token or None
    for line in dotenv.read_text(encoding="utf-8", errors="replace").splitlines():
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip() == TOKEN_ENV:
            return value.strip().strip("'\"") or None
    return None


def endpoints(env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """The API base and gateway overrides (None: Discord's own), loopback only."""
    found = []
    for name in (API_BASE_ENV, GATEWAY_ENV):
        url = env.get(name, "").strip()
        if url and urlsplit(url).hostname not in LOOPBACK:
            raise StartError(
                f"{name}={url} is not a loopback address",
                f"unset {name} (it exists to point casebot at a local test server)",
                EXIT_REFUSED,
            )
        found.append(url or None)
    return found[0], found[1]


def point_at(api_base: str | None, gateway: str | None) -> None:
    """Send discord.py's REST calls and gateway connection elsewhere (a local fake Discord in the tests)."""
    import yarl

    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)


class RedactToken(logging.Filter):
    """Replaces the token wherever it would appear in a log line (also with --debug)."""

    def __init__(self, token: str):
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "[DISCORD_TOKEN]"), None
        return True


def polite(exc: CaseBotError) -> str:
    """The reply for an expected error; one the maintainers must fix (the index, the model) is logged too."""
    if not isinstance(exc, InputError):
        log.warning("%s", exc.one_line())
    return present.discord_text(f"Sorry, that did not work: {exc.one_line()}")


class PassagesButton(discord.ui.DynamicItem[discord.ui.Button], template=PASSAGES_ID + r"(?P<key>\d+)"):
    """ "Show passages": the answer's retrieved passages in full, visible only to whoever clicked."""

    def __init__(self, key: int):
        super().__init__(
            discord.ui.Button(
                label="Show passages", style=discord.ButtonStyle.secondary, custom_id=f"{PASSAGES_ID}{key}"
            )
        )
        self.key = key

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item, match: re.Match[str]):
        return cls(int(match["key"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        assert isinstance(client, CaseBotClient)
        if not await client._allowed_interaction(interaction):  # buttons bypass the command tree's check
            return
        answer = client.answers.use(self.key)
        if answer is None:
            await interaction.response.send_message(
                "Those passages are no longer kept; ask the question again.", ephemeral=True, allowed_mentions=NONE
            )
            return
        await interaction.response.send_message(
            embeds=present.passages_embeds(answer), ephemeral=True, allowed_mentions=NONE
        )


class PapersButton(discord.ui.DynamicItem[discord.ui.Button], template=PAPERS_ID + r"(?P<page>\d+)"):
    """A page turn of /papers; stateless, so it works as long as the message exists."""

    def __init__(self, page: int, label: str = "", disabled: bool = False):
        super().__init__(
            discord.ui.Button(
                label=label or "Page",
                style=discord.ButtonStyle.secondary,
                custom_id=f"{PAPERS_ID}{page}",
                disabled=disabled,
            )
        )
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Item, match: re.Match[str]):
        return cls(int(match["page"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        assert isinstance(client, CaseBotClient)
        if not await client._allowed_interaction(interaction):
            return
        try:
            embed, view = await client.papers_page(self.page)
        except CaseBotError as exc:
            await interaction.response.send_message(polite(exc), ephemeral=True, allowed_mentions=NONE)
            return
        await interaction.response.edit_message(embed=embed, view=view, allowed_mentions=NONE)


def passages_view(key: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(PassagesButton(key))
    return view


class CaseBotClient(discord.Client):
    """casebot on Discord: slash commands, mention threads, follow-ups, one CaseBot underneath."""

    def __init__(self, casebot: CaseBot, settings: DiscordSettings):
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False  # casebot never joins voice
        intents = discord.Intents.default()
        intents.message_content = True  # privileged: mention questions and thread follow-ups need the text
        super().__init__(intents=intents, allowed_mentions=NONE, guild_ready_timeout=settings.guild_ready_timeout)
        self.casebot, self.settings = casebot, settings
        self.tree = app_commands.CommandTree(self)
        self.tree.interaction_check = self._allowed_interaction  # type: ignore[method-assign]
        self.limiter = RateLimiter(settings.rate_limit_questions, settings.rate_limit_seconds)
        self.conversations: Recent[int, tuple[Conversation, asyncio.Lock]] = Recent(THREADS_KEPT)
        # threads someone else opened (a forum post, a user's thread): only mentions are answered, in context
        self.mentioned_threads: Recent[int, tuple[Conversation, asyncio.Lock]] = Recent(THREADS_KEPT)
        self.answers: Recent[int, Answer] = Recent(ANSWERS_KEPT)
        # A button outlives the process: keys start at a random point, so after a restart an old
        # button finds nothing ("no longer kept") instead of a new answer that took its number.
        self._answer_keys = itertools.count(secrets.randbits(40) << 20)
        self.inflight: set[asyncio.Task] = set()
        self.closing = False
        self._commands()

    # -- commands -------------------------------------------------------------------------------

    def _commands(self) -> None:
        @self.tree.command(name="ask", description="Ask the indexed case reports; the answer quotes and cites them.")
        @app_commands.describe(question="Your question, e.g. which treatment helped the calcinosis?")
        @app_commands.guild_only()
        async def ask(interaction: discord.Interaction, question: str) -> None:
            await self._tracked(self._ask(interaction, question))

        @self.tree.command(name="papers", description="List the indexed case reports.")
        @app_commands.guild_only()
        async def papers(interaction: discord.Interaction) -> None:
            try:
                embed, view = await self.papers_page(0)
            except CaseBotError as exc:
                await interaction.response.send_message(polite(exc), ephemeral=True, allowed_mentions=NONE)
                return
            await interaction.response.send_message(embed=embed, view=view, ephemeral=True, allowed_mentions=NONE)

        @self.tree.command(name="reindex", description="Maintainers: index new and changed papers, drop removed ones.")
        @app_commands.guild_only()
        async def reindex(interaction: discord.Interaction) -> None:
            await self._tracked(self._reindex(interaction))

        self.add_dynamic_items(PassagesButton, PapersButton)

    async def setup_hook(self) -> None:
        """Sync the slash commands: to the configured guilds (instant) or globally (may take an hour to show)."""
        try:
            if self.settings.sync_guild_ids:
                for guild_id in self.settings.sync_guild_ids:
                    guild = discord.Object(guild_id)
                    self.tree.copy_global_to(guild=guild)
                    await self.tree.sync(guild=guild)
            else:
                await self.tree.sync()
        except discord.HTTPException as exc:
            log.warning(
                "could not sync the slash commands (%s); mentions still work. Fix: invite the bot with the "
                "applications.commands scope and check sync_guild_ids",
                exc,
            )

    async def _ask(self, interaction: discord.Interaction, question: str) -> None:
        refusal = self.question_refusal(interaction.user.id, question)
        if refusal:
            await interaction.response.send_message(refusal, ephemeral=True, allowed_mentions=NONE)
            return
        await interaction.response.defer(thinking=True)
        try:
            answer = await self.answer(question)
        except CaseBotError as exc:
            await interaction.followup.send(polite(exc), allowed_mentions=NONE)
            return
        except Exception:
            log.exception("answering %r failed", question)
            await interaction.followup.send(SORRY, allowed_mentions=NONE)
            return
        await interaction.followup.send(
            embed=present.answer_embed(answer), view=self.passages_view(answer), allowed_mentions=NONE, wait=True
        )

    async def _reindex(self, interaction: discord.Interaction) -> None:
        if not self.is_maintainer(interaction.user):
            await interaction.response.send_message(MAINTAINERS_ONLY, ephemeral=True, allowed_mentions=NONE)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            report = await asyncio.to_thread(self.casebot.update_index)
        except LockBusy as exc:
            texts = [f"An index update is already running; try again when it has finished ({exc.one_line()})."]
        except CaseBotError as exc:
            log.warning("index update from Discord failed: %s", exc.one_line())
            texts = [f"The index update failed: {exc.one_line()}"]
        else:
            texts = present.report_messages(report)
        for text in texts:  # a long list of rejected files takes several messages
            await interaction.followup.send(present.discord_text(text), ephemeral=True, allowed_mentions=NONE)

    async def papers_page(self, page: int) -> tuple[discord.Embed, discord.ui.View]:
        """The embed and page buttons of /papers page `page` (0-based), from the current index."""
        catalog = await asyncio.to_thread(store.load_catalog, self.casebot.settings.index_dir)
        documents = sorted(catalog.documents.values(), key=lambda d: d.doc_id)
        pages = max(1, -(-len(documents) // present.PAPERS_PER_PAGE))
        page = min(max(page, 0), pages - 1)
        view = discord.ui.View(timeout=None)
        if pages > 1:
            view.add_item(PapersButton(max(page - 1, 0), "◀ Previous", disabled=page == 0))
            view.add_item(PapersButton(min(page + 1, pages - 1), "Next ▶", disabled=page == pages - 1))
        return present.papers_embed(documents, page), view

    # -- mentions and threads -------------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or self.closing or self.user is None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return  # a pin, "added X to the thread", a thread's starter: nobody asked anything
        mentioned = self.user.id in message.raw_mentions
        channel = message.channel
        ours = channel.id in self.conversations or (
            isinstance(channel, discord.Thread) and channel.owner_id == self.user.id
        )
        if not (mentioned or ours):
            return
        refusal = self.place_refusal(message.guild.id, channel, message.author)
        if refusal:
            if mentioned:
                await message.reply(refusal, allowed_mentions=NONE)
            return
        await self._tracked(self._answer_message(message, ours))

    async def _answer_message(self, message: discord.Message, in_our_thread: bool) -> None:
        assert self.user is not None
        question = re.sub(rf"<@!?{self.user.id}>", " ", message.content).strip()
        if not question:
            if not in_our_thread:  # in its thread, an image or an empty message is not addressed to casebot
                await message.reply(
                    "Ask me a question after the mention, e.g. `@casebot which treatment helped?`",
                    allowed_mentions=NONE,
                )
            return
        refusal = self.question_refusal(message.author.id, question)
        if refusal:
            await message.reply(refusal, allowed_mentions=NONE)
            return
        channel: Any = message.channel
        threaded = in_our_thread
        if not in_our_thread and not isinstance(channel, discord.Thread):
            try:
                channel = await message.create_thread(name=present.thread_name(question))
                threaded = True
            except discord.HTTPException as exc:  # no permission, a voice channel's chat, a message with a thread
                log.warning("could not open a thread in channel %s (%s): answering in the channel", channel.id, exc)
        conversation, lock = None, asyncio.Lock()  # no thread: the mention alone
        if threaded or isinstance(channel, discord.Thread):
            kept = self.conversations if threaded else self.mentioned_threads
            conversation, lock = kept.use(channel.id) or kept.keep(
                channel.id, (Conversation(self.casebot.settings.conversation.max_turns), asyncio.Lock())
            )
        async with lock:  # one turn at a time per thread: each follow-up sees the turn before it
            async with channel.typing():
                try:
                    answer = await self.answer(question, conversation)
                except CaseBotError as exc:
                    await channel.send(polite(exc), allowed_mentions=NONE)
                    return
                except Exception:
                    log.exception("answering %r failed", question)
                    await channel.send(SORRY, allowed_mentions=NONE)
                    return
            embed, view = present.answer_embed(answer), self.passages_view(answer)
            try:
                await channel.send(embed=embed, view=view, allowed_mentions=NONE)
            except discord.Forbidden as exc:
                if channel is message.channel:
                    raise
                log.warning("cannot post in thread %s (%s): answering in the channel", channel.id, exc)
                await message.reply(embed=embed, view=view, allowed_mentions=NONE)

    # -- shared ---------------------------------------------------------------------------------

    async def answer(self, question: str, conversation: Conversation | None = None) -> Answer:
        """CaseBot.ask in a worker thread: the event loop keeps the gateway alive meanwhile."""
        return await asyncio.to_thread(self.casebot.ask, question, conversation=conversation)

    def passages_view(self, answer: Answer) -> discord.ui.View:
        key = next(self._answer_keys)
        self.answers.keep(key, answer)
        return passages_view(key)

    def question_refusal(self, user_id: int, question: str) -> str | None:
        """Why this question is not taken now (too long, rate limit), or None."""
        limit = self.settings.max_question_chars
        if len(question) > limit:
            return f"Your question has {len(question)} characters; the limit is {limit}. Please shorten it."
        try:
            self.casebot.checked(question)  # empty or too many words: CaseBot's own rule, said before "thinking"
        except InputError as exc:
            return present.discord_text(exc.one_line())
        wait = self.limiter.wait(user_id)
        if wait:
            s = self.settings
            return (
                f"You have asked {s.rate_limit_questions} questions in the last {s.rate_limit_seconds:g} seconds; "
                f"please wait {math.ceil(wait)} s before the next one."
            )
        return None

    def place_refusal(self, guild_id: int | None, channel: Any, user: discord.abc.User) -> str | None:
        """Why casebot does not answer here or this person (the allow lists), or None."""
        s = self.settings
        if s.allowed_guild_ids and guild_id not in s.allowed_guild_ids:
            return "casebot is not enabled in this server."
        if s.allowed_channel_ids and channel is not None:
            ids = {channel.id, getattr(channel, "parent_id", None)}
            if not ids & set(s.allowed_channel_ids):
                return "casebot answers only in the channels its maintainers chose; please ask there."
        if s.allowed_role_ids and not self._roles(user) & set(s.allowed_role_ids):
            return "casebot answers members with one of the roles its maintainers chose."
        return None

    async def _allowed_interaction(self, interaction: discord.Interaction) -> bool:
        refusal = self.place_refusal(interaction.guild_id, interaction.channel, interaction.user)
        if refusal:
            await interaction.response.send_message(refusal, ephemeral=True, allowed_mentions=NONE)
        return refusal is None

    def is_maintainer(self, user: discord.abc.User) -> bool:
        s = self.settings
        return user.id in s.maintainer_user_ids or bool(self._roles(user) & set(s.maintainer_role_ids))

    @staticmethod
    def _roles(user: discord.abc.User) -> set[int]:
        return {role.id for role in getattr(user, "roles", [])}

    async def _tracked(self, work: Awaitable[None]) -> None:
        """Run a handler so that shutdown can let it finish (or cancel it after the grace period)."""
        task = asyncio.current_task()
        assert task is not None
        self.inflight.add(task)
        try:
            await work
        finally:
            self.inflight.discard(task)

    # -- lifecycle ------------------------------------------------------------------------------

    async def open(self, token: str) -> asyncio.Task:
        """Log in, load the model and index, connect; return the running connection once READY.

        Raises StartError with exit code 2 when Discord refuses the bot and 3 when it cannot be
        reached within `connect_timeout` (discord.py alone would wait minutes, or fail with an
        AttributeError when the gateway refuses the very first connection).
        """
        timeout = self.settings.connect_timeout
        try:
            await asyncio.wait_for(self.login(token), timeout)
        except discord.LoginFailure:
            raise StartError(*TOKEN_REJECTED, EXIT_REFUSED) from None
        except (OSError, aiohttp.ClientError, TimeoutError, discord.HTTPException) as exc:
            raise unreachable(exc, discord.http.Route.BASE, timeout) from None
        await asyncio.to_thread(self.casebot.retriever)  # model and index in memory before the first question
        connection = asyncio.create_task(self.connect(reconnect=True), name="casebot-gateway")
        ready = asyncio.create_task(self.wait_until_ready())
        await asyncio.wait({connection, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        if ready.done():
            log.info("connected to Discord as %s", self.user)
            return connection
        ready.cancel()
        error = connection.exception() if connection.done() else None
        connection.cancel()
        if isinstance(error, AttributeError) and self.ws is None and error.__context__ is not None:
            error = error.__context__  # discord.py 2.7.1 hides the real failure of a first connection this way
        raise gateway_failure(error, timeout)

    async def shutdown(self, grace: float = SHUTDOWN_GRACE) -> None:
        """Stop taking questions, let in-flight answers finish (cancel them after `grace` s), close."""
        self.closing = True
        pending = {t for t in self.inflight if not t.done()}
        if pending:
            log.info("finishing %d answer(s) before closing", len(pending))
            _, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
        await self.close()


TOKEN_REJECTED = (
    "Discord rejected the bot token",
    f"copy the token again from the Developer Portal (Bot -> Reset Token) into {TOKEN_ENV}",
)


def gateway_failure(error: BaseException | None, timeout: float) -> BaseException:
    """What a gateway connection that ended (or never became ready) means for the user."""
    if isinstance(error, discord.PrivilegedIntentsRequired):
        return StartError(
            "Discord refused the Message Content intent",
            "enable it in the Developer Portal: "
            "your application -> Bot -> Privileged Gateway Intents -> Message Content Intent",
            EXIT_REFUSED,
        )
    if isinstance(error, discord.ConnectionClosed) and error.code == 4004:
        return StartError(*TOKEN_REJECTED, EXIT_REFUSED)
    if error is None or isinstance(
        error, (discord.ConnectionClosed, discord.GatewayNotFound, OSError, aiohttp.ClientError, TimeoutError)
    ):
        return unreachable(error, str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY), timeout)
    return error  # anything else is a bug: keep its traceback


def unreachable(exc: BaseException | None, where: str, timeout: float) -> StartError:
    reason = (
        f"no answer within {timeout:g} s"
        if exc is None or isinstance(exc, TimeoutError)
        else (str(exc) or type(exc).__name__)
    )
    return StartError(
        f"cannot reach Discord at {where}: {reason}",
        "check the network, DNS and firewall (https://discordstatus.com shows outages)",
        EXIT_UNREACHABLE,
    )


async def serve(
    casebot: CaseBot, settings: DiscordSettings, token: str, announce: Callable[[str], None] = log.warning
) -> None:
    """Run until SIGINT/SIGTERM, then close cleanly; `announce` is told once connected. Raises StartError."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    client = CaseBotClient(casebot, settings)
    async with client:
        opening = asyncio.create_task(client.open(token))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({opening, stopping}, return_when=asyncio.FIRST_COMPLETED)
        if not opening.done():  # a signal while loading or connecting
            opening.cancel()
            await asyncio.gather(opening, return_exceptions=True)
            return
        connection = opening.result()
        announce(
            f"casebot is on Discord as {client.user} in {len(client.guilds)} server(s); SIGINT or SIGTERM stops it"
        )
        await asyncio.wait({connection, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if connection.done() and not client.closing and connection.exception() is not None:
            raise gateway_failure(connection.exception(), settings.connect_timeout)  # e.g. the token was reset
        await client.shutdown()
        await asyncio.gather(connection, return_exceptions=True)


def run(
    casebot: CaseBot,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    announce: Callable[[str], None] = log.warning,
) -> None:
    """`casebot discord`: token from the environment or .env, endpoints, logging guard, serve. Raises StartError."""
    env = os.environ if env is None else env
    token = read_token(env, (cwd or Path.cwd()) / DOTENV)
    if not token:
        raise StartError(
            f"no Discord bot token: {TOKEN_ENV} is not set",
            f"create a bot in the Discord Developer "
            f"Portal (Bot -> Reset Token) and set {TOKEN_ENV}, or put {TOKEN_ENV}=... in a {DOTENV} file",
            EXIT_REFUSED,
        )
    point_at(*endpoints(env))
    redact = RedactToken(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    asyncio.run(serve(casebot, casebot.settings.discord, token, announce))
