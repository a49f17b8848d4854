"""Configuration defaults. ``instance/config.py`` and environment variables override them.

Nothing here reads the environment at import time: ``load_config`` does, inside the factory.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask


class DefaultConfig:
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a delegate may keep a form open through a long sitting
    BABEL_DEFAULT_LOCALE = "ru"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = ("ru", "en")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = False
    # Only failed sign-ins count. Per account from one address (a guesser slows down only
    # their own attempts), and a generous limit per address against password spraying.
    SIGN_IN_FAILURES_PER_ACCOUNT = "10 per 15 minutes"
    SIGN_IN_FAILURES_PER_ADDRESS = "100 per 15 minutes"
    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host.
    TRUSTED_PROXY_HOPS = 0
    REDIS_URL: str | None = None
    PRODUCTION = False
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024
    INVITATION_DAYS = 14
    LOG_LEVEL = "INFO"
    LOG_FORMAT = "text"  # or "json": one object per line
    # E-mail (see resolutions/mail.py and the README). MAIL_BACKEND defaults to "smtp" when
    # MAIL_HOST is set, else to "file" (messages written to MAIL_DIR, instance/mail).
    MAIL_BACKEND: str | None = None
    MAIL_HOST: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_TLS = "starttls"  # "starttls", "ssl" or "none"
    MAIL_SENDER = "resolutions <noreply@localhost>"
    MAIL_DIR: str | None = None
    MAIL_TIMEOUT = 15


MAIL_SETTINGS = (
    "MAIL_BACKEND",
    "MAIL_HOST",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_TLS",
    "MAIL_SENDER",
    "MAIL_DIR",
)


def _secret_key(app: Flask) -> str:
    """The key from the environment, else one generated into instance/ (not in production)."""
    key = os.environ.get("SECRET_KEY") or app.config.get("SECRET_KEY")
    if key:
        return key
    if app.config["PRODUCTION"]:
        raise RuntimeError(
            "SECRET_KEY must be set in production (environment or instance/config.py)"
        )
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    env = os.environ
    if env.get("RESOLUTIONS_PRODUCTION", "").lower() in {"1", "true", "yes"}:
        app.config["PRODUCTION"] = True
    if env.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(env["DATABASE_URL"])
    if env.get("REDIS_URL"):
        app.config["REDIS_URL"] = env["REDIS_URL"]
    if env.get("TRUSTED_PROXY_HOPS"):
        app.config["TRUSTED_PROXY_HOPS"] = env["TRUSTED_PROXY_HOPS"]
    for name in ("LOG_LEVEL", "LOG_FORMAT", *MAIL_SETTINGS):
        if env.get(name):
            app.config[name] = env[name]
    if overrides:
        app.config.update(overrides)
    _mail_defaults(app)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI",
        "sqlite:///" + str(Path(app.instance_path) / "resolutions.sqlite"),
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # Per server process. A gevent worker serves hundreds of requests at once, each holding
        # a connection from its first query to its commit; with SQLAlchemy's default of 15, a
        # thousand ballots arriving together on a loaded machine waited out the pool's 30 s.
        # 30 per worker, two workers: 60 of PostgreSQL's default 100 connections. A request
        # that still finds none waits as long as a browser does rather than answer 500: a late
        # receipt is better than a ballot refused for want of a connection.
        options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
        options.setdefault("pool_timeout", 120)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if app.config["PRODUCTION"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config["TRUSTED_PROXY_HOPS"] = _proxy_hops(app.config["TRUSTED_PROXY_HOPS"])
    app.config["SECRET_KEY"] = _secret_key(app)


def _proxy_hops(value: object) -> int:
    try:
        hops = int(str(value).strip())
    except ValueError:
        hops = -1
    if hops < 0:
        raise RuntimeError(f"TRUSTED_PROXY_HOPS must be a whole number 0 or more, not {value!r}")
    return hops


def _mail_defaults(app: Flask) -> None:
    config = app.config
    if not config["MAIL_BACKEND"]:
        config["MAIL_BACKEND"] = "smtp" if config["MAIL_HOST"] else "file"
    if config["MAIL_BACKEND"] not in ("smtp", "file"):
        raise RuntimeError("MAIL_BACKEND must be smtp or file")
    if config["MAIL_TLS"] not in ("starttls", "ssl", "none"):
        raise RuntimeError("MAIL_TLS must be starttls, ssl or none")
    if config["MAIL_BACKEND"] == "smtp" and not config["MAIL_HOST"]:
        raise RuntimeError("MAIL_BACKEND=smtp needs MAIL_HOST")
    config["MAIL_DIR"] = config["MAIL_DIR"] or str(Path(app.instance_path) / "mail")


def _normalise_db_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
