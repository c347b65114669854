"""The Northwind demo franchise: deterministic, the right shape, and three different licenses."""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from sealroom.demo.franchise import Franchise, build_dialogue, generate_franchise
from sealroom.demo.franchise_text import CAST, slugify
from sealroom.core.catalog.license import PURPOSES
from sealroom.demo.holders import LICENSE_KEYS, PAYMENT_KEYS

DIALOGUE_DTYPES = {"season": "int64", "episode": "int64", "episode_id": "str", "episode_title": "str",
                   "scene": "int64", "location": "str", "line_no": "int64", "speaker": "str", "line": "str"}


@pytest.fixture(scope="module")
def franchise(tmp_path_factory: pytest.TempPathFactory) -> Franchise:
    return generate_franchise(tmp_path_factory.mktemp("northwind"))


@pytest.fixture(scope="module")
def dialogue(franchise: Franchise) -> pd.DataFrame:
    return pd.read_parquet(franchise.root / "scripts" / "dialogue.parquet")


def _digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# --- determinism ---------------------------------------------------------------------------------

def test_same_seed_gives_byte_identical_files(franchise: Franchise, tmp_path: Path) -> None:
    again = generate_franchise(tmp_path / "again")
    first, second = _digests(franchise.root), _digests(again.root)
    assert len(first) == 2 + 12 + 16 + 1
    assert first == second


def test_different_seed_gives_different_content(franchise: Franchise, tmp_path: Path) -> None:
    other = _digests(generate_franchise(tmp_path / "other", seed=8).root)
    mine = _digests(franchise.root)
    changed = {name for name in mine if mine[name] != other.get(name)}
    assert "scripts/dialogue.parquet" in changed
    assert any(n.startswith("stories/") for n in changed)
    assert all(f"art/{slugify(c.name)}.png" in changed for c in CAST)
    assert "scripts/cast.csv" not in changed  # the canonical cast is the same in every seed


# --- the dialogue table --------------------------------------------------------------------------

def test_dialogue_schema_and_exact_row_count(dialogue: pd.DataFrame) -> None:
    assert len(dialogue) == 2000
    assert {c: str(t) for c, t in dialogue.dtypes.items()} == DIALOGUE_DTYPES


@settings(max_examples=25, deadline=None)
@given(n=st.integers(min_value=1, max_value=5000), seed=st.integers(min_value=0, max_value=2**32))
def test_build_dialogue_row_count_is_exact(n: int, seed: int) -> None:
    table = build_dialogue(n, seed=seed)
    assert table.num_rows == n
    assert table.column_names == list(DIALOGUE_DTYPES)


def test_dialogue_is_episodes_of_scenes_of_lines(dialogue: pd.DataFrame) -> None:
    ids = "S" + dialogue.season.astype(str) + "E" + dialogue.episode.map("{:02d}".format)
    assert (ids == dialogue.episode_id).all()
    assert dialogue.groupby("episode_id").episode_title.nunique().eq(1).all()
    # scenes are numbered 1..n within an episode, lines 1..n within a scene, in table order
    scene_key = dialogue.episode_id + "/" + dialogue.scene.astype(str)
    assert (dialogue.groupby(scene_key, sort=False).line_no.apply(lambda s: list(s) == list(range(1, len(s) + 1)))).all()
    scenes = dialogue.groupby("episode_id", sort=False).scene.unique()
    assert all(list(s) == list(range(1, len(s) + 1)) for s in scenes)
    per_episode = dialogue.groupby("episode_id").scene.nunique()
    per_scene = dialogue.groupby(scene_key).size()
    assert 8 <= per_episode.iloc[:-1].median() <= 18 and 4 <= per_scene.median() <= 18
    assert dialogue.groupby(scene_key).location.nunique().eq(1).all()


def test_speakers_follow_the_scene(dialogue: pd.DataFrame) -> None:
    names = {c.name for c in CAST}
    assert set(dialogue.speaker) <= names
    assert dialogue.speaker.nunique() >= 12
    scene_key = dialogue.episode_id + "/" + dialogue.scene.astype(str)
    assert dialogue.groupby(scene_key).speaker.nunique().between(1, 4).all()
    same_scene = scene_key.eq(scene_key.shift())
    assert not (same_scene & dialogue.speaker.eq(dialogue.speaker.shift())).any()
    intro = {c.name: c.first_episode for c in CAST}
    season1 = dialogue[dialogue.season == 1]
    assert (season1.episode >= season1.speaker.map(lambda n: int(intro[n][3:]))).all()


def test_lines_are_varied_and_of_realistic_length(dialogue: pd.DataFrame) -> None:
    unique_share = dialogue.line.nunique() / len(dialogue)
    assert unique_share >= 0.95, unique_share
    words = dialogue.line.str.split().str.len()
    assert words.between(4, 30).all()
    assert 11.0 <= words.mean() <= 14.0
    assert dialogue.line.str.match(r'^[A-Z"]').all()
    assert dialogue.line.str.contains(r"[.!?]$").all()


def test_size_knob_stays_fast(tmp_path: Path) -> None:
    start = time.perf_counter()
    f = generate_franchise(tmp_path, dialogue_lines=50_000, stories=0, images=0)
    elapsed = time.perf_counter() - start
    meta = pq.ParquetFile(f.root / "scripts" / "dialogue.parquet").metadata
    assert meta.num_rows == 50_000
    assert elapsed < 5.0, elapsed
    seasons = pq.read_table(f.root / "scripts" / "dialogue.parquet", columns=["season"])["season"]
    assert seasons.to_numpy().max() > 1


# --- cast, stories, art --------------------------------------------------------------------------

def test_cast_csv_and_relationships(franchise: Franchise) -> None:
    with open(franchise.root / "scripts" / "cast.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["name", "role", "faction", "first_episode", "relationships"]
    assert 12 <= len(rows) <= 16
    names = {r["name"] for r in rows}
    assert len(names) == len(rows)
    for row in rows:
        assert re.fullmatch(r"S\d+E\d\d", row["first_episode"])
        relations = row["relationships"].split("; ")
        assert relations
        for relation in relations:
            mentioned = [n for n in names if n in relation]
            assert mentioned, f"{row['name']}: {relation!r} names nobody in the cast"
            assert row["name"] not in mentioned


def test_stories(franchise: Franchise) -> None:
    paths = sorted((franchise.root / "stories").glob("*.txt"))
    assert len(paths) == 12
    titles = set()
    for path in paths:
        title, blank, body = path.read_text(encoding="utf-8").split("\n", 2)
        assert title and not blank and title == title.strip()
        titles.add(title)
        assert 300 <= len((title + " " + body).split()) <= 900, path.name
        sentences = re.split(r"(?<=[.!?])\s+", body)
        assert len(set(sentences)) >= 0.8 * len(sentences)  # little repetition inside a story
    assert len(titles) == len(paths)


def test_portraits_are_128px_rgb_and_distinct(franchise: Franchise) -> None:
    paths = sorted((franchise.root / "art").glob("*.png"))
    assert {p.stem for p in paths} == {slugify(c.name) for c in CAST}
    pixels = []
    for path in paths:
        with Image.open(path) as img:
            assert img.size == (128, 128) and img.mode == "RGB"
            pixels.append(np.asarray(img, dtype=np.int16))
    for a, b in itertools.combinations(pixels, 2):
        assert np.abs(a - b).mean() > 5.0


def test_more_images_than_cast_adds_townsfolk(tmp_path: Path) -> None:
    f = generate_franchise(tmp_path, dialogue_lines=10, stories=1, images=21)
    art = next(d for d in f.datasets if d.kind == "images")
    stems = [p.stem for p in art.paths]
    assert len(stems) == len(set(stems)) == 21
    assert all(p.is_file() for p in art.paths)


# --- rights holders and datasets -----------------------------------------------------------------

def test_three_holders_with_different_complete_licenses(franchise: Franchise) -> None:
    holders = franchise.holders
    assert len(holders) >= 3
    assert len({h.handle for h in holders}) == len(holders)
    for h in holders:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", h.handle) and h.display_name
        lic = h.license
        assert set(lic) == set(LICENSE_KEYS)
        assert lic["allowed_purposes"] and set(lic["allowed_purposes"]) <= set(PURPOSES)
        assert set(lic["payment"]) == set(PAYMENT_KEYS) and lic["payment"]["currency"] == "EUR"
        assert all(isinstance(lic["payment"][k], int) for k in PAYMENT_KEYS[1:])
        assert lic["expires"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", lic["expires"])
        assert isinstance(lic["min_aggregation_size"], int) and lic["min_aggregation_size"] >= 1
        if not lic["training_allowed"]:
            assert not {"model-training", "generative-training"} & set(lic["allowed_purposes"])
    for a, b in itertools.combinations(holders, 2):
        assert a.license["allowed_purposes"] != b.license["allowed_purposes"]
    assert len({(h.license["commercial_use"], h.license["training_allowed"],
                 h.license["human_review_required"]) for h in holders}) == 3


def test_license_dicts_are_copies(tmp_path: Path) -> None:
    first = generate_franchise(tmp_path / "a", dialogue_lines=10, stories=0, images=0)
    first.holders[0].license["allowed_purposes"].append("generative-training")
    fresh = generate_franchise(tmp_path / "b", dialogue_lines=10, stories=0, images=0)
    assert "generative-training" not in fresh.holders[0].license["allowed_purposes"]


def test_datasets_and_manifest(franchise: Franchise) -> None:
    handles = {h.handle for h in franchise.holders}
    by_kind = {d.kind: d for d in franchise.datasets}
    assert set(by_kind) == {"table", "texts", "images"}
    assert {d.holder for d in franchise.datasets} == handles
    scripts = by_kind["table"]
    assert scripts.name == "northwind-scripts" and scripts.text_columns == ("line",)
    assert [p.name for p in scripts.paths] == ["dialogue.parquet", "cast.csv"]
    assert set(scripts.public_columns) == set(DIALOGUE_DTYPES) - {"line"}
    for d in franchise.datasets:
        assert d.paths and all(p.is_file() for p in d.paths)
        assert len({p.stem for p in d.paths}) == len(d.paths)
    manifest = json.loads((franchise.root / "holders.json").read_text(encoding="utf-8"))
    assert [h["handle"] for h in manifest["holders"]] == [h.handle for h in franchise.holders]
    assert [h["license"] for h in manifest["holders"]] == [h.license for h in franchise.holders]
    for entry, d in zip(manifest["datasets"], franchise.datasets, strict=True):
        assert [franchise.root / p for p in entry["paths"]] == list(d.paths)
        assert entry["name"] == d.name and entry["holder"] == d.holder


def test_parquet_is_written_with_pinned_options(franchise: Franchise) -> None:
    meta = pq.ParquetFile(franchise.root / "scripts" / "dialogue.parquet").metadata
    assert meta.num_rows == 2000
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_rejects_impossible_sizes(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_franchise(tmp_path, dialogue_lines=0)
    with pytest.raises(ValueError):
        generate_franchise(tmp_path, images=-1)
