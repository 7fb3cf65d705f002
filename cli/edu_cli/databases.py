"""The stack's databases on this machine: start, stop, describe and reset them.

Embedded clusters start side by side; what they share (the system user they run as when
root starts them) is made once before, so parallel starts never race to create it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from edu_cli.migrations import migrate
from edu_cli.postgres import EmbeddedPostgres, PostgresError, ensure_system_users
from edu_cli.stack import Database, Stack
from edu_platform.ports import port_is_free
from edu_seed.aio import run_coroutine


@dataclass(frozen=True)
class Started:
    started: list[str]  # functions whose cluster this call started
    already_running: list[str]
    migrated: dict[str, list[str]]  # per function, the migrations applied now


def _clusters(databases: list[Database]) -> list[EmbeddedPostgres]:
    return [d.cluster for d in databases if d.cluster is not None]


def _in_parallel(
    clusters: list[EmbeddedPostgres], action: Callable[[EmbeddedPostgres], None]
) -> None:
    if not clusters:
        return
    with ThreadPoolExecutor(max_workers=len(clusters)) as pool:
        futures = [pool.submit(action, cluster) for cluster in clusters]
        errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:
        raise PostgresError("\n".join(str(e) for e in errors))


def check_ports(stack: Stack) -> None:
    """Refuse before starting anything when a port we need is taken by something else."""
    problems = []
    for database in stack.databases:
        cluster = database.cluster
        if cluster is None:
            continue
        running_on = cluster.running_port()
        if running_on is not None:
            if running_on != cluster.port:
                problems.append(
                    f"{database.function.name}: its cluster in {cluster.data_dir} already runs "
                    f"on port {running_on}, not {cluster.port}; run `edu db down` first"
                )
            continue
        if not port_is_free(cluster.port, cluster.host):
            problems.append(f"{database.function.name}: port {cluster.port} is already in use")
    if problems:
        raise PostgresError(
            "cannot start the databases:\n  "
            + "\n  ".join(problems)
            + "\nStop what listens there, choose other ports with EDU_DB_PORT_BASE=<port>, "
            "or point <SERVICE>_DATABASE_URL at servers you run yourself."
        )


def start(stack: Stack, *, migrations: bool = True) -> Started:
    """Start what is not running, then create and migrate every database."""
    check_ports(stack)
    stopped = [d for d in stack.databases if d.cluster is not None and not d.cluster.is_running()]
    clusters = _clusters(stopped)
    ensure_system_users(clusters)
    _in_parallel(clusters, EmbeddedPostgres.start)
    started = [d.function.name for d in stopped]
    already = [
        d.function.name for d in stack.databases if d.cluster is not None and d not in stopped
    ]
    return Started(started, already, migrate(stack) if migrations else {})


def stop(stack: Stack, only: Collection[str] = ()) -> list[str]:
    """Stop the embedded clusters that run (``only`` these functions' when given); the
    functions whose cluster stopped."""
    running = [
        d
        for d in stack.databases
        if d.cluster is not None
        and d.cluster.is_running()
        and (not only or d.function.name in only)
    ]
    _in_parallel(_clusters(running), EmbeddedPostgres.stop)
    return [d.function.name for d in running]


def reset(stack: Stack) -> None:
    """Delete every function's data; leave each database empty and migrated."""
    stop(stack)
    for cluster in _clusters(list(stack.databases)):
        cluster.destroy()
    run_coroutine(_drop_external([d for d in stack.databases if d.external]))
    start(stack)


async def _drop_external(databases: list[Database]) -> None:
    import asyncpg

    async def drop(database: Database) -> None:
        admin = await asyncpg.connect(database.server_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
        finally:
            await admin.close()

    await asyncio.gather(*(drop(d) for d in databases))


@dataclass(frozen=True)
class Status:
    function: str
    server: str
    database: str


async def _status(stack: Stack, database: Database) -> Status:
    import asyncpg

    name = database.function.name
    cluster = database.cluster
    if cluster is None:
        parameter = stack.registry.parameters[str(database.function.database_parameter)]
        server = f"external ({parameter.shell_name or parameter.name})"
    else:
        pid = cluster.pid()
        port = cluster.running_port() or cluster.port
        server = f"embedded :{port} " + (f"pid {pid}" if pid else "stopped")
        if pid is None:
            return Status(name, server, "-")
    try:
        conn = await asyncpg.connect(database.url, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        return Status(name, server, f"unreachable: {type(exc).__name__}: {exc}"[:100])
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
    return Status(name, server, f"{migrations} migrations; {tables}")


def status(stack: Stack) -> list[Status]:
    async def every() -> list[Status]:
        return list(await asyncio.gather(*(_status(stack, d) for d in stack.databases)))

    return run_coroutine(every())
