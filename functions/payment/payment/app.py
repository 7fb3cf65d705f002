"""Builds payment's FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from edu_common.api import create_service_app
from edu_common.deps import SETTINGS
from edu_common.settings import Settings
from payment import SERVICE
from payment.deps import PAYMENT_PROCESSOR
from payment.processor import PaymentProcessor, processor_for
from payment.routes import payments


def create_app(
    settings: Settings | None = None, processor: PaymentProcessor | None = None
) -> FastAPI:
    app = create_service_app(
        SERVICE,
        routers=[payments],
        title="EduPlatform payment",
        description="Charges a signed course offer exactly once per Idempotency-Key (mock "
        "processor) and returns a signed receipt for enrollment.",
        settings=settings,
    )
    # One processor per execution environment; PAYMENT_PROCESSOR chooses it.
    PAYMENT_PROCESSOR.put(app, processor or processor_for(SETTINGS.of(app)))
    return app
