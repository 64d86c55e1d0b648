"""Every option's help text reaches `--help` whole: rich reads [brackets] as markup and
would drop them silently."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from cascadeflow.entrypoints.cli.main import app

COMMAND = typer.main.get_command(app)
COMMANDS = getattr(COMMAND, "commands")  # noqa: B009 - typer's own click group


def squeeze(text: str) -> str:
    return re.sub(r"[\s│─╭╮╰╯]+", " ", text)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_option_help_is_shown_whole(name: str) -> None:
    command = COMMANDS[name]
    shown = CliRunner().invoke(app, [name, "--help"], env={"COLUMNS": "400", "NO_COLOR": "1"})
    assert shown.exit_code == 0, shown.output
    for option in command.params:
        help_text = getattr(option, "help", None)
        if help_text:  # "\\[" is rich's escape for a bracket shown as is
            assert squeeze(help_text.replace("\\[", "[")) in squeeze(shown.output), (name, option.name)
