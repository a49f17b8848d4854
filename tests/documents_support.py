"""Helpers for the documents tests: a listening socket that counts connections, PDF readers."""

from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

from pypdf import PdfReader

from tests.objects.app import ARTIFACTS

# What an attacker would type into a clause, a justification or a name (it fits the 200
# characters of a name).
HOSTILE = (
    '<img src="file:///etc/passwd">'
    '<link rel="attachment" href="file:///etc/passwd">'
    "<style>@import url(http://127.0.0.1:{port}/x)</style>"
    '<i style="background:url(http://127.0.0.1:{port}/y)">css</i>'
)


class Listener:
    """A TCP socket on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port: int = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def pdf_text(pdf: bytes, layout: bool = True) -> str:
    """The text of the PDF as ``pdftotext`` (poppler) extracts it."""
    args = ["pdftotext", "-enc", "UTF-8"] + (["-layout"] if layout else []) + ["-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def flat(text: str) -> str:
    """Words broken by automatic hyphenation (U+2010 at a line end) joined again, whitespace
    collapsed (justified lines and line breaks), for phrase searches."""
    return re.sub(r"\s+", " ", re.sub(r"\u2010\s*\n\s*", "", text)).strip()


def squeezed(text: str) -> str:
    """All whitespace removed: lines may break inside a URL ("file:///etc/" / "passwd")."""
    return re.sub(r"\s+", "", re.sub(r"\u2010\s*\n\s*", "", text))


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[dict[str, str]]:
    """``pdffonts`` rows as dicts: name, type, emb, sub, uni."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        # name, type (1-2 words), encoding, emb, sub, uni, object, id
        rows.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return rows


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def embedded_files(pdf: bytes) -> dict[str, list[bytes]]:
    """Attachments of the document and file-attachment annotations of its pages."""
    doc = reader(pdf)
    found = dict(doc.attachments)
    for page in doc.pages:
        for annotation in page.get("/Annots") or []:
            obj = annotation.get_object()
            if obj.get("/Subtype") == "/FileAttachment":
                found.setdefault("annotation", []).append(b"")
    return found


def save_pngs(pdf: bytes, name: str, resolution: int = 60) -> list[Path]:
    """Render every page to ``test-artifacts/<name>-<n>.png`` with ``pdftoppm``."""
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(resolution), str(source), str(ARTIFACTS / name)],
        check=True,
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def poppler_available() -> bool:
    return all(shutil.which(tool) for tool in ("pdftotext", "pdffonts", "pdftoppm"))
