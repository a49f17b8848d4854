"""Which roles a participant's role includes: the chair may do everything a delegate may."""

from __future__ import annotations

from typing import TYPE_CHECKING

from resolutions.enums import Role

if TYPE_CHECKING:
    from resolutions.models import Participant

IMPLIED_ROLES: dict[Role, frozenset[Role]] = {
    Role.SECRETARIAT: frozenset({Role.SECRETARIAT}),
    Role.CHAIR: frozenset({Role.CHAIR, Role.DELEGATE}),
    Role.DELEGATE: frozenset({Role.DELEGATE}),
    Role.OBSERVER: frozenset({Role.OBSERVER}),
}


def has_role(participant: Participant | None, *roles: Role) -> bool:
    """Whether ``participant`` holds one of ``roles``, directly or through ``IMPLIED_ROLES``
    (nobody, ``None``, holds none)."""
    if participant is None:
        return False
    return bool(IMPLIED_ROLES[participant.role] & set(roles))
