"""How often English uses a word, on wordfreq's Zipf scale, without holding wordfreq's dictionary in every process.

The answer's and the retriever's rules ask whether a question's word is rare in English (a drug's name, a
specialised term: scoring.RARE_ZIPF and its neighbours). wordfreq answers from a dictionary of its 321,180
English words that it builds in each process on first use: 31 MB of RSS and 80 ms of CPU, a tenth of a cold
`casebot ask`'s memory. Here the same list is kept once, in the cache dir, as two arrays memory-mapped from
`.npy` files (the words sorted, as fixed-width bytes, and each word's frequency in centibels), and a lookup
reads the dozen pages its binary search touches. `zipf` returns exactly what `wordfreq.zipf_frequency(word,
"en")` does (tests/test_frequency.py compares them); until `use_cache` names a cache dir, or when the table
cannot be written there, it is wordfreq's own dictionary that answers.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

LANGUAGE = "en"
LIST_FILE = f"large_{LANGUAGE}.msgpack.gz"  # the list wordfreq's "best" means for English
TABLES_DIR = "wordfreq"  # under the cache dir: one folder per copy of that list, keyed by its size and mtime
WORDS_FILE, CENTIBELS_FILE = "words.npy", "centibels.npy"

_cache_dir: Path | None = None  # where the table is kept (use_cache); None: ask wordfreq itself


def zipf(word: str) -> float:
    """wordfreq.zipf_frequency(word, "en"): 10-based log of the word's uses per billion words, 0.0 when unknown."""
    lookup = None if _cache_dir is None else _table(_cache_dir)
    if lookup is None:
        from wordfreq import zipf_frequency

        return float(zipf_frequency(word, LANGUAGE))
    return _zipf(word, lookup)


def use_cache(cache_dir: Path) -> None:
    """Answer `zipf` from the table in `cache_dir`, written there on first use if this copy of wordfreq has none."""
    global _cache_dir
    _cache_dir = cache_dir


def prepare(cache_dir: Path) -> None:
    """Write the table into `cache_dir` now (the index build does), so that no question pays for it."""
    _table(cache_dir)


@lru_cache(maxsize=4)
def _table(cache_dir: Path) -> Callable[[str], float | None] | None:
    try:
        from wordfreq.util import data_path  # where wordfreq keeps its lists: not its documented API

        source = os.stat(data_path(LIST_FILE))
    except (ImportError, OSError) as e:
        log.warning("word frequencies come from wordfreq's dictionary (%s)", e)
        return None
    directory = cache_dir / TABLES_DIR / f"{LANGUAGE}-{source.st_size}-{source.st_mtime_ns}"
    try:
        if not (directory / CENTIBELS_FILE).exists():
            _write(directory)
        words = np.load(directory / WORDS_FILE, mmap_mode="r")
        centibels = np.load(directory / CENTIBELS_FILE, mmap_mode="r")
        if words.dtype.kind != "S" or words.shape != centibels.shape or centibels.dtype != np.uint16:
            raise ValueError("its arrays do not match")
    except (OSError, ValueError) as e:
        log.warning("word frequencies come from wordfreq's dictionary (%s: %s); delete it to rebuild", directory, e)
        return None
    width = words.dtype.itemsize

    def lookup(token: str) -> float | None:
        key = token.encode()
        if len(key) > width or not key or key.endswith(b"\0"):
            return None
        at = int(np.searchsorted(words, key))
        if at == len(words) or words[at] != key:
            return None
        return float(10 ** (-int(centibels[at]) / 100))  # wordfreq.cB_to_freq, computed the same way

    return lookup


def _write(directory: Path) -> None:
    """wordfreq's English list as sorted words and their centibels, written whole or not at all."""
    from wordfreq import get_frequency_list

    buckets = get_frequency_list(LANGUAGE)
    rows = sorted((word.encode(), cb) for cb, bucket in enumerate(buckets) for word in bucket)
    words = np.array([w for w, _ in rows], dtype=f"S{max(len(w) for w, _ in rows)}")
    centibels = np.array([cb for _, cb in rows], np.uint16)
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=".staging-"))
    try:
        np.save(staging / WORDS_FILE, words)
        np.save(staging / CENTIBELS_FILE, centibels)
        os.replace(staging, directory)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if (directory / CENTIBELS_FILE).exists():
            return  # another process wrote it first
        raise
    log.info("wrote wordfreq's %d English words to %s", len(rows), directory)


def _zipf(word: str, lookup: Callable[[str], float | None]) -> float:
    """wordfreq's _word_frequency and zipf_frequency, reading frequencies through `lookup`."""
    from wordfreq import digit_freq, freq_to_zipf, lossy_tokenize, smash_numbers, zipf_to_freq

    one_over_result = 0.0
    tokens = lossy_tokenize(word, LANGUAGE)
    for token in tokens:
        smashed = smash_numbers(token)
        freq = lookup(smashed)
        if freq is None:
            return 0.0
        if smashed != token:
            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    if not tokens:
        return 0.0
    freq = max(1.0 / one_over_result, zipf_to_freq(0.0))  # zipf_frequency's floor: once per billion words
    freq = round(freq, math.floor(-math.log(freq, 10)) + 3)  # wordfreq keeps three significant digits
    return round(freq_to_zipf(freq), 2)
