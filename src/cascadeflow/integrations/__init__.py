"""Integrations with other tools: LiteLLM's price map and OpenTelemetry.

Import the submodule you need (``cascadeflow.integrations.litellm`` or
``cascadeflow.integrations.otel``); this package imports neither library itself.
"""
