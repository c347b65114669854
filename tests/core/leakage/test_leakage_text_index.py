"""The verbatim text index: finds planted copies, ignores new text, round-trips through bytes."""

from __future__ import annotations

import io
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_lines, random_words
from sealroom.core.errors import IntegrityError
from sealroom.core.leakage import MAX_OCCURRENCES_PER_ANCHOR, QueryText, VerbatimTextIndex, tokenize

RULES = dict(min_words=12, min_chars=50, whole_item_min_words=4)


def words_of(corpus, item_id):
    return dict(corpus)[item_id].split()


@given(st.integers(0, 1999), st.integers(0, 10**6), st.integers(0, 400))
@settings(max_examples=60, deadline=None)
def test_a_planted_12_word_copy_is_found(index, corpus, item, seed, where):
    source = tokenize(corpus[item][1])
    rng = random.Random(seed)
    length = 12
    if len(source) < length:
        return
    start = rng.randint(0, len(source) - length)
    copied = source[start : start + length]
    filler = random_words(rng, 400, low=2, high=4)
    query = " ".join(filler[:where] + copied + filler[where:])
    found = index.find_matches(query, **RULES)
    assert any(m.item_id == corpus[item][0] and m.matched_words >= length for m in found)
    assert all(m.matched_text in " ".join(tokenize(corpus[int(m.item_id.split("-")[1])][1])) for m in found)


def test_a_planted_copy_of_50_characters_but_few_words_is_found():
    long_words = ["incomprehensibilities", "counterrevolutionaries", "electroencephalograph", "uncharacteristically",
                  "institutionalisation", "telecommunications", "disproportionately", "misrepresentations"]
    index = VerbatimTextIndex.build([("long", " ".join(long_words + ["the", "end"]))])
    run = " ".join(long_words[1:8])  # 7 words, 150 characters
    query = "we wrote this ourselves " + run + " and nothing else"
    (match,) = index.find_matches(query, **RULES)
    assert match.matched_words == 7 and match.matched_chars == len(run) and not match.whole_item


def test_case_and_punctuation_changes_are_still_found(index, corpus):
    words = words_of(corpus, "line-7")[:14]
    disguised = " -- ".join(w.upper() for w in words).replace("A", "a!")
    found = index.find_matches(f"Note: {disguised} (end)", **RULES)
    assert [m.item_id for m in found] == ["line-7"]


def test_a_whole_short_item_returned_alone_is_found(index):
    (match,) = index.find_matches("where is the kettle morwenna", **RULES)
    assert match.item_id == "short-line" and match.whole_item and match.matched_words == 5
    assert index.find_matches("where is the kettle", **RULES) == []  # a part of it is not


def test_a_6_word_fragment_of_a_long_item_is_not_flagged(index, corpus):
    words = tokenize(dict(corpus)["line-3"])
    assert len(words) > 6
    short = [w[:3] for w in words]  # keep it well under 50 characters
    small = VerbatimTextIndex.build([("line-3", " ".join(short))])
    for start in range(len(short) - 6):
        assert small.find_matches("new words " + " ".join(short[start : start + 6]) + " more", **RULES) == []


@given(st.integers(0, 10**6))
@settings(max_examples=30, deadline=None)
def test_random_new_text_gives_no_false_positive(index, seed):
    text = " ".join(random_words(random.Random(f"new text {seed}"), 2000))  # not the corpus' seed
    assert index.find_matches(text, **RULES) == []


def test_common_words_in_new_order_give_no_false_positive(index, corpus):
    rng = random.Random(5)
    vocabulary = sorted({w for _, text in corpus for w in tokenize(text)})
    text = " ".join(rng.choice(vocabulary) for _ in range(3000))
    assert index.find_matches(text, **RULES) == []


def test_the_index_round_trips_through_bytes(index, corpus):
    data = index.to_bytes()
    assert not data.startswith(b"\x80")  # not a pickle
    loaded = VerbatimTextIndex.from_bytes(data)
    query = "intro " + dict(corpus)["line-42"] + " outro " + dict(corpus)["marker-line"]
    assert loaded.find_matches(query, **RULES) == index.find_matches(query, **RULES) != []
    assert (loaded.name, loaded.item_count, loaded.anchor_count) == (index.name, index.item_count, index.anchor_count)
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


def _tampered(index: VerbatimTextIndex, **changes) -> bytes:
    arrays = {**index.arrays(), **changes}
    buffer = io.BytesIO()
    with np.load(io.BytesIO(index.to_bytes()), allow_pickle=False) as archive:
        meta = archive["meta"]
    np.savez(buffer, meta=meta, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize("change", ["unsorted", "token", "anchor", "offsets", "object"])
def test_a_corrupted_index_is_refused(index, change):
    arrays = index.arrays()
    if change == "unsorted":
        data = _tampered(index, anchor_hashes=arrays["anchor_hashes"][::-1].copy())
    elif change == "token":
        data = _tampered(index, tokens=np.full_like(arrays["tokens"], len(arrays["vocab_hashes"])))
    elif change == "anchor":
        positions = arrays["anchor_positions"].copy()
        positions[0] = index.word_count - 1
        data = _tampered(index, anchor_positions=positions)
    elif change == "offsets":
        data = _tampered(index, item_offsets=arrays["item_offsets"][::-1].copy())
    else:
        buffer = io.BytesIO()
        np.savez(buffer, meta=np.array(["x", 1], dtype=object))
        data = buffer.getvalue()
    with pytest.raises(IntegrityError):
        VerbatimTextIndex.from_bytes(data)
    with pytest.raises(IntegrityError):
        VerbatimTextIndex.from_bytes(b"not an index")


def test_an_empty_index_finds_nothing():
    index = VerbatimTextIndex.from_bytes(VerbatimTextIndex.build([("tiny", "too short")]).to_bytes())
    assert index.item_count == 0 and index.find_matches("too short " * 20, **RULES) == []


def test_whole_item_rule_below_the_anchor_length_is_refused(index):
    with pytest.raises(ValueError, match="anchor_words"):
        index.find_matches("anything", min_words=12, min_chars=50, whole_item_min_words=3)


def test_a_copy_is_found_even_when_one_of_its_grams_is_very_common():
    rng = random.Random(3)
    common = "i do not know"
    count = MAX_OCCURRENCES_PER_ANCHOR + 50
    items = [(f"filler-{i}", f"{common} {' '.join(random_words(rng, 4))}") for i in range(count)]
    target = f"{common} " + " ".join(random_words(rng, 12))
    index = VerbatimTextIndex.build(items + [("target", target)])
    found = index.find_matches("so " + target + " then", **RULES)
    assert [m.item_id for m in found] == ["target"] and found[0].matched_words == 16


def _maximal_runs(query: list[str], item: list[str]):
    """Brute force: every maximal run (q_start, q_end, i_start) of equal words."""
    runs = set()
    for d in range(-len(query) + 1, len(item)):
        q = max(0, -d)
        while q < len(query) and q + d < len(item):
            if query[q] == item[q + d]:
                start = q
                while q < len(query) and q + d < len(item) and query[q] == item[q + d]:
                    q += 1
                runs.add((start, q, start + d))
            else:
                q += 1
    return runs


@given(st.integers(0, 10**6), st.integers(1, 4))
@settings(max_examples=80, deadline=None)
def test_matches_agree_with_brute_force(seed, stride):
    rng = random.Random(seed)
    vocabulary = ["a", "bb", "ccc", "dddd", "ee", "f"]
    items = [(f"i{n}", " ".join(rng.choice(vocabulary) for _ in range(rng.randint(1, 25)))) for n in range(12)]
    query = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(0, 60)))
    if rng.random() < 0.5 and items:  # plant a piece of an item
        words = items[0][1].split()
        query += " " + " ".join(words[rng.randint(0, len(words) - 1):])
    rules = dict(min_words=7, min_chars=16, whole_item_min_words=4)
    index = VerbatimTextIndex.build(items, anchor_stride=stride)
    found = {(m.item_id, m.start, m.end) for m in index.find_matches(query, **rules)}
    q = tokenize(query)
    must, may = set(), set()
    for item_id, text in items:
        words = tokenize(text)
        if len(words) < 4:
            continue
        for start, end, i_start in _maximal_runs(q, words):
            n = end - start
            chars = len(" ".join(q[start:end]))
            whole = i_start == 0 and n == len(words)
            if n >= rules["min_words"] or chars >= rules["min_chars"] or (whole and n >= 4):
                may.add((item_id, start, end))
                if n >= 4 + stride - 1 or whole:
                    must.add((item_id, start, end))
    assert must <= found <= may


def test_query_text_can_be_reused_across_indexes(index, corpus):
    other = VerbatimTextIndex.build(make_lines(seed=2, count=50), name="other")
    query = QueryText.from_text(dict(corpus)["line-9"])
    assert [m.item_id for m in index.find_matches(query, **RULES)] == ["line-9"]
    assert other.find_matches(query, **RULES) == []


@given(st.integers(0, 10**6))
@settings(max_examples=40, deadline=None)
def test_chunked_verification_gives_the_same_matches(seed):
    from sealroom.core.leakage import text_index

    rng = random.Random(seed)
    vocabulary = ["a", "bb", "ccc", "dddd"]
    items = [(f"i{n}", " ".join(rng.choice(vocabulary) for _ in range(rng.randint(4, 30)))) for n in range(20)]
    query = " ".join(rng.choice(vocabulary) for _ in range(200)) + " " + items[0][1]
    index = VerbatimTextIndex.build(items)
    rules = dict(min_words=6, min_chars=1000, whole_item_min_words=4)
    whole = index.find_matches(query, **rules)
    saved = text_index._CANDIDATES_PER_CHUNK
    text_index._CANDIDATES_PER_CHUNK = 3
    try:
        chunked = index.find_matches(query, **rules)
    finally:
        text_index._CANDIDATES_PER_CHUNK = saved
    assert chunked == whole and any(m.item_id == "i0" for m in whole)
