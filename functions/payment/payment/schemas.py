"""The HTTP shapes of payment's requests and responses (SPEC §4 field names)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from edu_common.schemas import RequestModel, ResponseModel, SignedToken
from payment.processor import SUCCEEDING_CARD


class PaymentCreateRequest(RequestModel):
    offer: SignedToken = Field(
        description="The signed `offer` token from the course detail (GET /api/courses/{id})."
    )
    card_number: str = Field(
        default=SUCCEEDING_CARD,
        pattern=r"^[0-9]{12,19}$",
        description="12 to 19 digits. 4000000000000002 is declined by the mock processor; "
        "every other number succeeds. Never stored (only the processor sees it).",
    )


class PaymentResponse(ResponseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    course_id: uuid.UUID
    amount_cents: int
    currency: str
    status: Literal["succeeded", "declined"]
    created_at: datetime


class PaymentCreatedResponse(ResponseModel):
    payment: PaymentResponse
    receipt: str = Field(
        description="A signed receipt token for POST /api/enrollments "
        "(claims: payment_id, sub, course_id, amount, currency, exp)."
    )


class PaymentListItem(PaymentResponse):
    receipt: str | None = Field(
        description="A freshly signed receipt for a succeeded payment (so a user whose receipt "
        "expired can still enroll); null for a declined attempt."
    )
