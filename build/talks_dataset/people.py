"""People stage: people, name variants, mentions, organizations, positions, occupancies, events,
the articles reporting them, and delegation rosters, each fact with its evidence span.

Finding names. The small spaCy model mislabels names on news text (surnames as ORG/NORP/LOC,
"Kremlin Spokesman" fused into an ORG, "the Presidential Administration Pavel Ivin" as one
ORG, headline fragments like "Temirov Meets", possessives "Haddad's"). So names are read from the
text itself with general rules, and spaCy's PERSON label is one signal among others:

- capitalized runs of words (particles "al-", "bin", "de" allowed inside) are cut at words that
  never belong to a name (data/titles.yml `not_name_words`: headline verbs, calendar and function
  words) and at possessive endings; leading title, country and institution words are split off
  ("Kremlin Spokesman Oleg Tarin" -> title "Kremlin Spokesman", name "Oleg Tarin");
- a run of two words or more is a person when spaCy tags it PERSON, or when a title or a
  country word stands before it or a title in apposition after it; it is not a person when it
  holds an organization word, or when the corpus tags the same words as a place more often;
- a run that names a person found that way elsewhere is a person too (spaCy missed it there);
- a single word ("Haddad", "al-Haddad", "Orlov") is a surname mention when it matches the
  surname of a person (see names.py).

Resolving names (method in names.py): full names are grouped within an article, then across
articles by name keys (ASCII fold, particles stripped, y->i transliteration folding, rapidfuzz
similarity of first names, compatible middle names). A surname alone resolves to the full name
in the same article (the one introduced first, skipping a namesake named in the same sentence:
"... and Maher al-Haddad accompanied Haddad"), else to the most attested person with that surname
in the corpus, else it is dropped: no person is ever named by a bare surname. Different first
names with one surname stay different people. The canonical name is the fullest well-attested
form.

Countries come from titles and demonyms ("Russian Defense Minister", "Syria's foreign minister",
"Kremlin spokesman", "his Russian counterpart"), then from roster sides ("The Russian delegation
included ..."); the most frequent wins. Kind: journalist/photographer for people in bylines,
contributor lines and photo credits (core table article_credits), official for people with a
title, other otherwise. Events and rosters: see events.py.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections import Counter, defaultdict

from . import events as events_module
from . import names, per_article, roles
from .pipeline import slug, stable_id
from .schema import Table, View
from .spans import Spans

READS = ("outlets",)   # earlier tables extract() reads (pipeline.release_unread)
TABLES = [
    Table("people", {"id": str, "name": str, "country": str, "kind": str, "surname": str,
                     "leader": int, "articles": int, "mentions": int}),
    Table("person_names", {"id": str, "person": str, "name": str, "key": str, "mentions": int,
                           "articles": int}, foreign_keys=[("person", "people", "id")]),
    Table("mentions", {"id": str, "person": str, "article": str, "sentence": str, "start": int,
                       "end": int, "text": str, "form": str, "resolved_by": str},
          foreign_keys=[("person", "people", "id"), ("article", "articles", "id"),
                        ("sentence", "sentences", "id")]),
    Table("person_credits", {"id": str, "person": str, "article": str, "credit": str,
                             "role": str},
          foreign_keys=[("person", "people", "id"), ("article", "articles", "id"),
                        ("credit", "article_credits", "id")]),
    Table("organizations", {"id": str, "name": str, "country": str, "kind": str}),
    Table("positions", {"id": str, "title": str, "organization": str, "country": str,
                        "leader": int},
          foreign_keys=[("organization", "organizations", "id")]),
    Table("occupancies", {"id": str, "person": str, "position": str, "article": str,
                          "sentence": str, "start": int, "end": int, "text": str, "title": str,
                          "form": str, "past": int},
          foreign_keys=[("person", "people", "id"), ("position", "positions", "id"),
                        ("article", "articles", "id"), ("sentence", "sentences", "id")]),
    Table("events", {"id": str, "name": str, "date": str, "date_precision": str, "place": str,
                     "kind": str, "ordinal": int, "articles": int},
          indexes=[("date",)]),
    Table("event_articles", {"id": str, "event": str, "article": str, "relation": str,
                             "basis": str, "start": int, "end": int, "text": str},
          foreign_keys=[("event", "events", "id"), ("article", "articles", "id")]),
    Table("delegation_members", {"id": str, "event": str, "person": str, "side": str,
                                 "role_at_event": str, "articles": int},
          foreign_keys=[("event", "events", "id"), ("person", "people", "id")]),
    Table("delegation_evidence", {"id": str, "member": str, "article": str, "sentence": str,
                                  "start": int, "end": int, "text": str, "role": str,
                                  "cue": str},
          foreign_keys=[("member", "delegation_members", "id"), ("article", "articles", "id"),
                        ("sentence", "sentences", "id")]),
]

# The three views join the most rows of the stage's tables: materialized (schema.View), with an
# index on each column their pages facet by (metadata.yml) and person pages filter them by.
VIEWS = [
    View("person_mentions", """
select
  people.name as person,
  people.country as country,
  mentions.text as mention,
  articles.file as file,
  mentions.start as start,
  mentions."end" as "end",
  people.kind as kind,
  mentions.form as form,
  mentions.resolved_by as resolved_by,
  people.id as person_id,
  mentions.article as article_id,
  mentions.sentence as sentence_id
from mentions
join people on people.id = mentions.person
join articles on articles.id = mentions.article
order by articles.file, mentions.start
""", materialized=True,
         indexes=[("person_id",), ("person",), ("country",), ("kind",), ("form",)]),
    View("people_roles", """
select
  people.name as person,
  occupancies.title as title,
  positions.country as country,
  articles.file as file,
  positions.title as position,
  organizations.name as organization,
  occupancies.text as stated,
  occupancies.start as start,
  occupancies."end" as "end",
  occupancies.past as past,
  people.id as person_id,
  positions.id as position_id
from occupancies
join people on people.id = occupancies.person
join positions on positions.id = occupancies.position
left join organizations on organizations.id = positions.organization
join articles on articles.id = occupancies.article
order by people.name, articles.file, occupancies.start
""", materialized=True,
         indexes=[("person_id",), ("title",), ("person",), ("country",), ("position",)]),
    View("delegation_rosters", """
select
  events.name as event,
  events.date as event_date,
  delegation_members.side as side,
  people.name as person,
  coalesce(delegation_evidence.role, delegation_members.role_at_event) as role_at_event,
  articles.file as file,
  delegation_evidence.cue as cue,
  delegation_evidence.text as evidence,
  delegation_evidence.start as start,
  delegation_evidence."end" as "end",
  events.id as event_id,
  people.id as person_id,
  delegation_members.id as member_id
from delegation_evidence
join delegation_members on delegation_members.id = delegation_evidence.member
join events on events.id = delegation_members.event
join people on people.id = delegation_members.person
join articles on articles.id = delegation_evidence.article
order by events.date, events.id, delegation_members.side, people.name, articles.file
""", materialized=True,
         indexes=[("person_id",), ("event_id",), ("event",), ("side",), ("file",), ("cue",)]),
]

NOT_NAME_POS = {"VERB", "ADP", "DET", "ADV", "PRON", "CCONJ", "SCONJ", "AUX", "PART", "INTJ",
                "NUM"}
PERSON_NAME = re.compile(r"^[A-Z][\w’'.-]+(?:\s+(?:[A-Z][\w’'.-]+|al|el|bin|ibn|de|van|von|"
                         r"(?:al|el)-[A-Z][\w’'-]+))+$")


# slots: a build holds every candidate of the corpus while it resolves them (hundreds of
# thousands at scale); an instance dict each made them a third larger
@dataclasses.dataclass(slots=True)
class Candidate:
    article: object
    # the sentence's row while found; its index in article.sentences in the cache; its id once
    # attached (attach_candidates): all resolution reads of it
    sentence: "dict | int | str"
    start: int
    end: int
    text: str
    key: tuple
    context: roles.Context
    person_label: bool = False
    credit_role: str | None = None
    accepted: bool = False
    group: "Group | None" = None
    resolved_by: str | None = None
    full: bool = dataclasses.field(init=False, repr=False)   # read millions of times at scale

    def __post_init__(self):
        self.full = names.is_full(self.key)


@dataclasses.dataclass
class Group:
    """One person within one article (its full-name mentions), then merged across articles."""
    article: object
    candidates: list[Candidate]
    parent: "Group | None" = None
    keys: set = dataclasses.field(default_factory=set)   # name keys of its full-name mentions

    def add(self, candidate: Candidate) -> None:
        self.candidates.append(candidate)
        if candidate.full:
            self.keys.add(candidate.key)

    def root(self) -> "Group":
        group = self
        while group.parent is not None:
            group = group.parent
        node = self   # path compression: later calls are O(1)
        while node.parent is not None and node.parent is not group:
            node.parent, node = group, node.parent
        return group


def _sentence_of(article, offset: int) -> dict | None:
    for sentence in article.sentences:
        if sentence["start"] <= offset < sentence["end"]:
            return sentence
    return None


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def find_candidates(article, placelike) -> list[Candidate]:
    """Name candidates of one article with their title context (no resolution yet).
    `placelike`: lowercased surfaces the corpus tags as places more often than as people."""
    lex = roles.lexicon()
    text = article.text
    credit_spans = [(c.start, c.end) for c in article.credits if c.start is not None]
    person_spans = Spans((e[1], e[2]) for e in article.entities if e[0] == "PERSON")
    pos_at = {row[0]: row[4] for row in article.tokens}
    found = []
    for sentence in article.sentences:
        tokens = roles.tokenize(text, sentence["start"], sentence["end"])
        for i, j in roles.name_runs(tokens):
            # capitalized non-nouns opening a run ("Accompanying Aydin were", "Unlike ...")
            while i < j and pos_at.get(tokens[i].start) in NOT_NAME_POS:
                i += 1
            n = roles.strip_title_words(tokens, i, j)
            # trailing title/country words ("Temirov Meets", "X Russian") are not the name
            while j > n and (lex.title_word(tokens[j - 1].low) or tokens[j - 1].low in lex.countries):
                j -= 1
            if n >= j:
                continue
            start, end = tokens[n].start, tokens[j - 1].end
            span = (start, end)
            if any(_overlaps(span, c) for c in credit_spans):
                continue
            surface = text[start:end]
            key = names.name_key(surface)
            if not key:
                continue
            words = [t.low for t in tokens[n:j]]
            org_at = [k for k in range(n, j) if tokens[k].low in lex.org_words]
            after_org = roles.strip_title_words(tokens, org_at[-1] + 1, j) if org_at else j
            if org_at and j - after_org >= 2 and not any(
                    tokens[k].low in lex.org_words or tokens[k].low in lex.countries
                    for k in range(after_org, j)):
                # "Head of the Northern Direct Investment Fund Pavel Ivin": the name is
                # the run after the organization's last word (and any title after it)
                n = after_org
                start = tokens[n].start
                span = (start, end)
                surface = text[start:end]
                key = names.name_key(surface)
                words = [t.low for t in tokens[n:j]]
            if any(w in lex.org_words or w in lex.countries for w in words) and len(key) > 1:
                continue
            candidate = Candidate(
                article=article, sentence=sentence, start=start, end=end, text=surface, key=key,
                context=roles.context_of(tokens, n, j, text),
                person_label=person_spans.overlaps(start, end))
            # places as people: a full name the corpus tags as a place more often than as a
            # person. A single word is judged later by the surname it matches (a surname may
            # also be a town: "Aydin").
            if len(key) > 1 and not candidate.context.titles and surface.lower() in placelike:
                continue
            found.append(candidate)
    for credit in article.credits:
        if credit.start is None or not PERSON_NAME.match(credit.name or ""):
            continue
        key = names.name_key(credit.name)
        sentence = _sentence_of(article, credit.start)
        if names.is_full(key) and sentence is not None:
            found.append(Candidate(article=article, sentence=sentence, start=credit.start,
                                   end=credit.end, text=text[credit.start:credit.end], key=key,
                                   context=roles.Context(titles=[]), credit_role=credit.role,
                                   accepted=True, resolved_by="credit"))
    return found


def article_candidates(article, inputs, placelike) -> list[Candidate]:
    """find_candidates as plain records, for per_article (cached, parallel): the article
    becomes None and each sentence its index in article.sentences (see attach_candidates)."""
    position = {sentence["id"]: index for index, sentence in enumerate(article.sentences)}
    found = find_candidates(article, placelike)
    for c in found:   # fresh objects: changed in place (a copy each costs seconds at scale)
        c.article, c.sentence = None, position[c.sentence["id"]]
    return found


def attach_candidates(article, found: list[Candidate]) -> list[Candidate]:
    """article_candidates' records back on their article (in place: they come fresh from
    the cache or a worker), each with its sentence's id: the build holds every candidate
    while it resolves them, and a sentence row each (made when read, see
    pipeline.TextSentences) kept a third of a million rows alive at scale."""
    # a build's TextSentences holds the ids: its rows need not be made just to read them
    ids = getattr(article.sentences, "ids", None) or [s["id"] for s in article.sentences]
    for c in found:
        c.article, c.sentence = article, ids[c.sentence]
    return found


def placelike_surfaces(articles) -> set[str]:
    """Lowercased entity surfaces the corpus tags as a place more often than as a person."""
    counts = Counter()
    for article in articles:
        for label, _, _, surface in article.entities:
            kind = "person" if label == "PERSON" else "place" if label in ("GPE", "LOC", "FAC") else None
            if kind:
                counts[(names.strip_possessive(surface).lower(), kind)] += 1
    return {surface for (surface, kind), count in counts.items()
            if kind == "place" and count > counts[(surface, "person")]}


def resolve(articles) -> tuple[list[Candidate], list[Group]]:
    """Accepted mentions and the person groups (roots) they belong to."""
    found_per_article = per_article.map_articles(
        "people.candidates", article_candidates, articles,
        lookups={"placelike": placelike_surfaces(articles)})
    candidates = {article.id: attach_candidates(article, found)
                  for article, found in zip(articles, found_per_article)}
    # pass 1: full names with evidence of being a person
    for found in candidates.values():
        for c in found:
            if c.full and not c.credit_role:
                c.accepted = c.person_label or bool(c.context.titles) or bool(c.context.country_evidence)
    accepted_keys = names.NameIndex()
    for found in candidates.values():
        for c in found:
            if c.accepted and c.full:
                accepted_keys.add(c.key, None)
    # pass 2: full names that name a person found elsewhere
    for found in candidates.values():
        for c in found:
            if c.full and not c.accepted and accepted_keys.any_match(c.key):
                c.accepted, c.resolved_by = True, "name"
    # groups within each article
    groups: list[Group] = []
    by_article: dict[str, list[Group]] = defaultdict(list)
    for article in articles:
        for c in candidates[article.id]:
            if not (c.full and c.accepted):
                continue
            c.resolved_by = c.resolved_by or "name"
            # a group that has the mention's very key matches without comparing names
            # (same_person(k, k) holds for every full key): most mentions repeat a name
            # their article used before
            group = next((g for g in by_article[article.id]
                          if c.key in g.keys or any(names.same_person(c.key, k) for k in g.keys)),
                         None)
            if group is None:
                group = Group(article=article, candidates=[])
                by_article[article.id].append(group)
                groups.append(group)
            group.add(c)
            c.group = group
    # across articles: union groups whose names match (a NameIndex blocks by surname, so
    # only names with similar surnames are compared)
    index = names.NameIndex(first_only=True)   # groups of one key are merged with its first
    for group in groups:
        for key in group.keys:
            for other in index.matches(key):
                if other.root() is not group.root():
                    group.root().parent = other.root()
            index.add(key, group)
    roots = {}
    for group in groups:
        roots.setdefault(id(group.root()), group.root())
    # corpus attestation per root, for surname resolution across articles
    weight = Counter()
    articles_of = defaultdict(set)
    for group in groups:
        weight[id(group.root())] += len(group.candidates)
        articles_of[id(group.root())].add(group.article.id)
    # roots by the one-word names that can refer to them (names.one_word_names), in roots order
    order = {rid: position for position, rid in enumerate(roots)}
    roots_by_surname: dict[str, set] = defaultdict(set)
    one_word_names: dict[int, set[str]] = {}   # id(group) -> those of its full names
    for group in groups:
        words = one_word_names[id(group)] = set()
        for key in group.keys:
            words |= names.one_word_names(key)
        for word in words:
            roots_by_surname[word].add(id(group.root()))
    # surname-only mentions
    for article in articles:
        local_of: dict[str, list[Group]] = {}   # surname -> the article's groups it may name
        for c in candidates[article.id]:
            if c.full or c.credit_role:
                continue
            surname = c.key[0]
            if surname not in local_of:   # the article's groups are complete here
                local_of[surname] = [g for g in by_article[article.id]
                                     if surname in one_word_names[id(g)]]
            local = local_of[surname]
            if len(local) > 1:
                others = [g for g in local
                          if not any(x.sentence == c.sentence for x in g.candidates)]
                local = others or local
            if local:
                c.group = min(local, key=lambda g: g.candidates[0].start)
                c.accepted, c.resolved_by = True, "article"
                continue
            corpus = [roots[rid] for rid in sorted(roots_by_surname.get(surname, ()),
                                                   key=order.__getitem__)]
            if corpus:
                c.group = max(corpus, key=lambda r: (len(articles_of[id(r)]), weight[id(r)]))
                c.accepted, c.resolved_by = True, "corpus"
    # credits: merge with a text person of the same name, else a person of their own
    # (the first such person in roots order)
    root_names = names.NameIndex(first_only=True)   # one key, one root (merged above)
    for group in groups:
        for key in group.keys:
            root_names.add(key, id(group.root()))
    for article in articles:
        for c in candidates[article.id]:
            if not c.credit_role:
                continue
            found = root_names.matches(c.key)
            match = roots[min(found, key=order.__getitem__)] if found else None
            if match is None:
                match = Group(article=article, candidates=[])
                groups.append(match)
                roots[id(match)] = match
                order[id(match)] = len(order)
            match.add(c)
            c.group = match
            if c.full:
                root_names.add(c.key, id(match))
    accepted = [c for found in candidates.values() for c in found if c.accepted and c.group]
    for c in accepted:
        c.group = c.group.root()
    # a name that is a span of a longer accepted name in the same place is not a mention
    accepted.sort(key=lambda c: (c.article.id, c.start, -(c.end - c.start)))
    unique, seen = [], set()
    for c in accepted:
        if (c.article.id, c.start, c.end) in seen:
            continue
        seen.add((c.article.id, c.start, c.end))
        unique.append(c)
    return unique, list({id(c.group): c.group for c in unique}.values())


def article_event_and_rosters(article, inputs: dict, people, places) -> tuple:
    """(the event the article reports or None, its roster sentences as [(sentence index,
    [(person, side, mention)], rule)]) given its body person mentions: events.article_event
    and events.roster_members, per article (per_article: cached, parallel). The event's
    article is None (attach it again): results travel between processes."""
    published = dt.date.fromisoformat(inputs["published"]) if inputs["published"] else None
    mentions = inputs["mentions"]
    item = events_module.article_event(article, published, mentions, people, places)
    if item is None:
        return None, []
    by_sentence = defaultdict(list)
    for mention in mentions:
        by_sentence[mention["sentence"]].append(mention)
    hits = []
    for index, sentence in enumerate(article.sentences):
        in_sentence = by_sentence.get(sentence["id"])
        # a sentence that names nobody has no roster (and its cue patterns cost most)
        if sentence["kind"] != "body" or not in_sentence:
            continue
        found, rule = events_module.roster_members(sentence, in_sentence, people)
        if found:
            own = inputs["readout_country"]
            if own and rule == "member":
                found = [(person_id, side or own, mention) for person_id, side, mention in found]
            hits.append((index, found, rule))
    item.article = None
    return item, hits


@functools.lru_cache(maxsize=1 << 16)
def _position_title(text: str) -> tuple[str, str]:
    """(the title as written, its article dropped; the position's title, title-cased), once
    per distinct title: a build at scale reads hundreds of thousands of titled mentions."""
    clean_title = re.sub(r"^(?:the|a|an|his|her|its|their)\s+", "", text, flags=re.IGNORECASE)
    return clean_title, _title_case(clean_title)


def _title_case(title: str) -> str:
    small = {"of", "the", "for", "and", "on", "at", "to", "in"}
    words = title.split()
    return " ".join(w if (w.lower() in small and k) or w[:1].isupper() else w[:1].upper() + w[1:]
                    for k, w in enumerate(words))


def extract(articles, tables):
    mentions_found, roots = resolve(articles)
    # ---------------------------------------------------------------- people
    members_of = defaultdict(list)
    for c in mentions_found:
        members_of[id(c.group)].append(c)
    people: dict[str, dict] = {}
    person_of_group: dict[int, str] = {}
    used_ids = set()
    for root in sorted(roots, key=lambda r: min((c.article.file, c.start) for c in members_of[id(r)])):
        items = members_of[id(root)]
        forms = Counter()
        form_articles = defaultdict(set)
        for c in items:
            if c.full:
                forms[names.strip_possessive(c.text)] += 1
                form_articles[names.strip_possessive(c.text)].add(c.article.id)
        if not forms:
            continue
        canonical = names.canonical_form([(f, len(form_articles[f]), n) for f, n in forms.items()])
        person_id = base = slug(canonical)
        suffix = 2
        while person_id in used_ids:
            person_id, suffix = f"{base}-{suffix}", suffix + 1
        used_ids.add(person_id)
        person_of_group[id(root)] = person_id
        credit_roles = {c.credit_role for c in items if c.credit_role}
        titles = [t for c in items for t in c.context.titles]
        countries = Counter(c.context.country for c in items if c.context.country)
        kind = ("photographer" if credit_roles == {"photo"} else "journalist" if credit_roles
                else "official" if titles else "other")
        people[person_id] = {
            "id": person_id, "name": canonical,
            "country": countries.most_common(1)[0][0] if countries else None,
            "kind": kind, "surname": names.surname_of(canonical),
            "leader": int(any(t.leader for t in titles)),
            "articles": len({c.article.id for c in items}), "mentions": len(items),
            "_forms": forms, "_form_articles": form_articles,
            "_countries": countries}
    # credits (bylines, photo credits, contributor lines): people of the article, with or
    # without a span in the text; a byline read from a header line has none
    credit_rows = []
    people_by_name = names.NameIndex(first_only=True)   # form key -> first person with it
    for person in people.values():
        for form in person["_forms"]:
            people_by_name.add(names.name_key(form), person["id"])
    person_order = {person_id: position for position, person_id in enumerate(people)}
    for article in articles:
        for credit in article.credits:
            key = names.name_key(credit.name or "")
            if not PERSON_NAME.match(credit.name or "") or not names.is_full(key):
                continue
            found = people_by_name.matches(key)
            person_id = min(found, key=person_order.__getitem__) if found else None
            if person_id is None:
                # an all-capitals byline ("By JANE ROE") is named in running-text case
                display = credit.name.title() if credit.name.isupper() else credit.name
                person_id = slug(display)
                people[person_id] = {
                    "id": person_id, "name": display, "country": None,
                    "kind": "photographer" if credit.role == "photo" else "journalist",
                    "surname": names.surname_of(display), "leader": 0, "articles": 1,
                    "mentions": 0, "_forms": Counter({display: 0}),
                    "_form_articles": defaultdict(set, {display: {article.id}}),
                    "_countries": Counter()}
                person_order.setdefault(person_id, len(person_order))
                people_by_name.add(names.name_key(display), person_id)
            credit_rows.append({
                "id": stable_id(person=person_id, article=article.id, role=credit.role,
                                start=credit.start),
                "person": person_id, "article": article.id,
                "credit": stable_id(article=article.id, role=credit.role, name=credit.name,
                                    start=credit.start),
                "role": credit.role})
    mention_rows = []
    for c in mentions_found:
        person_id = person_of_group.get(id(c.group))
        if not person_id:
            continue
        mention_rows.append({
            "id": stable_id(article=c.article.id, start=c.start, end=c.end),
            "person": person_id, "article": c.article.id, "sentence": c.sentence,
            "start": c.start, "end": c.end, "text": c.text,
            "form": "credit" if c.credit_role else "full" if c.full else "surname",
            "resolved_by": c.resolved_by})
    # ---------------------------------------------------------------- events and rosters
    published = {a.id: events_module.parse_date(a.published) for a in articles}
    for a in articles:
        if published[a.id] is None and a.duplicate_of:
            published[a.id] = published.get(a.duplicate_of)
    place_words = set()
    for a in articles:
        for label, _, _, surface in a.entities:
            if label in ("GPE", "LOC", "FAC") or (label == "ORG" and surface.lower().lstrip("the ")
                                                  in roles.lexicon().institutions):
                place_words.add(surface.lower().removeprefix("the "))
                place_words.add(surface.split()[0].lower())
    body_mentions = defaultdict(list)
    for row in mention_rows:
        if row["form"] != "credit":
            body_mentions[row["article"]].append(row)
    flat_people = {pid: {"leader": p["leader"], "country": p["country"]} for pid, p in people.items()}
    # A government's own readout ("The President held talks ... The talks were attended by
    # ...") lists its own officials without a demonym: their side is the government's country.
    readout_country = {row["id"]: row.get("country") for row in tables.get("outlets") or []
                       if row.get("kind") == "government" and row.get("country")}
    found_per_article = per_article.map_articles(
        "people.events", article_event_and_rosters, articles,
        inputs=[{"published": published[a.id] and published[a.id].isoformat(),
                 "mentions": body_mentions[a.id], "readout_country": readout_country.get(a.outlet)}
                for a in articles],
        lookups={"people": flat_people, "places": place_words})
    article_events, roster_hits = [], []
    for a, (item, hits) in zip(articles, found_per_article):
        if item:
            item.article = a
            article_events.append(item)
            roster_hits += [(item, a.sentences[index], found, rule) for index, found, rule in hits]
    clustered = events_module.cluster(article_events)
    # roster sides are country evidence too (for people no title places)
    for item, _, found, rule in roster_hits:
        own = readout_country.get(item.article.outlet)
        for person_id, side, _ in found:
            if side and (rule in ("demonym", "object")
                         or (own and rule == "member" and not flat_people[person_id]["country"])):
                people[person_id]["_countries"][side] += 1
    for person in people.values():
        if person["_countries"]:
            person["country"] = person["_countries"].most_common(1)[0][0]
        flat_people[person["id"]]["country"] = person["country"]
    # ---------------------------------------------------------------- positions and occupancies
    organizations, positions, occupancies = {}, {}, []
    for c in mentions_found:
        person_id = person_of_group.get(id(c.group))
        if not person_id:
            continue
        for title in c.context.titles:
            country = title.country or people[person_id]["country"]
            organization_id = None
            if title.organization:
                org_country = country
                organization_id = slug(f"{title.organization} {org_country or ''}")
                organizations.setdefault(organization_id, {
                    "id": organization_id, "name": title.organization, "country": org_country,
                    "kind": ("ministry" if title.organization.lower().startswith("ministry")
                             or "ministry" in title.organization.lower()
                             else "institution" if title.organization.lower() in
                             roles.lexicon().institutions else "body")})
            clean_title, position_title = _position_title(title.text)
            position_id = slug(f"{position_title} {organization_id or ''} {country or ''}")
            positions.setdefault(position_id, {
                "id": position_id, "title": position_title, "organization": organization_id,
                "country": country, "leader": int(title.leader)})
            start = min(title.start, c.start)
            end = max(title.end, c.end)
            occupancies.append({
                "id": stable_id(person=person_id, position=position_id, article=c.article.id,
                                start=start, end=end),
                "person": person_id, "position": position_id, "article": c.article.id,
                "sentence": c.sentence, "start": start, "end": end,
                "text": c.article.text[start:end], "title": clean_title, "form": title.form,
                "past": int(title.past)})
    # Nothing below reads a candidate: freed now, not at the stage's end, so the rows still
    # to come reuse their memory (every name candidate of the corpus: hundreds of MiB at
    # scale). A candidate and its group refer to each other, and the build collects cycles
    # only between stages (pipeline.settle_heap): the links are cut first.
    for c in mentions_found:
        if c.group is not None:
            c.group.candidates.clear()
            c.group = None
    del mentions_found, members_of, roots
    # ---------------------------------------------------------------- events rows
    event_rows, event_article_rows = [], []
    event_id_of = {}
    used_event_ids = set()
    for event in clustered:
        principals = sorted(event.key, key=lambda p: people[p]["name"])
        label_names = " and ".join(people[p]["name"] for p in principals)
        kind = event.kinds.most_common(1)[0][0] if event.kinds else "talks"
        date = (event.date.isoformat() if event.precision == "day" else
                event.date.strftime("%Y-%m") if event.precision == "month" else
                str(event.date.year) if event.date else None)
        place = event.places.most_common(1)[0][0] if event.places else None
        base = slug(f"{date or f'meeting-{event.ordinal or 0}'} {' '.join(principals)}")
        event_id = base
        suffix = 2
        while event_id in used_event_ids:
            event_id, suffix = f"{base}-{suffix}", suffix + 1
        event_id_of[id(event)] = event_id
        used_event_ids.add(event_id)
        name = f"{kind.capitalize()}: {label_names}" + (f", {place}" if place else "") + \
               (f", {date}" if date else "")
        articles_reporting = {item.article.id for item in event.reports}
        event_rows.append({"id": event_id, "name": name, "date": date,
                           "date_precision": event.precision if date else None, "place": place,
                           "kind": kind, "ordinal": event.ordinal,
                           "articles": len(articles_reporting)})
        for item in event.reports:
            span = item.date_span or (None, None)
            event_article_rows.append({
                "id": stable_id(event=event_id, article=item.article.id, relation="reports"),
                "event": event_id, "article": item.article.id, "relation": "reports",
                "basis": item.basis, "start": span[0], "end": span[1],
                "text": item.article.text[span[0]:span[1]] if span[0] is not None else None})
        for article, reference in event.referenced_by:
            if article.id in articles_reporting:
                continue
            event_article_rows.append({
                "id": stable_id(event=event_id, article=article.id, relation="mentions",
                                start=reference.start),
                "event": event_id, "article": article.id, "relation": "mentions",
                "basis": "earlier meeting named with a month", "start": reference.start,
                "end": reference.end, "text": reference.text})
    event_article_rows = list({row["id"]: row for row in event_article_rows}.values())
    # ---------------------------------------------------------------- delegations
    event_of_item = {id(item): event_id_of[id(e)] for e in clustered for item in e.reports}
    occupancy_by_mention = defaultdict(list)
    for row in occupancies:
        occupancy_by_mention[(row["article"], row["sentence"], row["person"])].append(row)
    members, evidence = {}, []
    positions_by_title = {o["title"].lower(): positions[o["position"]]["leader"] for o in occupancies}

    def add_member(event_id, person_id, side, mention, role, cue, article):
        member_id = stable_id(event=event_id, person=person_id, side=side)
        member = members.setdefault(member_id, {
            "id": member_id, "event": event_id, "person": person_id, "side": side,
            "_roles": Counter(), "_articles": set()})
        if role:
            member["_roles"][role] += 1
        member["_articles"].add(article.id)
        titles = [o for o in occupancy_by_mention[(article.id, mention["sentence"], person_id)]
                  if o["start"] <= mention["start"] and o["end"] >= mention["end"]]
        start = min([mention["start"]] + [o["start"] for o in titles])
        end = max([mention["end"]] + [o["end"] for o in titles])
        evidence.append({
            "id": stable_id(member=member_id, article=article.id, start=start, end=end),
            "member": member_id, "article": article.id, "sentence": mention["sentence"],
            "start": start, "end": end, "text": article.text[start:end], "role": role,
            "cue": cue})

    # current offices (not ranks, not past) by person and article, in occupancy order: a
    # principal of templated coverage holds thousands of occupancies
    offices_in_article = defaultdict(list)
    offices_of_person = defaultdict(list)
    for row in occupancies:
        if row["form"] != "rank" and not row["past"]:
            offices_in_article[(row["person"], row["article"])].append(row["title"])
            offices_of_person[row["person"]].append(row["title"])

    @functools.lru_cache(maxsize=None)
    def offices_elsewhere(person_id) -> list[str]:
        """The offices articles give a person, most stated first, leaders' offices first."""
        stated = [title for title, _ in Counter(offices_of_person[person_id]).most_common()]
        stated.sort(key=lambda t: not positions_by_title.get(t.lower(), 0))
        return stated

    def role_of(article, mention, person_id, principal=False):
        rows = [o for o in occupancy_by_mention[(article.id, mention["sentence"], person_id)]
                if o["start"] <= mention["start"] < o["end"] or o["start"] < mention["end"] <= o["end"]]
        offices = [o for o in rows if o["form"] != "rank"]
        chosen = (offices or rows)
        if chosen:
            return chosen[0]["title"]
        stated = offices_in_article.get((person_id, article.id))
        if not stated and principal:
            # a principal the article names without a title ("his Russian counterpart X"):
            # the office other articles give them
            stated = offices_elsewhere(person_id)
        return stated[0] if stated else None

    for item, sentence, found, rule in roster_hits:
        event_id = event_of_item.get(id(item))
        if not event_id:
            continue
        for person_id, side, mention in found:
            side = side or people[person_id]["country"]
            add_member(event_id, person_id, side, mention, role_of(item.article, mention, person_id),
                       "roster", item.article)
    for event in clustered:
        event_id = event_id_of[id(event)]
        for item in event.reports:
            for person_id in item.principals:
                mention = next((m for m in body_mentions[item.article.id]
                                if m["person"] == person_id and m["sentence"] in item.sentence_ids),
                               None)
                if mention:
                    add_member(event_id, person_id, people[person_id]["country"], mention,
                               role_of(item.article, mention, person_id, principal=True),
                               "principal", item.article)
    member_rows = []
    for member in members.values():
        roles_seen = member.pop("_roles")
        member["role_at_event"] = roles_seen.most_common(1)[0][0] if roles_seen else None
        member["articles"] = len(member.pop("_articles"))
        member_rows.append(member)
    evidence = list({row["id"]: row for row in evidence}.values())
    # ---------------------------------------------------------------- name variants
    name_rows = []
    for person in people.values():
        for form, count in person["_forms"].items():
            name_rows.append({"id": stable_id(person=person["id"], name=form),
                              "person": person["id"], "name": form,
                              "key": " ".join(names.name_key(form)), "mentions": count,
                              "articles": len(person["_form_articles"][form])})
    surname_forms = Counter((row["person"], names.strip_possessive(row["text"]))
                            for row in mention_rows if row["form"] == "surname")
    articles_of_text = defaultdict(set)
    for row in mention_rows:
        articles_of_text[(row["person"], row["text"])].add(row["article"])
    for (person_id, form), count in surname_forms.items():
        name_rows.append({"id": stable_id(person=person_id, name=form), "person": person_id,
                          "name": form, "key": " ".join(names.name_key(form)), "mentions": count,
                          "articles": len(articles_of_text.get((person_id, form), ()))})
    people_rows = [{k: v for k, v in p.items() if not k.startswith("_")} for p in people.values()]
    return {
        "people": people_rows, "person_names": list({r["id"]: r for r in name_rows}.values()),
        "mentions": mention_rows, "organizations": list(organizations.values()),
        "positions": list(positions.values()),
        "occupancies": list({r["id"]: r for r in occupancies}.values()),
        "events": event_rows, "event_articles": event_article_rows,
        "delegation_members": member_rows, "delegation_evidence": evidence,
        "person_credits": credit_rows,
    }
