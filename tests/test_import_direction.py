"""Imports go one way (DESIGN section 11): config on reports, reports on committee, committee on assessments,
assessments on accounts (identity, the bottom layer); never the reverse.

The contract is import-linter's, in pyproject.toml, with no exceptions; imports inside functions count. Cycles
inside the apps are ``tests/test_module_boundaries.py``'s.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("config", "reports", "committee", "assessments", "accounts")
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")


def lint_imports(cwd):
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_apps_import_in_one_direction():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 1 kept, 0 broken." in result.stdout


def test_a_new_import_the_wrong_way_breaks_the_contract(tmp_path):
    for app in APPS:
        shutil.copytree(ROOT / app, tmp_path / app, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / "assessments" / "risk.py").open("a") as module:
        module.write("\n\ndef _wrong_way():\n    from reports import dossier  # noqa\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    assert "assessments is not allowed to import reports" in result.stdout
    assert "assessments.risk -> reports.dossier" in result.stdout
