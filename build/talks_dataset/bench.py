"""Benchmarks: build throughput, memory, incremental builds and Datasette latency.

Every measurement of a build runs in a fresh child process, so wall time and peak RSS
(`os.wait4` rusage) belong to that run alone, and all numbers of a table come from one run of
`make bench` on one machine: ratios side by side, never timed tests.

    python -m talks_dataset bench --sizes 100,1000,10000 --processes 1,2 --out BENCHMARKS.md
"""
from __future__ import annotations

import asyncio
import html
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import synthetic


def run_child(args: list[str]) -> dict:
    """Run `python args...` and return its stdout; raise with its stderr when it fails."""
    completed = subprocess.run([sys.executable, *args], capture_output=True, text=True)
    if completed.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{completed.stderr[-2000:]}")
    return {"stdout": completed.stdout}


def measured(args: list[str]) -> dict:
    """Run a child through `bench measure`, a wrapper whose only child is the measured run, so
    its RUSAGE_CHILDREN peak RSS is that run's (the largest process, for n_process > 1), and
    its CPU seconds are those of the run and every process it started (workers, writers)."""
    result = run_child(["-m", "talks_dataset.bench", "measure", *args])
    report = json.loads(result["stdout"].strip().splitlines()[-1])
    return report


def _measure_main(argv: list[str]) -> None:
    import resource

    started = time.perf_counter()
    completed = subprocess.run([sys.executable, *argv], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if completed.returncode:
        sys.stderr.write(completed.stderr)
        sys.exit(completed.returncode)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": wall, "peak_mib": usage.ru_maxrss / 1024,
                      "cpu_seconds": usage.ru_utime + usage.ru_stime,
                      "stdout": completed.stdout[-4000:]}))


def _raw_pipe_main(argv: list[str]) -> None:
    """Raw spaCy over the same texts: load the model, nlp.pipe every file, nothing else."""
    import spacy

    folder, model, processes = Path(argv[0]), argv[1], int(argv[2])
    nlp = spacy.load(model)
    texts = (path.read_text(encoding="utf-8") for path in sorted(folder.iterdir()))
    words = 0
    for doc in nlp.pipe(texts, batch_size=32, n_process=processes):
        words += sum(1 for token in doc if not token.is_space and not token.is_punct)
    print(json.dumps({"words": words}))


def corpus_words(folder: Path) -> int:
    return sum(len(path.read_text(encoding="utf-8").split()) for path in folder.iterdir())


# The settings `make serve` uses: suggested facets cost a query per column on every table
# page (the configured facets, metadata.yml, are still shown); canned queries over a large
# corpus need more than Datasette's default 1 s.
SERVE_SETTINGS = {"suggest_facets": False, "sql_time_limit_ms": 5000}


def latency(db_path: Path, metadata_path: Path, requests: int = 200,
            canned_requests: int | None = None) -> list[dict]:
    """p50/p95 of Datasette pages over the ASGI client, immutable db with inspect data.
    Canned queries render up to 1,000 rows each; `canned_requests` may time them fewer times."""
    import yaml
    from datasette.app import Datasette
    from datasette.utils import detect_fts  # noqa: F401  (imported to fail early on old versions)

    metadata = yaml.safe_load(metadata_path.read_text(encoding="utf-8"))
    inspect_path = db_path.with_suffix(".inspect.json")
    subprocess.run([str(Path(sys.executable).with_name("datasette")), "inspect", str(db_path),
                    "--inspect-file", str(inspect_path)], check=True)
    inspect_data = json.loads(inspect_path.read_text())
    name = db_path.stem
    metadata = json.loads(json.dumps(metadata).replace('"talks"', json.dumps(name)))
    ds = Datasette(immutables=[str(db_path)], metadata=metadata, inspect_data=inspect_data,
                   plugins_dir=str(metadata_path.parent / "plugins"), settings=SERVE_SETTINGS)
    tables = metadata.get("databases", {}).get(name, {}).get("tables", {})
    article_facets = "&".join(f"_facet={f}" for f in tables.get("articles", {}).get("facets", []))
    paths = {"articles table with facets": f"/{name}/articles?{article_facets}",
             "articles ?_shape=array JSON": f"/{name}/articles.json?_shape=array&_size=50"}

    async def run() -> list[dict]:
        first = (await ds.client.get(f"/{name}/articles.json?_shape=array&_size=1")).json()
        if first:
            paths["article row page"] = f"/{name}/articles/{first[0]['id']}"
        for query in metadata.get("databases", {}).get(name, {}).get("queries", {}):
            paths[f"canned query {query}"] = f"/{name}/{query}"
        # the public views, each with the facets metadata.yml gives it (a view's page counts
        # and facets the whole view)
        for view in await ds.get_database(name).view_names():
            paths[f"view {view} with facets"] = f"/{name}/{view}"
        rows = []
        for label, path in paths.items():
            timings = []
            heavy = label.startswith(("canned", "view"))
            count = canned_requests if heavy and canned_requests else requests
            failed = None
            for _ in range(count):
                started = time.perf_counter()
                response = await ds.client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    # a page that fails (a query over sql_time_limit_ms) is reported, not timed
                    failed = f"HTTP {response.status_code}"
                    break
            timings.sort()
            rows.append({"page": label, "requests": len(timings), "error": failed,
                         "p50_ms": statistics.median(timings),
                         "p95_ms": timings[math.ceil(len(timings) * 0.95) - 1],   # nearest rank
                         "note": timed_out_facets(response.text)})
        return rows

    return asyncio.run(run())


def timed_out_facets(page: str) -> str:
    """What a page says of facets that ran past `facet_time_limit_ms` (Datasette leaves them
    out and says so): the page answered, but without them."""
    found = re.search(r'class="facets-timed-out">([^<]*)<', page)
    return html.unescape(found.group(1)).strip() if found else ""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import spacy
    return (f"{os.cpu_count()} cores ({cpu}){memory}; Python {platform.python_version()}; "
            f"spaCy {spacy.__version__}; {platform.platform()}")


def stage_seconds(build: dict) -> str:
    """The build summary's per-stage seconds line, for the log."""
    return next((line.strip() for line in build["stdout"].splitlines()
                 if line.strip().startswith("seconds:")), "")


def run(sizes: list[int], processes: list[int], out: Path, work: Path, model: str,
        requests: int = 200, echo=print, canned_requests: int | None = None,
        latency_db: Path | None = None, measure_latency: bool = True) -> str:
    """Measure every size and process count; OUT is rewritten after each measurement, so an
    interrupted run keeps what it measured. measure_latency=False skips the Datasette table."""
    work.mkdir(parents=True, exist_ok=True)
    build_lines, incremental_lines, latency_lines = [], [], []
    largest_db = None

    def report() -> str:
        canned = canned_requests or requests
        text = "\n".join([
            "# Benchmarks", "", f"Machine: {machine()}", f"Model: {model}", "",
            "| N | processes | words | build s | words/s | raw nlp.pipe s "
            "| build / raw throughput | peak RSS MiB (build) | peak RSS MiB (raw) | CPU s (build) |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *build_lines,
            "",
            "Build / raw throughput is raw `nlp.pipe` seconds divided by full-build seconds "
            "over the same texts with the same model, measured in the same run (1.0 = the "
            "pipeline adds nothing to parsing). Peak RSS is the measured process's maximum "
            "resident set (the largest process of the run). CPU s is the user and system "
            "seconds of the build and every process it started.", "",
            "## Incremental builds (parse cache by content hash and model version)", "",
            "| N | processes | full build s (cold cache) | add one article s | ratio "
            "| peak RSS MiB (add one) | CPU s (add one) | CPU s / processes |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |", *incremental_lines, "",
            "CPU s / processes is the least wall time the add-one build's work allows on that "
            "many cores, were every process busy throughout.", "",
            f"## Datasette latency ({largest_db.name if largest_db else '-'}, immutable, "
            f"inspect data, settings {json.dumps(SERVE_SETTINGS)}, ASGI client; {requests} "
            f"requests per page, {canned} per canned query)", "",
            "| page | requests | p50 ms | p95 ms | note |", "| --- | ---: | ---: | ---: | --- |",
            *latency_lines, ""])
        out.write_text(text, encoding="utf-8")
        return text

    for n in sizes:
        corpus = work / f"corpus-{n}"
        if not corpus.exists() or len(list(corpus.iterdir())) != n:
            shutil.rmtree(corpus, ignore_errors=True)
            synthetic.generate(corpus, n, seed=n)
        words = corpus_words(corpus)
        builds = {}
        for count in processes:
            echo(f"N={n} processes={count}: raw nlp.pipe")
            raw = measured(["-m", "talks_dataset.bench", "raw-pipe", str(corpus), model,
                            str(count)])
            # A cold build: an empty cache folder, so everything is parsed and extracted (and
            # stored, which a --no-cache build would skip: the measure errs on the slow side).
            # The largest process count's cache then serves the incremental build below.
            echo(f"N={n} processes={count}: full build")
            db_path = work / f"bench-{n}.db"
            cache = work / f"cache-{n}-{count}"
            shutil.rmtree(cache, ignore_errors=True)
            build = measured(["-m", "talks_dataset", "build", str(corpus), str(db_path),
                              "--model", model, "--cache-dir", str(cache), "-j", str(count),
                              "-q"])
            builds[count] = build
            echo(stage_seconds(build))
            build_lines.append(
                f"| {n:,} | {count} | {words:,} | {build['seconds']:.1f} | "
                f"{words / build['seconds']:,.0f} | {raw['seconds']:.1f} | "
                f"{raw['seconds'] / build['seconds']:.2f} | {build['peak_mib']:.0f} | "
                f"{raw['peak_mib']:.0f} | {build['cpu_seconds']:.1f} |")
            largest_db = db_path
            report()
        # Incremental: the cold build above, then the same corpus plus one more article.
        echo(f"N={n}: incremental add-one")
        count = max(processes)
        full = builds[count]
        extra = corpus / f"{n:06d}-extra.md"
        extra.write_text(synthetic.article(random.Random(-n), n)[1], encoding="utf-8")
        try:
            again = measured(["-m", "talks_dataset", "build", str(corpus),
                              str(work / f"bench-{n}-plus-one.db"), "--model", model,
                              "--cache-dir", str(work / f"cache-{n}-{count}"), "-j", str(count),
                              "-q"])
        finally:
            extra.unlink()
        echo(stage_seconds(again))
        incremental_lines.append(
            f"| {n:,} | {count} | {full['seconds']:.1f} | {again['seconds']:.1f} | "
            f"{100 * again['seconds'] / full['seconds']:.1f} % | {again['peak_mib']:.0f} | "
            f"{again['cpu_seconds']:.1f} | {again['cpu_seconds'] / count:.1f} |")
        report()
    largest_db = latency_db or largest_db
    if largest_db is not None and measure_latency:
        echo(f"latency on {largest_db.name}")
        for row in latency(largest_db, Path("metadata.yml").resolve(), requests=requests,
                           canned_requests=canned_requests):
            if row["error"]:
                latency_lines.append(f"| {row['page']} | {row['requests']} | {row['error']} "
                                     f"after {row['p50_ms']:.0f} ms | | {row['note']} |")
            else:
                latency_lines.append(f"| {row['page']} | {row['requests']} | "
                                     f"{row['p50_ms']:.1f} | {row['p95_ms']:.1f} | "
                                     f"{row['note']} |")
            report()
    return report()


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    {"measure": _measure_main, "raw-pipe": _raw_pipe_main}[command](rest)
