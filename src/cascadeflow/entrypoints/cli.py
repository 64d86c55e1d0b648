"""The ``cascadeflow`` command line: one module per command, registered on import."""

from __future__ import annotations

from cascadeflow.entrypoints import cli_run, cli_simulate, cli_usage  # noqa: F401  (registers)
from cascadeflow.entrypoints import cli_serve  # noqa: F401  (registers)
from cascadeflow.entrypoints import cli_forecast  # noqa: F401  (registers)
from cascadeflow.entrypoints import cli_presets  # noqa: F401  (registers)
from cascadeflow.entrypoints import cli_calibration  # noqa: F401  (registers)
from cascadeflow.entrypoints.cli_app import app

__all__ = ["app", "main"]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
