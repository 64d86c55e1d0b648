"""The ``cascadeflow`` command line: one module per command, registered on import."""

from __future__ import annotations

from cascadeflow.entrypoints.cli import calibration, forecast, presets, run, serve, simulate, usage  # noqa: F401  (register)
from cascadeflow.entrypoints.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app()


if __name__ == "__main__":
    main()
