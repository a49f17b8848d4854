"""The production server as the README starts it, for tests and the benchmark.

The command is read from the README's "Production" section (the line that runs
``gunicorn --config gunicorn.conf.py``), so that what is tested and measured is exactly what
the README tells an operator to run; only the port differs.
"""

from __future__ import annotations

import re
import shlex
import socket
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
_COMMAND = re.compile(r"^ {4}(\S*gunicorn --config gunicorn\.conf\.py .*wsgi:app)$", re.M)


def readme_command() -> list[str]:
    """The README's production command, as words."""
    found = _COMMAND.findall((ROOT / "README.md").read_text())
    if len(found) != 1:
        raise AssertionError(f"the README names {len(found)} production commands, not one")
    return shlex.split(found[0])


def production_command(port: int, app: str = "wsgi:app") -> list[str]:
    """The README's production command on ``127.0.0.1:port`` (``app``: another WSGI app
    started the same way)."""
    words = readme_command()
    words[0] = str(ROOT / ".venv/bin/gunicorn")
    words[words.index("--bind") + 1] = f"127.0.0.1:{port}"
    words[-1] = app
    return words


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
