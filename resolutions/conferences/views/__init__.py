"""Conference pages: one's conferences, a conference's home, and the secretariat's pages
(settings, participants, CSV import, access, audit log), plus the public access card.

One blueprint (``conferences``, defined in ``_common``), its routes split by audience:

- ``home``: one's conferences, the conference's home (dashboard), moving the stage.
- ``settings``: the conference's settings (secretariat).
- ``participants``: the participants, invitations, access and presence (secretariat).
- ``importing``: the CSV import of participants (secretariat).
- ``log``: the audit log (secretariat).
- ``card``: the public access card.
"""

from resolutions.conferences.views import card, home, importing, log, participants, settings
from resolutions.conferences.views._common import bp
from resolutions.conferences.views.participants import invitation_link, send_invitations

__all__ = [
    "bp",
    "card",
    "home",
    "importing",
    "invitation_link",
    "log",
    "participants",
    "send_invitations",
    "settings",
]
