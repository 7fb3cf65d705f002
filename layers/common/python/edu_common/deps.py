"""FastAPI dependencies shared by every function's routes.

``CurrentUser``, ``OptionalUser``, ``AdminUser``, ``TeacherUser``, ``StudentUser`` and
``VerifiedTeacher`` read and check the caller's access token locally (no call to identity);
``SettingsDep`` and ``DatabaseDep`` hand out what ``create_service_app`` put on the app.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from edu_common.db import Database
from edu_common.errors import Forbidden, Unauthorized
from edu_common.secrets import jwt_secret
from edu_common.settings import Settings
from edu_common.tokens import Principal, Role, read_access_token

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login")


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]


def get_secret(settings: SettingsDep) -> str:
    return jwt_secret(settings)


SecretDep = Annotated[str, Depends(get_secret)]
BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_optional_user(credentials: BearerDep, secret: SecretDep) -> Principal | None:
    if credentials is None:
        return None
    return read_access_token(credentials.credentials, secret)


async def get_current_user(credentials: BearerDep, secret: SecretDep) -> Principal:
    if credentials is None:
        raise Unauthorized("A bearer access token is required.", code="missing_token")
    return read_access_token(credentials.credentials, secret)


OptionalUser = Annotated[Principal | None, Depends(get_optional_user)]
CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require_role(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    allowed = frozenset(roles)

    async def dependency(user: CurrentUser) -> Principal:
        if user.role not in allowed:
            names = " or ".join(sorted(role.value for role in allowed))
            raise Forbidden(f"This requires the {names} role.", code="wrong_role")
        return user

    return dependency


async def require_verified_teacher(user: CurrentUser) -> Principal:
    if user.role is not Role.TEACHER:
        raise Forbidden("This requires the teacher role.", code="wrong_role")
    if not user.is_verified:
        raise Forbidden("An admin has not verified this teacher yet.", code="teacher_not_verified")
    return user


AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]
TeacherUser = Annotated[Principal, Depends(require_role(Role.TEACHER))]
StudentUser = Annotated[Principal, Depends(require_role(Role.STUDENT))]
VerifiedTeacher = Annotated[Principal, Depends(require_verified_teacher)]
