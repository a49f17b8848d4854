"""Every Jinja filter of the pages and the documents, registered in one place.

``register_filters(app)`` is called by ``create_app``; no blueprint registers a filter as a
side effect of being imported, so the PDF templates (rendered outside any blueprint's request)
find the same filters as the pages. A new filter is a function here and one line below.
"""

from __future__ import annotations

from datetime import datetime
from fractions import Fraction

from flask import Flask
from flask_babel import get_locale
from markupsafe import Markup

from resolutions import labels
from resolutions.audit_labels import zone_in_words
from resolutions.documents.render import LANGUAGES, datetime_in_words, weight_text
from resolutions.drafting.text import render_text
from resolutions.models import Participant
from resolutions.voting.naming import poll_label
from resolutions.voting.quorum_words import quorum_label


def text_with_markup(text: str) -> Markup:
    """``{{ clause.text|render_text }}``: escaped text with the tiny safe markup."""
    return render_text(text)


def document_participant(participant: Participant) -> str:
    """ "Name (delegation)" as the documents name a proposer or co-sponsor."""
    extra = participant.delegation or participant.organisation
    return f"{participant.name} ({extra})" if extra else participant.name


def document_moment(moment: datetime) -> str:
    """A stored (naive UTC) moment in words, in the language the document is rendered in."""
    language = str(get_locale() or "ru")
    return datetime_in_words(moment, language if language in LANGUAGES else "ru")


def exact_weight(value: Fraction | int) -> str:
    """A weight or a share of weight, exactly ("2", "1/3")."""
    return weight_text(value)


def email_breaks(address: str) -> Markup:
    """An e-mail address that may wrap before "@" and before the dots of its domain, never
    inside a word (the name before "@" stays whole: «aigerim.nurlanova», not «aigerim.»)."""
    name, at, domain = address.rpartition("@")
    if not at:
        return Markup("{}").format(address)
    # Markup.join and format escape each piece: only the <wbr> tags are markup.
    return Markup("{}<wbr>@{}").format(name, Markup("<wbr>.").join(domain.split(".")))


def register_filters(app: Flask) -> None:
    """Register every filter on ``app`` (``create_app`` calls it once)."""
    for name, table in labels.TABLES.items():
        app.add_template_filter(lambda value, table=table: labels.label(table, value), name)
    app.add_template_filter(quorum_label, "quorum_label")
    app.add_template_filter(poll_label, "poll_label")
    app.add_template_filter(text_with_markup, "render_text")
    app.add_template_filter(document_participant, "document_participant")
    app.add_template_filter(document_moment, "document_moment")
    app.add_template_filter(exact_weight, "exact_weight")
    app.add_template_filter(email_breaks, "email_breaks")
    app.add_template_filter(zone_in_words, "zone_in_words")
