"""Identity's FastAPI dependencies."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from edu_common.deps import DatabaseDep, SecretDep, SettingsDep
from identity.services import IdentityService


def get_identity_service(
    database: DatabaseDep, settings: SettingsDep, secret: SecretDep
) -> IdentityService:
    return IdentityService(database, settings, secret)


IdentityServiceDep = Annotated[IdentityService, Depends(get_identity_service)]
