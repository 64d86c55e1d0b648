"""The plan's ``cascadeflow/core/agent.py``: ``CascadeAgent``, the same class as
``cascadeflow.CascadeAgent`` (it lives in ``cascadeflow.entrypoints.api.agent``)."""

from cascadeflow.entrypoints.api.agent import CascadeAgent, to_messages

__all__ = ["CascadeAgent", "to_messages"]
