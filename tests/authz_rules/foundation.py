from tests.authz_rules import ADMIN, ALL, PUBLIC, SIGNED_IN

RULES = {
    "static": PUBLIC,
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    "auth.invitation": PUBLIC,
    "auth.set_language": PUBLIC,
    "auth.change_password": SIGNED_IN,
    "conferences.index": SIGNED_IN,
    "conferences.home": ALL,
    "admin.conferences": ADMIN,
    "admin.create_conference": ADMIN,
}
