"""`edu admin create`: admins are never self-registered; an operator makes them here."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

app = typer.Typer(help="Manage admin accounts.", no_args_is_help=True)


async def create_admin(email: str, password: str, full_name: str) -> str:
    from edu_common.db import Database
    from edu_common.principal import Role
    from edu_common.secrets import jwt_secret
    from edu_common.settings import load_settings
    from identity.services import IdentityService

    settings = load_settings("identity", db_pool_size=1)  # one connection is all it needs
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
) -> None:
    """Create an admin account in the identity database."""
    from edu_common.errors import DomainError

    try:
        user_id = asyncio.run(create_admin(email, password, name))
    except DomainError as exc:
        typer.secho(f"cannot create admin: {exc.message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"admin {email} created ({user_id})")
