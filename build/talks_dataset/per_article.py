"""Per-article extraction work: cached by its inputs, computed in parallel.

Most extraction time is per article (name candidates, place resolution, quote attribution,
claim finding), and each such task depends on the article, a few plain per-article inputs
(the person mentions the people stage found in it, ...) and a few corpus-level lookups (which
names the corpus tags as places, which organizations are known, ...).

`map_articles(name, task, articles, inputs, lookups)` returns `task(article, inputs[i],
**lookups)` for every article, in order, and is:

- cached, when `configure(cache_dir=...)` gave a folder: a result is stored under a key of the
  task name, the code and data version, the article id (its file and content hash) and a hash
  of its plain inputs. The lookups reach the task wrapped in `Recorded`, which notes each key
  read and its answer; a stored result is reused only when every noted read gives the same
  answer today. Adding one article therefore recomputes that article and the few whose reads
  changed (a name newly tagged as a place, ...), never a stale result.
- parallel, when `configure(processes=N)` asked for more than one process: the articles not
  found in the cache are computed by N forked workers, which share the parent's articles and
  lookups (copy-on-write) instead of receiving them pickled; each worker stores what it
  computes and sends it back pickled once, as stored.

Corpus-level steps (resolution across articles, event clustering, contradictions) stay in the
build process; claim grouping hands each topic to a worker through `parallel_map`.
"""
from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import multiprocessing
import os
import pickle
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

_MISSING = "\0missing"   # a read of an absent key (a plain string: it pickles and compares)
MIN_PARALLEL = 24        # fewer articles than this are not worth starting workers for

_settings = {"cache_dir": None, "processes": 1, "parser": ""}
stats: dict[str, int] = {"computed": 0, "cached": 0}


@contextlib.contextmanager
def configure(cache_dir: Path | None = None, processes: int = 1, parser: str = ""):
    """Settings for the map_articles calls of one build (restored afterwards). `parser`
    names the model that parsed the articles (nlp.model_fingerprint): results computed from
    another model's parses are never reused."""
    previous = dict(_settings)
    _settings.update(cache_dir=Path(cache_dir) if cache_dir else None,
                     processes=max(1, int(processes)), parser=parser)
    stats.update(computed=0, cached=0)
    try:
        yield
    finally:
        _settings.update(previous)


class Recorded:
    """A read-only corpus-level lookup (dict, set or Counter) that notes every read.

    `reads` maps (operation, key) to the answer given; `still_valid(data, reads)` tells
    whether the same reads of another version of the lookup give the same answers."""
    __slots__ = ("data", "reads")

    def __init__(self, data):
        self.data = data
        self.reads: dict[tuple, object] = {}

    @staticmethod
    def answer(data, operation: str, key):
        if operation == "in":
            return key in data
        if operation == "get":
            return data.get(key, _MISSING)
        return data[key]   # "item": a Counter answers 0 for a key it lacks

    def _read(self, operation: str, key):
        value = self.answer(self.data, operation, key)
        self.reads[(operation, key)] = value
        return value

    def __contains__(self, key) -> bool:
        return self._read("in", key)

    def get(self, key, default=None):
        value = self._read("get", key)
        return default if value == _MISSING else value

    def __getitem__(self, key):
        return self._read("item", key)

    @classmethod
    def still_valid(cls, data, reads: dict) -> bool:
        try:
            return all(cls.answer(data, operation, key) == value
                       for (operation, key), value in reads.items())
        except KeyError:
            return False


# Modules that cannot change an extraction result (serving, publishing, benchmarks, the CLI,
# the loader): editing them keeps the stored results.
NOT_EXTRACTION = {"__main__.py", "bench.py", "cli.py", "load.py", "publish.py", "synthetic.py",
                  "web.py"}


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """Hash of this package's extraction code and data files and the Python version: a change
    to extraction logic or reference data invalidates every stored result."""
    package = Path(__file__).parent
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted([*package.glob("*.py"), *(package / "data").rglob("*")]):
        if path.is_file() and path.name not in NOT_EXTRACTION:
            digest.update(path.relative_to(package).as_posix().encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def _inputs_digest(name: str, article_id: str, inputs) -> str:
    encoded = json.dumps(inputs, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(f"{name}\0{article_id}\0{encoded}".encode()).hexdigest()


def _store(name: str, parsed: bool = True) -> Path | None:
    """The folder of a task's stored results; `parsed`: results that depend on the parses,
    kept per parsing model."""
    if _settings["cache_dir"] is None:
        return None
    parser = _settings["parser"] if parsed else ""
    version = hashlib.sha256(f"{code_version()}\0{parser}".encode()).hexdigest()
    folder = _settings["cache_dir"] / "extract" / version[:16] / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_atomic(path: Path, data: bytes) -> None:
    """Write a cache file through a temporary one, so a reader (another process, a later
    build after a crash) never sees half a file."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _encode(value) -> bytes:
    """A stored value as its cache file holds it."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _write(path: Path, value) -> None:
    write_atomic(path, _encode(value))


def _read(path: Path):
    """A stored value, or None when there is none or it cannot be read."""
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None


def cached(name: str, key, compute: Callable):
    """compute(), stored under `name` by a hash of `key` (JSON) and the code version: for pure
    work before parsing (cleaning a file, a text's MinHash signature), which no corpus lookup
    and no parser affects."""
    store = _store(name, parsed=False)
    if store is None:
        return compute()
    path = store / (_inputs_digest(name, "", key) + ".pickle")
    stored = _read(path)
    if stored is not None:
        return stored["result"]
    result = compute()
    _write(path, {"result": result})
    return result


def _compute(task: Callable, article, inputs, lookups: dict, path: Path | None = None,
             encoded: bool = False):
    """{"reads": ..., "result": ...} of one article, stored at `path` (when given) by the
    process that computed it; `encoded`: returned pickled, as stored, so a worker pickles a
    result once (for the cache and the trip back) and the build process never does."""
    recorded = {key: Recorded(data) for key, data in lookups.items()}
    result = task(article, inputs, **recorded)
    stored = {"reads": {key: wrapper.reads for key, wrapper in recorded.items()},
              "result": result}
    if path is None and not encoded:
        return stored
    data = _encode(stored)
    if path is not None:
        write_atomic(path, data)
    return data if encoded else stored


# The job of the current forked map, set before the workers fork so they inherit it.
_job: Callable | None = None


def _run_one(index: int):
    return _job(index)


def fork_imap(function: Callable, items: Sequence, processes: int, chunksize: int = 1,
              collect: bool = True):
    """Yield function(item) for each item, in order, as the `processes` forked workers finish
    them. The function and items reach the workers by fork (copy-on-write), not pickled; only
    results travel back, so they must pickle. One forked map at a time. `collect`: the
    workers collect garbage as usual (a build pauses it in this process, see
    pipeline.collection_at_stage_ends; what this process froze they never scan); without,
    they never do, for work that makes no reference cycles."""
    global _job
    _job = lambda index: function(items[index])   # noqa: E731  (a closure the fork inherits)
    try:
        with multiprocessing.get_context("fork").Pool(
                processes, initializer=gc.enable if collect else gc.disable) as pool:
            yield from pool.imap(_run_one, range(len(items)), chunksize=chunksize)
    finally:
        _job = None


class Background:
    """function() computed by a forked process while this one goes on: `result()` waits for
    it and returns it, or raises what it raised. The function and its data reach the child by
    fork (copy-on-write), not pickled; the result travels back pickled, so it must pickle."""

    def __init__(self, function: Callable, name: str = "background"):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_result, args=(function, send), name=name,
                                        daemon=True)
        self._process.start()
        send.close()

    def result(self):
        try:
            succeeded, value = self._receive.recv()
        except EOFError:   # it died before it could report
            succeeded, value = False, None
        self._process.join()   # it reported or died: it is ending
        self.close()
        if not succeeded:
            raise value or RuntimeError(f"{self._process.name} exited with "
                                        f"{self._process.exitcode}")
        return value

    def close(self) -> None:
        """Stop the child if it still runs (after a failure elsewhere) and wait for it."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._receive.close()


def _send_result(function: Callable, send) -> None:
    # The data came with the fork; collecting cycles would touch (and copy) the whole heap.
    gc.disable()
    try:
        answer = (True, function())
    except BaseException as error:   # raised again in the parent, with where it happened here
        error.add_note(f"in {multiprocessing.current_process().name}:\n{traceback.format_exc()}")
        answer = (False, error)
    try:
        send.send(answer)
    except Exception as error:   # the result, or the exception, does not pickle
        # named by its type: the repr of a large result would be the whole of it
        send.send((False, RuntimeError(f"{multiprocessing.current_process().name}'s "
                                       f"{type(answer[1]).__name__} does not pickle: {error!r}")))
    send.close()


def processes() -> int:
    """The worker processes the current build maps with (1: in this process)."""
    return _settings["processes"]


def _parallel(items: int, min_items: int | None = MIN_PARALLEL) -> bool:
    """Whether a map of this many items runs in worker processes."""
    return _settings["processes"] > 1 and min_items is not None and items >= min_items


def _map_indexes(function: Callable[[int], object], indexes: list[int],
                 min_items: int | None = MIN_PARALLEL, collect: bool = True) -> list:
    """[function(i) for i in indexes], by forked workers when configured and worth it (at
    least `min_items` items; None: never); `collect`: see fork_imap."""
    if not _parallel(len(indexes), min_items):
        return [function(index) for index in indexes]
    processes = _settings["processes"]
    # Small chunks: the last one a worker takes is all the others may wait for (at 10,000
    # articles a chunk of len / (processes * 8) kept one core idle for seconds per map).
    return list(fork_imap(function, indexes, processes,
                          chunksize=max(1, min(32, len(indexes) // (processes * 8))),
                          collect=collect))


def parallel_map(function: Callable, items: Sequence, min_items: int | None = MIN_PARALLEL,
                 collect: bool = True) -> list:
    """[function(item) for item in items], in order, by the configured worker processes (the
    function and items reach them by fork, not pickled; results must pickle). Fewer than
    `min_items` items (None: any number) are mapped in this process. `collect=False`: the
    workers never collect garbage (see fork_imap)."""
    return _map_indexes(lambda index: function(items[index]), list(range(len(items))),
                        min_items, collect)


def map_articles(name: str, task: Callable, articles: Sequence,
                 inputs: Sequence | None = None, lookups: dict | None = None) -> list:
    """[task(article, inputs[i], **lookups) for each article], cached and in parallel.

    `inputs[i]` must be JSON-serializable (it is hashed into the cache key); the task's
    result must pickle. `lookups` are dicts, sets or Counters the task only reads by key."""
    inputs = list(inputs) if inputs is not None else [None] * len(articles)
    lookups = lookups or {}
    store = _store(name)
    results: list = [None] * len(articles)
    missing: list[int] = []
    paths: dict[int, Path] = {}
    for index, article in enumerate(articles):
        if store is None:
            missing.append(index)
            continue
        path = paths[index] = store / (_inputs_digest(name, article.id, inputs[index]) + ".pickle")
        stored = _read(path)
        if stored is not None and all(Recorded.still_valid(lookups[key], reads)
                                      for key, reads in stored["reads"].items()):
            results[index] = stored["result"]
            stats["cached"] += 1
        else:
            missing.append(index)
    encoded = _parallel(len(missing))   # results come back from workers as stored
    computed = _map_indexes(
        lambda index: _compute(task, articles[index], inputs[index], lookups, paths.get(index),
                               encoded), missing)
    for index, stored in zip(missing, computed):
        results[index] = (pickle.loads(stored) if encoded else stored)["result"]
        stats["computed"] += 1
    return results
