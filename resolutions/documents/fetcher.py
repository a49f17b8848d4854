"""What WeasyPrint may read while it renders a document: our static files and fonts, nothing else.

WeasyPrint's security notes name the risks of rendering HTML that contains user text: reading
local files (``file://``), reaching internal services (``http://127.0.0.1``, also through
redirects), and embedding any of that as ``<link rel=attachment>``. User text is escaped by the
templates, so it never becomes markup; this fetcher is the second wall. Every document is
rendered with ``base_url=BASE_URL`` and this fetcher, which:

- serves ``resolutions:static/<path>`` from the package's static folder (resolved, and refused
  unless it stays inside that folder) and ``resolutions:fonts/<name>`` from a fixed list of font
  files of the Debian ``fonts-dejavu`` package;
- refuses every other URL (``file:``, ``http(s):``, ``data:``, relative paths, …) by raising, so
  WeasyPrint logs the refusal and leaves the resource out;
- opens no network connection and so follows no redirect.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote

from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "resolutions"
BASE_URL = f"{SCHEME}:static/documents/"
STATIC_ROOT = Path(__file__).resolve().parent.parent / "static"
# Debian's fonts-dejavu (installed by `make system-deps`): DejaVu covers Latin and Cyrillic.
DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = frozenset(
    {
        "DejaVuSerif.ttf",
        "DejaVuSerif-Bold.ttf",
        "DejaVuSerif-Italic.ttf",
        "DejaVuSerif-BoldItalic.ttf",
        "DejaVuSans.ttf",
        "DejaVuSans-Bold.ttf",
        "DejaVuSans-Oblique.ttf",
        "DejaVuSans-BoldOblique.ttf",
    }
)
STATIC_TYPES = {
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ttf": "font/ttf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}


class RefusedResource(ValueError):
    """A document asked for something outside our static files and fonts."""


def static_url(path: str) -> str:
    """The internal URL of a file under ``resolutions/static``."""
    return f"{SCHEME}:static/{path}"


def font_url(name: str) -> str:
    """The internal URL of one of the allowed font files."""
    if name not in FONT_FILES:
        raise RefusedResource(f"unknown font {name!r}")
    return f"{SCHEME}:fonts/{name}"


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads only our static files and our fonts."""

    def __init__(self, static_root: Path = STATIC_ROOT, font_dir: Path = DEFAULT_FONT_DIR) -> None:
        # No redirects, no protocol but ours; the parent's network handlers are never used
        # because ``fetch`` below does not call the parent's.
        super().__init__(allowed_protocols={SCHEME}, allow_redirects=False, fail_on_errors=False)
        self.static_root = static_root.resolve()
        self.font_dir = font_dir
        self.refused: list[str] = []

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        try:
            path = self.resolve(url)
        except RefusedResource:
            self.refused.append(url)
            raise
        media_type = STATIC_TYPES.get(path.suffix.lower()) or (
            mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        )
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})

    def resolve(self, url: str) -> Path:
        """The file behind an internal URL; ``RefusedResource`` for anything else."""
        prefix = f"{SCHEME}:"
        if not url.startswith(prefix):
            raise RefusedResource(f"only {prefix} URLs are served to documents: {url[:80]!r}")
        rest = unquote(url[len(prefix) :].split("?", 1)[0].split("#", 1)[0])
        area, _, name = rest.partition("/")
        if area == "fonts":
            if name not in FONT_FILES:
                raise RefusedResource(f"not an allowed font: {name[:80]!r}")
            path = self.font_dir / name
            if not path.is_file():
                raise RefusedResource(f"font {name!r} is missing: install fonts-dejavu")
            return path
        if area == "static" and name:
            path = (self.static_root / name).resolve()
            if not path.is_relative_to(self.static_root) or not path.is_file():
                raise RefusedResource(f"not a static file: {name[:80]!r}")
            if path.suffix.lower() not in STATIC_TYPES:
                raise RefusedResource(f"not a document resource: {name[:80]!r}")
            return path
        raise RefusedResource(f"unknown internal resource: {rest[:80]!r}")
