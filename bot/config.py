"""One typed settings object, loaded in one place: defaults < TOML < env vars < command line.

Sections mirror the TOML file (`[retrieval]`, `[answer]`, `[discord]`, …) and every
field is typed, described and range-checked by pydantic. Each field keeps the flat
environment name it always had (`CASEBOT_K`, `CASEBOT_DOCS_DIR`), so field names are
unique across sections. A bad value, wherever it comes from, is one line naming the
setting, the value, where it came from and what is allowed.

Where the config comes from: `--config` / `CASEBOT_CONFIG`, else `config/casebot.toml`
under the working directory (a project checkout), else `casebot.toml` in the user
config directory; the packaged `bot/data/casebot.toml` always supplies the defaults
underneath. Relative paths resolve against the working directory; with no paths set
at all, papers and index live in the user data directory (platformdirs).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from .errors import ConfigError

PACKAGED_CONFIG = Path(__file__).with_name("data") / "casebot.toml"
PROJECT_CONFIG = Path("config") / "casebot.toml"  # relative to the working directory
ENV_PREFIX = "CASEBOT_"


def user_dir(kind: Literal["data", "config", "cache"]) -> Path:
    import platformdirs

    where = {
        "data": platformdirs.user_data_dir,
        "config": platformdirs.user_config_dir,
        "cache": platformdirs.user_cache_dir,
    }[kind]
    return Path(where("casebot"))


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class PathSettings(Section):
    docs_dir: Path | None = Field(None, description="The papers to index (unset: <user data dir>/docs).")
    index_dir: Path | None = Field(None, description="Where the built index lives (unset: <user data dir>/index).")
    cache_dir: Path | None = Field(
        None,
        description="Files derived from the model and its word lists and kept between runs: "
        "the ONNX query encoder and wordfreq's English list (unset: the user cache dir).",
    )


class ModelSettings(Section):
    model: str = Field(
        "sentence-transformers/all-MiniLM-L6-v2", min_length=1, description="Any sentence-transformers name or path."
    )
    offline: bool = Field(True, description="Set HF_HUB_OFFLINE=1: never download at run time.")
    batch_size: int = Field(32, ge=1, le=1024, description="Passages per model call when indexing.")
    query_encoder: Literal["auto", "onnx", "torch"] = Field(
        "auto",
        description="How questions are embedded: the lean ONNX encoder when it matches the index (auto), "
        "always ONNX, or always sentence-transformers.",
    )


class ChunkingSettings(Section):
    chunk_tokens: int = Field(160, ge=32, le=256, description="Target passage size in the embedder's word pieces.")
    overlap_sentences: int = Field(1, ge=0, le=5, description="Sentences repeated between neighbouring passages.")


class IngestSettings(Section):
    max_file_mb: float = Field(25.0, gt=0, le=1024, description="Larger files are rejected (in MiB, 2**20 bytes).")
    max_passages_per_file: int = Field(
        2000, ge=1, le=1_000_000, description="A file that would make more passages is rejected."
    )
    max_passage_chars: int = Field(
        4000, ge=200, le=100_000, description="Longer passages are split at word boundaries."
    )
    max_nonprose_share: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Reject a file when more of its text than this is not prose "
        "(long runs without spaces, base64, number tables).",
    )
    follow_symlinks: bool = Field(False, description="Index docs entries that link outside the docs folder.")


class RetrievalSettings(Section):
    k: int = Field(5, ge=1, le=50, description="Passages returned.")
    candidates: int = Field(40, ge=1, le=1000, description="Candidates per retriever, before fusion and reranking.")
    rrf_k: int = Field(60, ge=1, le=1000, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(1.0, ge=0, le=10, description="Weight of the dense ranking in fusion.")
    lexical_weight: float = Field(1.0, ge=0, le=10, description="Weight of the BM25 ranking in fusion.")
    per_doc_limit: int = Field(
        3, ge=1, le=50, description="Passages of one paper in the top k while others are relevant."
    )
    question_adapter: str = Field(
        "packaged",
        min_length=1,
        description="A learned map of question vectors that ranks a paper's answering sentence above its "
        "neighbours: packaged (fit for all-MiniLM-L6-v2; unused with another model), off, or the path "
        "of a file bench/fit_adapter.py wrote.",
    )


class AnswerSettings(Section):
    max_sentences: int = Field(3, ge=1, le=4, description="Quoted sentences in an answer.")
    abstain_below: float = Field(
        0.15, ge=0, le=1, description="Confidence under which the bot says it found no answer."
    )
    max_question_words: int = Field(300, ge=1, le=5000, description="Longer questions are refused.")
    rerank: bool = Field(
        True,
        description="Let the shipped cross-encoder put first a sentence of the same paper it is much surer answers.",
    )


class ConversationSettings(Section):
    max_turns: int = Field(8, ge=1, le=100, description="Earlier turns a conversation keeps as context.")


class DiscordSettings(Section):
    maintainer_role_ids: list[int] = Field(default_factory=list, description="Roles allowed to run /reindex.")
    maintainer_user_ids: list[int] = Field(default_factory=list, description="Users allowed to run /reindex.")
    allowed_guild_ids: list[int] = Field(default_factory=list, description="Only these servers (empty: any).")
    allowed_channel_ids: list[int] = Field(default_factory=list, description="Only these channels (empty: any).")
    allowed_role_ids: list[int] = Field(
        default_factory=list, description="Only members with one of these roles (empty: anyone)."
    )
    sync_guild_ids: list[int] = Field(
        default_factory=list, description="Sync slash commands to these servers (instant); empty: globally."
    )
    rate_limit_questions: int = Field(5, ge=1, le=1000, description="Questions one user may ask per window.")
    rate_limit_seconds: float = Field(60.0, gt=0, le=86400, description="The rate-limit window.")
    max_question_chars: int = Field(1000, ge=1, le=4000, description="Longer Discord questions are refused.")
    guild_ready_timeout: float = Field(2.0, ge=0, le=60, description="Seconds to wait for guilds after login.")
    connect_timeout: float = Field(30.0, gt=0, le=300, description="Give up when Discord does not answer within this.")


class Settings(BaseSettings):
    """Every setting of casebot. Build it with `load_settings`; it is immutable."""

    model_config = SettingsConfigDict(extra="forbid", frozen=True)

    paths: PathSettings = PathSettings()
    model: ModelSettings = ModelSettings()
    chunking: ChunkingSettings = ChunkingSettings()
    ingest: IngestSettings = IngestSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    answer: AnswerSettings = AnswerSettings()
    conversation: ConversationSettings = ConversationSettings()
    discord: DiscordSettings = DiscordSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # load_settings merges TOML, env and CLI itself, so it can say where each came from

    @model_validator(mode="after")
    def _candidates_cover_k(self) -> Settings:
        if self.retrieval.candidates < self.retrieval.k:
            raise ValueError(f"candidates ({self.retrieval.candidates}) must be at least k ({self.retrieval.k})")
        return self

    @property
    def docs_dir(self) -> Path:
        assert self.paths.docs_dir is not None, "load_settings resolves the paths"
        return self.paths.docs_dir

    @property
    def index_dir(self) -> Path:
        assert self.paths.index_dir is not None, "load_settings resolves the paths"
        return self.paths.index_dir

    @property
    def cache_dir(self) -> Path:
        assert self.paths.cache_dir is not None, "load_settings resolves the paths"
        return self.paths.cache_dir


SECTIONS: dict[str, type[Section]] = {name: type(getattr(Settings(), name)) for name in Settings.model_fields}
FIELD_SECTION: dict[str, str] = {key: section for section, model in SECTIONS.items() for key in model.model_fields}
assert len(FIELD_SECTION) == sum(len(m.model_fields) for m in SECTIONS.values()), "setting names must be unique"


def env_name(key: str) -> str:
    return ENV_PREFIX + key.upper()


def _is_list(key: str) -> bool:
    return str(SECTIONS[FIELD_SECTION[key]].model_fields[key].annotation).startswith("list")


def config_path(env: Mapping[str, str], config_file: Path | None = None) -> Path | None:
    """The config file in force (None: packaged defaults only)."""
    named = env.get("CASEBOT_CONFIG") or config_file
    if named:
        path = Path(named).expanduser()
        if not path.is_file():
            raise ConfigError(f"config file {path} does not exist", "create it, or drop --config / CASEBOT_CONFIG")
        return path
    for candidate in (Path.cwd() / PROJECT_CONFIG, user_dir("config") / "casebot.toml"):
        if candidate.is_file():
            return candidate
    return None


def _read_toml(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})", f"correct {path}") from None
    out: dict[str, dict[str, Any]] = {}
    for section, values in data.items():
        if section in FIELD_SECTION and not isinstance(values, dict):  # `k = 5` at the top, outside any section
            raise ConfigError(
                f"{path}: setting {section!r} is outside a section", f"move it under [{FIELD_SECTION[section]}]"
            )
        if section not in SECTIONS or not isinstance(values, dict):
            raise ConfigError(
                f"{path}: unknown section [{section}]", f"use one of {', '.join('[' + s + ']' for s in SECTIONS)}"
            )
        for key, value in values.items():
            if FIELD_SECTION.get(key) != section:
                where = f" (it belongs in [{FIELD_SECTION[key]}])" if key in FIELD_SECTION else ""
                raise ConfigError(f"{path}: unknown setting {key!r} in [{section}]{where}", f"correct {path}")
            out.setdefault(section, {})[key] = value
    return out


def load_settings(config_file: Path | None = None, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read the packaged defaults, the config file, CASEBOT_* env vars, then overrides (None: not given)."""
    settings, _ = load_settings_with_sources(config_file, env, **overrides)
    return settings


def load_settings_with_sources(
    config_file: Path | None = None, env: Mapping[str, str] | None = None, **overrides: Any
) -> tuple[Settings, dict[str, str]]:
    """The settings and, for each field, where its value came from."""
    env = os.environ if env is None else env
    values: dict[str, dict[str, Any]] = {}
    sources: dict[str, str] = {key: "default" for key in FIELD_SECTION}
    files = [PACKAGED_CONFIG] + [p for p in [config_path(env, config_file)] if p]
    for path in files:
        for section, items in _read_toml(path).items():
            values.setdefault(section, {}).update(items)
            sources.update({key: str(path) if path != PACKAGED_CONFIG else "default" for key in items})
    for key, section in FIELD_SECTION.items():
        raw = env.get(env_name(key))
        if raw is not None and raw.strip() != "":
            values.setdefault(section, {})[key] = [v for v in raw.replace(",", " ").split()] if _is_list(key) else raw
            sources[key] = env_name(key)
    for key, value in overrides.items():
        if value is None:
            continue
        if key not in FIELD_SECTION:
            raise TypeError(f"unknown setting {key!r}")  # a programming error, not a user's
        values.setdefault(FIELD_SECTION[key], {})[key] = value
        sources[key] = "command line"
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        raise _config_error(exc, values, sources) from None
    return _resolve_paths(settings), sources


def _config_error(exc: ValidationError, values: dict[str, dict[str, Any]], sources: dict[str, str]) -> ConfigError:
    """The first problem as one line: which setting, which value, from where, and what is allowed."""
    error = exc.errors()[0]
    loc = [str(part) for part in error["loc"]]
    key = next((part for part in reversed(loc) if part in FIELD_SECTION), None)
    if key is None:
        return ConfigError(f"settings: {error['msg'].removeprefix('Value error, ')}")
    value = values.get(FIELD_SECTION[key], {}).get(key)
    field = SECTIONS[FIELD_SECTION[key]].model_fields[key]
    allowed = _allowed(field) or error["msg"]
    source = sources.get(key, "default")
    where = {"command line": "on the command line", "default": "by default"}.get(source, f"in {source}")
    return ConfigError(
        f"setting {key} = {value!r} ({where}) is not allowed: {allowed}",
        f"set {key} in [{FIELD_SECTION[key]}] or {env_name(key)} to an allowed value",
    )


def _allowed(field: Any) -> str:
    bounds = {type(m).__name__: m for m in field.metadata}
    kind = {"int": "whole number", "float": "number"}.get(getattr(field.annotation, "__name__", ""), "value")
    parts = []
    for name, sign in (("Ge", ">="), ("Gt", ">"), ("Le", "<="), ("Lt", "<")):
        if name in bounds:
            limit = bounds[name]
            parts.append(f"{sign} {getattr(limit, name.lower())}")
    if parts:
        return f"a {kind} {' and '.join(parts)}"
    return ""


def _resolve_paths(settings: Settings) -> Settings:
    """Relative paths against the working directory; unset ones in the user data directory."""
    docs = settings.paths.docs_dir or user_dir("data") / "docs"
    index = settings.paths.index_dir or user_dir("data") / "index"
    cache = settings.paths.cache_dir or user_dir("cache")
    paths = PathSettings(
        docs_dir=docs.expanduser().resolve(),
        index_dir=index.expanduser().resolve(),
        cache_dir=cache.expanduser().resolve(),
    )
    return settings.model_copy(update={"paths": paths})


def describe(settings: Settings, sources: dict[str, str]) -> list[tuple[str, str, Any, str, str]]:
    """(section, key, value, source, description) for every setting: what `casebot config` prints."""
    rows = []
    for section, model in SECTIONS.items():
        current = getattr(settings, section)
        for key, field in model.model_fields.items():
            rows.append((section, key, getattr(current, key), sources.get(key, "default"), field.description or ""))
    return rows
