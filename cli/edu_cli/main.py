"""The developer CLI `edu`.

Every sub-command lives in its own module under `edu_cli.commands`; this file only wires
them together, so `edu --help` stays cheap (heavy imports happen inside the commands).
"""

from __future__ import annotations

import typer

from edu_cli.commands import (
    admin,
    database,
    load,
    local,
    migrate,
    openapi,
    requirements,
    seed,
    serve,
    up,
)

app = typer.Typer(
    name="edu",
    help="EduPlatform Serverless developer CLI.",
    no_args_is_help=True,
    add_completion=False,
)

app.command("migrate")(migrate.migrate)
app.add_typer(admin.app, name="admin")
app.command("serve")(serve.serve)
app.command("requirements")(requirements.requirements)
app.command("openapi")(openapi.openapi)
app.add_typer(local.app, name="local")
app.command("load")(load.load)
app.command("report")(load.report)
app.add_typer(database.app, name="db")
app.command("seed")(seed.seed)
app.command("up")(up.up)
app.command("down")(up.down)


if __name__ == "__main__":  # pragma: no cover
    app()
