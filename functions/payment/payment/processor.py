"""The seam to a card processor.

``PaymentProcessor`` is what the service needs from one; ``MockProcessor`` is the only
implementation today (no real money moves anywhere in this project). A real processor (Stripe,
Adyen, ...) goes here as another class with the same ``charge``, a new ``PAYMENT_PROCESSOR``
value in the settings and a branch in :func:`processor_for`.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Protocol

from edu_common.settings import Settings

# Test cards, as processors publish them: one always declines, the default always succeeds.
DECLINING_CARD = "4000000000000002"
SUCCEEDING_CARD = "4242424242424242"


@dataclass(frozen=True, slots=True)
class ChargeResult:
    succeeded: bool
    reference: str
    decline_reason: str | None = None


class PaymentProcessor(Protocol):
    async def charge(
        self, amount_cents: int, currency: str, card_number: str, idempotency_key: str
    ) -> ChargeResult:
        """Charge the card once per ``idempotency_key`` (a repeated key repeats the result)."""
        ...


@dataclass(frozen=True, slots=True)
class ChargeCall:
    amount_cents: int
    currency: str
    card_last4: str
    idempotency_key: str


class MockProcessor:
    """Declines :data:`DECLINING_CARD`, accepts every other card; counts every call.

    Like a real processor it remembers idempotency keys: the same key gets the same result
    and is not charged again. ``latency_seconds`` imitates a network round trip.
    """

    def __init__(self, latency_seconds: float = 0.0) -> None:
        self.latency_seconds = latency_seconds
        self.calls: list[ChargeCall] = []
        self._results: dict[str, ChargeResult] = {}

    @property
    def charges(self) -> int:
        """Distinct successful charges (what the card holder would see on a statement)."""
        return sum(1 for result in self._results.values() if result.succeeded)

    async def charge(
        self, amount_cents: int, currency: str, card_number: str, idempotency_key: str
    ) -> ChargeResult:
        self.calls.append(ChargeCall(amount_cents, currency, card_number[-4:], idempotency_key))
        if self.latency_seconds:
            await asyncio.sleep(self.latency_seconds)
        if idempotency_key in self._results:
            return self._results[idempotency_key]
        reference = f"mock_{uuid.uuid4().hex}"
        if card_number == DECLINING_CARD:
            result = ChargeResult(False, reference, "The card was declined.")
        else:
            result = ChargeResult(True, reference)
        self._results[idempotency_key] = result
        return result


def processor_for(settings: Settings) -> PaymentProcessor:
    """The processor ``PAYMENT_PROCESSOR`` names (``mock``, the default and only one today)."""
    match settings.payment_processor:
        case "mock":
            return MockProcessor()
