"""``CatalogView``: the catalog as a widget — datasets, terms, assets, and a look at the mocks.

Contract:

- ``CatalogView(ws)`` (or ``ws.datasets.widget()``) reads the catalog once, when it is created;
  ``refresh()`` reads it again. ``summary`` is a table with one row per dataset: owner, kind,
  license summary (purposes, expiry, training allowed, opt-outs, revoked) and assets.
- ``picker`` (a dropdown of dataset names) selects a dataset: ``terms`` then shows its
  description and every license term, and its assets. ``asset_picker`` selects one of its assets
  (the primary one first) and ``mock`` shows that asset's mock: the first rows of a table, the
  start of the first texts, thumbnails of the first images. Mocks are synthetic and shaped like
  the private assets; they are what the catalog offers everyone, so they are safe to show. The
  private content is out of reach of the client altogether.
- A mock that cannot be fetched is a one-line problem in ``mock``, never an exception.
"""

from __future__ import annotations

import base64
import io
from contextlib import contextmanager
from html import escape

import ipywidgets as widgets
from PIL import Image

from sealroom.client import render
from sealroom.core.errors import SealroomError
from sealroom.widgets.parts import note, problem, problem_line, title

MOCK_ROWS = 5
MOCK_TEXTS = 3
MOCK_TEXT_CHARS = 400
MOCK_IMAGES = 4
ASSETS_LISTED = 3


def license_summary(terms: dict) -> dict[str, str]:
    """The terms a data scientist checks first, as short strings (table cells)."""
    opt_outs = ["generative AI training"] if terms.get("generative_training_opt_out") else []
    return {
        "purposes": ", ".join(terms.get("allowed_purposes", [])) or "none",
        "expires": terms.get("expires") or "no expiry",
        "training allowed": _yes_no(terms.get("training_allowed")),
        "opt-outs": ", ".join(opt_outs) or "none",
        "revoked": _yes_no(terms.get("revoked")),
    }


def mock_html(kind: str, mock) -> str:
    """The head of a decoded mock as escaped HTML (a table, the first texts, or thumbnails)."""
    if kind == "table":
        return mock.head(MOCK_ROWS).to_html(index=False, escape=True, border=0)
    if kind == "texts":
        texts = [text if len(text) <= MOCK_TEXT_CHARS else text[:MOCK_TEXT_CHARS] + "…" for text in mock[:MOCK_TEXTS]]
        return "".join(f"<pre style='white-space:pre-wrap;margin:2px 0'>{escape(text)}</pre>" for text in texts)
    if kind == "images":
        return "".join(_thumbnail(image) for image in mock[:MOCK_IMAGES])
    return note(f"no preview for a {kind} mock")


class CatalogView(widgets.VBox):
    """The datasets with their owners, terms and assets; pick one to see its terms and mock.

    ``source`` is the workspace (``sr.connect(...)``) or its catalog (``ws.datasets``).
    """

    def __init__(self, source) -> None:
        self._catalog = getattr(source, "datasets", source)
        self._updating = False
        self.datasets: dict = {}
        self.summary = widgets.HTML()
        self.picker = widgets.Dropdown(description="dataset")
        self.terms = widgets.HTML()
        self.asset_picker = widgets.Dropdown(description="asset")
        self.mock = widgets.HTML()
        super().__init__(children=[self.summary, self.picker, self.terms, self.asset_picker, self.mock])
        self.picker.observe(self._on_dataset, names="value")
        self.asset_picker.observe(self._on_asset, names="value")
        self.refresh()

    def refresh(self) -> None:
        """Read the catalog again and show it; keeps the selected dataset when it still exists."""
        selected = self.picker.value
        self.datasets = dict(sorted(self._catalog.all().items()))  # one call to the vault
        rows = [(d.name, d.owner, d.kind, *license_summary(d.license).values(), _assets_cell(d)) for d in self.datasets.values()]
        headers = ["dataset", "owner", "kind", "purposes", "expires", "training allowed", "opt-outs", "revoked", "assets"]
        self.summary.value = title(f"{len(rows)} datasets") + render.table(headers, rows)
        with self._quiet():
            self.picker.options = list(self.datasets)
        if self.datasets:
            self.select(selected if selected in self.datasets else next(iter(self.datasets)))
        else:
            self.terms.value, self.mock.value = note("the catalog is empty"), ""

    def select(self, name: str, asset: str | None = None) -> None:
        """Show dataset ``name`` and ``asset`` (default: its primary asset), as the dropdowns do."""
        dataset = self.datasets[name]
        assets = list(dataset.assets)
        with self._quiet():
            self.picker.value = name
            if list(self.asset_picker.options) != assets:
                self.asset_picker.options = assets
            self.asset_picker.value = asset or assets[0]
        self._show_terms(dataset)
        self._show_mock(dataset, self.asset_picker.value)

    @contextmanager
    def _quiet(self):
        """Set the dropdowns from code without their observers rendering in between."""
        self._updating = True
        try:
            yield
        finally:
            self._updating = False

    # -- rendering ---------------------------------------------------------------------------
    def _show_terms(self, dataset) -> None:
        terms = dataset.license
        items = [("owner", dataset.owner), ("description", dataset.description)]
        items += [(key.replace("_", " "), _term(value)) for key, value in terms.items() if key != "payment"]
        assets = render.table(["asset", "kind", "items", "columns"], [
            (a.name, a.kind, a.n_items, ", ".join(c["name"] for c in a.schema.get("columns", []))) for a in dataset.assets.values()
        ])
        items.append(("assets", render.Markup(assets)))
        self.terms.value = render.fields(f"{dataset.name}: license terms", items)

    def _show_mock(self, dataset, asset_name: str) -> None:
        asset = dataset.assets[asset_name]
        try:
            body = mock_html(asset.kind, asset.mock)
        except SealroomError as exc:
            self.mock.value = problem(f"the mock of {dataset.name}/{asset_name} is not available: {problem_line(exc)}")
            return
        self.mock.value = title(f"mock of {dataset.name}/{asset_name} (synthetic, shaped like the private asset)") + body

    def _on_dataset(self, change) -> None:
        if not self._updating and change["new"] in self.datasets:
            self.select(change["new"])

    def _on_asset(self, change) -> None:
        dataset = self.datasets.get(self.picker.value)
        if not self._updating and dataset is not None and change["new"] in dataset.assets:
            self._show_mock(dataset, change["new"])


def _assets_cell(dataset) -> str:
    names = list(dataset.assets)
    return ", ".join(names[:ASSETS_LISTED]) + (f", … ({len(names)} in all)" if len(names) > ASSETS_LISTED else "")


def _yes_no(value) -> str:
    return "yes" if value else "no"


def _term(value) -> str:
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    return "—" if value is None or value == "" else str(value)


def _thumbnail(image) -> str:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"<img src='data:image/png;base64,{data}' width='96' style='margin:2px' alt='mock image'>"
