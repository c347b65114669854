"""The ``result-size`` check: type, size and shape limits (no raw-record-shaped outputs).

Contract: for any subject kind, one ``withhold`` finding per limit exceeded, each public message
naming the measured size, the limit and what to do instead:

===============================  ===========================  ==================================
measured                         limit (``GateConfig``)        advice
===============================  ===========================  ==================================
encoded payload bytes            ``max_result_bytes``          aggregate, sample, fewer columns
table rows / columns             ``max_table_rows`` /          aggregate (groupby) or sample /
                                 ``max_table_columns``         select columns
image width x height             ``max_image_pixels``          downsize (``Image.thumbnail``)
longest JSON list holding text   ``max_table_rows``            aggregate or sample
===============================  ===========================  ==================================

A JSON list counts as record-shaped when it holds a string anywhere inside it (a list of
records, of strings, of rows); purely numeric lists (histograms, vectors, matrices) are bounded
by the byte limit only. The byte limit is measured on the encoded payload, so it also applies
when the gate could not decode the result (``needs_value`` is False). Sizes are the data
scientist's own facts, so naming them leaks nothing.
"""

from __future__ import annotations

from typing import Any

from sealroom.core.leakage.findings import Finding
from sealroom.core.leakage.gate import CheckContext, Subject, register_check


@register_check
class ResultSizeCheck:
    """Withholds results over the byte, row, column, pixel or record-list limits."""

    check_id = "result-size"
    kinds = frozenset({"json", "table", "image", "text"})
    needs_value = False

    def check(self, subject: Subject, context: CheckContext) -> list[Finding]:
        cfg = context.config
        what = "the text" if subject.kind == "text" else "the result"
        findings = []
        if subject.size_bytes > cfg.max_result_bytes:
            findings.append(self._finding(
                f"{what} is {_megabytes(subject.size_bytes)}, over the {_megabytes(cfg.max_result_bytes)} limit; "
                "aggregate or sample it, or return fewer columns",
                f"payload bytes={subject.size_bytes}, limit={cfg.max_result_bytes}",
            ))
        if not subject.decoded:
            return findings
        if subject.kind == "table":
            rows, columns = subject.value.shape
            if rows > cfg.max_table_rows:
                findings.append(self._finding(
                    f"the table has {rows:,} rows, over the limit of {cfg.max_table_rows:,}; "
                    "aggregate it first (e.g. groupby) or return a sample of rows",
                    f"rows={rows}, limit={cfg.max_table_rows}",
                ))
            if columns > cfg.max_table_columns:
                findings.append(self._finding(
                    f"the table has {columns:,} columns, over the limit of {cfg.max_table_columns:,}; "
                    "select or aggregate columns",
                    f"columns={columns}, limit={cfg.max_table_columns}",
                ))
        elif subject.kind == "image":
            width, height = subject.value.size
            if width * height > cfg.max_image_pixels:
                findings.append(self._finding(
                    f"the image is {width}x{height} = {width * height:,} pixels, over the limit of "
                    f"{cfg.max_image_pixels:,}; downsize it (e.g. image.thumbnail((1024, 1024)))",
                    f"width={width}, height={height}, limit={cfg.max_image_pixels}",
                ))
        elif subject.kind == "json":
            longest = _longest_text_list(subject.value, cfg.max_table_rows)
            if longest > cfg.max_table_rows:
                findings.append(self._finding(
                    f"the result holds a list of {longest:,} text-bearing items, over the limit of "
                    f"{cfg.max_table_rows:,} records; aggregate first or return a sample",
                    f"longest list containing strings={longest}, limit={cfg.max_table_rows}",
                ))
        return findings

    def _finding(self, message: str, detail: str) -> Finding:
        return Finding(self.check_id, "withhold", f"{message} ({self.check_id} check)", detail)


def _megabytes(size: int) -> str:
    return f"{size / 1024**2:.1f} MiB"


def _longest_text_list(value: Any, limit: int) -> int:
    """Length of the longest list over ``limit`` that holds a string somewhere (0 if none)."""
    longest = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list):
            if len(node) > max(limit, longest) and _holds_string(node):
                longest = len(node)
            stack.extend(item for item in node if isinstance(item, (list, dict)))
    return longest


def _holds_string(value: Any) -> bool:
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            return True
        if isinstance(node, dict):
            if node:
                return True  # JSON object keys are strings
        elif isinstance(node, list):
            stack.extend(node)
    return False
