"""Every block and command of docs/deploying.md is run by the production-recipe job,
or listed with the reason it cannot be (recipe.py)."""

from __future__ import annotations

from hearth.operations.tests import recipe


def test_every_block_on_the_page_is_run_or_says_why_not() -> None:
    names = [block.name for block in recipe.blocks()]

    unknown = [
        name
        for name in names
        if name not in recipe.RUN_BLOCKS and name not in recipe.NOT_RUN_BLOCKS
    ]

    assert not unknown, f"blocks the production-recipe job does not know: {unknown}"
    assert len(names) == len(set(names)), "two blocks share a name"
    assert set(recipe.RUN_BLOCKS) | set(recipe.NOT_RUN_BLOCKS) == set(names), "stale entries"


def test_every_command_in_the_shell_blocks_is_run_or_says_why_not() -> None:
    programs = {
        recipe.program_of(command)
        for name in recipe.COMMAND_BLOCKS
        for command in recipe.block(name).commands()
    }
    runnable = {"hearth-admin", "/srv/hearth/.venv/bin/pip", "python3", "install", "curl"}

    assert programs - runnable - set(recipe.NOT_RUN_COMMANDS) == set()


def test_a_new_block_without_a_known_name_is_caught() -> None:
    page = "```sh\n# something new\nhearth-admin frobnicate\n```\n"

    (block,) = recipe.blocks(page)

    assert block.name == "something new"
    assert block.name not in recipe.RUN_BLOCKS


def test_the_environment_file_is_read_as_systemd_reads_it() -> None:
    values = recipe.environment_file(recipe.block("/etc/hearth/env").text)

    assert values["DEFAULT_FROM_EMAIL"] == "Hearth <hearth@example.org>"
    assert values["SITE_URL"] == "https://hearth.example.org"
