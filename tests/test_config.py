"""One settings object: packaged defaults < TOML < CASEBOT_* environment < command line,
typed and range-checked, every bad value refused with one line that names it."""

import tomllib

import pytest
from click.testing import CliRunner

from bot.cli import main as cli_main
from bot.config import FIELD_SECTION, PACKAGED_CONFIG, SECTIONS, ConfigError, Settings, load_settings


def test_the_packaged_toml_states_the_code_defaults():
    data = tomllib.loads(PACKAGED_CONFIG.read_text())
    assert set(data) == set(SECTIONS)
    code = Settings()
    for section, values in data.items():
        for key, value in values.items():
            assert getattr(getattr(code, section), key) == value, key
    # every setting is in the file, except the paths left unset on purpose
    assert {k for v in data.values() for k in v} == set(FIELD_SECTION) - {"docs_dir", "index_dir", "cache_dir"}


def test_environment_overrides_toml_and_options_override_environment(tmp_path):
    env = {"CASEBOT_DOCS_DIR": str(tmp_path / "papers"), "CASEBOT_K": "7", "CASEBOT_OFFLINE": "true"}
    s = load_settings(env=env)
    assert s.docs_dir == tmp_path / "papers" and s.retrieval.k == 7 and s.model.offline is True
    s = load_settings(env=env, docs_dir=tmp_path / "other", k=3)
    assert s.docs_dir == tmp_path / "other" and s.retrieval.k == 3


@pytest.mark.parametrize(
    "env, named, allowed",
    [
        ({"CASEBOT_K": "0"}, "k = '0'", ">= 1 and <= 50"),  # crashed with "max() arg is an empty sequence"
        ({"CASEBOT_K": "-3"}, "k = '-3'", ">= 1"),  # returned 8 passages
        ({"CASEBOT_K": "many"}, "k = 'many'", "whole number"),
        ({"CASEBOT_CANDIDATES": "0"}, "candidates = '0'", ">= 1"),
        ({"CASEBOT_ABSTAIN_BELOW": "7"}, "abstain_below = '7'", "<= 1"),
        ({"CASEBOT_CHUNK_TOKENS": "5000"}, "chunk_tokens = '5000'", "<= 256"),
        ({"CASEBOT_BATCH_SIZE": "0"}, "batch_size = '0'", ">= 1"),
        ({"CASEBOT_MAX_FILE_MB": "-1"}, "max_file_mb = '-1'", "> 0"),
        ({"CASEBOT_OFFLINE": "maybe"}, "offline = 'maybe'", "boolean"),
        ({"CASEBOT_QUERY_ENCODER": "gpu"}, "query_encoder = 'gpu'", "'auto', 'onnx' or 'torch'"),
        ({"CASEBOT_ALLOWED_GUILD_IDS": "12,abc"}, "allowed_guild_ids", "integer"),
    ],
)
def test_every_bad_value_is_one_line_naming_setting_value_source_and_range(env, named, allowed):
    with pytest.raises(ConfigError) as exc:
        load_settings(env=env)
    line = exc.value.one_line()
    assert "\n" not in line
    assert named in line and allowed in line and next(iter(env)) in line


def test_candidates_must_cover_k():
    with pytest.raises(ConfigError, match=r"candidates \(5\) must be at least k \(10\)"):
        load_settings(env={"CASEBOT_K": "10", "CASEBOT_CANDIDATES": "5"})


def test_bad_toml_is_named_with_its_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[retrieval]\nkk = 3\n")
    with pytest.raises(ConfigError, match="unknown setting 'kk'"):
        load_settings(env={"CASEBOT_CONFIG": str(bad)})
    bad.write_text("[answer]\nk = 3\n")
    with pytest.raises(ConfigError, match=r"belongs in \[retrieval\]"):
        load_settings(env={"CASEBOT_CONFIG": str(bad)})
    bad.write_text("k = 3\n")  # a user review: this was "unknown section [k]"
    with pytest.raises(ConfigError, match=r"setting 'k' is outside a section") as outside:
        load_settings(env={"CASEBOT_CONFIG": str(bad)})
    assert outside.value.fix == "move it under [retrieval]"
    bad.write_text("[retrieval]\nk = 300\n")
    with pytest.raises(ConfigError, match=f"k = 300 \\(in {bad}\\)"):
        load_settings(env={"CASEBOT_CONFIG": str(bad)})


def test_lists_come_from_toml_or_comma_separated_env(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[discord]\nmaintainer_role_ids = [11, 12]\n")
    s = load_settings(env={"CASEBOT_CONFIG": str(cfg), "CASEBOT_ALLOWED_GUILD_IDS": "1, 2"})
    assert s.discord.maintainer_role_ids == [11, 12] and s.discord.allowed_guild_ids == [1, 2]


def test_relative_paths_resolve_against_the_working_directory(tmp_path, monkeypatch):
    cfg = tmp_path / "elsewhere.toml"
    cfg.write_text('[paths]\ndocs_dir = "papers"\n')
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={"CASEBOT_CONFIG": str(cfg)})
    assert s.docs_dir == (tmp_path / "papers").resolve()


def test_without_a_project_config_papers_and_index_live_in_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config/casebot.toml here
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    s = load_settings(env={})
    assert s.docs_dir == tmp_path / "data" / "casebot" / "docs"
    assert s.index_dir == tmp_path / "data" / "casebot" / "index"


def test_casebot_config_prints_each_setting_with_its_source(monkeypatch):
    monkeypatch.setenv("CASEBOT_K", "9")
    out = CliRunner().invoke(cli_main, ["config"]).output
    assert "[retrieval]" in out and "k = 9    # from CASEBOT_K" in out
    assert "abstain_below = 0.15    # from default" in out
    result = CliRunner().invoke(cli_main, ["config"], env={"CASEBOT_K": "0"})
    assert result.exit_code == 1 and "casebot: error: setting k = '0' (in CASEBOT_K)" in result.output
