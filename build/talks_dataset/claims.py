"""Quotes and claims stage: quotes (quotes.py) and claims, reported speech and factual
statements, grouped across articles. One view of each article (its tokens, quotes and speaker
candidates, quotes.ArticleView) serves both: quote attribution, then claim finding, which reads
that article's quotes.

Claim detection: a body sentence is a claim when it reports speech (a cue verb of
data/reporting_verbs.yml outside quotes with a clause or a quote after it, or "according to X")
or states a fact of a topic in data/claim_topics.yml (withdrawals, bases, asylum, extradition,
memberships, economic figures, ...). Its attribution is the speaker of its quote, else the
subject of its cue verb (a person, an organization or collective, anonymous "sources"), else
"reportedly" (anonymous), else the outlet itself.

Grouping: two claims of different articles state the same fact when they share their primary
topic and score >= GROUP_THRESHOLD on
    0.5 * token-set ratio (rapidfuzz) of their content-word lemmas
  + 0.5 * idf-weighted overlap of the places, organizations and people they mention,
where idf down-weights names that occur in most claims (the two countries of every article).
Groups are the connected components of those pairs. Claims about different people (each
names someone the other does not) join only when near-verbatim (rapidfuzz ratio >= 90). Pairs are
found through exact blocking (see group_claims); in blocks of templated text larger than PAIRWISE
pairs, claims are joined in linear time and the near-verbatim exception is not checked.

Independence: each article counts as its source's outlet; a near-duplicate article
(articles.duplicate_of) counts as its original; an article without a known outlet counts as a
source of its own. `outlets` of a group is the number of distinct sources.

Contradictions (candidates for a reader to check): claims of one group from different sources
with different resolved dates (topics marked `dated`), and groups of opposing topics (a withdrawal
from X and a presence at X, `opposes`) that share a distinctive place or organization.
"""
from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import re
import typing
from pathlib import Path

import yaml
from dateutil import parser as date_parser
from rapidfuzz import fuzz

from . import quotes as quotes_stage
from . import per_article, schema
from .pipeline import stable_id

NAME = "quotes and claims"   # the stage's name in the build summary (one stage, two modules)
DATA = Path(__file__).parent / "data"
GROUP_THRESHOLD = 0.5
MIN_TEXT_SCORE = 0.6
NEAR_VERBATIM = 0.85
# token-set ratio is 100 for any subset: short signatures must share this many words too
MIN_SHARED_WORDS = 3
SUBSET_LOOKUP = 10   # word sets up to this size may look up their subsets (at most 2^10)
PAIRWISE = 2500      # blocks of claims up to this many pairs are compared pair by pair
PARALLEL_CLAIMS = 20000   # fewer claims are grouped in the build process (forking costs more)
# How far after its trigger word a claim names what it is about (characters).
FOCUS_CHARS = 120
TEXT_WEIGHT = 0.5
# A shared name is distinctive when it occurs in at most this share of all claims.
DISTINCTIVE_SHARE = 0.25
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAY_PATTERNS = [re.compile(rf"\b{day}\b") for day in WEEKDAYS]
EXPLICIT_DATE = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
                           r"\b\d{1,2}\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|"
                           r"\b\d{4}-\d{2}-\d{2}\b")
CAPITALIZED_WORD = re.compile(r"\b[A-Z]")
PLACE_LABELS = {"GPE", "LOC", "FAC"}


@functools.lru_cache(maxsize=None)
def claim_topics() -> dict:
    data = yaml.safe_load((DATA / "claim_topics.yml").read_text(encoding="utf-8"))
    return data


def topics_of(tokens: list[list], text: str) -> list[str]:
    """Topics of a sentence. Words inside names and titles are no topic words ("Energy
    Minister X", "the Northern Direct Investment Fund": capitalized inside the sentence), nor is
    "according" (lemma "accord"). A topic's `weak_lemmas` count only with one of its
    `context_lemmas` ("maintain" is a presence only next to "troops", "base", ...)."""
    found = []
    lowered = [token[3].lower() for token in tokens]
    lemmas = {lowered[index] for index, token in enumerate(tokens)
              if not (index > 0 and token[2][:1].isupper()) and token[2].lower() != "according"}
    all_lemmas = set(lowered)
    # a particle verb needs its verb: most sentences have none of them, so skip the scan
    verbs = {lowered[index] for index, token in enumerate(tokens) if token[4] == "VERB"}
    lower = text.lower()
    any_phrase, matchers = _topic_matchers()
    # one scan for all topics' phrases: a topic's own pattern can match only if this does
    has_phrase = any_phrase is not None and any_phrase.search(lower) is not None
    for name, topic_lemmas, weak_lemmas, context_lemmas, phrases, particle_verbs in matchers:
        weak = not lemmas.isdisjoint(weak_lemmas) and not all_lemmas.isdisjoint(context_lemmas)
        if not lemmas.isdisjoint(topic_lemmas) or weak \
                or (has_phrase and phrases and phrases.search(lower)) \
                or any(verb in verbs and _particle_verb(tokens, phrase)
                       for verb, phrase in particle_verbs):
            found.append(name)
    return found


@functools.lru_cache(maxsize=1)
def _topic_matchers() -> tuple[re.Pattern | None, list[tuple]]:
    """(one pattern of every topic's phrases, per topic: name, lemma sets and one compiled
    pattern of its phrases), built once."""
    matchers = []
    every_phrase = []
    for name, topic in claim_topics()["topics"].items():
        phrases = topic.get("phrases", [])
        every_phrase += phrases
        pattern = (re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b")
                   if phrases else None)
        matchers.append((name, frozenset(topic.get("lemmas", [])),
                         frozenset(topic.get("weak_lemmas", [])),
                         frozenset(topic.get("context_lemmas", [])), pattern,
                         tuple((phrase.split()[0], phrase)   # (its verb, the phrase)
                               for phrase in topic.get("particle_verbs", []))))
    any_phrase = (re.compile(r"\b(?:" + "|".join(re.escape(p) for p in every_phrase) + r")\b")
                  if every_phrase else None)
    return any_phrase, matchers


def _particle_verb(tokens: list[list], phrase: str) -> bool:
    verb, particle = phrase.split()
    for index, token in enumerate(tokens):
        if token[3].lower() == verb and token[4] == "VERB" and any(
                other[2].lower() == particle for other in tokens[index + 1:index + 5]):
            return True
    return False


def resolve_date(text: str, published: str | None) -> str | None:
    """An ISO date for an explicit date expression; weekdays count back from `published`."""
    lower = text.lower().strip()
    base = None
    if published:
        try:
            base = dt.date.fromisoformat(published[:10])
        except ValueError:
            base = None
    for index, day in enumerate(WEEKDAY_PATTERNS):
        if day.search(lower):
            if base is None:
                return None
            return (base - dt.timedelta(days=(base.weekday() - index) % 7)).isoformat()
    if not EXPLICIT_DATE.search(lower):
        return None
    default = dt.datetime(base.year if base else 1900, 1, 1)
    try:
        parsed = date_parser.parse(text, default=default, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    if parsed.year == 1900:
        return None  # a month and day without any year to anchor them
    return parsed.date().isoformat()


# ---------------------------------------------------------------- places

def place_source(tables) -> tuple[dict, dict[str, list[dict]]]:
    """({place id: name}, {article id: [place mention rows]}) when the places stage ran."""
    places = tables.get("places") or []
    if not places:
        return {}, {}
    names = {row["id"]: row.get("name") for row in places}
    for table_name, rows in tables.items():
        if not rows or table_name == "places":
            continue
        sample = rows[0]
        key = next((k for k in ("place", "location") if k in sample), None)
        if key and {"article", "start", "end"} <= set(sample) and \
                sample[key] in names:
            by_article: dict[str, list[dict]] = {}
            for row in rows:
                by_article.setdefault(row["article"], []).append(
                    {"place": row[key], "start": row["start"], "end": row["end"],
                     "name": names.get(row[key])})
            return names, by_article
    return names, {}


# ---------------------------------------------------------------- extraction

# a corpus repeats its labels: 500,000 links at 10,000 articles
@functools.lru_cache(maxsize=1 << 16)
def _key(label: str) -> str:
    return re.sub(r"^the\s+", "", re.sub(r"['’]s$", "", label.strip().lower()))


def claim_rows_for_article(article, view, attributor, quote_rows, place_mentions,
                           outlet_name) -> tuple[list[dict], list[dict]]:
    claims, links = [], []
    verbs = quotes_stage.reporting_verbs()
    date_entities = [e for e in article.entities if e[0] == "DATE"]   # in entity order
    for sentence in article.sentences:
        if sentence["kind"] != "body":
            continue
        start, end = sentence["start"], sentence["end"]
        tokens = view.tokens_between(start, end)
        in_sentence = [q for q in quote_rows if q["start"] < end and q["end"] > start]
        speech_quotes = [q for q in in_sentence if q["kind"] == "speech" and q["speaker"]]
        cues = view.cues(start, end)
        clause_cues = [c for c in cues if c["strength"] == "according" or self_has_clause(
            view, c, in_sentence)]
        topics = topics_of(tokens, sentence["text"])
        if not (speech_quotes or clause_cues or topics):
            continue
        attribution = speaker = cue = None
        method = None
        if speech_quotes:
            quote = speech_quotes[0]
            attribution = {"kind": quote["speaker_kind"], "label": quote["speaker"],
                           "person": quote["person"], "organization": quote["organization"]}
            cue = quote["cue"]
            method = "quote"
        else:
            ordered = sorted(clause_cues, key=lambda c: c["strength"] == "according")
            for candidate_cue in ordered:
                speaker = attributor.resolve(attributor.subject_of(candidate_cue),
                                             candidate_cue["start"])
                if speaker is not None:
                    cue = candidate_cue["text"]
                    method = "cue"
                    break
            if speaker is not None:
                fields = quotes_stage.speaker_fields(speaker)
                attribution = {"kind": fields["speaker_kind"], "label": fields["speaker"],
                               "person": fields["person"],
                               "organization": fields["organization"]}
        if attribution is None:
            words = {t[2].lower() for t in tokens}
            if words & verbs["hedges"]:
                attribution = {"kind": "anonymous", "label": "unnamed sources (reportedly)",
                               "person": None, "organization": None}
                method = "hedge"
            else:
                attribution = {"kind": "outlet", "label": outlet_name, "person": None,
                               "organization": None}
                method = "outlet"
        if not (topics or clause_cues or speech_quotes):
            continue
        claim_id = stable_id(article=article.id, start=start, end=end)
        draft = {"start": start, "topic": topics[0] if topics else None}
        trigger = trigger_position(draft, tokens, sentence["text"])
        focus = focus_span(view, trigger, start, end)
        dates = sorted([(e[3], e[1], e[2]) for e in date_entities if start <= e[1] < end],
                       key=lambda d: (d[1] < (trigger or start), abs(d[1] - (trigger or start))))
        date_text = dates[0][0] if dates else None
        resolved = None
        for text, _, _ in dates:
            resolved = resolve_date(text, article.published)
            if resolved:
                date_text = text
                break
        claims.append({
            "id": claim_id, "article": article.id, "sentence": sentence["id"],
            "start": start, "end": end, "text": sentence["text"],
            "kind": "reported" if (speech_quotes or clause_cues) and method != "outlet"
            else "statement",
            "topic": topics[0] if topics else None, "topics": ", ".join(topics) or None,
            "attribution": attribution["kind"], "attributed_to": attribution["label"],
            "person": attribution["person"], "organization": attribution["organization"],
            "cue": cue, "attribution_method": method,
            "quote": in_sentence[0]["id"] if in_sentence else None,
            "date_text": date_text, "date": resolved, "_focus": focus, "_trigger": trigger})
        links += link_rows(article, view, claim_id, start, end, place_mentions)
    return claims, links


def self_has_clause(view, cue: dict, quotes_in_sentence: list[dict]) -> bool:
    """A reporting verb introduces a claim when a clause or a quote follows it."""
    if cue["strength"] == "according":
        return True
    if any(q["start"] > cue["start"] for q in quotes_in_sentence):
        return True
    if cue["token"] is None:
        return False
    for child in view.children(cue["token"]):
        # "X said that ..." and "..., officials said": a clause either side of the verb
        if view.tokens[child][6] in ("ccomp", "xcomp", "advcl"):
            return True
    # "X said the talks were frank": a finite verb after the cue in the same sentence
    return False


def link_rows(article, view, claim_id, start, end, place_mentions) -> list[dict]:
    rows = []
    seen = set()

    def add(kind, label, mention_start, mention_end, person=None, organization=None,
            place=None):
        key = (kind, mention_start, mention_end)
        if key in seen or not label:
            return
        seen.add(key)
        rows.append({"id": stable_id(claim=claim_id, kind=kind, start=mention_start,
                                     end=mention_end),
                     "claim": claim_id, "kind": kind, "label": label, "person": person,
                     "organization": organization, "place": place, "start": mention_start,
                     "end": mention_end, "text": article.text[mention_start:mention_end]})

    for person in view.persons_in(start, end):
        add("person", person.label, person.start, person.end, person=person.person)
    for group in view.collectives_in(start, end):
        # generic heads alone ("forces", "the group") name nobody: keep capitalized names
        if group.group != "anonymous" and CAPITALIZED_WORD.search(group.text):
            add("organization", group.label, group.start, group.end,
                organization=group.organization)
    places = place_mentions.get(article.id)
    if places is not None:
        for mention in places:
            if start <= mention["start"] < end:
                add("place", mention["name"], mention["start"], mention["end"],
                    place=mention["place"])
    else:
        person_spans = [(p.start, p.end) for p in view.persons]
        for label, e_start, e_end, surface in article.entities:
            if label in PLACE_LABELS and start <= e_start < end and \
                    not any(s <= e_start < e for s, e in person_spans):
                add("place", quotes_stage.THE_PREFIX.sub("", surface), e_start, e_end)
    return rows


# ---------------------------------------------------------------- grouping

@functools.lru_cache(maxsize=1)
def _content_word_tables() -> tuple[dict, frozenset]:
    """(trigger lemma -> topic name, words never content words), built once per process."""
    from spacy.lang.en.stop_words import STOP_WORDS

    canonical = {lemma: name for name, topic in claim_topics()["topics"].items()
                 for lemma in topic.get("lemmas", []) + [p.split()[0] for p in
                                                          topic.get("particle_verbs", [])]}
    skip = frozenset(set(STOP_WORDS) | set(claim_topics().get("grouping_stopwords", [])) |
                     {entry["lemma"] for entry in quotes_stage.reporting_verbs()["forms"].values()})
    return canonical, skip


class ClaimWords(typing.NamedTuple):
    """What grouping and contradictions read from a claim's focus tokens."""
    signature: str            # content_words()
    trigger: int | None       # trigger_position()


def _words(value, claim: dict | None = None) -> ClaimWords:
    """ClaimWords from ClaimWords or from a list of focus tokens."""
    if isinstance(value, ClaimWords):
        return value
    return ClaimWords(content_words(value),
                      trigger_position(claim, value, claim["text"]) if claim else None)


def content_words(tokens: list[list]) -> str:
    """Sorted distinct content lemmas; a topic's trigger lemmas become the topic's name, so
    "withdrew" and "pulled out" compare equal."""
    canonical, skip = _content_word_tables()
    words = [canonical.get(lemma, lemma) for t in tokens
             if t[4] in ("NOUN", "PROPN", "VERB", "ADJ", "NUM")
             and (lemma := t[3].lower()) not in skip and t[2].lower() not in skip]
    return " ".join(sorted(set(words)))


def source_key(article: dict, articles_by_id: dict) -> str:
    original = articles_by_id.get(article["duplicate_of"]) if article.get("duplicate_of") \
        else None
    root = original or article
    return f"outlet:{root['outlet']}" if root.get("outlet") else f"article:{root['id']}"


class KeyProfiles:
    """The profiles (indexes) of one blocking key in group_claims' step (2): `loose` ones,
    and `settled` ones (all their claims in one component) by that component's root.

    Templated text puts thousands of profiles under one key, most of them in the component
    of the profile looking them up: settled profiles are skipped a component at a time, not
    one by one. Roots go stale as components merge; gather() finds them again."""
    __slots__ = ("loose", "settled")

    def __init__(self):
        self.loose: list[int] = []
        self.settled: dict[str, list[int]] = {}

    def gather(self, loose_out: list[int], by_root: dict[str, list[list[int]]],
               profile_lists: list, one_component, find) -> None:
        """Add the loose profiles to loose_out and the settled ones, a list per component,
        to by_root under the component's root (settling the loose ones that now are)."""
        loose = []
        for index in self.loose:
            if one_component(profile_lists[index]):
                self.settled.setdefault(find(profile_lists[index][0]["id"]), []).append(index)
            else:
                loose.append(index)
        self.loose = loose
        loose_out += loose
        current: dict[str, list[int]] = {}
        for root, indexes in self.settled.items():
            root = find(root)
            if root in current:   # two components merged since: one list (the longer grows)
                merged, other = sorted((current[root], indexes), key=len, reverse=True)
                merged += other
                current[root] = merged
            else:
                current[root] = indexes
        self.settled = current
        for root, indexes in current.items():
            by_root.setdefault(root, []).append(indexes)


class ClaimNames(typing.NamedTuple):
    """What grouping and contradictions read of the claim links, by claim id: the names a
    claim links (`names`), the people it is about, its speaker aside (`actors`), and the places
    and organizations named just after its trigger word (`about`, contradictions only)."""
    names: dict[str, frozenset]
    actors: dict[str, frozenset]
    about: dict[str, frozenset]


def claim_names(claims: list[dict], links: list[dict], tokens_by_claim: dict) -> ClaimNames:
    """The claims' ClaimNames from their links: once they are made, the link rows (about
    two per claim, written to the database meanwhile) need not be kept while claims are
    grouped."""
    # Claims repeat a few thousand distinct name sets: equal ones share one object
    # (hundreds of thousands of sets at scale otherwise). A claim's links are consecutive
    # (made claim by claim), so its sets are made a run of links at a time, not a set per
    # claim of the corpus at once; a claim whose links are not is still right (runs merge).
    first_copies: dict = {}
    claim_of = {c["id"]: c for c in claims}
    names: dict[str, frozenset] = dict.fromkeys(claim_of, frozenset())
    actors: dict[str, frozenset] = dict.fromkeys(claim_of, frozenset())
    about: dict[str, frozenset] = {}

    def merge(found: dict, claim_id: str, run: set) -> None:
        merged = found.get(claim_id, frozenset()) | run
        found[claim_id] = first_copies.setdefault(merged, merged)

    for claim_id, run in itertools.groupby(links, key=lambda link: link["claim"]):
        claim = claim_of[claim_id]
        run_names, run_actors, run_about = set(), set(), set()
        trigger = None
        for link in run:
            key = _key(link["label"])
            run_names.add(key)
            # "Temirov is expected to visit Turkey" and "Aydin is expected to visit Russia"
            # are two facts; "Orlov said X" and "Petrov said X" may be one
            if link["kind"] == "person" and (link.get("person") is None
                                             or link["person"] != claim.get("person")):
                run_actors.add(key)
            # the place or organization a topical claim is about: named after its trigger
            # word ("withdrew its forces from X", "a military presence in ... X")
            if link["kind"] in ("place", "organization"):
                if trigger is None:
                    trigger = (_words(tokens_by_claim[claim_id], claim).trigger,)
                if trigger[0] is not None and \
                        trigger[0] <= link["start"] <= trigger[0] + FOCUS_CHARS:
                    run_about.add(key)
        merge(names, claim_id, run_names)
        merge(actors, claim_id, run_actors)
        if run_about:
            merge(about, claim_id, run_about)
    return ClaimNames(names, actors, about)


def group_claims(claims: list[dict], linked: ClaimNames, tokens_by_claim: dict,
                 articles_by_id: dict) -> tuple[list[dict], list[dict]]:
    # Claims repeat a few thousand distinct signatures and word sets: equal ones share one
    # object (hundreds of thousands of sets at scale otherwise).
    first_copies: dict = {}

    def one_of(value):
        return first_copies.setdefault(value, value)

    names_by_claim = linked.names
    frequency: dict[str, int] = {}
    for names in names_by_claim.values():
        for name in names:
            frequency[name] = frequency.get(name, 0) + 1
    total = max(len(claims), 1)
    idf = {name: math.log((1 + total) / (1 + count)) + 0.1 for name, count in frequency.items()}
    signature = {c["id"]: one_of(_words(tokens_by_claim[c["id"]]).signature) for c in claims}

    def entity_overlap(a: str, b: str) -> float:
        shared = names_by_claim[a] & names_by_claim[b]
        union = names_by_claim[a] | names_by_claim[b]
        if not union:
            return 0.0
        return sum(idf[n] for n in shared) / sum(idf[n] for n in union)

    parent = {c["id"]: c["id"] for c in claims}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    distinctive = set(distinctive_names(frequency, total))
    actors = linked.actors   # the people a claim is about, its speaker aside
    words_of_signature = {text: frozenset(text.split()) for text in set(signature.values())}
    words_of = {claim_id: words_of_signature[text] for claim_id, text in signature.items()}

    def actors_differ(a: dict, b: dict) -> bool:
        return bool(actors[a["id"]] and actors[b["id"]] and not actors[a["id"]] & actors[b["id"]])

    def joins(a: dict, b: dict, near_verbatim: bool = True) -> bool:
        """Two claims of different articles state the same fact (cheap tests first).
        near_verbatim=False: claims about different people never join, however alike."""
        if not alike(a, b):
            return False
        if actors_differ(a, b) and (not near_verbatim or not verbatim(a, b)):
            return False    # different people doing the same kind of thing: not one fact
        return same_fact(a, b)

    def verbatim(a: dict, b: dict) -> bool:
        return fuzz.ratio(a["text"], b["text"]) >= 90

    # joins() = alike and same_fact and (actors agree or near-verbatim text): every test but
    # verbatim() reads only a claim's topic, signature, names and actors (its profile).
    def alike(a: dict, b: dict) -> bool:
        return bool(signature[a["id"]] and signature[a["id"]] == signature[b["id"]]) or (
            bool(a["topic"]) and a["topic"] == b["topic"]
            and len(words_of[a["id"]] & words_of[b["id"]]) >= MIN_SHARED_WORDS)

    def same_fact(a: dict, b: dict) -> bool:
        """The scores of two alike claims, actors aside."""
        if signature[a["id"]] and signature[a["id"]] == signature[b["id"]]:
            return True
        text_score = fuzz.token_set_ratio(signature[a["id"]], signature[b["id"]]) / 100
        if text_score < MIN_TEXT_SCORE:
            return False
        shares_distinctive = bool(names_by_claim[a["id"]] & names_by_claim[b["id"]]
                                  & distinctive)
        if not (shares_distinctive or text_score >= NEAR_VERBATIM):
            return False
        score = TEXT_WEIGHT * text_score + (1 - TEXT_WEIGHT) * entity_overlap(a["id"], b["id"])
        return score >= GROUP_THRESHOLD

    # Blocking, exact: joins() accepts a pair only (1) with equal signatures, or with one
    # topic, MIN_SHARED_WORDS shared words and a score >= GROUP_THRESHOLD, which needs either
    # (2) a shared name, or else (3) a token-set ratio of 1, since the entity overlap is then 0:
    # one claim's words a subset of the other's. Only such pairs are compared:
    # (1) by signature; (2) by (topic, name, word) over each claim's |words| - k + 1 rarest
    # words (prefix filtering: two claims sharing k words share one of those); (3) between
    # distinct word sets of a topic, each set looking up its own subsets of >= k words (a
    # set of more than SUBSET_LOOKUP words instead scans the sets whose rarest word it has).
    # On templated text (many similar sentences about different meetings) a frequent
    # (topic, name, word) key still gathers many profiles: see `joined` below.
    document_frequency: dict[str, int] = {}
    for words in words_of.values():
        for word in words:
            document_frequency[word] = document_frequency.get(word, 0) + 1
    prefix_of_signature = {}
    for text, words in words_of_signature.items():
        ordered = sorted(words, key=lambda w: (document_frequency[w], w))
        prefix_of_signature[text] = ordered[:max(0, len(ordered) - MIN_SHARED_WORDS + 1)]
    prefix = {claim_id: prefix_of_signature[text] for claim_id, text in signature.items()}

    made: list[tuple[str, str]] = []   # every union, so a worker can report its own

    def union(a: dict, b: dict) -> None:
        root_a, root_b = find(a["id"]), find(b["id"])
        if root_a != root_b:
            parent[root_a] = root_b
            made.append((a["id"], b["id"]))

    # Lists of claims known to lie in one component: unions only merge, so they stay so.
    # Templated text gives millions of candidate pairs inside components already formed;
    # skipping them (nothing could change) halves grouping at 10,000 articles.
    settled: set[int] = set()

    def one_component(claims_: list[dict]) -> bool:
        if id(claims_) in settled:
            return True
        root = find(claims_[0]["id"])
        if all(find(c["id"]) == root for c in claims_):
            settled.add(id(claims_))
            return True
        return False

    def joined(left: list[dict], right: list[dict]) -> bool:
        """Every claim of left and right is already in one component. `settled` notes lists
        by id: it is cleared whenever lists it notes may be freed (join_topic)."""
        return one_component(left) and one_component(right) and \
            find(left[0]["id"]) == find(right[0]["id"])

    def connect(left: list[dict], right: list[dict]) -> None:
        """Join every pair of left x right from different articles, in linear time: each
        article's claims join two claims of other articles on the other side, which gives
        the components of all those pairs (a complete bipartite graph less same-article
        pairs)."""
        sides = []
        for side in (left, right):
            by_article: dict[str, list[dict]] = {}
            for claim in side:
                by_article.setdefault(claim["article"], []).append(claim)
            sides.append(by_article)
        for own, other in (sides, sides[::-1]):
            for article, members in own.items():
                # two of the first three articles on the other side are not this one
                partners = [found[0] for other_article, found in itertools.islice(other.items(), 3)
                            if other_article != article][:2]
                for partner in partners:
                    union(members[0], partner)
                if partners:
                    for member in members[1:]:
                        union(member, members[0])

    def join_block(left: list[dict], right: list[dict]) -> None:
        """Join the pairs of a block in which every pair of claims has one topic and one
        claim's words inside the other's (equal signatures, or a subset). joins() then only
        asks for different articles and agreeing actors: either claim has none, or they
        share one (or, pairwise only, near-verbatim text). Blocks of up to PAIRWISE pairs are
        compared pair by pair; larger ones (templated text) are joined by actor in linear
        time, without the near-verbatim exception."""
        if joined(left, right):
            return
        if len(left) * len(right) <= PAIRWISE:
            # alike() and same_fact() hold for every pair here (see above) and joins() is
            # symmetric: a block against itself compares each pair once
            for position, a in enumerate(left):
                for b in (left[position + 1:] if left is right else right):
                    if a["article"] != b["article"] and find(a["id"]) != find(b["id"]) and \
                            (not actors_differ(a, b) or verbatim(a, b)):
                        union(a, b)
            return
        by_actor = []
        for side in (left, right):
            groups: dict[str | None, list[dict]] = {None: []}
            for claim in side:
                for actor in actors[claim["id"]] or [None]:
                    groups.setdefault(actor, []).append(claim)
            by_actor.append(groups)
        connect(by_actor[0][None], right)
        connect(left, by_actor[1][None])
        for actor, members in by_actor[0].items():
            if actor is not None and actor in by_actor[1]:
                connect(members, by_actor[1][actor])

    # (1) equal signatures
    by_signature: dict[str, list[dict]] = {}
    for claim in claims:
        if signature[claim["id"]]:
            by_signature.setdefault(signature[claim["id"]], []).append(claim)
    for block in by_signature.values():
        join_block(block, block)
    # (2) and (3) compare claims of one topic only: each topic is joined on its own, by the
    # build's worker processes when there are many claims. A worker reports the unions it
    # made, which are applied here: components do not depend on the order of unions, and
    # every skip above is of pairs already in one component, so the groups are the same.
    def join_topic(topic_claims: list[dict]) -> list[tuple[str, str]]:
        """The unions steps (2) and (3) make between one topic's claims."""
        first = len(made)
        # the lists of the previous topic are gone, and a new list may reuse one's id
        settled.clear()
        # (2) a shared name and a shared prefix word, between distinct profiles (topic,
        # signature, names, actors): claims of one profile differ only in article and wording, so
        # one comparison decides for all their pairs (but for the near-verbatim exception, see
        # join_block).
        profiles: dict[tuple, list[dict]] = {}
        for claim in topic_claims:
            profiles.setdefault((claim["topic"], signature[claim["id"]],
                                 names_by_claim[claim["id"]], actors[claim["id"]]),
                                []).append(claim)
        profile_lists = list(profiles.values())
        # what alike() reads of a profile (one topic here): most profiles sharing a key share
        # fewer than MIN_SHARED_WORDS words, and are passed over on that alone
        profile_words = [words_of[members[0]["id"]] for members in profile_lists]
        by_name: dict[tuple, KeyProfiles] = {}   # key -> the profiles (indexes) that have it
        for index, members in enumerate(profile_lists):
            b = members[0]
            b_words, b_signature = profile_words[index], signature[b["id"]]
            # earlier profiles sharing a key: loose ones, and settled ones by component
            loose: list[int] = []
            by_root: dict[str, list[list[int]]] = {}
            for name in names_by_claim[b["id"]]:
                for word in prefix[b["id"]]:
                    found = by_name.get((b["topic"], name, word))
                    if found is None:
                        found = by_name[(b["topic"], name, word)] = KeyProfiles()
                    else:
                        found.gather(loose, by_root, profile_lists, one_component, find)
                    found.loose.append(index)
            seen: set[int] = set()   # a profile may have several of b's keys
            for root, lists in itertools.chain([(None, [loose])], by_root.items()):
                checked = -1   # len(made) when b was last seen outside this component
                for other_index in itertools.chain.from_iterable(lists):
                    if other_index in seen:
                        continue
                    seen.add(other_index)
                    if root is not None and checked != len(made):
                        # templated text: once b is in this component (often after its first
                        # profile), the rest of it needs nothing
                        if one_component(members) and find(root) == find(b["id"]):
                            break
                        checked = len(made)
                    other = profile_lists[other_index]
                    a = other[0]
                    # joins() and the near-verbatim exception below both need alike(a, b)
                    if len(profile_words[other_index] & b_words) < MIN_SHARED_WORDS and \
                            signature[a["id"]] != b_signature:
                        continue
                    if joined(other, members):
                        continue
                    if joins(a, b, near_verbatim=False):
                        connect(other, members)
                    elif actors_differ(a, b) and len(other) * len(members) <= PAIRWISE \
                            and alike(a, b) and same_fact(a, b):
                        # only the near-verbatim exception can join these two profiles' claims
                        for left in other:
                            for right in members:
                                if left["article"] != right["article"] and \
                                        verbatim(left, right) and \
                                        find(left["id"]) != find(right["id"]):
                                    union(left, right)
        # (3) subsets, between distinct word sets of one topic
        by_set: dict[tuple, list[dict]] = {}
        for claim in topic_claims:
            if len(words_of[claim["id"]]) >= MIN_SHARED_WORDS:
                by_set.setdefault((claim["topic"], words_of[claim["id"]]), []).append(claim)
        by_rarest_word: dict[tuple, list[frozenset]] = {}
        for topic, words in by_set:
            rarest = min(words, key=lambda w: (document_frequency[w], w))
            by_rarest_word.setdefault((topic, rarest), []).append(words)
        for (topic, words), supersets in by_set.items():
            # the cheaper way, both exact: a subset's rarest word is one of the set's words
            scan = sum(len(by_rarest_word.get((topic, word), ())) for word in words)
            if len(words) <= SUBSET_LOOKUP and 2 ** len(words) < scan:
                ordered = sorted(words)
                subsets = (frozenset(combination)
                           for size in range(MIN_SHARED_WORDS, len(words))
                           for combination in itertools.combinations(ordered, size))
                found = [subset for subset in subsets if (topic, subset) in by_set]
            else:
                found = [subset for word in words for subset in by_rarest_word.get((topic, word), ())
                         if subset < words]
            for subset in found:
                join_block(by_set[(topic, subset)], supersets)
        return made[first:]

    by_topic: dict[str, list[dict]] = {}
    for claim in claims:
        if claim["topic"]:
            by_topic.setdefault(claim["topic"], []).append(claim)
    topics = sorted(by_topic.values(), key=len, reverse=True)   # largest first: balanced
    parallel = len(claims) >= PARALLEL_CLAIMS and per_article.processes() > 1
    # A topic is never split between workers: each part would still index every profile of
    # the topic, which is most of the work (splitting the largest topic of 10,000 templated
    # articles in two took 8.0 and 8.9 s a part, against 7.7 s whole). The workers make no
    # reference cycles and never collect garbage: collections in them scanned this stage's
    # records (not yet frozen, see pipeline.settle_heap) and took seconds at scale.
    for edges in per_article.parallel_map(join_topic, topics, min_items=2 if parallel else None,
                                          collect=False):
        for a, b in edges:
            root_a, root_b = find(a), find(b)
            if root_a != root_b:
                parent[root_a] = root_b

    members: dict[str, list[dict]] = {}
    for claim in claims:
        members.setdefault(find(claim["id"]), []).append(claim)
    groups = []
    file_of = {a: row["file"] for a, row in articles_by_id.items()}
    for claim_list in members.values():
        claim_list.sort(key=lambda c: (articles_by_id[c["article"]].get("duplicate_of") is not None,
                                       file_of[c["article"]], c["start"]))
        representative = claim_list[0]
        group_id = stable_id(claim_group=representative["id"])
        sources = {source_key(articles_by_id[c["article"]], articles_by_id) for c in claim_list}
        files = sorted({file_of[c["article"]] for c in claim_list})
        for claim in claim_list:
            claim["claim_group"] = group_id
        groups.append({
            "id": group_id, "claim": representative["id"], "text": representative["text"],
            "topic": representative["topic"], "claims": len(claim_list),
            "articles": len({c["article"] for c in claim_list}), "outlets": len(sources),
            "single_source": int(len(sources) == 1), "files": ", ".join(files),
            "sources": ", ".join(sorted(sources)), "contradictions": 0})
    groups.sort(key=lambda g: (-g["outlets"], -g["claims"], g["text"]))
    return groups, distinctive_names(frequency, total)


def distinctive_names(frequency: dict[str, int], total: int) -> list[str]:
    return sorted(name for name, count in frequency.items()
                  if count / total <= DISTINCTIVE_SHARE)


def focus_span(view, trigger: int | None, start: int, end: int) -> tuple[int, int]:
    """The clause a topical claim is about: the subtree of the verb that governs its trigger
    word ("Norland's army withdrew its troops from X on March 2" inside a longer sentence)."""
    if trigger is None:
        return start, end
    index = view.token_at(trigger)
    for _ in range(4):
        if index is None or view.tokens[index][4] in ("VERB", "AUX"):
            break
        head = view.tokens[index][7]
        index = None if head == index else head
    if index is None:
        return start, end
    focus_start, focus_end = view.subtree_span(index)
    if len(view.token_range(focus_start, focus_end)) < 4:
        return start, end
    return max(start, focus_start), min(end, focus_end)


def trigger_position(claim: dict, tokens: list[list], text: str) -> int | None:
    """Offset of the first word that put the claim on its topic ("withdrew", "presence")."""
    lemmas, phrases = _trigger_matchers(claim["topic"] or "")
    positions = [t[0] for t in tokens if t[3].lower() in lemmas]
    lower = text.lower()
    for phrase in phrases:
        found = phrase.search(lower)
        if found:
            positions.append(claim["start"] + found.start())
    return min(positions) if positions else None


@functools.lru_cache(maxsize=None)
def _trigger_matchers(topic_name: str) -> tuple[frozenset, tuple[re.Pattern, ...]]:
    """A topic's trigger lemmas and compiled phrase patterns (built once per topic)."""
    topic = claim_topics()["topics"].get(topic_name, {})
    return (frozenset(topic.get("lemmas", [])),
            tuple(re.compile(rf"\b{re.escape(phrase)}\b") for phrase in topic.get("phrases", [])))


def contradictions(claims: list[dict], groups: list[dict], linked: ClaimNames,
                   articles_by_id: dict, distinctive: list[str]) -> list[dict]:
    topics = claim_topics()["topics"]
    by_group: dict[str, list[dict]] = {}
    for claim in claims:
        by_group.setdefault(claim["claim_group"], []).append(claim)
    names = linked.about   # the places and organizations a claim is about
    distinctive = set(distinctive)
    rows = []

    def source(claim):
        return source_key(articles_by_id[claim["article"]], articles_by_id)

    def add(kind, a, b, detail, shared=None):
        rows.append({"id": stable_id(kind=kind, claim=a["id"], other=b["id"]), "kind": kind,
                     "claim_group": a["claim_group"], "other_group": b["claim_group"],
                     "claim": a["id"], "other_claim": b["id"], "shared": shared,
                     "detail": detail})

    # one fact, two dates: each date against the group's most reported date (ties: the
    # first reported), one row per other date, so rows stay linear in the group's size
    for group_claims_ in by_group.values():
        by_date: dict[str, list[dict]] = {}
        for claim in group_claims_:
            if claim["date"] and topics.get(claim["topic"] or "", {}).get("dated"):
                by_date.setdefault(claim["date"], []).append(claim)
        if len(by_date) < 2:
            continue
        reference, *others = sorted(by_date, key=lambda d: -len(by_date[d]))
        # two claims of the reference date from different sources answer any other source
        witnesses: dict[str, dict] = {}
        for claim in by_date[reference]:
            if len(witnesses) < 2:
                witnesses.setdefault(source(claim), claim)
        for date in others:
            pair = next(((a, b) for b in by_date[date] for key, a in witnesses.items()
                         if key != source(b)), None)
            if pair:
                a, b = pair
                add("date", a, b, f"{a['date_text']} ({a['date']}) vs "
                                  f"{b['date_text']} ({b['date']})")
    # opposing topics about one distinctive place or organization
    representatives = {g["id"]: g for g in groups}
    done = set()
    # claims by (topic, distinctive name they are about): only claims sharing one can oppose
    position = {id(c): k for k, c in enumerate(claims)}
    about: dict[tuple, list[dict]] = {}
    for b in claims:
        for name in names.get(b["id"], set()) & distinctive:
            about.setdefault((b["topic"], name), []).append(b)
    for a in claims:
        opposed = set(topics.get(a["topic"] or "", {}).get("opposes", []))
        if not opposed:
            continue
        others = {id(b): b for topic in opposed for name in names.get(a["id"], set()) & distinctive
                  for b in about.get((topic, name), ())}
        for b in sorted(others.values(), key=lambda c: position[id(c)]):
            if b["topic"] not in opposed or source(a) == source(b):
                continue
            pair = tuple(sorted((a["claim_group"], b["claim_group"])))
            if pair in done:
                continue
            shared = names.get(a["id"], set()) & names.get(b["id"], set()) & distinctive
            if shared:
                done.add(pair)
                first, second = (a, b) if a["topic"] < b["topic"] else (b, a)
                add("opposing-topics", first, second,
                    f"{first['topic']} vs {second['topic']}", ", ".join(sorted(shared)))
    counts: dict[str, int] = {}
    for row in rows:
        for group in {row["claim_group"], row["other_group"]}:
            counts[group] = counts.get(group, 0) + 1
    for group_id, count in counts.items():
        representatives[group_id]["contradictions"] = count
    return rows


def article_statements(article, inputs: dict, organizations) -> tuple[list, list, list, dict]:
    """(quotes, claims, claim links, {claim id: ClaimWords}) of one article, given its person
    mentions, place mentions and outlet name (per_article: cached, parallel)."""
    view = quotes_stage.ArticleView(article, inputs["mentions"], organizations)
    attributor = quotes_stage.Attributor(view)
    quotes = quotes_stage.quote_rows(article, view, attributor)
    article_claims, article_links = claim_rows_for_article(
        article, view, attributor, quotes, {article.id: inputs["places"]}, inputs["outlet"])
    words = {}
    for claim in article_claims:
        focus_start, focus_end = claim.pop("_focus")
        claim.pop("_trigger")
        focus = view.tokens_between(focus_start, focus_end)
        # keep what grouping needs, not the tokens: memory stays flat in N
        words[claim["id"]] = ClaimWords(content_words(focus),
                                        trigger_position(claim, focus, claim["text"]))
    return quotes, article_claims, article_links, words


def extract(articles, tables) -> typing.Iterator[dict[str, list[dict]]]:
    """Batches of {table name: rows}: quotes and claim links, then claims and their groups."""
    mentions = quotes_stage.people_source(articles, tables)
    _, place_mentions = place_source(tables)
    outlets = {row["id"]: row["name"] for row in tables.get("outlets", [])}
    inputs = [{"mentions": mentions.get(article.id, []),
               "places": place_mentions.get(article.id, []),
               "outlet": outlets.get(article.outlet)} for article in articles]
    del mentions, place_mentions
    organizations = quotes_stage.organization_index(tables)
    articles_by_id = {row["id"]: row for row in tables.get("articles", [])} or {
        a.id: {"id": a.id, "file": a.file, "outlet": a.outlet, "duplicate_of": a.duplicate_of}
        for a in articles}
    # Everything this stage reads of the earlier tables is in its inputs now: dropping them
    # (this stage's own dict, see pipeline) frees the mention, occupancy and place rows
    # before the articles' quotes and claims are read in (hundreds of MiB at scale).
    tables.clear()
    found = per_article.map_articles("claims.statements", article_statements, articles,
                                     inputs=inputs, lookups={"organizations": organizations})
    del inputs
    quotes, claims, links, tokens_by_claim = [], [], [], {}
    for article_quotes, article_claims_found, article_links, words in found:
        quotes += article_quotes
        claims += article_claims_found
        links += article_links
        tokens_by_claim.update(words)
    del found
    # Quotes and claim links are final: written while claims are grouped (which sets each
    # claim's claim_group), which reads only the names of the links.
    names = claim_names(claims, links, tokens_by_claim)
    yield {"quotes": quotes, "claim_links": links}
    del quotes, links
    groups, distinctive = group_claims(claims, names, tokens_by_claim, articles_by_id)
    conflicts = contradictions(claims, groups, names, articles_by_id, distinctive)
    yield {"claims": claims, "claim_groups": groups, "claim_contradictions": conflicts}


# ---------------------------------------------------------------- schema

def tables_for(declared: set[str]) -> list[schema.Table]:
    person_key = [("person", "people", "id")] if "people" in declared else []
    org_key = [("organization", "organizations", "id")] if "organizations" in declared else []
    place_key = [("place", "places", "id")] if "places" in declared else []
    return [
        quotes_stage.quote_table(declared),
        schema.Table("claim_groups", {
            "id": str, "claim": str, "text": str, "topic": str, "claims": int, "articles": int,
            "outlets": int, "single_source": int, "files": str, "sources": str,
            "contradictions": int}, indexes=[("topic",), ("outlets",)]),
        schema.Table("claims", {
            "id": str, "article": str, "sentence": str, "start": int, "end": int, "text": str,
            "kind": str, "topic": str, "topics": str, "attribution": str,
            "attributed_to": str, "person": str, "organization": str, "cue": str,
            "attribution_method": str, "quote": str, "date_text": str, "date": str,
            "claim_group": str},
            foreign_keys=[("article", "articles", "id"), ("sentence", "sentences", "id"),
                          ("quote", "quotes", "id"), ("claim_group", "claim_groups", "id"),
                          *person_key, *org_key],
            fts=("text", "attributed_to"), indexes=[("topic",), ("attribution",)]),
        schema.Table("claim_links", {
            "id": str, "claim": str, "kind": str, "label": str, "person": str,
            "organization": str, "place": str, "start": int, "end": int, "text": str},
            foreign_keys=[("claim", "claims", "id"), *person_key, *org_key, *place_key],
            indexes=[("kind", "label")]),
        schema.Table("claim_contradictions", {
            "id": str, "kind": str, "claim_group": str, "other_group": str, "claim": str,
            "other_claim": str, "shared": str, "detail": str},
            foreign_keys=[("claim_group", "claim_groups", "id"),
                          ("other_group", "claim_groups", "id"), ("claim", "claims", "id"),
                          ("other_claim", "claims", "id")]),
    ]


# Earlier tables extract() reads (pipeline.release_unread): outlets and articles, people
# and their mentions, positions, occupancies and organizations (speakers and
# descriptions), places and their mentions (place_source).
READS = ("outlets", "articles", "people", "mentions", "positions", "occupancies",
         "organizations", "places", "place_spans")

VIEWS = [*quotes_stage.VIEWS, schema.View("claim_corroboration", """
select
  claim_groups.text as claim,
  claim_groups.outlets as outlets,
  claim_groups.files as files,
  claim_groups.topic as topic,
  claim_groups.claims as claims,
  claim_groups.articles as articles,
  claim_groups.single_source as single_source,
  claim_groups.contradictions as contradictions,
  claim_groups.id as claim_group
from claim_groups
order by claim_groups.outlets desc, claim_groups.claims desc, claim_groups.text
""")]


def __getattr__(name: str):
    # Foreign keys to people, organizations and places only when those stages declare them.
    if name == "TABLES":
        return tables_for(quotes_stage._declared_tables())
    raise AttributeError(name)
