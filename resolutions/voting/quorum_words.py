"""A quorum in the reader's words: the display side of ``voting.majority``'s pure grammar.

``majority`` reads and writes a quorum with no Flask; here its refusals and its label are
translated (the template filter ``quorum_label`` and every form and service that shows why a
quorum was refused).
"""

from __future__ import annotations

from flask_babel import gettext as _

from resolutions.voting.majority import QuorumError, format_quorum, parse_quorum


def quorum_problem(error: QuorumError) -> str:
    """Why the text is no quorum, in the reader's language."""
    return _(error.message)


def quorum_label(text: str | None) -> str:
    """A stored quorum in words, for the pages ("none", "weight 25", "1/2 of the entitled
    weight"); the template filter ``quorum_label``. Text that is no quorum is shown as is."""
    try:
        quorum = parse_quorum(text or "0")
    except QuorumError:
        return text or ""
    if quorum.kind == "none":
        return _("none")
    if quorum.kind == "fraction":
        return _("%(fraction)s of the entitled weight", fraction=format_quorum(quorum))
    return _("weight %(weight)s", weight=format_quorum(quorum))
