"""How rare a word is in English: the same figure as wordfreq's, read from a table memory-mapped from the cache.

The rules that spot a drug's name or a specialised term ask wordfreq how common a word is. wordfreq
builds a 321,180-word dictionary in every process to answer (31 MB, a tenth of a cold `casebot ask`);
the bot reads the same list from two `.npy` arrays written once into the cache dir.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
from wordfreq import get_frequency_dict, zipf_frequency

from bot import frequency

TRICKY = [
    "",
    " ",
    "calcinosis",
    "Calcinosis",
    "IL-6",
    "B12",
    "anti-SSA52",
    "1,25-dihydroxyvitamin",
    "covid-19",
    "2mg/kg",
    "10^9/L",
    "3.5",
    "1999",
    "doesn't",
    "O'Brien",
    "mother-in-law",
    "the cat",
    "café",
    "naïve",
    "μg",
    "—",
    "zzqqxv",
    "x" * 40,
    "rituximab",
    "tranexamic",
]


@pytest.fixture
def table(tmp_path, monkeypatch):
    """zipf() answering from a table in a fresh cache dir, as CaseBot sets it up."""
    monkeypatch.setattr(frequency, "_cache_dir", None)
    frequency.use_cache(tmp_path)
    yield tmp_path
    frequency._table.cache_clear()


def test_the_table_gives_wordfreqs_own_figure_for_every_word_it_knows_and_more(table):
    words = list(get_frequency_dict("en"))
    sample = words[::5] + [w.upper() for w in words[:30000:11]] + TRICKY
    assert [frequency.zipf(w) for w in sample] == [zipf_frequency(w, "en") for w in sample]
    assert frequency.zipf("the") > 7 and frequency.zipf("zzqqxv") == 0.0  # not a constant


def test_the_table_is_written_once_into_the_cache_and_only_read_afterwards(table):
    frequency.zipf("calcinosis")
    (directory,) = (table / frequency.TABLES_DIR).iterdir()
    files = sorted(directory.iterdir())
    assert [f.name for f in files] == sorted([frequency.WORDS_FILE, frequency.CENTIBELS_FILE])
    before = [(f.stat().st_ino, f.stat().st_mtime_ns) for f in files]
    frequency._table.cache_clear()  # as a new process would
    frequency.prepare(table)
    assert frequency.zipf("calcinosis") == zipf_frequency("calcinosis", "en")
    assert [(f.stat().st_ino, f.stat().st_mtime_ns) for f in files] == before
    assert not [p for p in (table / frequency.TABLES_DIR).iterdir() if p.name.startswith(".staging")]


def test_a_damaged_table_is_named_and_wordfreq_answers_instead(table, caplog):
    frequency.prepare(table)
    (directory,) = (table / frequency.TABLES_DIR).iterdir()
    np.save(directory / frequency.CENTIBELS_FILE, np.zeros(3, np.uint16))  # not one per word any more
    frequency._table.cache_clear()
    with caplog.at_level(logging.WARNING, logger="bot.frequency"):
        assert [frequency.zipf(w) for w in TRICKY] == [zipf_frequency(w, "en") for w in TRICKY]
    assert str(directory) in caplog.text and "delete it to rebuild" in caplog.text


def test_an_unwritable_cache_leaves_wordfreq_answering(tmp_path, monkeypatch, caplog):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the cache dir should be")
    monkeypatch.setattr(frequency, "_cache_dir", None)
    frequency.use_cache(blocked)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.frequency"):
            assert frequency.zipf("filgrastim") == zipf_frequency("filgrastim", "en")
        assert "wordfreq's dictionary" in caplog.text
    finally:
        frequency._table.cache_clear()
