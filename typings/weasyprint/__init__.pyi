from typing import Any

from weasyprint.css import ColorProfile
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

class HTML:
    def __init__(
        self,
        guess: Any = None,
        filename: str | None = None,
        url: str | None = None,
        file_obj: Any = None,
        string: str | None = None,
        encoding: str | None = None,
        base_url: str | None = None,
        url_fetcher: URLFetcher | None = None,
        media_type: str = "print",
    ) -> None: ...
    def write_pdf(
        self,
        target: None = None,
        zoom: float = 1,
        finisher: Any = None,
        font_config: FontConfiguration | None = None,
        counter_style: Any = None,
        color_profiles: dict[str, ColorProfile] | None = None,
        **options: Any,
    ) -> bytes: ...

class Attachment:
    def __init__(
        self,
        guess: Any = None,
        filename: str | None = None,
        url: str | None = None,
        file_obj: Any = None,
        string: str | None = None,
        base_url: str | None = None,
        url_fetcher: URLFetcher | None = None,
        name: str | None = None,
        description: str | None = None,
        created: Any = None,
        modified: Any = None,
        relationship: str = "Unspecified",
    ) -> None: ...
