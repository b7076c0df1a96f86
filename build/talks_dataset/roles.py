"""Titles and countries around person names, read with a title lexicon (data/titles.yml) and a
country/demonym list (data/demonyms.csv).

Works on a small word tokenizer over the article text (absolute character offsets), so it does
not depend on the statistical model. Three title forms are read:

- pre-nominal: the words left of a name that belong to the lexicon ("Russian Defense Minister",
  "Deputy Chief of the Presidential Administration", "Kremlin spokesman", "Adm."),
- appositive: ", head of the Federal Service for ...," right of a name,
- title-comma-name: "the ousted president, Karim al-Nouri,".

A title phrase counts only when it holds a head noun ("minister", "spokesman", "head") or a
rank. Its country comes from a demonym, a country name ("Syria's"), or an institution standing
for a government ("Kremlin") inside it; its organization from "of/for the <Org>", a ministry
portfolio ("Defense Minister" -> Ministry of Defense) or an institution.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from pathlib import Path

import yaml
from . import reference

DATA = Path(__file__).parent / "data"

WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:[-‐'’][^\W\d_]+)*|\d+(?:[.,:]\d+)*|\S")
POSSESSIVE = re.compile(r"^(.{2,}?)(['’]s)$")
CONNECTORS = {"of", "the", "for", "and", "on", "at", "to", "in"}
DETERMINERS = {"the", "a", "an", "his", "her", "its", "their", "our", "your"}
PARTICLE_WORD = re.compile(r"^(?:al|el|ad|as|ash|at|az|ar|an)[-‐‑'’][A-Z]")
NAME_CONNECTORS = {"al", "el", "bin", "ibn", "bint", "ben", "de", "da", "di", "del", "della",
                   "der", "van", "von", "la", "le", "du", "dos", "das"}


@dataclasses.dataclass(init=False, slots=True)
class Token:
    text: str
    start: int
    end: int
    # Read many times per token by the title rules: computed once, from text.
    # low: lowercase, trailing dots removed
    low: str = dataclasses.field(init=False, repr=False, compare=False)
    capitalized: bool = dataclasses.field(init=False, repr=False, compare=False)

    def __init__(self, text: str, start: int, end: int):
        self.text, self.start, self.end = text, start, end
        self.low = text.lower().rstrip(".")
        self.capitalized = text[:1].isupper()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words, possessive endings and punctuation of text[start:end], with absolute offsets."""
    tokens = []
    append = tokens.append   # bound once: called for every word of every sentence
    for match in WORD.finditer(text, start, len(text) if end is None else end):
        word = match.group()
        # (POSSESSIVE needs the ending: test that first, most words have none)
        possessive = (POSSESSIVE.match(word) if word[-2:] in ("'s", "’s") and word[:1].isalpha()
                      else None)
        if possessive:
            offset, base = match.start(), possessive.group(1)
            append(Token(base, offset, offset + len(base)))
            append(Token(possessive.group(2), offset + len(base), match.end()))
        else:
            append(Token(word, match.start(), match.end()))
    return tokens


# ---------------------------------------------------------------- lexicon

@dataclasses.dataclass
class Lexicon:
    heads: set[str]
    leader_heads: set[str]
    ranks: dict[str, str]          # word -> expanded form
    modifiers: set[str]
    past: set[str]
    portfolios: dict[str, str]     # portfolio words -> organization name
    org_words: set[str]
    institutions: dict[str, str]   # lower name -> country
    relational: set[str]
    not_name_words: set[str]
    countries: dict[str, str]      # lower country name or adjective -> country
    adjectives: set[str]

    def title_word(self, low: str) -> bool:
        return (low in self.heads or low in self.ranks or low in self.modifiers
                or low in self.past or low in self.org_words or low in self.portfolio_words
                or low in self.relational)

    @functools.cached_property
    def portfolio_words(self) -> set[str]:
        return {word for key in self.portfolios for word in key.split()} - {"and"}

    @functools.cached_property
    def institution_words(self) -> dict[str, str]:
        return {name.split()[-1]: country for name, country in self.institutions.items()}

    @functools.cached_property
    def institution_first_words(self) -> set[str]:
        return {name.split(" ")[0] for name in self.institutions}

    @functools.cached_property
    def portfolio_patterns(self) -> list[tuple[str, str, re.Pattern]]:
        """(key, organization, r"\bkey\b") per portfolio in lexicon order, compiled once:
        _organization tries every portfolio for every title."""
        return [(key, organization, re.compile(rf"\b{re.escape(key)}\b"))
                for key, organization in self.portfolios.items()]

    @functools.cached_property
    def leader_patterns(self) -> list[re.Pattern]:
        return [re.compile(rf"(?:the\s+)?{re.escape(head)}") for head in self.leader_heads]


@functools.lru_cache(maxsize=None)
def lexicon() -> Lexicon:
    data = yaml.safe_load((DATA / "titles.yml").read_text(encoding="utf-8"))
    heads, leader_heads, modifiers = set(), set(), set(data["modifiers"])
    for entry in data["heads"]:
        words = entry["word"].split()
        heads.add(words[-1])
        modifiers.update(w for w in words[:-1] if w not in CONNECTORS)
        if entry.get("leader"):
            leader_heads.add(entry["word"])
    ranks = {}
    for entry in data["ranks"]:
        words = [w.rstrip(".") for w in entry["word"].split()]
        if len(words) == 1:
            ranks[words[0]] = entry.get("expand") or entry["word"].title()
        else:  # "vice admiral": the last word is a rank of its own, the others qualify it
            modifiers.update(words[:-1])
    countries, adjectives = {}, set()
    for row in reference.read_csv("demonyms.csv"):
        country = row["country"]
        countries[country.lower()] = country
        for name in filter(None, (row.get("names") or "").split("|")):
            countries[name.lower()] = country
        for adjective in filter(None, (row.get("adjectives") or "").split("|")):
            countries[adjective.lower()] = country
            adjectives.add(adjective.lower())
    return Lexicon(
        heads=heads, leader_heads=leader_heads, ranks=ranks, modifiers=modifiers,
        past=set(data["past"]), portfolios={k.lower(): v for k, v in data["portfolios"].items()},
        org_words=set(data["org_words"]),
        institutions={k.lower(): v for k, v in data["institutions"].items()},
        relational=set(data["relational"]), not_name_words=set(data["not_name_words"]),
        countries=countries, adjectives=adjectives)


def country_at(tokens: list[Token], i: int) -> tuple[str, int] | None:
    """(country, number of tokens) when tokens[i:] start with a country name or adjective."""
    # every size needs tokens[i] capitalized or "the"/"of": most calls end here
    if i >= len(tokens) or not (tokens[i].capitalized or tokens[i].low in ("the", "of")):
        return None
    return _country_at_words(tuple([t.text for t in tokens[i:i + 3]]))


@functools.lru_cache(maxsize=1 << 16)   # a function of (up to) three words, asked repeatedly
def _country_at_words(words: tuple[str, ...]) -> tuple[str, int] | None:
    lex = lexicon()
    for size in (3, 2, 1):
        if size > len(words):
            continue
        if not all(w[:1].isupper() or w.lower().rstrip(".") in ("the", "of") for w in words[:size]):
            continue
        phrase = " ".join(words[:size]).lower().rstrip(".")
        country = lex.countries.get(phrase) or lex.countries.get(phrase.replace(" .", "."))
        if country:
            return country, size
    return None


def institution_at(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    lex = lexicon()
    # a phrase from tokens[i] starts with its word: most words start no institution's name
    if i >= len(tokens) or tokens[i].low not in lex.institution_first_words:
        return None
    for size in (2, 1):
        phrase = " ".join(t.low for t in tokens[i:i + size])
        if i + size <= len(tokens) and phrase in lex.institutions:
            return " ".join(t.text for t in tokens[i:i + size]), lex.institutions[phrase], size
    return None


# ---------------------------------------------------------------- names

def is_name_word(token: Token) -> bool:
    return _is_name_text(token.text)


@functools.lru_cache(maxsize=1 << 16)   # a function of the word alone, asked for every token
def _is_name_text(text: str) -> bool:
    lex = lexicon()
    if PARTICLE_WORD.match(text):
        return True
    return (text[:1].isupper() and text[0].isalpha()
            and text.lower().rstrip(".") not in lex.not_name_words
            and not text.isupper() or (text.isupper() and len(text) == 1))


def name_runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """[i, j) token ranges of capitalized runs that may hold a person name (titles included)."""
    runs, i = [], 0
    while i < len(tokens):
        if is_name_word(tokens[i]) and tokens[i].low not in NAME_CONNECTORS:
            j = i + 1
            while j < len(tokens):
                if is_name_word(tokens[j]) and tokens[j].start - tokens[j - 1].end <= 1:
                    j += 1
                elif (tokens[j].low in NAME_CONNECTORS and j + 1 < len(tokens)
                      and is_name_word(tokens[j + 1]) and not tokens[j].capitalized):
                    j += 2
                else:
                    break
            runs.append((i, j))
            i = j
        else:
            i += 1
    return runs


def strip_title_words(tokens: list[Token], i: int, j: int) -> int:
    """First index of the name proper in run [i, j): leading title/country words skipped."""
    lex = lexicon()
    while i < j:
        token = tokens[i]
        if token.low in lex.countries and token.low not in lex.not_name_words:
            i += 1
        elif lex.title_word(token.low) or token.low in lex.institution_words:
            i += 1
        else:
            break
    return i


# ---------------------------------------------------------------- titles

@dataclasses.dataclass(slots=True)   # one per title a name is given: many at scale
class Title:
    text: str                  # the title as stated, without country words ("Defense Minister")
    stated: str                # the whole phrase ("Russian Defense Minister")
    start: int                 # span of `stated`
    end: int
    form: str                  # prenominal | appositive | title-comma-name | rank
    country: str | None = None
    organization: str | None = None
    past: bool = False
    leader: bool = False
    rank: bool = False


@dataclasses.dataclass(slots=True)   # one per name candidate: many at scale
class Context:
    """What the words around one name say: titles and the country it serves."""
    titles: list[Title]
    country: str | None = None
    country_evidence: str | None = None


def _word_class(tokens: list[Token], k: int) -> str | None:
    cls = _text_class(tokens[k].text)
    if cls is _AFTER_RANK:
        return "punct" if k > 0 and tokens[k - 1].low in lexicon().ranks else None
    return cls


_AFTER_RANK = object()   # "." : punctuation of a rank abbreviation when a rank stands before


@functools.lru_cache(maxsize=1 << 16)   # a function of the word (bar "."), asked many times
def _text_class(text: str):
    lex = lexicon()
    low = text.lower().rstrip(".")
    capitalized = text[:1].isupper()
    if text in ("’s", "'s"):
        return "possessive"
    if low in lex.heads:
        return "head"
    if low in lex.ranks:
        return "rank"
    if low in lex.past:
        return "past"
    if low in lex.relational:
        return "relational"
    if low in lex.countries and capitalized:
        return "country"
    if low in lex.institution_words and capitalized:
        return "institution"
    if low in lex.modifiers or low in lex.portfolio_words or low in lex.org_words:
        return "modifier"
    if low in CONNECTORS:
        return "connector"
    if text == ".":
        return _AFTER_RANK
    if (capitalized and text[0].isalpha()) or PARTICLE_WORD.match(text):
        return "capitalized"
    return None


# Words of a state's formal name around its country word ("the State of Qatar", "the Syrian
# Arab Republic"): such a complement names the title's country, not an organization.
STATE_WORDS = {"state", "republic", "kingdom", "arab", "of", "the", "democratic", "federal",
               "islamic", "united", "people's", "people’s", "sultanate", "emirate", "federation",
               "socialist", "hashemite", "plurinational", "commonwealth", "principality"}


def _names_a_country(tokens: list[Token]) -> bool:
    lows = [t.low for t in tokens]
    rest = [k for k, low in enumerate(lows) if low not in STATE_WORDS]
    if not rest:
        return False
    found = country_at(tokens, rest[0])
    return bool(found) and rest[0] + found[1] > rest[-1]


def _host_indices(tokens: list[Token]) -> set[int]:
    """Indices of words after "to"/"for"/"in" following a head: a host or portfolio country
    ("Ambassador to Russia", "envoy for Syria"), not the country the person serves."""
    lex = lexicon()
    for k, token in enumerate(tokens):
        if token.low in ("to", "for", "in") and any(t.low in lex.heads for t in tokens[:k]):
            return set(range(k + 1, len(tokens)))
    return set()


POLICY_FIELD = re.compile(r"\b\w+ policy\b")


def _organization(tokens: list[Token], text: str) -> str | None:
    """The organization a title phrase names (tokens of the office title only)."""
    lex = lexicon()
    lows = [t.low for t in tokens]
    for k, low in enumerate(lows):
        if low in ("of", "for") and k > 0 and any(x in lex.heads for x in lows[:k]):
            rest = tokens[k + 1:]
            while rest and rest[0].low in ("the", "a", "an"):
                rest = rest[1:]
            # "head of Turkey's National Intelligence Organisation": the country is no part of
            # the organization's name
            if len(rest) > 2 and rest[1].text in ("'s", "’s") and country_at(rest, 0):
                rest = rest[2:]
            # "and": a second office follows ("Prime Minister and Minister of ...")
            cut = next((x for x, t in enumerate(rest) if t.low == "and"
                        and x + 1 < len(rest) and rest[x + 1].low in lex.heads), None)
            rest = rest[:cut] if cut is not None else rest
            if not rest or not any(t.capitalized for t in rest) or _names_a_country(rest):
                continue
            phrase = " ".join(t.low for t in rest)
            if lows[k - 1] in ("minister", "ministers", "ministry") and phrase in lex.portfolios:
                return lex.portfolios[phrase]     # "Minister of Energy" -> Ministry of Energy
            if lows[k - 1] in ("minister", "ministers", "ministry") and not any(
                    t.low in lex.org_words for t in rest):
                # "Minister of State" is a rank of minister, no ministry
                if phrase == "state":
                    return None
                return "Ministry of " + text[rest[0].start:rest[-1].end]
            return text[rest[0].start:rest[-1].end]
    phrase = " ".join(low for low in lows if low not in lex.heads or low in lex.portfolio_words)
    # "foreign policy aide": a field of policy, not a ministry
    phrase = POLICY_FIELD.sub(" ", phrase)
    best = None
    for key, organization, pattern in lex.portfolio_patterns:
        # (a whole-word match needs the substring: test that first, it is cheaper)
        if key in phrase and pattern.search(phrase) and (best is None or len(key) > len(best[0])):
            best = (key, organization)
    if best:
        return best[1]
    for k in range(len(tokens)):
        found = institution_at(tokens, k)
        if found:
            return found[0]
    return None


OFFICE_COMPLEMENT = re.compile(r"\s+(?:of|and)\s+")


def _make_title(tokens: list[Token], text: str, form: str) -> list[Title]:
    """Titles (an office and/or a rank) from the phrase tokens; [] when no head or rank."""
    lex = lexicon()
    classes = [_word_class(tokens, k) for k in range(len(tokens))]
    if "head" not in classes and "rank" not in classes:
        return []
    country, past = None, any(c == "past" for c in classes)
    host = _host_indices(tokens)
    for k in range(len(tokens)):
        if k in host:
            break
        found = country_at(tokens, k)
        if found and (found[1] > 1 or classes[k] == "country"):
            country = found[0]
            break
        inst = institution_at(tokens, k)
        if inst:
            country = inst[1]
            break
    # office words: drop leading determiners, past words, country words and possessives
    k = 0
    while k < len(tokens) and (classes[k] in ("past", "possessive", "connector")
                               or tokens[k].low in DETERMINERS
                               or (classes[k] == "country" and k + 1 < len(tokens))
                               or (k + 1 < len(tokens) and classes[k + 1] == "possessive")):
        k += 1
    office = tokens[k:]
    titles = []
    # ranks next to the name (end of a pre-nominal phrase, "Adm.") or the whole phrase
    rank_end = len(office)
    while rank_end > 0 and _word_class(office, rank_end - 1) in ("rank", "punct") and form == "prenominal":
        rank_end -= 1
    if rank_end < len(office) and any(_word_class(office, x) == "rank"
                                      for x in range(rank_end, len(office))):
        rank_tokens = office[rank_end:]
        rank_word = next(t for t in rank_tokens if t.low in lex.ranks)
        titles.append(Title(text=lex.ranks[rank_word.low] if len(rank_tokens) <= 2 else
                            text[rank_tokens[0].start:rank_tokens[-1].end],
                            stated=text[rank_tokens[0].start:rank_tokens[-1].end],
                            start=rank_tokens[0].start, end=rank_tokens[-1].end, form="rank",
                            country=country, rank=True, past=past))
        office = office[:rank_end]
    while office and (office[-1].low in CONNECTORS or office[-1].text in ",.-"):
        office = office[:-1]
    office_classes = [_word_class(office, x) for x in range(len(office))]
    if office and "head" in office_classes:
        title_text = text[office[0].start:office[-1].end]
        low = title_text.lower()
        # the office before its complement: "Emir of Qatar", "Prime Minister and Minister of
        # Foreign Affairs" are offices of leaders
        core = OFFICE_COMPLEMENT.split(low)[0].strip()
        leader = not past and any(pattern.fullmatch(core) for pattern in lex.leader_patterns)
        titles.insert(0, Title(text=title_text, stated=text[tokens[0].start:office[-1].end],
                               start=tokens[0].start, end=office[-1].end, form=form,
                               country=country, organization=_organization(office, text),
                               past=past, leader=leader))
    elif office and all(c == "rank" for c in office_classes):
        titles.append(Title(text=lex.ranks[office[0].low] if len(office) == 1 else
                            text[office[0].start:office[-1].end],
                            stated=text[tokens[0].start:office[-1].end],
                            start=tokens[0].start, end=office[-1].end, form="rank",
                            country=country, rank=True, past=past))
    return titles


def prenominal(tokens: list[Token], i: int, text: str) -> tuple[list[Token], str | None]:
    """Title phrase tokens ending right before tokens[i] (a name start), and a country said
    by a possessive/demonym/relational word ("Syria's Ahmed ...", "his Russian counterpart")."""
    phrase: list[Token] = []
    k = i - 1
    pending: list[Token] = []
    while k >= 0:
        cls = _word_class(tokens, k)
        if cls in ("head", "rank", "past", "modifier", "institution", "relational", "punct"):
            phrase = [tokens[k]] + pending + phrase
            pending = []
        elif cls == "country":
            phrase = [tokens[k]] + pending + phrase
            pending = []
        elif cls == "possessive" and k > 0 and _word_class(tokens, k - 1) == "country":
            phrase = [tokens[k - 1], tokens[k]] + pending + phrase
            pending = []
            k -= 2
            break
        elif cls == "connector" and tokens[k].low in ("of", "for", "and", "the", "to") and phrase:
            pending = [tokens[k]] + pending
        elif cls == "capitalized" and phrase and phrase[0].low in lexicon().org_words:
            # "Head of the Northern Direct Investment Fund X": capitalized words of an
            # organization's name, when "of/for (the)" and an office head stand before them
            m = _org_name_start(tokens, k)
            if m is None:
                break
            phrase = tokens[m:k + 1] + pending + phrase
            pending = []
            k = m - 1
            continue
        else:
            break
        k -= 1
    # "the government of President X": a connector with no office before it is not part of
    # the title
    while True:
        x = next((x for x, t in enumerate(phrase) if t.low in ("of", "for")), None)
        if x is None or any(_word_class(phrase, y) in ("head", "rank") for y in range(x)):
            break
        phrase = phrase[x + 1:]
    # the leftmost words may be a determiner-less connector: drop dangling connectors
    while phrase and phrase[0].low in CONNECTORS:
        phrase = phrase[1:]
    country = None
    host = _host_indices(phrase)
    for x in range(len(phrase)):
        if x in host:
            break
        found = country_at(phrase, x)
        if found and (_word_class(phrase, x) == "country"):
            country = found[0]
            break
        inst = institution_at(phrase, x)
        if inst:
            country = inst[1]
            break
    return phrase, country


def _org_name_start(tokens: list[Token], k: int) -> int | None:
    """Start of the organization-name words ending at tokens[k] when "of/for (the)" and a head
    (or modifier) stand before them, else None."""
    m, count = k, 0
    while m >= 0 and count < 5 and _word_class(tokens, m) in ("capitalized", "country",
                                                               "modifier", "institution"):
        m, count = m - 1, count + 1
    first = m + 1
    if m >= 0 and tokens[m].low == "the":
        m -= 1
    if m >= 1 and tokens[m].low in ("of", "for") and _word_class(tokens, m - 1) in (
            "head", "modifier", "rank"):
        return first
    return None


def appositive(tokens: list[Token], j: int, text: str) -> list[Token]:
    """Title phrase tokens of ", <title>," right after a name ending before tokens[j]."""
    if j >= len(tokens) or tokens[j].text != ",":
        return []
    k = j + 1
    while k < len(tokens) and tokens[k].low in ("the", "a", "an", "his", "her", "its", "their"):
        k += 1
    phrase, seen_head, in_org = [], False, False
    if k < len(tokens) and tokens[k].low in CONNECTORS:
        return []                    # ", and Defense Minister X": the next list item
    while k < len(tokens):
        cls = _word_class(tokens, k)
        if tokens[k].text in (",", ".", ";", ":", ")", "(", "—", "–"):
            break
        if cls in ("head", "rank"):
            seen_head = True
        elif cls == "connector":
            if tokens[k].low in ("of", "for") and seen_head:
                in_org = True
            elif tokens[k].low not in ("the", "and", "of", "for"):
                break
        elif cls == "capitalized":
            if not in_org:
                return []            # a name follows: a pre-nominal title of the next person
        elif cls is None:
            break
        if not seen_head and len(phrase) >= 4:
            return []
        phrase.append(tokens[k])
        k += 1
    if not seen_head:
        return []
    while phrase and phrase[-1].low in CONNECTORS:
        phrase = phrase[:-1]
    # two or more unknown capitalized words after an organization word are the next person's
    # name ("..., Deputy Chief of the Presidential Administration Pavel Ivin, ...")
    tail = 0
    while tail < len(phrase) and _word_class(phrase, len(phrase) - 1 - tail) == "capitalized":
        tail += 1
    if tail >= 2 and tail < len(phrase) and _word_class(phrase, len(phrase) - 1 - tail) == "modifier":
        return []
    # ", Minister of State Jane Roe and Ambassador X": two unknown capitalized words that no
    # organization word ends are a name: the phrase is the next list item, not an apposition
    x = 0
    while x < len(phrase):
        y = x
        while y < len(phrase) and _word_class(phrase, y) == "capitalized":
            y += 1
        if y - x >= 2 and (y == len(phrase) or phrase[y].low in ("and", "of", "for")
                           or _word_class(phrase, y) in ("head", "rank", "country")):
            return []
        x = max(y, x + 1)
    return phrase


def title_comma_name(tokens: list[Token], i: int, run_end: int) -> list[Token]:
    """"the ousted president, Karim al-Nouri," : phrase before a comma before the name."""
    if i < 2 or tokens[i - 1].text != ",":
        return []
    if run_end < len(tokens) and tokens[run_end].text not in (",", ".", ";", ")"):
        return []
    phrase, k = [], i - 2
    while k >= 0:
        cls = _word_class(tokens, k)
        if cls in ("head", "modifier", "past", "country", "institution", "possessive"):
            phrase.insert(0, tokens[k])
        elif (cls == "connector" and tokens[k].low in ("to", "for", "of", "the") and phrase
              and k > 0 and _word_class(tokens, k - 1) in ("head", "modifier", "connector")):
            # "Syria's ambassador to China, X,": a complement after the head
            phrase.insert(0, tokens[k])
        else:
            break
        k -= 1
    if k >= 0 and (tokens[k].low in DETERMINERS) and phrase:
        phrase.insert(0, tokens[k])
    elif not (len(phrase) > 1 and _word_class(phrase, 1) == "possessive"):
        return []                    # neither "the ... president," nor "Syria's ... minister,"
    if not any(_word_class(phrase, x) == "head" for x in range(len(phrase))):
        return []
    return phrase


def context_of(tokens: list[Token], i: int, j: int, text: str) -> Context:
    """Titles and country for the name tokens[i:j]."""
    titles: list[Title] = []
    phrase, country = prenominal(tokens, i, text)
    evidence = None
    if phrase:
        titles += _make_title(phrase, text, "prenominal")
        evidence = text[phrase[0].start:phrase[-1].end] if country else None
    after = appositive(tokens, j, text)
    if after:
        made = _make_title(after, text, "appositive")
        titles += made
        if not country:
            country = next((t.country for t in made if t.country), None)
            evidence = evidence or (made[0].stated if made and country else None)
    before = title_comma_name(tokens, i, j)
    if before and not titles:
        made = _make_title(before, text, "title-comma-name")
        titles += made
        if not country:
            country = next((t.country for t in made if t.country), None)
    for title in titles:
        country = country or title.country
    return Context(titles=titles, country=country, country_evidence=evidence)
