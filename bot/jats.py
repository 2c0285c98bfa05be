"""Parse PubMed Central / JATS XML articles into metadata and reading-order blocks.

JATS is the format PMC ships full texts in; its structure (sections, captions,
reference markup) lets us drop citation clutter that PDF extraction cannot.
"""

from __future__ import annotations

import re

from lxml import etree

from bot.records import Block, Metadata

# Never resolve entities, touch the network or load DTDs: the input is untrusted.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
# Content that is never prose: MathML / LaTeX sources, table grids, floats handled as captions.
_DROPPED = {"math", "tex-math", "table", "fig", "table-wrap", "ref-list", "fn-group"}
# Elements whose text must not run into a neighbour's ("...leg</title><p>The...").
_BLOCKISH = {"p", "title", "label", "list-item", "td", "th", "caption", "def", "term"}
_EMPTY_BRACKETS = re.compile(r"\s*[\[(][\s,;\u2013\u2014-]*[\])]")
_SENTENCE_END = (".", ":", "!", "?")


class JatsError(ValueError):
    """The bytes are not a usable JATS article; the message says why in a few words."""


def _is_citation(el: etree._Element) -> bool:
    """Reference numbers ("ulcers<sup>1,2</sup>") are noise in retrieved passages."""
    if el.tag == "xref":
        return el.get("ref-type") == "bibr"
    if el.tag == "sup" and len(el):
        marks = "".join([el.text or ""] + [c.tail or "" for c in el])
        return all(_is_citation(c) for c in el) and not marks.strip(" ,;\u2013-")
    return False


def _raw(el: etree._Element) -> str:
    """Text of `el` without dropped content; entities and comments contribute only their tail."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag not in _DROPPED and not _is_citation(child):
            text = _raw(child)
            parts.append(f" {text} " if child.tag in _BLOCKISH else text)
        parts.append(child.tail or "")
    return "".join(parts)


def _text(el: etree._Element | None) -> str:
    """Whitespace-normalised text, with brackets left empty by dropped citations removed."""
    if el is None:
        return ""
    return " ".join(_EMPTY_BRACKETS.sub("", _raw(el)).split())


def _caption(el: etree._Element) -> str:
    """'Figure 1. Title. Legend.': label and caption parts read as sentences."""
    caption = el.find("caption")
    if caption is None:
        return ""
    pieces = [c for c in caption if c.tag in ("title", "p")] or [caption]
    parts = [p for p in map(_text, pieces) if p]
    if not parts:
        return ""
    parts.insert(0, _text(el.find("label")))
    return " ".join(p if p.endswith(_SENTENCE_END) else p + "." for p in parts if p)


def _walk(el: etree._Element, section: str, out: list[Block], prefix: str = "") -> None:
    """Emit blocks for `el`'s children in document order; titled secs set the section."""
    for child in el:
        if not isinstance(child.tag, str) or child.tag in {"title", "label", "ref-list", "table", "fn-group"}:
            continue
        if child.tag == "sec":
            title = _text(child.find("title"))
            sub = prefix + title if title else section
            if title:
                out.append(Block("heading", title, sub))
            _walk(child, sub, out, prefix)
        elif child.tag == "p":
            if text := _text(child):
                out.append(Block("paragraph", text, section))
            for float_ in child.iter("fig", "table-wrap"):
                if text := _caption(float_):
                    out.append(Block("caption", text, section))
        elif child.tag in ("fig", "table-wrap"):
            if text := _caption(child):
                out.append(Block("caption", text, section))
        else:  # lists, boxed text, fig-groups...: look inside for paragraphs and floats
            _walk(child, section, out, prefix)


def _year(meta: etree._Element) -> int | None:
    """Publication year, preferring the electronic/print dates over e.g. 'received'."""
    dates = meta.findall("pub-date")
    preferred = [d for d in dates if {d.get("pub-type"), d.get("date-type")} & {"epub", "ppub", "pub"}]
    for date in preferred + dates:
        if match := re.search(r"\d{4}", date.findtext("year") or ""):
            return int(match.group())
    return None


def _author(contrib: etree._Element) -> str:
    """'Given Surname', else a free-text name or a group author."""
    name = contrib.find(".//name")
    if name is not None:
        return " ".join(filter(None, (_text(name.find("given-names")), _text(name.find("surname")))))
    return _text(contrib.find(".//string-name")) or _text(contrib.find("collab"))


def _metadata(root: etree._Element) -> Metadata:
    meta = root.find("front/article-meta")
    journal = _text(root.find("front/journal-meta//journal-title")) or None
    if meta is None:
        return Metadata(journal=journal)
    ids = {i.get("pub-id-type"): _text(i) for i in reversed(meta.findall("article-id"))}
    contribs = meta.findall("contrib-group/contrib[@contrib-type='author']")
    return Metadata(
        title=_text(meta.find("title-group/article-title")) or None,
        authors=[a for a in map(_author, contribs) if a],
        journal=journal,
        year=_year(meta),
        doi=ids.get("doi") or None,
        pmid=ids.get("pmid") or None,
    )


def parse_jats(data: bytes) -> tuple[Metadata, list[Block]]:
    """Metadata from `front`, then blocks: the abstract, the body, then any floats-group."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise JatsError(f"malformed XML: {exc.msg or exc}") from None
    for el in root.iter(etree.Element):  # PMC mixes plain JATS with xlink/mml namespaces
        el.tag = etree.QName(el).localname
    if root.tag == "pmc-articleset" and root.find("article") is not None:  # E-utilities wrapper
        root = root.find("article")
    if root.tag != "article":
        raise JatsError(f"not a JATS article (root element is <{root.tag}>)")

    blocks: list[Block] = []
    abstracts = root.findall("front/article-meta/abstract")
    abstract = next((a for a in abstracts if a.get("abstract-type") is None), abstracts[0] if abstracts else None)
    if abstract is not None:
        blocks.append(Block("heading", "Abstract", "Abstract"))
        _walk(abstract, "Abstract", blocks, prefix="Abstract \u2014 ")
    for part in ("body", "floats-group"):
        if (el := root.find(part)) is not None:
            _walk(el, "", blocks)
    return _metadata(root), blocks
