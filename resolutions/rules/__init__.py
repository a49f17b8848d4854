"""Rules of the conference as pure functions: no Flask request and no database.

Each rule has one home here and is called by every service, view and template that needs it:

- ``roles``: which roles a participant's role includes (``has_role``).
- ``visibility``: who sees a poll's result before it is published, and who sees a draft
  amendment.

The quorum's grammar lives beside the majority rules, in ``resolutions.voting.majority``
(``parse_quorum`` / ``format_quorum``).
"""
