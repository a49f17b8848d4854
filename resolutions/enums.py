"""The words of the domain: roles, states, kinds and methods, as enumerations.

Pure: no Flask, no database. The models store them (``resolutions.models`` re-exports every
one), and the pure rules (``resolutions.rules``, ``voting.majority``, ``drafting.text``, the CSV
parser) decide with them without importing the database.
"""

from __future__ import annotations

import enum

# --- conferences ---


class ConferenceState(enum.StrEnum):
    PREPARATION = "preparation"
    DRAFTING = "drafting"
    VOTING = "voting"
    CLOSED = "closed"


class Role(enum.StrEnum):
    SECRETARIAT = "secretariat"
    CHAIR = "chair"
    DELEGATE = "delegate"
    OBSERVER = "observer"


class MajorityMethod(enum.StrEnum):
    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"
    THREE_QUARTERS = "three_quarters"
    ABSOLUTE_OF_ENTITLED = "absolute_of_entitled"


class BallotKind(enum.StrEnum):
    NAMED = "named"
    SECRET = "secret"  # noqa: S105 (a ballot kind, not a password)


class NumberingStyle(enum.StrEnum):
    NUMBERED = "numbered"  # unnumbered preambular clauses, then numbered operative clauses
    PARAGRAPHS = "paragraphs"  # plain unnumbered paragraphs


# --- drafting ---


class ResolutionState(enum.StrEnum):
    DRAFT = "draft"
    ADOPTED = "adopted"  # the text is locked
    REJECTED = "rejected"


class ClauseKind(enum.StrEnum):
    PREAMBULAR = "preambular"
    OPERATIVE = "operative"


class AmendmentKind(enum.StrEnum):
    INSERT = "insert"
    REPLACE = "replace"
    DELETE = "delete"


class AmendmentState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ADMITTED = "admitted"
    OUT_OF_ORDER = "out_of_order"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    OBSOLETE = "obsolete"


class SponsorStatus(enum.StrEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"


# --- voting ---


class PollSubject(enum.StrEnum):
    AMENDMENT = "amendment"
    CLAUSE = "clause"
    RESOLUTION = "resolution"
    PROCEDURAL = "procedural"


class PollState(enum.StrEnum):
    CREATED = "created"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class PollOutcome(enum.StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"


class Choice(enum.StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
