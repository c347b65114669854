"""Benchmark the verbatim-text index: build time, size and query time (not part of the tests).

    .venv/bin/python benchmarks/bench_verbatim_index.py [--lines 1000000] [--words 12]

Generates dialogue-like lines (Zipf-distributed words from a 50,000-word vocabulary, 4–20 words
per line, mean about ``--words``, with punctuation and capitals), builds the index, serialises
it, and times ``find_matches`` on 10 KB results: new text, text with a planted 14-word copy,
and text made only of very common words (the worst case for candidate verification).
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from sealroom.core.leakage import CheckContext, GateConfig, QueryText, ReleaseGate, VerbatimTextIndex
from sealroom.core.results import encode_result


def make_vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    lengths = rng.integers(2, 10, size)
    words = {"".join(rng.choice(letters, n)) for n in lengths}
    return sorted(words)


def make_lines(rng: np.random.Generator, vocabulary: list[str], count: int, mean_words: int) -> list[str]:
    ranks = np.arange(1, len(vocabulary) + 1)
    p = 1.0 / ranks
    p /= p.sum()
    lengths = np.clip(rng.poisson(mean_words, count), 4, 20)
    ids = rng.choice(len(vocabulary), int(lengths.sum()), p=p)
    vocab = np.array(vocabulary, dtype=object)
    words = vocab[ids]
    lines, at = [], 0
    for n in lengths.tolist():
        line = " ".join(words[at : at + n])
        lines.append(line[0].upper() + line[1:] + ("?" if n % 3 == 0 else "."))
        at += n
    return lines


def time_query(index: VerbatimTextIndex, text: str, repeat: int = 20) -> tuple[float, int]:
    cfg = GateConfig()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        found = index.find_matches(text, min_words=cfg.verbatim_min_words, min_chars=cfg.verbatim_min_chars,
                                   whole_item_min_words=cfg.whole_item_min_words)
        best = min(best, time.perf_counter() - start)
    return best, len(found)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=12)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    vocabulary = make_vocabulary(rng, 50_000)
    t0 = time.perf_counter()
    lines = make_lines(rng, vocabulary, args.lines, args.words)
    corpus_bytes = sum(map(len, lines))
    print(f"generated {len(lines):,} lines, {corpus_bytes / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s")

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    index = VerbatimTextIndex.build(((f"line-{i}", line) for i, line in enumerate(lines)), name="bench")
    build = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"build: {build:.1f} s ({corpus_bytes / 1e6 / build:.1f} MB/s); {index.item_count:,} items, "
          f"{index.word_count:,} words, {index.anchor_count:,} anchors; peak RSS +{(rss1 - rss0) / 1024:.0f} MiB")
    t0 = time.perf_counter()
    data = index.to_bytes()
    t1 = time.perf_counter()
    loaded = VerbatimTextIndex.from_bytes(data)
    t2 = time.perf_counter()
    print(f"index: {len(data) / 1e6:.1f} MB ({len(data) / corpus_bytes:.2f} B per corpus byte); "
          f"to_bytes {t1 - t0:.2f} s, from_bytes (validated) {t2 - t1:.2f} s")

    fresh = make_lines(np.random.default_rng(99), vocabulary, 400, args.words)
    new_text = " ".join(fresh)[:10_000]
    words = lines[12345].split() + lines[12346].split()
    planted = new_text[:5000] + " " + " ".join(words[:14]) + " " + new_text[5000:10_000]
    common = " ".join(vocabulary[i] for i in rng.integers(0, 8, 3000))[:10_000]
    for label, text in (("10 KB new text", new_text), ("10 KB with a planted copy", planted),
                        ("10 KB of the 8 commonest words", common)):
        seconds, found = time_query(loaded, text)
        print(f"query {label}: {seconds * 1e3:.2f} ms, {found} match(es)")
    query = QueryText.from_text(new_text)
    seconds, _ = time_query(loaded, query)  # type: ignore[arg-type]
    print(f"query 10 KB new text, pre-tokenised: {seconds * 1e3:.2f} ms")

    import pandas as pd

    gate, context = ReleaseGate(), CheckContext((loaded,))
    table_lines = make_lines(np.random.default_rng(5), vocabulary, 5000 * 4, args.words)
    frame = pd.DataFrame({f"text{c}": table_lines[c * 5000 : (c + 1) * 5000] for c in range(4)})
    frame["n"] = range(5000)
    encoded = encode_result(frame)
    t0 = time.perf_counter()
    report = gate.inspect(encoded, context)
    print(f"gate on a 5000x5 table with 4 text columns ({encoded.size / 1e6:.1f} MB): "
          f"{time.perf_counter() - t0:.2f} s, released={report.released}")
    big = " ".join(fresh * 40)[: 4 * 1024**2]
    t0 = time.perf_counter()
    found = loaded.find_matches(big, min_words=12, min_chars=50, whole_item_min_words=4)
    print(f"query 4 MB of new text: {time.perf_counter() - t0:.2f} s, {len(found)} match(es)")
    worst = " ".join(vocabulary[i] for i in rng.integers(0, 8, 1_000_000))[: 4 * 1024**2]
    t0 = time.perf_counter()
    found = loaded.find_matches(worst, min_words=12, min_chars=50, whole_item_min_words=4)
    print(f"query 4 MB of the 8 commonest words (worst case): {time.perf_counter() - t0:.2f} s, "
          f"{len(found)} match(es); peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
