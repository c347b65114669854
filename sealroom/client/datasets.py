"""The catalog as a data scientist sees it: datasets, assets, license terms and mocks.

``ws.datasets`` is a mapping by name (``ws.datasets["northwind-scripts"]``) that renders as a
table; ``ds.mock`` is the primary asset's mock as the function would receive it (DataFrame,
list of texts, or list of image arrays); ``ds.assets["cast"].mock`` reaches the others.
Nothing here can reach private content.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

from sealroom.client import render
from sealroom.client.http import VaultHTTP
from sealroom.client.pointers import source_pointer
from sealroom.core.errors import NotFound
from sealroom.core.results import decode_input


class Asset:
    """One asset of a dataset (a table, a set of texts, or a set of images)."""

    def __init__(self, http: VaultHTTP, dataset: str, info: dict) -> None:
        self._http = http
        self.dataset = dataset
        self.name = info["name"]
        self.kind = info["kind"]
        self.n_items = info["n_items"]
        self.schema = info["schema"]
        self.public_columns = tuple(info["public_columns"])

    @cached_property
    def mock_ipc(self) -> bytes:
        return self._http.raw("GET", f"/api/v1/datasets/{self.dataset}/mock", params={"asset": self.name}).content

    @property
    def mock(self):
        """The mock, decoded the way the private asset reaches a function."""
        return decode_input(self.kind, self.mock_ipc)

    @property
    def private(self):
        """A pointer to the private asset (``RemoteFrame``; ``RemoteArray`` for images): no data comes here."""
        from sealroom.client.graphs import VaultPointerSession  # the vault side of pointers

        return source_pointer(VaultPointerSession(self._http), self.dataset, self.name, self.kind)

    def ref(self) -> dict:
        return {"dataset": self.dataset, "asset": self.name}

    def __repr__(self) -> str:
        return f"<Asset {self.dataset}/{self.name} {self.kind}, {self.n_items} items>"


class Dataset:
    """A catalog entry: owner, license terms, assets (each with a mock)."""

    def __init__(self, http: VaultHTTP, info: dict) -> None:
        self._http = http
        self.info = info
        self.name = info["name"]
        self.kind = info["kind"]
        self.owner = info["owner_display_name"]
        self.description = info["description"]
        self.license = info["license"]
        self.assets = {a["name"]: Asset(http, self.name, a) for a in info["assets"]}

    @property
    def primary(self) -> Asset:
        return next(iter(self.assets.values()))

    @property
    def mock(self):
        """The primary asset's mock (DataFrame, list of texts, or list of image arrays)."""
        return self.primary.mock

    @property
    def private(self):
        """The primary asset's pointer (``ds.assets["cast"].private`` for another asset)."""
        return self.primary.private

    def ref(self) -> dict:
        return self.primary.ref()

    # -- terms: readable by everyone, changed by the owning rights holder ---------------------
    @property
    def policies(self) -> list[dict]:
        """The Cedar policies the rights holder attached to this dataset (id, text, author)."""
        return self._http.json("GET", f"/api/v1/datasets/{self.name}/policies")

    def attach_policy(self, text: str) -> dict:
        """Attach one annotated Cedar policy (rights holder who owns the dataset); validated first."""
        return self._http.json("POST", f"/api/v1/datasets/{self.name}/policies", json={"text": text})

    def remove_policy(self, policy_id: str) -> None:
        self._http.raw("DELETE", f"/api/v1/datasets/{self.name}/policies/{policy_id}")

    def update_license(self, **changes) -> dict:
        """Change license terms, e.g. ``ds.update_license(revoked=True)``; applies to later decisions."""
        self.license = self._http.json("PATCH", f"/api/v1/datasets/{self.name}/license", json=changes)
        return self.license

    def __repr__(self) -> str:
        return f"<Dataset {self.name} ({self.kind}) by {self.owner}: {', '.join(self.assets)}>"

    def _repr_html_(self) -> str:
        licence = self.license
        assets = render.table(["asset", "kind", "items", "columns"], [
            (a.name, a.kind, a.n_items, ", ".join(c["name"] for c in a.schema.get("columns", []))) for a in self.assets.values()
        ])
        return render.fields(f"Dataset {self.name}", [
            ("owner", self.owner), ("description", self.description),
            ("purposes", ", ".join(licence.get("allowed_purposes", []))),
            ("commercial use", licence.get("commercial_use")), ("training", licence.get("training_allowed")),
            ("assets", render.Markup(assets)),
        ])


class DatasetCatalog(Mapping):
    """All datasets, by name; refreshed from the vault on each access."""

    def __init__(self, http: VaultHTTP) -> None:
        self._http = http

    def all(self) -> dict[str, Dataset]:
        """Every dataset, by name, in one call to the vault."""
        return {d["name"]: Dataset(self._http, d) for d in self._http.json("GET", "/api/v1/datasets")}

    def __getitem__(self, name: str) -> Dataset:
        try:
            return Dataset(self._http, self._http.json("GET", f"/api/v1/datasets/{name}"))
        except NotFound:
            raise KeyError(f"no dataset named {name!r}; available: {sorted(self.all())}") from None

    def __iter__(self):
        return iter(self.all())

    def __len__(self) -> int:
        return len(self.all())

    def widget(self):
        """The catalog as a widget: terms and assets of every dataset, a dropdown to see one's mock (``sealroom.widgets.CatalogView``)."""
        from sealroom.widgets.catalog import CatalogView  # ipywidgets loads only when asked for

        return CatalogView(self)

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([
            {"name": d.name, "kind": d.kind, "owner": d.owner, "assets": ", ".join(d.assets), "purposes": ", ".join(d.license.get("allowed_purposes", []))}
            for d in self.all().values()
        ])

    def __repr__(self) -> str:
        return repr(self.to_frame())

    def _repr_html_(self) -> str:
        return self.to_frame().to_html(index=False)
