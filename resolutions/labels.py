"""Translated names of the domain's enum values, for templates and documents."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

ROLE = {
    "secretariat": _l("Secretariat"),
    "chair": _l("Chair"),
    "delegate": _l("Delegate"),
    "observer": _l("Observer"),
}
CONFERENCE_STATE = {
    "preparation": lazy_pgettext("conference state", "Preparation"),
    "drafting": lazy_pgettext("conference state", "Drafting"),
    # The stored value stays "voting"; the stage is the sitting (votes and all).
    "voting": lazy_pgettext("conference state", "Sitting"),
    "closed": lazy_pgettext("conference state", "Closed"),
}
MAJORITY_METHOD = {
    "simple": _l("Simple majority"),
    "absolute": _l("Absolute majority"),
    "two_thirds": _l("Two-thirds majority"),
    "three_quarters": _l("Three-quarters majority"),
    "absolute_of_entitled": _l("Absolute majority of those entitled to vote"),
}
BALLOT_KIND = {"named": _l("Named ballot"), "secret": _l("Secret ballot")}
AMENDMENT_KIND = {
    "insert": lazy_pgettext("amendment kind", "Insert"),
    "replace": lazy_pgettext("amendment kind", "Replace"),
    "delete": lazy_pgettext("amendment kind", "Delete"),
}
AMENDMENT_STATE = {
    "draft": lazy_pgettext("amendment state", "Draft"),
    "submitted": lazy_pgettext("amendment state", "Submitted"),
    "admitted": lazy_pgettext("amendment state", "Admitted"),
    "out_of_order": lazy_pgettext("amendment state", "Out of order"),
    "adopted": lazy_pgettext("amendment state", "Adopted"),
    "rejected": lazy_pgettext("amendment state", "Rejected"),
    "withdrawn": lazy_pgettext("amendment state", "Withdrawn"),
    "obsolete": lazy_pgettext("amendment state", "Obsolete"),
}
RESOLUTION_STATE = {
    "draft": lazy_pgettext("resolution state", "Draft"),
    "adopted": lazy_pgettext("resolution state", "Adopted"),
    "rejected": lazy_pgettext("resolution state", "Rejected"),
}
CLAUSE_KIND = {
    "preambular": lazy_pgettext("clause kind", "Preambular"),
    "operative": lazy_pgettext("clause kind", "Operative"),
}
POLL_STATE = {
    "created": lazy_pgettext("poll state", "Prepared"),
    "open": lazy_pgettext("poll state", "Open"),
    "closed": lazy_pgettext("poll state", "Closed"),
    "published": lazy_pgettext("poll state", "Published"),
    "cancelled": lazy_pgettext("poll state", "Cancelled"),
}
POLL_OUTCOME = {
    "adopted": lazy_pgettext("poll outcome", "Adopted"),
    "rejected": lazy_pgettext("poll outcome", "Rejected"),
    "no_quorum": lazy_pgettext("poll outcome", "No quorum"),
}
POLL_SUBJECT = {
    "amendment": lazy_pgettext("poll subject", "An amendment"),
    "clause": lazy_pgettext("poll subject", "A clause"),
    "resolution": lazy_pgettext("poll subject", "The resolution as a whole"),
    "procedural": lazy_pgettext("poll subject", "A procedural question"),
}
NUMBERING_STYLE = {
    "numbered": _l("Numbered operative clauses"),
    "paragraphs": _l("Plain paragraphs"),
}
LANGUAGE = {"ru": _l("Russian"), "en": _l("English")}
CHOICE = {
    "yes": lazy_pgettext("ballot choice", "Yes"),
    "no": lazy_pgettext("ballot choice", "No"),
    "abstain": lazy_pgettext("ballot choice", "Abstain"),
}

TABLES = {
    "role_label": ROLE,
    "conference_state_label": CONFERENCE_STATE,
    "majority_label": MAJORITY_METHOD,
    "ballot_kind_label": BALLOT_KIND,
    "amendment_kind_label": AMENDMENT_KIND,
    "amendment_state_label": AMENDMENT_STATE,
    "resolution_state_label": RESOLUTION_STATE,
    "clause_kind_label": CLAUSE_KIND,
    "poll_state_label": POLL_STATE,
    "poll_outcome_label": POLL_OUTCOME,
    "choice_label": CHOICE,
    "poll_subject_label": POLL_SUBJECT,
    "language_label": LANGUAGE,
}


def label(table: Mapping[str, object], value: object) -> str:
    key = getattr(value, "value", value)
    return str(table.get(str(key), key))
