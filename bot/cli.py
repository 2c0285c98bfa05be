"""The `casebot` command: a thin shell over bot.core. Errors are one line on stderr."""
from __future__ import annotations

import functools
import json
import logging
import shutil
import sys
from pathlib import Path

import click

from .config import load_settings

log = logging.getLogger("bot")


class CaseBotGroup(click.Group):
    """Turns expected failures into `casebot: error: ...` and exit 1 (a traceback only with --debug)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.UsageError, click.Abort):
            raise
        except Exception as exc:  # the front end decides how errors look
            if "--debug" in sys.argv:
                raise
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            click.echo(f"casebot: error: {message}", err=True)
            ctx.exit(1)


def common(fn):
    """--docs-dir / --index-dir / --debug on every command, so they work after the command name."""

    @click.option("--docs-dir", type=click.Path(path_type=Path), help="Papers to index [CASEBOT_DOCS_DIR].")
    @click.option("--index-dir", type=click.Path(path_type=Path), help="Where the index lives [CASEBOT_INDEX_DIR].")
    @click.option("--debug", is_flag=True, help="Verbose logging and full tracebacks.")
    @functools.wraps(fn)
    def wrapper(docs_dir, index_dir, debug, **kwargs):
        logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        settings = load_settings(docs_dir=docs_dir, index_dir=index_dir)
        return fn(settings, **kwargs)

    return wrapper


def _bot(settings):
    from .core import CaseBot

    return CaseBot(settings)


def _progress():
    """A progress callback drawing a bar on a terminal, silent otherwise."""
    from tqdm import tqdm

    state = {}

    def update(done: int, total: int):
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(total=total, unit="passage", desc="embedding", file=sys.stderr,
                                      disable=not sys.stderr.isatty(), leave=False)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


@click.group(cls=CaseBotGroup)
@click.version_option(package_name="casebot")
def main():
    """Cited answers from medical case reports."""


@main.command()
@click.argument("question")
@click.option("--k", type=click.IntRange(1, 50), help="Passages to retrieve [setting k].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (schema in README).")
@common
def ask(settings, question, k, as_json):
    """Answer QUESTION from the indexed case reports."""
    from . import store
    from .answer import render

    bot = _bot(settings)
    if store.current_generation(settings.index_dir) is None:
        click.echo(f"No index yet: building it from {settings.docs_dir} ...", err=True)
        _print_report(bot.update_index(progress=_progress()), as_json=False, err=True)
    else:
        pending = bot.pending_changes()
        if any(pending.values()):
            counts = ", ".join(f"{len(v)} {k}" for k, v in pending.items() if v)
            click.echo(f"note: {settings.docs_dir} changed since the index was built ({counts}): "
                       "run `casebot index update`", err=True)
    answer = bot.ask(question, k=k)
    click.echo(json.dumps(answer.to_dict(), ensure_ascii=False) if as_json else render(answer))


@main.command()
@click.option("--k", type=click.IntRange(1, 50), help="Passages to retrieve [setting k].")
@common
def chat(settings, k):
    """Ask questions interactively; follow-ups use the earlier turns. Empty line or Ctrl-D quits."""
    from .answer import render
    from .records import Turn

    bot, history = _bot(settings), []
    bot.retriever()  # load model and index before the first prompt
    while True:
        try:
            question = input("you> ").strip()
        except EOFError:
            break
        if not question:
            break
        answer = bot.ask(question, history=history, k=k)
        click.echo(render(answer) + "\n")
        history.append(Turn(question, answer.text))


@main.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--k", type=click.IntRange(1, 50), help="Passages per answer [setting k].")
@click.option("--json", "as_json", is_flag=True, help="One line per question: {id, ...ask object}.")
@click.option("--misses", is_flag=True, help="Also print a table of the questions that went wrong.")
@common
def evaluate(settings, file, k, as_json, misses):
    """Answer every question of FILE (JSON lines) and report retrieval and answer quality."""
    from . import evaluate as ev

    rows = ev.load_questions(file)
    outcomes = ev.run(_bot(settings), rows, k)
    if as_json:
        for o in outcomes:
            click.echo(json.dumps({"id": o.row["id"], **o.answer.to_dict()}, ensure_ascii=False))
        return
    summary = ev.summarise(outcomes)
    click.echo(" ".join(f"{key}={value}" for key, value in summary.items() if value is not None))
    if misses:
        for m in ev.misses(outcomes):
            click.echo(f"{m['id']:>6}  {m['problem']:<34} rank={m['rank']} conf={m['confidence']} "
                       f"top={','.join(m['top'])} terms=[{m['key_terms']}]  {m['question']}")


@main.group()
def index():
    """Build, inspect and repair the index."""


def _print_report(report, as_json: bool, err: bool = False):
    for r in report.rejected:
        click.echo(f"casebot: rejected {r['source']}: {r['reason']}", err=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    click.echo(f"index {report.generation}: embedded {report.chunks_embedded} passage(s)", err=err)
    for label in ("added", "changed", "removed", "unchanged", "duplicates", "rejected"):
        items = getattr(report, label)
        names = [i if isinstance(i, str) else i["source"] + (f" (duplicate of {i['duplicate_of']}: {i['reason']})"
                 if "duplicate_of" in i else f": {i['reason']}") for i in items]
        shown = names if label != "unchanged" or len(names) <= 5 else names[:5] + [f"... {len(names) - 5} more"]
        click.echo(f"  {label:<10} {len(items):>4}  " + "; ".join(shown), err=err)


@index.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@common
def update(settings, as_json):
    """Index new and changed papers, drop removed ones; only changes are embedded."""
    _print_report(_bot(settings).update_index(progress=_progress()), as_json)


@index.command()
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@common
def rebuild(settings, as_json):
    """Re-index everything from scratch; swapped in atomically at the end."""
    _print_report(_bot(settings).update_index(rebuild=True, progress=_progress()), as_json)


@index.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@common
def add(settings, paths, as_json):
    """Copy papers (files or folders) into the docs dir, then update."""
    from .ingest import sidecar_path

    settings.docs_dir.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.is_dir():
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                _copy(f, settings.docs_dir / path.name / f.relative_to(path))
        else:
            _copy(path, settings.docs_dir / path.name)
            if sidecar_path(path).exists():
                _copy(sidecar_path(path), settings.docs_dir / sidecar_path(path).name)
    _print_report(_bot(settings).update_index(progress=_progress()), as_json)


def _copy(src: Path, dest: Path):
    """Copy under a hidden name, then rename, so a concurrent update never sees half a file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.copying")
    shutil.copyfile(src, tmp)
    tmp.replace(dest)


@index.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@common
def remove(settings, names, as_json):
    """Delete papers (path relative to the docs dir, file name or stem) from the docs dir, then update."""
    from .indexer import scan
    from .ingest import sidecar_path

    files = scan(settings.docs_dir)
    for name in names:
        matches = [p for rel, p in files.items() if name in (rel, p.name, Path(rel).stem)]
        if len(matches) != 1:
            found = "no paper" if not matches else f"{len(matches)} papers"
            raise LookupError(f"{found} in {settings.docs_dir} named {name!r}: see `casebot index list`")
        matches[0].unlink()
        sidecar_path(matches[0]).unlink(missing_ok=True)
    _print_report(_bot(settings).update_index(progress=_progress()), as_json)


@index.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@common
def list_(settings, as_json):
    """Indexed papers with title, source, passages and date added."""
    from . import store

    snap = store.load_catalog(settings.index_dir)
    docs = [{"source": d.doc_id, "title": d.title, "chunks": d.chunks, "added": d.added_at, **{
        k: v for k, v in d.metadata.items() if v and k != "title"}} for d in snap.documents.values()]
    if as_json:
        click.echo(json.dumps(docs, ensure_ascii=False))
        return
    for d in sorted(docs, key=lambda d: d["source"]):
        click.echo(f"{d['source']}  [{d['chunks']} passages, added {d['added'][:10]}]\n    {d['title']}")
    click.echo(f"{len(docs)} paper(s), {sum(d['chunks'] for d in docs)} passage(s) in {snap.generation}")


@index.command()
@click.option("--json", "as_json", is_flag=True, help="Print {consistent, problems:[{problem, fix}]}.")
@common
def verify(settings, as_json):
    """Check the index against its manifest and the docs dir; exit 0 only when consistent."""
    from . import store
    from .embed import get_embedder
    from .indexer import expected_manifest, pending_changes

    dimension = get_embedder(settings.model, settings.offline, settings.batch_size).dimension
    problems = store.verify(settings.index_dir, expected_manifest(settings, dimension))
    if not problems:
        pending = pending_changes(store.load_catalog(settings.index_dir), settings.docs_dir)
        for kind, items in pending.items():
            if items:
                problems.append((f"{len(items)} {kind} file(s) in {settings.docs_dir} not reflected in the index: "
                                 + ", ".join(items[:5]), store.UPDATE))
    if as_json:
        click.echo(json.dumps({"consistent": not problems,
                               "problems": [{"problem": p, "fix": f} for p, f in problems]}))
    else:
        for problem, fix in problems:
            click.echo(f"problem: {problem} (repair: `{fix}`)")
        if not problems:
            click.echo(f"index {store.current_generation(settings.index_dir)} is consistent")
    sys.exit(1 if problems else 0)
