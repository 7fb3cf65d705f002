"""Identity's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from edu_common.deps import AppState, DatabaseDep, SecretDep, SettingsDep
from identity.attempts import AttemptStore
from identity.services import IdentityService

# Where this execution environment counts attempts (its Redis client lives as long as it).
ATTEMPTS: AppState[AttemptStore] = AppState("attempts")
AttemptsDep = Annotated[AttemptStore, Depends(ATTEMPTS.from_request)]


def get_identity_service(
    database: DatabaseDep, settings: SettingsDep, secret: SecretDep, attempts: AttemptsDep
) -> IdentityService:
    return IdentityService(database, settings, secret, attempts)


def client_address(request: Request) -> str:
    """Who is calling, as API Gateway saw the connection: ``requestContext.http.sourceIp``
    (Mangum's ``client``). Never ``X-Forwarded-For``: the caller writes that header, so it
    would let one client pose as many and escape its limits."""
    return request.client.host if request.client else "unknown"


IdentityServiceDep = Annotated[IdentityService, Depends(get_identity_service)]
ClientAddress = Annotated[str, Depends(client_address)]
