"""Who the caller is: a role and the identity an access token vouches for.

Apart from the JWT codec (``tokens``) so that rules and services can speak of principals and
roles without importing how tokens are signed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller, as an access token describes them."""

    user_id: uuid.UUID
    email: str
    name: str
    role: Role
    is_verified: bool

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN
