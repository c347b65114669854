"""Mock assets: same schema and shape as the private content, none of its content.

A data scientist reads the mock freely, develops against it (``f.test()``), and never sees the
private asset. The rules:

- ``table``: at most ``MockConfig.max_rows`` rows. Columns the rights holder declared public keep
  real values (sampled together from the same rows, so they co-occur realistically). Text
  columns get filler words with a similar length distribution. Other string columns become
  ``<column>_<k>`` labels with the same repetition pattern. Numbers are drawn from a normal
  distribution with the column's mean and spread rounded to two significant figures; booleans
  at random; dates within the column's range.
- ``texts``: filler documents with similar word counts, ids ``mock-0001``...
- ``images``: flat grey placeholders of the same sizes, labelled "MOCK".
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

FILLER_WORDS = (
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore "
    "et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip "
    "ex ea commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla "
    "pariatur excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim"
).split()


@dataclass(frozen=True, kw_only=True)
class MockConfig:
    max_rows: int = 1000
    max_items: int = 50
    seed: int = 0


def make_mock(kind: str, table: pa.Table, *, public_columns: tuple[str, ...] = (), text_columns: tuple[str, ...] = (), config: MockConfig = MockConfig()) -> pa.Table:
    """Build the mock of a private asset (see the module docstring for the rules)."""
    rng = np.random.default_rng(config.seed)
    if kind == "table":
        return _mock_table(table, set(public_columns), set(text_columns), rng, config)
    if kind == "texts":
        texts = table.column("text").to_pylist()[: config.max_items]
        return pa.table({"item_id": [f"mock-{i + 1:04d}" for i in range(len(texts))], "text": [_filler(_word_count(t), rng) for t in texts]})
    if kind == "images":
        pngs = table.column("png").to_pylist()[: config.max_items]
        return pa.table({"item_id": [f"mock-{i + 1:04d}" for i in range(len(pngs))], "png": pa.array([_placeholder_png(p) for p in pngs], pa.binary())})
    raise ValueError(f"unknown asset kind {kind}")


def _mock_table(table: pa.Table, public: set[str], texts: set[str], rng: np.random.Generator, config: MockConfig) -> pa.Table:
    n = min(table.num_rows, config.max_rows)
    rows = np.sort(rng.choice(table.num_rows, size=n, replace=False)) if table.num_rows > n else np.arange(n)
    sample = table.take(pa.array(rows))
    columns = {}
    for field in table.schema:
        column = sample.column(field.name)
        if field.name in public:
            columns[field.name] = column
        elif pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            values = column.to_pylist()
            if field.name in texts:
                columns[field.name] = pa.array([None if v is None else _filler(_word_count(v), rng) for v in values], field.type)
            else:
                codes = {}
                columns[field.name] = pa.array([None if v is None else f"{field.name}_{codes.setdefault(v, len(codes) + 1)}" for v in values], field.type)
        else:
            columns[field.name] = _mock_values(field, column, n, rng)
    return pa.table(columns, schema=table.schema)


def _mock_values(field: pa.Field, column: pa.ChunkedArray, n: int, rng: np.random.Generator) -> pa.Array:
    kind = field.type
    if pa.types.is_boolean(kind):
        return pa.array(rng.random(n) < 0.5, kind)
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        values = column.to_numpy(zero_copy_only=False).astype("float64")
        finite = values[np.isfinite(values)]
        mean = _round2(float(finite.mean())) if finite.size else 0.0
        spread = _round2(float(finite.std())) if finite.size else 1.0
        drawn = rng.normal(mean, spread, n)
        if pa.types.is_integer(kind):
            drawn = np.round(drawn)
            if pa.types.is_unsigned_integer(kind) or (finite.size and finite.min() >= 0):
                drawn = np.abs(drawn)
        return pa.array(drawn.astype(kind.to_pandas_dtype()), kind)
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        ints = column.cast(pa.int64()) if not pa.types.is_date32(kind) else column.cast(pa.int32())
        values = ints.to_numpy(zero_copy_only=False)
        low, high = (int(values.min()), int(values.max())) if values.size else (0, 1)
        return pa.array(rng.integers(low, high + 1, n), ints.type).cast(kind)
    return pa.nulls(n, kind)


def _round2(value: float) -> float:
    if value == 0 or not math.isfinite(value):
        return 0.0
    return round(value, 1 - int(math.floor(math.log10(abs(value)))))


def _word_count(text: str) -> int:
    return len(text.split())


def _filler(words: int, rng: np.random.Generator) -> str:
    words = max(1, int(round(words * rng.uniform(0.8, 1.2))))
    chosen = rng.choice(len(FILLER_WORDS), size=words)
    text = " ".join(FILLER_WORDS[i] for i in chosen)
    return text[:1].upper() + text[1:] + "."


def _placeholder_png(png: bytes) -> bytes:
    from PIL import Image, ImageDraw

    with Image.open(io.BytesIO(png)) as original:
        size = original.size
    image = Image.new("RGB", size, (160, 160, 160))
    ImageDraw.Draw(image).text((4, 4), "MOCK", fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
