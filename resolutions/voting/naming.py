"""One name for each poll, derived from its subject when it is shown, in the reader's language.

The poll's stored ``title`` is kept as the audit log's record of what was announced (in the
language of the chair who created it); pages, the projector and the documents name a poll
with ``poll_label``, so that an amendment reads the same in the queue, on the ballot, on the
projector and in the record, and an English reader never sees a Russian title. Only a
procedural question, whose title the chair typed, is shown as typed.
"""

from __future__ import annotations

from flask_babel import gettext as _

from resolutions.extensions import db
from resolutions.models import Amendment, Clause, Poll, PollSubject, Resolution


def poll_label(poll: Poll) -> str:
    """ "A-2: delete operative clause 2", "Separate vote on operative clause 3", "The
    resolution as a whole: …", or the procedural question's own title."""
    from resolutions.drafting import service as drafting

    if poll.subject == PollSubject.AMENDMENT and poll.amendment_id is not None:
        amendment = db.session.get(Amendment, poll.amendment_id)
        if amendment is not None:
            # Clauses are named as they were numbered when the poll opened (the current text
            # for a poll not opened yet): the record keeps the name the room voted under.
            numbered = {c.clause_id: c for c in drafting.text_at_poll(poll)}
            return drafting.amendment_label(amendment, numbered)
    if poll.subject == PollSubject.CLAUSE and poll.clause_id is not None:
        clause = db.session.get(Clause, poll.clause_id)
        if clause is not None:
            style = clause.resolution.numbering_style
            for entry in drafting.text_at_poll(poll):
                if entry.clause_id == clause.id:
                    reference = drafting.clause_reference(entry, style)
                    return _("Separate vote on %(clause)s", clause=reference)
    if poll.subject == PollSubject.RESOLUTION and poll.resolution_id is not None:
        voted = db.session.get(Resolution, poll.resolution_id)
        if voted is not None:
            return _("The resolution as a whole: %(title)s", title=voted.title)
    return poll.title
