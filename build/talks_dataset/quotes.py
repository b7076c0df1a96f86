"""Quotes: quotation-marked spans and who said them. Found in the claims stage's pass over each
article (claims.article_statements), whose claim finding reads the same view of the article.

Quote detection (`find_quotes`) pairs quotation marks paragraph by paragraph: curly marks have a
direction, a straight `"` opens or closes by its neighbours (a mark after a space, a colon or at
the start of a paragraph opens, one after a word closes), so mixed “ ... " pairs and
`saying:“We` opens. A quote left open at the end of a paragraph that starts with it is a
multi-paragraph quote (the convention of opening every paragraph and closing only the last).
Spans are the text inside the marks.

Kind (`classify`): `title` when a title cue precedes it ("an article titled “...”"); `scare` for
one or two words that modify a noun ("on “humanitarian” grounds") or follow a so-called cue;
`speech` otherwise.

Speaker attribution (`Attributor`) reads cue verbs (data/reporting_verbs.yml) outside quotes in
the quote's sentences and resolves each cue's subject through the dependency parse (walking up
participle and conjunct clauses: "..., describing it as “...”" belongs to the subject of the main
verb), falling back on the nearest candidate before the verb. Candidates are person mentions
(the people stage's `mentions`, or PERSON entities while that stage is absent), definite
descriptions of the one person the article gives that title ("the Emir said"), pronouns (the
previous speaker, or a newer person in subject position), "the former"/"the latter" (the two most recent
people), and collective speakers (data/collective_speakers.yml, ORG entities). A cue right after
the closing mark ("“...,” he said") wins over one before the quote ("X said that “...”"); "according
to X" is the speaker only when no speech verb is found, otherwise it is stored as `via`. A quote
that is a sentence of its own without a cue continues the previous quote's speaker.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
from collections import Counter
from pathlib import Path

import yaml

from . import schema
from .pipeline import stable_id
from .spans import Spans

DATA = Path(__file__).parent / "data"

OPENERS = "“„«"
CLOSERS = "”»"
STRAIGHT = '"'
SINGLE_OPEN, SINGLE_CLOSE = "‘", "’"
# Words that, in the gap between a closing mark and a later cue verb, show the cue belongs to
# another clause ("“...,” while X stressed ...").
CLAUSE_WORDS = {"while", "and", "but", "as", "after", "before", "when", "which", "who", "whom",
                "whose", "that", "because", "although", "though", "if", "whereas", "where",
                "with", "in", "on", "at", "for", "during", "adding", "saying", "noting"}
OBJECT_WORDS = {"to", "with", "at", "in", "on", "for", "from", "by", "of", "about", "into"}
TITLE_CUES = {"titled", "entitled", "headlined", "headline", "article", "op-ed", "column",
              "book", "documentary", "film", "editorial", "essay", "report", "song", "album",
              "programme", "program", "show", "slogan", "hashtag", "banner", "motto"}
SCARE_CUES = {"so-called", "so called", "dubbed", "termed", "labelled", "labeled", "branded",
              "described as", "called", "what it called", "what they called"}
SCARE_MAX_WORDS = 2
SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj", "expl"}
CLIMB_DEPS = {"advcl", "conj", "xcomp", "pcomp", "acl", "prep", "relcl", "parataxis"}
PRONOUNS = {"he": "person", "she": "person", "him": "person", "her": "person",
            "they": "group", "it": "organization", "we": "group", "i": "person"}


# ---------------------------------------------------------------- reference data

@functools.lru_cache(maxsize=None)
def reporting_verbs() -> dict:
    data = yaml.safe_load((DATA / "reporting_verbs.yml").read_text(encoding="utf-8"))
    forms = {}
    for lemma, entry in data["verbs"].items():
        for form in entry["forms"]:
            forms[form] = {"lemma": lemma, "strength": entry["strength"],
                           "requires_next": entry.get("requires_next"),
                           "not_next": entry.get("not_next")}
    according = sorted(data.get("according_to", []), key=len, reverse=True)
    return {"forms": forms, "according": according, "hedges": set(data.get("hedges", []))}


@functools.lru_cache(maxsize=None)
def collective_heads() -> dict[str, str]:
    data = yaml.safe_load((DATA / "collective_speakers.yml").read_text(encoding="utf-8"))
    return {head.lower(): kind for head, kind in data["heads"].items()}


@functools.lru_cache(maxsize=None)
def collective_pattern() -> re.Pattern:
    heads = sorted(collective_heads(), key=len, reverse=True)
    # Modifiers: function words and common lower-case modifiers (any case), or capitalized
    # words and possessives ("Syria's SANA state news agency"); never across a sentence end.
    modifier = (r"(?:(?i:the|a|an|some|other|several|two|three|unnamed|senior|western|state|"
                r"government|military|official|local|foreign|news|security|diplomatic|defence|defense|"
                r"interior|finance|health|economy|justice|energy|trade|press|statistics|"
                r"presidential|intelligence)"
                r"|[A-Z][\w’'-]*(?:['’]s)?)[ \t]+")
    heads_pattern = "|".join(re.escape(h) for h in heads)
    return re.compile(rf"\b(?:{modifier}){{0,4}}(?i:{heads_pattern})\b")


@functools.lru_cache(maxsize=None)
def _heads_longest_first() -> tuple[str, ...]:
    return tuple(sorted(collective_heads(), key=len, reverse=True))


@functools.lru_cache(maxsize=None)
def _head_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(head) for head in collective_heads()}, reverse=True))


def head_of(lower: str) -> str | None:
    """The longest head that the lower-cased phrase ends with (one dict lookup per length)."""
    heads = collective_heads()
    return next((lower[-size:] for size in _head_lengths() if lower[-size:] in heads), None)


# A collective phrase only spans word characters, apostrophes, hyphens, spaces and tabs (what
# collective_pattern's modifiers, separators and heads consist of): a "run" of such characters.
_PHRASE_RUN = re.compile(r"[\w’'\- \t]+")
# Characters besides A-Z that case-insensitive matching equates with an ASCII letter (KELVIN
# SIGN, dotless i, long s, ...): a text with one of them takes the plain scan.
_ASCII_LETTER_IGNORECASE = re.compile(r"(?i)[a-z]")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


@functools.lru_cache(maxsize=None)
def _prefilter_heads() -> tuple[str, ...] | None:
    """The heads to look for with str.find, or None when a head is not plain ASCII run text
    (then collective_matches scans the whole text)."""
    heads = _heads_longest_first()
    if all(h.isascii() and _PHRASE_RUN.fullmatch(h) for h in heads):
        return heads
    return None


def _phrase_window_start(text: str, run_start: int, head_at: int) -> int:
    """Where a phrase ending in the head at `head_at` can start at the earliest: a phrase has at
    most four modifiers, each followed by a block of spaces, so it starts after the fifth block
    of spaces before the head (or at the start of the run)."""
    i = head_at
    for blocks in range(5):
        j = max(text.rfind(" ", run_start, i), text.rfind("\t", run_start, i))
        if j < 0:
            return run_start
        if blocks == 4:
            return j + 1
        while j > run_start and text[j - 1] in " \t":
            j -= 1
        i = j
    return run_start


def collective_matches(text: str) -> list[re.Match]:
    """collective_pattern().finditer(text), found faster: the pattern is tried only within a few
    words before each occurrence of a head word (str.find on the lower-cased text), instead of
    at every word of the text. Same matches: every match ends in a head and lies in one run."""
    pattern = collective_pattern()
    heads = _prefilter_heads()
    if heads is None or any(_ASCII_LETTER_IGNORECASE.match(c) for c in set(text)
                            if not c.isascii()):
        return list(pattern.finditer(text))
    folded = text.translate(_ASCII_LOWER)
    occurrences = []
    for head in heads:
        at = folded.find(head)
        while at >= 0:
            occurrences.append(at)
            at = folded.find(head, at + 1)
    occurrences.sort()
    runs = [run.span() for run in _PHRASE_RUN.finditer(text)]
    run_starts = [start for start, _ in runs]
    found = []
    position = 0    # every match before it is found
    for head_at in occurrences:
        if head_at < position:
            continue
        run_start, run_end = runs[bisect.bisect_right(run_starts, head_at) - 1]
        # No match starts between `position` and the window of this (first remaining) head;
        # a match never leaves its run, so the run's end is the end of the string for it.
        window = max(position, _phrase_window_start(text, run_start, head_at))
        match = pattern.search(text, window, run_end)
        if match is None:
            position = run_end
        else:
            found.append(match)
            position = match.end()
    return found


# ---------------------------------------------------------------- quote detection

@dataclasses.dataclass
class RawQuote:
    open: int        # position of the opening mark
    start: int       # first character inside the marks
    end: int         # after the last character inside the marks
    close: int       # position after the closing mark (== end when left open)
    closed: bool


def _is_space(char: str) -> bool:
    return not char or char.isspace()


# The characters _quotes_in_paragraph acts on; it skips every other character.
QUOTE_MARKS = re.compile("[" + re.escape(OPENERS + CLOSERS + STRAIGHT + SINGLE_OPEN + SINGLE_CLOSE)
                         + "]")


def find_quotes(text: str, paragraphs: list[tuple[int, int]]) -> list[RawQuote]:
    """Quotation-marked spans of `text`, paired within each (start, end) paragraph."""
    found = []
    for para_start, para_end in paragraphs:
        found += _quotes_in_paragraph(text, para_start, para_end)
    return found


def _quotes_in_paragraph(text: str, para_start: int, para_end: int) -> list[RawQuote]:
    quotes = []
    open_at = None
    single_open = None
    for mark in QUOTE_MARKS.finditer(text, para_start, para_end):
        i = mark.start()
        char = text[i]
        before = text[i - 1] if i > para_start else ""
        after = text[i + 1] if i + 1 < para_end else ""
        if char in OPENERS or char in CLOSERS or char == STRAIGHT:
            if open_at is None:
                opens = (char in OPENERS or char == STRAIGHT and not _is_space(after)
                         or char in CLOSERS and _is_space(before) and after.isalnum())
                if opens and (char not in OPENERS or after != " " or i + 2 < para_end):
                    open_at, single_open = i, None  # a double quote ends any single one
            else:
                closes = (char in CLOSERS or char == STRAIGHT
                          or char in OPENERS and not _is_space(before) and not after.isalnum())
                if closes:
                    quotes.append(_make(text, open_at, i, True))
                    open_at = None
                elif char in OPENERS:  # the previous quote was never closed: restart
                    open_at = i
        elif open_at is None and char == SINGLE_OPEN and (_is_space(before) or before in "([—–-:")\
                and after and not after.isspace():
            single_open = i
        elif open_at is None and single_open is not None and char == SINGLE_CLOSE \
                and not _is_space(before) and (not after.isalnum()):
            if len(text[single_open + 1:i].split()) >= 1:
                quotes.append(_make(text, single_open, i, True))
            single_open = None
    if open_at is not None:
        # Multi-paragraph quotes open every paragraph and close only the last one.
        head = text[para_start:open_at].strip()
        if not head:
            quotes.append(_make(text, open_at, para_end, False))
    return [quote for quote in quotes if quote.end > quote.start]


def _make(text: str, open_at: int, close_at: int, closed: bool) -> RawQuote:
    start, end = open_at + 1, close_at
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return RawQuote(open_at, start, end, close_at + 1 if closed else close_at, closed)


# ---------------------------------------------------------------- article view

@dataclasses.dataclass
class Candidate:
    """A possible speaker: a person mention, a pronoun, the former/latter, a collective."""
    start: int
    end: int
    text: str
    kind: str                      # person | pronoun | former | latter | collective | organization
    label: str | None = None       # canonical name / collective label
    person: str | None = None      # people.id
    organization: str | None = None  # organizations.id
    group: str | None = None       # collective kind: anonymous, media, government, ...


WORD = re.compile(r"[A-Za-z]+")
NEXT_WORD = re.compile(r"\s+([a-z]+)")
POSSESSIVE_END = re.compile(r"['’]s$")
THE_PREFIX = re.compile(r"^the\s+")
THE_PREFIX_ANY_CASE = re.compile(r"^the\s+", re.I)
FORMER_LATTER = re.compile(r"\b[Tt]he (former|latter)\b")


@functools.lru_cache(maxsize=None)
def _according_patterns() -> tuple[re.Pattern, tuple[tuple[str, re.Pattern], ...]]:
    """(any according-to phrase, [(phrase, its pattern)] longest first), compiled once."""
    phrases = reporting_verbs()["according"]
    any_phrase = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b",
                            re.IGNORECASE)
    return any_phrase, tuple((p, re.compile(rf"\b{re.escape(p)}\b", re.IGNORECASE))
                             for p in phrases)


class ArticleView:
    """An article's text with its tokens, sentences, quotes and speaker candidates."""

    def __init__(self, article, mentions: list[dict], organizations: dict[str, str]):
        self.article = article
        self.text = article.text
        self.tokens = list(article.tokens)   # one read of lazily loaded tokens
        self._token_starts = [t[0] for t in self.tokens]
        self._sentence_tokens: dict[int, list[int]] = {}   # sentence index -> token indexes
        for index, token in enumerate(self.tokens):
            self._sentence_tokens.setdefault(token[9], []).append(index)
        self.sentences = article.sentences
        self.organizations = organizations
        body = [s for s in article.segments if s.kind == "body"] or \
            [dataclasses.make_dataclass("S", ["start", "end"])(0, len(self.text))]
        self.body_ranges = [(s.start, s.end) for s in body]
        self.raw_quotes = [q for q in find_quotes(self.text, self.body_ranges)]
        self.quoted = [(q.open, q.close) for q in self.raw_quotes]
        # in_quote looks positions up in the union of the quoted spans (sorted, disjoint)
        merged: list[list[int]] = []
        for open_, close in sorted(self.quoted):
            if close <= open_:
                continue
            if merged and open_ <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], close)
            else:
                merged.append([open_, close])
        self._quote_opens = [open_ for open_, _ in merged]
        self._quote_closes = [close for _, close in merged]
        self.persons = [Candidate(m["start"], m["end"], m["text"], "person", m["name"],
                                  m.get("person")) for m in mentions]
        self.persons.sort(key=lambda c: c.start)
        self.collectives = self._collectives()
        self.pronouns = self._pronouns()
        # persons and collectives are sorted by start: persons_in/collectives_in bisect them
        self._person_starts = [c.start for c in self.persons]
        self._collective_starts = [c.start for c in self.collectives]

    # -- helpers
    def in_quote(self, position: int) -> bool:
        index = bisect.bisect_right(self._quote_opens, position) - 1
        return index >= 0 and position < self._quote_closes[index]

    def token_range(self, start: int, end: int) -> range:
        """Indexes of the tokens that start within [start, end) (tokens are in order)."""
        return range(bisect.bisect_left(self._token_starts, start),
                     bisect.bisect_left(self._token_starts, end))

    def tokens_between(self, start: int, end: int) -> list:
        """The tokens that start within [start, end), in order."""
        span = self.token_range(start, end)
        return self.tokens[span.start:span.stop]

    def persons_in(self, start: int, end: int) -> list[Candidate]:
        """The person mentions that start within [start, end), in order."""
        return self.persons[bisect.bisect_left(self._person_starts, start):
                            bisect.bisect_left(self._person_starts, end)]

    def collectives_in(self, start: int, end: int) -> list[Candidate]:
        """The collectives that start within [start, end), in order."""
        return self.collectives[bisect.bisect_left(self._collective_starts, start):
                                bisect.bisect_left(self._collective_starts, end)]

    def sentence_at(self, position: int) -> dict | None:
        for sentence in self.sentences:
            if sentence["start"] <= position < sentence["end"] or position == sentence["end"]:
                return sentence
        return None

    def token_at(self, position: int) -> int | None:
        index = bisect.bisect_right(self._token_starts, position) - 1   # tokens are in order
        if index >= 0 and self.tokens[index][0] <= position < self.tokens[index][1]:
            return index
        return None

    def subtree_span(self, index: int) -> tuple[int, int]:
        members = {index}
        changed = True
        sentence = self.tokens[index][9]
        candidates = self._sentence_tokens.get(sentence, [])
        while changed:
            changed = False
            for i in candidates:
                if i not in members and self.tokens[i][7] in members and self.tokens[i][7] != i:
                    members.add(i)
                    changed = True
        return (min(self.tokens[i][0] for i in members), max(self.tokens[i][1] for i in members))

    def children(self, index: int) -> list[int]:
        sentence = self.tokens[index][9]
        return [i for i in self._sentence_tokens.get(sentence, [])
                if self.tokens[i][7] == index and i != index]

    # -- candidates
    def _collectives(self) -> list[Candidate]:
        found = []
        heads = collective_heads()
        in_person = Spans([(p.start, p.end) for p in self.persons])
        for match in collective_matches(self.text):
            start, end = match.span()
            if self.in_quote(start):
                continue
            surface = match.group(0)
            words = surface.split()
            # Strip leading determiners and words that are people's names.
            while words and words[0].lower() in {"the", "a", "an", "some"}:
                start += len(words[0]) + 1
                words = words[1:]
            while words and in_person.covers(start):
                if len(words) > 1 and POSSESSIVE_END.search(words[0]):
                    break       # "Aydin's office": the office speaks, named by its holder
                start = self.text.index(words[1], start + len(words[0])) if len(words) > 1 else end
                words = words[1:]
            if not words:
                continue
            surface = self.text[start:end]
            lower = surface.lower()
            head = head_of(lower) or words[-1].lower()
            found.append(Candidate(start, end, surface, "collective", surface,
                                   group=heads.get(head, "organization")))
        in_collective = Spans(sorted((c.start, c.end) for c in found))
        organizations = []
        for label, start, end, surface in self.article.entities:
            if label in ("ORG", "NORP") and not self.in_quote(start) \
                    and not in_collective.covers(start) \
                    and not any(c.start <= start < c.end for c in organizations) \
                    and not in_person.covers(start):
                organizations.append(Candidate(start, end, surface, "organization",
                                               THE_PREFIX_ANY_CASE.sub("", surface),
                                               group="organization"))
        found += organizations
        for candidate in found:
            key = THE_PREFIX.sub("", candidate.label.lower())
            candidate.organization = self.organizations.get(key)
        return sorted(found, key=lambda c: c.start)

    def _pronouns(self) -> list[Candidate]:
        found = []
        for token in self.tokens:
            if token[4] == "PRON" and token[2].lower() in PRONOUNS and not self.in_quote(token[0]):
                found.append(Candidate(token[0], token[1], token[2], "pronoun"))
        for match in FORMER_LATTER.finditer(self.text):
            if not self.in_quote(match.start()):
                found.append(Candidate(match.start(), match.end(), match.group(0),
                                       match.group(1).lower()))
        return found

    def candidates(self) -> list[Candidate]:
        return sorted(self.persons + self.collectives + self.pronouns, key=lambda c: c.start)

    # -- cues
    def cues(self, start: int, end: int) -> list[dict]:
        """Cue verbs and according-to phrases outside quotes within [start, end)."""
        forms = reporting_verbs()["forms"]
        found = []
        text = self.text
        # Matched on the text, not on tokens: "saying:“We" may be a single token.
        # (pos/endpos instead of a slice: the pattern has no boundaries, so the same words)
        words = WORD.finditer(text, start, end)
        if forms.keys().isdisjoint(map(str.lower, WORD.findall(text, start, end))):
            words = ()   # no cue word at all (checked at C speed): most sentences
        for match in words:
            entry = forms.get(match.group(0).lower())
            if not entry:
                continue
            position, word_end = match.span()
            if self.in_quote(position):
                continue
            index = self.token_at(position)
            token = self.tokens[index] if index is not None else None
            if token is not None and token[0] == position and \
                    token[1] == word_end and token[4] not in ("VERB", "AUX"):
                continue  # "the reports", "his remarks": a noun, not a cue
            if text[max(0, position - 3):position].lower() == "so-":
                continue  # "so-called" marks a scare quote, not a speaker
            if entry["requires_next"]:
                following = NEXT_WORD.match(text, word_end)
                if not following or following.group(1) not in entry["requires_next"]:
                    continue
            if entry["not_next"]:
                following = NEXT_WORD.match(text, word_end)
                if following and following.group(1) in entry["not_next"]:
                    continue
            found.append({"start": position, "end": word_end,
                          "text": match.group(0).lower(), "lemma": entry["lemma"],
                          "strength": entry["strength"], "token": index})
        segment = text[start:end]
        any_phrase, phrase_patterns = _according_patterns()
        if not any_phrase.search(segment):   # one scan instead of one per phrase, mostly
            phrase_patterns = ()
        for phrase, phrase_pattern in phrase_patterns:
            for match in phrase_pattern.finditer(segment):
                position = start + match.start()
                if not self.in_quote(position) and not any(
                        c["start"] <= position < c["end"] for c in found):
                    found.append({"start": position, "end": start + match.end(),
                                  "text": match.group(0).lower(), "lemma": phrase,
                                  "strength": "according", "token": None})
        return sorted(found, key=lambda c: c["start"])


# ---------------------------------------------------------------- speaker resolution

class Attributor:
    """Resolves cue verbs to speakers within one article."""

    def __init__(self, view: ArticleView):
        self.view = view
        self.all_candidates = view.candidates()

    def _covering(self, start: int, end: int) -> Candidate | None:
        inside = [c for c in self.all_candidates if c.start < end and c.end > start]
        # "Aydin's office said": a collective that holds a person's possessive
        holders = [c for c in inside if c.kind == "collective" and any(
            p.kind == "person" and c.start <= p.start and p.end < c.end for p in inside)]
        if holders:
            return holders[-1]
        for kind in ("person", "former", "latter", "pronoun", "collective", "organization"):
            matches = [c for c in inside if c.kind == kind]
            if matches:
                # the head of a noun phrase is its last word: "ministry spokesman Ivan Petrov"
                return matches[-1]
        return None

    def subject_of(self, cue: dict) -> Candidate | None:
        view = self.view
        if cue["strength"] == "according":
            after = [c for c in self.all_candidates
                     if cue["end"] <= c.start <= cue["end"] + 60 and c.kind != "pronoun"]
            if after:
                # "according to the Norland defence ministry": the whole noun phrase, up to
                # the next punctuation, not just its first name
                stop = re.search(r"[,.;:()]", view.text[after[0].end:])
                phrase_end = after[0].end + (stop.start() if stop else 0)
                return self._covering(after[0].start, phrase_end)
            return None
        index = cue["token"]
        if index is None:
            return self._nearest_before(cue)
        for _ in range(5):
            for child in view.children(index):
                if view.tokens[child][6] in SUBJECT_DEPS:
                    start, end = view.subtree_span(child)
                    start, end = self._trim_subject(start, end, cue)
                    found = self._covering(start, end)
                    if found:
                        return found
            if view.tokens[index][6] in CLIMB_DEPS and view.tokens[index][7] != index:
                index = view.tokens[index][7]
            else:
                break
        return self._nearest_before(cue)

    def _trim_subject(self, start: int, end: int, cue: dict) -> tuple[int, int]:
        # A subject must not reach into a quote ("“...,” X said": subtree may include it).
        for open_, close in self.view.quoted:
            if open_ < end and close > start:
                if close <= cue["start"]:
                    start = max(start, close)
                else:
                    end = min(end, open_)
        return start, end

    def _nearest_before(self, cue: dict) -> Candidate | None:
        sentence = self.view.sentence_at(cue["start"])
        floor = sentence["start"] if sentence else 0
        for open_, close in self.view.quoted:
            if close <= cue["start"]:
                floor = max(floor, close)
        before = [c for c in self.all_candidates
                  if floor <= c.start and c.end <= cue["start"] and cue["start"] - c.end <= 100
                  and not self._is_object(c)]
        if before:
            return before[-1]
        # inverted: "“...,” said ministry spokesman Ivan Petrov"
        after = [c for c in self.all_candidates
                 if cue["end"] <= c.start <= cue["end"] + 40 and
                 (not sentence or c.end <= sentence["end"])]
        return self._covering(after[0].start, after[0].end) if after else None

    def _is_object(self, candidate: Candidate) -> bool:
        """"spoke to the press", "told reporters": an addressee, not a speaker."""
        words = re.findall(r"[A-Za-z]+", self.view.text[max(0, candidate.start - 20):candidate.start])
        words = [w.lower() for w in words if w.lower() not in ("the", "a", "an")]
        return bool(words) and (words[-1] in OBJECT_WORDS or
                                reporting_verbs()["forms"].get(words[-1], {}).get("lemma") == "tell")

    def resolve(self, candidate: Candidate | None, position: int,
                previous_speaker: Candidate | None = None) -> Candidate | None:
        """A person or collective for a candidate; pronouns and former/latter are looked up."""
        if candidate is None or candidate.kind in ("person", "collective", "organization"):
            return candidate
        persons = [p for p in self.view.persons if p.end <= candidate.start]
        if candidate.kind in ("former", "latter"):
            distinct = []
            for person in reversed(persons):
                if person.label not in [d.label for d in distinct]:
                    distinct.append(person)
                if len(distinct) == 2:
                    break
            if len(distinct) < 2:
                return None
            return distinct[1] if candidate.kind == "former" else distinct[0]
        word = candidate.text.lower()
        if word in ("it", "they"):
            groups = [c for c in self.view.collectives if c.end <= candidate.start]
            if groups and (word == "it" or not persons or groups[-1].start > persons[-1].start):
                return groups[-1]
            if word == "it":
                return None
        subjects = [p for p in persons if self._is_subject(p)]
        if previous_speaker is not None and previous_speaker.kind == "person" and \
                candidate.start - previous_speaker.end < 400:
            # "Zhou said ... He added": a newer person in subject position since the previous
            # quote's speaker is who the pronoun continues
            newer = [p for p in subjects if p.start > previous_speaker.end
                     and p.label != previous_speaker.label]
            if newer and candidate.start - newer[-1].end < 300:
                return newer[-1]
            return previous_speaker
        recent = subjects[-1] if subjects else None
        latest = persons[-1] if persons else None
        if recent and latest and latest.start - recent.end < 200:
            return recent
        return latest

    def _is_subject(self, candidate: Candidate) -> bool:
        index = self.view.token_at(candidate.end - 1)
        return index is not None and self.view.tokens[index][6] in SUBJECT_DEPS


# ---------------------------------------------------------------- classification

def classify(view: ArticleView, quote: RawQuote) -> str:
    text = view.text
    inner = text[quote.start:quote.end]
    words = inner.split()
    before = text[max(0, quote.open - 40):quote.open].lower()
    last_words = re.findall(r"[\w-]+", before)[-3:]
    if any(word in TITLE_CUES for word in last_words[-2:]) and len(words) >= 2:
        return "title"
    if len(words) > SCARE_MAX_WORDS or re.search(r"[.!?,;:]$", inner):
        return "speech"
    if any(before.rstrip().endswith(cue) for cue in SCARE_CUES):
        return "scare"
    # A short quote that modifies a word outside it is a scare quote: on “humanitarian” grounds.
    indexes = list(view.token_range(quote.start, quote.end))
    if indexes:
        roots = [i for i in indexes if view.tokens[i][7] not in indexes or view.tokens[i][7] == i]
        if any(view.tokens[i][6] in ("amod", "compound", "nummod") and
               view.tokens[view.tokens[i][7]][4] in ("NOUN", "PROPN") for i in roots):
            return "scare"
        # the first word token after the closing mark
        after = next((t for t in itertools.islice(
            view.tokens, bisect.bisect_left(view._token_starts, quote.close), None)
            if t[4] not in ("PUNCT", "SPACE")), None)
        if after and after[4] in ("NOUN", "PROPN") and after[0] - quote.close <= 1:
            return "scare"
    return "speech"


# ---------------------------------------------------------------- extraction

def people_source(articles, tables) -> dict[str, list[dict]]:
    """Person mentions per article id: the people stage's rows, or PERSON entities without it."""
    if tables.get("people") is not None and tables.get("mentions") is not None \
            and tables.get("people"):
        names = {row["id"]: row["name"] for row in tables["people"]}
        holders = _holders_by_article(tables)
        by_article: dict[str, list[dict]] = {}
        for row in tables["mentions"]:
            by_article.setdefault(row["article"], []).append(
                {"start": row["start"], "end": row["end"], "text": row["text"],
                 "name": names.get(row["person"], row["text"]), "person": row["person"]})
        for article in articles:
            by_article.setdefault(article.id, []).extend(
                description_mentions(article, by_article.get(article.id, []), tables, names,
                                     holders.get(article.id, {})))
        return by_article
    return fallback_person_mentions(articles)


DESCRIPTION = re.compile(r"\b[Tt]he\s+([A-Za-z][\w-]*)(?:\s+([A-Za-z][\w-]*))?(?:\s+([A-Za-z][\w-]*))?")


def _holders_by_article(tables) -> dict[str, dict[str, tuple[set, set]]]:
    """article id -> person -> (words of the titles the article gives them, their countries)."""
    positions = {row["id"]: row for row in tables.get("positions") or []}
    holders: dict[str, dict[str, tuple[set, set]]] = {}
    for row in tables.get("occupancies") or []:
        if row.get("past"):
            continue
        words, countries = holders.setdefault(row["article"], {}).setdefault(
            row["person"], (set(), set()))
        words.update(re.findall(r"[a-z-]+", (row.get("title") or "").lower()))
        country = positions.get(row["position"], {}).get("country")
        if country:
            countries.add(country)
    return holders


def description_mentions(article, mentions: list[dict], tables, names: dict,
                         holders: dict | None = None) -> list[dict]:
    """"the Emir said", "the Chinese foreign minister arrived": a definite description names
    the one person the same article gives that title (head word, its modifiers and the
    demonym's country must all fit; two fitting people -> nobody). Used to find speakers.
    `holders` (this article's, from _holders_by_article) saves scanning every occupancy."""
    from . import roles

    lex = roles.lexicon()
    if holders is None:
        holders = _holders_by_article(tables).get(article.id, {})
    if not holders:
        return []
    taken = [(m["start"], m["end"]) for m in mentions]
    found = []
    for match in DESCRIPTION.finditer(article.text):
        # the shortest reading that ends in a head word: "the Emir said" -> "the Emir"
        size = next((k for k in (1, 2, 3) if match.group(k)
                     and match.group(k).lower() in lex.heads), None)
        if size is None:
            continue
        words = [match.group(k) for k in range(1, size + 1)]
        head = words[-1].lower()
        country, qualifiers = None, []
        for word in words[:-1]:
            low = word.lower()
            if word[:1].isupper() and low in lex.countries:
                country = lex.countries[low]
            elif low in lex.modifiers or low in lex.portfolio_words:
                qualifiers.append(low)
            else:
                break
        else:
            start, end = match.start(), match.end(size)
            # "the Syrian president, Karim al-Nouri": the name itself follows
            if any(s < end + 4 and e > start for s, e in taken):
                continue
            fitting = [person for person, (title_words, countries) in holders.items()
                       if head in title_words and set(qualifiers) <= title_words
                       and (country is None or country in countries)]
            if len(fitting) == 1:
                found.append({"start": start, "end": end, "text": article.text[start:end],
                              "name": names.get(fitting[0], fitting[0]), "person": fitting[0]})
    return found


def _surname_key(name: str) -> str:
    last = re.split(r"\s+", name.strip())[-1]
    return re.sub(r"^(al|el|ad|as|ash|an|ar|at|az|ibn|bin)-", "", last.lower())


def _strip_possessive(text: str) -> str:
    return re.sub(r"['’]s?$", "", text)


def fallback_person_mentions(articles) -> dict[str, list[dict]]:
    """Person mentions from spaCy PERSON entities, with surname-only mentions found by surname
    and named by the article's (or the corpus's) most complete form of the name."""
    full_names: dict[str, Counter] = {}
    per_article = {}
    for article in articles:
        body = [(s["start"], s["end"]) for s in article.sentences if s["kind"] == "body"]
        names = []
        for label, start, end, surface in article.entities:
            if label != "PERSON" or not any(s <= start < e for s, e in body):
                continue
            if re.search(r"[/\d@]", surface) or not surface[:1].isupper():
                continue
            clean = _strip_possessive(surface)
            end = start + len(clean)
            names.append((start, end, clean))
        per_article[article.id] = (names, body)
        for _, _, name in names:
            if len(name.split()) >= 2:
                full_names.setdefault(_surname_key(name), Counter())[name] += 1
    result = {}
    for article in articles:
        names, body = per_article[article.id]
        first_full = {}
        for _, _, name in names:
            if len(name.split()) >= 2:
                first_full.setdefault(_surname_key(name), name)
        spans = [(s, e) for s, e, _ in names]
        keys = {_surname_key(name): name for _, _, name in names}
        found = list(names)
        for key, sample in keys.items():
            surname = sample.split()[-1]
            pattern = rf"(?<![\w-])(?:(?:al|el)-)?{re.escape(surname.split('-')[-1])}(?![\w-])"
            for match in re.finditer(pattern, article.text):
                start, end = match.span()
                if any(s < end and e > start for s, e in spans):
                    continue
                if not any(s <= start < e for s, e in body):
                    continue
                found.append((start, end, match.group(0)))
                spans.append((start, end))
        mentions = []
        for start, end, surface in sorted(found):
            key = _surname_key(surface)
            if len(surface.split()) >= 2:
                name = surface
            elif key in first_full:
                name = first_full[key]
            elif key in full_names:
                name = full_names[key].most_common(1)[0][0]
            else:
                name = surface
            mentions.append({"start": start, "end": end, "text": article.text[start:end],
                             "name": name, "person": None})
        result[article.id] = mentions
    return result


def organization_index(tables) -> dict[str, str]:
    index = {}
    for row in tables.get("organizations") or []:
        name = (row.get("name") or "").lower()
        index[re.sub(r"^the\s+", "", name)] = row["id"]
    return index


def speaker_fields(candidate: Candidate | None) -> dict:
    if candidate is None:
        return {"speaker": None, "speaker_kind": None, "person": None, "organization": None,
                "speaker_text": None, "speaker_start": None, "speaker_end": None}
    kind = candidate.kind
    if kind in ("collective", "organization"):
        kind = "anonymous" if candidate.group == "anonymous" else (
            "organization" if candidate.organization or kind == "organization" else "collective")
    return {"speaker": candidate.label, "speaker_kind": kind, "person": candidate.person,
            "organization": candidate.organization, "speaker_text": candidate.text,
            "speaker_start": candidate.start, "speaker_end": candidate.end}


def attribute_span(view: ArticleView, attributor: Attributor, open_: int, close: int,
                   previous: Candidate | None = None) -> tuple:
    """(speaker candidate, cue, via candidate, method) for text between open_ and close."""
    first = view.sentence_at(open_)
    last = view.sentence_at(max(open_, close - 1))
    region_start = first["start"] if first else open_
    region_end = last["end"] if last else close
    cues = view.cues(region_start, region_end)
    according = [c for c in cues if c["strength"] == "according"]
    verbs = [c for c in cues if c["strength"] != "according"]
    chosen, method = None, None
    # 1. "“...,” he said" / "“...,” said X": cue right after the closing mark
    for cue in verbs:
        if cue["start"] < close:
            continue
        gap = view.text[close:cue["start"]]
        words = re.findall(r"[A-Za-z’'-]+", gap)
        # the quote ends its clause ("“...,” he said", "“...”, X said") unless the gap is
        # just a short subject; "allow “any group” to use ..., the statement said" continues
        ends_clause = (view.text[max(open_, close - 2):close - 1] in tuple(",.!?;:—–-")
                       or gap.lstrip()[:1] in tuple(",.!?;:—–-") or len(words) <= 4)
        if len(gap) <= 80 and ends_clause and not any(w.lower() in CLAUSE_WORDS for w in words) \
                and not view.in_quote(cue["start"]) and '“' not in gap and '"' not in gap:
            chosen, method = cue, "cue-after"
        break
    # 2. "X said that “...”": the nearest cue before the opening mark in the same sentences
    if chosen is None:
        before = [c for c in verbs if c["end"] <= open_]
        if before:
            chosen, method = before[-1], "cue-before"
    speaker = via = None
    if chosen is not None:
        speaker = attributor.resolve(attributor.subject_of(chosen), chosen["start"], previous)
        if speaker is None and method == "cue-after":
            before = [c for c in verbs if c["end"] <= open_]
            if before:
                chosen, method = before[-1], "cue-before"
                speaker = attributor.resolve(attributor.subject_of(chosen), chosen["start"],
                                             previous)
    if chosen is not None and chosen["lemma"] == "say":
        # "the agency quoted Kremlin spokesman X as saying “...”": X speaks, the agency is
        # the channel
        base = max(region_start, chosen["start"] - 120)
        quoting = re.search(r"\bquot(?:ed|es|ing)\s+(.{1,100}?)\s+as\s+$",
                            view.text[base:chosen["start"]])
        if quoting:
            window_start, window_end = base + quoting.start(1), base + quoting.end(1)
            quoted = [c for c in view.persons if window_start <= c.start and c.end <= window_end]
            quote_cue = next((c for c in verbs if c["lemma"] == "quote"
                              and c["end"] <= window_start), None)
            if quoted:
                if quote_cue is not None:
                    via = attributor.resolve(attributor.subject_of(quote_cue), quote_cue["start"])
                speaker, method = quoted[-1], "quoted-as-saying"
    if according:
        source = attributor.resolve(attributor.subject_of(according[0]), according[0]["start"])
        if speaker is None:
            speaker, chosen, method = source, according[0], "according-to"
        else:
            via = source
    if speaker is not None and chosen is not None and method != "according-to":
        subject = attributor.subject_of(chosen)
        if subject is not None and subject.kind in ("pronoun", "former", "latter"):
            method = f"{method}:{subject.kind}"
    return speaker, chosen, via, method


def quote_rows(article, view: ArticleView, attributor: Attributor) -> list[dict]:
    """Quote rows of one article, from its view (which holds its person mentions)."""
    rows = []
    previous_speaker: Candidate | None = None
    previous_close = None
    first_by_text: dict[str, str] = {}
    for quote in view.raw_quotes:
        kind = classify(view, quote)
        speaker, cue, via, method = attribute_span(view, attributor, quote.open, quote.close,
                                                   previous_speaker)
        if speaker is None and kind == "speech" and previous_speaker is not None:
            # A quote that is a sentence of its own continues the previous speaker's words.
            sentence = view.sentence_at(quote.open)
            alone = sentence and view.text[sentence["start"]:quote.open].strip() == ""
            near = previous_close is not None and quote.open - previous_close < 600
            if alone and near and quote.closed:
                speaker, method = previous_speaker, "continuation"
        if kind == "title":  # a title has an author, not a speaker
            speaker = cue = via = None
        if speaker is None:
            cue = via = None
        sentence = view.sentence_at(quote.start)
        text = article.text[quote.start:quote.end]
        quote_id = stable_id(article=article.id, start=quote.start, end=quote.end)
        normalized = re.sub(r"\W+", " ", text.lower()).strip()
        repeat_of = first_by_text.get(normalized)
        first_by_text.setdefault(normalized, quote_id)
        rows.append({
            "id": quote_id, "article": article.id,
            "sentence": sentence["id"] if sentence else None,
            "start": quote.start, "end": quote.end, "text": text, "kind": kind,
            "is_scare_quote": int(kind == "scare"),
            **speaker_fields(speaker),
            "cue": cue["text"] if cue else None,
            "cue_lemma": cue["lemma"] if cue else None,
            "cue_start": cue["start"] if cue else None,
            "cue_end": cue["end"] if cue else None,
            "via": via.label if via else None,
            "attribution": method if speaker is not None else None,
            "closed": int(quote.closed), "repeat_of": repeat_of,
            "words": len(text.split())})
        if kind == "speech" and speaker is not None:
            previous_speaker, previous_close = speaker, quote.close
    for row, following in zip(rows, rows[1:]):
        # A multi-paragraph quote names its speaker after the last paragraph.
        if not row["closed"] and row["speaker"] is None and following["speaker"]:
            row.update({key: following[key] for key in (
                "speaker", "speaker_kind", "person", "organization", "speaker_text",
                "speaker_start", "speaker_end", "cue", "cue_lemma", "cue_start", "cue_end")})
            row["attribution"] = "next-paragraph"
    return rows


# ---------------------------------------------------------------- schema

def _declared_tables() -> set[str]:
    """Tables the other registered stages declare (people, organizations, places, ...)."""
    from . import pipeline
    own = {__name__, __name__.rsplit(".", 1)[0] + ".claims"}   # the quotes and claims stage
    names = set()
    for stage in pipeline.extraction_stages():
        if stage.__name__ not in own:
            names |= {spec.name for spec in getattr(stage, "TABLES", [])}
    return names


def quote_table(declared: set[str]) -> schema.Table:
    keys = [("article", "articles", "id"), ("sentence", "sentences", "id"),
            ("repeat_of", "quotes", "id")]
    if "people" in declared:
        keys.append(("person", "people", "id"))
    if "organizations" in declared:
        keys.append(("organization", "organizations", "id"))
    return schema.Table("quotes", {
        "id": str, "article": str, "sentence": str, "start": int, "end": int, "text": str,
        "kind": str, "is_scare_quote": int, "speaker": str, "speaker_kind": str,
        "person": str, "organization": str, "speaker_text": str, "speaker_start": int,
        "speaker_end": int, "cue": str, "cue_lemma": str, "cue_start": int, "cue_end": int,
        "via": str, "attribution": str, "closed": int, "repeat_of": str, "words": int},
        foreign_keys=keys, fts=("text", "speaker"), indexes=[("speaker",), ("kind",)])


VIEWS = [schema.View("quotes_by_speaker", """
select
  quotes.speaker as speaker,
  quotes.text as quote,
  articles.file as file,
  quotes.start as start,
  quotes."end" as "end",
  quotes.kind as kind,
  quotes.cue as cue,
  quotes.speaker_kind as speaker_kind,
  quotes.via as via,
  outlets.name as outlet,
  quotes.article as article_id,
  quotes.id as quote_id
from quotes
join articles on articles.id = quotes.article
left join outlets on outlets.id = articles.outlet
order by quotes.speaker is null, quotes.speaker, articles.file, quotes.start
""", materialized=True, indexes=[("speaker",), ("kind",), ("outlet",)])]   # its page's facets
