"""Translated names of the domain's enum values, for templates and documents."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE = {
    "secretariat": _l("Secretariat"),
    "chair": _l("Chair"),
    "delegate": _l("Delegate"),
    "observer": _l("Observer"),
}
CONFERENCE_STATE = {
    "preparation": _l("Preparation"),
    "drafting": _l("Drafting"),
    "voting": _l("Voting"),
    "closed": _l("Closed"),
}
MAJORITY_METHOD = {
    "simple": _l("Simple majority"),
    "absolute": _l("Absolute majority"),
    "two_thirds": _l("Two-thirds majority"),
    "three_quarters": _l("Three-quarters majority"),
    "absolute_of_entitled": _l("Absolute majority of those entitled to vote"),
}
BALLOT_KIND = {"named": _l("Named ballot"), "secret": _l("Secret ballot")}
AMENDMENT_KIND = {"insert": _l("Insert"), "replace": _l("Replace"), "delete": _l("Delete")}
AMENDMENT_STATE = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "admitted": _l("Admitted"),
    "out_of_order": _l("Out of order"),
    "adopted": _l("Adopted"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
    "obsolete": _l("Obsolete"),
}
CLAUSE_KIND = {"preambular": _l("Preambular"), "operative": _l("Operative")}
POLL_STATE = {
    "created": _l("Prepared"),
    "open": _l("Open"),
    "closed": _l("Closed"),
    "published": _l("Published"),
    "cancelled": _l("Cancelled"),
}
POLL_OUTCOME = {
    "adopted": _l("Adopted"),
    "rejected": _l("Rejected"),
    "no_quorum": _l("No quorum"),
}
CHOICE = {"yes": _l("Yes"), "no": _l("No"), "abstain": _l("Abstain")}

TABLES = {
    "role_label": ROLE,
    "conference_state_label": CONFERENCE_STATE,
    "majority_label": MAJORITY_METHOD,
    "ballot_kind_label": BALLOT_KIND,
    "amendment_kind_label": AMENDMENT_KIND,
    "amendment_state_label": AMENDMENT_STATE,
    "clause_kind_label": CLAUSE_KIND,
    "poll_state_label": POLL_STATE,
    "poll_outcome_label": POLL_OUTCOME,
    "choice_label": CHOICE,
}


def label(table: dict[str, object], value: object) -> str:
    key = getattr(value, "value", value)
    return str(table.get(str(key), key))
