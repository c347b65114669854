"""``LeakageReportView``: the release gate's public report on a request's result, as a table.

Contract:

- ``LeakageReportView(request)`` (or ``request.leakage_widget()``) reads the request again from
  the vault (through a copy: the ``Request`` you hold is left as it is) and shows the public
  leakage report, ``view["result"]["report"]``: whether the gate let the result out, the checks
  that ran, and every finding (check, severity, public message), and the public reason of the
  request's state. ``refresh()`` reads it again.
- Only that public report is shown. A rights holder's view of a request also holds the private
  details of the findings (which may quote the matched content); they are never shown here.
- A request without a report (not run yet, refused before running, or failed before the gate)
  shows one line saying why there is none.
"""

from __future__ import annotations

import ipywidgets as widgets

from sealroom.client import render
from sealroom.widgets.parts import note, severity_badge, title

NO_REPORT = {
    "rejected": "it was refused before it ran, so the release gate never inspected a result",
    "failed": "it failed before the release gate could inspect a result",
    "pending_review": "it waits for the rights holder's review; the gate inspects the result after it runs",
}


class LeakageReportView(widgets.VBox):
    """The public leakage report of one request (see the module docstring)."""

    def __init__(self, request) -> None:
        self._handle = request.copy()
        self.report: dict = {}
        self.summary = widgets.HTML()
        self.findings = widgets.HTML()
        super().__init__(children=[self.summary, self.findings])
        self.refresh()

    def refresh(self) -> None:
        """Read the request from the vault and show its report."""
        view = self._handle.refresh().view
        self.report = dict((view.get("result") or {}).get("report") or {})
        heading = title(f"Release gate report for request {view['id']} ({view['function_name']}) ") + render.badge(view["state"])
        if not self.report:
            why = NO_REPORT.get(view["state"], f"it is {view['state']}; the gate inspects the result once the job has run")
            self.summary.value = heading + note(f"No leakage report: {why}.")
            self.findings.value = ""
            return
        released = self.report.get("released")
        verdict = "the gate let the result out" if released else "the gate withheld the result"
        items = [("verdict", verdict), ("checks run", ", ".join(self.report.get("checks_run") or []) or "none")]
        if view.get("public_reason"):
            items.append(("reason", view["public_reason"]))
        self.summary.value = heading + render.fields("", items)
        rows = [(f["check_id"], render.Markup(severity_badge(f["severity"])), f["message"]) for f in self.report.get("findings") or []]
        if rows:
            self.findings.value = title(f"{len(rows)} finding{'s' if len(rows) != 1 else ''}") + render.table(["check", "severity", "message"], rows)
        else:
            self.findings.value = note("No findings: every check passed.")
