"""The HTTP shapes of identity's requests and responses (SPEC §4 field names)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import EmailStr, Field, StringConstraints

from edu_common.passwords import MAX_PASSWORD_BYTES
from edu_common.schemas import RequestModel, ResponseModel, SignedToken

FullName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
# bcrypt reads at most 72 bytes: the domain counts the UTF-8 bytes; characters are at most that.
Password = Annotated[
    str,
    Field(
        min_length=8,
        max_length=MAX_PASSWORD_BYTES,
        description=f"8 characters or more, at most {MAX_PASSWORD_BYTES} bytes in UTF-8",
    ),
]


class RegisterRequest(RequestModel):
    email: EmailStr = Field(max_length=254)
    password: Password
    full_name: FullName
    role: Literal["student", "teacher"] = "student"


class LoginRequest(RequestModel):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128)


class RefreshRequest(RequestModel):
    refresh_token: SignedToken


class TokenResponse(ResponseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class UserResponse(ResponseModel):
    id: uuid.UUID
    email: str
    full_name: str
    role: Literal["student", "teacher", "admin"]
    is_verified: bool
    created_at: datetime
