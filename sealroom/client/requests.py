"""Request handles: status, waiting, results with receipts — and review for rights holders.

In a notebook, ``request.widget()`` is the request's live status widget and
``request.leakage_widget()`` the release gate's public report (``sealroom.widgets``; ipywidgets is
imported only when one is asked for). Inside a Jupyter kernel a ``Request`` displays as its live
status widget, with its HTML and text reprs alongside for frontends without widgets.
"""

from __future__ import annotations

import time

from sealroom.client import render
from sealroom.client.http import VaultHTTP
from sealroom.core.errors import NotReleased, SealroomError
from sealroom.core.ledger.receipts import verify_receipt
from sealroom.core.results import EncodedResult, decode_result

TERMINAL = {"released", "withheld", "rejected", "failed"}
REVIEW = {"pending_review", "release_review"}


class RequestFailed(SealroomError):
    """A request ended without a released result; the message says why (public reasons only)."""

    code = "request_not_released"


class Request:
    """A submitted computation. ``status`` refreshes from the vault."""

    def __init__(self, http: VaultHTTP, view: dict) -> None:
        self._http = http
        self._view = view
        self.id = view["id"]

    def refresh(self) -> "Request":
        self._view = self._http.json("GET", f"/api/v1/requests/{self.id}")
        return self

    def copy(self) -> "Request":
        """A second handle on the same request (same connection); refreshing or waiting on it leaves this one as is."""
        return Request(self._http, dict(self._view))

    @property
    def status(self) -> str:
        return self.refresh()._view["state"]

    @property
    def view(self) -> dict:
        return self._view

    @property
    def code(self) -> str:
        return self._view["source"]

    @property
    def reason(self) -> str:
        return self._view.get("public_reason") or "; ".join(self._view["decision"]["reasons"])

    def wait(self, timeout: float = 300.0, *, through_review: bool = True) -> "Request":
        """Block until released, withheld, rejected or failed, or timeout.

        With ``through_review=False`` it also returns as soon as the request waits for a review,
        rather than waiting for the rights holder's decision.
        """
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            self._view = self._http.json("GET", f"/api/v1/requests/{self.id}/wait", params={"timeout": max(0.0, min(remaining, 60.0))}, timeout=max(5.0, min(remaining, 60.0) + 10))
            if self._view["state"] in TERMINAL or remaining <= 0:
                return self
            if self._view["state"] in REVIEW:
                if not through_review:
                    return self
                time.sleep(min(0.5, max(remaining, 0)))

    def result(self):
        """The released value (DataFrame, JSON value or PIL image); raises RequestFailed otherwise."""
        self.refresh()
        if self._view["state"] != "released":
            raise RequestFailed(f"request {self.id} has no released result: {self._view['state']} — {self.reason or 'no reason recorded'}")
        response = self._http.raw("GET", f"/api/v1/requests/{self.id}/result")
        return decode_result(EncodedResult(response.headers["X-Sealroom-Result-Kind"], response.content))

    @property
    def receipt(self) -> dict:
        """The signed receipt, verified against the workspace's public key."""
        try:
            signed = self._http.json("GET", f"/api/v1/requests/{self.id}/receipt")
        except NotReleased as exc:
            raise RequestFailed(exc.public_message) from None
        key = self._http.json("GET", "/api/v1/public-key")["public_key"]
        verify_receipt(signed, key)
        return signed

    @property
    def released(self) -> "ReleasedResult":
        """The result together with its verified receipt and the public leakage report."""
        value = self.result()
        return ReleasedResult(value=value, receipt=self.receipt, report=(self._view.get("result") or {}).get("report", {}))

    # rights holder side
    def approve(self, note: str = "") -> "Request":
        self._view = self._http.json("POST", f"/api/v1/requests/{self.id}/approve", json={"note": note})
        return self

    def deny(self, note: str = "") -> "Request":
        self._view = self._http.json("POST", f"/api/v1/requests/{self.id}/deny", json={"note": note})
        return self

    # notebook views
    def widget(self, *, live: bool = True):
        """The status widget (``sealroom.widgets.RequestStatusView``); it follows the request until it is finished unless ``live=False``."""
        from sealroom.widgets.request_status import RequestStatusView  # ipywidgets loads only when asked for

        return RequestStatusView(self, live=live)

    def leakage_widget(self):
        """The release gate's public report on the result (``sealroom.widgets.LeakageReportView``)."""
        from sealroom.widgets.leakage import LeakageReportView  # ipywidgets loads only when asked for

        return LeakageReportView(self)

    def __repr__(self) -> str:
        return f"<Request {self.id} {self._view['function_name']} on {', '.join(self._view['datasets'])}: {self._view['state']}>"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Text and HTML everywhere; inside a Jupyter kernel also the live status widget's view."""
        bundle = {"text/plain": repr(self), "text/html": self._repr_html_()}
        if render.in_kernel():
            widget = None
            try:
                widget = self.widget()
                view = widget._repr_mimebundle_()
            except Exception:  # noqa: BLE001 - a widget that cannot open leaves the HTML, never a formatter traceback
                if widget is not None:
                    widget.stop()  # no live thread behind a widget nobody sees
                return bundle
            bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle

    def _repr_html_(self) -> str:
        view = self._view
        items = [
            ("state", render.Markup(render.badge(view["state"]))), ("function", view["function_name"]),
            ("datasets", ", ".join(view["datasets"])), ("purpose", view["purpose"]),
            ("decision", f"{view['decision']['outcome']}: {'; '.join(view['decision']['reasons'])}"),
        ]
        if view.get("public_reason"):
            items.append(("reason", view["public_reason"]))
        items += render.reviews(view)
        profile = view["decision"].get("code_profile") or {}
        if profile.get("output_kind"):
            items.append(("code profile", f"returns {profile['output_kind']}; flags: {', '.join(profile['flags'] or []) or 'none'}"))
        if view.get("requester"):
            items.append(("requested by", view["requester"]["display_name"]))
        items += render.decision_records(view)
        if view.get("result"):
            items.append(("sandbox", ", ".join(k for k, v in view["result"]["isolation"].items() if v is True)))
        items.append(("code", render.code(view["source"])))
        return render.fields(f"Request {self.id}", items)


class ReleasedResult:
    """A released value with the receipt that proves where it came from."""

    def __init__(self, *, value, receipt: dict, report: dict) -> None:
        self.value = value
        self.receipt = receipt
        self.report = report

    def __repr__(self) -> str:
        body = self.receipt["receipt"]
        return f"<ReleasedResult {body['result']['kind']} of request {body['request_id']}, sha256 {body['result']['sha256'][:12]}…>"

    def _repr_html_(self) -> str:
        body = self.receipt["receipt"]
        value_html = self.value._repr_html_() if hasattr(self.value, "_repr_html_") else render.code(repr(self.value))
        return render.fields(f"Released result of request {body['request_id']}", [
            ("value", render.Markup(value_html)),
            ("result sha256", body["result"]["sha256"]),
            ("datasets", ", ".join(f"{d['dataset']}/{d['asset']} (root {d['items_root'][:12]}…)" for d in body["datasets"])),
            ("checks run", ", ".join(self.report.get("checks_run", [])) or "—"),
            ("sandbox", ", ".join(k for k, v in body["sandbox"].items() if v is True)),
            ("receipt", f"Ed25519 signature verified; audit log index {body['log_index']}"),
        ])


class RequestList(list):
    """A list of requests that renders as a table."""

    def _repr_html_(self) -> str:
        return render.table(["id", "function", "datasets", "state", "purpose"], [
            (r.id, r.view["function_name"], ", ".join(r.view["datasets"]), render.Markup(render.badge(r.view["state"])), r.view["purpose"]) for r in self
        ])


class RequestQueue:
    """``ws.requests``: the requests you may see; ``.pending`` are those waiting for a review."""

    def __init__(self, http: VaultHTTP) -> None:
        self._http = http

    def all(self, state: str | None = None) -> RequestList:
        params = {"state": state} if state else {}
        return RequestList(Request(self._http, v) for v in self._http.json("GET", "/api/v1/requests", params=params))

    @property
    def pending(self) -> RequestList:
        """Requests waiting for a review: to run (``pending_review``) or to release (``release_review``)."""
        return RequestList([*self.all("pending_review"), *self.all("release_review")])

    def __getitem__(self, request_id: str) -> Request:
        return Request(self._http, self._http.json("GET", f"/api/v1/requests/{request_id}"))

    def _repr_html_(self) -> str:
        return self.all()._repr_html_()
