"""Import LiteLLM once, lazily, offline and quiet.

LiteLLM takes seconds to import and, unless told otherwise, fetches its price map from
the network at import time and prints hints to stdout. Everything that needs it goes
through ``load_litellm``.
"""

from __future__ import annotations

import functools
import logging
import os
from types import ModuleType


@functools.cache
def load_litellm() -> ModuleType:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    # a field the provider cannot take is an error the caller hears, never dropped
    litellm.drop_params = False
    litellm.disable_hf_tokenizer_download = True
    logging.getLogger("LiteLLM").setLevel(logging.ERROR)
    return litellm


def litellm_model_id(name: str, provider: str) -> str:
    """The model string LiteLLM routes on: ``provider/name`` unless already prefixed."""
    if name.startswith(f"{provider}/"):
        return name
    return f"{provider}/{name}"
