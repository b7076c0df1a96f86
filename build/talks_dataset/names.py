"""Person-name keys and matching: which surface forms name the same person.

Method (pure functions, no spaCy):

- A name is split into words; particles that news English writes or drops at will ("al-", "el-",
  "ad-", "as-", "ash-" before an Arabic name; "al"/"el" standing alone) are removed, so
  "Karim Nouri" and "Karim al-Nouri" give the same words.
- Each word is folded for transliteration: accents removed (NFKD, ASCII), lowercase, "y" -> "i"
  ("Andrey" -> "andrei", "Yuri" -> "iuri"), "ou" -> "u", "ks" -> "x" ("Aleksei"/"Alexei"),
  doubled letters single. Folded words are
  the name's *key*; the last word is the surname key.
- Two full names (two words or more) name the same person when their surname keys are equal and
  their first-name keys are equal or similar (rapidfuzz ratio >= FIRST_NAME_SIMILARITY, so
  "ahmed"/"ahmad" match, "maher"/"ahmed" do not), and their middle words do not contradict
  ("Asaad Hassan al-Rifai" = "Asaad al-Rifai": a missing middle name is no contradiction).
- A surname alone is resolved by the caller: to the full name in the same article (same-article
  evidence first), else to the most attested person with that surname across the corpus.
"""
from __future__ import annotations

import re
import unicodedata

from rapidfuzz import fuzz

PARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|as|ash|at|az|ar|an|ud|ul)[-‐‑’']", re.IGNORECASE)
STANDALONE_PARTICLES = {"al", "el", "ad", "as", "ash", "at", "az", "ar", "an"}
# Connecting particles that are part of a name but carry no identity on their own.
CONNECTORS = {"bin", "ibn", "bint", "ben", "de", "da", "di", "del", "della", "der", "van", "von",
              "la", "le", "du", "dos", "das", "do", "y"}
FIRST_NAME_SIMILARITY = 80
SURNAME_SIMILARITY = 90


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def strip_possessive(text: str) -> str:
    return re.sub(r"(?:['’]s|['’])$", "", text.strip())


def name_words(name: str) -> list[str]:
    """Words of a name without possessive and particles, in their written form."""
    words = []
    for word in strip_possessive(name).replace("/", " ").split():
        word = word.strip(".,;:()\"“”")
        if not word or word.lower() in STANDALONE_PARTICLES:
            continue
        word = PARTICLE_PREFIX.sub("", word)
        if word:
            words.append(word)
    return words


def fold_word(word: str) -> str:
    word = ascii_fold(word).lower()
    word = re.sub(r"[^a-z]", "", word)
    word = word.replace("y", "i").replace("ou", "u").replace("ee", "i").replace("ks", "x")
    word = re.sub(r"(.)\1+", r"\1", word)
    return word


def name_key(name: str) -> tuple[str, ...]:
    """Folded words of a name, connectors dropped: ("andrei", "dorin")."""
    return tuple(fold_word(w) for w in name_words(name)
                 if w.lower() not in CONNECTORS and fold_word(w))


def surname_key(name: str) -> str:
    key = name_key(name)
    return key[-1] if key else ""


def is_full(key: tuple[str, ...]) -> bool:
    return len(key) >= 2


def _similar(a: str, b: str, threshold: int) -> bool:
    return a == b or fuzz.ratio(a, b) >= threshold


def same_person(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Do two full-name keys name the same person? (see module docstring)"""
    if not (is_full(a) and is_full(b)):
        return False
    if not _similar(a[-1], b[-1], SURNAME_SIMILARITY) or (a[-1][0] != b[-1][0]):
        return False
    if not _similar(a[0], b[0], FIRST_NAME_SIMILARITY) or a[0][0] != b[0][0]:
        return False
    middle_a, middle_b = set(a[1:-1]), set(b[1:-1])
    return middle_a <= middle_b or middle_b <= middle_a


def surname_matches(surname: str, key: tuple[str, ...]) -> bool:
    """Does a one-word name (folded) refer to a full name key? Compares with the surname and,
    for compound surnames ("Abu Qasra"), with the last two words joined."""
    if not key:
        return False
    candidates = {key[-1]}
    if len(key) >= 3:
        candidates.add(key[-2] + key[-1])
    return surname in candidates


def canonical_form(forms: list[tuple[str, int, int]]) -> str:
    """The fullest well-attested form. `forms`: (surface, articles, mentions) per variant.

    Fullest = most name words; among equally full forms, the one in most articles, then most
    mentions; sentence-initial capitals of particles ("Al-Haddad") lose to the running-text form.
    """
    def score(item):
        surface, articles, mentions = item
        words = name_words(surface)
        particle_capital = bool(re.search(r"(?:^|\s)(?:Al|El|Ad|As)-", surface))
        return (len(words), articles, mentions, not particle_capital, surface)
    return strip_possessive(max(forms, key=score)[0])
