"""Machine-readable license terms attached to a dataset.

The fields are what the policy engine reads (``policy/entities.py`` turns them into the Cedar
``License`` record). Unknown
keys and wrongly typed values are refused, so a typo cannot silently loosen a license. The
defaults are the most restrictive: research only, no commercial use, no training, every
request reviewed.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields
from datetime import date
from typing import Any

from sealroom.core.errors import InvalidInput

PURPOSES = ("research", "education", "commercial-analytics", "model-training", "generative-training")


@dataclass(frozen=True, kw_only=True)
class Payment:
    currency: str = "EUR"
    upfront_minor: int = 0
    per_use_minor: int = 0
    revenue_share_bps: int = 0


@dataclass(frozen=True, kw_only=True)
class LicenseTerms:
    allowed_purposes: tuple[str, ...] = ("research",)
    commercial_use: bool = False
    training_allowed: bool = False
    generative_training_opt_out: bool = True
    revoked: bool = False
    expires: str | None = None
    max_jobs: int | None = None
    min_aggregation_size: int = 10
    human_review_required: bool = True
    dp_epsilon_per_user: float | None = None
    dp_epsilon_per_query: float = 0.5
    attribution: str = ""
    payment: Payment = field(default_factory=Payment)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["allowed_purposes"] = list(self.allowed_purposes)
        return out

    @classmethod
    def from_template(cls, name: str) -> "LicenseTerms":
        """A shipped license template (``policies/licenses/<name>.json``), validated like any license."""
        from sealroom.core.policy.pack import policies_dir

        folder = policies_dir() / "licenses"
        names = sorted(p.stem for p in folder.glob("*.json"))
        if name not in names:
            raise InvalidInput(f"no license template {name!r}; templates: {', '.join(names)}")
        return cls.from_dict(json.loads((folder / f"{name}.json").read_text())["terms"])

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> "LicenseTerms":
        """Validate a license dict (missing keys take the restrictive defaults)."""
        if raw is None:
            return cls()
        if not isinstance(raw, dict):
            raise InvalidInput("license terms must be a JSON object")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InvalidInput(f"unknown license terms {unknown}; known terms are {sorted(known)}")
        values = dict(raw)
        purposes = values.get("allowed_purposes", list(cls.allowed_purposes))
        if not isinstance(purposes, (list, tuple)) or any(p not in PURPOSES for p in purposes):
            raise InvalidInput(f"allowed_purposes must be a list drawn from {list(PURPOSES)}")
        values["allowed_purposes"] = tuple(purposes)
        for name in ("commercial_use", "training_allowed", "generative_training_opt_out", "revoked", "human_review_required"):
            if name in values and not isinstance(values[name], bool):
                raise InvalidInput(f"license term {name} must be true or false")
        for name in ("max_jobs", "min_aggregation_size"):
            if values.get(name) is not None and (not isinstance(values[name], int) or isinstance(values[name], bool) or values[name] < 0):
                raise InvalidInput(f"license term {name} must be a non-negative integer")
        for name in ("dp_epsilon_per_user", "dp_epsilon_per_query"):
            value = values.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 100):
                raise InvalidInput(f"license term {name} must be a positive number of at most 100 (an epsilon)")
            if value is not None:
                values[name] = float(value)
        if values.get("expires") is not None:
            try:
                date.fromisoformat(values["expires"])
            except (TypeError, ValueError):
                raise InvalidInput("license term expires must be an ISO date like 2027-12-31") from None
        payment = values.get("payment", {})
        if not isinstance(payment, dict) or set(payment) - {f.name for f in fields(Payment)}:
            raise InvalidInput("license term payment must be an object with currency, upfront_minor, per_use_minor, revenue_share_bps")
        values["payment"] = Payment(**payment)
        return cls(**values)


MAX_PURPOSE_CHARS = 2000


def check_purpose(purpose, *, missing: str) -> str:
    """A request's purpose, stripped: present (else ``missing`` is the message), short, and naming a licensed purpose."""
    if not isinstance(purpose, str) or not purpose.strip():
        raise InvalidInput(missing)
    if len(purpose) > MAX_PURPOSE_CHARS:
        raise InvalidInput(f"the purpose is longer than {MAX_PURPOSE_CHARS} characters")
    purpose_category(purpose)
    return purpose.strip()


def purpose_category(purpose: str) -> str:
    """The licensed purpose a request's purpose names: ``"research: who speaks most"`` -> ``"research"``.

    A purpose starts with one of ``PURPOSES`` as its first word, optionally followed by free text
    (``:`` by convention) explaining it to the rights holder. Anything else is refused, so every request is decided
    against a purpose the license can name.
    """
    match = re.match(r"\s*([A-Za-z-]+)", purpose or "")
    category = match.group(1).lower() if match else ""
    if category not in PURPOSES:
        raise InvalidInput(f"start the purpose with one of {', '.join(PURPOSES)} (e.g. purpose=\"research: who speaks most\"); got {category or 'nothing'!r}")
    return category
