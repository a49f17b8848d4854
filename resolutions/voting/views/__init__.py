"""The sitting: ballots, the chair's console, attendance, proxies, projector, results, live.

Views parse the form, call the voting service (which holds every rule) and commit once; the
live channel (``live.py``) tells open pages that something changed.

One blueprint (``voting``, defined in ``_common``), its routes split by audience:

- ``ballot``: the delegate: the ballot, casting, checking in, proxies.
- ``console``: the chair's console: polls created, opened, closed, cancelled, published.
- ``presence``: attendance and the roll call (chair and secretariat).
- ``results``: the projector, a poll's page, the record.
- ``channel``: the live channel (JSON state and server-sent events).
"""

from resolutions.voting.views import ballot, channel, console, presence, results
from resolutions.voting.views._common import bp

__all__ = ["ballot", "bp", "channel", "console", "presence", "results"]
