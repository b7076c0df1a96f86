"""Ingest stage: read article files from a folder into plain records.

Pure over (path, bytes): `read_article(path)` returns either a `SourceDocument` or a `BuildIssue`
naming the file and the reason it was skipped. Nothing here touches the database.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import unicodedata
from pathlib import Path

SUPPORTED_EXTENSIONS = {".txt": "text", ".md": "markdown", ".markdown": "markdown",
                        ".html": "html", ".htm": "html"}
# Articles are a few KB; a file over this size is almost certainly not a single article
# (a data dump, a mis-saved binary) and would dominate parse time.
MAX_FILE_BYTES = 2 * 1024 * 1024
# Encodings tried in order. cp1252 is the usual encoding of older Windows-saved scrapes; its
# five undefined bytes make truly undecodable input fail rather than silently turn to mojibake.
ENCODINGS = ("utf-8-sig", "cp1252")


@dataclasses.dataclass
class SourceDocument:
    file: str            # the input file's name, relative to the input folder
    format: str          # text | markdown | html
    encoding: str
    raw: str             # decoded, NFC-normalized file content
    raw_bytes: int


@dataclasses.dataclass
class BuildIssue:
    file: str
    stage: str
    reason: str          # short machine-friendly reason: empty, binary, too-large, ...
    detail: str          # one human line

    def message(self) -> str:
        return f"{self.file}: skipped ({self.reason}): {self.detail}"


def list_inputs(folder: Path) -> list[Path]:
    """Every regular file below `folder` (hidden files excluded), in a stable order."""
    paths = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                paths.append(Path(root) / name)
    return paths


def looks_binary(data: bytes) -> bool:
    if b"\x00" in data[:8192]:
        return True
    sample = data[:8192]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return control > max(8, len(sample) // 20)


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes with the first encoding that fits; raises UnicodeDecodeError when none do."""
    last_error = None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), ("utf-8" if encoding == "utf-8-sig" and not
                                           data.startswith(b"\xef\xbb\xbf") else encoding)
        except UnicodeDecodeError as error:
            last_error = error
    raise last_error  # type: ignore[misc]


def read_article(path: Path, folder: Path, max_bytes: int = MAX_FILE_BYTES):
    """Read one file; return SourceDocument, or BuildIssue explaining why it was skipped."""
    name = path.relative_to(folder).as_posix()
    kind = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        return BuildIssue(name, "ingest", "unknown-extension",
                          f"extension {path.suffix or '(none)'!r} is not one of "
                          + ", ".join(sorted(SUPPORTED_EXTENSIONS)))
    size = path.stat().st_size
    if size > max_bytes:
        return BuildIssue(name, "ingest", "too-large",
                          f"{size:,} bytes is over the {max_bytes:,}-byte limit for one article")
    data = path.read_bytes()
    if not data.strip():
        return BuildIssue(name, "ingest", "empty", "the file has no text")
    if looks_binary(data):
        return BuildIssue(name, "ingest", "binary", "the file looks binary (NUL or control bytes)")
    try:
        text, encoding = decode(data)
    except UnicodeDecodeError as error:
        return BuildIssue(name, "ingest", "undecodable",
                          f"byte 0x{data[error.start]:02x} at offset {error.start} is not valid in "
                          + " or ".join(ENCODINGS))
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return SourceDocument(file=name, format=kind, encoding=encoding, raw=text, raw_bytes=size)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
