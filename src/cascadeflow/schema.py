"""The 0.1 public names, where 0.1 users (and the plan) import them:
``from cascadeflow.schema import ModelConfig``. The same objects as ``cascadeflow``'s."""

from cascadeflow.domain.budgets import BudgetConfig, CostEntry
from cascadeflow.domain.messages import Message, ToolCall
from cascadeflow.domain.models import ModelConfig
from cascadeflow.domain.quality import QualityConfig, ValidationResult
from cascadeflow.domain.results import CascadeEvent, CascadeResult, ModelCall

__all__ = ["BudgetConfig", "CascadeEvent", "CascadeResult", "CostEntry", "Message", "ModelCall",
           "ModelConfig", "QualityConfig", "ToolCall", "ValidationResult"]
