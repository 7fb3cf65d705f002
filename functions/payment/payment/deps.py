"""Payment's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from edu_common.deps import DatabaseDep, SecretDep, SettingsDep
from payment.processor import PaymentProcessor
from payment.services import PaymentService


def get_processor(request: Request) -> PaymentProcessor:
    processor: PaymentProcessor = request.app.state.payment_processor
    return processor


ProcessorDep = Annotated[PaymentProcessor, Depends(get_processor)]


def get_payment_service(
    database: DatabaseDep, settings: SettingsDep, secret: SecretDep, processor: ProcessorDep
) -> PaymentService:
    return PaymentService(database, settings, secret, processor)


PaymentServiceDep = Annotated[PaymentService, Depends(get_payment_service)]
