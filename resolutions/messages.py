"""Words for the user that a pure module builds and that are translated only when shown.

A pure rule (the CSV parser, …) decides without Flask, yet its refusals must reach the
reader in their language. It builds ``Message("...", **values)`` (``_`` in those modules, so
``make extract-messages`` finds the text); ``str()`` looks the words up in the reader's
catalogue at that moment. Only then is ``flask_babel`` imported: importing a pure module loads
no Flask. Equality and ``in`` compare the text as shown.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape


class Message:
    """A translatable text with its values, as ``gettext`` takes them."""

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, **values: Any) -> None:
        self.msgid = msgid
        self.values = values

    def __str__(self) -> str:
        from flask_babel import gettext  # when shown, never when the rule runs

        return gettext(self.msgid, **self.values)

    def __html__(self) -> Markup:
        return escape(str(self))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str | Message):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.msgid)

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def __repr__(self) -> str:
        return f"Message({self.msgid!r})"


__all__ = ["Message"]
