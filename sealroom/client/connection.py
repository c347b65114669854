"""``sr.connect``: a data scientist's or rights holder's session with one vault."""

from __future__ import annotations

import os
from typing import Callable

from sealroom.client.datasets import DatasetCatalog
from sealroom.client.http import VaultHTTP
from sealroom.client.remote import RemoteFunction, submit_source
from sealroom.client.requests import Request, RequestQueue
from sealroom.core.errors import InvalidInput

DEFAULT_URL = "http://127.0.0.1:8765"


class RemoteWorkspace:
    """What ``sr.connect`` returns: the catalog, remote functions and requests."""

    def __init__(self, http: VaultHTTP) -> None:
        self._http = http
        self.datasets = DatasetCatalog(http)
        self.requests = RequestQueue(http)
        self.user = http.json("GET", "/api/v1/whoami")

    @property
    def purpose(self) -> str | None:
        """The purpose pointer queries declare when ``.get()`` is not given one, e.g. ``"research: cast sizes"``."""
        return self._http.default_purpose

    @purpose.setter
    def purpose(self, value: str | None) -> None:
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidInput('ws.purpose must be a sentence starting with a licensed purpose, e.g. "research: cast sizes"')
        self._http.default_purpose = value

    def remote(self, **inputs) -> Callable[[Callable], RemoteFunction]:
        """Decorator: ``@ws.remote(plays=ws.datasets["northwind-scripts"])``."""
        if not inputs:
            raise InvalidInput("name at least one dataset input, e.g. @ws.remote(plays=ds)")

        def wrap(fn: Callable) -> RemoteFunction:
            return RemoteFunction(self._http, fn, inputs)

        return wrap

    def submit_source(self, source: str, *, function_name: str, inputs: dict, purpose: str) -> Request:
        """Submit function source text directly (what ``%%remote`` does); inputs map params to datasets or assets."""
        return submit_source(self._http, source, function_name=function_name, inputs=inputs, purpose=purpose)

    def review_widget(self):
        """The review queue as a widget with Approve / Deny buttons, for rights holders (``sealroom.widgets.ReviewView``)."""
        from sealroom.widgets.review import ReviewView  # ipywidgets loads only when asked for

        return ReviewView(self)

    def close(self) -> None:
        self._http.close()

    def __repr__(self) -> str:
        return f"<Sealroom workspace {self._http.url} as {self.user['name']} ({self.user['role']})>"


def connect(url: str | None = None, token: str | None = None, *, timeout: float = 60.0) -> RemoteWorkspace:
    """Connect to a vault; ``url``/``token`` default to $SEALROOM_URL / $SEALROOM_TOKEN."""
    url = url or os.environ.get("SEALROOM_URL") or DEFAULT_URL
    token = token or os.environ.get("SEALROOM_TOKEN")
    if not token:
        raise InvalidInput("no access token: pass sr.connect(url, token) or set SEALROOM_TOKEN")
    return RemoteWorkspace(VaultHTTP(url, token, timeout=timeout))
