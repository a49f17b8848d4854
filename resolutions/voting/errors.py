"""The voting area's domain errors (re-exported by ``service`` and ``attendance``)."""

from __future__ import annotations


class VotingError(Exception):
    """A voting rule refused the action. ``message`` is translated and safe to show.

    Messages never name a ballot's choice.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(VotingError):
    """The actor may not do this (the view answers 403)."""
