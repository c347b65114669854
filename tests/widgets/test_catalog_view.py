"""``CatalogView`` against a real vault: every dataset with its owner and terms; the dropdowns show
one dataset's terms and the mock of one of its assets, never the private content."""

from __future__ import annotations

from html import escape

from widget_support import shown_texts

from sealroom.demo.franchise import build_dialogue
from sealroom.widgets import CatalogView


def test_catalog_lists_every_dataset_with_owner_terms_and_assets(dana):
    view = dana.datasets.widget()
    assert isinstance(view, CatalogView)
    names = sorted(dana.datasets)
    assert names == ["northwind-art", "northwind-scripts", "northwind-stories"]
    assert list(view.picker.options) == names
    for name in names:
        ds = dana.datasets[name]
        row = next(r for r in view.summary.value.split("<tr>") if f">{name}<" in r)
        assert escape(ds.owner) in row and ", ".join(ds.license["allowed_purposes"]) in row
        assert (ds.license["expires"] or "no expiry") in row and list(ds.assets)[0] in row
    scripts_row = next(r for r in view.summary.value.split("<tr>") if ">northwind-scripts<" in r)
    assert "generative AI training" in scripts_row  # Harbor Light opted out
    stories_row = next(r for r in view.summary.value.split("<tr>") if ">northwind-stories<" in r)
    assert ">yes<" in stories_row and "generative AI training" not in stories_row  # training allowed, no opt-out


def test_picking_a_dataset_shows_its_terms_and_mock(dana):
    view = CatalogView(dana)
    view.picker.value = "northwind-scripts"
    scripts = dana.datasets["northwind-scripts"]
    assert list(view.asset_picker.options) == ["dialogue", "cast"] and view.asset_picker.value == "dialogue"
    assert "northwind-scripts: license terms" in view.terms.value
    assert "research, education" in view.terms.value and "2028-12-31" in view.terms.value
    assert escape(scripts.license["attribution"]) in view.terms.value
    mock = scripts.mock
    assert "mock of northwind-scripts/dialogue" in view.mock.value
    assert all(escape(str(mock[column].iloc[0])) in view.mock.value for column in ("speaker", "location", "episode_id"))
    private = build_dialogue(2000, seed=7).to_pandas()["line"]
    assert not any(line in text for line in private.head(20) for text in shown_texts(view))

    view.asset_picker.value = "cast"
    assert "mock of northwind-scripts/cast" in view.mock.value and ">faction<" in view.mock.value


def test_texts_and_images_mocks_are_shown_as_text_and_thumbnails(dana):
    view = CatalogView(dana.datasets)
    view.picker.value = "northwind-stories"
    first_text = dana.datasets["northwind-stories"].mock[0]
    assert "Tidewater Press" in view.terms.value and escape(first_text[:200]) in view.mock.value
    view.picker.value = "northwind-art"
    assert "Gullwing Art Collective" in view.terms.value and view.asset_picker.value == "ada-ferro"
    assert view.mock.value.count("<img src='data:image/png;base64,") == 1  # one portrait per asset
    first = view.mock.value
    view.asset_picker.value = "marta-ferro"
    assert "northwind-art/marta-ferro" in view.mock.value and view.mock.value.count("<img ") == 1 and view.mock.value != first


def test_refresh_keeps_the_selection_and_reads_changed_terms(dana, studio):
    view = CatalogView(dana)
    view.picker.value = "northwind-scripts"
    studio.datasets["northwind-scripts"].update_license(expires="2030-01-31")
    try:
        view.refresh()
        assert view.picker.value == "northwind-scripts" and "2030-01-31" in view.terms.value
        assert "2030-01-31" in view.summary.value
    finally:
        studio.datasets["northwind-scripts"].update_license(expires="2028-12-31")
