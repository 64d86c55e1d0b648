"""`cascadeflow serve`: the OpenAI-compatible gateway; `cascadeflow gateway-key`: a new key."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Optional

import typer

from cascadeflow.entrypoints.cli.app import app, err, out, reporting_errors


@app.command()
def serve(
    config: Annotated[Optional[Path], typer.Option(help="Gateway config, TOML or YAML "  # noqa: UP045
                                                   "(see docs/gateway.md).")] = None,
    host: Annotated[Optional[str], typer.Option(help="Address to listen on "  # noqa: UP045
                                                "(default: 127.0.0.1, or server.host).")] = None,
    port: Annotated[Optional[int], typer.Option(min=0, max=65535, help="Port "  # noqa: UP045
                                                "(default: 8084, or server.port).")] = None,
    workers: Annotated[Optional[int], typer.Option(min=1, help="Worker processes "  # noqa: UP045
                                                   "(default: 1, or server.workers).")] = None,
    replay: Annotated[Optional[str], typer.Option(help="Serve a recorded trace instead of live "  # noqa: UP045
                                                  "models (a file, or gsm8k / mtbench): no keys needed.")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn's log level.")] = "info",
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
) -> None:
    """Serve OpenAI's chat API through the cascade, with per-user budgets and API keys."""
    import uvicorn

    from cascadeflow.entrypoints.rest.app import served_app
    from cascadeflow.entrypoints.rest.setup import CONFIG_ENV, KEY_ENV, REPLAY_ENV, resolve_setup

    with reporting_errors():
        if config is not None and not config.exists():
            from cascadeflow.domain.errors import ConfigurationError

            raise ConfigurationError(f"no config file at {config}")
        environ = dict(os.environ)
        generated = _admin_key_for_this_run(config, environ, KEY_ENV)
        setup = resolve_setup(config, replay, environ)
        server = setup.config.server
        workers = workers or server.workers
        options = {"host": host or server.host, "port": server.port if port is None else port,
                   "log_level": log_level, "access_log": access_log}
        if workers == 1:
            application = served_app(setup)
    if generated:
        err.print(f"no API key configured: this run's admin key is [bold]{generated}[/]\n"
                  f"  (set {KEY_ENV}, or add [[keys]] to a config file, to choose your own)",
                  highlight=False)
    err.print(f"cascadeflow gateway on http://{options['host']}:{options['port']}/v1 "
              f"({workers} worker{'s' if workers > 1 else ''}, models: "
              f"{', '.join(m.name for m in setup.config.models)})", highlight=False)
    if workers == 1:
        uvicorn.run(application, **options)  # type: ignore[arg-type]
        return
    # Each worker process builds its own app from the same file, trace and key.
    os.environ.update({CONFIG_ENV: str(config.resolve()) if config else "", REPLAY_ENV: replay or "",
                       KEY_ENV: environ.get(KEY_ENV, "")})
    uvicorn.run("cascadeflow.entrypoints.rest.app:app_from_environment", factory=True,
                workers=workers, **options)  # type: ignore[arg-type]


def _admin_key_for_this_run(config: Path | None, environ: dict[str, str], key_env: str) -> str | None:
    """Without keys in the config or the environment, make one admin key for this run."""
    from cascadeflow.entrypoints.rest.config import load_config

    if environ.get(key_env) or (config is not None and load_config(config, environ).keys):
        return None
    environ[key_env] = f"cf-{secrets.token_urlsafe(32)}"
    return environ[key_env]


@app.command("gateway-key")
def gateway_key(
    user: Annotated[str, typer.Option(help="The user this key acts for.")],
    role: Annotated[str, typer.Option(help="user or admin.")] = "user",
    tier: Annotated[Optional[str], typer.Option(help="The user's tier.")] = None,  # noqa: UP045
) -> None:
    """Make a new API key: give the key to its user, put the hash in the config."""
    from cascadeflow.entrypoints.rest.config import KeySettings, hash_key

    key = f"cf-{secrets.token_urlsafe(32)}"
    with reporting_errors():
        try:
            KeySettings(user=user, role=role, tier=tier, sha256=hash_key(key))  # type: ignore[arg-type]
        except ValueError as exc:
            from cascadeflow.domain.errors import ConfigurationError

            raise ConfigurationError(f"invalid key settings: {exc}") from None
    err.print("give this key to its user (it is not stored anywhere):", highlight=False)
    print(key)
    err.print("and add this to the gateway config:", highlight=False)
    lines = ["[[keys]]", f'user = "{user}"', f'role = "{role}"']
    lines += [f'tier = "{tier}"'] if tier else []
    out.print("\n".join([*lines, f'sha256 = "{hash_key(key)}"']), highlight=False, markup=False)
