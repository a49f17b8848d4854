from tests.authz_rules import ADMIN, ALL, CHAIR_OR_SECRETARIAT, PUBLIC, SECRETARIAT, SIGNED_IN

RULES = {
    "static": PUBLIC,
    # For load balancers and monitoring: states only, no details.
    "health.healthz": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    "auth.invitation": PUBLIC,
    "auth.set_language": PUBLIC,
    "auth.change_password": SIGNED_IN,
    "conferences.index": SIGNED_IN,
    "conferences.home": ALL,
    "conferences.settings": SECRETARIAT,
    "conferences.participants": SECRETARIAT,
    "conferences.participant_new": SECRETARIAT,
    "conferences.participant_edit": SECRETARIAT,
    "conferences.participant_delete": SECRETARIAT,
    "conferences.participant_access": SECRETARIAT,
    "conferences.participant_presence": CHAIR_OR_SECRETARIAT,
    "conferences.stage": CHAIR_OR_SECRETARIAT,
    "conferences.dateline_preview": SECRETARIAT,
    "conferences.participants_import": SECRETARIAT,
    "conferences.participants_import_sample": SECRETARIAT,
    "conferences.participants_invite": SECRETARIAT,
    "conferences.audit_log": SECRETARIAT,
    # The QR code on an access card: sign-in or first password for the holder, check-in for
    # the chair and the secretariat.
    "conferences.card": PUBLIC,
    "admin.conferences": ADMIN,
    "admin.create_conference": ADMIN,
    "admin.archive_conference": ADMIN,
    "admin.delete_conference": ADMIN,
}
