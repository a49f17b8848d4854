"""The resolution as Akoma Ntoso 3.0 (OASIS LegalDocML 1.0) XML.

Pure: no Flask and no database; it marks up a ``ResolutionData``. The document is a
``statement name="resolution"``: the vocabulary's element for "an official document of a body
that may or may not be normative in structure (e.g., statements, resolutions)"; ``act`` and
``bill`` are for legislatures, ``doc`` for what has no element of its own.

One document per language. In FRBR terms each language version of the resolution is an
Expression of the same Work, with its own Expression IRI (``…/rus@``, ``…/eng@``) and one
``FRBRlanguage``; the root ``akomaNtoso`` holds exactly one document, so two languages in one
file would be two Expressions in one ``identification``, which the schema does not allow. The
first language is the authoritative one (``FRBRauthoritative``), the second names it as its
original (``FRBRtranslation``). ``statement`` itself carries no ``xml:lang`` in the schema, so
every part of the text (``preface``, ``preamble``, ``mainBody``, ``conclusions``) says its
language, and a title kept in the first language inside a translation says so too.

Layout, as the naming convention (akn-nc 1.0) names it: preambular clauses are ``recital``s of
one ``recitals`` (``recs__rec_1``), their sub-clauses a ``blockList`` of ``item``s; operative
clauses are ``paragraph``s of ``mainBody`` (``para_1``), a paragraph with sub-clauses has its
text as ``intro`` and the sub-clauses as ``point``s of a ``list`` (``para_2__list_1__point_a``,
then ``…__point_a__list_1__point_i``). Every numbered element has its printed number in ``num``.

Text: user text is only ever element text or attribute values, escaped by lxml; a blank line
starts a new ``p``, a line break is ``eol``, ``*emphasis*`` is ``i``. XML 1.0 cannot carry most
control characters at all, not even as references: they become U+FFFD here (the JSON export
keeps them, escaped).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lxml import etree

from resolutions.documents.resolution_data import ClauseData, ResolutionData
from resolutions.drafting.text import emphasis_runs

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
# Our own metadata (the frozen record's hash, the audit head) in ``meta/proprietary``.
RECORD_NS = "urn:x-resolutions:record:1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# ISO 639-2 codes, as FRBR IRIs and FRBRlanguage spell languages.
ISO_639_2 = {"ru": "rus", "en": "eng"}
MEDIA_TYPE = "application/akn+xml"

# Every character XML 1.0 allows; anything else becomes U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class DocumentWords:
    """The few words the markup adds, in the document's language (the caller translates)."""

    kind: str  # "Resolution"
    date: str  # "30 November 2026"
    chair: str  # "Chair"
    secretary: str  # "Secretary"


def xml_text(text: str) -> str:
    """``text`` with every character that XML 1.0 forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def _tag(name: str) -> str:
    return f"{{{AKN_NS}}}{name}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _tag(tag), {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def author_slug(data: ResolutionData) -> str:
    """The conference in IRIs: its short name in lower-case ASCII, else ``conference-<id>``."""
    slug = _SLUG.sub("-", data.conference.short_name.lower()).strip("-")
    return slug or f"conference-{data.conference.id}"


@dataclass(frozen=True)
class Iris:
    work: str
    expression: str
    original_expression: str

    @property
    def manifestation(self) -> str:
        return f"{self.expression}.akn"


def iris(data: ResolutionData, language: str, jurisdiction: str) -> Iris:
    """The FRBR IRIs: ``/akn/<jurisdiction>/statement/resolution/<author>/<date>/<id>``, and
    ``…/<language>@`` for the language version (the original version: no version date)."""
    work = (
        f"/akn/{jurisdiction}/statement/resolution/{author_slug(data)}/"
        f"{data.date.isoformat()}/{data.id}"
    )
    return Iris(
        work=work,
        expression=f"{work}/{ISO_639_2[language]}@",
        original_expression=f"{work}/{ISO_639_2[data.first_language]}@",
    )


def _frbr_core(
    parent: etree._Element, this: str, uri: str, when: date, date_name: str, author: str
) -> None:
    _sub(parent, "FRBRthis", value=this)
    _sub(parent, "FRBRuri", value=uri)
    _sub(parent, "FRBRdate", date=when.isoformat(), name=date_name)
    _sub(parent, "FRBRauthor", href=author)


def _identification(
    meta: etree._Element, data: ResolutionData, language: str, jurisdiction: str
) -> None:
    names = iris(data, language, jurisdiction)
    date_name = "adoption" if data.state == "adopted" else "draft"
    identification = _sub(meta, "identification", source="#conference")

    work = _sub(identification, "FRBRWork")
    _frbr_core(work, f"{names.work}/!main", names.work, data.date, date_name, "#conference")
    _sub(work, "FRBRcountry", value=jurisdiction)
    _sub(work, "FRBRsubtype", value="resolution")
    _sub(work, "FRBRnumber", value=str(data.id))

    expression = _sub(identification, "FRBRExpression")
    _frbr_core(
        expression,
        f"{names.expression}/!main",
        names.expression,
        data.date,
        date_name,
        "#conference",
    )
    original = language == data.first_language
    _sub(expression, "FRBRauthoritative", value="true" if original else "false")
    _sub(expression, "FRBRlanguage", language=ISO_639_2[language])
    if not original:
        _sub(
            expression,
            "FRBRtranslation",
            href=names.original_expression,
            fromLanguage=ISO_639_2[data.first_language],
            authoritative="false",
            by="#conference",
        )

    manifestation = _sub(identification, "FRBRManifestation")
    generated = data.generated_at.date() if data.generated_at else data.date
    _frbr_core(
        manifestation,
        f"{names.expression}/!main.xml",
        names.manifestation,
        generated,
        "generation",
        "#conference",
    )
    _sub(manifestation, "FRBRformat", value=MEDIA_TYPE)


def _references(
    meta: etree._Element, data: ResolutionData, words: DocumentWords, jurisdiction: str
) -> None:
    author = author_slug(data)
    ontology = f"/akn/ontology/{{kind}}/{jurisdiction}/{author}"
    references = _sub(meta, "references", source="#conference")
    conference = data.conference
    _sub(
        references,
        "TLCOrganization",
        eId="conference",
        href=ontology.format(kind="organization"),
        showAs=conference.title,
        shortForm=conference.short_name,
    )
    for key, name, role in (
        ("chair", data.chair, words.chair),
        ("secretary", data.secretary, words.secretary),
    ):
        if name:
            _sub(
                references,
                "TLCPerson",
                eId=key,
                href=f"{ontology.format(kind='person')}/{key}",
                showAs=name,
            )
            _sub(
                references,
                "TLCRole",
                eId=f"{key}Role",
                href=f"/akn/ontology/role/{jurisdiction}/{key}",
                showAs=role,
            )
    if conference.place:
        _sub(
            references,
            "TLCLocation",
            eId="place",
            href=f"{ontology.format(kind='location')}/place",
            showAs=conference.place,
        )


def _proprietary(meta: etree._Element, data: ResolutionData) -> None:
    proprietary = _sub(meta, "proprietary", source="#conference")
    record = etree.SubElement(proprietary, f"{{{RECORD_NS}}}record", nsmap={"res": RECORD_NS})
    record.set("state", data.state)
    for name, value in (
        ("sha256", data.snapshot_sha256),
        ("intact", None if data.snapshot_intact is None else str(data.snapshot_intact).lower()),
        ("auditHead", data.audit_head),
        ("auditDigest", data.audit_digest),
    ):
        if value is not None:
            record.set(name, xml_text(value))


def _append_text(parent: etree._Element, text: str) -> None:
    """Text after what ``parent`` already holds (its text, or its last child's tail)."""
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _inline(parent: etree._Element, line: str) -> None:
    """``line``'s runs into ``parent``: plain text, and ``i`` for ``*emphasis*``."""
    for text, emphasised in emphasis_runs(xml_text(line)):
        if emphasised:
            _sub(parent, "i", text)
        else:
            _append_text(parent, text)


def _blocks(parent: etree._Element, text: str) -> None:
    """A clause's text as ``p`` blocks: a blank line separates paragraphs, a single line break
    is an ``eol`` marker."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    for block in re.split(r"\n\s*\n", text):
        p = _sub(parent, "p")
        for index, line in enumerate(block.split("\n")):
            if index:
                _sub(p, "eol")
            _inline(p, line)


def _num_id(clause: ClauseData, ordinal: int) -> str:
    """The number in an eId: the printed one without its punctuation ("2." → "2", "(a)" →
    "a"), or the position among its siblings when it is not numbered."""
    bare = re.sub(r"[^\w]", "", clause.label)
    return bare or str(ordinal)


def _clause_text(clause: ClauseData, language: str) -> str:
    return clause.texts.get(language, "")


def _hierarchy(
    parent: etree._Element,
    element: str,
    clause: ClauseData,
    eid: str,
    language: str,
) -> None:
    """An operative clause (``paragraph``) or sub-clause (``point``) with its sub-clauses."""
    node = _sub(parent, element, eId=eid)
    if clause.label:
        _sub(node, "num", clause.label)
    if not clause.subclauses:
        _blocks(_sub(node, "content"), _clause_text(clause, language))
        return
    _blocks(_sub(node, "intro"), _clause_text(clause, language))
    listing = _sub(node, "list", eId=f"{eid}__list_1")
    for ordinal, sub in enumerate(clause.subclauses, start=1):
        _hierarchy(listing, "point", sub, f"{eid}__list_1__point_{_num_id(sub, ordinal)}", language)


def _recital_items(
    parent: etree._Element, clauses: tuple[ClauseData, ...], eid: str, language: str
) -> None:
    """Sub-clauses of a preambular clause: a ``blockList`` of ``item``s (a recital holds
    blocks only)."""
    listing = _sub(parent, "blockList", eId=eid)
    for ordinal, sub in enumerate(clauses, start=1):
        item_id = f"{eid}__item_{_num_id(sub, ordinal)}"
        item = _sub(listing, "item", eId=item_id)
        if sub.label:
            _sub(item, "num", sub.label)
        _blocks(item, _clause_text(sub, language))
        if sub.subclauses:
            _recital_items(item, sub.subclauses, f"{item_id}__list_1", language)


def akoma_ntoso(
    data: ResolutionData, language: str, words: DocumentWords, *, jurisdiction: str
) -> bytes:
    """The resolution in ``language`` (one of ``data.languages``) as an Akoma Ntoso document,
    UTF-8 with an XML declaration."""
    if language not in data.languages:
        raise ValueError(f"the resolution has no {language!r} version")
    root = etree.Element(_tag("akomaNtoso"), nsmap={None: AKN_NS})
    statement = _sub(root, "statement", name="resolution")

    meta = _sub(statement, "meta")
    _identification(meta, data, language, jurisdiction)
    _references(meta, data, words, jurisdiction)
    _proprietary(meta, data)

    first = data.first_language
    preface = _sub(statement, "preface", **{XML_LANG: language})
    _sub(
        _sub(preface, "p", **{"class": "conference"}),
        "docAuthority",
        data.conference.title,
        refersTo="#conference",
    )
    _sub(_sub(preface, "p", **{"class": "kind"}), "docType", words.kind)
    title = _sub(_sub(preface, "p", **{"class": "title"}), "docTitle", data.title)
    if language != first:
        title.set(XML_LANG, first)  # the title has no translation of its own
    dateline = _sub(preface, "p", **{"class": "dateline"})
    when = _sub(dateline, "docDate", words.date, date=data.date.isoformat())
    if data.conference.place:
        when.tail = ", "
        _sub(dateline, "location", data.conference.place, refersTo="#place")

    if data.preamble:
        preamble = _sub(statement, "preamble", **{XML_LANG: language})
        recitals = _sub(preamble, "recitals", eId="recs")
        for ordinal, clause in enumerate(data.preamble, start=1):
            eid = f"recs__rec_{_num_id(clause, ordinal)}"
            recital = _sub(recitals, "recital", eId=eid)
            if clause.label:
                _sub(recital, "num", clause.label)
            _blocks(recital, _clause_text(clause, language))
            if clause.subclauses:
                _recital_items(recital, clause.subclauses, f"{eid}__list_1", language)

    body = _sub(statement, "mainBody", **{XML_LANG: language})
    for ordinal, clause in enumerate(data.operative, start=1):
        _hierarchy(body, "paragraph", clause, f"para_{_num_id(clause, ordinal)}", language)
    if not data.operative:
        _sub(body, "p")  # mainBody may not be empty

    signatories = [
        (key, name, role)
        for key, name, role in (
            ("chair", data.chair, words.chair),
            ("secretary", data.secretary, words.secretary),
        )
        if name
    ]
    if data.state == "adopted" and signatories:
        conclusions = _sub(statement, "conclusions", **{XML_LANG: language})
        for key, name, role in signatories:
            signature = _sub(_sub(conclusions, "p"), "signature")
            _sub(signature, "role", role, refersTo=f"#{key}Role").tail = " "
            _sub(signature, "person", name, refersTo=f"#{key}", **{"as": f"#{key}Role"})
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
