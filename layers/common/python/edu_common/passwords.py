"""Password hashing with bcrypt.

bcrypt looks at the first 72 bytes only (and bcrypt 5 refuses longer input), so passwords
longer than that are refused at the API edge rather than silently truncated.
"""

from __future__ import annotations

import bcrypt

MAX_PASSWORD_BYTES = 72


def hash_password(password: str, rounds: int = 12) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds=rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        return False
    try:
        return bcrypt.checkpw(encoded, password_hash.encode("ascii"))
    except ValueError:
        return False


# A real hash to compare against when the email is unknown, so that a login for an unknown
# email costs as much as one with a wrong password (no user enumeration by timing).
_DUMMY_HASHES: dict[int, str] = {}


def dummy_hash(rounds: int = 12) -> str:
    if rounds not in _DUMMY_HASHES:
        _DUMMY_HASHES[rounds] = hash_password("not-a-real-password", rounds)
    return _DUMMY_HASHES[rounds]
