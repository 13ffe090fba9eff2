"""`make run` installs what running needs; the development tools come with `make test`
(issue 18: a first `make run` downloaded ~480 MB, Playwright included).

pyproject.toml keeps the tools in the `dev` extra, the Makefile installs that extra only
for tests and benchmarks, and Hearth itself runs with none of them importable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import hearth

pytestmark = pytest.mark.database_neutral

PROJECT_ROOT = Path(hearth.__file__).resolve().parents[2]

# Distributions that only tests, type checks, linting or benchmarks use.
DEVELOPMENT_TOOLS = {
    "pytest", "pytest-django", "pytest-xdist", "pytest-playwright", "playwright",
    "axe-playwright-python", "factory-boy", "hypothesis", "schemathesis", "aiosmtpd", "moto",
    "ruff", "mypy", "django-stubs",
}  # fmt: skip
# The modules they provide: Hearth must run with none of them importable.
DEVELOPMENT_MODULES = {
    "pytest", "_pytest", "pytest_django", "xdist", "pytest_playwright", "playwright",
    "axe_playwright_python", "factory", "hypothesis", "schemathesis", "aiosmtpd", "moto",
    "ruff", "mypy", "mypy_django_plugin",
}  # fmt: skip


def _names(requirements: list[str]) -> set[str]:
    """The distribution names of requirement strings, normalised ("Foo_bar[x]>=1" -> foo-bar)."""
    return {
        re.sub(r"[-_.]+", "-", re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]).lower()
        for requirement in requirements
    }


def _project() -> dict[str, object]:
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, object] = tomllib.load(file)["project"]
    return project


def test_running_depends_on_none_of_the_development_tools() -> None:
    project = _project()
    runtime = _names(project["dependencies"])  # type: ignore[arg-type]
    extras: dict[str, list[str]] = project["optional-dependencies"]  # type: ignore[assignment]
    development = _names(extras["dev"])

    assert "django" in runtime
    assert not runtime & DEVELOPMENT_TOOLS
    assert {"pytest", "pytest-playwright", "ruff", "mypy"} <= development
    # Every development tool is installed by `make test`, through the `dev` extra.
    assert set(extras) == {"dev"}


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_installs_hearth_alone_and_make_test_the_development_tools(
    tmp_path: Path,
) -> None:
    def planned(target: str) -> str:
        # A virtual environment that does not exist yet: make plans the whole install.
        result = subprocess.run(  # noqa: S603 - make, on our own Makefile
            ["make", "-n", "-C", str(PROJECT_ROOT), target, f"VENV={tmp_path / 'venv'}"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return result.stdout

    run, test, bench = planned("run"), planned("test"), planned("bench")

    assert "pip install" in run
    assert re.search(r"pip install .* -e \.$", run, re.MULTILINE)
    assert "[dev]" not in run
    assert "-e '.[dev]'" in test
    assert "-e '.[dev]'" in bench


# Imports every module of Hearth that is not a test or a test helper, with the
# development tools made unimportable, then runs Django's checks.
WITHOUT_THE_TOOLS = """
import importlib, importlib.abc, pkgutil, sys

BLOCKED = set(sys.argv[1].split(","))


class DevelopmentToolsAreNotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ImportError(f"{name} is a development tool, not installed by make run")
        return None


sys.meta_path.insert(0, DevelopmentToolsAreNotInstalled())
import django

django.setup()
import hearth

skipped = {"tests", "testing", "__main__", "settings", "migrations"}
for module in pkgutil.walk_packages(hearth.__path__, "hearth.", onerror=lambda name: None):
    if skipped.isdisjoint(module.name.split(".")):
        importlib.import_module(module.name)
from django.core.management import call_command

call_command("check")
print("ran without the development tools")
"""


def test_hearth_runs_without_the_development_tools(tmp_path: Path) -> None:
    environment = {
        key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG"}
    } | {"HEARTH_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "hearth.settings.base"}

    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", WITHOUT_THE_TOOLS, ",".join(sorted(DEVELOPMENT_MODULES))],
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    assert "ran without the development tools" in result.stdout
