"""The document fetcher reads our static files and fonts and refuses everything else."""

from __future__ import annotations

import pytest

from resolutions.documents.fetcher import (
    BASE_URL,
    RefusedResource,
    StaticOnlyFetcher,
    font_url,
    static_url,
)
from resolutions.documents.render import DocumentFontsMissing, css_string, html_to_pdf
from tests.documents_support import HOSTILE, Listener, embedded_files, flat, pdf_text


@pytest.fixture
def listener():
    listening = Listener()
    yield listening
    listening.close()


def test_serves_the_print_stylesheet_and_the_fonts():
    fetcher = StaticOnlyFetcher()
    css = fetcher.fetch(static_url("documents/print.css"))
    assert css.content_type == "text/css"
    assert b"@font-face" in css.read()
    font = fetcher.fetch(font_url("DejaVuSerif.ttf"))
    assert font.content_type == "font/ttf"
    assert font.read(4) == b"\x00\x01\x00\x00"  # a TrueType file


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "http://127.0.0.1:9/x",
        "https://example.org/x.css",
        "data:text/css,body{color:red}",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://127.0.0.1/x",
        "/etc/passwd",
        "../../../etc/passwd",
        "resolutions:static/../../../../etc/passwd",
        "resolutions:static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "resolutions:static/../documents/fetcher.py",
        "resolutions:static/js/",
        "resolutions:fonts/../../../etc/passwd",
        "resolutions:fonts/DejaVuSansMono.ttf",
        "resolutions:fonts/",
        "resolutions:etc/passwd",
        "resolutions:",
        "resolutions://127.0.0.1/x",
    ],
)
def test_refuses_anything_else(url):
    fetcher = StaticOnlyFetcher()
    with pytest.raises(RefusedResource):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_unknown_font_is_refused_when_building_its_url():
    with pytest.raises(RefusedResource):
        font_url("../../etc/passwd")


def test_missing_font_directory_is_a_clear_refusal(tmp_path):
    fetcher = StaticOnlyFetcher(font_dir=tmp_path)
    with pytest.raises(RefusedResource, match="fonts-dejavu"):
        fetcher.fetch(font_url("DejaVuSerif.ttf"))


def test_rendering_without_the_fonts_fails_loudly(tmp_path):
    html = '<html><head><link rel="stylesheet" href="resolutions:static/documents/print.css">'
    html += "</head><body><p>Текст</p></body></html>"
    with pytest.raises(DocumentFontsMissing, match="fonts-dejavu"):
        html_to_pdf(html, StaticOnlyFetcher(font_dir=tmp_path))
    assert html_to_pdf(html, StaticOnlyFetcher()).startswith(b"%PDF-")


def test_css_string_escapes_everything_but_letters_and_digits():
    text = css_string('Page "1" </style><script>; }\\ Страница')
    assert text.startswith('"') and text.endswith('"')
    inner = text[1:-1]
    assert set(inner) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\\")
    assert "Page" in inner


def test_raw_hostile_markup_reads_nothing_and_embeds_nothing(listener):
    """Even if markup got past the templates' escaping, WeasyPrint would fetch nothing."""
    hostile = HOSTILE.format(port=listener.port)
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>
      <link rel="stylesheet" href="http://127.0.0.1:{listener.port}/sheet.css">
      <link rel="attachment" href="file:///etc/hostname">
      <style>@import "http://127.0.0.1:{listener.port}/import.css";
             @font-face {{ font-family: X; src: url(http://127.0.0.1:{listener.port}/f.ttf) }}
             body {{ background: url(file:///etc/passwd) }}</style></head>
      <body><p>visible text</p>{hostile}
      <img src="http://127.0.0.1:{listener.port}/img.png">
      <img src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E">
      <object data="file:///etc/passwd"></object><embed src="file:///etc/passwd">
      <iframe src="http://127.0.0.1:{listener.port}/frame"></iframe>
      <svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>
      <a rel="attachment" href="file:///etc/passwd">attached</a>
      <base href="file:///etc/"><img src="passwd"></body></html>"""
    fetcher = StaticOnlyFetcher()
    pdf = html_to_pdf(html, fetcher)
    assert listener.connections == 0
    assert embedded_files(pdf) == {}
    text = flat(pdf_text(pdf))
    assert "visible text" in text
    assert "root:" not in text
    refused = " ".join(fetcher.refused)
    for url in (
        "file:///etc/passwd",
        "file:///etc/hostname",
        f"http://127.0.0.1:{listener.port}/sheet.css",
        f"http://127.0.0.1:{listener.port}/img.png",
        "data:image/svg+xml",
    ):
        assert url in refused, url


def test_base_url_is_the_internal_scheme():
    assert BASE_URL.startswith("resolutions:")
