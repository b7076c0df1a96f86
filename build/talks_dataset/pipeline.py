"""The orchestrator: ingest -> clean -> dedupe -> NLP -> extract -> load -> finalize.

Every stage but `load`/`finalize` is a pure function over plain records. `build()` writes a
temporary database next to the target and renames it into place only when every stage succeeded,
so a failed or interrupted build never replaces a good database with a broken one.
"""
from __future__ import annotations

import array
import collections
import collections.abc
import contextlib
import dataclasses
import functools
import gc
import hashlib
import inspect
import os
import re
import sys
import tempfile
import time
import unicodedata
from json.encoder import encode_basestring_ascii as _json_string
from pathlib import Path
from typing import Callable, Sequence

from sqlite_utils.utils import hash_record

from . import clean, dedupe, ingest, load, nlp, per_article
from .schema import CORE_TABLES, CORE_VIEWS

NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclasses.dataclass
class Article:
    """One cleaned, parsed article: the plain record every extraction stage receives."""
    id: str
    file: str
    text: str
    title: str | None
    byline: str | None
    published: str | None
    url: str | None
    dateline: str | None
    outlet: str | None            # outlets.id
    duplicate_of: str | None      # articles.id of the original when this is a near-duplicate
    sentences: "Sequence[dict]"   # rows of the sentences table; in a build, TextSentences
    entities: "Sequence[list]"    # [label, start, end, text] from the NLP stage; in a build,
                                  # nlp.TextEntities (spans of `text`)
    tokens: "Sequence[Sequence]"  # see nlp.doc_to_rows; in a build, nlp.LazyTokens (on disk)
    segments: list[clean.Segment]
    credits: list[clean.Credit]


# Extraction stages, in order. Each is a module with TABLES (schema.Table specs), VIEWS
# (schema.View), READS (the earlier tables it reads) and extract(articles, tables) ->
# {table name: rows} (or a generator of such batches, see stage_batches); `tables` is the
# stage's own dict of the earlier tables it READS, so later stages can link to earlier ones
# (quotes to people, ...). The build keeps only the rows a stage still to run READS
# (release_unread), so a stage that drops a table from its dict once it has read it frees
# those rows while it goes on (the claims stage, before its claims are grouped).
def extraction_stages() -> list:
    from . import claims, people, places
    return [people, places, claims]   # claims: quotes and claims (quotes.py, claims.py)


def release_unread(tables: dict[str, list[dict]], stages_left: list) -> None:
    """Drop the rows of every table that none of `stages_left` READS: they are written (or
    being written by the writer process), and a build at scale holds millions of rows."""
    still_read = {name for stage in stages_left for name in stage.READS}
    for name in [name for name in tables if name not in still_read]:
        del tables[name]


def stage_name(stage) -> str:
    """A stage's name in progress lines and the build summary: its NAME, else its module's."""
    return getattr(stage, "NAME", stage.__name__.rsplit(".", 1)[-1])


def stage_batches(stage, articles: list[Article], tables: dict[str, list[dict]]):
    """The {table name: rows} batches of one stage: its extract() result, or each batch it
    yields when it is a generator (a stage yields tables it has finished, so they are written
    while it goes on), then its declared tables it gave no rows for (empty)."""
    found = stage.extract(articles, tables)
    given = set()
    for batch in (found if inspect.isgenerator(found) else [found]):
        given |= set(batch)
        yield batch
    rest = {spec.name: [] for spec in stage.TABLES if spec.name not in given}
    if rest:
        yield rest


@dataclasses.dataclass
class BuildResult:
    db_path: Path
    files_read: int = 0
    issues: list[ingest.BuildIssue] = dataclasses.field(default_factory=list)
    duplicates: dict = dataclasses.field(default_factory=dict)
    rows: dict[str, int] = dataclasses.field(default_factory=dict)
    parse_stats: dict = dataclasses.field(default_factory=dict)
    extract_stats: dict = dataclasses.field(default_factory=dict)   # per_article.stats
    stage_seconds: dict[str, float] = dataclasses.field(default_factory=dict)
    seconds: float = 0.0
    _lap_started: float = dataclasses.field(default_factory=time.perf_counter, repr=False)

    def lap(self, stage: str) -> None:
        """Record the seconds since the previous lap (or the start) as `stage`'s."""
        now = time.perf_counter()
        self.stage_seconds[stage], self._lap_started = now - self._lap_started, now


@functools.lru_cache(maxsize=1 << 16)
def slug(text: str) -> str:
    """A readable id from a name ("Ministry of Defence russia" -> "ministry-of-defence-russia").
    Cached: a build at scale slugs each of a few thousand titles and organizations once per
    mention (hundreds of thousands of calls)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return NOT_SLUG.sub("-", ascii_text.lower()).strip("-") or "x"


def stable_id(**parts) -> str:
    """The id sqlite-utils' hash_id_columns would give these values: stable across rebuilds.

    The same sha1 of the same JSON as sqlite_utils.utils.hash_record, written directly for
    the string, integer and null values ids are made of: json.dumps' Python-level machinery
    took a few seconds per million ids, and a build at scale makes millions. Any other value
    goes through hash_record itself."""
    pieces = []
    for key in sorted(parts):
        value = parts[key]
        if value is None:
            encoded = "null"
        elif value.__class__ is str:
            encoded = _json_string(value)
        elif value.__class__ is int:
            encoded = int.__repr__(value)
        else:
            return hash_record(parts)
        pieces.append(f"{_json_string(key)}:{encoded}")
    return hashlib.sha1(("{" + ",".join(pieces) + "}").encode("utf8")).hexdigest()


def outlet_row(outlet: dict) -> dict:
    return {"id": slug(outlet["name"]), "name": outlet["name"], "host": outlet["host"],
            "country": outlet.get("country") or None, "kind": outlet.get("kind") or None}


def article_rows(articles: list[Article], cleaned: dict[str, clean.CleanArticle],
                 duplicates: dict) -> dict[str, list[dict]]:
    """Rows of the core tables for parsed articles (pure)."""
    tables = {name: [] for name in ("outlets", "articles", "sentences", "furniture",
                                    "article_credits")}
    outlets = {}
    for article in articles:
        cleaned_article = cleaned[article.file]
        if cleaned_article.outlet:
            row = outlet_row(cleaned_article.outlet)
            outlets[row["id"]] = row
        similarity = duplicates.get(article.file, (None, None))[1]
        tables["articles"].append({
            "id": article.id, "file": article.file, "outlet": article.outlet,
            "title": article.title, "byline": article.byline, "published": article.published,
            "url": article.url, "dateline": article.dateline, "text": article.text,
            "word_count": len(article.text.split()),
            "content_hash": ingest.content_hash(article.text),
            "duplicate_of": article.duplicate_of, "duplicate_similarity": similarity,
            "format": cleaned_article.format, "encoding": cleaned_article.encoding,
            "raw_bytes": cleaned_article.raw_bytes,
            "label": article.title or article.file})
        tables["sentences"].extend(article.sentences)
        for line in cleaned_article.furniture:
            tables["furniture"].append({
                "id": stable_id(article=article.id, line=line.line), "article": article.id,
                "line": line.line, "kind": line.kind, "text": line.text})
        for credit in article.credits:
            tables["article_credits"].append({
                "id": stable_id(article=article.id, role=credit.role, name=credit.name,
                                start=credit.start),
                "article": article.id, **dataclasses.asdict(credit)})
    tables["outlets"] = sorted(outlets.values(), key=lambda row: row["id"])
    return tables


class TextSentences(collections.abc.Sequence):
    """An article's rows of the sentences table, held as ids, offsets and kinds.

    A build holds every article's sentences through all its stages (a third of a million at
    10,000 articles); as dicts, each with its own copy of its text, they took about 540 bytes
    each, held so about 120. Rows are made when read, and the last few articles' rows are kept
    (LRU), so a stage working on an article sees the same row objects each time it reads them."""
    __slots__ = ("article", "text", "ids", "offsets", "kinds")
    _recent: "collections.OrderedDict[int, tuple]" = collections.OrderedDict()
    RECENT = 8

    def __init__(self, article_id: str, text: str, spans: list[list[int]],
                 segments: list[clean.Segment]):
        self.article, self.text = article_id, text
        self.ids = [stable_id(article=article_id, start=start, end=end) for start, end in spans]
        self.offsets = array.array("q", [offset for span in spans for offset in span])
        # a sentence's kind is its paragraph's (body, caption, credit)
        self.kinds = tuple(sys.intern(next((s.kind for s in segments if s.start <= start < s.end),
                                           "body")) for start, _ in spans)

    def rows(self) -> list[dict]:
        recent = TextSentences._recent
        found = recent.get(id(self))   # the entry holds self: its id is not reused meanwhile
        if found is not None:
            recent.move_to_end(id(self))
            return found[1]
        rows = []
        for index, (sentence_id, kind) in enumerate(zip(self.ids, self.kinds)):
            start, end = self.offsets[2 * index], self.offsets[2 * index + 1]
            rows.append({"id": sentence_id, "article": self.article, "index": index,
                         "start": start, "end": end, "kind": kind,
                         "text": self.text[start:end]})
        recent[id(self)] = (self, rows)
        if len(recent) > self.RECENT:
            recent.popitem(last=False)
        return rows

    def __getitem__(self, index):
        return self.rows()[index]

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self):
        return iter(self.rows())

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None


def build(input_dir: Path, db_path: Path, model: str = nlp.DEFAULT_MODEL,
          cache_dir: Path | None = None, n_process: int = 1,
          progress: Callable[[str], None] = lambda message: None,
          max_bytes: int = ingest.MAX_FILE_BYTES, nlp_pipeline=None) -> BuildResult:
    started = time.perf_counter()
    input_dir, db_path = Path(input_dir), Path(db_path)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"{input_dir}: not a folder of articles")
    nlp_pipeline = nlp_pipeline or nlp.load_pipeline(model)
    # Cleaning, MinHash signatures and per-article extraction are cached next to the parses
    # (not with --no-cache); per-article extraction runs in n_process workers (per_article).
    with per_article.configure(cache_dir=cache_dir, processes=n_process,
                               parser=nlp.model_fingerprint(nlp_pipeline)), \
            collection_at_stage_ends():
        result = _build(input_dir, db_path, model, cache_dir, n_process, progress, max_bytes,
                        nlp_pipeline)
        result.extract_stats = dict(per_article.stats)
    result.seconds = time.perf_counter() - started
    return result


@contextlib.contextmanager
def collection_at_stage_ends():
    """Pause automatic garbage collection; `settle_heap()` collects at the end of each stage.

    A build's rows are long-lived and number tens of millions of objects at scale. Python's
    automatic full collections scan all of them each time the heap grows by a quarter: 23 such
    scans took 20 s of a 120 s build of 10,000 cached articles. Collected once per stage and
    then frozen (gc.freeze: later collections skip them), they are scanned about once."""
    enabled, frozen_before = gc.isenabled(), gc.get_freeze_count()
    gc.disable()
    try:
        yield
    finally:
        # Unfreezing would also release what a caller froze: then the build's objects stay
        # frozen with theirs (refcounting still frees them; only their cycles are kept).
        if not frozen_before:
            gc.unfreeze()
        if enabled:
            gc.enable()


def settle_heap() -> None:
    """Collect the garbage a stage left (its cycles) and freeze what survives (see above)."""
    gc.collect()
    gc.freeze()


def read_and_clean(path: Path, folder: Path, max_bytes: int):
    """One file through ingest and clean, with its MinHash signature for dedupe (both cached
    by content): (CleanArticle, signature), or (BuildIssue, None) saying why it was skipped."""
    try:
        source = ingest.read_article(path, folder, max_bytes=max_bytes)
        if isinstance(source, ingest.BuildIssue):
            return source, None
        article = per_article.cached(
            "clean", [source.file, source.format, source.encoding, source.raw_bytes,
                      ingest.content_hash(source.raw)],
            lambda: clean.clean_document(source))
    except Exception as error:  # a bug on one odd file must not lose the rest
        return ingest.BuildIssue(path.relative_to(folder).as_posix(), "clean", "error",
                                 repr(error)), None
    if not article.text.strip():
        return ingest.BuildIssue(article.file, "clean", "no-article-text",
                                 "nothing but page furniture was found"), None
    signature = per_article.cached("minhash", [dedupe.NUM_PERM, ingest.content_hash(article.text)],
                                   lambda: dedupe.signature(article.text))
    return article, signature


def _build(input_dir: Path, db_path: Path, model: str, cache_dir: Path | None, n_process: int,
           progress: Callable[[str], None], max_bytes: int, nlp_pipeline) -> BuildResult:
    result = BuildResult(db_path=db_path)

    # ingest + clean: one bad file becomes a build issue, never stops the others
    paths = ingest.list_inputs(input_dir)
    progress(f"reading {len(paths):,} files")
    cleaned: dict[str, clean.CleanArticle] = {}
    signatures = {}
    read = per_article.parallel_map(
        functools.partial(read_and_clean, folder=input_dir, max_bytes=max_bytes), paths)
    for found, signature in read:
        result.files_read += 1
        if isinstance(found, ingest.BuildIssue):
            result.issues.append(found)
        else:
            cleaned[found.file] = found
            signatures[found.file] = signature
    del read

    files = sorted(cleaned)
    ids = {file: stable_id(file=file, content_hash=ingest.content_hash(cleaned[file].text))
           for file in files}

    def find_duplicates() -> dict:
        return dedupe.find_duplicates([(file, cleaned[file].text) for file in files],
                                      signatures=signatures)

    settle_heap()
    result.lap("read, clean")
    progress(f"parsing {len(files):,} articles with {model}")
    # Tokens, the bulk of the NLP rows, stay on disk in the parse cache (a temporary one with
    # no cache_dir) and are read by each stage when it needs them, never all in memory.
    parse_cache_dir = (contextlib.nullcontext(cache_dir) if cache_dir is not None else
                       tempfile.TemporaryDirectory(prefix="talks-parse-"))
    # With more than one process, near-duplicates are found by a forked process while this one
    # collects the parses (reading them from the cache keeps it busy for seconds at scale);
    # with one, after them.
    with parse_cache_dir as parse_cache, contextlib.ExitStack() as cleanup:
        duplicates = per_article.Background(find_duplicates, "dedupe") if n_process > 1 else None
        if duplicates is not None:
            cleanup.callback(duplicates.close)   # stopped if the build fails before its result
        parsed = nlp.parse_texts([cleaned[file].text for file in files], nlp=nlp_pipeline,
                                 model=model, cache_dir=parse_cache,
                                 n_process=n_process, stats=result.parse_stats, lazy_tokens=True)
        articles = []
        # strict: zip asks the parser for one more item, so it finishes and its workers exit
        for file, rows in zip(files, parsed, strict=True):
            source = cleaned[file]
            article_id = ids[file]
            articles.append(Article(
                id=article_id, file=file, text=source.text, title=source.title,
                byline=source.byline, published=source.published, url=source.url,
                dateline=source.dateline,
                outlet=outlet_row(source.outlet)["id"] if source.outlet else None,
                duplicate_of=None,
                sentences=TextSentences(article_id, source.text, rows["sentences"],
                                        source.segments),
                entities=nlp.TextEntities(source.text, rows["entities"]),
                tokens=rows["tokens"], segments=source.segments,
                credits=source.credits))
            if len(articles) % 100 == 0:
                progress(f"parsed {len(articles):,}/{len(files):,} articles")
        result.duplicates = duplicates.result() if duplicates else find_duplicates()
        signatures.clear()
        for article in articles:
            if article.file in result.duplicates:
                article.duplicate_of = ids[result.duplicates[article.file][0]]

        settle_heap()
        result.lap("parse, dedupe")
        stages = extraction_stages()
        specs = list(CORE_TABLES) + [spec for stage in stages for spec in stage.TABLES]
        views = list(CORE_VIEWS) + [view for stage in stages for view in stage.VIEWS]
        temporary = db_path.with_name(f".{db_path.name}.{os.getpid()}.tmp")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # With more than one process, each stage's tables are written by a writer process
            # while the next stage runs (load.Writer); with one, in this process.
            writer = load.Writer(temporary, specs, background=n_process > 1)
            try:
                tables = article_rows(articles, cleaned, result.duplicates)
                cleaned.clear()   # the articles hold what stages read of it (furniture is rows now)
                core_now = [spec for spec in CORE_TABLES if spec.name in tables]
                writer.write(core_now, tables)
                release_unread(tables, stages)
                for position, stage in enumerate(stages):
                    name = stage_name(stage)
                    progress(f"extracting: {name}")
                    readable = {table: tables[table] for table in stage.READS
                                if table in tables}
                    release_unread(tables, stages[position + 1:])
                    batches = stage_batches(stage, articles, readable)
                    del readable   # the stage's now: it may drop what it has read
                    while True:
                        try:
                            found = next(batches, None)
                        except Exception as error:
                            # An extraction bug fails the build loudly: better no new
                            # database than a wrong one.
                            raise RuntimeError(f"extraction stage {stage.__name__} failed: "
                                               f"{error!r}") from error
                        if found is None:
                            break
                        tables.update(found)
                        writer.write([spec for spec in stage.TABLES if spec.name in found],
                                     found)
                        release_unread(tables, stages[position + 1:])
                    # its materialized views store their rows while the next stage runs
                    writer.add_views([view for view in stage.VIEWS if view.materialized])
                    settle_heap()
                    result.lap(name)
                tables["build_issues"] = [
                    {"id": stable_id(file=issue.file, stage=issue.stage, reason=issue.reason),
                     **dataclasses.asdict(issue)} for issue in result.issues]
                tables["build_info"] = [
                    {"key": "model", "value": model},
                    {"key": "files_read", "value": str(result.files_read)},
                    {"key": "articles", "value": str(len(articles))}]
                writer.write([spec for spec in CORE_TABLES if spec not in core_now], tables)
                progress(f"loading into {temporary.name}")
                result.rows = writer.finish(views)
            finally:
                writer.close()
            result.lap("load")
            os.replace(temporary, db_path)
        finally:
            for leftover in (temporary, temporary.with_name(temporary.name + "-journal")):
                if leftover.exists():
                    leftover.unlink()
    return result
