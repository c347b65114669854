"""HTML rendering for notebook reprs (escaped: nothing from the vault is trusted markup)."""

from __future__ import annotations

import sys
from html import escape
from typing import Iterable

STATE_COLOURS = {
    "released": "#1a7f37", "withheld": "#9a6700", "rejected": "#cf222e", "failed": "#cf222e",
    "pending_review": "#0969da", "release_review": "#0969da", "queued": "#6e7781", "running": "#6e7781", "checking": "#6e7781",
}


def badge(state: str) -> str:
    colour = STATE_COLOURS.get(state, "#6e7781")
    return f'<span style="background:{colour};color:white;padding:1px 6px;border-radius:8px;font-size:85%">{escape(state)}</span>'


def table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = "".join(f"<th style='text-align:left'>{escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{_cell(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def fields(title: str, items: Iterable[tuple[str, object]]) -> str:
    rows = "".join(f"<tr><th style='text-align:left;vertical-align:top'>{escape(k)}</th><td style='text-align:left'>{_cell(v)}</td></tr>" for k, v in items)
    return f"<div><b>{escape(title)}</b><table>{rows}</table></div>"


def code(source: str) -> "Markup":
    return Markup(f"<pre style='max-height:16em;overflow:auto'>{escape(source)}</pre>")


def decision_records(view: dict) -> list[tuple[str, Markup]]:
    """A reviewer's rows for ``fields``: each whole decision record (compute, release) as a table."""
    items = []
    for stage, record in (("compute", view.get("decision_record")), ("release", view.get("release_decision"))):
        if record:
            rows = [(r["policy_id"], r["effect"], r.get("dataset", ""), r["reason"]) for r in record.get("reasons", [])]
            items.append((f"{stage} decision ({record['outcome']})", Markup(table(["policy", "effect", "dataset", "reason"], rows))))
    return items


def reviews(view: dict) -> list[tuple[str, str]]:
    """Rows for ``fields``: each review's verdict, reviewer and note."""
    return [(f"{review['verdict']} by {review['reviewer']}", review["note"] or "—") for review in view.get("reviews") or []]


def _cell(value: object) -> str:
    return value if isinstance(value, Markup) else escape(str(value))


class Markup(str):
    """A string already escaped/rendered by this module (not escaped again)."""


def in_kernel() -> bool:
    """True inside a Jupyter kernel: an IPython shell with a kernel, so widget comms can open.

    Imports nothing: without IPython already loaded (a plain script) the answer is False.
    """
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) is not None
