"""Who may reach each route. Every area keeps its own table; the matrix test merges them.

A rule is one of:
- ``PUBLIC``: anyone, signed in or not;
- ``SIGNED_IN``: any signed-in user;
- ``ADMIN``: site administrators only;
- a set of roles: members of the conference with one of these roles (the chair implies
  delegate); anonymous users are sent to sign in, members of another conference get 404.
  A site administrator who is no member acts as the secretariat: allowed wherever the set
  holds "secretariat", refused elsewhere.
Methods: the rule applies to every method the route accepts.
"""

from __future__ import annotations

PUBLIC = "public"
SIGNED_IN = "signed-in"
ADMIN = "admin"

ALL = frozenset({"secretariat", "chair", "delegate", "observer"})
SECRETARIAT = frozenset({"secretariat"})
CHAIR = frozenset({"chair"})
DELEGATE = frozenset({"delegate", "chair"})  # the chair may do what a delegate may
CHAIR_OR_SECRETARIAT = frozenset({"chair", "secretariat"})
