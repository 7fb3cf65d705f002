"""The mock card processor, and how the settings choose a processor."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from edu_common.settings import load_settings
from payment.processor import DECLINING_CARD, SUCCEEDING_CARD, MockProcessor, processor_for
from tests.support.databases import run_sync


@pytest.mark.parametrize(
    ("card", "succeeded"),
    [(DECLINING_CARD, False), (SUCCEEDING_CARD, True), ("5555555555554444", True)],
    ids=["declining-test-card", "succeeding-test-card", "any-other-card"],
)
def test_the_mock_declines_only_the_declining_test_card(card: str, succeeded: bool) -> None:
    processor = MockProcessor()
    result = run_sync(processor.charge(100, "USD", card, "key"))
    assert result.succeeded is succeeded
    assert [call.card_last4 for call in processor.calls] == [card[-4:]]


def test_the_mock_charges_a_repeated_processor_key_once() -> None:
    # Given a processor that charged a card under a key
    processor = MockProcessor()
    first = run_sync(processor.charge(100, "USD", SUCCEEDING_CARD, "same"))

    # When the same key is charged again
    second = run_sync(processor.charge(100, "USD", SUCCEEDING_CARD, "same"))

    # Then the result repeats and the card holder sees one charge
    assert first == second
    assert (len(processor.calls), processor.charges) == (2, 1)


@pytest.mark.parametrize(
    "name", [None, "mock", " Mock ", ""], ids=["unset", "mock", "any-case", "blank"]
)
def test_the_mock_is_the_default_and_only_processor(
    name: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if name is None:
        monkeypatch.delenv("PAYMENT_PROCESSOR", raising=False)
    else:
        monkeypatch.setenv("PAYMENT_PROCESSOR", name)
    assert isinstance(processor_for(load_settings("payment")), MockProcessor)


def test_an_unknown_processor_is_refused_when_settings_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAYMENT_PROCESSOR", "stripe")
    with pytest.raises(ValidationError, match="payment_processor"):
        load_settings("payment")
