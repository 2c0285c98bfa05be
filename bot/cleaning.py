"""Turn text extracted from PDFs (or typed by hand) into clean blocks.

PDF text arrives with words split at line ends, figure captions dropped into the
middle of paragraphs, running headers and page numbers. Retrieval and quoting both
need real words and whole sentences, so the cleaner rebuilds them here, once.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from .records import Block

_CAPTION = re.compile(r"^(?:Figure|Fig\.|Table|Supplementary Figure)\s*[A-Z]?\d+[A-Za-z]?\s*[.:|]", re.I)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_PAGE_NUMBER = re.compile(r"^(?:page\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.I)
_SENTENCE_END = re.compile(r"[.!?:;)\]”\"]$")
_REF_MARK_BEFORE_PUNCT = re.compile(r"(?<=[a-z])[®*†‡§?’]+(?=[,.;:)])")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f]+")
_TRANSLATE = str.maketrans(
    {
        "\u00ad": "",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb00": "ff",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\u2010": "-",
        "\u2011": "-",
        "\r": "\n",
        "\x0c": "\n",
        # other control characters (escape sequences a paper could smuggle into a terminal, NULs):
        # never text; a space keeps the words apart
        **{chr(c): " " for c in [*range(9), 11, *range(14, 32), *range(127, 160)]},
    }
)


@dataclass
class _Para:
    lines: list[str]
    page: int | None
    kind: str = "paragraph"


def normalise(text: str) -> str:
    """Unicode composition, ligatures, soft hyphens and odd spaces: what every source needs."""
    return unicodedata.normalize("NFC", text).translate(_TRANSLATE)


def _is_caps_heading(line: str) -> bool:
    """BACKGROUND, CASE REPORT: an all-capitals short line is a heading wherever it stands."""
    letters = [c for c in line if c.isalpha()]
    return 3 <= len(letters) and len(line) <= 70 and len(line.split()) <= 8 and all(c.isupper() for c in letters)


def _heading_shaped(line: str) -> bool:
    """Short, capitalised, unpunctuated: "Case presentation", "Results"."""
    words = line.split()
    return (
        0 < len(words) <= 6
        and len(line) <= 70
        and line[0].isupper()
        and not _SENTENCE_END.search(line)
        and not line.endswith(("-", ","))
        and ";" not in line
        and ": " not in line
    )


def _is_heading(line: str, next_line: str | None) -> bool:
    """A heading-shaped line directly above a paragraph written as one long line."""
    return _heading_shaped(line) and next_line is not None and len(next_line) > 80 and next_line[:1].isupper()


def _furniture(pages: list[list[str]]) -> set[str]:
    """Lines repeated at the top or bottom of most pages are running headers or footers."""
    if len(pages) < 3:
        return set()
    edges: Counter[str] = Counter()
    for lines in pages:
        content = [ln for ln in lines if ln]
        edges.update(set(content[:2] + content[-2:]))
    # A line that starts in lower case continues a sentence: content, however often it repeats.
    return {ln for ln, n in edges.items() if n >= max(3, len(pages) // 2) and not ln[:1].islower()}


def _join_lines(lines: list[str], vocabulary: set[str]) -> str:
    """Join wrapped lines, re-joining words split by a line-end hyphen but keeping real hyphens."""
    out = ""
    for line in lines:
        if not out:
            out = line
            continue
        m = re.search(r"(\w+)-$", out)
        if m and line[:1].islower():
            head, word = m.group(1), re.match(r"[\w]+", line)
            tail = word.group(0) if word else ""
            hyphenated_elsewhere = f"{head}-{tail}".lower() in vocabulary
            joined_elsewhere = f"{head}{tail}".lower() in vocabulary
            if hyphenated_elsewhere and not joined_elsewhere:
                out += line  # a real compound that happened to break at its hyphen
            else:
                out = out[:-1] + line
        else:
            out += " " + line
    return out


def clean_pages(pages: list[str], markdown: bool = False) -> list[Block]:
    """Clean one document given as its pages (a single page for text files)."""
    paged = [[_SPACES.sub(" ", ln).strip() for ln in normalise(p).split("\n")] for p in pages]
    furniture = _furniture(paged)
    vocabulary = {w.lower() for p in paged for ln in p for w in re.findall(r"\w+(?:-\w+)+|\w+", ln)}
    multipage = len(pages) > 1

    paras: list[_Para] = []
    current: _Para | None = None

    def close():
        nonlocal current
        if current and current.lines:
            paras.append(current)
        current = None

    for page_no, lines in enumerate(paged, 1):
        page = page_no if multipage else None
        for i, line in enumerate(lines):
            if line in furniture or (multipage and _PAGE_NUMBER.match(line)):
                continue
            if not line:
                close()
                continue
            md = _MD_HEADING.match(line) if markdown else None
            if md or _is_caps_heading(line):
                close()
                first_h1 = md and line.startswith("# ") and not paras
                paras.append(_Para([md.group(1) if md else line], page, "title" if first_h1 else "heading"))
                continue
            if _CAPTION.match(line):
                # A caption interrupts whatever paragraph it landed in; it becomes its own block.
                if current is not None and current.kind == "paragraph":
                    paras.append(current)
                    current = None
                close()
                current = _Para([line], page, "caption")
                continue
            if current is not None and current.kind == "caption" and _SENTENCE_END.search(current.lines[-1]):
                close()
            if current is None:
                nxt = next((ln for ln in lines[i + 1 : i + 2] if ln), None)
                if _is_heading(line, nxt):
                    paras.append(_Para([line], page, "heading"))
                    continue
                current = _Para([], page)
            current.lines.append(line)
        if current is not None and (current.kind == "caption" or _SENTENCE_END.search(current.lines[-1])):
            close()  # a page break ends a finished paragraph; an unfinished one runs on
    close()
    paras = _mend_interrupted(paras)

    blocks: list[Block] = []
    section = ""
    for n, para in enumerate(paras):
        text = _join_lines(para.lines, vocabulary)
        text = _REF_MARK_BEFORE_PUNCT.sub("", text).strip()
        if not text:
            continue
        kind = para.kind
        if n == 0 and kind == "paragraph" and len(para.lines) == 1 and len(text) <= 250 and not text.endswith("."):
            kind = "title"
        elif kind == "paragraph" and len(para.lines) == 1 and n > 0 and _heading_shaped(text):
            kind = "heading"  # a heading standing alone between blank lines
        if kind == "heading":
            section = text
        blocks.append(Block(kind=kind, text=text, section=section, page=para.page))
    return blocks


def _mend_interrupted(paras: list[_Para]) -> list[_Para]:
    """Re-join a paragraph that a caption, page break or blank line cut mid-sentence.

    The continuation starts in lower case and the cut-off part does not end a sentence;
    captions found in between move after the mended paragraph.
    """
    out: list[_Para] = []
    held: list[_Para] = []  # captions waiting behind an open paragraph
    for para in paras:
        last = out[-1] if out else None
        is_open = last is not None and last.kind == "paragraph" and not _SENTENCE_END.search(last.lines[-1])
        if para.kind == "caption" and is_open:
            held.append(para)
            continue
        if para.kind == "paragraph" and is_open and last is not None and para.lines[0][:1].islower():
            last.lines.extend(para.lines)
            continue
        out.extend(held)
        held = []
        out.append(para)
    out.extend(held)
    return out
