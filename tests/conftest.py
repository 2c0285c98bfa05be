"""Shared fixtures: the real model (loaded once), real indexes in temporary folders, real PDFs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import CaseBot, load_settings
from bot.config import Settings
from bot.embed import get_embedder

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "docs_src"
REPORT = "hard-as-stone-calcinosis-cutis-dermatomyositis.txt"


MODEL_FIXTURES = {"embedder", "shipped_bot"}


def pytest_collection_modifyitems(items):
    """Tests that load the real model are marked `model`; `make test-fast` leaves them out."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(scope="session")
def embedder():
    m = load_settings(env={}).model
    return get_embedder(m.model, m.offline, m.batch_size)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """The session's cache dir: the ONNX query encoder is exported into it once, not into the user's cache."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def make_settings(tmp_path, cache_dir):
    """Settings over a docs dir and an index dir of the test's own (defaults otherwise)."""

    def make(docs_dir: Path | None = None, index_dir: Path | None = None, **overrides) -> Settings:
        docs = docs_dir or tmp_path / "docs"
        docs.mkdir(parents=True, exist_ok=True)
        overrides.setdefault("cache_dir", cache_dir)
        return load_settings(env={}, docs_dir=docs, index_dir=index_dir or tmp_path / "index", **overrides)

    return make


@pytest.fixture
def bot_over(make_settings):
    """A bot over papers given as {file name: text}, indexed in the test's own folders."""

    def build(papers: dict[str, str], **overrides) -> CaseBot:
        """The real model unless overridden (model=HASHING_MODEL for plumbing that needs no judgement)."""
        settings = make_settings(**overrides)
        for name, text in papers.items():
            (settings.docs_dir / name).write_text(text, encoding="utf-8")
        bot = CaseBot(settings)
        bot.update_index()
        return bot

    return build


@pytest.fixture(scope="session")
def shipped_bot(tmp_path_factory, embedder, cache_dir) -> CaseBot:
    """A bot over a copy of the shipped corpus, indexed once per session. Do not modify it."""
    base = tmp_path_factory.mktemp("shipped")
    shutil.copytree(SHIPPED, base / "docs")
    bot = CaseBot(load_settings(env={}, docs_dir=base / "docs", index_dir=base / "index", cache_dir=cache_dir))
    bot.update_index()
    return bot


def write_pdf(path: Path, pages: list[str], encrypt: str | None = None) -> Path:
    """A real PDF with a text layer, one string per page (lines split on newlines)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    for page in pages:
        y = 800
        for line in page.split("\n"):
            c.drawString(60, y, line)
            y -= 14
        c.showPage()
    c.save()
    return path


@pytest.fixture
def pdf_maker():
    return write_pdf
