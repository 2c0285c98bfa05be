"""`casebot chat` as a person uses it: through a real pseudo-terminal, and through a pipe.

The chat runs as a subprocess of this worktree's code (PYTHONPATH) over a small index built
once for the module; its history file lands in a temporary XDG_DATA_HOME.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from bot import CaseBot, load_settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "conversation"
CASEBOT = [sys.executable, "-c", "from bot.cli import main; main()"]
TREATED = "What was the 66-year-old man with scurvy treated with?"
FOLLOW_UP = "How long was it given for?"
UP = "\x1b[A"  # the arrow-up key


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder):
    base = tmp_path_factory.mktemp("chat")
    shutil.copytree(CORPUS, base / "docs")
    CaseBot(load_settings(env={}, docs_dir=base / "docs", index_dir=base / "index")).update_index()
    return base


@pytest.fixture
def env(index, tmp_path):
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CASEBOT_DOCS_DIR": str(index / "docs"),
        "CASEBOT_INDEX_DIR": str(index / "index"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",
        "HF_HUB_OFFLINE": "1",
    }


def test_chat_in_a_terminal(env, tmp_path):
    chat = pexpect.spawn(
        CASEBOT[0],
        CASEBOT[1:] + ["chat"],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=90,
        dimensions=(50, 250),
    )
    try:
        chat.expect("Loading the model")  # shown before the slow part
        chat.expect_exact("ready: 3 paper(s)")
        chat.expect("you>")

        chat.sendline(TREATED)
        chat.expect("oral ascorbic acid 1000 mg daily for four weeks")
        chat.expect("Scurvy presenting as depression and anaemia in a 66-year-old man — CASE REPORT")
        chat.expect("you>")

        chat.sendline(FOLLOW_UP)  # leans on the turn before; the searched query is shown
        chat.expect_exact(f"searched: {FOLLOW_UP} {TREATED}")
        chat.expect("for four weeks")
        chat.expect("you>")

        chat.send(UP)  # history: the last question comes back and is asked again
        chat.send("\r")
        chat.expect_exact(f"searched: {FOLLOW_UP} {FOLLOW_UP}")
        chat.expect("you>")

        chat.sendline("/sources")
        chat.expect("scurvy-elderly-man.txt")
        chat.expect("Examination showed swollen bleeding gums")
        chat.expect("you>")

        chat.send("half a question")
        chat.sendcontrol("c")  # drops the line without asking it
        chat.sendline("/help")
        chat.expect(r"/open N\s+the whole section around citation")
        chat.expect("you>")

        chat.sendline("/new")
        chat.expect("earlier turns forgotten")
        chat.sendline(FOLLOW_UP)  # without the context it no longer resolves
        chat.expect("No passage in the indexed case reports answers this")
        chat.expect("you>")

        chat.sendline("/quit")
        chat.expect(pexpect.EOF)
    finally:
        chat.close()
    assert chat.exitstatus == 0
    history = tmp_path / "data" / "casebot" / "chat_history"
    assert TREATED in history.read_text(encoding="utf-8") and "half a question" not in history.read_text()
    assert history.stat().st_mode & 0o777 == 0o600  # questions about patients: readable by the user alone


def test_chat_over_a_pipe_answers_line_by_line_in_plain_text(env, tmp_path):
    saved = tmp_path / "conversation.json"
    lines = [TREATED, "", FOLLOW_UP, "/open 1", "/open 7", "/bogus", f"/save {saved}"]
    done = subprocess.run(
        CASEBOT + ["chat"],
        input="\n".join(lines) + "\n",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "\x1b[" not in out  # no terminal styling in a pipe
    assert out.count("Sources") == 2  # two questions answered; the empty line did nothing
    assert f"(searched: {FOLLOW_UP} {TREATED}" in out
    assert "— CASE REPORT — scurvy-elderly-man.txt\nA 66-year-old man living alone" in out  # /open 1: the section
    assert "error: the last answer has no citation [7]" in out
    assert "unknown command /bogus" in out
    turns = json.loads(saved.read_text(encoding="utf-8"))["turns"]
    assert [t["question"] for t in turns] == [TREATED, FOLLOW_UP]
    assert turns[1]["follow_up"] and "four weeks" in turns[1]["answer"]

    resumed = subprocess.run(
        CASEBOT + ["chat"],
        input=f"/load {saved}\nDid he improve?\n",
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "loaded 2 turn(s)" in resumed.stdout
    assert "(searched: Did he improve? How long was it given for?" in resumed.stdout
