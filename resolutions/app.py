"""The application factory: ``create_app`` binds the configuration, the extensions, the
blueprints, the error mapper, the template filters and the CLI (``from resolutions import
create_app`` reaches it)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from resolutions import PROJECT_ROOT
from resolutions.config import load_config
from resolutions.extensions import babel, csrf, db, limiter, login_manager, migrate


def select_locale() -> str:
    """The signed-in user's choice, else the session's, else the browser's, else Russian."""
    languages = ("ru", "en")
    if not has_request_context():  # CLI commands and service calls outside a request
        return "ru"
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    if session.get("locale") in languages:
        return str(session["locale"])
    return request.accept_languages.best_match(languages) or "ru"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("RESOLUTIONS_INSTANCE", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, config)
    if hops := app.config["TRUSTED_PROXY_HOPS"]:
        # The client's address (for the sign-in limits), scheme and host as the proxies saw
        # them. Only as many hops as are really there: more would let a client forge them.
        # (Flask types wsgi_app as a method; its docs wrap it in middleware just so.)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "translations"),
    )
    login_manager.init_app(app)
    login_manager.session_protection = "strong"
    login_manager.login_view = "auth.sign_in"
    # Flask-Login's own flash, in the reader's language (str() renders it at flash time).
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.localize_callback = str

    from resolutions import auth, cli, health, refusals, request_log, web
    from resolutions.filters import register_filters

    # Before any route is added: every <int:...> in a URL is bounded by what the database holds.
    app.url_map.converters["int"] = web.IdConverter
    from resolutions.admin.views import bp as admin_bp
    from resolutions.auth.views import bp as auth_bp
    from resolutions.conferences.views import bp as conferences_bp
    from resolutions.documents.views import bp as documents_bp
    from resolutions.drafting.views import bp as drafting_bp
    from resolutions.voting.views import bp as voting_bp

    auth.init_login(login_manager)
    request_log.init_app(app)
    blueprints = (
        health.bp,
        auth_bp,
        admin_bp,
        conferences_bp,
        drafting_bp,
        voting_bp,
        documents_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    web.init_app(app)
    refusals.init_app(app)
    register_filters(app)
    cli.init_app(app)
    return app
