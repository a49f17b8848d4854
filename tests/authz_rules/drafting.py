"""Who may reach each drafting route (see tests/authz_rules/__init__.py)."""

from tests.authz_rules import ALL, CHAIR, DELEGATE, SECRETARIAT

# Whoever writes text may ask for a live diff: delegates (amendments), the secretariat (edits).
WRITERS = DELEGATE | SECRETARIAT

RULES = {
    # Reading: every member of the conference.
    "drafting.resolutions": ALL,
    "drafting.resolution": ALL,
    "drafting.amendment": ALL,
    "drafting.history": ALL,
    "drafting.text_at": ALL,
    "drafting.consolidated": ALL,
    "drafting.amendment_preview": ALL,
    # The secretariat edits the text directly and rules on amendments.
    "drafting.resolution_create": SECRETARIAT,
    "drafting.clause_new": SECRETARIAT,
    "drafting.clause_edit": SECRETARIAT,
    "drafting.translations": SECRETARIAT,
    "drafting.translation_save": SECRETARIAT,
    "drafting.clause_delete": SECRETARIAT,
    "drafting.clause_move": SECRETARIAT,
    "drafting.import_draft": SECRETARIAT,
    "drafting.import_docx": SECRETARIAT,
    "drafting.amendment_admit": SECRETARIAT,
    "drafting.amendment_out_of_order": SECRETARIAT,
    "drafting.triage_rule": SECRETARIAT,
    "drafting.resolution_settings": SECRETARIAT,
    # The table of amendments: the secretariat rules, the chair reads it.
    "drafting.triage": SECRETARIAT | CHAIR,
    # Delegates (and the chair) propose, co-sponsor, withdraw.
    "drafting.amendment_new": DELEGATE,
    "drafting.amendment_edit": DELEGATE,
    "drafting.amendment_submit": DELEGATE,
    "drafting.amendment_discard": DELEGATE,
    "drafting.amendment_withdraw": DELEGATE,
    "drafting.amendment_invite": DELEGATE,
    "drafting.amendment_respond": DELEGATE,
    "drafting.diff_preview": WRITERS,
    # The chair orders the votes and adopts by general consent.
    "drafting.vote_order": CHAIR,
    "drafting.amendment_adopt": CHAIR,
}
