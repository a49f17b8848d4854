"""``/healthz`` tells a load balancer whether this instance can serve: database and Redis."""

from __future__ import annotations

from resolutions import create_app
from resolutions.extensions import db
from resolutions.throwaway import free_port
from tests import servers


def test_healthy_with_the_database_and_redis(app, client) -> None:
    app.config["REDIS_URL"] = servers.redis_url()
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "database": "ok", "redis": "ok"}
    assert answer.headers["Cache-Control"] == "no-store"


def test_without_redis_configured_the_database_decides(client) -> None:
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_redis_down_is_503(app, client) -> None:
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json == {"status": "unavailable", "database": "ok", "redis": "unavailable"}


def test_database_down_is_503_and_names_no_server(tmp_path) -> None:
    url = f"postgresql+psycopg://someone:hunter2-secret@127.0.0.1:{free_port()}/nothing"
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
        }
    )
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json == {
        "status": "unavailable",
        "database": "unavailable",
        "redis": "not configured",
    }
    assert b"hunter2" not in answer.data and b"127.0.0.1" not in answer.data
    with app.app_context():
        db.engine.dispose()
