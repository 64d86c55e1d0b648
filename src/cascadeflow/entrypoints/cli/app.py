"""The typer application and what every command shares: consoles and error reporting."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from cascadeflow.domain.errors import CascadeflowError
from cascadeflow.entrypoints.cli.exit_codes import exit_code_for

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Answer with the cheapest model that is good enough.",
)
out = Console()
err = Console(stderr=True)


def wide(columns: int) -> Console:
    """``out``, at least ``columns`` wide: tables of many figures never squeeze them into
    ellipses on a narrow terminal."""
    return out if out.width >= columns else Console(width=columns)


@contextmanager
def reporting_errors() -> Iterator[None]:
    """Our own errors become one line on stderr and an exit code, not a traceback."""
    try:
        yield
    except CascadeflowError as exc:
        code, message = exit_code_for(exc)
        err.print(f"[red]error:[/] {message}", highlight=False)
        sys.exit(code)
