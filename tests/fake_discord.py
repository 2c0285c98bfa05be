"""A small fake of Discord on 127.0.0.1: the REST API under /api/v10 and the gateway websocket.

The real discord.py client is pointed at it (`discord.http.Route.BASE`,
`discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`), so its login, gateway, command tree,
interaction, webhook and view code all run for real. Every REST call is recorded with its
JSON body; tests drive the bot by dispatching gateway events (a slash command, a button
click, a message) as Discord would, and read what the bot sent back from the record.

Facts of Discord the fake keeps (discord.py depends on them): responses carry
`Content-Type: application/json` exactly; the first heartbeat right after HELLO is ACKed;
IDENTIFY is checked for the token (close 4004) and the privileged intents (close 4014);
READY names a `resume_gateway_url`; a button click carries the message the button is on;
creating a thread on a message is followed by THREAD_CREATE on the gateway.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

TOKEN = "fake-token.for-tests-only"
APP_ID = 700000000000000001
BOT_ID = 700000000000000001
GUILD_ID = 710000000000000001
CHANNEL_ID = 720000000000000001
MAINTAINER_ROLE = 730000000000000001
MEMBER_ROLE = 730000000000000002
PRIVILEGED_INTENTS = (1 << 1) | (1 << 8) | (1 << 15)  # members, presences, message content
MESSAGE_CONTENT = 1 << 15
DISCORD_EPOCH_MS = 1420070400000
HEARTBEAT_MS = 500  # fast heartbeats, so a stalled event loop shows within the tests

BOT_USER = {
    "id": str(BOT_ID),
    "username": "casebot",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
    "flags": 0,
}


def user(user_id: int, name: str = "clinician") -> dict:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": None, "avatar": None}


@dataclass
class Call:
    """One REST request the bot made."""

    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    body: Any  # parsed JSON, or None
    at: float = field(default_factory=time.monotonic)


class FakeDiscord:
    def __init__(
        self,
        token: str = TOKEN,
        intents_enabled: int = PRIVILEGED_INTENTS,
        silent_gateway: bool = False,
        threads_allowed: bool = True,
        thread_refusal: tuple[int, int, str] = (403, 50013, "Missing Permissions"),
    ):
        self.token, self.intents_enabled, self.silent_gateway = token, intents_enabled, silent_gateway
        self.threads_allowed = threads_allowed  # False: opening a thread fails with thread_refusal
        self.thread_refusal = thread_refusal  # (HTTP status, Discord error code, message)
        self.calls: list[Call] = []
        self.heartbeats: list[float] = []
        self.identified = asyncio.Event()
        self.resumed = asyncio.Event()
        self.changed = asyncio.Condition()
        self.messages: dict[int, dict] = {}
        self.threads: dict[int, dict] = {}
        self._ids = itertools.count(1)
        self._seq = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def snowflake(self) -> int:
        return ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | next(self._ids)

    # -- what the bot did -----------------------------------------------------------------------

    def calls_to(self, method: str, path_start: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(path_start)]

    async def wait_for(self, predicate, timeout: float = 20.0) -> Call:
        """The first recorded call matching `predicate`, waiting for it to arrive."""
        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(lambda: any(predicate(c) for c in self.calls)), timeout)
        return next(c for c in self.calls if predicate(c))

    async def wait_calls(self, method: str, path_start: str, count: int = 1, timeout: float = 20.0) -> list[Call]:
        async with self.changed:
            await asyncio.wait_for(
                self.changed.wait_for(lambda: len(self.calls_to(method, path_start)) >= count), timeout
            )
        return self.calls_to(method, path_start)

    # -- driving the bot ------------------------------------------------------------------------

    async def drop(self) -> None:
        """Close the gateway connection as Discord does now and then (4000: the client should resume)."""
        assert self._ws is not None, "the bot is not connected"
        await self._ws.close(code=4000, message=b"Unknown error.")

    async def dispatch(self, event: str, data: dict) -> None:
        assert self._ws is not None, "the bot is not connected"
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    def member(self, user_id: int, roles: list[int] = ()) -> dict:  # type: ignore[assignment]
        return {
            "user": user(user_id),
            "roles": [str(r) for r in roles],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
            "avatar": None,
            "permissions": "0",
        }

    def _interaction(
        self, kind: int, data: dict, user_id: int, roles: list[int], channel_id: int, message: dict | None = None
    ) -> dict:
        payload = {
            "id": str(self.snowflake()),
            "application_id": str(APP_ID),
            "type": kind,
            "data": data,
            "guild_id": str(GUILD_ID),
            "channel_id": str(channel_id),
            "channel": {
                "id": str(channel_id),
                "type": 0,
                "guild_id": str(GUILD_ID),
                "name": "cases",
                "position": 0,
                "permission_overwrites": [],
            },
            "member": self.member(user_id, roles),
            "token": f"itoken{self.snowflake()}",
            "version": 1,
            "app_permissions": "0",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(GUILD_ID)},
            "context": 0,
            "attachment_size_limit": 10485760,
        }
        if message is not None:
            payload["message"] = message
        return payload

    async def slash(
        self,
        name: str,
        options: dict[str, str] | None = None,
        user_id: int = 900,
        roles: list[int] = (),
        channel_id: int = CHANNEL_ID,
    ) -> dict:  # type: ignore[assignment]
        """A member runs /name; returns the interaction (its token names the followup route)."""
        data = {
            "id": str(self.snowflake()),
            "name": name,
            "type": 1,
            "guild_id": str(GUILD_ID),
            "options": [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()],
        }
        interaction = self._interaction(2, data, user_id, list(roles), channel_id)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def click(self, message: dict, custom_id: str, user_id: int = 900, roles: list[int] | None = None) -> dict:
        """A member (with `roles`) clicks the button `custom_id` on `message` (a message the bot sent)."""
        data = {"custom_id": custom_id, "component_type": 2}
        interaction = self._interaction(3, data, user_id, roles or [], int(message["channel_id"]), message)
        await self.dispatch("INTERACTION_CREATE", interaction)
        return interaction

    async def user_thread(self, owner: int = 900, parent: int = CHANNEL_ID) -> int:
        """A member opens a thread of their own (as a forum post is): its id."""
        thread = self._thread(parent, owner, "a case I am puzzling over")
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return int(thread["id"])

    def _thread(self, parent: int, owner: int, name: str, archive_after: int = 1440) -> dict:
        """A new public thread in channel `parent`, as Discord describes it (and remembered)."""
        thread = {
            "id": str(self.snowflake()),
            "guild_id": str(GUILD_ID),
            "parent_id": str(parent),
            "owner_id": str(owner),
            "name": name,
            "type": 11,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": archive_after,
                "archive_timestamp": "2024-01-01T00:00:00+00:00",
                "locked": False,
            },
        }
        self.threads[int(thread["id"])] = thread
        return thread

    async def say(
        self, content: str, user_id: int = 900, channel_id: int = CHANNEL_ID, mentions_bot: bool = False
    ) -> dict:
        """A member posts `content` in a channel or thread."""
        message = {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
            "author": user(user_id),
            "member": {k: v for k, v in self.member(user_id).items() if k != "user"},
            "content": content,
            "timestamp": "2024-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [BOT_USER] if mentions_bot else [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        self.messages[int(message["id"])] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    # -- gateway --------------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        if self.silent_gateway:  # accepts the connection, never says HELLO
            async for _ in ws:
                pass
            return ws
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            payload = json.loads(msg.data)
            op = payload["op"]
            if op == 1:
                self.heartbeats.append(time.monotonic())
                await ws.send_str(json.dumps({"op": 11}))
            elif op == 2:
                await self._identify(ws, payload["d"])
            elif op == 6:
                if payload["d"].get("token") != self.token:
                    await ws.close(code=4004, message=b"Authentication failed.")
                    break
                await ws.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": next(self._seq), "d": {}}))
                self.resumed.set()
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict) -> None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if data.get("intents", 0) & PRIVILEGED_INTENTS & ~self.intents_enabled:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identified.set()
        ready = {
            "v": 10,
            "user": BOT_USER,
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway,
            "private_channels": [],
            "relationships": [],
            "application": {"id": str(APP_ID), "flags": 0},
        }
        await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._seq), "d": ready}))
        roles = [
            {
                "id": str(rid),
                "name": name,
                "color": 0,
                "hoist": False,
                "position": pos,
                "permissions": "0",
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
            for rid, name, pos in (
                (GUILD_ID, "@everyone", 0),
                (MAINTAINER_ROLE, "maintainers", 2),
                (MEMBER_ROLE, "members", 1),
            )
        ]
        guild = {
            "id": str(GUILD_ID),
            "name": "Clinic",
            "owner_id": "1",
            "unavailable": False,
            "large": False,
            "member_count": 2,
            "roles": roles,
            "emojis": [],
            "stickers": [],
            "features": [],
            "threads": [],
            "members": [{**self.member(BOT_ID), "user": BOT_USER}],
            "voice_states": [],
            "presences": [],
            "channels": [
                {
                    "id": str(CHANNEL_ID),
                    "type": 0,
                    "name": "cases",
                    "position": 0,
                    "permission_overwrites": [],
                    "nsfw": False,
                    "parent_id": None,
                }
            ],
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "system_channel_flags": 0,
        }
        await ws.send_str(json.dumps({"op": 0, "t": "GUILD_CREATE", "s": next(self._seq), "d": guild}))

    # -- REST -----------------------------------------------------------------------------------

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        # Exactly this content type: discord.py's login fails on "application/json; charset=utf-8".
        return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        body = None
        if request.can_read_body:
            raw = await request.read()
            if request.content_type == "application/json" and raw:
                body = json.loads(raw)
            elif request.content_type.startswith("multipart/"):
                body = {"multipart": raw.decode(errors="replace")}
        call = Call(request.method, path, dict(request.query), body)
        async with self.changed:
            self.calls.append(call)
            self.changed.notify_all()
        if request.headers.get("Authorization") != f"Bot {self.token}" and not path.startswith(
            ("/webhooks/", "/interactions/")
        ):
            return self._json({"message": "401: Unauthorized", "code": 0}, 401)
        return self._json(*self._answer(request.method, path.split("/")[1:], body or {}))

    def _answer(self, method: str, parts: list[str], body: dict) -> tuple[Any, int]:
        route = (method, *[p if not p.isdigit() and not p.startswith("itoken") else "#" for p in parts])
        if route == ("GET", "users", "@me"):
            return BOT_USER, 200
        if route == ("GET", "oauth2", "applications", "@me"):
            return {
                "id": str(APP_ID),
                "name": "casebot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user(1, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
                "summary": "",
                "rpc_origins": [],
            }, 200
        if method == "PUT" and parts[0] == "applications" and parts[-1] == "commands":
            return [
                {**c, "id": str(self.snowflake()), "application_id": str(APP_ID), "version": "1"} for c in body
            ], 200  # type: ignore[union-attr]
        if route == ("POST", "interactions", "#", "#", "callback"):
            kind = body["type"]
            message = self._message(body.get("data") or {}, CHANNEL_ID) if kind in (4, 5, 7) else None
            return {
                "interaction": {
                    "id": parts[1],
                    "type": 2,
                    "response_message_id": message and message["id"],
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool((body.get("data") or {}).get("flags", 0) & 64),
                },
                "resource": {"type": kind, **({"message": message} if message else {})},
            }, 200
        if route == ("POST", "webhooks", "#", "#"):
            return self._message(body, CHANNEL_ID, webhook=True), 200
        if route[:3] == ("PATCH", "webhooks", "#") and "messages" in parts:
            return self._message(body, CHANNEL_ID, webhook=True), 200
        if route == ("POST", "channels", "#", "messages"):
            return self._message(body, int(parts[1])), 200
        if route == ("POST", "channels", "#", "typing"):
            return {}, 200
        if route == ("POST", "channels", "#", "messages", "#", "threads") and not self.threads_allowed:
            status, code, text = self.thread_refusal
            return {"message": text, "code": code}, status
        if route == ("POST", "channels", "#", "messages", "#", "threads"):
            thread = self._thread(int(parts[1]), BOT_ID, body["name"], body.get("auto_archive_duration", 1440))
            asyncio.get_running_loop().create_task(self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}))
            return thread, 201
        return {"message": "404: Not Found (the fake does not know this route)", "code": 0}, 404

    def _message(self, body: dict, channel_id: int, webhook: bool = False) -> dict:
        message = {
            "id": str(self.snowflake()),
            "channel_id": str(channel_id),
            "guild_id": str(GUILD_ID),
            "author": BOT_USER,
            "content": body.get("content") or "",
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "timestamp": "2024-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags", 0),
        }
        if webhook:
            message["webhook_id"] = str(APP_ID)
        self.messages[int(message["id"])] = message
        return message
