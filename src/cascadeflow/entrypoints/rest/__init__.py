"""The OpenAI-compatible REST gateway (FastAPI), served by `cascadeflow serve`."""

from cascadeflow.entrypoints.rest.app import create_app, served_app
from cascadeflow.entrypoints.rest.setup import GatewaySetup

__all__ = ["GatewaySetup", "create_app", "served_app"]
