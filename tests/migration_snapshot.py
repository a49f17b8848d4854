"""Data at a migration revision, to test upgrades from it.

``python -m tests.migration_snapshot`` (run it after adding a migration) migrates a new SQLite
database to the head revision, plays the full demo sitting on it and writes every table's rows
to ``tests/migration_data/<head>.json``. ``tests/test_operations_upgrade.py`` loads each such
file into a database at its own revision, upgrades to head and checks the data is all there.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import tempfile
from pathlib import Path
from typing import Any

import sqlalchemy as sa

DATA = Path(__file__).resolve().parent / "migration_data"


def _encode(value: Any) -> Any:
    # Tagged with "$" (JSON columns hold plain dicts); times in UTC without the zone, as
    # SQLite stores them.
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, bytes | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": str(value)}
    return value


def decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((kind, text),) = value.items()
        parse = {
            "$datetime": dt.datetime.fromisoformat,
            "$date": dt.date.fromisoformat,
            "$bytes": base64.b64decode,
            "$decimal": decimal.Decimal,
        }.get(kind)
        if parse is not None:
            return parse(text)
    return value


def read_rows(connection: sa.Connection) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table but Alembic's, in primary-key order, JSON-ready."""
    metadata = sa.MetaData()
    metadata.reflect(connection)
    rows: dict[str, list[dict[str, Any]]] = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        order = list(table.primary_key.columns) or list(table.columns)
        result = connection.execute(sa.select(table).order_by(*order))
        rows[table.name] = [
            {key: _encode(value) for key, value in row._mapping.items()} for row in result
        ]
    return rows


def write_snapshot() -> Path:
    from flask_migrate import upgrade

    from resolutions import create_app
    from resolutions.extensions import db
    from tests.objects.sitting import full_demo_sitting

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/snapshot.sqlite",
                "SECRET_KEY": "snapshot",
                "TESTING": True,
                "SERVER_NAME": "localhost",
            }
        )
        with app.app_context():
            upgrade()
            full_demo_sitting()
            db.session.remove()
            with db.engine.connect() as connection:
                head = connection.execute(sa.text("SELECT version_num FROM alembic_version"))
                revision = head.scalar_one()
                rows = read_rows(connection)
            db.engine.dispose()
    DATA.mkdir(exist_ok=True)
    path = DATA / f"{revision}.json"
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=0, sort_keys=True) + "\n")
    return path


if __name__ == "__main__":
    print(f"wrote {write_snapshot()}")
