"""Values for every URL variable the app uses, made inside a test conference.

Areas that add a URL variable add it here; an unknown variable fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, url_for

from resolutions.extensions import db


def _object_params(world: Any) -> dict[str, Any]:
    """Objects of the conference the URL may name. Areas extend this."""
    from tests.world_objects import populate

    return populate(world)


def url_values(names: Iterable[str], world: Any) -> dict[str, Any]:
    """A valid value for each URL variable in ``names``, inside ``world``'s conference."""
    needed = set(names)
    values: dict[str, Any] = {}
    objects = _object_params(world) if needed - {"conference_id"} else {}
    for name in needed:
        if name == "conference_id":
            values[name] = world.conference.id
        elif name == "code":
            values[name] = "en"
        elif name == "language":
            values[name] = "ru"
        elif name in objects:
            values[name] = objects[name]
        else:
            raise AssertionError(f"tests/world_objects.py has no value for URL variable {name!r}")
    return values


def url_params_for(app: Flask, endpoint: str, world: Any) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = url_values(rule.arguments, world)
    db.session.commit()
    with app.test_request_context():
        return url_for(endpoint, **values)
