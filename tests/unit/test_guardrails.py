"""Guardrails on what goes to the models and what comes back: redact or block."""

from __future__ import annotations

import pytest

from cascadeflow import CascadeAgent, ModelConfig
from cascadeflow.domain.errors import ConfigurationError
from cascadeflow.domain.guardrails import GuardrailBlockedError, Guardrails, check, deny_list, redact_pii
from cascadeflow.testing import FakeProvider

MODELS = [ModelConfig(name="small", cost=0.0001), ModelConfig(name="large", cost=0.01)]


@pytest.mark.parametrize(("text", "shown"), [
    ("Mail ann.lee@example.com or call +44 20 7946 0958.", "Mail [redacted email] or call [redacted phone]."),
    ("Card 4111 1111 1111 1111; 1234 5678 9012 3456 is no card.",
     "Card [redacted card]; 1234 5678 9012 3456 is no card."),
    ("IBAN DE89 3704 0044 0532 0130 00.", "IBAN [redacted iban]."),
    ("On 2026-12-07 we sold 1,307 units; 17 * 23 = 391.", "On 2026-12-07 we sold 1,307 units; 17 * 23 = 391."),
])
def test_pii_is_redacted_and_ordinary_numbers_are_not(text: str, shown: str) -> None:
    assert redact_pii().apply(text).text == shown


async def test_input_is_screened_before_any_model_sees_it() -> None:
    fake = FakeProvider({"small": ["Noted."]})
    agent = CascadeAgent(MODELS[:1], provider=fake, guardrails=Guardrails(input=[redact_pii()]))
    await agent.run([{"role": "system", "content": "Support desk. Contact: desk@example.com"},
                     {"role": "user", "content": "I am bob@example.com, card 4111-1111-1111-1111."}])
    sent = fake.requests[0].messages
    assert sent[0].text == "Support desk. Contact: desk@example.com"  # the operator's own text
    assert sent[1].text == "I am [redacted email], card [redacted card]."


async def test_a_denied_request_is_blocked_before_any_call_and_an_answer_after() -> None:
    fake = FakeProvider({"small": ["The code name is Falcon."]})
    guards = Guardrails(input=[deny_list(["drop table"])], output=[deny_list(["falcon"])])
    agent = CascadeAgent(MODELS[:1], provider=fake, guardrails=guards)
    with pytest.raises(GuardrailBlockedError, match="request was blocked by the deny_list") as blocked:
        await agent.run("Please DROP TABLE users")
    assert blocked.value.stage == "input" and fake.requests == []
    with pytest.raises(GuardrailBlockedError, match="answer was blocked.*'Falcon'"):
        await agent.run("What is the code name?")


async def test_a_custom_check_and_a_streamed_answer_shown_only_once_checked() -> None:
    fake = FakeProvider({"small": ["Reach me at x@example.com today."]})
    guards = Guardrails(input=[check(lambda text: "secret" not in text or "no secrets, please")],
                        output=[redact_pii(("email",))])
    agent = CascadeAgent(MODELS[:1], provider=fake, guardrails=guards)
    with pytest.raises(GuardrailBlockedError, match="no secrets, please"):
        await agent.run("Tell me the secret")
    events = [e async for e in agent.stream("How do I reach you?")]
    assert [e.delta for e in events[:-1]] == ["Reach me at [redacted email] today."]
    assert events[-1].result is not None and "[redacted email]" in events[-1].result.content
    with pytest.raises(ConfigurationError, match="action is 'block' or 'redact'"):
        deny_list(["x"], action="shout")  # type: ignore[arg-type]
