"""Identity's HTTP routes: parse, call a service, shape the answer. Nothing else."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import APIRouter, Response, status

from edu_common.deps import AdminUser, CurrentUser, PageParams
from edu_common.principal import Role
from edu_common.schemas import Page
from identity.deps import ClientAddress, IdentityServiceDep
from identity.schemas import (
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenResponse,
    UserResponse,
)

auth = APIRouter(prefix="/api/auth", tags=["auth"])
users = APIRouter(prefix="/api/users", tags=["users"])
admin = APIRouter(prefix="/api/admin", tags=["admin"])


@auth.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    summary="Create an account (limited per client address: 429 with Retry-After)",
)
async def register(
    body: RegisterRequest, service: IdentityServiceDep, client: ClientAddress
) -> UserResponse:
    user = await service.register(
        email=body.email,
        password=body.password,
        full_name=body.full_name,
        role=Role(body.role),
        client=client,
    )
    return UserResponse.of(user)


@auth.post(
    "/login",
    summary="Exchange email and password for tokens (failed logins limited per account and "
    "per client address: 429 with Retry-After)",
)
async def login(
    body: LoginRequest, service: IdentityServiceDep, client: ClientAddress
) -> TokenResponse:
    tokens = await service.login(email=body.email, password=body.password, client=client)
    return TokenResponse.of(tokens)


@auth.post(
    "/refresh",
    summary="Exchange a refresh token (once) for new tokens; a reused one revokes its login",
)
async def refresh(body: RefreshRequest, service: IdentityServiceDep) -> TokenResponse:
    return TokenResponse.of(await service.refresh(body.refresh_token))


@auth.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Sign out: revoke the refresh token's login (every token rotated from it)",
)
async def logout(body: RefreshRequest, service: IdentityServiceDep) -> None:
    await service.logout(body.refresh_token)


@users.get("/me", summary="The caller's account")
async def me(user: CurrentUser, service: IdentityServiceDep) -> UserResponse:
    return UserResponse.of(await service.me(user))


@admin.get("/teachers", summary="Teachers by verification status (admin only)")
async def list_teachers(
    _: AdminUser,
    service: IdentityServiceDep,
    page: PageParams,
    status: Literal["pending", "verified"] = "pending",
) -> Page[UserResponse]:
    teachers = await service.list_teachers(verified=status == "verified", page=page)
    return Page[UserResponse].of(teachers, page)


@admin.post("/teachers/{user_id}/verify", summary="Verify a teacher (admin only)")
async def verify_teacher(
    user_id: uuid.UUID, _: AdminUser, service: IdentityServiceDep
) -> UserResponse:
    return UserResponse.of(await service.verify_teacher(user_id))
