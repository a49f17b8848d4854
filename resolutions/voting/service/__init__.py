"""Polls and ballots: the rules and transactions of voting, no HTTP.

Every function takes plain arguments, checks the rules, changes rows and flushes; the view
commits once. The exception is ``cast_ballot``, which owns its transaction: a ballot is
acknowledged only after its commit, so an acknowledged ballot survives a crash of the worker.

Actors are ``Participant``s (the view's ``me``). Only the chair prepares, opens, closes,
cancels and publishes polls. A refused action raises ``resolutions.errors.DomainError``
(``PermissionDenied`` for a role or object rule: 403) with a translated message that never names a
ballot's choice.

Ballot integrity
----------------
*One ballot per vote.* ``vote_record`` has a unique constraint on (poll, participant): whatever
the Python checks miss (two tabs, two workers, a retried request), the database refuses the
second row. A retry carrying the same idempotency key computes the same receipt (an HMAC of
the key), finds it on the existing row and answers "already recorded" as a success. In a named
poll a second ballot with the same choice is also answered as already recorded; any other
second ballot is refused, unless a named poll allows changes.

*Nothing lost, nothing late.* A cast takes a ``FOR KEY SHARE`` lock on the poll row and
``close_poll``/``cancel_poll`` a ``FOR UPDATE`` lock (PostgreSQL), so a close waits for the
casts in flight and the casts behind it see the poll closed; the cast re-reads the poll state
after writing (SQLite, where the write lock does the same job). Every acknowledged ballot is
in the tally; no ballot is committed after the tally was taken.

*Secret ballot.* See ``secrecy``: nothing stored, and nothing PostgreSQL writes durably (WAL,
archives, base backups, replicas), links a voter to a choice after the poll closes.

The package, in the order its modules build on each other:

- ``_common``: the finished and pending states, the chair's check, the poll lock, labels.
- ``secrecy``: a secret poll's choice rows, written apart from the voter and erased at close.
- ``results``: turnout, the frozen result, who may see it, the chair's voting queue.
- ``ballots``: casting, idempotency and receipts.
- ``polls``: preparing, opening, closing, cancelling and publishing.

Callers import from here (``from resolutions.voting import service``).
"""

from resolutions.voting.service._common import FINISHED, PENDING
from resolutions.voting.service.ballots import Receipt, cast_ballot
from resolutions.voting.service.polls import (
    cancel_poll,
    close_poll,
    create_poll,
    open_poll,
    publish_poll,
)
from resolutions.voting.service.results import (
    HeldVote,
    NamedVote,
    PollResult,
    QueueItem,
    Turnout,
    can_see_result,
    castable,
    last_opened_poll,
    my_votes,
    participant_names,
    poll_now_open,
    poll_result,
    polls_of,
    turnout,
    voting_queue,
)
from resolutions.voting.service.secrecy import box_name, drop_ballot_boxes

__all__ = [
    "FINISHED",
    "PENDING",
    "NamedVote",
    "PollResult",
    "QueueItem",
    "Receipt",
    "Turnout",
    "box_name",
    "can_see_result",
    "cancel_poll",
    "cast_ballot",
    "HeldVote",
    "castable",
    "close_poll",
    "create_poll",
    "last_opened_poll",
    "drop_ballot_boxes",
    "my_votes",
    "participant_names",
    "open_poll",
    "poll_now_open",
    "poll_result",
    "polls_of",
    "publish_poll",
    "turnout",
    "voting_queue",
]
