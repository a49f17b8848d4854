"""Access cards: one per participant, ten to an A4 sheet, with a QR code of the sign-in link.

The QR code is drawn here, in memory, by segno, and placed in the page as inline SVG: no file,
no network and no URL for WeasyPrint to fetch.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
import sqlalchemy as sa
from flask import url_for
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from resolutions.conferences.service import card_signs_in
from resolutions.extensions import db
from resolutions.models import Conference, Participant, Role, User

CARDS_PER_SHEET = 10  # 2 columns x 5 rows of 85 x 54 mm (the ID-1 card size) on A4
ROLE_ORDER = {Role.SECRETARIAT: 0, Role.CHAIR: 1, Role.DELEGATE: 2, Role.OBSERVER: 3}


@dataclass(frozen=True)
class AccessCard:
    name: str
    organisation: str
    delegation: str
    role: Role
    # Empty for an account that keeps its own credentials (``card_signs_in``): no QR code.
    sign_in_url: str
    qr_svg: Markup


def card_url(participant: Participant) -> str:
    """The personal sign-in link printed on the card."""
    return url_for("conferences.card", card_token=participant.card_token, _external=True)


def qr_svg(data: str) -> Markup:
    """``data`` as a QR code in SVG, sized by its ``viewBox`` (the page's CSS sets the size)."""
    code = segno.make(data, error="m")
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", xmldecl=False, svgns=True, omitsize=True, border=0, dark="#000")
    # segno's own output of a URL we built: no user text inside (segno never writes the data).
    return Markup(buffer.getvalue().decode("ascii"))  # noqa: S704


def access_cards(conference: Conference) -> list[AccessCard]:
    """Every participant's card: secretariat, chair, delegates (by delegation), observers."""
    participants = db.session.scalars(
        sa.select(Participant)
        .join(Participant.user)
        .where(Participant.conference_id == conference.id)
        .options(selectinload(Participant.user))
        .order_by(User.name, Participant.id)
    ).all()
    ordered = sorted(
        participants, key=lambda p: (ROLE_ORDER[p.role], p.delegation.casefold(), p.name.casefold())
    )
    cards = []
    for participant in ordered:
        url = card_url(participant) if card_signs_in(participant) else ""
        cards.append(
            AccessCard(
                name=participant.name,
                organisation=participant.organisation,
                delegation=participant.delegation or participant.country,
                role=participant.role,
                sign_in_url=url,
                qr_svg=qr_svg(url) if url else Markup(""),
            )
        )
    return cards


def sheets(cards: list[AccessCard], per_sheet: int = CARDS_PER_SHEET) -> list[list[AccessCard]]:
    """The cards cut into A4 sheets."""
    return [cards[i : i + per_sheet] for i in range(0, len(cards), per_sheet)] or [[]]
