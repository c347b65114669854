"""The three fictional rights holders of the Northwind franchise and their license terms.

Each holder owns one demo dataset and offers it under deliberately different terms, so the demo
and the teaching notebooks can show the policy engine allowing, reviewing and refusing the same
kind of request depending on whose content it touches. License dicts are plain JSON-able data
with the same keys for every holder (see `LICENSE_KEYS`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from sealroom.core.catalog.license import LicenseTerms, Payment

LICENSE_KEYS = tuple(f.name for f in fields(LicenseTerms))
PAYMENT_KEYS = tuple(f.name for f in fields(Payment))


@dataclass(frozen=True)
class RightsHolder:
    handle: str  # lowercase slug, used as the holder's user name
    display_name: str
    license: dict  # keys: LICENSE_KEYS


@dataclass(frozen=True)
class DemoDataset:
    name: str
    holder: str  # RightsHolder.handle
    kind: str  # "table" | "texts" | "images"
    paths: tuple[Path, ...]  # one asset per path; asset name = file stem
    description: str
    public_columns: tuple[str, ...] = ()  # table columns whose values may appear in the mock
    text_columns: tuple[str, ...] = ()  # table columns holding licensed text


def _payment(upfront: int, per_use: int, share_bps: int) -> dict[str, Any]:
    return {"currency": "EUR", "upfront_minor": upfront, "per_use_minor": per_use,
            "revenue_share_bps": share_bps}


STUDIO = RightsHolder(
    handle="harbor-light",
    display_name="Harbor Light Studios",
    license={
        # Scripts may be studied and taught, never trained on; a TDM reservation for generative AI.
        "allowed_purposes": ["research", "education"],
        "commercial_use": False,
        "training_allowed": False,
        "generative_training_opt_out": True,
        "revoked": False,
        "expires": "2028-12-31",
        "max_jobs": 500,
        "min_aggregation_size": 10,
        "human_review_required": False,
        "dp_epsilon_per_user": None,
        "dp_epsilon_per_query": 0.5,
        "attribution": "Northwind scripts (c) Harbor Light Studios. Used under licence.",
        "payment": _payment(upfront=50_000, per_use=200, share_bps=0),
    },
)

PUBLISHER = RightsHolder(
    handle="tidewater-press",
    display_name="Tidewater Press",
    license={
        # Stories may be used to train (non-generative) models, commercially, after human review.
        "allowed_purposes": ["research", "model-training", "commercial-analytics"],
        "commercial_use": True,
        "training_allowed": True,
        "generative_training_opt_out": False,
        "revoked": False,
        "expires": None,
        "max_jobs": None,
        "min_aggregation_size": 5,
        "human_review_required": True,
        "dp_epsilon_per_user": None,
        "dp_epsilon_per_query": 0.5,
        "attribution": "Tales of Northwind, Tidewater Press.",
        "payment": _payment(upfront=0, per_use=500, share_bps=250),
    },
)

COLLECTIVE = RightsHolder(
    handle="gullwing-collective",
    display_name="Gullwing Art Collective",
    license={
        # Portraits are free for the classroom and nothing else.
        "allowed_purposes": ["education"],
        "commercial_use": False,
        "training_allowed": False,
        "generative_training_opt_out": True,
        "revoked": False,
        "expires": "2027-06-30",
        "max_jobs": 100,
        "min_aggregation_size": 3,
        "human_review_required": True,
        "dp_epsilon_per_user": None,
        "dp_epsilon_per_query": 0.5,
        "attribution": "Portraits of Northwind by the Gullwing Art Collective (CC-style, education only).",
        "payment": _payment(upfront=0, per_use=0, share_bps=0),
    },
)

HOLDERS: tuple[RightsHolder, ...] = (STUDIO, PUBLISHER, COLLECTIVE)


def manifest_json(root: Path, holders: tuple[RightsHolder, ...], datasets: tuple[DemoDataset, ...],
                  *, seed: int) -> str:
    """The human-readable `holders.json`: holders and datasets, paths relative to `root`.

    Relative paths keep the file byte-identical wherever the franchise is generated.
    """
    doc = {
        "franchise": "Northwind",
        "seed": seed,
        "holders": [{"handle": h.handle, "display_name": h.display_name, "license": h.license}
                    for h in holders],
        "datasets": [
            {
                "name": d.name,
                "holder": d.holder,
                "kind": d.kind,
                "paths": [p.relative_to(root).as_posix() for p in d.paths],
                "description": d.description,
                "public_columns": list(d.public_columns),
                "text_columns": list(d.text_columns),
            }
            for d in datasets
        ],
    }
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"
