"""One typed settings object, loaded in one place: TOML defaults < env vars < explicit overrides."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "casebot.toml"
ENV_PREFIX = "CASEBOT_"


class ConfigError(ValueError):
    """A setting has a value casebot cannot use."""


@dataclass(frozen=True)
class Settings:
    docs_dir: Path = PROJECT_ROOT / "docs_src"
    index_dir: Path = PROJECT_ROOT / "index"
    model: str = "sentence-transformers/all-MiniLM-L6-v2"
    offline: bool = True
    batch_size: int = 32
    chunk_tokens: int = 160
    overlap_sentences: int = 1
    max_file_mb: float = 25.0
    k: int = 5
    candidates: int = 40
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    per_doc_limit: int = 3
    max_sentences: int = 3
    abstain_below: float = 0.26

    def with_overrides(self, **overrides) -> "Settings":
        """Explicit overrides (CLI options); None means 'not given'."""
        given = {k: v for k, v in overrides.items() if v is not None}
        for key in ("docs_dir", "index_dir"):
            if key in given:
                given[key] = Path(given[key]).expanduser().resolve()
        return replace(self, **given)


def _coerce(name: str, value, kind: type, source: str):
    try:
        if kind is bool and isinstance(value, str):
            if value.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(value)
            return value.lower() in {"1", "true", "yes"}
        return kind(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{source}: {name} = {value!r} is not a valid {kind.__name__}") from None


def load_settings(config_file: Path | None = None, env: dict[str, str] | None = None, **overrides) -> Settings:
    """Read the TOML file (sections are only for readability), then CASEBOT_* env vars, then overrides."""
    env = os.environ if env is None else env
    path = Path(env.get("CASEBOT_CONFIG") or config_file or DEFAULT_CONFIG)
    kinds = {f.name: (Path if f.name.endswith("_dir") else type(f.default)) for f in fields(Settings)}
    values: dict = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        base = path.resolve().parent.parent
        for section in data.values():
            for key, value in (section.items() if isinstance(section, dict) else ()):
                if key not in kinds:
                    raise ConfigError(f"{path}: unknown setting {key!r}")
                value = _coerce(key, value, kinds[key], str(path))
                values[key] = (base / value).resolve() if kinds[key] is Path else value
    elif config_file or env.get("CASEBOT_CONFIG"):
        raise ConfigError(f"config file {path} does not exist")
    for key, kind in kinds.items():
        raw = env.get(ENV_PREFIX + key.upper())
        if raw is not None and raw != "":
            value = _coerce(key, raw, kind, ENV_PREFIX + key.upper())
            values[key] = Path(value).expanduser().resolve() if kind is Path else value
    settings = Settings(**values).with_overrides(**overrides)
    if not 1 <= settings.max_sentences <= 4:
        raise ConfigError(f"max_sentences must be 1 to 4, not {settings.max_sentences}")
    return settings
