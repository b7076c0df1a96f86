"""Rule layers added to the spaCy pipeline, kept as data.

Patterns live in `data/entity_patterns.jsonl` (spaCy EntityRuler format, one JSON object a line).
They correct what the statistical model gets wrong on news text by general rules, never by lists
of one story's names.
"""
from __future__ import annotations

from pathlib import Path

PATTERNS = Path(__file__).parent / "data" / "entity_patterns.jsonl"


def add_rule_layers(nlp) -> None:
    if PATTERNS.exists() and PATTERNS.stat().st_size and "entity_ruler" not in nlp.pipe_names:
        where = {"before": "ner"} if "ner" in nlp.pipe_names else {}
        ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True}, **where)
        ruler.from_disk(PATTERNS)
