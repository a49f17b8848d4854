"""The one error hierarchy of the services: what a service raises when a rule refuses an action.

Pure: no Flask, no database. Every area (conferences, drafting, voting, documents, auth)
raises these, and one mapper turns them into an answer (``resolutions.refusals``):

- ``DomainError``: a rule refused the action in the current state (409, or the form again
  with the message next to its field);
- ``InvalidInput``: the input itself cannot be read (400);
- ``PermissionDenied``: the actor may not do this: wrong role, not the proposer, … (403);
- ``NotFound``: the object is not there for this actor (404);
- ``StaleError``: the form was written against an older state of the object (409).

``message`` is already translated (the service calls ``gettext``; a pure module passes a
``resolutions.messages.Message``, translated when shown) and safe to show: it never names a
secret ballot's choice. ``field`` names the form field it belongs to, when there is
one.
"""

from __future__ import annotations

from typing import ClassVar

from resolutions.messages import Message


class DomainError(Exception):
    """A rule refused the action; ``message`` is translated and meant for the user."""

    status: ClassVar[int] = 409

    def __init__(self, message: str | Message, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """The input cannot be read (a file that is no CSV, a number out of range): 400."""

    status = 400


class PermissionDenied(DomainError):
    """The actor may not do this (wrong role, not the proposer, another conference's
    ballot): 403."""

    status = 403


class NotFound(DomainError):
    """The object does not exist, or not for this actor (another delegate's draft): 404."""

    status = 404


class StaleError(DomainError):
    """The form was written against an older state of the object (changed since): 409."""

    status = 409


__all__ = ["DomainError", "InvalidInput", "NotFound", "PermissionDenied", "StaleError"]
