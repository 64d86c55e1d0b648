"""Bad input never produces a 500: schemathesis generates requests, valid and invalid,
from the app's own OpenAPI schema and checks every answer against it."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from cascadeflow.bootstrap import budget_store
from cascadeflow.entrypoints.rest.config import parse_config
from cascadeflow.entrypoints.rest import GatewaySetup, create_app
from cascadeflow.testing import ConfiguredPricing, FakeProvider, InMemoryUsageStore

from .conftest import ADMIN_KEY, gateway_config

# Every model answers everything, so a well-formed request succeeds; budgets are large
# enough to never block, small enough to be checked on every call.
app = create_app(GatewaySetup(
    parse_config(gateway_config(None, default_budget={"daily": 1000.0},
                                presets={"premium": ["fake-big"]}), {}),
    provider=FakeProvider(default="A fine answer."),
    pricing=ConfiguredPricing(),
    usage=InMemoryUsageStore(),
    budgets=budget_store("memory"),
))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


CHAT = "/v1/chat/completions"
# Every check but negative_data_rejection, which counts as a fault that unknown query
# parameters are ignored (as OpenAI's API does) and cannot see that the admin key sent
# here replaces any Authorization header it left out on purpose.
EXCLUDED = [negative_data_rejection]


@schema.exclude(path=CHAT).parametrize()
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_the_api_honours_its_own_schema(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN_KEY}"}, excluded_checks=EXCLUDED)


@schema.include(path=CHAT).parametrize()
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_chat_completions_honour_their_schema(case: schemathesis.Case) -> None:
    # and not positive_data_acceptance: a schema cannot say that tool_choice must name
    # one of the tools sent or that a tool's parameters must be a valid JSON Schema, so
    # a schema-valid body may rightly get a 400 naming what the cascade cannot honour
    case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                           excluded_checks=[*EXCLUDED, positive_data_acceptance])
