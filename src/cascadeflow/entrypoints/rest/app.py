"""The FastAPI application: ``create_app(setup)`` for tests and embedding,
``served_app(setup)`` and ``app_from_environment`` for the processes `cascadeflow serve`
runs (one, or each uvicorn worker)."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

from cascadeflow import __version__
from cascadeflow.bootstrap import settle_for_serving
from cascadeflow.entrypoints.rest.body_limit import BodyLimit
from cascadeflow.entrypoints.rest.error_handlers import install_error_handlers
from cascadeflow.entrypoints.rest.gateway import Gateway
from cascadeflow.entrypoints.rest.routes import router
from cascadeflow.entrypoints.rest.setup import CONFIG_ENV, REPLAY_ENV, GatewaySetup, resolve_setup


def create_app(setup: GatewaySetup) -> FastAPI:
    app = FastAPI(
        title="cascadeflow gateway",
        version=__version__,
        description="An OpenAI-compatible endpoint that answers with the cheapest model that "
        "is good enough and enforces per-user budgets before any model is called.",
    )
    app.state.gateway = Gateway(setup)
    app.include_router(router)
    app.add_middleware(BodyLimit, max_bytes=setup.config.server.max_body_bytes)
    install_error_handlers(app)
    return app


def served_app(setup: GatewaySetup) -> FastAPI:
    """``create_app`` for a process that only serves: its providers loaded before the
    first request and its long-lived objects kept out of garbage collection
    (``settle_for_serving``)."""
    app = create_app(setup)
    settle_for_serving(live_models=setup.provider is None)
    return app


def app_from_environment() -> FastAPI:
    """What each worker process runs: the setup `cascadeflow serve` put in the environment."""
    config = os.environ.get(CONFIG_ENV)
    return served_app(resolve_setup(Path(config) if config else None, os.environ.get(REPLAY_ENV) or None))
