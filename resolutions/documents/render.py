"""From an autoescaped template to a PDF: one place that calls WeasyPrint.

Every document is an HTML template under ``templates/documents/`` rendered in the document's own
language (which may differ from the reader's screen language), then laid out by WeasyPrint with
``base_url`` set to our internal scheme and the ``StaticOnlyFetcher``, so nothing but our
stylesheet and fonts is ever read. The PDF is PDF/A-3b and tagged, for archiving.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from importlib.resources import files
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from markupsafe import Markup
from weasyprint import HTML, Attachment
from weasyprint.css import ColorProfile
from weasyprint.text.fonts import FontConfiguration

from resolutions.concurrency import off_loop
from resolutions.documents.fetcher import (
    BASE_URL,
    DEFAULT_FONT_DIR,
    SCHEME,
    StaticOnlyFetcher,
    static_url,
)
from resolutions.documents.heading import date_in_words
from resolutions.models import Conference

LANGUAGES = ("ru", "en")
# PDF/A-3b (archival: fonts embedded, an sRGB output intent, XMP metadata) and tagged.
PDF_OPTIONS: dict[str, Any] = {
    "pdf_variant": "pdf/a-3b",
    "pdf_tags": True,
    "output_intent": "srgb-output",
}


class DocumentFontsMissing(RuntimeError):
    """The document fonts (Debian's fonts-dejavu) are not installed: no PDF rather than one
    silently set in whatever fonts the machine has."""


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in a PDF as a PDF/A-3 associated file (``AFRelationship``: "Data" for
    data the document is drawn from, "Alternative" for the same content in another form)."""

    content: bytes
    filename: str
    description: str
    relationship: str


@dataclass(frozen=True)
class PdfFile:
    """A rendered document, ready to send."""

    content: bytes
    filename: str


def document_language(conference: Conference, requested: str | None) -> str:
    """The language asked for, if we have it; else the conference's working language."""
    if requested in LANGUAGES:
        return requested
    return conference.language if conference.language in LANGUAGES else "ru"


def datetime_in_words(moment: datetime, language: str) -> str:
    """ "30 ноября 2026 года, 14:05 UTC": when a document was drawn up (naive UTC stored)."""
    return f"{date_in_words(moment.date(), language)}, {moment:%H:%M} UTC"


def weight_text(value: Fraction | int) -> str:
    """An exact weight for people: 12, or 18 1/2 (never a rounded float)."""
    value = Fraction(value)
    whole, rest = divmod(value.numerator, value.denominator)
    if not rest:
        return str(whole)
    fraction = f"{rest}/{value.denominator}"
    return f"{whole} {fraction}" if whole else fraction


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string whose every non-alphanumeric character is escaped.

    The result holds only ASCII letters, digits, backslashes, spaces and the two quotes, so it is
    safe both in CSS and inside an HTML ``<style>`` element (which HTML does not unescape).
    """
    out = []
    for char in text:
        if char.isascii() and char.isalnum():
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return '"' + "".join(out) + '"'


def page_css(language: str) -> Markup:
    """The footer "page X of Y" in the document's language, as CSS generated content."""
    marker_page, marker_pages = "\x00P\x00", "\x00N\x00"
    with force_locale(language):
        phrase = gettext("Page %(page)s of %(pages)s", page=marker_page, pages=marker_pages)
    parts: list[str] = []
    rest = phrase
    while rest:
        cut = min(
            (i for i in (rest.find(marker_page), rest.find(marker_pages)) if i >= 0),
            default=-1,
        )
        if cut < 0:
            parts.append(css_string(rest))
            break
        if cut:
            parts.append(css_string(rest[:cut]))
        counter = "page" if rest.startswith(marker_page, cut) else "pages"
        parts.append(f"counter({counter})")
        rest = rest[cut + 3 :]
    # Only css_string() output and counter() calls: ASCII letters, digits, "\\", spaces, quotes.
    rule = "@page { @bottom-center { content: " + " ".join(parts) + "; } }"
    return Markup(rule)  # noqa: S704


def font_dir() -> Path:
    return Path(current_app.config.get("DOCUMENT_FONT_DIR", DEFAULT_FONT_DIR))


def build_html(template: str, language: str, **context: Any) -> str:
    """The document's HTML, rendered (autoescaped) in ``language``."""
    with force_locale(language):
        return render_template(
            template,
            language=language,
            page_css=page_css(language),
            static_url=static_url,
            **context,
        )


def _srgb_output_profile() -> ColorProfile:
    """WeasyPrint's own sRGB profile, read from a file we close.

    Left to itself, WeasyPrint opens this file for the PDF/A output intent and never closes it
    (a ResourceWarning and a file descriptor held until garbage collection, per document).
    """
    with (files("weasyprint.pdf") / "sRGB2014.icc").open("rb") as icc:
        return ColorProfile(icc, "sRGB2014.icc", "relative-colorimetric", (["r"], ["g"], ["b"]))


def _attachment(file: PdfAttachment, fetcher: StaticOnlyFetcher) -> Attachment:
    """An in-memory attachment: its bytes are given, never a URL (user data must not become
    one); the fetcher is there only so that WeasyPrint's default one never is."""
    return Attachment(
        file_obj=io.BytesIO(file.content),
        name=file.filename,
        description=file.description,
        relationship=file.relationship,
        url_fetcher=fetcher,
    )


def _af_once(document: Any, pdf: Any) -> None:
    """Each associated file once in the catalogue's ``/AF`` (WeasyPrint 70 lists every
    attachment twice there: from the name tree and again from the file specifications)."""
    if "AF" in pdf.catalog:
        unique = list(dict.fromkeys(pdf.catalog["AF"]))
        pdf.catalog["AF"].clear()
        pdf.catalog["AF"].extend(unique)


def html_to_pdf(
    html: str,
    fetcher: StaticOnlyFetcher | None = None,
    attachments: Sequence[PdfAttachment] = (),
) -> bytes:
    """Lay out ``html`` with WeasyPrint, reading only what ``StaticOnlyFetcher`` serves, and
    embed ``attachments``."""
    fetcher = fetcher or StaticOnlyFetcher(font_dir=font_dir())
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    # Layout takes from a tenth of a second to seconds: off the gevent loop (concurrency.py).
    pdf = off_loop(
        document.write_pdf,
        font_config=FontConfiguration(),
        color_profiles={"srgb-output": _srgb_output_profile()},
        attachments=[_attachment(file, fetcher) for file in attachments],
        finisher=_af_once,
        **PDF_OPTIONS,
    )
    missing = sorted({url for url in fetcher.refused if url.startswith(f"{SCHEME}:fonts/")})
    if missing:
        raise DocumentFontsMissing(
            f"document fonts missing in {fetcher.font_dir} ({', '.join(missing)}): "
            "install Debian's fonts-dejavu (make system-deps)"
        )
    return pdf


def render_pdf(
    template: str,
    language: str,
    attachments: Sequence[PdfAttachment] = (),
    **context: Any,
) -> bytes:
    """Render ``templates/documents/<template>`` in ``language`` to PDF bytes."""
    return html_to_pdf(build_html(template, language, **context), attachments=attachments)


def created_stamp(moment: datetime) -> str:
    """The PDF creation date (naive UTC in the database) as W3C-DTF for the metadata."""
    return moment.replace(microsecond=0).isoformat() + "Z"
