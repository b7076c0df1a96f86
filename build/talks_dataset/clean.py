"""Clean stage: separate an article's body from page furniture and read its metadata.

`clean_document(source)` is pure: a `SourceDocument` in, a `CleanArticle` out. The cleaned `text`
is what every later evidence span points into; furniture lines and header lines (title, byline,
date, URL) are returned as `furniture` rows so nothing of the input is lost.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import html
import re
from pathlib import Path
from urllib.parse import urlparse

import yaml
from dateutil import parser as date_parser

from . import reference
from .ingest import SourceDocument

DATA = Path(__file__).parent / "data"


# slots: a build holds every article's paragraphs, credits and furniture lines
@dataclasses.dataclass(slots=True)
class Segment:
    """A paragraph of the cleaned text; kind is body, caption or credit."""
    start: int
    end: int
    kind: str


@dataclasses.dataclass(slots=True)
class Credit:
    role: str                  # byline | photo | contributor | editor
    name: str
    organization: str | None = None
    place: str | None = None
    start: int | None = None   # span of `name` in the cleaned text; None for header lines
    end: int | None = None


@dataclasses.dataclass(slots=True)
class FurnitureLine:
    line: int                  # 1-based line number in the input file
    kind: str
    text: str


@dataclasses.dataclass
class CleanArticle:
    file: str
    format: str
    encoding: str
    raw_bytes: int
    text: str
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    url: str | None = None
    dateline: str | None = None
    outlet: dict | None = None          # a row of outlets.csv, or None when unknown
    segments: list[Segment] = dataclasses.field(default_factory=list)
    credits: list[Credit] = dataclasses.field(default_factory=list)
    furniture: list[FurnitureLine] = dataclasses.field(default_factory=list)


# ---------------------------------------------------------------- reference data

@functools.lru_cache(maxsize=None)
def furniture_rules():
    data = yaml.safe_load((DATA / "furniture.yml").read_text(encoding="utf-8"))
    rules = [(rule["kind"], re.compile(rule["pattern"], re.IGNORECASE), bool(rule.get("rest")))
             for rule in data["rules"]]
    credits = [(rule["role"], re.compile(rule["pattern"])) for rule in data["credits"]]
    return rules, credits


@functools.lru_cache(maxsize=None)
def outlet_directory() -> tuple[dict, dict]:
    """(by host, by lower-cased name or alias)."""
    by_host, by_name = {}, {}
    for row in reference.read_csv("outlets.csv"):
        row = dict(row)
        by_host[row["host"].lower()] = row
        for name in [row["name"], *filter(None, row.get("aliases", "").split("|"))]:
            by_name.setdefault(name.lower(), row)
    return by_host, by_name


def outlet_for_host(host: str | None) -> dict | None:
    if not host:
        return None
    host = host.lower().removeprefix("www.")
    by_host, _ = outlet_directory()
    parts = host.split(".")
    for i in range(len(parts) - 1):  # news.example.com matches example.com
        row = by_host.get(".".join(parts[i:]))
        if row:
            return row
    return None


def outlet_by_name(name: str) -> dict | None:
    """The outlet whose name or alias is exactly `name` ("AP" in "ANKARA, Turkey (AP) -")."""
    return outlet_directory()[1].get(name.strip().lower())


def outlet_named_in(text: str) -> dict | None:
    _, by_name = outlet_directory()
    lowered = text.lower()
    best = None
    for name, row in by_name.items():
        if len(name) >= 3 and re.search(r"(?<!\w)" + re.escape(name) + r"(?!\w)", lowered):
            if best is None or len(name) > best[0]:
                best = (len(name), row)
    return best[1] if best else None


# ---------------------------------------------------------------- line helpers

MARKDOWN_RULES = [
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), ""),              # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),            # links -> their text
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),             # autolinks
    (re.compile(r"\*\*(.+?)\*\*"), r"\1"),
    (re.compile(r"__(.+?)__"), r"\1"),
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),
]
HEADING = re.compile(r"^#{1,6}\s+")
URL_ONLY = re.compile(r"^<?(https?://\S+?)>?$")
URL_IN_LINE = re.compile(r"<?(https?://[^\s>]+)>?")
BYLINE = re.compile(r"^by\s+(?P<byline>[^\n]{2,120})$", re.IGNORECASE)
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DATE_PREFIX = re.compile(r"^(published|updated|posted|last updated|date)\s*(on|:)?\s*", re.IGNORECASE)
URL_DATE = re.compile(r"/(20\d\d|19\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|$|-)")
DATELINE = re.compile(
    r"^(?P<dateline>(?P<city>[A-Z][A-Z.'’]+(?:[ -][A-Z][A-Z.'’]+){0,3})"
    r"(?:,\s*(?P<region>[A-Z][\w.'’]*(?:\s+[\w.'’]+){0,5}?))?)"
    r"(?:\s*\((?P<agency>[^)]{1,40})\))?\s*[–—-]{1,2}\s+")
TRAILER = re.compile(r"^\((?i:additional\s+)?(?i:reporting|writing|editing)\s+by\b[^()]*;[^()]*\)$")
TRAILER_PART = re.compile(r"[^();\s][^();]*")
SENTENCE_END = re.compile(r"[.!?:;\"”’)\]]$")


def strip_markdown(line: str) -> tuple[str, bool]:
    heading = bool(HEADING.match(line))
    line = HEADING.sub("", line)
    line = re.sub(r"^>\s?", "", line)
    for pattern, replacement in MARKDOWN_RULES:
        line = pattern.sub(replacement, line)
    line = html.unescape(line)
    return re.sub(r"[ \t\u00a0]+", " ", line).strip(), heading


def parse_date_line(line: str) -> str | None:
    """ISO date of a line that is only a date ("January 28, 2026", "2026-01-28", "Updated: ...")."""
    candidate = DATE_PREFIX.sub("", line).strip()
    if not candidate or len(candidate) > 60 or not re.search(r"\b(19|20)\d\d\b", candidate):
        return None
    if not (re.search(r"\d{4}-\d\d-\d\d", candidate)
            or any(month in candidate.lower() for month in MONTHS)):
        return None
    try:
        parsed = date_parser.parse(candidate, fuzzy=False, default=dt.datetime(1900, 1, 1))
    except (ValueError, OverflowError):
        return None
    return parsed.date().isoformat()


def looks_like_title(line: str) -> bool:
    words = line.split()
    if not 3 <= len(words) <= 25 or SENTENCE_END.search(line):
        return False
    capitalized = sum(1 for w in words if w[:1].isupper() or not w[:1].isalpha())
    return capitalized / len(words) >= 0.6


def _headline_before_metadata(line: str, raw_lines: list[str], number: int) -> bool:
    """A sentence-case headline ("Russia, Turkey discuss Syria as ...") is the title when it
    has no sentence end and the next non-empty line is header metadata (a date, a byline)."""
    words = line.split()
    if not 2 <= len(words) <= 25 or SENTENCE_END.search(line):
        return False
    following = next((strip_markdown(raw)[0] for raw in raw_lines[number:]
                      if strip_markdown(raw)[0]), "")
    # a wire story's dateline ("BEIRUT, March 3 (Reuters) - ...") opens the body under it
    return bool(parse_date_line(following) or BYLINE.match(following)
                or DATELINE.match(following))


def split_names(names: str) -> list[str]:
    return [n.strip() for n in re.split(r",\s*|\s+and\s+", names) if n.strip()]


# ---------------------------------------------------------------- the stage

def html_to_text(source: SourceDocument) -> tuple[str, dict]:
    import trafilatura

    document = trafilatura.bare_extraction(source.raw, with_metadata=True, include_comments=False,
                                           include_tables=False, favor_precision=True)
    if document is None:
        return "", {}
    data = document.as_dict() if hasattr(document, "as_dict") else dict(document)
    meta = {key: data.get(key) for key in ("title", "author", "date", "url", "sitename")}
    return data.get("text") or "", meta


def clean_document(source: SourceDocument) -> CleanArticle:
    rules, credit_rules = furniture_rules()
    article = CleanArticle(file=source.file, format=source.format, encoding=source.encoding,
                           raw_bytes=source.raw_bytes, text="")
    raw, meta = (html_to_text(source) if source.format == "html" else (source.raw, {}))

    paragraphs: list[tuple[str, str, list[tuple]]] = []  # (text, kind, credits in paragraph)
    furniture_words: list[str] = []
    in_header, rest_kind = True, None
    raw_lines = raw.split("\n")
    for number, raw_line in enumerate(raw_lines, start=1):
        line, heading = strip_markdown(raw_line)
        if not line:
            continue
        rule = next(((kind, rest) for kind, pattern, rest in rules if pattern.search(line)), None)
        if rest_kind:  # inside a block that runs to the end: every line is furniture
            article.furniture.append(FurnitureLine(number, rule[0] if rule else rest_kind, line))
            continue
        if rule:
            article.furniture.append(FurnitureLine(number, rule[0], line))
            furniture_words.append(line)
            inline_url = URL_IN_LINE.search(line) if rule[0] == "source-url" else None
            if inline_url:  # "Original url: https://..." on one line
                article.url = article.url or inline_url.group(1)
            rest_kind = rule[0] if rule[1] else None
            continue
        url = URL_ONLY.match(line)
        if url:
            article.url = article.url or url.group(1)
            article.furniture.append(FurnitureLine(number, "source-url", line))
            continue
        if in_header:
            byline = BYLINE.match(line)
            date = parse_date_line(line)
            if heading and not article.title:
                article.title = line
                article.furniture.append(FurnitureLine(number, "title", line))
                continue
            if byline and len(line.split()) <= 14 and not article.byline:
                article.byline = byline.group("byline").strip()
                article.furniture.append(FurnitureLine(number, "byline", line))
                continue
            if date and not article.published:
                article.published = date
                article.furniture.append(FurnitureLine(number, "date", line))
                continue
            if not article.title and not paragraphs and (
                    looks_like_title(line) or _headline_before_metadata(line, raw_lines, number)):
                article.title = line
                article.furniture.append(FurnitureLine(number, "title", line))
                continue
        kind, found = "body", []
        # A wire trailer "(Reporting by A in X; Additional reporting by B; Editing by C)" holds
        # several credits: each ';'-separated part is matched on its own.
        parts = ([(m.group(), m.start()) for m in TRAILER_PART.finditer(line)]
                 if TRAILER.match(line) else [(line, 0)])
        for part, part_offset in parts:
            for role, pattern in credit_rules:
                match = pattern.search(part)
                if match:
                    kind = ("caption" if role == "photo" and match.start() + part_offset > 0
                            else "credit")
                    found.append((role, match, part_offset))
                    break
        # A caption (it ends in a photo credit) does not end the header: a dateline may follow;
        # nor does a short label line ("Associated Press" under a byline, a bare "ANKARA").
        in_header = in_header and (kind != "body" or (len(line.split()) <= 3
                                                      and not SENTENCE_END.search(line)))
        if (kind == "body" and paragraphs and paragraphs[-1][1] == "body"
                and not SENTENCE_END.search(paragraphs[-1][0]) and line[:1].islower()):
            # A hard-wrapped line continues the previous paragraph.
            previous = paragraphs.pop()
            paragraphs.append((previous[0] + " " + line, "body", []))
            continue
        paragraphs.append((line, kind, found))

    if meta:
        article.title = article.title or meta.get("title")
        article.byline = article.byline or meta.get("author")
        article.url = article.url or meta.get("url")
        if meta.get("date") and not article.published:
            article.published = parse_date_line(str(meta["date"])) or str(meta["date"])[:10]

    pieces, offset = [], 0
    for text, kind, found in paragraphs:
        if pieces:
            offset += 2
        article.segments.append(Segment(offset, offset + len(text), kind))
        for role, match, part_offset in found:
            for name in split_names(match.group("names")):
                local = text.find(name, part_offset + match.start("names"))
                groups = match.groupdict()
                article.credits.append(Credit(
                    role=role, name=name, organization=(groups.get("organization") or None),
                    place=groups.get("place"), start=offset + local, end=offset + local + len(name)))
        pieces.append(text)
        offset += len(text)
    article.text = "\n\n".join(pieces)

    # the first real paragraph: not a short label line kept in the header ("Associated Press")
    first_body = next((article.text[s.start:s.end] for s in article.segments if s.kind == "body"
                       and len(article.text[s.start:s.end].split()) > 3), "")
    dateline = DATELINE.match(first_body)
    agency = None
    if dateline:
        article.dateline = dateline.group("dateline").strip()
        agency = dateline.group("agency")
    if article.byline:
        article.credits.insert(0, Credit(role="byline", name=article.byline))
    if not article.published and article.url:
        found = URL_DATE.search(urlparse(article.url).path)
        if found:
            try:
                article.published = dt.date(*map(int, found.groups())).isoformat()
            except ValueError:
                pass
    article.outlet = (outlet_for_host(urlparse(article.url).hostname if article.url else None)
                      or outlet_for_host(meta.get("sitename"))
                      or (outlet_named_in(" \n".join(furniture_words)) if furniture_words else None)
                      or (outlet_by_name(agency) if agency else None)
                      or (outlet_named_in(agency) if agency else None)
                      or (outlet_named_in(meta["sitename"]) if meta.get("sitename") else None)
                      or (outlet_named_in(article.byline) if article.byline
                          and len(article.byline.split()) <= 3 else None))
    return article
