"""The one place that decides who may reach a conference's pages.

Every view under ``/c/<int:conference_id>/`` is wrapped in ``conference_role``: it loads the
conference, finds the signed-in user's seat in it (``seat_of``), checks the role and hands the
view ``conference`` and ``me``. Objects named in the URL are loaded with ``get_in_conference`` so
that an id from another conference is a 404, never a leak.

A site administrator who is not a member of a conference acts as its secretariat (they create
conferences and may have to repair one whose secretariat is gone): ``seat_of`` gives them a
stand-in secretariat seat that is never stored. A member's own role always wins.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user, login_required
from sqlalchemy.orm.attributes import set_committed_value

from resolutions.extensions import db
from resolutions.models import Conference, Participant, Role, User
from resolutions.rules.roles import has_role

__all__ = [
    "ANY_ROLE",
    "conference_role",
    "get_in_conference",
    "seat_of",
]

ANY_ROLE = tuple(Role)

# The view takes (conference, me, ...); Flask calls the wrapper with (conference_id, ...).
View = Callable[..., Any]
M = TypeVar("M")


def seat_of(conference: Conference, user: User) -> Participant | None:
    """The user's participation in the conference; for a site administrator who is no member,
    a secretariat seat that lives only for this request (never added to the session)."""
    member = db.session.scalar(
        sa.select(Participant).where(
            Participant.conference_id == conference.id, Participant.user_id == user.id
        )
    )
    return _admin_seat(conference, user, member)


def _admin_seat(
    conference: Conference, user: User, member: Participant | None
) -> Participant | None:
    """``member``, else the stand-in secretariat seat of a site administrator, else None."""
    if member is not None or not user.is_admin:
        return member
    seat = Participant(
        conference_id=conference.id,
        user_id=user.id,
        role=Role.SECRETARIAT,
        organisation="",
        country="",
        delegation="",
        voting_right=False,
        weight=1,
        present=False,
    )
    # Without events or cascades: assigning the relationships normally would put the seat into
    # the user's participations and so into the session, and the next flush would store it.
    set_committed_value(seat, "user", user)
    set_committed_value(seat, "conference", conference)
    seat.acting_as_admin = True
    return seat


def conference_role(*roles: Role) -> Callable[[View], View]:
    """Allow the view to members of the conference holding one of ``roles`` (or implying it)."""
    allowed = roles or ANY_ROLE

    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(conference_id: int, **kwargs: Any) -> Any:
            user = current_user._get_current_object()
            # The conference and the user's seat in it in one query (every page asks).
            found = db.session.execute(
                sa.select(Conference, Participant)
                .outerjoin(
                    Participant,
                    sa.and_(
                        Participant.conference_id == Conference.id,
                        Participant.user_id == user.id,
                    ),
                )
                .where(Conference.id == conference_id)
            ).first()
            if found is None:
                abort(404)
            conference, member = found
            if member is not None:
                set_committed_value(member, "conference", conference)
            me = _admin_seat(conference, user, member)
            if me is None:
                # Not a member: do not even confirm that the conference exists.
                abort(404)
            if not has_role(me, *allowed):
                abort(403)
            g.conference = conference
            g.me = me
            return view(conference=conference, me=me, **kwargs)

        # Read by the authorization matrix; a function's type cannot declare its attributes.
        wrapped.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapped

    return decorate


def get_in_conference(model: type[M], object_id: int, conference: Conference) -> M:
    """Load ``model`` by id, 404 unless it belongs to ``conference``.

    Works for models with ``conference_id`` and for those under a resolution.
    """
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    owner = getattr(obj, "conference_id", None)
    if owner is None and hasattr(obj, "resolution"):
        owner = obj.resolution.conference_id
    if owner != conference.id:
        abort(404)
    return obj
