"""One settings object: TOML defaults, CASEBOT_* environment overrides, then explicit options."""
import dataclasses
import tomllib
from pathlib import Path

import pytest

from bot.config import DEFAULT_CONFIG, PROJECT_ROOT, ConfigError, Settings, load_settings


def test_the_shipped_toml_states_the_code_defaults():
    flat = {k: v for section in tomllib.loads(DEFAULT_CONFIG.read_text()).values() for k, v in section.items()}
    defaults = {f.name: f.default for f in dataclasses.fields(Settings)}
    assert set(flat) == set(defaults)
    for key, value in flat.items():
        expected = (PROJECT_ROOT / value).resolve() if key.endswith("_dir") else value
        assert defaults[key] == expected, key


def test_environment_overrides_toml_and_options_override_environment(tmp_path):
    env = {"CASEBOT_DOCS_DIR": str(tmp_path / "papers"), "CASEBOT_K": "7", "CASEBOT_OFFLINE": "true"}
    s = load_settings(env=env)
    assert s.docs_dir == tmp_path / "papers" and s.k == 7 and s.offline is True
    s = load_settings(env=env, docs_dir=tmp_path / "other", k=3)
    assert s.docs_dir == tmp_path / "other" and s.k == 3


def test_bad_values_fail_with_the_setting_named(tmp_path):
    with pytest.raises(ConfigError, match="CASEBOT_K"):
        load_settings(env={"CASEBOT_K": "many"})
    bad = tmp_path / "bad.toml"
    bad.write_text('[retrieval]\nkk = 3\n')
    with pytest.raises(ConfigError, match="unknown setting 'kk'"):
        load_settings(env={"CASEBOT_CONFIG": str(bad)})


def test_relative_paths_in_a_config_file_resolve_against_its_project(tmp_path):
    (tmp_path / "config").mkdir()
    cfg = tmp_path / "config" / "casebot.toml"
    cfg.write_text('[paths]\ndocs_dir = "papers"\n')
    assert load_settings(env={"CASEBOT_CONFIG": str(cfg)}).docs_dir == (tmp_path / "papers").resolve()
    assert isinstance(load_settings(env={}).index_dir, Path)
