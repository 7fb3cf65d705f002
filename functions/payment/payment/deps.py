"""Payment's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from edu_common.deps import AppState, DatabaseDep, SecretDep, SettingsDep
from payment.processor import PaymentProcessor
from payment.services import PaymentService

PAYMENT_PROCESSOR: AppState[PaymentProcessor] = AppState("payment_processor")
ProcessorDep = Annotated[PaymentProcessor, Depends(PAYMENT_PROCESSOR.from_request)]


def get_payment_service(
    database: DatabaseDep, settings: SettingsDep, secret: SecretDep, processor: ProcessorDep
) -> PaymentService:
    return PaymentService(database, settings, secret, processor)


PaymentServiceDep = Annotated[PaymentService, Depends(get_payment_service)]
