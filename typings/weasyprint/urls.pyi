import ssl
from collections.abc import Iterable, Mapping
from typing import Any

class URLFetcherResponse:
    url: str
    status: int
    def __init__(
        self,
        url: str,
        body: str | bytes | None = None,
        headers: Mapping[str, str] | None = None,
        status: int = 200,
        **kwargs: Any,
    ) -> None: ...

class URLFetcher:
    def __init__(
        self,
        timeout: float = 10,
        ssl_context: ssl.SSLContext | None = None,
        http_headers: Mapping[str, str] | None = None,
        allowed_protocols: Iterable[str] | None = None,
        allow_redirects: bool = True,
        fail_on_errors: bool = False,
        **kwargs: Any,
    ) -> None: ...
    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse: ...
