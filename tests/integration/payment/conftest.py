"""Payment's integration fixtures: a fresh, countable mock processor for each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from payment.deps import PAYMENT_PROCESSOR
from payment.processor import MockProcessor


@pytest.fixture
def processor(handlers: dict[str, Any]) -> Iterator[MockProcessor]:
    """The mock processor behind the real payment handler, with no calls yet."""
    import payment.handler

    app = payment.handler.app
    previous = PAYMENT_PROCESSOR.of(app)
    yield PAYMENT_PROCESSOR.put(app, MockProcessor())
    PAYMENT_PROCESSOR.put(app, previous)
