"""The docs stay honest: every setting and command is documented."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

import hearth

PROJECT_ROOT = Path(hearth.__file__).resolve().parents[2]
SETTINGS_SOURCES = sorted((Path(hearth.__file__).parent / "settings").glob("*.py"))
ENVIRONMENT_READ = re.compile(r"""env\.(?:str|bool|int|list|float|path)\(\s*["']([A-Z0-9_]+)["']""")


def _variables_read_by_settings() -> set[str]:
    names: set[str] = set()
    for source in SETTINGS_SOURCES:
        names |= set(ENVIRONMENT_READ.findall(source.read_text()))
    return names


def test_settings_read_the_documented_core_variables() -> None:
    expected = {"DATABASE_URL", "REDIS_URL", "EMAIL_URL", "SECRET_KEY", "ALLOWED_HOSTS",
                "SITE_URL", "DEBUG", "HEARTH_DATA_DIR"}  # fmt: skip

    assert expected <= _variables_read_by_settings()


@pytest.mark.parametrize("variable", sorted(_variables_read_by_settings()))
def test_every_variable_is_in_the_env_example_and_the_configuration_docs(variable: str) -> None:
    assert variable in (PROJECT_ROOT / ".env.example").read_text()
    assert f"`{variable}`" in (PROJECT_ROOT / "docs" / "configuration.md").read_text()


def test_every_hearth_command_is_documented() -> None:
    commands = {name for name, app in get_commands().items() if app.startswith("hearth")}
    documented = (PROJECT_ROOT / "docs" / "cli.md").read_text()

    missing = sorted(name for name in commands if f"`hearth {name}" not in documented)

    assert not missing, f"docs/cli.md does not describe: {missing}"


def test_the_readme_opens_with_the_two_commands() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text()
    first_block = readme.split("```", 2)[1]

    assert "make run" in first_block
    assert "make test" in first_block


def test_ci_runs_make_test() -> None:
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()
