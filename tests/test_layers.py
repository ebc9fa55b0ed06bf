"""The apps depend one way (README, "Layout"): import-linter's layers contract in pyproject.toml, run by `make lint`.

Here the contract is run on the code as it is, and on a copy with one upward import hidden inside a function,
to show that the check would catch it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "staff", "competence", "caseload", "intake", "surveys")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(cwd), "NO_COLOR": "1"}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _copy(tmp_path: Path) -> Path:
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_the_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_upward_import_inside_a_function_breaks_the_contract(tmp_path):
    copy = _copy(tmp_path)
    with (copy / "staff" / "views.py").open("a") as views:
        views.write("\n\ndef _reaches_up():\n    from surveys.models import Answer\n\n    return Answer\n")
    result = _lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert "staff.views -> surveys.models" in result.stdout


def test_a_domain_app_reaching_into_one_above_it_breaks_the_contract(tmp_path):
    copy = _copy(tmp_path)
    with (copy / "competence" / "models.py").open("a") as models:
        models.write("\n\nimport caseload.rules  # noqa\n")
    result = _lint(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "competence.models -> caseload.rules" in result.stdout


def test_the_copy_without_a_change_keeps_the_contract(tmp_path):
    """The copy itself is sound: the two failures above come from the one import each adds."""
    result = _lint(_copy(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
