"""Who may reach each route of the sitting (voting)."""

from tests.authz_rules import ALL, CHAIR, CHAIR_OR_SECRETARIAT, DELEGATE

RULES = {
    # The delegate's side (the chair votes too).
    "voting.ballot": DELEGATE,
    "voting.cast": DELEGATE,
    "voting.self_check_in": DELEGATE,
    "voting.proxies": DELEGATE,
    "voting.revoke_proxy": DELEGATE,
    # The chair runs the polls.
    "voting.console": CHAIR,
    "voting.create_poll": CHAIR,
    "voting.create_procedural": CHAIR,
    "voting.open_poll": CHAIR,
    "voting.close_poll": CHAIR,
    "voting.cancel_poll": CHAIR,
    "voting.publish_poll": CHAIR,
    "voting.projector": CHAIR,
    # Attendance: the chair and the secretariat.
    "voting.attendance": CHAIR_OR_SECRETARIAT,
    "voting.set_presence": CHAIR_OR_SECRETARIAT,
    "voting.roll_call": CHAIR_OR_SECRETARIAT,
    # Results and the live channel: every member (what each sees is decided per poll).
    "voting.poll": ALL,
    "voting.record": ALL,
    "voting.live": ALL,
    "voting.events": ALL,
}
