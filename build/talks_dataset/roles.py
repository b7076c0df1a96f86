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

import csv
import dataclasses
import functools
import re
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"

WORD = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:[-‐'’][^\W\d_]+)*|\d+(?:[.,:]\d+)*|\S")
POSSESSIVE = re.compile(r"^(.{2,}?)(['’]s)$")
CONNECTORS = {"of", "the", "for", "and", "on", "at", "to", "in"}
DETERMINERS = {"the", "a", "an", "his", "her", "its", "their", "our", "your"}
PARTICLE_WORD = re.compile(r"^(?:al|el|ad|as|ash|at|az|ar|an)[-‐‑'’][A-Z]")
NAME_CONNECTORS = {"al", "el", "bin", "ibn", "bint", "ben", "de", "da", "di", "del", "della",
                   "der", "van", "von", "la", "le", "du", "dos", "das"}


@dataclasses.dataclass
class Token:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".")

    @property
    def capitalized(self) -> bool:
        return self.text[:1].isupper()


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Words, possessive endings and punctuation of text[start:end], with absolute offsets."""
    tokens = []
    for match in WORD.finditer(text, start, len(text) if end is None else end):
        word, offset = match.group(), match.start()
        possessive = POSSESSIVE.match(word) if word[:1].isalpha() else None
        if possessive:
            base = possessive.group(1)
            tokens.append(Token(base, offset, offset + len(base)))
            tokens.append(Token(possessive.group(2), offset + len(base), match.end()))
        else:
            tokens.append(Token(word, offset, match.end()))
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


def _data_csv(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


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
    for row in _data_csv("demonyms.csv"):
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
    lex = lexicon()
    for size in (3, 2, 1):
        if i + size > len(tokens):
            continue
        words = tokens[i:i + size]
        if not all(t.capitalized or t.low in ("the", "of") for t in words):
            continue
        phrase = " ".join(t.text for t in words).lower().rstrip(".")
        country = lex.countries.get(phrase) or lex.countries.get(phrase.replace(" .", "."))
        if country:
            return country, size
    return None


def institution_at(tokens: list[Token], i: int) -> tuple[str, str, int] | None:
    lex = lexicon()
    for size in (2, 1):
        phrase = " ".join(t.low for t in tokens[i:i + size])
        if i + size <= len(tokens) and phrase in lex.institutions:
            return " ".join(t.text for t in tokens[i:i + size]), lex.institutions[phrase], size
    return None


# ---------------------------------------------------------------- names

def is_name_word(token: Token) -> bool:
    lex = lexicon()
    if PARTICLE_WORD.match(token.text):
        return True
    return (token.capitalized and token.text[0].isalpha() and token.low not in lex.not_name_words
            and not token.text.isupper() or (token.text.isupper() and len(token.text) == 1))


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

@dataclasses.dataclass
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


@dataclasses.dataclass
class Context:
    """What the words around one name say: titles and the country it serves."""
    titles: list[Title]
    country: str | None = None
    country_evidence: str | None = None


def _word_class(tokens: list[Token], k: int) -> str | None:
    lex = lexicon()
    token = tokens[k]
    low = token.low
    if token.text in ("’s", "'s"):
        return "possessive"
    if low in lex.heads:
        return "head"
    if low in lex.ranks:
        return "rank"
    if low in lex.past:
        return "past"
    if low in lex.relational:
        return "relational"
    if low in lex.countries and token.capitalized:
        return "country"
    if low in lex.institution_words and token.capitalized:
        return "institution"
    if low in lex.modifiers or low in lex.portfolio_words or low in lex.org_words:
        return "modifier"
    if low in CONNECTORS:
        return "connector"
    if token.text == "." and k > 0 and tokens[k - 1].low in lex.ranks:
        return "punct"
    if (token.capitalized and token.text[0].isalpha()) or PARTICLE_WORD.match(token.text):
        return "capitalized"
    return None


def _organization(tokens: list[Token], text: str) -> str | None:
    """The organization a title phrase names (tokens of the office title only)."""
    lex = lexicon()
    lows = [t.low for t in tokens]
    for k, low in enumerate(lows):
        if low in ("of", "for") and k > 0 and any(x in lex.heads for x in lows[:k]):
            rest = tokens[k + 1:]
            while rest and rest[0].low in ("the", "a", "an"):
                rest = rest[1:]
            if rest and any(t.capitalized for t in rest):
                return text[rest[0].start:rest[-1].end]
    phrase = " ".join(low for low in lows if low not in lex.heads or low in lex.portfolio_words)
    best = None
    for key, organization in lex.portfolios.items():
        if re.search(rf"\b{re.escape(key)}\b", phrase) and (best is None or len(key) > len(best[0])):
            best = (key, organization)
    if best:
        return best[1]
    for k in range(len(tokens)):
        found = institution_at(tokens, k)
        if found:
            return found[0]
    return None


def _make_title(tokens: list[Token], text: str, form: str) -> list[Title]:
    """Titles (an office and/or a rank) from the phrase tokens; [] when no head or rank."""
    lex = lexicon()
    classes = [_word_class(tokens, k) for k in range(len(tokens))]
    if "head" not in classes and "rank" not in classes:
        return []
    country, past = None, any(c == "past" for c in classes)
    for k in range(len(tokens)):
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
        leader = (not past and any(re.fullmatch(rf"(?:the\s+)?{re.escape(h)}", low)
                                   for h in lex.leader_heads))
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
        elif cls == "connector" and tokens[k].low in ("of", "for", "and", "the") and phrase:
            pending = [tokens[k]] + pending
        else:
            break
        k -= 1
    # the leftmost words may be a determiner-less connector: drop dangling connectors
    while phrase and phrase[0].low in CONNECTORS:
        phrase = phrase[1:]
    country = None
    for x in range(len(phrase)):
        found = country_at(phrase, x)
        if found and (_word_class(phrase, x) == "country"):
            country = found[0]
            break
        inst = institution_at(phrase, x)
        if inst:
            country = inst[1]
            break
    return phrase, country


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
    return phrase


def title_comma_name(tokens: list[Token], i: int, run_end: int) -> list[Token]:
    """"the ousted president, Karim al-Nouri," : phrase before a comma before the name."""
    if i < 2 or tokens[i - 1].text != ",":
        return []
    if run_end < len(tokens) and tokens[run_end].text not in (",", ".", ";", ")"):
        return []
    phrase, k = [], i - 2
    while k >= 0 and _word_class(tokens, k) in ("head", "modifier", "past", "country",
                                                 "institution", "possessive"):
        phrase.insert(0, tokens[k])
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
