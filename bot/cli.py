"""The `casebot` command: a thin shell over bot.core.

Expected failures (CaseBotError) are one line on stderr, `casebot: error: … — fix: …`,
exit 1. Anything else is a bug: it keeps its traceback, after a line asking to report it.
"""

from __future__ import annotations

import filecmp
import functools
import json
import logging
import shutil
import sys
import time
from pathlib import Path
from typing import Any

import click

from .config import load_settings, load_settings_with_sources
from .errors import CaseBotError, IngestError, InputError, LockBusy

log = logging.getLogger("bot")
REPORT_BUG = "casebot: this is a bug, please report it with the traceback below"
FIRST_BUILD_WAIT = 900  # seconds `ask` waits for another process's first build (a big corpus takes minutes)


class CaseBotGroup(click.Group):
    """Turns CaseBotError into one line and exit 1; other exceptions are bugs and keep their traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CaseBotError as exc:
            if ctx.find_root().meta.get("casebot.debug"):
                raise
            click.echo(f"casebot: error: {exc.one_line()}", err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.ClickException, click.Abort):
            raise
        except Exception:
            click.echo(REPORT_BUG, err=True)
            raise


def common(fn):
    """--config / --docs-dir / --index-dir / --debug on every command, so they work after the command name."""

    @click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file [CASEBOT_CONFIG].")
    @click.option("--docs-dir", type=click.Path(path_type=Path), help="Papers to index [CASEBOT_DOCS_DIR].")
    @click.option("--index-dir", type=click.Path(path_type=Path), help="Where the index lives [CASEBOT_INDEX_DIR].")
    @click.option("--debug", is_flag=True, help="Verbose logging and full tracebacks.")
    @functools.wraps(fn)
    def wrapper(config_file, docs_dir, index_dir, debug, **kwargs):
        click.get_current_context().find_root().meta["casebot.debug"] = debug
        logging.basicConfig(
            level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
        )
        if not debug:  # a damaged PDF is reported once, as a rejected file; pypdf's own complaints are noise
            logging.getLogger("pypdf").setLevel(logging.ERROR)
        settings = load_settings(config_file, docs_dir=docs_dir, index_dir=index_dir)
        return fn(settings, **kwargs)

    return wrapper


def _bot(settings):
    from .core import CaseBot

    return CaseBot(settings)


def _progress():
    """A progress callback drawing a bar of papers read on a terminal (left in place when done), silent otherwise.

    Its size falls back to 80 × 24: tqdm draws nothing on a terminal that reports 0 × 0 (`script`, some CI consoles)."""
    from tqdm import tqdm

    state: dict[str, Any] = {}
    size = shutil.get_terminal_size((80, 24))  # the fallback where the terminal reports 0

    def update(done: int, total: int):
        bar = state.get("bar")
        if bar is None:
            bar = state["bar"] = tqdm(
                total=total,
                unit="paper",
                desc="indexing",
                file=sys.stderr,
                disable=not sys.stderr.isatty(),
                ncols=size.columns,
                nrows=size.lines,
            )
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


@click.group(cls=CaseBotGroup)
@click.version_option(package_name="casebot")
def main():
    """Cited answers from medical case reports."""


def _ready(bot, wait: float = FIRST_BUILD_WAIT) -> None:
    """Build the index when there is none (or wait for the process building it); warn on stderr
    when the docs dir changed since it was built, and once about rejected replacements."""
    if not _ensure_index(bot, wait):
        _notes(bot)


def _ensure_index(bot, wait: float) -> bool:
    """Build the index when there is none (or wait for the process building it); whether it had to."""
    from . import store

    if store.current_generation(bot.settings.index_dir) is None:
        _first_index(bot, bot.settings, wait)
        return True
    return False


def _notes(bot) -> None:
    """Warn on stderr when the docs dir changed since the index was built, and once about rejected replacements.

    `ask` says this after the answer: it scans the docs folder, which the answer does not need.
    """
    settings = bot.settings
    pending = bot.freshness()
    if not int(bot.retriever().snap.manifest["documents"]) and not any(pending.values()):
        click.echo(
            f"note: the index holds no papers: put PDFs, text or PubMed Central XML files in {settings.docs_dir}, "
            "then run `casebot index update`",
            err=True,
        )
    if folders := pending.pop("folders", None):
        shown = ", ".join(str(settings.docs_dir if f == "." else settings.docs_dir / f) for f in folders[:3])
        click.echo(
            f"note: files were added, removed or renamed in {shown}{' …' if len(folders) > 3 else ''} "
            "since the index was built: run `casebot index update`",
            err=True,
        )
    elif any(pending.values()):
        counts = ", ".join(f"{len(v)} {k}" for k, v in pending.items() if v)
        click.echo(
            f"note: {settings.docs_dir} changed since the index was built ({counts}): run `casebot index update`",
            err=True,
        )
    _note_bad_replacements_once(bot, settings)


@main.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--k", type=click.IntRange(1, 50), help="Passages to retrieve [setting k].")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (schema in README).")
@click.option(
    "--continue",
    "continue_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Answer as a follow-up in this saved conversation and append the turn to it (a missing file starts one).",
)
@click.option(
    "--wait",
    type=click.FloatRange(0),
    default=FIRST_BUILD_WAIT,
    show_default=True,
    help="Seconds to wait for another process building the first index.",
)
@common
def ask(settings, question, k, as_json, continue_file, wait):
    """Answer QUESTION from the indexed case reports (quotes around it are optional)."""
    from .conversation import Conversation
    from .present import SEARCHED_LIMIT, fit, plain

    question = " ".join(question)  # `casebot ask What dose was given?` is one question, not five arguments

    bot = _bot(settings)
    built = _ensure_index(bot, wait)
    conversation = None
    if continue_file is not None:
        max_turns = settings.conversation.max_turns
        conversation = (
            Conversation.load(continue_file, max_turns) if continue_file.exists() else Conversation(max_turns)
        )
    answer = bot.ask(question, k=k, conversation=conversation)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        if conversation is not None and answer.query != answer.question:
            click.echo(f"(searched: {fit(answer.query, SEARCHED_LIMIT)})")
        click.echo(plain(answer))
    if conversation is not None:
        conversation.save(continue_file)  # after the answer is shown: a failed save still shows it
    if not built:
        _notes(bot)


def _first_index(bot, settings, wait: float) -> None:
    """No index yet: build it, or wait for the process already building it."""
    from . import store

    deadline, told = time.monotonic() + wait, False
    while store.current_generation(settings.index_dir) is None:
        if store.writer_running(settings.index_dir):
            if not told:
                click.echo(
                    f"Another process is building the first index in {settings.index_dir}: "
                    f"waiting for it (up to {wait:g} s) ...",
                    err=True,
                )
                told = True
            if not store.wait_for_writer(settings.index_dir, max(0.0, deadline - time.monotonic())):
                raise LockBusy(
                    f"the first index is still being built after {wait:g} s", "try again later, or pass a longer --wait"
                )
            continue
        if store.generation_folders(settings.index_dir):
            # generations but no pointer: a first build that was interrupted, or CURRENT deleted by hand
            click.echo(
                f"The index in {settings.index_dir} names no current generation (its CURRENT file is missing): "
                f"building a new one from {settings.docs_dir} ...",
                err=True,
            )
        else:
            click.echo(f"No index yet: building it from {settings.docs_dir} ...", err=True)
        try:
            _print_report(bot.update_index(progress=_progress()), as_json=False, err=True)
        except LockBusy:
            continue  # another process started the build a moment ago: wait for it instead
        return


def _note_bad_replacements_once(bot, settings) -> None:
    """Say once per index generation (not on every ask) that a paper's replacement was rejected."""
    import platformdirs

    from .indexer import bad_replacements

    snap = bot.retriever().snap
    bad = bad_replacements(snap, settings.docs_dir)
    if not bad:
        return
    record = Path(platformdirs.user_state_dir("casebot")) / "noted.json"
    key = f"{settings.index_dir}:{snap.generation}"
    try:
        noted = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        noted = {}
    if noted.get(key) == sorted(bad):
        return
    for rel, reason in bad.items():
        click.echo(
            f"note: the replacement of {rel} was rejected ({reason}); answers quote the previous version "
            "until the file is fixed",
            err=True,
        )
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(json.dumps({key: sorted(bad)}), encoding="utf-8")
    except OSError:
        log.debug("cannot record the note in %s", record)


@main.command()
@click.option("--k", type=click.IntRange(1, 50), help="Passages to retrieve [setting k].")
@common
def chat(settings, k):
    """Ask questions interactively; follow-ups use the earlier turns. /help lists commands, Ctrl-D quits."""
    from .chat import run

    run(settings, k, _ready)


@main.command("discord")
@common
def discord_(settings):
    """Answer questions on Discord (token from DISCORD_TOKEN or .env; README, "Discord")."""
    from .discord_bot import StartError, run

    try:
        run(_bot(settings), announce=lambda line: click.echo(line, err=True))
    except StartError as exc:
        click.echo(f"casebot: error: {exc.one_line()}", err=True)
        sys.exit(exc.exit_code)


@main.command("config")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object {section: {key: {value, source}}}.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file [CASEBOT_CONFIG].")
def config_(as_json, config_file):
    """Print the effective settings, where each came from, and what it does."""
    from .config import describe, env_name

    settings, sources = load_settings_with_sources(config_file)
    rows = describe(settings, sources)
    if as_json:
        out: dict = {}
        for section, key, value, source, _ in rows:
            out.setdefault(section, {})[key] = {
                "value": value if isinstance(value, (int, float, bool, list)) or value is None else str(value),
                "source": source,
            }
        click.echo(json.dumps(out))
        return
    current = None
    for section, key, value, source, description in rows:
        if section != current:
            click.echo(f"[{section}]")
            current = section
        shown = json.dumps(value) if isinstance(value, (list, bool)) else str(value)
        click.echo(f"  {key} = {shown}    # from {source}; env {env_name(key)}: {description}")


@main.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--k", type=click.IntRange(1, 50), help="Passages per answer [setting k].")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One line per question: {id, ...ask object, rank, answer_hit, first_quote_hit, problem}; summary on stderr.",
)
@click.option("--misses", is_flag=True, help="Also print a table of the questions that went wrong.")
@common
def evaluate(settings, file, k, as_json, misses):
    """Answer every question of FILE (JSON lines) and report retrieval and answer quality."""
    from . import evaluate as ev

    rows = ev.load_questions(file)
    bot = _bot(settings)
    outcomes = ev.run(bot, rows, k)
    indexed = {Path(d).stem for d in bot.retriever().snap.documents}
    unknown = sorted({str(r["doc"]) for r in rows if r.get("doc") and str(r["doc"]) not in indexed})
    if unknown:  # counted as "evidence not retrieved": most likely a typo in the file
        click.echo(f"casebot: warning: {file} names papers that are not indexed: {', '.join(unknown)}", err=True)
    summary = ev.summarise(outcomes)
    shown = " ".join(f"{key}={value}" for key, value in summary.items() if value is not None)
    if as_json:
        for o in outcomes:
            scored = {"rank": o.rank, "answer_hit": o.answer_hit, "first_quote_hit": o.first_quote_hit}
            line = {"id": o.row["id"], **o.answer.to_dict(), **scored, "problem": ev.problem(o)}
            click.echo(json.dumps(line, ensure_ascii=False))
        click.echo(shown, err=True)
        return
    click.echo(shown)
    splits = sorted({str(o.row["split"]) for o in outcomes if "split" in o.row})
    for split in splits if len(splits) > 1 else []:
        part = ev.summarise([o for o in outcomes if str(o.row.get("split")) == split])
        click.echo(f"split={split} " + " ".join(f"{key}={value}" for key, value in part.items() if value is not None))
    if misses:
        for m in ev.misses(outcomes):
            click.echo(
                f"{m['id']:>6}  {m['problem']:<34} rank={m['rank']} conf={m['confidence']} "
                f"top={','.join(m['top'])}  {m['question']}"
            )


@main.group()
def index():
    """Build, inspect and repair the index."""


def _print_report(report, as_json: bool, err: bool = False, whole: bool = True):
    """The update's summary; rejected files and duplicates one a line, since their reasons hold "; " themselves.
    `whole` is False for `index add`, which reads only the papers added (so it counts no unchanged ones)."""
    from .present import visible

    for warning in report.warnings:
        click.echo(f"casebot: warning: {warning}", err=True)
    for r in report.rejected:
        click.echo(visible(f"casebot: rejected {r['source']}: {r['reason']}"), err=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False))
        return
    click.echo(f"index {report.generation}: embedded {report.chunks_embedded} passage(s)", err=err)
    for label in ("added", "changed", "removed", "unchanged", "duplicates", "rejected"):
        items = getattr(report, label)
        if label == "unchanged" and not whole:
            continue
        if label in ("duplicates", "rejected"):
            click.echo(f"  {label:<10} {len(items):>4}", err=err)
            for i in items:
                why = f"duplicate of {i['duplicate_of']}: {i['reason']}" if "duplicate_of" in i else i["reason"]
                click.echo(visible(f"    {i['source']}: {why}"), err=err)
            continue
        shown = items if label != "unchanged" or len(items) <= 5 else items[:5] + [f"... {len(items) - 5} more"]
        click.echo(f"  {label:<10} {len(items):>4}  " + visible("; ".join(shown)), err=err)


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
    """Check papers (files or folders), copy the accepted ones into the docs dir and index them.

    Only the papers added are read and indexed, whatever the size of the index; other
    changes in the docs dir wait for `casebot index update`.
    """
    from . import store
    from .files import copy_exclusive
    from .indexer import Indexer, display_name, folder_mtimes
    from .ingest import is_candidate

    indexer = Indexer(settings, _progress())
    copies, refused, duplicates = _plan_copies(settings, paths, indexer)  # Indexer.add checks duplicates again
    with store.writer_lock(settings.index_dir) as lock:
        before = folder_mtimes(settings.docs_dir, [dest for _, dest in copies])
        for src, dest in copies:
            copy_exclusive(src, dest)
        names = [
            display_name(dest.relative_to(settings.docs_dir).as_posix()) for _, dest in copies if is_candidate(dest)
        ]
        report = indexer.add(names, lock=lock, folders_before=before)
    report.rejected[:0] = refused
    report.duplicates[:0] = duplicates
    _print_report(report, as_json, whole=False)
    if report.rejected and not (report.added or report.changed or report.unchanged or report.duplicates):
        raise SystemExit(1)  # nothing of what was asked got in: a script must not take it for success


def _plan_copies(settings, paths: list[Path], indexer) -> tuple[list[tuple[Path, Path]], list[dict], list[dict]]:
    """(source, destination) of every accepted paper and sidecar; a report row for every file
    refused, and one for every duplicate of an indexed paper (neither is copied).

    Destinations are checked to lie inside the docs dir before anything is written.
    """
    from . import store
    from .files import inside, is_inside
    from .indexer import duplicate_of, expected_manifest
    from .ingest import is_candidate, sidecar_path

    try:
        snap = store.load(settings.index_dir, expected_manifest(settings))
    except CaseBotError:
        snap = None  # no usable index: the update that follows finds duplicates among the new files

    docs = settings.docs_dir
    docs.mkdir(parents=True, exist_ok=True)
    wanted: list[tuple[Path, Path, Path, bool]] = []  # (source, its root, destination, follow links)
    for path in paths:
        if ".." in path.parts:
            raise InputError(
                f"refusing {path}: a path through '..' could land outside {docs}", "name the file or folder itself"
            )
        if path.is_dir():
            top = path.resolve()
            for f in sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and is_candidate(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ):
                wanted.append((f, path, docs / top.name / f.relative_to(path), False))
        else:
            wanted.append((path, path.parent, docs / path.name, True))
    copies: list[tuple[Path, Path]] = []
    refused, duplicates = [], []
    for src, root, dest, follow in wanted:
        inside(dest, docs, "target")
        pair = [(src, dest)]
        if sidecar_path(src).is_file():
            pair.append((sidecar_path(src), inside(sidecar_path(dest), docs, "target")))
        try:
            if not follow and not is_inside(src, root):
                raise IngestError(f"a link to {src.resolve()}, outside {root}; add the file itself")
            for source, target in pair:
                _refuse_overwrite(source, target, {d for _, d in copies}, docs)
            doc = indexer.read(src, root, follow_symlinks=follow)[0]
        except IngestError as exc:
            refused.append({"source": str(src), "reason": f"not copied into {docs}: {exc}"})
            continue
        same = snap and duplicate_of(snap, doc, dest.relative_to(docs).as_posix())
        if same:  # the docs folder holds the paper already: a second copy would only be reported again
            duplicates.append({"source": str(src), **same, "reason": f"{same['reason']}; not copied"})
            continue
        copies += pair
    return copies, refused, duplicates


def _refuse_overwrite(src: Path, dest: Path, planned: set[Path], docs: Path) -> None:
    """IngestError when copying `src` to `dest` would replace another paper (or another file of
    this command): `index add` adds papers, it never loses one. The same bytes again are no loss."""
    from .files import is_link

    if dest in planned:
        raise IngestError(f"another file of this command is copied to {dest.relative_to(docs)} too; add them apart")
    if is_link(dest) or (dest.exists() and not (dest.is_file() and filecmp.cmp(src, dest, shallow=False))):
        raise IngestError(
            f"{dest.relative_to(docs)} exists already with other content; to replace it, remove it first "
            f"(`casebot index remove {dest.relative_to(docs).as_posix()}`), or rename the new file"
        )


@index.command()
@click.argument("names", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@common
def remove(settings, names, yes, as_json):
    """Move papers (path relative to the docs dir, file name or stem) to the index's trash, then update.

    `casebot index restore NAME` brings one back.
    """
    from . import store, trash
    from .indexer import Indexer

    if not yes and sys.stdin.isatty():
        shown = ", ".join(p.relative_to(settings.docs_dir).as_posix() for p in _matching(settings, names))
        click.confirm(f"Remove {shown} from {settings.docs_dir} (kept in the index's trash)?", abort=True)
    with store.writer_lock(settings.index_dir) as lock:  # before any file is touched
        papers = _matching(settings, names)
        folder = trash.put(lock, settings.docs_dir, papers)
        report = Indexer(settings, _progress()).update(lock=lock)
    _print_report(report, as_json)
    click.echo(f"moved to {folder}; undo with `casebot index restore NAME`", err=True)


def _matching(settings, names: tuple[str, ...]) -> list[Path]:
    """The one docs file each name means (path relative to the docs dir, file name or stem)."""
    from .indexer import scan

    files, out = scan(settings.docs_dir), []
    for name in names:
        matches = [p for rel, p in files.items() if name in (rel, p.name, Path(rel).stem)]
        if len(matches) != 1:
            found = "no paper" if not matches else f"{len(matches)} papers"
            raise InputError(f"{found} in {settings.docs_dir} named {name!r}", "see `casebot index list`")
        out.append(matches[0])
    return out


@index.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@common
def restore(settings, name, as_json):
    """Move a paper removed with `index remove` back into the docs dir, then update."""
    from . import store, trash
    from .indexer import Indexer

    with store.writer_lock(settings.index_dir) as lock:
        found = trash.find(settings.index_dir, name)
        if not found:
            raise InputError(
                f"no removed paper named {name!r} in the trash of {settings.index_dir}",
                f"removed papers are kept for {trash.KEEP_GENERATIONS} updates; see {settings.index_dir / trash.TRASH}",
            )
        if len({item.rel for item in found}) > 1:
            raise InputError(
                f"{name!r} matches {len({i.rel for i in found})} removed papers",
                "name it by its path in the docs dir: " + ", ".join(sorted({i.rel for i in found})),
            )
        dest = trash.restore(lock, settings.docs_dir, found[0])
        report = Indexer(settings, _progress()).update(lock=lock)
    _print_report(report, as_json)
    click.echo(f"restored {dest}", err=True)


@index.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@common
def list_(settings, as_json):
    """Indexed papers with title, source, passages and date added."""
    from . import store
    from .present import visible

    snap = store.load_catalog(settings.index_dir)
    docs = [
        {
            "source": d.doc_id,
            "title": d.title,
            "chunks": d.chunks,
            "added": d.added_at,
            **{k: v for k, v in d.metadata.items() if v and k != "title"},
        }
        for d in snap.documents.values()
    ]
    if as_json:
        click.echo(json.dumps(docs, ensure_ascii=False))
        return
    for d in sorted(docs, key=lambda d: d["source"]):
        passages = f"{d['chunks']} passage{'' if d['chunks'] == 1 else 's'}"
        click.echo(visible(f"{d['source']}  [{passages}, added {d['added'][:10]}]\n    {d['title']}"))
    click.echo(f"{len(docs)} paper(s), {sum(d['chunks'] for d in docs)} passage(s) in {snap.generation}")


@index.command()
@click.option("--json", "as_json", is_flag=True, help="Print {consistent, problems:[{problem, fix}]}.")
@common
def verify(settings, as_json):
    """Check the index against its manifest and the docs dir; exit 0 only when consistent."""
    from . import store
    from .embed import get_embedder
    from .indexer import bad_replacements, expected_manifest, pending_changes

    m = settings.model
    dimension = get_embedder(m.model, m.offline, m.batch_size).dimension
    problems = store.verify(settings.index_dir, expected_manifest(settings, dimension))
    warnings = []
    if not problems:
        catalog = store.load_catalog(settings.index_dir)
        pending = pending_changes(catalog, settings.docs_dir)
        for kind, items in pending.items():
            if items:
                problems.append(
                    (
                        f"{len(items)} {kind} file(s) in {settings.docs_dir} not reflected in the index: "
                        + ", ".join(items[:5]),
                        store.UPDATE,
                    )
                )
        warnings = [
            f"a bad replacement of {rel} is waiting ({reason}); the previous good version is served"
            for rel, reason in bad_replacements(catalog, settings.docs_dir).items()
        ]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "consistent": not problems,
                    "warnings": warnings,
                    "problems": [{"problem": p, "fix": f} for p, f in problems],
                }
            )
        )
    else:
        for warning in warnings:
            click.echo(f"warning: {warning} (fix the file, then `casebot index update`)")
        for problem, fix in problems:
            click.echo(f"problem: {problem} (repair: `{fix}`)")
        if not problems:
            click.echo(f"index {store.current_generation(settings.index_dir)} is consistent")
    sys.exit(1 if problems else 0)
