"""A static profile of submitted code: the facts about it that Cedar policies read as context.

``profile_code(source, function_name, inputs)`` parses the code (it never runs it) and reports
what it imports, which risky capabilities it appears to use (files, processes, network,
introspection, dynamic code) and what kind of value the entry-point function seems to return.

This is NOT the security boundary: Python is too dynamic for a static scan to be complete, and
determined code can hide anything from it. The sandbox is the boundary; the profile only lets
policies route honest work (run unattended, or send to review). So the scan is deliberately
simple, leans towards over-reporting, and never raises: source that does not parse gives
``parses=False``, ``output_kind="unknown"`` and no flags.

Output kinds rank by sensitivity: model > image > text > table > unknown > aggregate. A return
annotation the profile recognises decides the kind (it is the author's declaration; the release
gate still checks the real result); otherwise every return value is followed back to the
inputs and the most sensitive kind wins.

This module is the public API: ``profile_code`` and the types and vocabularies it reports in.
The work is done in two modules below it, which never import it: ``code_findings`` (parsing,
imports and findings) and ``output_kind`` (the entry function's output kind). ``CallFinding``,
``FLAG_CATEGORIES``, ``InputHint`` and ``OUTPUT_KINDS`` are defined there and re-exported here;
import them from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

from sealroom.core.policy.code_findings import FLAG_CATEGORIES, CallFinding, imported_modules, parse, scan
from sealroom.core.policy.output_kind import OUTPUT_KINDS, InputHint, output_kind

__all__ = ["ALLOWED_IMPORTS", "FLAG_CATEGORIES", "OUTPUT_KINDS", "CallFinding", "CodeProfile", "InputHint", "profile_code"]

ALLOWED_IMPORTS: frozenset[str] = frozenset(
    "numpy pandas pyarrow math statistics re collections itertools functools operator string json datetime decimal "
    "fractions heapq bisect random typing dataclasses enum unicodedata textwrap difflib PIL torch safetensors sklearn scipy".split()
)


@dataclass(frozen=True)
class CodeProfile:
    parses: bool
    imports: tuple[str, ...]  # sorted unique top-level modules imported anywhere ("." for relative)
    unlisted_imports: tuple[str, ...]  # sorted, those not in ALLOWED_IMPORTS
    flags: tuple[str, ...]  # sorted unique categories of the findings
    findings: tuple[CallFinding, ...]  # sorted by (line, category, name), deduplicated
    output_kind: str  # one of OUTPUT_KINDS
    output_source: str  # "annotation" | "returns" | "none"

    def to_dict(self) -> dict:
        """A JSON-able copy: lists for tuples, findings as dicts."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}


def profile_code(source: str, function_name: str, inputs: Mapping[str, InputHint] | None = None) -> CodeProfile:
    """Profile ``source`` whose entry point is the top-level ``function_name``; never raises.

    ``inputs`` maps the entry point's parameter names to what they receive; parameters without
    a hint are "unknown". Findings cover the whole source, not only the entry point.
    """
    tree = parse(source, "exec")
    if tree is None:
        return CodeProfile(False, (), (), (), (), "unknown", "none")
    imports = imported_modules(tree)
    findings = tuple(sorted(scan(tree), key=lambda f: (f.line, f.category, f.name)))
    kind, kind_source = output_kind(tree, function_name, inputs or {})
    return CodeProfile(
        parses=True,
        imports=imports,
        unlisted_imports=tuple(m for m in imports if m not in ALLOWED_IMPORTS),
        flags=tuple(sorted({f.category for f in findings})),
        findings=findings,
        output_kind=kind,
        output_source=kind_source,
    )
