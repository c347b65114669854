"""Shared helpers for the leakage tests: synthetic private corpora made of random words."""

from __future__ import annotations

import random

import pytest

from sealroom.core.leakage import CheckContext, GateConfig, VerbatimTextIndex

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def random_word(rng: random.Random, low: int = 3, high: int = 8) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(low, high)))


def random_words(rng: random.Random, count: int, low: int = 3, high: int = 8) -> list[str]:
    return [random_word(rng, low, high) for _ in range(count)]


def make_lines(seed: int, count: int, low: int = 8, high: int = 30) -> list[tuple[str, str]]:
    """``count`` private items ``(id, text)`` of random words, with punctuation and capitals."""
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        words = random_words(rng, rng.randint(low, high))
        lines.append((f"line-{i}", words[0].capitalize() + " " + ", ".join(words[1:]) + "."))
    return lines


@pytest.fixture(scope="session")
def corpus() -> list[tuple[str, str]]:
    items = make_lines(seed=1, count=2000)
    items.append(("short-line", "Where is the kettle, Morwenna?"))  # 5 words
    marker = "Zorblax quintessence flummoxed the vexillologist under lanterns by moonlight again tonight."
    items.append(("marker-line", marker))
    return items


@pytest.fixture(scope="session")
def index(corpus) -> VerbatimTextIndex:
    return VerbatimTextIndex.build(corpus, name="plays/private")


@pytest.fixture()
def context(index) -> CheckContext:
    return CheckContext(text_indexes=(index,), config=GateConfig())
