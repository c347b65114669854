"""Text normalisation and stable hashing shared by the verbatim-text index and its queries.

Contract
--------
``tokenize(text)`` turns any string into the list of its *words* so that trivial edits do not
change the list:

- case is folded (``str.casefold``, so ``Straße`` and ``STRASSE`` agree);
- compatibility forms are unified and accents dropped (NFKD, casefold, NFKD, then combining marks
  removed), so full-width and mathematical letters, ligatures and ``café``/``cafe`` agree (kana
  voicing marks go too: ``が`` reads as ``か``);
- invisible format characters (zero-width space, soft hyphen, BOM, …) are deleted, so they cannot
  split a word in two;
- every run of other non-alphanumeric characters (punctuation, spaces, underscores, symbols)
  separates words;
- each Han ideograph and each kana is a word of its own (these scripts do not put spaces between
  words).

The *normalised text* is the words joined by single spaces; its length in characters is what
``verbatim_min_chars`` counts. Scripts written without spaces other than Chinese/Japanese (Thai,
Lao, Khmer, …) come out as one long word per phrase: the index then sees far fewer words than a
reader would.

``token_hashes`` maps words to stable 64-bit values (BLAKE2b, 8 bytes, personalised), identical
across processes and machines, never Python's randomised ``hash``. ``gram_hashes`` combines the
hashes of ``k`` consecutive words arithmetically in numpy ``uint64`` (wrapping). Equal grams give
equal hashes; different grams collide with probability about 2**-64, and every hit is verified
word by word anyway, so a collision costs time, never a wrong answer.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

import numpy as np

_ASCII_WORD = re.compile(r"[a-z0-9]+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNICODE_WORD = re.compile(rf"(?=[^\W_])[{_CJK}]|(?:(?![{_CJK}])[^\W_])+")  # in the CJK blocks, letters only (not marks, punctuation, unassigned)
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_HASH_PERSON = b"sealroom-word"
_GRAM_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_FOLD_CACHE_LIMIT = 100_000


class _FoldTable(dict):
    """``str.translate`` table that deletes combining marks and format characters (cached)."""

    def __missing__(self, code: int) -> int | None:
        if len(self) > _FOLD_CACHE_LIMIT:  # hostile input with every code point: stay bounded
            self.clear()
        value = None if unicodedata.category(chr(code)) in _DROPPED_CATEGORIES else code
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


def tokenize(text: str) -> list[str]:
    """The words of ``text`` after normalisation (see the module docstring)."""
    if text.isascii():
        return _ASCII_WORD.findall(text.lower())
    decomposed = unicodedata.normalize("NFKD", text)
    folded = unicodedata.normalize("NFKD", decomposed.casefold()).translate(_FOLD_TABLE)
    return _UNICODE_WORD.findall(folded)


def normalise(text: str) -> str:
    """The normalised text: the words of ``text`` joined by single spaces."""
    return " ".join(tokenize(text))


def token_hashes(tokens: Iterable[str]) -> np.ndarray:
    """Stable 64-bit hashes (``uint64``) of ``tokens``, in order."""
    digests = b"".join(
        hashlib.blake2b(token.encode("utf-8"), digest_size=8, person=_HASH_PERSON).digest()
        for token in tokens
    )
    return np.frombuffer(digests, dtype="<u8").astype(np.uint64)


def hash_words(tokens: list[str]) -> np.ndarray:
    """Hashes of a word sequence, hashing each distinct word once (``uint64``, len(tokens))."""
    distinct = {token: i for i, token in enumerate(dict.fromkeys(tokens))}
    table = token_hashes(distinct)
    ids = np.fromiter((distinct[token] for token in tokens), dtype=np.int64, count=len(tokens))
    return table[ids]


def gram_hashes(word_hashes: np.ndarray, k: int) -> np.ndarray:
    """Hashes of every ``k``-word gram of ``word_hashes`` (``uint64``, one per start position)."""
    count = max(len(word_hashes) - k + 1, 0)
    return combine_grams(word_hashes[j : j + count] for j in range(k))


def combine_grams(columns: Iterable[np.ndarray]) -> np.ndarray:
    """Combine ``k`` aligned ``uint64`` arrays (word 0, word 1, … of each gram) into gram hashes.

    ``combine_grams([h0, h1, h2, h3])[i]`` is the hash of the gram whose words hash to
    ``h0[i], h1[i], h2[i], h3[i]``; the same words always give the same value.
    """
    grams: np.ndarray | None = None
    for column in columns:
        if grams is None:
            grams = np.array(column, dtype=np.uint64, copy=True)
        else:
            grams *= _GRAM_MULTIPLIER
            grams += column
    if grams is None:
        raise ValueError("a gram needs at least one word")
    return grams
