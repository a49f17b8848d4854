"""What the drafting service modules share: the limits of the texts, the amendment states
that count as live or pending, cleaning the input, the checks that the actor and the resolution
allow a change, row locks, the audit entry, and an amendment's name.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from flask_babel import gettext as _

from resolutions import audit
from resolutions.errors import DomainError, PermissionDenied, StaleError
from resolutions.extensions import db
from resolutions.labels import AMENDMENT_STATE, label
from resolutions.models import (
    Amendment,
    AmendmentState,
    Clause,
    Conference,
    Participant,
    Resolution,
    ResolutionState,
    Role,
    User,
)
from resolutions.rules.roles import has_role

# The same limits as the forms (resolutions/drafting/forms.py), so both say the same thing.
MAX_CLAUSE_CHARS = 20_000
MAX_JUSTIFICATION_CHARS = 5_000
MAX_REASON_CHARS = 2_000
MAX_TITLE_CHARS = 300
MAX_IMPORT_PARAGRAPHS = 1_000

LIVE_STATES = (AmendmentState.DRAFT, AmendmentState.SUBMITTED, AmendmentState.ADMITTED)
PENDING_STATES = (AmendmentState.SUBMITTED, AmendmentState.ADMITTED)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def amendment_name(amendment: Amendment) -> str:
    """ "A-3", or "Draft amendment" before it has a number."""
    if amendment.number is None:
        return _("Draft amendment")
    return _("A-%(number)s", number=amendment.number)


def _clean(
    text: str | None,
    *,
    limit: int,
    field: str,
    required: bool = True,
    empty_message: str | None = None,
) -> str:
    """Normalise line ends, drop control characters (PostgreSQL refuses NUL), strip."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text).strip()
    if required and not text:
        raise DomainError(empty_message or _("Enter the text."), field)
    if len(text) > limit:
        raise DomainError(
            _(
                "The text is too long: %(length)s characters, at most %(limit)s are allowed.",
                length=f"{len(text):,}",
                limit=f"{limit:,}",
            ),
            field,
        )
    return text


def _clean_clause_text(text: str | None, field: str = "text") -> str:
    return _clean(
        text,
        limit=MAX_CLAUSE_CHARS,
        field=field,
        empty_message=_("Enter the text of the clause."),
    )


def _clean_translation(text: str | None, field: str = "translation") -> str:
    """A text in the second language: optional ("" = none), as long as a clause may be."""
    return _clean(text, limit=MAX_CLAUSE_CHARS, field=field, required=False)


def _conference(resolution: Resolution) -> Conference:
    return resolution.conference


def _require_open(resolution: Resolution) -> None:
    """The text can change: the conference is not closed and the resolution is not decided."""
    if _conference(resolution).is_closed:
        raise DomainError(_("The conference is closed; its documents can no longer change."))
    if resolution.state == ResolutionState.ADOPTED:
        raise DomainError(_("The resolution has been adopted; its text can no longer change."))
    if resolution.state == ResolutionState.REJECTED:
        raise DomainError(_("The resolution has been rejected; its text can no longer change."))


def _require_secretariat(conference_id: int, actor: Participant) -> User:
    """The secretariat of this conference (a site administrator acts through the stand-in
    seat ``auth.access.seat_of`` gives them); returns the person, the author of the change."""
    if actor.conference_id != conference_id or not has_role(actor, Role.SECRETARIAT):
        raise PermissionDenied(_("Only the secretariat may edit the draft directly."))
    return actor.user


def _require_member(participant: Participant, resolution: Resolution) -> None:
    if participant.conference_id != resolution.conference_id:
        raise PermissionDenied(_("You do not take part in this conference."))


def _require_proposer(amendment: Amendment, actor: Participant, message: str) -> None:
    _require_member(actor, amendment.resolution)
    if amendment.proposer_id != actor.id:
        raise PermissionDenied(message)


def require_version(
    clause: Clause, expected_version: int | None, message: str, field: str | None = None
) -> None:
    """The one optimistic version check of the drafting service (clause edits, moves and
    deletions, amendments against their target): never act on a text the user has not seen.

    ``expected_version`` is the clause's version the form showed; if the clause moved on since,
    ``StaleError`` (409) with ``message``, already translated, which may name the current
    version as ``%(version)s``. None (a script, the demo) accepts the current version.
    """
    if expected_version is not None and expected_version != clause.version:
        raise StaleError(message % {"version": clause.version}, field)


def _require_amendment_state(
    amendment: Amendment, allowed: Collection[AmendmentState], message: str
) -> None:
    """Refuse unless the amendment is in one of the ``allowed`` states; ``message`` is
    already translated and names the amendment's current state with ``%(state)s``."""
    if amendment.state not in allowed:
        raise DomainError(message % {"state": label(AMENDMENT_STATE, amendment.state)})


def _lock(obj: object) -> None:
    """Re-read ``obj`` under a row lock (PostgreSQL), so a concurrent request that changed it
    first is seen before this one decides; SQLite serialises writers by itself."""
    db.session.flush()
    db.session.refresh(obj, with_for_update=True)


def _record(
    action: str,
    resolution: Resolution,
    actor: User | None,
    obj: object,
    details: dict[str, object] | None = None,
) -> None:
    audit.record(
        action,
        actor=actor,
        conference_id=resolution.conference_id,
        obj=obj,
        details=details,
    )
