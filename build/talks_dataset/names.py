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
- A given name may be dropped in front of a middle name: "Kemal Aydin" = "Mehmet Kemal
  Aydin" (the short form's first name is the long form's word before the surname), unless
  that word is a patronymic after "bin"/"ibn" ("Rashid Al Nouri" is not "Karim bin Rashid Al
  Nouri", his son).
- Family names written first (data/family_name_first.csv: "Zhou Ming", "Park Min Ho"):
  a one-word mention may name the first word ("Zhou said ...").
- A surname alone is resolved by the caller: to the full name in the same article (same-article
  evidence first), else to the most attested person with that surname across the corpus.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from rapidfuzz import fuzz
from . import reference

DATA = Path(__file__).parent / "data"
PATRONYMIC_CONNECTORS = {"bin", "ibn", "bint", "ben", "ould"}

PARTICLE_PREFIX = re.compile(r"^(?:al|el|ad|as|ash|at|az|ar|an|ud|ul)[-‐‑’']", re.IGNORECASE)
STANDALONE_PARTICLES = {"al", "el", "ad", "as", "ash", "at", "az", "ar", "an"}
# Connecting particles that are part of a name but carry no identity on their own.
CONNECTORS = {"bin", "ibn", "bint", "ben", "de", "da", "di", "del", "della", "der", "van", "von",
              "la", "le", "du", "dos", "das", "do", "y"}
FIRST_NAME_SIMILARITY = 80
SURNAME_SIMILARITY = 90


def ascii_fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


POSSESSIVE_END = re.compile(r"(?:['’]s|['’])$")   # compiled once: run for every name read


def strip_possessive(text: str) -> str:
    return POSSESSIVE_END.sub("", text.strip())


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


@functools.lru_cache(maxsize=1 << 16)   # pure; the same words recur across the corpus
def fold_word(word: str) -> str:
    word = ascii_fold(word).lower()
    word = re.sub(r"[^a-z]", "", word)
    word = word.replace("y", "i").replace("ou", "u").replace("ee", "i").replace("ks", "x")
    word = re.sub(r"(.)\1+", r"\1", word)
    return word


class NameKey(tuple):
    """A name key (a tuple of folded words) that remembers which words are patronymics
    (the word after "bin"/"ibn"); equality and hashing are the tuple's."""
    patronymic: frozenset = frozenset()


def name_key(name: str) -> tuple[str, ...]:
    """Folded words of a name, connectors dropped: ("andrei", "dorin")."""
    words, patronymic, after_connector = [], set(), False
    for word in name_words(name):
        if word.lower() in CONNECTORS:
            after_connector = word.lower() in PATRONYMIC_CONNECTORS
            continue
        folded = fold_word(word)
        if folded:
            if after_connector:
                patronymic.add(len(words))
            words.append(folded)
        after_connector = False
    key = NameKey(words)
    key.patronymic = frozenset(patronymic)
    return key


@functools.lru_cache(maxsize=None)
def family_name_first() -> frozenset[str]:
    return frozenset(fold_word(row["name"]) for row in reference.read_csv("family_name_first.csv"))


def family_first(key: tuple[str, ...]) -> bool:
    """Is the first word of this (2- or 3-word) name its family name ("Zhou Ming")?"""
    return 2 <= len(key) <= 3 and key[0] in family_name_first()


def surname_of(name: str) -> str:
    """The written surname of a full name: the family name, first or last."""
    words = [w for w in name_words(name) if w.lower() not in CONNECTORS]
    if not words:
        return name
    return words[0] if family_first(name_key(name)) else words[-1]


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
        short, long_ = (a, b) if len(a) < len(b) else (b, a)
        # "Kemal Aydin" = "Mehmet Kemal Aydin": the first name dropped before a middle
        # name, never before a patronymic ("Rashid Al Nouri" != "Karim bin Rashid Al Nouri")
        return (len(short) == 2 and len(long_) >= 3 and short[0] == long_[-2]
                and len(long_) - 2 not in getattr(long_, "patronymic", frozenset()))
    middle_a, middle_b = set(a[1:-1]), set(b[1:-1])
    return middle_a <= middle_b or middle_b <= middle_a


def one_word_names(key: tuple[str, ...]) -> set[str]:
    """The one-word names (folded) that may refer to a full name key: its surname, for
    compound surnames ("Abu Qasra") the last two words joined, and a family name written
    first ("Zhou")."""
    if not key:
        return set()
    words = {key[-1]}
    if len(key) >= 3:
        words.add(key[-2] + key[-1])
    if family_first(key):
        words.add(key[0])
    return words


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


class NameIndex:
    """Full-name keys indexed by surname, so `same_person` is asked only of keys whose
    surnames can match (same initial and rapidfuzz ratio >= SURNAME_SIMILARITY): resolving a
    corpus stays near-linear instead of comparing every name with every other.

    `add(key, value)` files a value (a group, a person id) under a key; `matches(key)` returns
    the values of every filed key that `same_person(key, filed)` accepts, in filing order.
    With `first_only`, a key keeps only the first value filed under it (enough when the values
    of one key are merged anyway, and it keeps a frequent name from returning every group)."""

    def __init__(self, first_only: bool = False):
        self.first_only = first_only
        self._keys_by_surname: dict[str, list] = {}
        self._surnames_by_initial: dict[str, list[str]] = {}
        self._similar_cache: dict[str, list[str]] = {}
        self._entries: dict[tuple, list] = {}   # (key, patronymic) -> [(order, key, value)]
        self._order = 0

    def add(self, key: tuple[str, ...], value) -> None:
        if not is_full(key):
            return
        surname = key[-1]
        if surname not in self._keys_by_surname:
            self._keys_by_surname[surname] = []
            self._surnames_by_initial.setdefault(surname[:1], []).append(surname)
            for known, similar in self._similar_cache.items():
                if known[:1] == surname[:1] and _similar(known, surname, SURNAME_SIMILARITY):
                    similar.append(surname)
        ident = (tuple(key), getattr(key, "patronymic", frozenset()))
        if ident not in self._entries:
            self._entries[ident] = []
            self._keys_by_surname[surname].append(key)
        if not (self.first_only and self._entries[ident]):
            self._entries[ident].append((self._order, value))
        self._order += 1

    def _similar_surnames(self, surname: str) -> list[str]:
        found = self._similar_cache.get(surname)
        if found is None:
            found = [s for s in self._surnames_by_initial.get(surname[:1], [])
                     if _similar(surname, s, SURNAME_SIMILARITY)]
            self._similar_cache[surname] = found
        return found

    def matches(self, key: tuple[str, ...]) -> list:
        if not is_full(key):
            return []
        found = []
        for surname in self._similar_surnames(key[-1]):
            for other in self._keys_by_surname[surname]:
                if same_person(key, other):
                    found += self._entries[(tuple(other),
                                            getattr(other, "patronymic", frozenset()))]
        return [value for _, value in sorted(found, key=lambda item: item[0])]

    def any_match(self, key: tuple[str, ...]) -> bool:
        if not is_full(key):
            return False
        return any(same_person(key, other) for surname in self._similar_surnames(key[-1])
                   for other in self._keys_by_surname[surname])
