"""Objects of each kind inside a test conference, for the URL variables of routes.

``populate`` returns {url variable name: value}. Each area fills in its own module under
``tests/objects/`` (drafting, voting, documents), so areas do not edit one shared file.
"""

from __future__ import annotations

from typing import Any

from resolutions.auth.service import create_invitation
from tests.objects import documents, drafting, voting


def populate(world: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "token": create_invitation(world.delegates[1].user, days=1),
        "card_token": world.delegates[1].card_token,
        "participant_id": world.delegates[1].id,
    }
    for area in (drafting, voting, documents):
        area.populate(world, values)
    return values
