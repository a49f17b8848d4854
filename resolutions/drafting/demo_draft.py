"""The demo conference's draft resolution (placeholder until the drafting area lands)."""

from __future__ import annotations

from resolutions.extensions import db
from resolutions.models import Conference, Resolution, User


def load(conference: Conference, actor: User) -> Resolution:
    resolution = Resolution(
        conference_id=conference.id,
        title="О защите права на объединение и свободы собраний",
    )
    db.session.add(resolution)
    db.session.flush()
    return resolution
