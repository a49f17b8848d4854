"""What every topic of the conference service shares: the voting roles, the closed-conference
check, how a changed value is written in the audit log. Refusals are ``resolutions.errors``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from resolutions.errors import DomainError
from resolutions.models import Conference, Role

# Roles that may hold a voting right (the chair votes as a delegate).
VOTING_ROLES = frozenset({Role.CHAIR, Role.DELEGATE})


def _ensure_not_closed(conference: Conference) -> None:
    if conference.is_closed:
        raise DomainError(_("The conference is closed: it can no longer be changed."))


def _audit_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return getattr(value, "value", value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
