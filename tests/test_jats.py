"""bot.jats on a small hand-written PMC-style article, parsed by real lxml."""

from __future__ import annotations

import pytest

from bot.jats import JatsError, parse_jats
from bot.records import Block, Metadata

ARTICLE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.2 20190208//EN" "JATS-archivearticle1.dtd">
<article xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:mml="http://www.w3.org/1998/Math/MathML" article-type="case-report">
  <front>
    <journal-meta>
      <journal-id journal-id-type="nlm-ta">J Med Case Rep</journal-id>
      <journal-title-group><journal-title>Journal of Medical Case Reports</journal-title></journal-title-group>
      <issn pub-type="epub">1752-1947</issn>
    </journal-meta>
    <article-meta>
      <article-id pub-id-type="pmid">31234567</article-id>
      <article-id pub-id-type="pmc">PMC6543210</article-id>
      <article-id pub-id-type="doi">10.1186/s13256-019-1234-5</article-id>
      <title-group>
        <article-title>Cutaneous ulcers caused by <italic>Mycobacterium
          ulcerans</italic>: a case report</article-title>
      </title-group>
      <contrib-group>
        <contrib contrib-type="author" corresp="yes">
          <name><surname>Okafor</surname><given-names>Ada N.</given-names></name>
          <xref ref-type="aff" rid="Aff1">1</xref>
        </contrib>
        <contrib contrib-type="author">
          <name><surname>Lindqvist</surname><given-names>Erik</given-names></name>
        </contrib>
        <contrib contrib-type="editor">
          <name><surname>Editor</surname><given-names>Not An</given-names></name>
        </contrib>
      </contrib-group>
      <pub-date pub-type="collection"><year>2018</year></pub-date>
      <pub-date pub-type="epub"><day>12</day><month>6</month><year>2019</year></pub-date>
      <abstract>
        <sec><title>Background</title><p>Buruli ulcer is a neglected tropical disease.</p></sec>
        <sec><title>Conclusions</title><p>Early diagnosis prevents disability.</p></sec>
      </abstract>
    </article-meta>
  </front>
  <body>
    <sec id="Sec1">
      <title>Introduction</title>
      <p>Buruli ulcer is endemic in West Africa<xref ref-type="bibr" rid="B1">1</xref>.
         Cases are rising [<xref ref-type="bibr" rid="B2">2</xref>,
         <xref ref-type="bibr" rid="B3">3</xref>] and
         the incidence is <inline-formula><mml:math><mml:mn>4.2</mml:mn></mml:math></inline-formula>
         per 100,000<sup><xref ref-type="bibr" rid="B1">1</xref>,<xref ref-type="bibr" rid="B2">2</xref></sup>.</p>
    </sec>
    <sec id="Sec2">
      <title>Case presentation</title>
      <p>A 34-year-old man presented with painless ulcers (<xref ref-type="fig" rid="F1">Fig. 1</xref>).</p>
      <fig id="F1">
        <label>Figure 1</label>
        <caption><title>Ulcers on the left leg</title><p>Undermined edges are visible.</p></caption>
        <graphic xlink:href="13256_2019_1234_Fig1_HTML.jpg"/>
      </fig>
      <sec id="Sec3">
        <title>Laboratory findings</title>
        <p>PCR for IS<italic>2404</italic> was   positive.</p>
        <table-wrap id="T1">
          <label>Table 1</label>
          <caption><p>Blood counts</p></caption>
          <table><tr><td>Haemoglobin</td><td>13.1 g/dL</td></tr></table>
        </table-wrap>
      </sec>
    </sec>
  </body>
  <back>
    <ack><p>We thank the patient.</p></ack>
    <ref-list>
      <ref id="B1"><mixed-citation>Walsh DS. Buruli ulcer. Lancet Infect Dis. 2008.</mixed-citation></ref>
    </ref-list>
  </back>
</article>
"""


def test_metadata() -> None:
    meta, _ = parse_jats(ARTICLE)
    assert meta == Metadata(
        title="Cutaneous ulcers caused by Mycobacterium ulcerans: a case report",
        authors=["Ada N. Okafor", "Erik Lindqvist"],
        journal="Journal of Medical Case Reports",
        year=2019,
        doi="10.1186/s13256-019-1234-5",
        pmid="31234567",
        url=None,
    )


def test_blocks_in_reading_order() -> None:
    _, blocks = parse_jats(ARTICLE)
    assert [(b.kind, b.section, b.text) for b in blocks] == [
        ("heading", "Abstract", "Abstract"),
        ("heading", "Abstract \u2014 Background", "Background"),
        ("paragraph", "Abstract \u2014 Background", "Buruli ulcer is a neglected tropical disease."),
        ("heading", "Abstract \u2014 Conclusions", "Conclusions"),
        ("paragraph", "Abstract \u2014 Conclusions", "Early diagnosis prevents disability."),
        ("heading", "Introduction", "Introduction"),
        (
            "paragraph",
            "Introduction",
            "Buruli ulcer is endemic in West Africa. Cases are rising and the incidence is per 100,000.",
        ),
        ("heading", "Case presentation", "Case presentation"),
        ("paragraph", "Case presentation", "A 34-year-old man presented with painless ulcers (Fig. 1)."),
        ("caption", "Case presentation", "Figure 1. Ulcers on the left leg. Undermined edges are visible."),
        ("heading", "Laboratory findings", "Laboratory findings"),
        ("paragraph", "Laboratory findings", "PCR for IS2404 was positive."),
        ("caption", "Laboratory findings", "Table 1. Blood counts."),
    ]
    assert all(b.page is None for b in blocks)


def test_back_matter_and_reference_numbers_are_dropped() -> None:
    _, blocks = parse_jats(ARTICLE)
    text = "\n".join(b.text for b in blocks)
    for absent in ("Walsh", "Lancet", "We thank", "Haemoglobin", "4.2", "[", "Africa1", "Not An"):
        assert absent not in text


def test_namespaced_article_and_pmc_wrapper() -> None:
    """Some publishers put JATS in a namespace; E-utilities wrap articles in <pmc-articleset>."""
    expected = parse_jats(ARTICLE)
    namespaced = ARTICLE.replace(b"<article ", b'<article xmlns="http://jats.nlm.nih.gov" ', 1)
    assert parse_jats(namespaced) == expected
    body = ARTICLE.split(b'.dtd">', 1)[1]
    assert parse_jats(b"<pmc-articleset>" + body + b"</pmc-articleset>") == expected


def test_paragraph_outside_any_section() -> None:
    meta, blocks = parse_jats(b"<article><body><p>Just  text.</p><p> </p></body></article>")
    assert meta == Metadata()
    assert blocks == [Block("paragraph", "Just text.", "")]


def test_malformed_xml() -> None:
    with pytest.raises(JatsError, match="malformed XML"):
        parse_jats(b"<article><body><p>unclosed</body></article>")
    with pytest.raises(JatsError, match="malformed XML"):
        parse_jats(b"")


def test_non_article_root() -> None:
    with pytest.raises(JatsError, match=r"not a JATS article \(root element is <html>\)"):
        parse_jats(b"<html><body><p>hi</p></body></html>")


def test_external_entities_are_not_resolved() -> None:
    xxe = b"""<?xml version="1.0"?>
<!DOCTYPE article [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<article><body><p>before &xxe; after</p></body></article>"""
    _, blocks = parse_jats(xxe)
    assert blocks == [Block("paragraph", "before after", "")]
    assert "root:" not in blocks[0].text
