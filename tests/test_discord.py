"""casebot on Discord, driven through the real discord.py client against a local fake of Discord.

The fake (tests/fake_discord.py) plays Discord's REST API and gateway on 127.0.0.1; the bot is
the real `CaseBotClient` over a real index and the real model. Each test reads what the bot
sent back from the fake's record of REST calls, as Discord would have received it.
"""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from pathlib import Path

import discord
import pytest

from bot import present
from bot.config import DiscordSettings
from bot.discord_bot import EXIT_REFUSED, EXIT_UNREACHABLE, CaseBotClient, StartError, point_at
from tests.fake_discord import (
    CHANNEL_ID,
    HEARTBEAT_MS,
    MAINTAINER_ROLE,
    MESSAGE_CONTENT,
    TOKEN,
    FakeDiscord,
)

FAST = {"guild_ready_timeout": 0.05, "connect_timeout": 10.0}
DEFERRED = 5  # interaction callback: "thinking…", the answer follows
MESSAGE = 4  # interaction callback: a message now
UPDATE = 7  # interaction callback: edit the message the button is on
EPHEMERAL = 64


def run(coro):
    return asyncio.run(coro)


@contextlib.asynccontextmanager
async def connected(casebot, fake: FakeDiscord | None = None, **settings):
    """The real client logged in and READY against a fresh fake Discord; closed afterwards."""
    fake = await (fake or FakeDiscord()).start()
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    point_at(fake.api_base, fake.gateway)
    client = CaseBotClient(casebot, DiscordSettings(**{**FAST, **settings}))
    try:
        async with client:
            connection = await client.open(TOKEN)
            try:
                yield fake, client
            finally:
                await client.shutdown()
                await asyncio.gather(connection, return_exceptions=True)
    finally:
        await fake.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def sent(fake: FakeDiscord) -> list[dict]:
    """Every message body the bot sent: channel messages, interaction responses and followups."""
    bodies = []
    for c in fake.calls:
        body = c.body or {}
        if c.path.endswith("/callback"):
            body = body.get("data") or {}
        if "content" in body or "embeds" in body:
            bodies.append(body)
    return bodies


def followups(fake: FakeDiscord) -> list:
    return [c for c in fake.calls if c.method == "POST" and c.path.startswith("/webhooks/")]


def callbacks(fake: FakeDiscord, interaction: dict) -> list:
    return [c for c in fake.calls if c.path.startswith(f"/interactions/{interaction['id']}/")]


def button_ids(message: dict) -> list[str]:
    return [b["custom_id"] for row in message.get("components", []) for b in row["components"]]


def test_ask_defers_at_once_then_follows_up_with_one_cited_embed(shipped_bot):
    async def scenario():
        async with connected(shipped_bot) as (fake, _):
            started = time.monotonic()
            ask = await fake.slash("ask", {"question": "What treatment was given for the calcinosis?"})
            followup = await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))
            took = followup.at - started
            (callback,) = callbacks(fake, ask)
            assert callback.body == {"type": DEFERRED}  # the defer comes first, before any CPU work
            assert callback.at < followup.at
            body = followup.body
            assert followup.query.get("wait") in ("1", "true") and body["allowed_mentions"]["parse"] == []
            (embed,) = body["embeds"]
            assert embed["title"] == "What treatment was given for the calcinosis?"
            assert "[1]" in embed["description"]
            assert embed["fields"][0]["name"].startswith("[1] ")
            assert "not medical advice" in embed["footer"]["text"].lower()
            message = fake.messages[max(fake.messages)]
            assert button_ids(message) == [b for b in button_ids(message) if b.startswith("casebot:passages:")] != []
            print(f"\n/ask -> followup for a warm bot: {took * 1000:.0f} ms")

    run(scenario())


def test_show_passages_shows_every_retrieved_passage_only_to_whoever_clicked(shipped_bot):
    async def scenario():
        async with connected(shipped_bot) as (fake, _):
            await fake.slash("ask", {"question": "What treatment was given for the calcinosis?"})
            await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))
            answer_message = fake.messages[max(fake.messages)]
            (button,) = button_ids(answer_message)
            click = await fake.click(answer_message, button, user_id=901)
            reply = await fake.wait_for(lambda c: c.path.startswith(f"/interactions/{click['id']}/"))
            assert reply.body["type"] == MESSAGE and reply.body["data"]["flags"] & EPHEMERAL
            embeds = reply.body["data"]["embeds"]
            answer = shipped_bot.ask("What treatment was given for the calcinosis?")
            assert len(embeds) == len(answer.passages)
            assert embeds[0]["title"].startswith("[1] ")  # cited passages first, numbered as in the answer
            shown = " ".join(e["description"] for e in embeds)
            for hit in answer.passages:  # each passage is there, verbatim (as far as the budget allows)
                assert discord.utils.escape_markdown(hit.text[:200]) in shown
            assert sum(len(e["title"]) + len(e["description"]) for e in embeds) <= present.EMBED_TOTAL_LIMIT

    run(scenario())


FOLLOW_UP_PAPERS = {
    "calcinosis.txt": "Sodium thiosulfate for calcinosis cutis in juvenile dermatomyositis\n\nCase report\n\n"
                      "A 12-year-old girl with juvenile dermatomyositis developed painful calcinosis cutis over both "
                      "elbows. Intravenous sodium thiosulfate was started at 12.5 g three times weekly. After six "
                      "months the calcified nodules had shrunk and the pain had resolved.\n",
    "warfarin.txt": "Warfarin-induced skin necrosis\n\nCase report\n\nA 64-year-old man developed skin necrosis on "
                    "his thighs five days after starting warfarin for atrial fibrillation. Warfarin was stopped and "
                    "unfractionated heparin was given at a dose of 18 units per kilogram per hour. The necrotic areas "
                    "healed within four weeks.\n",
    "kawasaki.txt": "Incomplete Kawasaki disease in an infant\n\nCase report\n\nA 7-month-old boy had fever for six "
                    "days with conjunctival injection and a rash. Echocardiography showed dilated coronary arteries. "
                    "Intravenous immunoglobulin was given at a dose of 2 g/kg together with aspirin, and the fever "
                    "settled within a day.\n",
}
FIRST = "Which treatment helped the calcinosis cutis?"
FOLLOW_UP = "At what dose was it given intravenously?"


def test_a_mention_opens_a_thread_and_follow_ups_there_use_its_earlier_turns(bot_over):
    casebot = bot_over(FOLLOW_UP_PAPERS)

    async def scenario():
        async with connected(casebot) as (fake, client):
            mention = f"<@{client.user.id}>"
            # Alone, the follow-up finds the wrong paper: the dose of another drug.
            await fake.say(f"{mention} {FOLLOW_UP}", mentions_bot=True)
            alone = await fake.wait_for(lambda c: c.path.endswith("/messages") and "embeds" in (c.body or {}))
            assert "12.5 g" not in alone.body["embeds"][0]["description"]
            assert "2 g/kg" in alone.body["embeds"][0]["description"]

            question = await fake.say(f"{mention} {FIRST}", mentions_bot=True)
            made = await fake.wait_for(lambda c: c.path.endswith(f"/messages/{question['id']}/threads"))
            assert made.body["name"] == FIRST
            thread_id = max(fake.threads)
            first = await fake.wait_for(lambda c: c.path == f"/channels/{thread_id}/messages")
            assert "calcinosis" in first.body["embeds"][0]["description"]

            await fake.say(FOLLOW_UP, channel_id=thread_id)  # no mention needed inside the thread
            answers = await fake.wait_calls("POST", f"/channels/{thread_id}/messages", count=2)
            (embed,) = answers[1].body["embeds"]
            assert embed["title"] == FOLLOW_UP
            first_quote = embed["description"].splitlines()[0]
            assert "12.5 g" in first_quote and first_quote.endswith("[1]")
            assert "sodium thiosulfate" in embed["fields"][0]["name"].lower()
            assert len(fake.threads) == 2  # the follow-up stayed in its thread

            before = len(fake.calls)
            await fake.say("an unrelated remark in the channel")  # no mention, not a thread: ignored
            await asyncio.sleep(0.3)
            assert len(fake.calls) == before

    run(scenario())


def within_discord_limits(body: dict) -> None:
    """Discord's own limits (discord.py checks none of them) hold for one sent message."""
    assert len(body.get("content") or "") <= present.MESSAGE_LIMIT
    embeds = body.get("embeds") or []
    assert len(embeds) <= present.EMBEDS_PER_MESSAGE
    total = 0
    for e in embeds:
        fields = e.get("fields", [])
        assert len(e.get("title", "")) <= 256 and len(e.get("description", "")) <= 4096 and len(fields) <= 25
        assert all(len(f["name"]) <= 256 and len(f["value"]) <= 1024 for f in fields)
        assert len(e.get("footer", {}).get("text", "")) <= 2048
        total += len(e.get("title", "")) + len(e.get("description", "")) + len(e.get("footer", {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    assert total <= present.EMBED_TOTAL_LIMIT


def cut_cleanly(shown: str, original: str) -> bool:
    """`shown` is `original`, or a piece of it cut at word boundaries and marked with an ellipsis."""
    if shown == original:
        return True
    core = shown.strip(present.ELLIPSIS).strip()
    at = original.find(core)
    if at == -1 or present.ELLIPSIS not in shown:
        return False
    end = at + len(core)
    return (at == 0 or not original[at - 1].isalnum()) and (end == len(original) or not original[end].isalnum())


LONG_SENTENCES = [
    "Intravenous sodium thiosulfate was started at 12.5 g three times weekly for the calcinosis cutis of the elbows, "
    "knees and buttocks.",
    "Oral diltiazem, colchicine, bisphosphonates and probenecid had each been tried for at least three months without "
    "any change in the calcified nodules.",
    "The family had declined surgical excision of the calcinosis because of the risk of poor wound healing in skin "
    "already scarred by ulceration.",
    "Within six months of sodium thiosulfate the calcinosis cutis had clearly regressed, and the largest nodule over "
    "the left elbow shrank from 4.1 cm to 1.2 cm.",
    "The chalky discharge from the ulcerated calcinosis nodules on both knees stopped completely after three months "
    "of sodium thiosulfate.",
    "Pain from the calcinosis fell from eight to two out of ten, and the girl returned to school, to swimming and to "
    "her piano lessons.",
    "The calcinosis cutis responded to sodium thiosulfate without any serious adverse effect, although the infusions "
    "caused transient nausea.",
    "A mild metabolic acidosis during sodium thiosulfate treatment was corrected with oral bicarbonate, and the "
    "infusions continued.",
    "One episode of hypotension during a rapid infusion resolved when the infusion rate of sodium thiosulfate was "
    "halved.",
    "Radiographs after twelve months of sodium thiosulfate showed fewer and smaller calcified deposits around both "
    "elbows and knees.",
    "No new calcinosis deposits appeared in the buttocks or thighs during the year of sodium thiosulfate treatment.",
    "The total calcified area of the calcinosis cutis fell by about seventy per cent on sodium thiosulfate, "
    "consistent with the clinical improvement.",
]
LONG_TITLE = "Sodium thiosulfate for calcinosis cutis in juvenile dermatomyositis: a case and a review " * 5
HUGE_QUESTION = ("How did the calcinosis cutis respond to sodium thiosulfate in the girl with dermatomyositis? " * 50)[:3990]


def test_a_huge_question_and_long_sources_stay_within_discord_limits(bot_over):
    name = "calcinosis-" + "with-a-very-long-file-name-" * 6 + ".txt"
    text = "Case report\n\n" + " ".join(LONG_SENTENCES) + "\n\nDiscussion\n\n" + " ".join(LONG_SENTENCES[::-1])
    casebot = bot_over({name: text + "\n",
                        name.replace(".txt", ".meta.toml"): f'title = "{LONG_TITLE.strip()}"\n'},
                       max_question_words=5000, max_sentences=4)

    async def scenario():
        async with connected(casebot, max_question_chars=4000) as (fake, client):
            ask = await fake.slash("ask", {"question": HUGE_QUESTION})
            await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))
            await fake.say(f"<@{client.user.id}> {HUGE_QUESTION}", mentions_bot=True)
            made = await fake.wait_for(lambda c: c.path.endswith("/threads"))
            await fake.wait_for(lambda c: c.path == f"/channels/{max(fake.threads)}/messages")
            answer_message = fake.messages[max(fake.messages)]
            click = await fake.click(answer_message, button_ids(answer_message)[0])
            await fake.wait_for(lambda c: c.path.startswith(f"/interactions/{click['id']}/"))

            assert 1 <= len(made.body["name"]) <= present.THREAD_NAME_LIMIT
            assert cut_cleanly(made.body["name"], HUGE_QUESTION)
            (embed,) = followups(fake)[0].body["embeds"]
            assert cut_cleanly(embed["title"], HUGE_QUESTION)
            sources = present.cited(casebot.ask(HUGE_QUESTION))
            assert len(embed["fields"]) == len(sources) > 1
            for field, (number, hit, _) in zip(embed["fields"], sources, strict=True):
                assert len(f"[{number}] {present.where(hit)}") > 256 and cut_cleanly(
                    field["name"], f"[{number}] {present.where(hit)}")
            bodies = sent(fake)
            assert len(bodies) == 3 and callbacks(fake, ask)[0].body == {"type": DEFERRED}  # answer, thread, passages
            for body in bodies:
                within_discord_limits(body)

    run(scenario())


def test_the_renderer_cuts_an_over_long_answer_to_every_discord_limit(shipped_bot):
    """Longer than the real index can make: 4 quotes of 1,500 characters from passages of 6,000, 1,000-character titles."""
    from bot.records import Answer, Citation, Hit

    words = " ".join(f"word{i}" for i in range(1200))
    sentence = words[:1500].rsplit(" ", 1)[0] + "."
    passages, citations = [], []
    for n in range(1, 6):
        text = f"{words[:2000]}. {sentence} {words[:2500]}."
        start = text.index(sentence)
        passages.append(Hit(chunk_id=n, doc_id=f"paper-{n}-" + "x" * 300, title="T" * 10 + " title" * 160,
                            section="Case", text=text, start=0, end=len(text), page=3, score=1.0, sentences=[]))
        if n <= 4:
            citations.append(Citation(n, sentence, start, start + len(sentence)))
    answer = Answer(HUGE_QUESTION, "", False, citations, passages)
    embed = present.answer_embed(answer)
    within_discord_limits(embed.to_dict())
    assert len(embed.fields) == 4 and present.embed_size([embed]) <= present.EMBED_TOTAL_LIMIT
    assert cut_cleanly(embed.title, HUGE_QUESTION)
    for field, hit in zip(embed.fields, passages, strict=False):
        assert cut_cleanly(field.value, hit.text)
    every = {"embeds": [e.to_dict() for e in present.passages_embeds(answer)]}
    within_discord_limits(every)
    assert len(present.discord_text("word " * 1000)) <= present.MESSAGE_LIMIT
