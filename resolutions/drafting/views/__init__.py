"""Drafting pages: the resolutions, the draft as a document, clauses, the import, amendments.

Views parse the form, call ``resolutions.drafting.service`` (which flushes and never commits),
commit once, and answer. A refusal from the service (``resolutions.errors.DomainError``) is
answered by ``resolutions.refusals.refuse``: rolled back, shown next to its field (or as a
message) with 409; a ``PermissionDenied`` (an object-level rule such as "only the proposer")
answers 403.

One blueprint (``drafting``, defined in ``_common``), its routes split by audience:

- ``reading``: the list of resolutions, the draft page, history, the text at a moment, the
  consolidated text, the previews.
- ``clauses``: the secretariat writes the draft: a new resolution, clauses, the import.
- ``amendments``: proposing, co-sponsors, the transitions and rulings, the voting order.
- ``secretariat``: the table of amendments (triage) and the resolution's settings.
- ``translations``: the clauses' texts in the second working language (secretariat).
"""

from resolutions.drafting.views import amendments, clauses, reading, secretariat, translations
from resolutions.drafting.views._common import bp

__all__ = ["amendments", "bp", "clauses", "reading", "secretariat", "translations"]
