"""Payment's integration fixtures: a fresh, countable mock processor for each test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from payment.processor import MockProcessor


@pytest.fixture
def processor(handlers: dict[str, Any]) -> Iterator[MockProcessor]:
    """The mock processor behind the real payment handler, with no calls yet."""
    import payment.handler

    app = payment.handler.app
    previous = app.state.payment_processor
    fresh = MockProcessor()
    app.state.payment_processor = fresh
    yield fresh
    app.state.payment_processor = previous
