"""Drafting's domain errors: what a service function raises when a rule refuses a change.

The views show ``message`` next to ``field`` (or as a flash) and answer 403 for
``PermissionDenied`` and 409 for ``StaleError``.
"""

from __future__ import annotations


class DraftingError(Exception):
    """A rule refused the change. ``message`` is translated and meant for the user; ``field``
    names the form field it belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DraftingError):
    """The actor may not do this (wrong role, not the proposer, …): the view answers 403."""


class StaleError(DraftingError):
    """The form was written against an older state of the object: the view answers 409."""
