"""Payment's HTTP routes: parse, call a service, shape the answer. Nothing else."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Response, status

from edu_common.deps import CurrentUser, PageParams
from edu_common.schemas import Page, error_responses
from payment.deps import PaymentServiceDep
from payment.domain import MAX_IDEMPOTENCY_KEY_LENGTH, PaymentStatus
from payment.schemas import (
    PaymentCreatedResponse,
    PaymentCreateRequest,
    PaymentListItem,
)

REPLAYED_HEADER = "Idempotent-Replayed"

payments = APIRouter(prefix="/api/payments", tags=["payments"])

_CREATE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": PaymentCreatedResponse,
        "description": "A replay: this Idempotency-Key already paid for this offer; the same "
        "payment and a receipt for it, no new charge (header Idempotent-Replayed: true).",
    },
    **error_responses(
        {
            400: "`idempotency_key_required` / `invalid_idempotency_key` / `invalid_json`",
            402: "`card_declined` (the attempt is recorded)",
            409: "`idempotency_key_reused` (the key paid for another course or price) / "
            "`already_paid` (this course is already paid by the caller)",
            422: "`invalid_offer` / `offer_expired` / `nothing_to_pay` (a free course) / "
            "`validation_error`",
        }
    ),
}


# The header is required, but a missing or malformed key answers 400 with its own code (the
# service checks it), not FastAPI's generic 422: so the parameter is read optional and
# documented here as what it is.
_IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": True,
    "description": f"1-{MAX_IDEMPOTENCY_KEY_LENGTH} visible ASCII characters, one per purchase "
    "attempt; reuse it for retries (also after a decline, with another card).",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH,
        "pattern": "^[\\x21-\\x7e]+$",
    },
}


@payments.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Pay for a course offer (Idempotency-Key required)",
    responses=_CREATE_RESPONSES,
    openapi_extra={"parameters": [_IDEMPOTENCY_KEY_PARAMETER]},
)
async def create_payment(
    body: PaymentCreateRequest,
    payer: CurrentUser,
    service: PaymentServiceDep,
    response: Response,
    idempotency_key: Annotated[
        str | None,
        Header(alias="Idempotency-Key", include_in_schema=False),
    ] = None,
) -> PaymentCreatedResponse:
    outcome = await service.pay(
        payer,
        offer_token=body.offer,
        card_number=body.card_number,
        idempotency_key=idempotency_key,
    )
    if outcome.replayed:
        response.status_code = status.HTTP_200_OK
    response.headers[REPLAYED_HEADER] = "true" if outcome.replayed else "false"
    return PaymentCreatedResponse.of(outcome)


@payments.get("/me", summary="The caller's payment attempts, newest first")
async def my_payments(
    payer: CurrentUser,
    service: PaymentServiceDep,
    page: PageParams,
    status: Literal["succeeded", "declined"] | None = None,
) -> Page[PaymentListItem]:
    found = await service.my_payments(
        payer, status=PaymentStatus(status) if status else None, page=page
    )
    items = found.map(
        lambda p: PaymentListItem.of(p, receipt=service.receipt_for(p) if p.succeeded else None)
    )
    return Page[PaymentListItem].of(items, page)
