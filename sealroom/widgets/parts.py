"""Small pieces the views share: one-line problems, notes and severity badges, all escaped.

The HTML helpers of ``sealroom.client.render`` (``badge``, ``table``, ``fields``, ``code``) do the
escaping of anything that came from the vault; this module adds what only the widgets need.
"""

from __future__ import annotations

from html import escape

from sealroom.core.errors import SealroomError

SEVERITY_COLOURS = {"withhold": "#cf222e", "review": "#0969da", "info": "#6e7781"}
MAX_PROBLEM_CHARS = 300


def problem_line(exc: BaseException) -> str:
    """``Kind: message`` on one line, for showing in a widget.

    A ``SealroomError`` contributes its ``public_message`` only (never ``detail``); anything else
    its class name and the first line of its text, cut at ``MAX_PROBLEM_CHARS``.
    """
    message = exc.public_message if isinstance(exc, SealroomError) else str(exc)
    first = (message.strip().splitlines() or [""])[0]
    if len(first) > MAX_PROBLEM_CHARS:
        first = first[: MAX_PROBLEM_CHARS - 1] + "…"
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def note(text: str, *, colour: str = "#57606a") -> str:
    """A short escaped paragraph in ``colour``."""
    return f"<div style='color:{colour};margin:2px 0'>{escape(text)}</div>"


def problem(text: str) -> str:
    """An escaped one-line problem, in red; empty text gives an empty string."""
    return note(text, colour="#cf222e") if text else ""


def severity_badge(severity: str) -> str:
    colour = SEVERITY_COLOURS.get(severity, "#6e7781")
    return f'<span style="background:{colour};color:white;padding:1px 6px;border-radius:8px;font-size:85%">{escape(severity)}</span>'


def title(text: str) -> str:
    return f"<b>{escape(text)}</b>"
