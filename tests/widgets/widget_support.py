"""Helpers for the widget tests: submitting requests and reading what a widget shows.

ipywidgets need no kernel: a widget's state is plain Python attributes, so the tests read the
values a frontend would render (``get_state()``) and press buttons with ``click()``.
"""

from __future__ import annotations

import time

import ipywidgets as widgets
import pytest

SCRIPTS = "northwind-scripts"
FIRST_LINE = "def first_line(plays):\n    return plays['line'].iloc[0]\n"  # goes to review; withheld once approved
COUNT = "def line_count(plays):\n    return int(len(plays))\n"  # allowed at once and released


def submit(ws, source: str, purpose: str = "research: look at one line"):
    """Submit a one-input function on the scripts, as ``%%remote`` does."""
    name = source.removeprefix("def ").split("(", 1)[0]
    return ws.submit_source(source, function_name=name, inputs={"plays": ws.datasets[SCRIPTS]}, purpose=purpose)


def shown_texts(widget: widgets.Widget) -> list[str]:
    """Every string a widget and its children hold in their synced state (what a frontend renders)."""
    found: list[str] = []

    def collect(value) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)

    collect(widget.get_state())
    for child in getattr(widget, "children", ()):
        found += shown_texts(child)
    return found


def all_widgets(widget: widgets.Widget) -> list[widgets.Widget]:
    """The widget and every widget below it."""
    return [widget, *(w for child in getattr(widget, "children", ()) for w in all_widgets(child))]


def eventually(predicate, timeout: float = 60.0, message: str = "condition not met") -> None:
    """Wait until ``predicate()`` holds; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{message} within {timeout:g} s")
        time.sleep(0.05)
