"""URL-variable objects for this area's routes (see tests/world_objects.py)."""

from __future__ import annotations

from typing import Any


def populate(world: Any, values: dict[str, Any]) -> None:
    """Create this area's objects in ``world.conference`` and add {url variable: value}."""
