"""The plan's ``cascadeflow.core``: the agent (``cascadeflow.core.agent.CascadeAgent``)."""
