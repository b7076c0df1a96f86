"""Near-duplicate detection: two scrapes of one story.

Method: each article's cleaned text becomes a set of word 5-shingles (lower-cased words). MinHash
signatures (128 permutations, datasketch) go into an LSH index to find candidate pairs cheaply at
scale; each candidate pair is then confirmed by the exact Jaccard similarity of the shingle sets,
with THRESHOLD as the cut-off. Pairs join clusters (union-find); in each cluster the article whose
file name sorts first is the original and the others record `duplicate_of` it.
"""
from __future__ import annotations

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


def find_duplicates(articles: list[tuple[str, str]], threshold: float = THRESHOLD):
    """articles: [(key, text)] with keys sorting in the order originals are chosen.

    Returns {duplicate key: (original key, similarity)}.
    """
    sets = {key: shingles(text) for key, text in articles}
    lsh = MinHashLSH(threshold=threshold * 0.8, num_perm=NUM_PERM)  # lower: recall, then confirm
    signatures = {}
    for key, _ in articles:
        signature = MinHash(num_perm=NUM_PERM)
        signature.update_batch([s.encode("utf-8") for s in sets[key]])
        signatures[key] = signature
        lsh.insert(key, signature)
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
            score = jaccard(sets[key], sets[other])
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
