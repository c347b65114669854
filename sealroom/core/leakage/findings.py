"""What leakage checks return (``Finding``) and what the release gate reports (``GateReport``).

Every finding has two texts, like ``SealroomError``:

- ``public_message`` is shown to the data scientist. It says which check objected, which limit
  or rule applies and what to do instead. It never quotes private content, item ids or offsets.
- ``private_detail`` stays in the vault for the rights holder, reviewers and the audit log. It may
  quote the matched text and name items and positions.

Severities: ``withhold`` blocks the release; ``review`` asks a rights holder to look (the policy
engine decides what that means); ``info`` is recorded only. A report is *released* only when at
least one check ran and no finding says ``withhold``.

``GateReport.sha256`` hashes the canonical JSON (sorted keys, no whitespace, UTF-8) of
``to_private_dict``: that digest goes into the signed receipt, so the full report can be shown to
be the one the release decision was made on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["withhold", "review", "info"]
SEVERITIES: tuple[Severity, ...] = ("withhold", "review", "info")
REPORT_FORMAT = "sealroom.gate-report/1"


@dataclass(frozen=True)
class Finding:
    """One objection (or note) from one check."""

    check_id: str  # e.g. "verbatim-text", "result-size"
    severity: Severity
    public_message: str  # safe for the data scientist: NEVER contains private text
    private_detail: str = ""  # for the rights holder: may quote matched text, item ids, offsets

    def __post_init__(self) -> None:
        if not isinstance(self.check_id, str) or not self.check_id:
            raise ValueError("a finding needs a non-empty check_id")
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")
        if not isinstance(self.public_message, str) or not isinstance(self.private_detail, str):
            raise ValueError("public_message and private_detail must be strings")

    def to_public_dict(self) -> dict[str, str]:
        return {"check_id": self.check_id, "severity": self.severity, "message": self.public_message}

    def to_private_dict(self) -> dict[str, str]:
        return {**self.to_public_dict(), "detail": self.private_detail}


@dataclass(frozen=True)
class GateReport:
    """The outcome of one inspection: every finding, and the ids of the checks that ran."""

    findings: tuple[Finding, ...]
    checks_run: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(self.findings))
        object.__setattr__(self, "checks_run", tuple(self.checks_run))

    @property
    def released(self) -> bool:
        """True when at least one check ran and no finding says ``withhold``."""
        return bool(self.checks_run) and not any(f.severity == "withhold" for f in self.findings)

    @property
    def needs_review(self) -> bool:
        """True when some finding asks a rights holder to review the result."""
        return any(f.severity == "review" for f in self.findings)

    @property
    def withheld_by(self) -> tuple[str, ...]:
        """Ids of the checks that withheld the result, in order, without repeats."""
        return tuple(dict.fromkeys(f.check_id for f in self.findings if f.severity == "withhold"))

    @property
    def public_reasons(self) -> list[str]:
        """The public messages of the withhold and review findings (in that order), deduplicated."""
        ordered = [f for f in self.findings if f.severity == "withhold"]
        ordered += [f for f in self.findings if f.severity == "review"]
        return list(dict.fromkeys(f.public_message for f in ordered))

    def policy_facts(self) -> dict[str, Any]:
        """What the release policy reads: released, needs_review, ids of checks that found something.

        ``findings`` holds the ids of every finding, ``info`` ones included (e.g.
        ``disclosure-suppressed``), so a dataset policy can send such a result to review.
        """
        return {"released": self.released, "needs_review": self.needs_review, "findings": sorted({f.check_id for f in self.findings})}

    def to_public_dict(self) -> dict[str, Any]:
        """What the data scientist may see: no private details."""
        return {
            "format": REPORT_FORMAT,
            "released": self.released,
            "checks_run": list(self.checks_run),
            "findings": [f.to_public_dict() for f in self.findings],
        }

    def to_private_dict(self) -> dict[str, Any]:
        """Everything, private details included (vault side only)."""
        return {**self.to_public_dict(), "findings": [f.to_private_dict() for f in self.findings]}

    def canonical_json(self) -> bytes:
        """The canonical serialisation of ``to_private_dict`` that ``sha256`` hashes."""
        text = json.dumps(self.to_private_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return text.encode("utf-8")

    def sha256(self) -> str:
        """Hex SHA-256 of ``canonical_json()`` (goes into receipts)."""
        return hashlib.sha256(self.canonical_json()).hexdigest()

    @classmethod
    def from_private_dict(cls, data: dict[str, Any]) -> "GateReport":
        """Rebuild a report from ``to_private_dict`` output (e.g. read back from the store)."""
        if data.get("format") != REPORT_FORMAT:
            raise ValueError(f"not a gate report: format {data.get('format')!r}")
        findings = tuple(
            Finding(f["check_id"], f["severity"], f["message"], f.get("detail", "")) for f in data["findings"]
        )
        return cls(findings=findings, checks_run=tuple(data["checks_run"]))
