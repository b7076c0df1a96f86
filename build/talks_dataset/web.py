"""Pure helpers behind the Datasette plugins in plugins/ (tested without Datasette).

The plugins are thin: they query the database and call these functions, which only build HTML.
Every value that comes from an article (text, names, labels) is escaped with markupsafe, because
article text can contain markup.
"""
from __future__ import annotations

import collections
import dataclasses
import json
import re
from typing import Iterable, Mapping, Sequence
from urllib.parse import quote

from markupsafe import Markup, escape

class Recent:
    """The last `size` answers looked up, by key (the least recently used one goes first):
    what the plugins keep of an immutable database, whose answers never change."""

    def __init__(self, size: int):
        self.size = size
        self._answers: "collections.OrderedDict" = collections.OrderedDict()

    def __contains__(self, key) -> bool:
        return key in self._answers

    def get(self, key):
        self._answers.move_to_end(key)
        return self._answers[key]

    def put(self, key, answer) -> None:
        self._answers[key] = answer
        self._answers.move_to_end(key)
        if len(self._answers) > self.size:
            self._answers.popitem(last=False)

    async def answer(self, key, look_up, keep: bool):
        """`await look_up()`, or the answer kept under `key`; with `keep` (the database is
        immutable) a new answer is kept, else it is looked up every time."""
        if keep and key in self:
            return self.get(key)
        found = await look_up()
        if keep:
            self.put(key, found)
        return found


# Column names that carry an evidence span: the article and 0-based, end-exclusive offsets.
ARTICLE_COLUMNS = ("article", "article_id")
# Views that name the article by its input file instead of its id (articles.file is unique).
FILE_COLUMNS = ("file",)
START_COLUMNS = ("start",)
END_COLUMNS = ("end",)
# How much text around a span to show when no stored sentence contains it.
CONTEXT_CHARS = 160
SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+|\n")


# Columns that hold the words of the fact, in order of preference: a span's text can equal
# another cell too (a mention "Vladimir Putin" and the person column "Vladimir Putin").
EVIDENCE_COLUMNS = ("text", "mention", "quote", "evidence", "stated", "claim")


@dataclasses.dataclass(frozen=True)
class SpanColumns:
    article: str
    start: str
    end: str
    by_file: bool = False  # `article` holds articles.file, not articles.id


def span_columns(columns: Iterable[str]) -> SpanColumns | None:
    """The (article, start, end) columns of a table or view, or None when it has no span.
    Without an article id column, a `file` column names the article."""
    names = list(columns)

    def first(candidates):
        return next((name for name in candidates if name in names), None)

    start, end = first(START_COLUMNS), first(END_COLUMNS)
    if not (start and end):
        return None
    if first(ARTICLE_COLUMNS):
        return SpanColumns(first(ARTICLE_COLUMNS), start, end)
    if first(FILE_COLUMNS):
        return SpanColumns(first(FILE_COLUMNS), start, end, by_file=True)
    return None


def plain(value):
    """A cell's raw value: Datasette passes expanded foreign keys as {"value": ..., "label": ...}."""
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def evidence_column(row: Mapping, spans: SpanColumns, span_text: str) -> str | None:
    """The column whose value is exactly the span's text: the cell that shows evidence. A column
    named like evidence (text, mention, quote...) wins over an earlier one that happens to match
    (a person's name equal to a full-name mention)."""
    matching = [column for column in row.keys()
                if column not in (spans.article, spans.start, spans.end)
                and isinstance(plain(row[column]), str) and plain(row[column]) == span_text]
    preferred = [column for column in EVIDENCE_COLUMNS if column in matching]
    return (preferred or matching or [None])[0]


def text_fragment(text: str, start: int, end: int, words: int = 4) -> str:
    """A URL text fragment (`#:~:text=prefix-,span,-suffix`) that makes the browser scroll to
    text[start:end] on the article's page and highlight it; a few words before and after pick
    the right occurrence. Browsers without text fragments ignore it."""
    def encode(part: str) -> str:
        return quote(" ".join(part.split()), safe="").replace("-", "%2D")

    span = text[start:end]
    if not span.strip():
        return ""
    # Whole words of the same line only: a fragment's context must be adjacent words.
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end) % (len(text) + 1)
    before = text[line_start:start].split()[-words:] if start and text[start - 1].isspace() else []
    after = text[end:line_end].split()[:words] if end < len(text) and text[end].isspace() else []
    fragment = encode(span)
    if before:
        fragment = f"{encode(' '.join(before))}-,{fragment}"
    if after:
        fragment = f"{fragment},-{encode(' '.join(after))}"
    return f"#:~:text={fragment}"


def context_bounds(text: str, start: int, end: int,
                   sentences: Sequence[tuple[int, int]] = ()) -> tuple[int, int]:
    """Bounds of the sentence around text[start:end]: a stored sentence containing the whole span
    when there is one, else the text from the previous to the next sentence end (at most
    CONTEXT_CHARS either side)."""
    for sentence_start, sentence_end in sentences:
        if sentence_start <= start and end <= sentence_end:
            return sentence_start, sentence_end
    window_start = max(0, start - CONTEXT_CHARS)
    before = [match.end() for match in SENTENCE_END.finditer(text, window_start, start)]
    context_start = before[-1] if before else window_start
    after = SENTENCE_END.search(text, end, min(len(text), end + CONTEXT_CHARS))
    context_end = after.start() + 1 if after else min(len(text), end + CONTEXT_CHARS)
    return context_start, max(context_end, end)


def highlight(text: str, start: int, end: int, context: tuple[int, int]) -> Markup:
    """text[context] with text[start:end] in <mark>, everything escaped."""
    context_start, context_end = context
    prefix = "…" if context_start > 0 and text[context_start - 1] not in "\n" else ""
    suffix = "…" if context_end < len(text) and text[context_end:context_end + 1] not in "\n" else ""
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        prefix, text[context_start:start].lstrip(), text[start:end],
        text[end:context_end].rstrip(), suffix)


def evidence_html(text: str, start: int, end: int, article_href: str, article_label: str,
                  sentences: Sequence[tuple[int, int]] = ()) -> Markup:
    """The evidence of a span: its sentence with the span highlighted and a link to the article."""
    if not (0 <= start <= end <= len(text)):
        raise ValueError(f"span {start}:{end} is outside the article ({len(text)} characters)")
    sentence = highlight(text, start, end, context_bounds(text, start, end, sentences))
    article_href = article_href + text_fragment(text, start, end)
    return Markup(
        '<span class="evidence"><q class="evidence-sentence">{}</q> '
        '<a class="evidence-article" href="{}" title="the article this comes from">{}</a></span>'
    ).format(sentence, article_href, article_label)


def is_whole_sentence(start: int, end: int, sentences: Sequence[tuple[int, int]]) -> bool:
    return (start, end) in set(map(tuple, sentences))


# --- entity pages -------------------------------------------------------------------------------

@dataclasses.dataclass
class Cell:
    """One value of a panel row: text, optionally linked, or ready-made (already safe) HTML."""
    text: object = None
    href: str | None = None
    html: Markup | None = None

    def render(self) -> Markup:
        if self.html is not None:
            return Markup(self.html)
        if self.text is None or self.text == "":
            return Markup("")
        # Single-quoted attributes: the panel travels inside a JSON string in a <script>.
        if self.href:
            return Markup("<a href='{}'>{}</a>").format(self.href, self.text)
        return escape(self.text)


@dataclasses.dataclass
class Section:
    """Rows of one table or view about an entity (roles, quotes, delegations, articles...)."""
    title: str
    columns: list[str]
    rows: list[list[Cell]]
    total: int
    more_href: str | None = None


def entity_panel_html(entity_label: str, sections: Sequence[Section]) -> Markup:
    """The block added to an entity's row page: one small table per section."""
    parts = [Markup("<section class='entity-panel'><h2>Everything about {}</h2>").format(
        entity_label)]
    shown = [section for section in sections if section.rows]
    if not shown:
        parts.append(Markup("<p>No roles, quotes, delegations or mentions recorded.</p>"))
    for section in shown:
        heading = Markup("<h3>{} <small>({:,})</small></h3>").format(section.title, section.total)
        parts.append(heading)
        parts.append(Markup("<table class='rows-and-columns entity-panel-table'><thead><tr>"))
        parts.extend(Markup("<th>{}</th>").format(column) for column in section.columns)
        parts.append(Markup("</tr></thead><tbody>"))
        for row in section.rows:
            parts.append(Markup("<tr>"))
            parts.extend(Markup("<td>{}</td>").format(cell.render()) for cell in row)
            parts.append(Markup("</tr>"))
        parts.append(Markup("</tbody></table>"))
        if section.more_href and section.total > len(section.rows):
            parts.append(Markup("<p><a href='{}'>All {:,} rows</a></p>").format(
                section.more_href, section.total))
    parts.append(Markup("</section>"))
    return Markup("").join(parts)


def script_appending(html: Markup, selector: str = "section.content") -> str:
    """JavaScript that appends `html` to the element matching `selector`.

    The HTML travels as a JSON string; `</` is escaped so it can never close the <script>."""
    payload = json.dumps(str(html), ensure_ascii=False).replace("</", "<\\/").replace(
        "<!--", "<\\!--")
    return ("(function(){var target=document.querySelector(%s);"
            "if(target){target.insertAdjacentHTML('beforeend',%s);}})();"
            % (json.dumps(selector), payload))


# --- id columns of views and queries -----------------------------------------------------------

# Views and canned queries carry ids of entities in columns named like these; Datasette links
# only a table's declared foreign keys, so the plugin links these (and shortens content hashes).
ID_COLUMN_TABLES = {
    "article": "articles", "article_id": "articles", "person_id": "people",
    "organization_id": "organizations", "event_id": "events", "place_id": "places",
    "position_id": "positions", "quote_id": "quotes", "claim_id": "claims",
    "member_id": "delegation_members", "sentence_id": "sentences",
    "claim_group": "claim_groups", "other_group": "claim_groups",
}
# Tables whose label is short enough to stand in for the id (an article's title or file).
LABELLED_ID_TABLES = ("articles",)
CONTENT_HASH = re.compile(r"[0-9a-f]{32,64}")


def short_id(value: str) -> str:
    """A content-hash id shortened like a git commit (the full id is in the link's title)."""
    return value[:8] + "…" if CONTENT_HASH.fullmatch(value) else value


def id_link_html(value: str, href: str, label: str | None = None) -> Markup:
    """An id cell of a view or query: a link to the row, showing its label or a short id."""
    return Markup('<a class="id-link" href="{}" title="{}">{}</a>').format(
        href, value, label or short_id(value))
