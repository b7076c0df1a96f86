"""Events (meetings, visits, phone calls) and delegation rosters, from resolved person mentions.

Pure functions over plain rows; called by the people stage. Cues are data (data/event_cues.yml).

Method:
1. Each article reports one *main event*: its principals are the people named in its lede, the
   first sentence with an event cue ("met", "talks", "visit", "phone call") that names people
   (all cue sentences when none does), heads of state/government first, then by mentions; its
   kind is the strongest cue (phone call > talks > visit) among the cue sentences naming all
   principals, sentences in the future or hypothetical ("is expected to visit") aside.
2. Its date comes from the publication date (a near-duplicate scrape without one takes its
   original's) and the first day expression in those sentences ("on Wednesday" -> the latest
   Wednesday on or before the publication date, or the next one in a sentence in the future
   tense; "January 28"; "yesterday"; a dateline's date is skipped), with precision day;
   a month named right after an ordinal ("their first meeting in October") dates an *earlier*
   event with precision month, in the latest such month before the article's date.
3. Events of the same principals are one row when their dates agree (a day apart at most), or
   their ordinals agree ("second meeting"). An article without a publication date is linked by
   its own cues: its ordinal ("first official visit" -> the first meeting of these principals),
   else "after the earlier meeting it mentions", else the only known meeting of the principals.
4. Rosters: sentences matching a roster pattern ("The Russian delegation included A, B and C",
   "X, Y and Z accompanied S", "were among senior officials who took part", "Also present were")
   give members of the article's main event; the side is the country of the demonym, of the
   accompanied person, or each member's own. Principals are members too. Credits (bylines,
   photo credits) are never members: they are not mentions in body sentences.
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import re
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from . import roles

DATA = Path(__file__).parent / "data"
MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): number for number, name in enumerate(calendar.day_name)}
MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
EXPLICIT_DATE = re.compile(
    rf"\b(?:(?P<d1>\d{{1,2}})\s+(?P<m1>{MONTH_RE})\.?|(?P<m2>{MONTH_RE})\.?\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)"
    rf"(?:,?\s+(?P<y>\d{{4}}))?\b", re.IGNORECASE)
WEEKDAY_DATE = re.compile(r"\b(?:on|last|this)?\s*(?P<w>monday|tuesday|wednesday|thursday|friday|"
                          r"saturday|sunday)(?:['’]s)?\b", re.IGNORECASE)
RELATIVE_DAY = re.compile(r"\b(?P<r>today|yesterday|tonight|this morning|last night)\b",
                          re.IGNORECASE)
MONTH_ONLY = re.compile(rf"\bin\s+(?:(?:early|mid|late)[- ])?(?P<m>{MONTH_RE})\b(?:\s+(?P<y>\d{{4}}))?",
                        re.IGNORECASE)
PLACE = re.compile(r"\b(?:at|to|in)\s+(?:the\s+)?(?P<place>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)")
PLACE_ATTRIBUTIVE = re.compile(r"\b(?P<place>[A-Z][\w’'-]+)\s+(?:talks|meeting|summit)\b")


@functools.lru_cache(maxsize=None)
def cues() -> dict:
    data = yaml.safe_load((DATA / "event_cues.yml").read_text(encoding="utf-8"))
    return {
        "kinds": [(kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in data["kinds"].items()],
        "ordinal": re.compile(data["ordinal"], re.IGNORECASE),
        "ordinals": data["ordinals"],
        "window": int(data["ordinal_month_window"]),
        "future": re.compile(data["future"], re.IGNORECASE),
        "dateline": re.compile(data["dateline"]),
        "rosters": [(r["side"], re.compile(r["pattern"], re.IGNORECASE if r["side"] != "demonym"
                                           else 0)) for r in data["rosters"]],
    }


def parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def ordinal_value(word: str) -> int | None:
    word = word.lower()
    if word in cues()["ordinals"]:
        return cues()["ordinals"][word]
    digits = re.match(r"\d+", word)
    return int(digits.group()) if digits else None


@dataclasses.dataclass
class Reference:
    """An earlier event an article names: "their first meeting in October"."""
    ordinal: int | None
    month: int
    year: int | None
    start: int
    end: int
    text: str
    event: "Event | None" = None


@dataclasses.dataclass
class ArticleEvent:
    """What one article says about the event it reports."""
    article: object
    key: frozenset
    principals: list[str]
    kind: str
    sentence_ids: list[str]
    date: dt.date | None = None
    date_text: str | None = None
    date_span: tuple[int, int] | None = None
    ordinal: int | None = None
    ordinal_text: str | None = None
    published: dt.date | None = None
    place: str | None = None
    references: list[Reference] = dataclasses.field(default_factory=list)
    basis: str | None = None


@dataclasses.dataclass
class Event:
    key: frozenset
    date: dt.date | None = None
    precision: str | None = None     # day | month | year
    ordinal: int | None = None
    reports: list[ArticleEvent] = dataclasses.field(default_factory=list)
    referenced_by: list[tuple[object, Reference]] = dataclasses.field(default_factory=list)
    kinds: Counter = dataclasses.field(default_factory=Counter)
    places: Counter = dataclasses.field(default_factory=Counter)

    def month(self):
        return (self.date.year, self.date.month) if self.date else None


def _latest_month_before(month: int, anchor: dt.date) -> int:
    return anchor.year if month <= anchor.month else anchor.year - 1


def _day_expression(text: str, start: int, end: int, published: dt.date | None,
                    skip: list[tuple[int, int]]):
    """(date or None, text, span) of the first day expression in text[start:end]."""
    found = []
    dateline = cues()["dateline"].match(text[start:end])
    if dateline:
        skip = skip + [(start, start + dateline.end())]
    future = bool(cues()["future"].search(text[start:end]))
    for pattern in (EXPLICIT_DATE, WEEKDAY_DATE, RELATIVE_DAY):
        for match in pattern.finditer(text, start, end):
            if any(a <= match.start() < b for a, b in skip):
                continue
            found.append((match.start(), pattern, match))
    if not found:
        return None
    _, pattern, match = min(found, key=lambda item: item[0])
    span = (match.start(), match.end())
    value = None
    if pattern is EXPLICIT_DATE:
        month = MONTHS[(match.group("m1") or match.group("m2")).lower()]
        day = int(match.group("d1") or match.group("d2"))
        year = int(match.group("y")) if match.group("y") else None
        if year is None and published:
            year = published.year if (month, day) <= (published.month, published.day) else published.year - 1
        if year:
            try:
                value = dt.date(year, month, day)
            except ValueError:
                value = None
    elif pattern is WEEKDAY_DATE and published:
        weekday = WEEKDAYS[match.group("w").lower()]
        if future:   # "is due to arrive on Wednesday": the next Wednesday
            value = published + dt.timedelta(days=(weekday - published.weekday()) % 7)
        else:
            value = published - dt.timedelta(days=(published.weekday() - weekday) % 7)
    elif pattern is RELATIVE_DAY and published:
        value = published - dt.timedelta(days=1 if match.group("r").lower() in
                                         ("yesterday", "last night") else 0)
    return value, match.group().strip(), span


def article_event(article, published: dt.date | None, person_mentions: list[dict],
                  people: dict[str, dict], places: set[str]) -> ArticleEvent | None:
    """The main event one article reports, or None when it names no meeting."""
    text = article.text
    by_sentence = defaultdict(list)
    for mention in person_mentions:
        by_sentence[mention["sentence"]].append(mention)
    cue_sentences = []
    for sentence in article.sentences:
        if sentence["kind"] != "body":
            continue
        kinds = [kind for kind, pattern in cues()["kinds"] if pattern.search(sentence["text"])]
        if kinds:
            cue_sentences.append((sentence, kinds))
    if not cue_sentences:
        return None
    counts = Counter(m["person"] for m in person_mentions)
    in_cues = Counter(m["person"] for s, _ in cue_sentences for m in by_sentence[s["id"]])
    if not in_cues:
        return None
    # The lede names the event: the principals come from the first event-cue sentence that
    # names people (not from a later aside: "Quell had no plans to meet Aydin", "Quell and
    # Xi last met in September").
    lede = next((s for s, _ in cue_sentences if by_sentence[s["id"]]), None)
    lede_people = {m["person"] for m in by_sentence[lede["id"]]} if lede else set()
    pool = lede_people or set(in_cues)
    ranked = sorted(pool, key=lambda p: (not people[p]["leader"], -counts[p], -in_cues[p], p))
    principals = ranked[:2]
    if len(principals) == 2 and not people[principals[1]]["leader"] and people[principals[0]]["leader"] \
            and in_cues[principals[1]] < 2 and not lede_people:
        principals = principals[:1]      # a lone leader and a passer-by: not a bilateral key
    main = [(s, k) for s, k in cue_sentences
            if any(m["person"] in principals for m in by_sentence[s["id"]])] or cue_sentences
    order = {"phone call": 0, "talks": 1, "visit": 2}
    # kind: from sentences naming all principals, in the past ("is expected to visit" and
    # "a phone call ... was possible" are no evidence of what happened)
    together = [(s, k) for s, k in main
                if set(principals) <= {m["person"] for m in by_sentence[s["id"]]}] or main
    factual = [(s, k) for s, k in together if not cues()["future"].search(s["text"])] or together
    kind = min((k for _, ks in factual for k in ks), key=order.get)
    event = ArticleEvent(article=article, key=frozenset(principals), principals=principals,
                         kind=kind, sentence_ids=[s["id"] for s, _ in main], published=published)
    # ordinals: with a month right after -> an earlier event; without -> this event
    skip = []
    for sentence, _ in cue_sentences:
        for match in cues()["ordinal"].finditer(sentence["text"]):
            n = ordinal_value(match.group("n"))
            start = sentence["start"] + match.start()
            window_end = sentence["start"] + min(len(sentence["text"]),
                                                 match.end() + cues()["window"])
            month = MONTH_ONLY.search(text, sentence["start"] + match.end(), window_end)
            if month:
                skip.append((month.start(), month.end()))
                event.references.append(Reference(
                    ordinal=n, month=MONTHS[month.group("m").lower()],
                    year=int(month.group("y")) if month.group("y") else None,
                    start=start, end=month.end(), text=text[start:month.end()]))
            elif event.ordinal is None:
                event.ordinal, event.ordinal_text = n, match.group()
    for sentence, _ in main:
        found = _day_expression(text, sentence["start"], sentence["end"], published, skip)
        if found:
            event.date, event.date_text, event.date_span = found
            break
    if event.date is None and published and event.date_text is None:
        event.date, event.basis = published, "publication date"
    elif event.date is not None:
        event.basis = f"'{event.date_text}' in an article of {published}" if published else event.date_text
    for sentence, _ in main:
        for pattern in (PLACE, PLACE_ATTRIBUTIVE):
            for match in pattern.finditer(sentence["text"]):
                place = match.group("place")
                if place.split()[0].lower() in places or place.lower() in places:
                    event.place = place
                    break
            if event.place:
                break
        if event.place:
            break
    return event


def _compatible(a: frozenset, b: frozenset) -> bool:
    return bool(a and b) and (a <= b or b <= a)


def cluster(article_events: list[ArticleEvent]) -> list[Event]:
    """Merge the articles' events into events (see module docstring, step 3)."""
    events: list[Event] = []
    # Compatible keys share a principal: events are looked up through their principals, so
    # clustering stays near-linear in the number of articles.
    by_principal: dict[str, dict[int, Event]] = {}
    # Keys have one or two principals: the keys compatible with {p, q} are {p}, {q} and
    # {p, q} itself, looked up exactly; those compatible with {p} are every key holding p.
    by_key: dict[frozenset, dict[int, Event]] = {}
    position: dict[int, int] = {}

    def new_event(event: Event) -> Event:
        position[id(event)] = len(events)
        events.append(event)
        for person in event.key:
            by_principal.setdefault(person, {})[id(event)] = event
        by_key.setdefault(event.key, {})[id(event)] = event
        return event

    def candidates(key):
        if len(key) == 1:
            found = by_principal.get(next(iter(key)), {})
        elif len(key) == 2:
            found = {}
            for compatible in (key, *(frozenset([person]) for person in key)):
                found.update(by_key.get(compatible, {}))
        else:   # not made by article_event; the general test
            found = {id(e): e for person in key for e in by_principal.get(person, {}).values()
                     if _compatible(e.key, key)}
        return sorted(found.values(), key=lambda e: position[id(e)])

    def attach(event: Event, item: ArticleEvent, basis: str | None = None):
        event.reports.append(item)
        if len(event.key | item.key) <= 2 and not item.key <= event.key:
            del by_key[event.key][id(event)]
            event.key = event.key | item.key
            by_key.setdefault(event.key, {})[id(event)] = event
        for person in event.key:
            by_principal.setdefault(person, {})[id(event)] = event
        event.kinds[item.kind] += 1
        if item.place:
            event.places[item.place] += 1
        if item.ordinal and not event.ordinal:
            event.ordinal = item.ordinal
        if basis:
            item.basis = basis

    def resolve_references(item: ArticleEvent, anchor: dt.date | None):
        for reference in item.references:
            if reference.event:
                continue
            year = reference.year or (_latest_month_before(reference.month, anchor) if anchor else None)
            match = None
            for event in candidates(item.key):
                if event.date and year and (event.date.year, event.date.month) == (year, reference.month):
                    match = event
                elif (not event.date or not year) and reference.ordinal and event.ordinal == reference.ordinal:
                    match = match or event
            if match is None and year:
                match = new_event(Event(key=item.key, date=dt.date(year, reference.month, 1),
                                        precision="month", ordinal=reference.ordinal))
            if match is not None:
                if reference.ordinal and not match.ordinal:
                    match.ordinal = reference.ordinal
                if match.date is None and year:
                    match.date, match.precision = dt.date(year, reference.month, 1), "month"
                reference.event = match
                match.referenced_by.append((item.article, reference))

    dated = [a for a in article_events if a.date]
    undated = [a for a in article_events if not a.date]
    for item in sorted(dated, key=lambda a: (a.date, a.article.file)):
        match = next((e for e in candidates(item.key) if e.date and e.precision == "day"
                      and abs((e.date - item.date).days) <= 1), None)
        if match is None:
            match = new_event(Event(key=item.key, date=item.date, precision="day"))
        attach(match, item)
    for item in dated:
        resolve_references(item, item.date)
    pending = list(undated)
    for _ in range(3):
        for item in list(pending):
            event = None
            if item.ordinal:
                event = next((e for e in candidates(item.key) if e.ordinal == item.ordinal), None)
                basis = f"ordinal cue '{item.ordinal_text}'"
            if event is None and item.references:
                resolve_references(item, None)
                earlier = [r.event for r in item.references if r.event and r.event.date]
                if earlier:
                    last = max(e.date for e in earlier)
                    later = sorted((e for e in candidates(item.key) if e.date and e.date > last
                                    and e not in earlier), key=lambda e: e.date)
                    if later:
                        event = later[0]
                        basis = "the meeting after the earlier one the article mentions"
            if event is not None:
                attach(event, item, basis)
                resolve_references(item, event.date if event.precision == "day" else None)
                pending.remove(item)
    for item in pending:
        known = candidates(item.key)
        if len(known) == 1:
            attach(known[0], item, "the only known meeting of these principals")
        else:
            event = new_event(Event(key=item.key))
            attach(event, item, "no date cue")
        resolve_references(item, None)
    # ordinals by chronology when a principal pair's meetings are all dated and some are known
    return [e for e in events if e.reports or e.referenced_by]


def roster_members(sentence: dict, mentions: list[dict], people: dict[str, dict]):
    """[(person, side country or None, mention)] from one roster sentence, or []."""
    lex = roles.lexicon()
    text, base = sentence["text"], sentence["start"]
    for side_rule, pattern in cues()["rosters"]:
        match = pattern.search(text)
        if not match:
            continue
        groups = match.groupdict()
        span = match.span("members") if groups.get("members") is not None else (0, len(text))
        object_span = match.span("object") if groups.get("object") is not None else None
        side = None
        if side_rule == "demonym":
            word = re.sub(r"(['’]s)$", "", groups["side"]).strip()
            side = lex.countries.get(word.lower())
            if side is None:  # "Temirov's delegation": the person's country
                inside = [m for m in mentions if match.start("side") <= m["start"] - base < match.end("side")]
                side = people[inside[0]["person"]]["country"] if inside else None
                if side is None:
                    continue
        elif side_rule == "object":
            inside = [m for m in mentions
                      if object_span[0] <= m["start"] - base < object_span[1]]
            if not inside:
                continue
            side = people[inside[0]["person"]]["country"]
        members = [m for m in mentions if span[0] <= m["start"] - base < span[1]
                   and not (object_span and object_span[0] <= m["start"] - base < object_span[1])]
        if members:
            if side_rule == "member":
                # a member without a country of their own takes the sentence's first demonym
                # ("Also present were Kazakh Defense Minister A and B, a presidential aide")
                tokens = roles.tokenize(text[span[0]:span[1]])
                fallback = next((found[0] for k in range(len(tokens))
                                 if roles._word_class(tokens, k) == "country"
                                 for found in [roles.country_at(tokens, k)] if found), None)
                return [(m["person"], people[m["person"]]["country"] or fallback, m)
                        for m in members], side_rule
            return [(m["person"], side, m) for m in members], side_rule
    return [], None
