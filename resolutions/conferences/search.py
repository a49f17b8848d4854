"""Case-insensitive search that also folds Cyrillic on SQLite.

SQLite's own ``lower()`` only folds ASCII, so "айгерим" would not find "Айгерим". ``folded(x)``
compiles to ``lower(x)`` on PostgreSQL (which folds Unicode) and to a Python-backed
``unicode_lower(x)`` on SQLite, registered on every new SQLite connection.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class folded(FunctionElement[str]):  # noqa: N801 (reads like the SQL function it is)
    type = sa.String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _compile_folded(element: folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(folded, "sqlite")
def _compile_folded_sqlite(element: folded, compiler: Any, **kw: Any) -> str:
    return f"unicode_lower({compiler.process(element.clauses, **kw)})"


def _unicode_lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


@sa.event.listens_for(sa.Engine, "connect")
def _register_unicode_lower(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("unicode_lower", 1, _unicode_lower, deterministic=True)
