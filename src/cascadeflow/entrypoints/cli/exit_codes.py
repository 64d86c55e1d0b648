"""The one table from cascadeflow errors to CLI exit codes."""

from __future__ import annotations

from cascadeflow.domain.errors import (
    AllModelsFailedError,
    BudgetExceededError,
    CascadeflowError,
    ConfigurationError,
    ProviderError,
    StorageError,
    UnknownModelPriceError,
    UnknownUserError,
)

EXIT_CODES: tuple[tuple[type[CascadeflowError], int], ...] = (
    (ConfigurationError, 2),
    (UnknownModelPriceError, 2),
    (UnknownUserError, 2),
    (BudgetExceededError, 4),
    (StorageError, 5),
    (AllModelsFailedError, 3),
    (ProviderError, 3),
    (CascadeflowError, 1),
)


def exit_code_for(error: CascadeflowError) -> tuple[int, str]:
    code = next(code for kind, code in EXIT_CODES if isinstance(error, kind))
    return code, str(error)
