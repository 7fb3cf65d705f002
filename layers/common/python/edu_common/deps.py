"""FastAPI dependencies shared by every function's routes.

``CurrentUser``, ``OptionalUser``, ``AdminUser`` and ``TeacherUser`` read and check the
caller's access token locally (no call to identity);
``SettingsDep`` and ``DatabaseDep`` hand out what ``create_service_app`` put on the app, and
``AppState`` does the same for what a function adds (its cache, its payment processor, ...);
``PageParams`` reads ``limit`` and ``offset``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from edu_common.db import Database
from edu_common.errors import Forbidden, Unauthorized, ValidationFailed
from edu_common.observability import Observability
from edu_common.pagination import DEFAULT_PAGE_SIZE, MAX_OFFSET, MAX_PAGE_SIZE, PageRequest
from edu_common.principal import Principal, Role
from edu_common.schemas import control_character_problem
from edu_common.secrets import jwt_secret
from edu_common.settings import Settings
from edu_common.tokens import read_access_token


class AppState[T]:
    """One object an app keeps for its execution environment (the pool, a cache, ...), typed.

    ``app.state`` is untyped; an ``AppState`` names the attribute once and gives typed access
    to it: ``put`` for the app factory, ``from_request`` as a dependency, ``of`` for the rest.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def put(self, app: FastAPI, value: T) -> T:
        setattr(app.state, self.name, value)
        return value

    def of(self, app: FastAPI) -> T:
        value: T = getattr(app.state, self.name)
        return value

    def from_request(self, request: Request) -> T:
        return self.of(request.app)


SETTINGS: AppState[Settings] = AppState("settings")
DATABASE: AppState[Database] = AppState("database")
OBSERVABILITY: AppState[Observability] = AppState("observability")

SettingsDep = Annotated[Settings, Depends(SETTINGS.from_request)]
DatabaseDep = Annotated[Database, Depends(DATABASE.from_request)]


def get_secret(settings: SettingsDep) -> str:
    return jwt_secret(settings)


SecretDep = Annotated[str, Depends(get_secret)]

_bearer = HTTPBearer(auto_error=False, description="An access token from /api/auth/login")
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


AdminUser = Annotated[Principal, Depends(require_role(Role.ADMIN))]
TeacherUser = Annotated[Principal, Depends(require_role(Role.TEACHER))]


async def refuse_control_characters_in_query(request: Request) -> None:
    """The request bodies' text rule for every query parameter of every route (``?q=%00`` was a
    500: PostgreSQL refuses NUL). Query values are single-line; 422 names each parameter."""
    details = [
        {"field": name, "message": problem}
        for name, value in request.query_params.multi_items()
        if (problem := control_character_problem(name) or control_character_problem(value))
    ]
    if details:
        raise ValidationFailed(details=details)


def page_request(
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Page size, at most {MAX_PAGE_SIZE}")
    ] = DEFAULT_PAGE_SIZE,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip")] = 0,
) -> PageRequest:
    return PageRequest(limit=limit, offset=offset)


PageParams = Annotated[PageRequest, Depends(page_request)]
