"""Bearer API keys, stored hashed, each mapped to a user, a tier and a role."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from cascadeflow.domain.rate_limits import RateLimit
from cascadeflow.entrypoints.rest.config import KeySettings, hash_key
from cascadeflow.entrypoints.rest.error_statuses import ApiError

Role = Literal["user", "admin"]


@dataclass(frozen=True, slots=True)
class Caller:
    user: str
    tier: str | None
    role: Role
    key_id: str = ""  # the start of the key's digest: names it in rate limits, never the key
    rate_limit: RateLimit | None = None  # the key's own

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


class KeyRing:
    """Only SHA-256 digests are kept in memory; a presented key is hashed and looked up."""

    def __init__(self, keys: Iterable[KeySettings]) -> None:
        self._by_digest = {
            k.digest: Caller(k.user, k.tier, k.role, k.digest[:16],
                             k.rate_limit.to_rate_limit() if k.rate_limit else None)
            for k in keys}

    def caller(self, authorization: str | None) -> Caller:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "invalid_api_key", "missing API key: send 'Authorization: Bearer <key>'",
                           kind="authentication_error")
        caller = self._by_digest.get(hash_key(token.strip()))
        if caller is None:
            raise ApiError(401, "invalid_api_key", "incorrect API key provided", kind="authentication_error")
        return caller


def require_admin(caller: Caller) -> Caller:
    if not caller.is_admin:
        raise ApiError(403, "insufficient_permissions",
                       f"this route needs an admin key; the key of {caller.user!r} has role 'user'",
                       kind="permission_error")
    return caller


def acting_user(caller: Caller, requested: str | None) -> str:
    """Whom a request is for: admins may name anyone, a user key only its own user."""
    if requested is None or requested == caller.user or caller.is_admin:
        return requested or caller.user
    raise ApiError(403, "insufficient_permissions",
                   f"this key acts for user {caller.user!r} only, not {requested!r}",
                   kind="permission_error", param="user")
