"""``RequestStatusView``: where a request stands, kept up to date while it moves.

Contract:

- ``RequestStatusView(request)`` (or ``request.widget()``) shows the request's public status:
  a state badge, purpose, datasets, the decision's outcome and public reasons, the public reason
  of its state, the reviews (verdict, reviewer, note) and, once it ran, a result summary (kind,
  SHA-256, whether a signed receipt exists, the checks the release gate ran). It shows only those
  public fields, whoever holds the request (a rights holder's view of a request carries more; none
  of it is shown), and never the access token.
- Live: unless ``live=False`` or the request is already finished, a daemon thread follows it with
  the vault's long poll (``Request.wait`` on a copy of the request, so the ``Request`` you hold
  is left as it is) and updates the widget at each change, until the request is released,
  withheld, rejected or failed. While it waits for a review it asks again every
  ``review_poll_seconds``.
- ``stop()`` ends the following: no update is made after it returns. The thread itself ends when
  its current poll returns (at most ``poll_seconds`` and the HTTP margin later); ``join()`` waits
  for that. ``close()`` stops and closes the widget.
- The thread never raises. A failed poll becomes one line in ``problem`` (``Kind: public
  message``). A vault that cannot be reached is asked again after a growing pause, up to
  ``retries`` times in a row; any other error (the request is gone, the token no longer valid,
  the workspace closed) stops the following at once. Either way ``problem`` says so.
"""

from __future__ import annotations

import threading
from html import escape

import ipywidgets as widgets

from sealroom.client import render
from sealroom.client.requests import REVIEW, TERMINAL
from sealroom.core.errors import SealroomError
from sealroom.widgets.parts import note, problem, problem_line

NEXT_STEP = {
    "pending_review": "waits for the rights holder's review",
    "release_review": "ran; its result waits for the rights holder's release review",
    "queued": "waits to run", "running": "is running in the sandbox", "checking": "the release gate is checking its result",
    "released": "released: request.result() fetches the value, request.receipt its signed receipt",
    "withheld": "withheld: the result does not leave the vault", "rejected": "was not run", "failed": "failed",
}


class RequestStatusView(widgets.VBox):
    """A request's public status; follows the request live until it is finished (see module doc)."""

    def __init__(self, request, *, live: bool = True, poll_seconds: float = 30.0, review_poll_seconds: float = 2.0, retries: int = 5) -> None:
        self._handle = request.copy()
        self.poll_seconds = poll_seconds
        self.review_poll_seconds = review_poll_seconds
        self.retries = retries
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._shown: dict = self._handle.view
        self._following = live and self._shown["state"] not in TERMINAL
        self.header = widgets.HTML()
        self.details = widgets.HTML()
        self.problem = widgets.HTML()
        super().__init__(children=[self.header, self.details, self.problem])
        self._show(self._handle.view)
        if self._following:
            self._thread = threading.Thread(target=self._follow, name=f"sealroom-status-{self._handle.id}", daemon=True)
            self._thread.start()

    # -- the contract ------------------------------------------------------------------------
    @property
    def state(self) -> str:
        """The state the widget shows."""
        return self._shown["state"]

    @property
    def finished(self) -> bool:
        return self.state in TERMINAL

    @property
    def live(self) -> bool:
        """True while the widget is following the request (not stopped, not finished, thread alive)."""
        return self._thread is not None and self._thread.is_alive() and not self._stopped.is_set()

    def stop(self) -> None:
        """Stop following: no update is made after this returns."""
        self._halt()

    def join(self, timeout: float | None = None) -> bool:
        """Wait up to ``timeout`` seconds for the thread to end; True when it has."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self._thread is None or not self._thread.is_alive()

    def close(self) -> None:
        if hasattr(self, "_lock"):  # also called from __del__, even of a half-built view
            self.stop()
        super().close()

    # -- the thread --------------------------------------------------------------------------
    def _follow(self) -> None:
        failures = 0
        while not self._stopped.is_set():
            try:
                self._handle.wait(self.poll_seconds, through_review=False)
            except Exception as exc:  # noqa: BLE001 - the thread must never raise into the kernel
                failures += 1
                transient = type(exc) is SealroomError  # the client's "cannot reach the vault"
                if not transient or failures > self.retries:
                    self._halt(problem_text=f"{problem_line(exc)} — live updates stopped")
                    break
                pause = min(2.0 ** (failures - 1), 30.0)
                self._update(problem_text=f"{problem_line(exc)} — trying again in {pause:g} s")
                self._stopped.wait(pause)
                continue
            failures = 0
            self._update(view=self._handle.view, problem_text="")
            if self._handle.view["state"] in TERMINAL:
                break
            if self._handle.view["state"] in REVIEW:
                self._stopped.wait(self.review_poll_seconds)

    def _halt(self, *, problem_text: str | None = None) -> None:
        """Stop following once (later calls do nothing), showing ``problem_text`` if given."""
        with self._lock:
            if self._stopped.is_set():
                return
            self._stopped.set()
            if problem_text is not None:
                self.problem.value = problem(problem_text)
            self._show_header()

    def _update(self, *, view: dict | None = None, problem_text: str | None = None) -> None:
        with self._lock:
            if self._stopped.is_set():
                return
            if view is not None:
                self._show(view)
            if problem_text is not None:
                self.problem.value = problem(problem_text)

    # -- rendering ---------------------------------------------------------------------------
    def _show(self, view: dict) -> None:
        self._shown = view
        self._show_header()
        self.details.value = render.fields("", status_items(view))

    def _show_header(self) -> None:
        view = self._shown
        step = NEXT_STEP.get(view["state"], view["state"])
        if self._following and not self.finished:
            step += " · live updates stopped: request.widget() follows it again" if self._stopped.is_set() else " · updating live"
        self.header.value = f"<b>Request {escape(view['id'])}</b> · {escape(view['function_name'])} {render.badge(view['state'])} {note(step)}"


def status_items(view: dict) -> list[tuple[str, object]]:
    """The public fields of a request view, as (label, value) rows for ``render.fields``."""
    decision = view.get("decision") or {}
    items: list[tuple[str, object]] = [
        ("purpose", view["purpose"]), ("datasets", ", ".join(view["datasets"])),
        ("decision", decision.get("outcome") or "—"),
    ]
    for reason in decision.get("reasons") or []:
        items.append(("", f"· {reason}"))
    if view.get("public_reason"):
        items.append(("reason", view["public_reason"]))
    items += render.reviews(view)
    result = view.get("result")
    if result:
        report = result.get("report") or {}
        items.append(("result", f"{result.get('kind') or 'none'}, sha256 {result.get('sha256') or '—'}"))
        items.append(("receipt", "signed receipt issued (request.receipt verifies it)" if result.get("has_receipt") else "none"))
        checks = ", ".join(report.get("checks_run") or []) or "—"
        findings = len(report.get("findings") or [])
        items.append(("release gate", f"checks run: {checks}; findings: {findings} (request.leakage_widget() lists them)"))
    return items
