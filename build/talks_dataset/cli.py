"""Command-line interface: `python -m talks_dataset build SEEDS DB` (thin over pipeline.build)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from . import ingest, nlp, pipeline


@click.group()
@click.version_option(package_name=None, version="0.1.0", prog_name="talks-dataset")
def cli():
    """Turn a folder of news articles into an evidence-linked SQLite dataset."""


@cli.command()
@click.argument("input_dir", type=click.Path(file_okay=False, path_type=Path), default="seeds")
@click.argument("db_path", type=click.Path(dir_okay=False, path_type=Path), default="talks.db")
@click.option("--model", default=nlp.DEFAULT_MODEL, show_default=True,
              help="spaCy model package or path (e.g. en_core_web_trf); "
                   "env TALKS_SPACY_MODEL sets the default.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path(".cache/nlp"), show_default=True,
              help="Where parses are cached by content hash and model version.")
@click.option("--no-cache", is_flag=True, help="Parse every article again.")
@click.option("--processes", "-j", default=1, show_default=True, type=click.IntRange(1, 64),
              help="spaCy worker processes (nlp.pipe n_process).")
@click.option("--max-bytes", default=ingest.MAX_FILE_BYTES, show_default=True,
              type=click.IntRange(1), help="Skip input files larger than this.")
@click.option("--strict", is_flag=True, help="Exit 1 when any input file was skipped.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
def build(input_dir, db_path, model, cache_dir, no_cache, processes, max_bytes, strict, quiet):
    """Build DB_PATH (default talks.db) from the articles in INPUT_DIR (default seeds/)."""
    def progress(message):
        if not quiet:
            click.echo(f"  {message}", err=True)

    try:
        result = pipeline.build(input_dir, db_path, model=model,
                                cache_dir=None if no_cache else cache_dir,
                                n_process=processes, progress=progress, max_bytes=max_bytes)
    except (FileNotFoundError, OSError) as error:
        raise click.ClickException(str(error))
    click.echo(f"Built {result.db_path} in {result.seconds:.1f}s")
    click.echo(f"  files read: {result.files_read}; articles: {result.rows.get('articles', 0)}; "
               f"skipped: {len(result.issues)}; parsed: {result.parse_stats.get('parsed', 0)}, "
               f"from cache: {result.parse_stats.get('cached', 0)}; per-article extraction: "
               f"{result.extract_stats.get('computed', 0)} computed, "
               f"{result.extract_stats.get('cached', 0)} from cache")
    for issue in result.issues:
        click.echo(f"  skipped {issue.message()}")
    for duplicate, (original, score) in sorted(result.duplicates.items()):
        click.echo(f"  duplicate: {duplicate} of {original} (similarity {score:.2f})")
    click.echo("  rows: " + ", ".join(f"{name} {count}" for name, count in result.rows.items()))
    click.echo("  seconds: " + ", ".join(f"{stage} {seconds:.1f}" for stage, seconds
                                         in result.stage_seconds.items()))
    if strict and result.issues:
        sys.exit(1)


@cli.command()
@click.argument("db_path", type=click.Path(dir_okay=False, path_type=Path), default="talks.db")
@click.argument("dist", type=click.Path(file_okay=False, path_type=Path), default="dist")
@click.option("--metadata", "metadata_path", default="metadata.yml", show_default=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--plugins-dir", default="plugins", show_default=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--max-pages", default=2000, show_default=True, type=click.IntRange(0),
              help="Budget of crawled pages (and their JSON/CSV) beyond the required ones.")
@click.option("--max-depth", default=1, show_default=True, type=click.IntRange(0),
              help="Follow links (facets, suggested facets) this many clicks from a "
                   "required page.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary.")
def publish(db_path, dist, metadata_path, plugins_dir, max_pages, max_depth, quiet):
    """Export DB_PATH's Datasette site as static files into DIST (default dist/)."""
    from . import publish as publishing

    def progress(message):
        if not quiet:
            click.echo(f"  {message}", err=True)

    try:
        result = publishing.publish(db_path, dist, metadata_path=metadata_path,
                                    plugins_dir=plugins_dir, max_pages=max_pages,
                                    max_depth=max_depth, progress=progress)
    except FileNotFoundError as error:
        raise click.ClickException(str(error))
    click.echo(f"Published {result.dist}/ in {result.seconds:.1f}s: {result.pages:,} pages, "
               f"{result.json_files:,} JSON files, {result.assets:,} assets and downloads; "
               f"{result.not_exported:,} deeper links point to {publishing.NOT_IN_EXPORT}")
    for url, status in result.errors:
        click.echo(f"  HTTP {status}: {url}")
    if result.errors:
        sys.exit(1)


@cli.command()
@click.option("--sizes", default="100,1000,10000", show_default=True,
              help="Corpus sizes N, comma-separated.")
@click.option("--processes", default="1,2", show_default=True,
              help="Process counts to compare, comma-separated.")
@click.option("--model", default=nlp.DEFAULT_MODEL, show_default=True)
@click.option("--requests", default=200, show_default=True, type=click.IntRange(1),
              help="Requests per page for the Datasette latency table.")
@click.option("--canned-requests", default=None, type=click.IntRange(1),
              help="Requests per canned query (default: --requests); each renders up to "
                   "1,000 rows.")
@click.option("--latency-db", default=None, type=click.Path(dir_okay=False, exists=True,
                                                             path_type=Path),
              help="Measure Datasette latency on this database instead of the largest built.")
@click.option("--latency/--no-latency", default=True, show_default=True,
              help="Measure Datasette latency (on the largest database built, or --latency-db).")
@click.option("--work-dir", default=Path(".cache/bench"), show_default=True,
              type=click.Path(file_okay=False, path_type=Path))
@click.option("--out", default=Path("BENCHMARKS.md"), show_default=True,
              type=click.Path(dir_okay=False, path_type=Path))
def bench(sizes, processes, model, requests, canned_requests, latency_db, latency, work_dir,
          out):
    """Benchmark builds on a seeded synthetic corpus; write a markdown table to OUT."""
    from . import bench as benchmarks

    text = benchmarks.run([int(n) for n in sizes.split(",") if n.strip()],
                          [int(p) for p in processes.split(",")], out, work_dir, model,
                          requests=requests, echo=lambda m: click.echo(f"  {m}", err=True),
                          canned_requests=canned_requests, latency_db=latency_db,
                          measure_latency=latency)
    click.echo(text)


def main():
    cli()


if __name__ == "__main__":
    main()
