"""`edu admin create`: admins are never self-registered; an operator makes them here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from edu_cli.options import ParameterOverrides, fail, stack_or_exit
from edu_seed.aio import run_coroutine

if TYPE_CHECKING:
    from edu_common.settings import Settings

app = typer.Typer(help="Manage admin accounts.", no_args_is_help=True)


async def create_admin(settings: Settings, email: str, password: str, full_name: str) -> str:
    """Make a verified admin in the identity database ``settings`` name; the new user's id."""
    from edu_common.db import Database
    from edu_common.principal import Role
    from edu_common.secrets import jwt_secret
    from identity.services import IdentityService

    database = Database(settings)
    try:
        service = IdentityService(database, settings, jwt_secret(settings))
        user = await service.create_user(
            email=email, password=password, full_name=full_name, role=Role.ADMIN, is_verified=True
        )
    finally:
        await database.close()
    return str(user.id)


@app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The admin's email.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted when absent."
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="Full name.")] = "Platform Admin",
    parameter_overrides: ParameterOverrides = None,
) -> None:
    """Create an admin account in the identity database."""
    from edu_common.errors import DomainError

    # One connection is all it needs.
    settings = stack_or_exit(parameter_overrides).settings("identity", db_pool_size=1)
    try:
        user_id = run_coroutine(create_admin(settings, email, password, name))
    except DomainError as exc:
        raise fail(f"cannot create admin: {exc.message}") from exc
    typer.echo(f"admin {email} created ({user_id})")
