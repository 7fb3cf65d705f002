"""Identity's use cases: register, log in, refresh, log out, read oneself, verify teachers."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from edu_common.db import Database
from edu_common.pagination import PageRequest, Slice
from edu_common.passwords import dummy_hash, hash_password, verify_password
from edu_common.principal import Principal, Role
from edu_common.settings import Settings
from edu_common.tokens import (
    InvalidToken,
    RefreshClaims,
    issue_access_token,
    issue_refresh_token,
    read_refresh_token,
)
from identity.attempts import AttemptStore, DatabaseAttempts
from identity.domain import (
    AttemptScope,
    InvalidCredentials,
    Limit,
    RefreshTokenReused,
    RefreshTokenRevoked,
    Revocation,
    Rotation,
    TooManyFailedLogins,
    TooManyRegistrations,
    User,
    UserNotFound,
    attempt_subject,
    check_password,
    check_self_registration,
    normalize_email,
    rotation_of,
    seconds_blocked,
)
from identity.repository import RefreshTokenRepository, UserRepository


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


class IdentityService:
    def __init__(
        self,
        database: Database,
        settings: Settings,
        secret: str,
        attempts: AttemptStore | None = None,
    ) -> None:
        self._database = database
        self._settings = settings
        self._secret = secret
        self._attempts = attempts or DatabaseAttempts(database)
        window = settings.login_failure_window_seconds
        self._account_failures = Limit(
            AttemptScope.LOGIN_ACCOUNT, settings.login_failures_per_account, window
        )
        self._client_failures = Limit(
            AttemptScope.LOGIN_CLIENT, settings.login_failures_per_client, window
        )
        self._client_registrations = Limit(
            AttemptScope.REGISTER_CLIENT, settings.registrations_per_client_per_hour, 3600
        )

    async def _blocked_for(self, limit: Limit, subject: str) -> int:
        count = await self._attempts.count(limit.scope, subject, limit.window_seconds)
        return seconds_blocked(count, limit)

    async def _count(self, limit: Limit, subject: str) -> None:
        await self._attempts.add(limit.scope, subject, limit.window_seconds)

    async def _hash(self, password: str) -> str:
        # bcrypt is deliberately slow; keep it off the event loop.
        return await asyncio.to_thread(hash_password, password, self._settings.bcrypt_rounds)

    async def register(
        self, *, email: str, password: str, full_name: str, role: Role, client: str
    ) -> User:
        """A new account; at most ``registrations_per_client_per_hour`` attempts per client
        address (taken or refused ones too: they probe which emails exist)."""
        check_self_registration(role)
        client_subject = attempt_subject(client)
        if wait := await self._blocked_for(self._client_registrations, client_subject):
            raise TooManyRegistrations(retry_after_seconds=wait)
        await self._count(self._client_registrations, client_subject)
        return await self.create_user(
            email=email, password=password, full_name=full_name, role=role, is_verified=False
        )

    async def create_user(
        self, *, email: str, password: str, full_name: str, role: Role, is_verified: bool
    ) -> User:
        check_password(password)
        password_hash = await self._hash(password)
        async with self._database.connection() as conn:
            return await UserRepository(conn).add(
                email=normalize_email(email),
                password_hash=password_hash,
                full_name=full_name.strip(),
                role=role,
                is_verified=is_verified,
            )

    async def login(self, *, email: str, password: str, client: str) -> TokenPair:
        """Tokens for the right password. Failed logins are limited per account (known or
        not: the answer must not tell) and per client address; while a limit is reached the
        password is not even checked (429 with Retry-After). Success resets the account's
        count, not the client's (an attacker's own account must not launder a guessing run)."""
        email = normalize_email(email)
        account, client_subject = attempt_subject(email), attempt_subject(client)
        failures = await self._attempts.count(
            AttemptScope.LOGIN_ACCOUNT, account, self._account_failures.window_seconds
        )
        wait = max(
            seconds_blocked(failures, self._account_failures),
            await self._blocked_for(self._client_failures, client_subject),
        )
        if wait:
            raise TooManyFailedLogins(retry_after_seconds=wait)
        async with self._database.connection() as conn:
            user = await UserRepository(conn).find_by_email(email)
        # The same work for an unknown email as for a wrong password: no enumeration.
        password_hash = user.password_hash if user else dummy_hash(self._settings.bcrypt_rounds)
        matches = await asyncio.to_thread(verify_password, password, password_hash)
        if user is None or not matches:
            await self._count(self._account_failures, account)
            await self._count(self._client_failures, client_subject)
            raise InvalidCredentials()
        if failures is not None:  # most logins have nothing to reset: no write for them
            await self._attempts.clear(AttemptScope.LOGIN_ACCOUNT, account)
        async with self._database.transaction() as conn:
            tokens = RefreshTokenRepository(conn)
            await tokens.delete_expired()
            family = await tokens.start_family(user.id)
            refresh = await tokens.add(family, user.id, self._settings.refresh_token_ttl_seconds)
        return self._tokens_for(user, refresh)

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Exchange ``refresh_token`` (once) for new tokens of the same family; a second
        exchange of the same token revokes the family (reuse detection)."""
        presented = read_refresh_token(refresh_token, self._secret)
        async with self._database.transaction() as conn:
            tokens = RefreshTokenRepository(conn)
            rotation = rotation_of(
                await tokens.get_for_update(presented.token_id), presented.user_id
            )
            user: User | None = None
            following: RefreshClaims | None = None
            if rotation is Rotation.ROTATE:
                # Role and verification are re-read: a teacher verified since is verified now.
                user = await UserRepository(conn).get(presented.user_id)
                await tokens.mark_used(presented.token_id)
                if user is not None:
                    following = await tokens.add(
                        presented.family_id, user.id, self._settings.refresh_token_ttl_seconds
                    )
            elif rotation is Rotation.REUSED:
                await tokens.revoke_family(presented.family_id, presented.user_id, Revocation.REUSE)
        # Raised after the commit: the revocation of a reused token's family must stay.
        match rotation:
            case Rotation.REUSED:
                raise RefreshTokenReused()
            case Rotation.REVOKED:
                raise RefreshTokenRevoked()
            case Rotation.UNKNOWN:
                raise InvalidToken()
        if user is None or following is None:
            raise InvalidToken("The account behind this token no longer exists.")
        return self._tokens_for(user, following)

    async def logout(self, refresh_token: str) -> None:
        """Revoke the family of ``refresh_token``: no token of that login refreshes again.
        Idempotent; access tokens already issued stay valid until they expire (minutes)."""
        presented = read_refresh_token(refresh_token, self._secret)
        async with self._database.transaction() as conn:
            await RefreshTokenRepository(conn).revoke_family(
                presented.family_id, presented.user_id, Revocation.LOGOUT
            )

    async def me(self, principal: Principal) -> User:
        async with self._database.connection() as conn:
            user = await UserRepository(conn).get(principal.user_id)
        if user is None:
            raise UserNotFound("The account behind this token no longer exists.")
        return user

    async def list_teachers(self, *, verified: bool, page: PageRequest) -> Slice[User]:
        async with self._database.connection() as conn:
            return await UserRepository(conn).list_teachers(verified=verified, page=page)

    async def verify_teacher(self, user_id: uuid.UUID) -> User:
        async with self._database.transaction() as conn:
            users = UserRepository(conn)
            user = await users.get(user_id)
            if user is None:
                raise UserNotFound()
            user.verified()  # the domain refuses anyone but a teacher
            return await users.mark_verified(user_id)

    def _tokens_for(self, user: User, refresh: RefreshClaims) -> TokenPair:
        ttl = self._settings.access_token_ttl_seconds
        return TokenPair(
            access_token=issue_access_token(user.as_principal(), self._secret, ttl),
            refresh_token=issue_refresh_token(
                refresh, self._secret, self._settings.refresh_token_ttl_seconds
            ),
            expires_in=ttl,
        )
