"""Northwind: a deterministic generator of an original fictional media franchise.

`generate_franchise(out_dir, seed=...)` writes a harbour-town saga owned by three fictional rights
holders: episode scripts as a dialogue table (`scripts/dialogue.parquet` + `scripts/cast.csv`),
short stories (`stories/*.txt`), character portraits (`art/*.png`) and `holders.json`. Same seed
and sizes give byte-identical files; everything is procedural (no network, no models, no data).

The dialogue table is built column-wise with numpy (one template fill per template, not per
line), so a million lines take seconds.
"""

from __future__ import annotations

import copy
import csv
import io
import random
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sealroom.demo import franchise_text as world
from sealroom.demo.franchise_art import draw_portraits
from sealroom.demo.franchise_text import write_stories
from sealroom.demo.holders import COLLECTIVE, HOLDERS, PUBLISHER, STUDIO, DemoDataset, RightsHolder, manifest_json

__all__ = ["DemoDataset", "Franchise", "RightsHolder", "build_dialogue", "generate_franchise"]

MAX_WORDS = 30
PUBLIC_COLUMNS = ("season", "episode", "episode_id", "episode_title", "scene", "location", "line_no", "speaker")
_PARQUET_OPTIONS = dict(compression="zstd", compression_level=3, use_dictionary=True, write_statistics=True,
                        row_group_size=131_072, version="2.6", data_page_size=1 << 20)


@dataclass(frozen=True)
class Franchise:
    root: Path
    holders: tuple[RightsHolder, ...]
    datasets: tuple[DemoDataset, ...]


def generate_franchise(out_dir: Path, *, seed: int = 7, dialogue_lines: int = 2000, stories: int = 12,
                       images: int = 16) -> Franchise:
    """Write the Northwind franchise into `out_dir` and describe what was written."""
    if dialogue_lines < 1 or stories < 0 or images < 0:
        raise ValueError("dialogue_lines must be >= 1; stories and images >= 0")
    root = Path(out_dir)
    for sub in ("scripts", "stories", "art"):
        (root / sub).mkdir(parents=True, exist_ok=True)

    table = build_dialogue(dialogue_lines, seed=seed)
    dialogue_path = root / "scripts" / "dialogue.parquet"
    pq.write_table(table, dialogue_path, **_PARQUET_OPTIONS)
    cast_path = root / "scripts" / "cast.csv"
    cast_path.write_bytes(_cast_csv())
    story_paths = write_stories(root / "stories", count=stories, seed=seed)
    art_paths = draw_portraits(root / "art", count=images, seed=seed)

    datasets = (
        DemoDataset(
            name="northwind-scripts", holder=STUDIO.handle, kind="table",
            paths=(dialogue_path, cast_path),
            description=f"Northwind episode scripts: {dialogue_lines} dialogue lines "
                        f"(season, episode, scene, speaker, line) and the cast list.",
            public_columns=PUBLIC_COLUMNS, text_columns=("line",)),
        DemoDataset(
            name="northwind-stories", holder=PUBLISHER.handle, kind="texts", paths=tuple(story_paths),
            description=f"Tales of Northwind: {len(story_paths)} short stories set in the harbour town."),
        DemoDataset(
            name="northwind-art", holder=COLLECTIVE.handle, kind="images", paths=tuple(art_paths),
            description=f"Portraits of Northwind: {len(art_paths)} character portraits, 128x128 RGB."),
    )
    holders = tuple(copy.deepcopy(h) for h in HOLDERS)  # callers may mutate license dicts
    (root / "holders.json").write_text(manifest_json(root, holders, datasets, seed=seed), encoding="utf-8")
    return Franchise(root=root, holders=holders, datasets=datasets)


def _cast_csv() -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "role", "faction", "first_episode", "relationships"])
    for c in world.CAST:
        writer.writerow([c.name, c.role, c.faction, c.first_episode, "; ".join(c.relationships)])
    return buf.getvalue().encode("utf-8")


# --- the dialogue table -------------------------------------------------------------------------

def _positional(template: str) -> tuple[str, list[str]]:
    """'{a} and {b}' -> ('{0} and {1}', ['a', 'b']) so a row formats with a tuple, not a dict."""
    parts, names = [], []
    for literal, field, _, _ in string.Formatter().parse(template):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is not None:
            parts.append("{%d}" % len(names))
            names.append(field)
    return "".join(parts), names


_VOCAB_ARRAYS = {k: np.array(v, dtype=object) for k, v in world.DIALOGUE_VOCAB.items()}


def _fill(templates: tuple[str, ...], ctx: dict[str, np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """One sentence per row of `ctx`: a random template, its slots from the vocabulary or `ctx`."""
    n = len(next(iter(ctx.values())))
    choice = rng.integers(len(templates), size=n)
    out = np.empty(n, dtype=object)
    for t, template in enumerate(templates):
        rows = np.flatnonzero(choice == t)
        if rows.size == 0:
            continue
        fmt, names = _positional(template)
        cols = []
        for name in names:
            if name in ctx:
                cols.append(ctx[name][rows])
            else:
                vocab = _VOCAB_ARRAYS[name]
                cols.append(vocab[rng.integers(len(vocab), size=rows.size)])
        out[rows] = [fmt.format(*vals) for vals in zip(*cols)] if cols else [fmt] * rows.size
    return out


def _word_counts(texts: np.ndarray) -> np.ndarray:
    return np.fromiter((s.count(" ") + 1 for s in texts), dtype=np.int64, count=len(texts))


def _structure(n_lines: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Episodes -> scenes -> lines with exactly `n_lines` lines.

    Returns (scenes per episode, lines per scene, season of each episode)."""
    n_episodes = n_lines // 90 + 2  # about 130 lines an episode, so this over-provisions
    while True:
        scenes_per_ep = rng.integers(9, 18, size=n_episodes)  # 9..17 scenes
        lines_per_scene = rng.integers(4, 19, size=int(scenes_per_ep.sum()))  # 4..18 lines
        if lines_per_scene.sum() >= n_lines:
            break
        n_episodes *= 2
    cum = np.cumsum(lines_per_scene)
    last = int(np.searchsorted(cum, n_lines))  # the scene holding line n_lines
    lines_per_scene = lines_per_scene[: last + 1].copy()
    lines_per_scene[last] -= int(cum[last]) - n_lines
    ep_end = np.cumsum(scenes_per_ep)
    last_ep = int(np.searchsorted(ep_end, last + 1))
    scenes_per_ep = scenes_per_ep[: last_ep + 1].copy()
    scenes_per_ep[last_ep] -= int(ep_end[last_ep]) - (last + 1)
    season_len = rng.integers(8, 14, size=len(scenes_per_ep) // 8 + 1)  # 8..13 episodes a season
    season_of_ep = np.repeat(np.arange(1, len(season_len) + 1), season_len)[: len(scenes_per_ep)]
    return scenes_per_ep, lines_per_scene, season_of_ep


def _episode_titles(n: int, seed: int) -> list[str]:
    r = random.Random(f"northwind-titles-{seed}")
    names = [c.first_name for c in world.CAST]
    titles = []
    for _ in range(n):
        pattern = r.choice(world.TITLE_PATTERNS)
        thing, thing2 = r.sample(world.THINGS, 2)
        titles.append(pattern.format(Adj=r.choice(world.ADJ).capitalize(), Thing=thing.capitalize(),
                                     Thing2=thing2.capitalize(), Place=r.choice(world.TITLE_PLACES),
                                     Name=r.choice(names)))
    return titles


def build_dialogue(n_lines: int, *, seed: int = 7) -> pa.Table:
    """The dialogue table: one row per spoken line, exactly `n_lines` rows."""
    rng = np.random.default_rng([seed % 2**64, 0x4E57])  # "NW"; any int seed, negatives too
    scenes_per_ep, lines_per_scene, season_of_ep = _structure(n_lines, rng)
    n_eps, n_scenes, n_cast = len(scenes_per_ep), len(lines_per_scene), len(world.CAST)

    # Episodes: numbering within the season, a plot thread (often the season's arc), a title.
    ep_start = np.flatnonzero(np.r_[True, season_of_ep[1:] != season_of_ep[:-1]])
    episode_no = np.arange(n_eps) - np.repeat(ep_start, np.diff(np.r_[ep_start, n_eps])) + 1
    season_thread = rng.integers(len(world.THREADS), size=int(season_of_ep.max()) + 1)
    thread_of_ep = np.where(rng.random(n_eps) < 0.4, season_thread[season_of_ep],
                            rng.integers(len(world.THREADS), size=n_eps))
    ep_ids = np.array([f"S{s}E{e:02d}" for s, e in zip(season_of_ep, episode_no)], dtype=object)

    # Scenes: a location and 2-4 characters already introduced, favouring the main cast
    # (weighted sampling without replacement: the k largest u ** (1 / weight)).
    ep_of_scene = np.repeat(np.arange(n_eps), scenes_per_ep)
    scene_no = np.arange(n_scenes) - np.repeat(np.r_[0, np.cumsum(scenes_per_ep)[:-1]], scenes_per_ep) + 1
    location = rng.integers(len(world.LOCATIONS), size=n_scenes)
    k = rng.integers(2, 5, size=n_scenes)
    weights = np.array([c.weight for c in world.CAST])
    intro = np.array([int(c.first_episode.split("E")[1]) - 1 for c in world.CAST])  # all in season 1
    keys = rng.random((n_scenes, n_cast)) ** (1.0 / weights)
    keys[ep_of_scene[:, None] < intro[None, :]] = -1.0
    members = np.argsort(-keys, axis=1, kind="stable")[:, :4]

    # Lines: speakers take turns among the scene's members (never the same twice in a row).
    scene_of_line = np.repeat(np.arange(n_scenes), lines_per_scene)
    scene_start = np.r_[0, np.cumsum(lines_per_scene)[:-1]]
    line_no = np.arange(n_lines) - scene_start[scene_of_line] + 1
    k_line = k[scene_of_line]
    step = 1 + (rng.random(n_lines) * (k_line - 1)).astype(np.int64)
    step[scene_start] = rng.integers(0, 4, size=n_scenes)  # who opens the scene
    turns = np.cumsum(step)
    slot = (turns - (turns[scene_start] - step[scene_start])[scene_of_line]) % k_line
    speaker = members[scene_of_line, slot]
    addressee = members[scene_of_line, (slot + 1 + (rng.random(n_lines) * (k_line - 1)).astype(np.int64)) % k_line]
    other = (speaker + 1 + rng.integers(n_cast - 1, size=n_lines)) % n_cast

    line = _speech(rng, speaker, addressee, other, thread_of_ep[ep_of_scene[scene_of_line]])

    full_names = pa.array([c.name for c in world.CAST], pa.string())
    ep_of_line = pa.array(ep_of_scene[scene_of_line])
    return pa.table({
        "season": pa.array(season_of_ep[ep_of_scene[scene_of_line]], pa.int64()),
        "episode": pa.array(episode_no[ep_of_scene[scene_of_line]], pa.int64()),
        "episode_id": pa.array(ep_ids, pa.string()).take(ep_of_line),
        "episode_title": pa.array(_episode_titles(n_eps, seed), pa.string()).take(ep_of_line),
        "scene": pa.array(scene_no[scene_of_line], pa.int64()),
        "location": pa.array(world.LOCATIONS, pa.string()).take(pa.array(location[scene_of_line])),
        "line_no": pa.array(line_no, pa.int64()),
        "speaker": full_names.take(pa.array(speaker)),
        "line": pa.array(line, pa.string()),
    })


def _speech(rng: np.random.Generator, speaker: np.ndarray, addressee: np.ndarray, other: np.ndarray,
            thread: np.ndarray) -> np.ndarray:
    """The spoken lines: an optional opener, a core sentence, an optional second sentence.

    Most lines that mention a plot thread call back to the episode's own thread."""
    n = len(speaker)
    first = np.array([c.first_name for c in world.CAST], dtype=object)
    thread = np.where(rng.random(n) < 0.6, thread, rng.integers(len(world.THREADS), size=n))
    ctx = {"you": first[addressee], "Them": first[other],
           "thread": np.array(world.THREADS, dtype=object)[thread]}
    core = _fill(world.CORE + world.EXCLAIM, ctx, rng)
    words = _word_counts(core)
    for templates, p, before in ((world.SECOND, 0.3, False), (world.OPEN_SOLO + world.OPEN_NAMED, 0.25, True)):
        rows = np.flatnonzero(rng.random(n) < p)
        extra = _fill(templates, {key: v[rows] for key, v in ctx.items()}, rng)
        extra_words = _word_counts(extra)
        fits = words[rows] + extra_words <= MAX_WORDS
        rows, extra = rows[fits], extra[fits]
        core[rows] = (extra + " " + core[rows]) if before else (core[rows] + " " + extra)
        words[rows] += extra_words[fits]
    return core
