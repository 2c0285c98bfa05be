"""casebot as a user installs it: a real (non-editable) wheel, used from a folder that is not the repository.

The wheel is built from this checkout and installed without dependencies into a fresh
venv that borrows the project venv's packages (a .pth line), so the test checks
casebot's own packaging (package data, no paths into the source tree) in seconds
rather than reinstalling torch.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, write_pdf

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A venv holding only the casebot wheel (dependencies visible through a .pth file); its bin dir."""
    base = tmp_path_factory.mktemp("pkg")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(base / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert "BuildBackendWarning" not in built.stderr.decode()  # every folder of package data is declared
    wheel = next((base / "dist").glob("casebot-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(base / "venv")], check=True, timeout=120)
    purelib = next((base / "venv" / "lib").glob("python3*/site-packages"))
    (purelib / "project_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(base / "venv" / "bin" / "python"),
            "install",
            "--quiet",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return base / "venv" / "bin"


def test_wheel_installs_and_answers_from_another_directory(installed, tmp_path):
    work = tmp_path / "somewhere-else"
    work.mkdir()
    paper = write_pdf(
        work / "scurvy.pdf",
        [
            "Scurvy in a man living on tea and toast\n\nCase presentation\n\n"
            "A 52-year-old man presented with perifollicular haemorrhages and bleeding gums.\n"
            "His plasma ascorbic acid was undetectable.\n"
            "Oral vitamin C 1 g daily healed the gums within three weeks."
        ],
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CASEBOT_", "PYTHON"))}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))

    def casebot(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(installed / "casebot"), *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )

    imported = subprocess.run(
        [str(installed / "python"), "-c", "import bot; print(bot.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "site-packages" in imported and str(ROOT) not in imported  # the installed copy, not the checkout

    added = casebot("index", "add", str(paper))
    assert added.returncode == 0, added.stderr
    assert (tmp_path / "data" / "casebot" / "docs" / "scurvy.pdf").is_file()  # in the user data dir
    assert (tmp_path / "data" / "casebot" / "index" / "CURRENT").is_file()
    answer = casebot("ask", "What dose of vitamin C was given?")
    assert answer.returncode == 0, answer.stderr
    assert "1 g daily" in answer.stdout and "Scurvy in a man" in answer.stdout
    assert "BuildBackendWarning" not in added.stderr + answer.stderr
    assert "reranker is not used" not in answer.stderr  # bot/data/reranker is in the wheel, and loads
    assert not list(Path(imported).parent.parent.glob("index"))  # nothing written inside site-packages
