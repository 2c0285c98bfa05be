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
from bot.discord_bot import (
    EXIT_REFUSED,
    EXIT_UNREACHABLE,
    CaseBotClient,
    StartError,
    point_at,
)
from tests.fake_discord import (
    APP_ID,
    CHANNEL_ID,
    GUILD_ID,
    HEARTBEAT_MS,
    MAINTAINER_ROLE,
    MEMBER_ROLE,
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
        for body in sent(fake):  # whatever a test did, nothing the bot sent could ping anyone or break a limit
            assert body["allowed_mentions"] == {"parse": []}, body
            within_discord_limits(body)
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
            await fake.slash("ask", {"question": "Which antibodies were positive?"})  # warms the model's first call
            await fake.wait_calls("POST", "/webhooks/")
            started = time.monotonic()
            ask = await fake.slash("ask", {"question": "What treatment was given for the calcinosis?"})
            followup = (await fake.wait_calls("POST", "/webhooks/", count=2))[1]
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
            (synced,) = fake.calls_to("PUT", "/applications/")
            assert synced.path.endswith(f"/applications/{APP_ID}/commands")  # no sync_guild_ids: globally
            commands = {c["name"]: c for c in synced.body}
            assert set(commands) == {"ask", "papers", "reindex"}
            assert [(o["name"], o["type"], o["required"]) for o in commands["ask"]["options"]] == [
                ("question", 3, True)
            ]  # exactly one string option named question

    run(scenario())


def test_slash_commands_sync_to_the_configured_servers_when_given(shipped_bot):
    async def scenario():
        async with connected(shipped_bot, sync_guild_ids=[GUILD_ID]) as (fake, _):
            (synced,) = fake.calls_to("PUT", "/applications/")
            assert synced.path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
            assert {c["name"] for c in synced.body} == {"ask", "papers", "reindex"}
            await fake.slash("ask", {"question": "Which antibodies were positive?"})  # a server command answers
            assert (
                "[1]"
                in (await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))).body["embeds"][0]["description"]
            )

    run(scenario())


def test_a_dropped_gateway_connection_is_resumed_and_questions_keep_being_answered(shipped_bot):
    async def scenario():
        async with connected(shipped_bot) as (fake, _):
            await fake.drop()
            await asyncio.wait_for(fake.resumed.wait(), 10)  # at READY's resume_gateway_url, with the session
            await fake.slash("ask", {"question": "Which antibodies were positive?"})
            assert (
                "[1]"
                in (await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))).body["embeds"][0]["description"]
            )

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
            await fake.say("", channel_id=thread_id)  # an image alone in casebot's thread: nothing to answer
            await asyncio.sleep(0.3)
            assert len(fake.calls) == before

    run(scenario())


def test_mentions_in_a_thread_someone_else_opened_are_answered_in_its_context(bot_over):
    """A forum post or a member's own thread: casebot answers only when mentioned, and each mention
    is read with the thread's earlier ones."""
    casebot = bot_over(FOLLOW_UP_PAPERS)

    async def scenario():
        async with connected(casebot) as (fake, client):
            mention = f"<@{client.user.id}>"
            thread_id = await fake.user_thread(owner=900)
            await asyncio.sleep(0.2)
            await fake.say(f"{mention} {FIRST}", channel_id=thread_id, mentions_bot=True)
            await fake.wait_calls("POST", f"/channels/{thread_id}/messages", count=1)
            await fake.say(f"{mention} {FOLLOW_UP}", channel_id=thread_id, mentions_bot=True)
            answers = await fake.wait_calls("POST", f"/channels/{thread_id}/messages", count=2)
            first_quote = answers[1].body["embeds"][0]["description"].splitlines()[0]
            assert "12.5 g" in first_quote  # the thiosulfate of the turn before, not another paper's dose
            before = len(fake.calls)
            await fake.say(FOLLOW_UP, channel_id=thread_id)  # not mentioned in a member's thread: not for casebot
            await asyncio.sleep(0.3)
            assert len(fake.calls) == before and len(fake.threads) == 1  # and no thread of casebot's own

    run(scenario())


def test_a_thread_that_cannot_be_opened_for_any_reason_leaves_the_answer_in_the_channel(shipped_bot):
    refusal = (400, 50024, "Cannot execute action on this channel type")  # e.g. a voice channel's text chat

    async def scenario():
        async with connected(shipped_bot, fake=FakeDiscord(threads_allowed=False, thread_refusal=refusal)) as (
            fake,
            client,
        ):
            await fake.say(f"<@{client.user.id}> What treatment was given for the calcinosis?", mentions_bot=True)
            answer = await fake.wait_for(lambda c: c.path == f"/channels/{CHANNEL_ID}/messages")
            assert "[1]" in answer.body["embeds"][0]["description"] and not fake.threads

    run(scenario())


def test_show_passages_keys_do_not_repeat_after_a_restart(shipped_bot):
    """An old "Show passages" button must find nothing, never a newer answer that took its number."""
    answer = shipped_bot.ask("Which treatment helped?")

    def first_key() -> str:
        client = CaseBotClient(shipped_bot, DiscordSettings(**FAST))  # a new process's client
        (button,) = client.passages_view(answer).children
        return str(button.custom_id)

    assert first_key() != first_key()


def test_without_permission_to_open_threads_a_mention_is_answered_in_the_channel(shipped_bot):
    async def scenario():
        async with connected(shipped_bot, fake=FakeDiscord(threads_allowed=False)) as (fake, client):
            await fake.say(f"<@{client.user.id}> What treatment was given for the calcinosis?", mentions_bot=True)
            answer = await fake.wait_for(lambda c: c.path == f"/channels/{CHANNEL_ID}/messages")
            assert "[1]" in answer.body["embeds"][0]["description"] and not fake.threads

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
HUGE_QUESTION = ("How did the calcinosis cutis respond to sodium thiosulfate in the girl with dermatomyositis? " * 50)[
    :3990
]


def test_a_huge_question_and_long_sources_stay_within_discord_limits(bot_over):
    name = "calcinosis-" + "with-a-very-long-file-name-" * 6 + ".txt"
    # two sections that both speak of the patient, so the answer cites both (retrieve: SECTION_MISMATCH_PENALTY)
    text = "Case report\n\n" + " ".join(LONG_SENTENCES) + "\n\nTreatment\n\n" + " ".join(LONG_SENTENCES[::-1])
    casebot = bot_over(
        {name: text + "\n", name.replace(".txt", ".meta.toml"): f'title = "{LONG_TITLE.strip()}"\n'},
        max_question_words=5000,
        max_sentences=4,
    )

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
                    field["name"], f"[{number}] {present.where(hit)}"
                )
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
        passages.append(
            Hit(
                chunk_id=n,
                doc_id=f"paper-{n}-" + "x" * 300,
                title="T" * 10 + " title" * 160,
                section="Case",
                text=text,
                start=0,
                end=len(text),
                page=3,
                score=1.0,
                sentences=[],
            )
        )
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


def test_an_abstention_says_so_and_offers_related_reading_not_an_answer(shipped_bot):
    async def scenario():
        async with connected(shipped_bot) as (fake, _):
            await fake.slash(
                "ask", {"question": "Which antibiotic is first-line for erythema migrans in Lyme disease?"}
            )
            (embed,) = (await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))).body["embeds"]
            assert embed["description"] == "No passage in the indexed case reports answers this."
            (related,) = embed["fields"]
            assert related["name"] == present.RELATED
            assert "Hard as stone" in related["value"]  # the shipped paper, as reading, not as a quote
            assert "[1]" not in embed["description"]

    run(scenario())


EVERYONE_PAPER = {
    "ward.txt": "Ward note\n\nCase report\n\nA 9-year-old boy developed calcinosis cutis over his knees. "
    "The ward nurse posted @everyone and <@&730000000000000002> in the team chat when the "
    "calcinosis nodules began to discharge chalky material. Topical sodium thiosulfate "
    "was applied daily for the calcinosis.\n"
}


def test_everyone_in_a_passage_or_a_question_pings_no_one(bot_over):
    casebot = bot_over(EVERYONE_PAPER)
    question = "@everyone who was told when the calcinosis nodules began to discharge? <@&730000000000000002>"

    async def scenario():
        async with connected(casebot, max_question_chars=200) as (fake, client):
            await fake.slash("ask", {"question": question})
            followup = await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))
            await fake.say(f"<@{client.user.id}> {question}", mentions_bot=True)
            await fake.wait_for(lambda c: c.path == f"/channels/{max(fake.threads, default=0)}/messages")
            await fake.slash("ask", {"question": question + " @here" * 40})  # too long: the refusal echoes nothing
            await fake.wait_calls("POST", "/interactions/", count=2)

            (embed,) = followup.body["embeds"]
            assert "@everyone" in embed["title"] and "@everyone" in embed["description"]  # shown, verbatim ...
            bodies = sent(fake)
            assert len(bodies) == 3
            for body in bodies:  # ... and never a ping: not in the answer, the thread, the refusal
                mentions = body["allowed_mentions"]
                assert mentions["parse"] == [] and not mentions.get("users") and not mentions.get("roles")
                assert not mentions.get("replied_user")

    run(scenario())


def test_questions_over_the_rate_limit_or_length_get_a_private_reply_and_no_answer(shipped_bot):
    async def scenario():
        async with connected(shipped_bot, rate_limit_questions=2, rate_limit_seconds=600, max_question_chars=80) as (
            fake,
            client,
        ):
            for _ in range(2):
                await fake.slash("ask", {"question": "Which treatment helped?"}, user_id=501)
            await fake.wait_calls("POST", "/webhooks/", count=2)
            third = await fake.slash("ask", {"question": "Which treatment helped?"}, user_id=501)
            (refusal,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{third['id']}/")]
            assert refusal["type"] == MESSAGE and refusal["data"]["flags"] & EPHEMERAL
            assert "2 questions in the last 600 seconds" in refusal["data"]["content"]

            await fake.say(f"<@{client.user.id}> and how long did it take?", user_id=501, mentions_bot=True)
            reply = await fake.wait_for(lambda c: c.path == f"/channels/{CHANNEL_ID}/messages")
            assert "please wait" in reply.body["content"] and not fake.threads  # no thread for a refused question

            other = await fake.slash("ask", {"question": "Which treatment helped?"}, user_id=502)
            await fake.wait_calls("POST", "/webhooks/", count=3)  # someone else is not held back
            assert callbacks(fake, other)[0].body == {"type": DEFERRED}

            long = await fake.slash("ask", {"question": "Which treatment helped the calcinosis? " * 3}, user_id=503)
            (refusal,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{long['id']}/")]
            assert refusal["data"]["flags"] & EPHEMERAL and "the limit is 80" in refusal["data"]["content"]
            await asyncio.sleep(0.2)
            assert len(followups(fake)) == 3

    run(scenario())


def test_a_question_over_the_word_limit_or_empty_is_refused_privately_before_thinking(shipped_bot):
    async def scenario():
        async with connected(shipped_bot) as (fake, client):
            for question, why in (("a " * 301, "301 words, over the limit of 300"), ("   ", "the question is empty")):
                asked = await fake.slash("ask", {"question": question}, user_id=505)
                (refusal,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{asked['id']}/")]
                assert refusal["type"] == MESSAGE and refusal["data"]["flags"] & EPHEMERAL
                assert why in refusal["data"]["content"]
            await asyncio.sleep(0.2)
            assert followups(fake) == []  # no public "thinking", no public refusal

    run(scenario())


def test_allow_lists_keep_casebot_to_its_channels_and_roles(shipped_bot):
    async def scenario():
        async with connected(shipped_bot, allowed_channel_ids=[CHANNEL_ID + 1]) as (fake, client):
            ask = await fake.slash("ask", {"question": "Which treatment helped?"})
            (refusal,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{ask['id']}/")]
            assert refusal["data"]["flags"] & EPHEMERAL and "channels" in refusal["data"]["content"]
            await fake.say(f"<@{client.user.id}> Which treatment helped?", mentions_bot=True)
            reply = await fake.wait_for(lambda c: c.path == f"/channels/{CHANNEL_ID}/messages")
            assert "channels" in reply.body["content"] and not fake.threads and not followups(fake)
        async with connected(shipped_bot, allowed_guild_ids=[GUILD_ID + 1]) as (fake, _):
            ask = await fake.slash("ask", {"question": "Which treatment helped?"})
            (refusal,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{ask['id']}/")]
            assert "not enabled in this server" in refusal["data"]["content"]
        async with connected(shipped_bot, allowed_role_ids=[MEMBER_ROLE]) as (fake, _):
            outsider = await fake.slash("ask", {"question": "Which treatment helped?"}, roles=[])
            member = await fake.slash("ask", {"question": "Which treatment helped?"}, roles=[MEMBER_ROLE])
            await fake.wait_calls("POST", "/webhooks/", count=1)
            assert "roles" in callbacks(fake, outsider)[0].body["data"]["content"]
            assert callbacks(fake, member)[0].body == {"type": DEFERRED}
            answer_message = fake.messages[max(fake.messages)]
            (button,) = button_ids(answer_message)
            peek = await fake.click(answer_message, button, user_id=902)  # a button is no way around the roles
            (refusal,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{peek['id']}/")]
            assert "roles" in refusal["data"]["content"] and "embeds" not in refusal["data"]
            look = await fake.click(answer_message, button, user_id=903, roles=[MEMBER_ROLE])
            (shown,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{look['id']}/")]
            assert shown["data"]["embeds"]

    run(scenario())


def test_only_maintainers_can_reindex_and_they_get_the_summary_with_reasons(bot_over):
    casebot = bot_over({"calcinosis.txt": FOLLOW_UP_PAPERS["calcinosis.txt"]})
    docs = casebot.settings.docs_dir

    async def scenario():
        async with connected(casebot, maintainer_role_ids=[MAINTAINER_ROLE], maintainer_user_ids=[777]) as (fake, _):
            refused = await fake.slash("reindex", user_id=900, roles=[MEMBER_ROLE])
            (reply,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{refused['id']}/")]
            assert reply["type"] == MESSAGE and reply["data"]["flags"] & EPHEMERAL
            assert "Only casebot's maintainers" in reply["data"]["content"]

            (docs / "warfarin.txt").write_text(FOLLOW_UP_PAPERS["warfarin.txt"], encoding="utf-8")
            (docs / "scan.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
            by_role = await fake.slash("reindex", user_id=900, roles=[MAINTAINER_ROLE])
            summary = (await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))).body
            assert callbacks(fake, by_role)[0].body == {"type": DEFERRED, "data": {"flags": EPHEMERAL}}
            assert "**added** (1):\n- warfarin.txt" in summary["content"]
            assert "**rejected** (1):\n- scan.txt: binary data, not text" in summary["content"]
            assert summary["flags"] & EPHEMERAL

            (docs / "calcinosis.txt").unlink()
            await fake.slash("reindex", user_id=777)  # a maintainer by user id
            (_, summary) = [c.body for c in await fake.wait_calls("POST", "/webhooks/", count=2)]
            assert "**removed** (1):\n- calcinosis.txt" in summary["content"]

            await fake.slash("ask", {"question": "How was the warfarin skin necrosis treated?"})
            (_, _, answer) = await fake.wait_calls("POST", "/webhooks/", count=3)
            assert "heparin" in answer.body["embeds"][0]["description"]  # the new paper answers at once

    run(scenario())


def test_papers_lists_the_index_in_pages_turned_by_buttons(bot_over):
    papers = {
        f"case-{i:02d}.txt": f"Case {i} of calcinosis\n\nCase report\n\nPatient {i} had calcinosis cutis "
        f"treated with sodium thiosulfate for {i} months.\n"
        for i in range(12)
    }
    casebot = bot_over(papers)

    async def scenario():
        async with connected(casebot) as (fake, _):
            first = await fake.slash("papers")
            (reply,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{first['id']}/")]
            assert reply["type"] == MESSAGE and reply["data"]["flags"] & EPHEMERAL
            (embed,) = reply["data"]["embeds"]
            assert embed["title"] == "Indexed papers (12)" and embed["footer"]["text"] == "Page 1 of 2"
            assert "case-00.txt" in embed["description"] and "case-10.txt" not in embed["description"]
            message = fake.messages[max(fake.messages)]
            previous, following = message["components"][0]["components"]
            assert previous["disabled"] and not following.get("disabled")

            turn = await fake.click(message, following["custom_id"])
            (update,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{turn['id']}/")]
            assert update["type"] == UPDATE
            (embed,) = update["data"]["embeds"]
            assert embed["footer"]["text"] == "Page 2 of 2" and "case-10.txt" in embed["description"]

    run(scenario())


CONCURRENT = 50
TICK = 0.01  # the lag probe: how late a 10 ms sleep wakes up is how long the event loop was busy


def test_fifty_simultaneous_asks_never_stall_the_event_loop_or_its_heartbeats(shipped_bot):
    questions = [
        "What treatment was given for the calcinosis?",
        "Which antibodies were positive?",
        "How was the diagnosis of dermatomyositis made?",
        "What did the X-ray of the hip show?",
        "Which muscles were weak?",
    ]

    async def scenario():
        async with connected(shipped_bot) as (fake, _):
            loop, lags, done = asyncio.get_running_loop(), [], asyncio.Event()

            async def ticker():
                while not done.is_set():
                    before = loop.time()
                    await asyncio.sleep(TICK)
                    lags.append(loop.time() - before - TICK)

            probe = asyncio.create_task(ticker())
            started = time.monotonic()
            asks = await asyncio.gather(
                *(fake.slash("ask", {"question": questions[i % len(questions)]}, user_id=i) for i in range(CONCURRENT))
            )
            answers = await fake.wait_calls("POST", "/webhooks/", count=CONCURRENT, timeout=60)
            finished = time.monotonic()
            done.set()
            await probe

            asked = {ask["token"]: ask["data"]["options"][0]["value"] for ask in asks}
            for answer in answers:  # each answer is for the question of its own interaction, and cites
                (embed,) = answer.body["embeds"]
                assert embed["title"] == asked[answer.path.split("/")[3]] and "[1]" in embed["description"]
            for ask in asks:  # every interaction deferred within Discord's 3 s, before its answer
                defer = callbacks(fake, ask)[0]
                assert defer.body == {"type": DEFERRED} and defer.at - started < 3.0
            beats = [t for t in fake.heartbeats if started <= t <= finished + HEARTBEAT_MS / 1000]
            gaps = [b - a for a, b in zip(beats, beats[1:], strict=False)]
            print(
                f"\n{CONCURRENT} concurrent asks answered in {finished - started:.2f} s; max event-loop lag "
                f"{max(lags) * 1000:.1f} ms over {len(lags)} ticks; heartbeats {len(beats)}, max gap "
                f"{max(gaps, default=0) * 1000:.0f} ms (interval {HEARTBEAT_MS} ms)"
            )
            expected = int((finished - started) / (HEARTBEAT_MS / 1000))
            assert len(beats) >= expected - 1  # heartbeats kept their pace through the burst ...
            assert max(gaps, default=0) < 2 * HEARTBEAT_MS / 1000  # ... with no beat skipped

    run(scenario())


def point_gateway_at_nothing(fake: FakeDiscord) -> None:
    """REST works, the gateway port refuses connections."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    point_at(None, f"ws://127.0.0.1:{port}/gateway")


async def start_error(casebot, fake: FakeDiscord | None, token: str = TOKEN, after_start=None, **settings) -> tuple:
    """The StartError opening the client raises, and how long it took."""
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    if fake is not None:
        await fake.start()
        point_at(fake.api_base, fake.gateway)
        if after_start:
            after_start(fake)
    else:
        point_at("http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9/gateway")  # the discard port: nothing listens
    started = time.monotonic()
    try:
        async with CaseBotClient(casebot, DiscordSettings(**{**FAST, **settings})) as client:
            with pytest.raises(StartError) as caught:
                await client.open(token)
        return caught.value, time.monotonic() - started
    finally:
        if fake is not None:
            await fake.stop()
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def test_start_failures_are_one_line_with_the_exit_code_that_says_why(shipped_bot):
    async def scenario():
        error, _ = await start_error(shipped_bot, FakeDiscord(), token="not-the-token")
        assert error.exit_code == EXIT_REFUSED and "rejected the bot token" in error.message

        error, _ = await start_error(shipped_bot, FakeDiscord(intents_enabled=0))
        assert error.exit_code == EXIT_REFUSED and "Message Content" in error.message
        assert "Privileged Gateway Intents" in error.fix

        error, took = await start_error(shipped_bot, FakeDiscord(silent_gateway=True), connect_timeout=1.0)
        assert error.exit_code == EXIT_UNREACHABLE and "no answer within 1 s" in error.message and took < 5

        error, _ = await start_error(shipped_bot, FakeDiscord(), after_start=point_gateway_at_nothing)
        assert error.exit_code == EXIT_UNREACHABLE and "cannot reach Discord" in error.message  # not AttributeError

        error, _ = await start_error(shipped_bot, None)
        assert error.exit_code == EXIT_UNREACHABLE and "127.0.0.1:9" in error.message
        assert "\n" not in error.one_line()

    run(scenario())


ROOT = Path(__file__).resolve().parent.parent
CASEBOT = Path(sys.executable).with_name("casebot")


def process_env(tmp_path: Path, casebot, fake: FakeDiscord | None, **extra: str) -> dict[str, str]:
    """`casebot discord`'s environment: this checkout, the test index, the fake (or nothing) as Discord."""
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN" and not k.startswith("CASEBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HF_HUB_OFFLINE="1",
        CASEBOT_DOCS_DIR=str(casebot.settings.docs_dir),
        CASEBOT_INDEX_DIR=str(casebot.settings.index_dir),
        CASEBOT_GUILD_READY_TIMEOUT="0.05",
        CASEBOT_CONNECT_TIMEOUT="10",
        CASEBOT_DISCORD_API_BASE=fake.api_base if fake else "http://127.0.0.1:9/api/v10",
        CASEBOT_DISCORD_GATEWAY=fake.gateway if fake else "ws://127.0.0.1:9/gateway",
    )
    env.update(extra)
    return env


@contextlib.asynccontextmanager
async def casebot_discord(env: dict[str, str], cwd: Path, *args: str):
    """A real `casebot discord` process; killed if the test ends before it does."""
    process = await asyncio.create_subprocess_exec(
        str(CASEBOT), "discord", *args, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_casebot_discord_exits_0_on_sigterm_after_answers_in_flight_2_when_refused_3_when_unreachable(
    shipped_bot, tmp_path
):
    """One real process answers until SIGTERM; meanwhile three others fail as they should (run together: each
    process loads Python and casebot, and the one that serves loads the model)."""
    serving, elsewhere = tmp_path / "serving", tmp_path / "elsewhere"
    serving.mkdir()
    elsewhere.mkdir()
    (serving / ".env").write_text(f"# the bot token\nDISCORD_TOKEN={TOKEN}\n", encoding="utf-8")

    async def serve_until_sigterm(fake: FakeDiscord) -> None:
        async with casebot_discord(process_env(tmp_path, shipped_bot, fake), serving, "--debug") as process:
            await asyncio.wait_for(fake.identified.wait(), 60)
            await fake.wait_calls("PUT", "/applications/")  # the slash commands were synced
            announced = await asyncio.wait_for(process.stderr.readuntil(b"SIGTERM stops it\n"), 60)
            rest = asyncio.create_task(process.stderr.read())  # --debug logs a lot: keep the pipe drained
            await fake.slash("ask", {"question": "What treatment was given for the calcinosis?"})
            answer = await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))
            assert "[1]" in answer.body["embeds"][0]["description"]
            in_flight = await fake.slash("ask", {"question": "Which antibodies were positive?"})
            await fake.wait_calls("POST", f"/interactions/{in_flight['id']}/")  # deferred, now being answered
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), 30) == 0
        assert len(followups(fake)) == 2  # the answer in flight was finished before closing
        assert b"casebot is on Discord as casebot" in announced
        logged = announced + await rest
        assert b"DEBUG discord.gateway" in logged and TOKEN.encode() not in logged  # not even with --debug

    async def exit_of(env: dict[str, str], *args: str) -> tuple[int, str]:
        async with casebot_discord(env, elsewhere, *args) as process:
            _, err = await asyncio.wait_for(process.communicate(), 60)
        assert process.returncode is not None
        return process.returncode, err.decode()

    async def scenario():
        fake = await FakeDiscord().start()
        try:
            _, (no_token, no_token_err), (bad_token, bad_err), (nothing, nothing_err) = await asyncio.gather(
                serve_until_sigterm(fake),
                exit_of(process_env(tmp_path, shipped_bot, None)),
                exit_of(process_env(tmp_path, shipped_bot, fake, DISCORD_TOKEN="wrong-secret"), "--debug"),
                exit_of(process_env(tmp_path, shipped_bot, None, DISCORD_TOKEN=TOKEN)),
            )
        finally:
            await fake.stop()
        assert no_token == EXIT_REFUSED and no_token_err.count("\n") == 1
        assert "DISCORD_TOKEN is not set" in no_token_err
        assert bad_token == EXIT_REFUSED and "casebot: error: Discord rejected the bot token" in bad_err
        assert "wrong-secret" not in bad_err  # not even with --debug
        assert nothing == EXIT_UNREACHABLE and nothing_err.count("\n") == 1 and "cannot reach Discord" in nothing_err
        assert TOKEN not in nothing_err

    run(scenario())


def test_the_token_comes_from_the_environment_or_dotenv_and_overrides_stay_on_this_machine(tmp_path):
    from bot.discord_bot import endpoints, read_token

    dotenv = tmp_path / ".env"
    assert read_token({}, dotenv) is None
    dotenv.write_text("# casebot\nOTHER=1\nexport DISCORD_TOKEN='from-dotenv'\n", encoding="utf-8")
    assert read_token({}, dotenv) == "from-dotenv"
    assert read_token({"DISCORD_TOKEN": "from-env"}, dotenv) == "from-env"

    assert endpoints({}) == (None, None)
    assert endpoints({"CASEBOT_DISCORD_GATEWAY": "ws://127.0.0.1:8080/gw"}) == (None, "ws://127.0.0.1:8080/gw")
    with pytest.raises(StartError) as refused:
        endpoints({"CASEBOT_DISCORD_API_BASE": "https://collector.example/api/v10"})
    assert refused.value.exit_code == EXIT_REFUSED and "not a loopback address" in refused.value.message


def test_a_casebot_error_becomes_a_polite_reply_naming_the_fix(bot_over):
    import shutil

    casebot = bot_over({"calcinosis.txt": FOLLOW_UP_PAPERS["calcinosis.txt"]})

    async def scenario():
        async with connected(casebot) as (fake, _):
            shutil.rmtree(casebot.settings.index_dir)  # the index disappears under the running bot
            await fake.slash("ask", {"question": "Which treatment helped the calcinosis cutis?"})
            reply = (await fake.wait_for(lambda c: c.path.startswith("/webhooks/"))).body
            assert reply["content"].startswith("Sorry, that did not work: ")
            assert "fix: casebot index update" in reply["content"]
            papers = await fake.slash("papers")
            (listing,) = [c.body for c in await fake.wait_calls("POST", f"/interactions/{papers['id']}/")]
            assert listing["data"]["flags"] & EPHEMERAL and "fix: casebot index update" in listing["data"]["content"]

    run(scenario())


def test_threads_keep_their_context_for_the_most_recently_used_only():
    from bot.discord_bot import Recent

    kept: Recent[int, str] = Recent(2)
    kept.keep(1, "first thread")
    kept.keep(2, "second thread")
    assert kept.use(1) == "first thread"  # thread 1 is now the most recently used
    kept.keep(3, "third thread")
    assert list(kept) == [1, 3] and kept.use(2) is None


def test_the_command_line_does_not_import_discord_for_other_commands():
    import subprocess

    probe = "import sys, bot.present, bot.cli; print('discord' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    ).stdout
    assert out.strip() == "False"
