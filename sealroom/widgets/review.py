"""``ReviewView``: a rights holder's review queue in a notebook, with Approve and Deny buttons.

Contract:

- ``ReviewView(ws)`` (or ``ws.review_widget()``) signed in as a **rights holder** lists the
  requests that wait for their review (``ws.requests.pending``: to run, ``pending_review``, or to
  release, ``release_review``), oldest first, in ``picker``, with the oldest selected. ``details`` shows the selected one:
  who asked, function, purpose, datasets, the decision's reasons (the whole decision record the
  vault gives its rights holders), the code, and for a release review the result preview the
  vault offers an owner of every dataset the request read.
- ``note`` is the note sent with the verdict; the data scientist reads it. ``approve_button`` and
  ``deny_button`` call ``request.approve(note=...)`` / ``request.deny(note=...)`` on the selected
  request; ``message`` then says what became of it, the note is cleared and the queue read again.
  A refusal from the vault (already reviewed, no longer waiting, not yours) is one line in
  ``message``, never an exception. ``refresh_button`` (``refresh()``) reads the queue again.
- Anyone else (a data scientist, an admin) sees one message saying that only rights holders
  review requests; ``picker``, ``note`` and the buttons are ``None`` and nothing is listed.
"""

from __future__ import annotations

from html import escape

import ipywidgets as widgets

from sealroom.client import render
from sealroom.core.errors import SealroomError
from sealroom.widgets.parts import note, problem, problem_line, title

RIGHTS_HOLDER = "rights_holder"
PREVIEW_CHARS = 2000

AFTER = {
    "queued": "it runs now; the release gate checks its result before anything leaves",
    "released": "its result is released to the data scientist",
    "withheld": "its result stays in the vault; the data scientist reads your note",
    "rejected": "it will not run; the data scientist reads your note",
}


class ReviewView(widgets.VBox):
    """Approve or deny the requests waiting for you (see the module docstring)."""

    def __init__(self, ws) -> None:
        self._ws = ws
        self.user = ws.user
        self.pending: dict = {}
        self.header = widgets.HTML()
        self.message = widgets.HTML()
        self.picker = self.details = self.note = None
        self.approve_button = self.deny_button = self.refresh_button = None
        if self.user.get("role") != RIGHTS_HOLDER:
            self.header.value = title("Review") + note(
                f"Only rights holders review requests. You are signed in as {self.user.get('name')} ({self.user.get('role')}): "
                "the rights holders of the datasets a request reads approve or deny it. "
                "Your own requests: ws.requests.all(); follow one with request.widget().")
            super().__init__(children=[self.header])
            return
        self.picker = widgets.Select(description="waiting", rows=6, layout=widgets.Layout(width="100%"))
        self.details = widgets.HTML()
        self.note = widgets.Textarea(placeholder="A note for the data scientist (they read it): why, or what you would accept instead",
                                     layout=widgets.Layout(width="100%"))
        self.approve_button = widgets.Button(description="Approve", button_style="success", icon="check")
        self.deny_button = widgets.Button(description="Deny", button_style="danger", icon="times")
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh")
        buttons = widgets.HBox([self.approve_button, self.deny_button, self.refresh_button])
        super().__init__(children=[self.header, self.picker, self.details, self.note, buttons, self.message])
        self.picker.observe(lambda change: self._show_selected(), names="value")
        self.approve_button.on_click(lambda _button: self.review(approve=True))
        self.deny_button.on_click(lambda _button: self.review(approve=False))
        self.refresh_button.on_click(lambda _button: self.refresh())
        self.refresh()

    @property
    def selected(self):
        """The selected request, or None."""
        return self.pending.get(self.picker.value) if self.picker is not None else None

    def refresh(self) -> None:
        """Read the queue again; keeps the selection when that request still waits."""
        if self.picker is None:
            return
        keep = self.picker.value
        try:
            requests = sorted(self._ws.requests.pending, key=lambda r: r.view["created_at"])
        except SealroomError as exc:
            self.message.value = problem(f"could not read the queue: {problem_line(exc)}")
            return
        self.pending = {r.id: r for r in requests}
        self.header.value = title(f"Review as {self.user.get('display_name') or self.user.get('name')}") + note(
            f"{len(requests)} request{'s' if len(requests) != 1 else ''} on your datasets wait{'s' if len(requests) == 1 else ''} for your review")
        self.picker.options = [(_label(r), r.id) for r in requests]
        if requests:
            self.picker.value = keep if keep in self.pending else requests[0].id  # else the oldest
        self.approve_button.disabled = self.deny_button.disabled = not requests
        self._show_selected()

    def review(self, *, approve: bool) -> None:
        """Approve or deny the selected request with the note (what the buttons do)."""
        request = self.selected
        if request is None:
            self.message.value = problem("select a request first")
            return
        verb = "approved" if approve else "denied"
        try:
            updated = request.approve(note=self.note.value) if approve else request.deny(note=self.note.value)
        except SealroomError as exc:
            self.message.value = problem(f"request {request.id} was not {verb}: {problem_line(exc)}")
            return
        state = updated.view["state"]
        after = AFTER.get(state, f"it is now {state}")
        self.message.value = (f"You {verb} request {escape(request.id)} ({escape(request.view['function_name'])}): "
                              f"{render.badge(state)} {escape(after)}.")
        self.note.value = ""
        self.refresh()

    def _show_selected(self) -> None:
        request = self.selected
        self.details.value = render.fields(f"Request {request.id}", review_items(request.view)) if request else note("Nothing waits for your review.")


def review_items(view: dict) -> list[tuple[str, object]]:
    """What a reviewer reads before deciding, as (label, value) rows for ``render.fields``."""
    requester = (view.get("requester") or {}).get("display_name", "—")
    items: list[tuple[str, object]] = [
        ("state", render.Markup(render.badge(view["state"]))), ("requested by", requester),
        ("function", view["function_name"]), ("purpose", view["purpose"]), ("datasets", ", ".join(view["datasets"])),
    ]
    items += render.decision_records(view)
    if not view.get("decision_record"):
        decision = view.get("decision") or {}
        items.append(("decision", f"{decision.get('outcome')}: {'; '.join(decision.get('reasons') or [])}"))
    preview = view.get("result_preview")
    if preview:
        items.append(("result preview", render.code(_preview_text(preview))))
    items.append(("code", render.code(view["source"])))
    return items


def _label(request) -> str:
    view = request.view
    who = (view.get("requester") or {}).get("display_name", "?")
    return f"{view['state']} · {view['function_name']} · {who} · {view['purpose'][:60]} · {request.id}"


def _preview_text(preview: dict) -> str:
    if preview.get("kind") == "json":
        return preview.get("text", "")[:PREVIEW_CHARS] + (" …" if preview.get("truncated") else "")
    if preview.get("kind") == "table":
        return f"table of {preview.get('rows')} rows; columns: {', '.join(preview.get('columns', []))}"
    return f"image {preview.get('size')} ({preview.get('mode')})"
