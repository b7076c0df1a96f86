"""Near-duplicate detection: two scrapes of one story.

Method: each article's cleaned text becomes a set of word 5-shingles (lower-cased words). MinHash
signatures (128 permutations, datasketch) go into an LSH index to find candidate pairs cheaply at
scale; each candidate pair is then confirmed by the exact Jaccard similarity of the shingle sets,
with THRESHOLD as the cut-off. Pairs join clusters (union-find); in each cluster the article whose
file name sorts first is the original and the others record `duplicate_of` it.
"""
from __future__ import annotations

import functools
import re

from datasketch import MinHash, MinHashLSH

SHINGLE_WORDS = 5
NUM_PERM = 128
THRESHOLD = 0.5
WORD = re.compile(r"\w+")


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    words = WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


@functools.lru_cache(maxsize=1)
def _scheme():
    """The scheme and permutations every signature uses (seeded: the same each time); made
    once, since making the permutations is a sixth of a signature's cost."""
    template = MinHash(num_perm=NUM_PERM)
    return template.scheme, template.permutations


def signature(text: str) -> MinHash:
    scheme, permutations = _scheme()
    found = MinHash(num_perm=NUM_PERM, scheme=scheme, permutations=permutations)
    found.update_batch([s.encode("utf-8") for s in shingles(text)])
    return found


def find_duplicates(articles: list[tuple[str, str]], threshold: float = THRESHOLD,
                    signatures: dict | None = None):
    """articles: [(key, text)] with keys sorting in the order originals are chosen;
    `signatures`: {key: signature(text)} when already computed (the pipeline's are cached).

    Returns {duplicate key: (original key, similarity)}.
    """
    texts = dict(articles)
    sets: dict[str, set] = {}

    def shingle_set(key: str) -> set:   # only candidate pairs need their exact sets
        if key not in sets:
            sets[key] = shingles(texts[key])
        return sets[key]

    lsh = MinHashLSH(threshold=threshold * 0.8, num_perm=NUM_PERM)  # lower: recall, then confirm
    signatures = dict(signatures or {})
    for key, text in articles:
        if key not in signatures:
            signatures[key] = signature(text)
        lsh.insert(key, signatures[key])
    parent = {key: key for key, _ in articles}

    def root(key):
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    similarity = {}
    for key, _ in articles:
        for other in lsh.query(signatures[key]):
            if other <= key:
                continue
            score = jaccard(shingle_set(key), shingle_set(other))
            if score >= threshold:
                similarity[(key, other)] = score
                a, b = root(key), root(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    duplicates = {}
    for key, _ in articles:
        original = root(key)
        if original != key:
            score = similarity.get((original, key)) or max(
                (s for pair, s in similarity.items() if key in pair), default=threshold)
            duplicates[key] = (original, round(score, 4))
    return duplicates
