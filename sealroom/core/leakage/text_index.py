"""The verbatim-text index: finds runs of words that a text shares with private text items.

How it works
------------
Every item (e.g. one script line) is tokenised (``normalise.tokenize``) and kept as an array of
word ids; a vocabulary array maps each id to the word's stable 64-bit hash. Only hashes are kept,
never the words: the matched words reported in a ``TextMatch`` are taken from the query.

*Anchors*: for each item, the hash of the ``anchor_words``-word gram (``k``, default 4) starting at
every ``anchor_stride``-th word (``s``, default ``k``): positions 0, s, 2s, … while the gram fits.
They are kept in one sorted ``uint64`` array with their word positions.

*Query*: hash every ``k``-gram of the query, look each up (``searchsorted``), verify each candidate
word by word, merge candidates on the same item and diagonal into segments, then extend each
segment left and right against the item's words. A verified run is a ``TextMatch`` when it has
``>= min_words`` words, or ``>= min_chars`` normalised characters, or covers a whole item of
``>= whole_item_min_words`` words.

Guarantees and limits
---------------------
- Any shared run of ``>= k + s - 1`` words (7 by default) contains a whole anchor gram and is
  found; shorter runs are found only if they happen to contain one. Whole items are always found
  (position 0 is an anchor). So runs that pass ``min_chars`` with fewer than ``k + s - 1`` words
  (a few very long words) may be missed: build with ``anchor_stride=1`` to close that gap (index
  about 3x larger).
- Items shorter than ``k`` words are not indexed; ``whole_item_min_words`` below ``k`` is refused.
- ``MAX_OCCURRENCES_PER_ANCHOR`` (256): at most that many occurrences of one anchor gram are
  verified per query position (the first ones, in corpus order). A copied run is missed only if
  *every* anchor gram it contains is that common (a 12-word run holds at least two anchors), i.e.
  for stock phrases, not for distinctive text. This bounds query time on common grams.
- Candidates are verified in chunks of about 512k, so memory stays bounded whatever the query;
  time grows with the number of candidates (measured on 1M lines: a 10 KB result in about
  2 ms, 4 MB of the corpus' eight commonest words, the worst case, in about 3 s).
- Matching is exact after normalisation: paraphrase, translation, encodings (base64, …) and
  word-skipping are other checks' business.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Iterable

import numpy as np

from sealroom.core.leakage.normalise import combine_grams, gram_hashes, hash_words, token_hashes, tokenize
from sealroom.core.leakage.text_index_io import index_from_bytes, index_to_bytes

#: Occurrences of one anchor gram verified per query position (see the module docstring).
MAX_OCCURRENCES_PER_ANCHOR = 256
_EXTEND_BLOCK = 16
_CANDIDATES_PER_CHUNK = 1 << 19


@dataclass(frozen=True)
class TextMatch:
    """A run of words shared by a query and one indexed item. ``matched_text`` is private."""

    item_id: str
    start: int  # first word of the run in the query (word offset, inclusive)
    end: int  # end of the run in the query (word offset, exclusive)
    item_start: int  # first word of the run in the item
    item_end: int
    matched_words: int
    matched_chars: int  # normalised characters: word lengths plus single spaces
    whole_item: bool  # the run covers the entire item
    matched_text: str  # the normalised matched words (PRIVATE: never show to a data scientist)


@dataclass(frozen=True, eq=False)
class QueryText:
    """A text tokenised and hashed once, to be matched against any number of indexes."""

    words: tuple[str, ...]
    hashes: np.ndarray  # uint64 per word
    char_ends: np.ndarray  # int64, len(words) + 1: cumulative word lengths

    @classmethod
    def from_text(cls, text: str) -> "QueryText":
        words = tokenize(text)
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        char_ends = np.concatenate([np.zeros(1, np.int64), np.cumsum(lengths)])
        return cls(tuple(words), hash_words(words), char_ends)

    def chars(self, start: int, end: int) -> int:
        """Normalised length of words ``start:end`` (single spaces between words)."""
        return int(self.char_ends[end] - self.char_ends[start]) + max(end - start - 1, 0)


class VerbatimTextIndex:
    """An immutable index of private text items (see the module docstring for the contract)."""

    def __init__(self, *, name: str, anchor_words: int, anchor_stride: int, vocab_hashes: np.ndarray,
                 tokens: np.ndarray, item_offsets: np.ndarray, item_id_blob: bytes,
                 item_id_offsets: np.ndarray, anchor_hashes: np.ndarray, anchor_positions: np.ndarray) -> None:
        self.name = name
        self.anchor_words = anchor_words
        self.anchor_stride = anchor_stride
        self._vocab = vocab_hashes
        self._tokens = tokens
        self._item_offsets = item_offsets
        self._id_blob = item_id_blob
        self._id_offsets = item_id_offsets
        self._anchor_hashes = anchor_hashes
        self._anchor_positions = anchor_positions

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, items: Iterable[tuple[str, str]], *, anchor_words: int = 4,
              anchor_stride: int | None = None, name: str = "") -> "VerbatimTextIndex":
        """Index ``(item_id, text)`` pairs. Items of fewer than ``anchor_words`` words are skipped."""
        k = anchor_words
        s = k if anchor_stride is None else anchor_stride
        if not (k >= 1 and 1 <= s <= k):
            raise ValueError(f"need anchor_words >= 1 and 1 <= anchor_stride <= anchor_words, got {k}, {s}")
        vocab: dict[str, int] = {}
        add = vocab.setdefault
        tokens = array("I")
        lengths = array("q")
        ids: list[bytes] = []
        for item_id, text in items:
            words = tokenize(text)
            if len(words) < k:
                continue
            tokens.extend([add(word, len(vocab)) for word in words])
            lengths.append(len(words))
            ids.append(str(item_id).encode("utf-8"))
        token_array = np.frombuffer(tokens, dtype=np.uint32) if tokens else np.zeros(0, np.uint32)
        length_array = np.frombuffer(lengths, dtype=np.int64) if lengths else np.zeros(0, np.int64)
        item_offsets = np.concatenate([np.zeros(1, np.int64), np.cumsum(length_array)])
        vocab_hashes = token_hashes(vocab)
        positions = _anchor_positions(item_offsets, length_array, k, s)
        grams = combine_grams(vocab_hashes[token_array[positions + j]] for j in range(k))
        order = np.argsort(grams, kind="stable")  # stable: corpus order within one gram
        id_lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        return cls(
            name=name, anchor_words=k, anchor_stride=s, vocab_hashes=vocab_hashes,
            tokens=token_array.copy(), item_offsets=item_offsets, item_id_blob=b"".join(ids),
            item_id_offsets=np.concatenate([np.zeros(1, np.int64), np.cumsum(id_lengths)]),
            anchor_hashes=grams[order], anchor_positions=positions[order].astype(_position_dtype(len(token_array))),
        )

    # -- facts and serialisation ----------------------------------------------------------
    @property
    def item_count(self) -> int:
        return len(self._item_offsets) - 1

    @property
    def word_count(self) -> int:
        return len(self._tokens)

    @property
    def anchor_count(self) -> int:
        return len(self._anchor_hashes)

    def item_id(self, item: int) -> str:
        """The id of the ``item``-th indexed item."""
        start, end = self._id_offsets[item], self._id_offsets[item + 1]
        return self._id_blob[start:end].decode("utf-8")

    def arrays(self) -> dict[str, np.ndarray]:
        """The index's arrays by name (what ``to_bytes`` stores)."""
        return {
            "vocab_hashes": self._vocab, "tokens": self._tokens, "item_offsets": self._item_offsets,
            "item_id_blob": np.frombuffer(self._id_blob, dtype=np.uint8), "item_id_offsets": self._id_offsets,
            "anchor_hashes": self._anchor_hashes, "anchor_positions": self._anchor_positions,
        }

    def to_bytes(self) -> bytes:
        """Serialise as a numpy ``.npz`` archive (no pickle)."""
        meta = {"name": self.name, "anchor_words": self.anchor_words, "anchor_stride": self.anchor_stride}
        return index_to_bytes(meta, self.arrays())

    @classmethod
    def from_bytes(cls, data: bytes) -> "VerbatimTextIndex":
        """Load ``to_bytes`` output; raises ``IntegrityError`` if it is malformed."""
        meta, arrays = index_from_bytes(data)
        blob = arrays.pop("item_id_blob").tobytes()
        return cls(**meta, item_id_blob=blob, **arrays)

    # -- querying -------------------------------------------------------------------------
    def find_matches(self, text: "str | QueryText", *, min_words: int, min_chars: int,
                     whole_item_min_words: int) -> list[TextMatch]:
        """Every verified run ``text`` shares with an item and that passes one of the three rules.

        Matches are sorted by query position; one per (item, run). ``text`` may be a
        ``QueryText`` to reuse one tokenisation across several indexes.
        """
        if whole_item_min_words < self.anchor_words:
            raise ValueError(
                f"whole_item_min_words={whole_item_min_words} is below this index's anchor_words="
                f"{self.anchor_words}: items that short are not indexed"
            )
        query = text if isinstance(text, QueryText) else QueryText.from_text(text)
        segments = self._verified_segments(query)
        if segments is None:
            return []
        item, diag, start, end = segments
        first_word = self._item_offsets[item]
        words = end - start
        chars = query.char_ends[end] - query.char_ends[start] + words - 1
        whole = (start + diag == first_word) & (end + diag == self._item_offsets[item + 1])
        keep = (words >= min_words) | (chars >= min_chars) | (whole & (words >= whole_item_min_words))
        # the same run can show up on several diagonals of a repetitive item: keep one
        order = np.lexsort((start[keep], end[keep], item[keep]))
        picked = np.flatnonzero(keep)[order]
        matches = []
        seen: set[tuple[int, int, int]] = set()
        for i in picked.tolist():
            key = (int(item[i]), int(start[i]), int(end[i]))
            if key in seen:
                continue
            seen.add(key)
            offset = int(start[i] + diag[i] - first_word[i])
            matches.append(TextMatch(
                item_id=self.item_id(key[0]), start=key[1], end=key[2], item_start=offset,
                item_end=offset + int(words[i]), matched_words=int(words[i]), matched_chars=int(chars[i]),
                whole_item=bool(whole[i]), matched_text=" ".join(query.words[key[1]:key[2]]),
            ))
        matches.sort(key=lambda m: (m.start, m.end, m.item_id))
        return matches

    def _verified_segments(self, query: QueryText):
        """(item, diagonal, start, end) arrays of maximal verified runs, or None."""
        k = self.anchor_words
        if len(query.words) < k or self.anchor_count == 0:
            return None
        probes = gram_hashes(query.hashes, k)
        order = np.argsort(probes)  # sorted probes make searchsorted cache-friendly
        lo = np.empty_like(order)
        hi = np.empty_like(order)
        lo[order] = np.searchsorted(self._anchor_hashes, probes[order], side="left")
        hi[order] = np.searchsorted(self._anchor_hashes, probes[order], side="right")
        counts = np.minimum(hi - lo, MAX_OCCURRENCES_PER_ANCHOR)
        hit = np.flatnonzero(counts)
        if hit.size == 0:
            return None
        # verify in chunks of about _CANDIDATES_PER_CHUNK candidates to bound memory
        chunk_of = np.cumsum(counts[hit]) // _CANDIDATES_PER_CHUNK
        cuts = np.flatnonzero(np.diff(chunk_of)) + 1
        parts = [self._chunk_segments(query, part, lo[part], counts[part]) for part in np.split(hit, cuts)]
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return _merge(*(np.concatenate(arrays) for arrays in zip(*parts)))

    def _chunk_segments(self, query: QueryText, hit, lo, counts):
        """Verified, merged and extended runs seeded by the query grams at positions ``hit``."""
        k = self.anchor_words
        qpos = np.repeat(hit, counts)
        first = np.repeat(np.cumsum(counts) - counts, counts)
        slot = np.repeat(lo, counts) + (np.arange(qpos.size) - first)
        gpos = self._anchor_positions[slot].astype(np.int64)
        same = np.ones(qpos.size, dtype=bool)
        for j in range(k):
            same &= query.hashes[qpos + j] == self._vocab[self._tokens[gpos + j]]
        qpos, gpos = qpos[same], gpos[same]
        if qpos.size == 0:
            return None
        item = np.searchsorted(self._item_offsets, gpos, side="right") - 1
        diag = gpos - qpos
        item, diag, start, end = _merge(item, diag, qpos, qpos + k)
        start, end = self._extend(query, item, diag, start, end)
        return item, diag, start, end

    def _extend(self, query: QueryText, item, diag, start, end):
        """Grow each segment left and right while query and item words agree."""
        lower = self._item_offsets[item]
        upper = self._item_offsets[item + 1]
        n = len(query.words)
        steps = np.arange(1, _EXTEND_BLOCK + 1)
        for direction in (-1, 1):
            active = np.arange(len(item))
            while active.size:
                edge = start[active] if direction < 0 else end[active] - 1
                q = edge[:, None] + direction * steps
                g = q + diag[active, None]
                ok = (q >= 0) & (q < n) & (g >= lower[active, None]) & (g < upper[active, None])
                qc = np.clip(q, 0, n - 1)
                gc = np.clip(g, 0, len(self._tokens) - 1)
                ok &= query.hashes[qc] == self._vocab[self._tokens[gc]]
                grown = np.where(ok.all(axis=1), _EXTEND_BLOCK, np.argmin(ok, axis=1))
                if direction < 0:
                    start[active] -= grown
                else:
                    end[active] += grown
                active = active[grown == _EXTEND_BLOCK]
        return start, end


def _position_dtype(word_count: int) -> type:
    return np.uint32 if word_count < 2**32 else np.int64


def _anchor_positions(item_offsets: np.ndarray, lengths: np.ndarray, k: int, s: int) -> np.ndarray:
    """Global word positions of the anchors: 0, s, 2s, … within each item while the gram fits."""
    per_item = np.where(lengths >= k, (lengths - k) // s + 1, 0)
    total = int(per_item.sum())
    first = np.repeat(np.cumsum(per_item) - per_item, per_item)
    within = np.arange(total, dtype=np.int64) - first
    return np.repeat(item_offsets[:-1], per_item) + within * s


def _merge(item, diag, start, end):
    """Merge overlapping or touching [start, end) runs that share item and diagonal."""
    order = np.lexsort((start, diag, item))
    item, diag, start, end = item[order], diag[order], start[order], end[order]
    group_change = np.r_[True, (item[1:] != item[:-1]) | (diag[1:] != diag[:-1])]
    # running maximum of `end` within each group: offset each group above all earlier ones
    offset = np.cumsum(group_change).astype(np.int64) * (int(end.max()) + 2)
    reach = np.maximum.accumulate(end + offset) - offset
    new = group_change.copy()
    new[1:] |= start[1:] > reach[:-1]
    firsts = np.flatnonzero(new)
    lasts = np.r_[firsts[1:] - 1, len(item) - 1]
    return item[firsts], diag[firsts], start[firsts].copy(), reach[lasts].copy()
