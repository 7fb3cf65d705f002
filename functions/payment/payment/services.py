"""Payment's use cases: pay for an offer (once per key, once per course), list my payments."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from edu_common.db import Database
from edu_common.pagination import PageRequest, Slice
from edu_common.principal import Principal
from edu_common.proofs import offer_from_body
from edu_common.settings import Settings
from edu_common.tokens import Receipt, issue_receipt
from payment.domain import (
    AlreadyPaid,
    CardDeclined,
    ChargeRequest,
    Payment,
    PaymentStatus,
    charge_request,
    check_idempotency_key,
    processor_idempotency_key,
    replay,
)
from payment.processor import PaymentProcessor
from payment.repository import PaymentRepository


@dataclass(frozen=True, slots=True)
class PaymentOutcome:
    payment: Payment
    receipt: str
    replayed: bool


class PaymentService:
    def __init__(
        self, database: Database, settings: Settings, secret: str, processor: PaymentProcessor
    ) -> None:
        self._database = database
        self._settings = settings
        self._secret = secret
        self._processor = processor

    async def pay(
        self,
        payer: Principal,
        *,
        offer_token: str,
        card_number: str,
        idempotency_key: str | None,
    ) -> PaymentOutcome:
        key = check_idempotency_key(idempotency_key)
        request = charge_request(payer.user_id, offer_from_body(offer_token, self._secret))
        payment, replayed = await self._charge_once(request, key, card_number)
        if not payment.succeeded:
            # Raised after the commit: the declined attempt stays on record.
            raise CardDeclined(details=[{"field": "card_number", "message": "declined"}])
        return PaymentOutcome(payment, self.receipt_for(payment), replayed)

    async def _charge_once(
        self, request: ChargeRequest, key: str, card_number: str
    ) -> tuple[Payment, bool]:
        # The charge happens inside the transaction holding the payer's lock, so a concurrent
        # duplicate waits for this one's commit and then replays it instead of charging again.
        async with self._database.transaction() as conn:
            payments = PaymentRepository(conn)
            await payments.lock_payer(request.user_id)
            bound = await payments.succeeded_by_key(request.user_id, key)
            if bound is not None:
                return replay(request, bound), True
            if await payments.succeeded_for_course(request.user_id, request.course_id):
                raise AlreadyPaid()
            declined_before = await payments.count_declined(request.user_id, key)
            result = await self._processor.charge(
                request.amount_cents,
                request.currency,
                card_number,
                processor_idempotency_key(request.user_id, key, declined_before),
            )
            stored = await payments.add(
                uuid.uuid4(),
                request,
                status=PaymentStatus.SUCCEEDED if result.succeeded else PaymentStatus.DECLINED,
                idempotency_key=key,
                processor_reference=result.reference,
                decline_reason=result.decline_reason,
            )
            return stored, False

    def receipt_for(self, payment: Payment) -> str:
        """A freshly signed receipt for a succeeded payment (same claims every time)."""
        receipt = Receipt(
            payment_id=payment.id,
            user_id=payment.user_id,
            course_id=payment.course_id,
            amount_cents=payment.amount_cents,
            currency=payment.currency,
        )
        return issue_receipt(receipt, self._secret, self._settings.receipt_token_ttl_seconds)

    async def my_payments(
        self, payer: Principal, *, status: PaymentStatus | None, page: PageRequest
    ) -> Slice[Payment]:
        async with self._database.connection() as conn:
            return await PaymentRepository(conn).list_for_user(
                payer.user_id, status=status, page=page
            )
