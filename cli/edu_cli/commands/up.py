"""`edu up` / `edu down`: the whole platform on this machine with one command (`make up`).

`edu up` starts the five databases (embedded PostgreSQL, or the servers named by
``<SERVICE>_DATABASE_URL``), applies the migrations, seeds demo data at ``SEED_SCALE`` when
every database is empty, builds the frontend when its build is missing or stale, and serves
template.yaml with the docker-free local host on port 3000 (the frontend on the same origin).
Ctrl-C stops the host and the databases this run started; the data stays in ``.edu/``, so the
next `edu up` is ready in seconds. ``--detach`` runs the same in the background (log in
``.edu/up.log``); `edu down` stops it and the databases.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Annotated, Any

import typer

from edu_cli.commands import database
from edu_cli.postgres import PostgresError, port_is_free
from edu_seed.aio import run_coroutine

FRONTEND = Path("frontend")
DEFAULT_SEED_SCALE = 0.02
# The switches of SPEC §6 (and friends) as template parameters: set in the shell, they reach
# the functions through the host's parameter overrides, as `sam deploy` would pass them.
PARAMETER_ENV = {
    "SEARCH_INDEX": "SearchIndex",
    "DB_POOL_SIZE": "DbPoolSize",
    "CACHE": "Cache",
    "REDIS_URL": "RedisUrl",
    "JWT_SECRET": "JwtSecret",
    "EMAIL_SENDER": "EmailSender",
    "LOG_LEVEL": "LogLevel",
}
DATABASE_PARAMETERS = {
    "identity": "IdentityDatabaseUrl",
    "course": "CourseDatabaseUrl",
    "enrollment": "EnrollmentDatabaseUrl",
    "payment": "PaymentDatabaseUrl",
    "notification": "NotificationDatabaseUrl",
}


def state_dir() -> Path:
    """Where a run keeps its pid/url file, log, accounts file and invocation log.

    ``.edu`` (git-ignored) unless ``EDU_STATE_DIR`` says otherwise (tests, parallel stacks).
    """
    return Path(os.environ.get("EDU_STATE_DIR") or ".edu")


def state_file() -> Path:
    return state_dir() / "up.json"


def log_file() -> Path:
    return state_dir() / "up.log"


def accounts_file() -> Path:
    return state_dir() / "seed-accounts.json"


def _say(message: str, *, color: str | None = None, err: bool = False) -> None:
    typer.secho(message, fg=color, err=err)


# ------------------------------------------------------------------------- state of a run


def read_state() -> dict[str, Any] | None:
    try:
        state: dict[str, Any] = json.loads(state_file().read_text())
    except (OSError, ValueError):
        return None
    return state if _alive(int(state.get("pid", 0))) else None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (our own exited child not reaped yet) is not running
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def _write_state(**state: Any) -> None:
    state_file().parent.mkdir(parents=True, exist_ok=True)
    state_file().write_text(json.dumps(state, indent=2) + "\n")


def _clear_state() -> None:
    try:
        if json.loads(state_file().read_text()).get("pid") == os.getpid():
            state_file().unlink()
    except (OSError, ValueError):
        pass


# ------------------------------------------------------------------------- seeding


async def _all_empty(urls: dict[str, str]) -> tuple[bool, list[str]]:
    import asyncpg

    from edu_seed.loader import non_empty_tables

    filled: list[str] = []
    for service, url in urls.items():
        conn = await asyncpg.connect(url)
        try:
            filled += [f"{service}.{t}" for t in await non_empty_tables(conn)]
        finally:
            await conn.close()
    return not filled, filled


def seed_if_empty(targets: list[database.Target], scale: float) -> bool:
    from edu_cli.commands.seed import run_seed
    from edu_seed.run import DEFAULT_RANDOM_SEED

    urls = database.urls(targets)
    empty, filled = run_coroutine(_all_empty(urls))
    if not empty:
        _say(f"data present ({len(filled)} non-empty tables): not seeding")
        return False
    _say(f"empty databases: seeding demo data at scale {scale} ...")
    run_seed(
        urls,
        scale=scale,
        random_seed=DEFAULT_RANDOM_SEED,
        reset=False,
        accounts_file=accounts_file(),
        show_progress=sys.stderr.isatty(),
    )
    return True


# ------------------------------------------------------------------------- frontend

_FRONTEND_SOURCES = (
    "src", "public", "package.json", "package-lock.json", "next.config.ts", "tsconfig.json",
    "postcss.config.mjs",
)  # fmt: skip


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_dir():
            for child in path.rglob("*"):
                if child.is_file():
                    newest = max(newest, child.stat().st_mtime)
        elif path.exists():
            newest = max(newest, path.stat().st_mtime)
    return newest


def frontend_is_stale(frontend: Path = FRONTEND) -> bool:
    built = frontend / "out" / "index.html"
    if not built.exists():
        return True
    sources = [frontend / name for name in _FRONTEND_SOURCES]
    return _newest_mtime(sources) > built.stat().st_mtime


def build_frontend(frontend: Path = FRONTEND) -> Path | None:
    """Build the static export when needed; the directory to serve, or None (API only)."""
    if not (frontend / "package.json").exists():
        return None
    out = frontend / "out"
    if not frontend_is_stale(frontend):
        return out
    npm = "npm"
    environment = {**os.environ, "NEXT_TELEMETRY_DISABLED": "1"}
    steps = []
    if not (frontend / "node_modules").is_dir():
        steps.append([npm, "ci", "--no-audit", "--no-fund"])
    steps.append([npm, "run", "build"])
    for step in steps:
        _say(f"frontend: {' '.join(step)}")
        try:
            result = subprocess.run(step, cwd=frontend, env=environment, check=False)
        except FileNotFoundError:
            _say("frontend: npm is not installed; serving the API only", color="yellow")
            return out if (out / "index.html").exists() else None
        if result.returncode != 0:
            _say(
                f"frontend: `{' '.join(step)}` failed; serving "
                + ("the previous build" if (out / "index.html").exists() else "the API only"),
                color="yellow",
            )
            return out if (out / "index.html").exists() else None
    return out


# ------------------------------------------------------------------------- printing


def print_banner(url: str, static: Path | None, targets: list[database.Target]) -> None:
    _say("")
    _say("EduPlatform is up", color="green")
    if static is not None:
        _say(f"  web app         {url}/")
    _say(f"  API             {url}/api   (e.g. {url}/api/courses?q=python)")
    _say(f"  API docs        {url}/api/identity/docs  (and /api/<function>/docs)")
    _say(f"  host metrics    {url}/_host/functions  {url}/_host/metrics")
    _say("  databases")
    database.print_urls(targets)
    demo = _demo_accounts(accounts_file())
    if demo:
        _say("  demo accounts (password: " + next(iter(demo.values()))["password"] + ")")
        for role, account in demo.items():
            _say(f"    {role.replace('_', ' '):<20} {account['email']}")
    _say("Ctrl-C stops the host and the databases; data stays in .edu/ (`edu down` if detached)")


def _demo_accounts(accounts_file: Path) -> dict[str, dict[str, Any]]:
    try:
        demo: dict[str, dict[str, Any]] = json.loads(accounts_file.read_text())["demo"]
        return demo
    except (OSError, ValueError, KeyError):
        from edu_seed.common import DEMO_EMAILS
        from edu_seed.run import DEMO_PASSWORD

        return {role: {"email": e, "password": DEMO_PASSWORD} for role, e in DEMO_EMAILS.items()}


# ------------------------------------------------------------------------- serving


def parameter_overrides(targets: list[database.Target], extra: list[str]) -> dict[str, str]:
    overrides = {DATABASE_PARAMETERS[t.service]: t.url for t in targets}
    for variable, parameter in PARAMETER_ENV.items():
        if os.environ.get(variable):
            overrides[parameter] = os.environ[variable]
    for item in extra:
        for pair in item.split():
            key, _, value = pair.partition("=")
            if key and value:
                overrides[key] = value
    return overrides


def _serve_devhost(
    host: str,
    port: int,
    static: Path | None,
    overrides: dict[str, str],
    warm_containers: str,
    on_ready: Any,
) -> None:
    from devhost.host import Host, HostConfig

    config = HostConfig(
        template="template.yaml",
        host=host,
        port=port,
        parameter_overrides=overrides,
        static_dir=static,
        warm_containers=warm_containers.upper(),
        invocation_log=state_dir() / "devhost" / "invocations.jsonl",
    )
    server = Host(config).start()
    on_ready()
    server.serve_forever()  # until SIGINT/SIGTERM; stops the host's environments itself


def _serve_uvicorn(host: str, port: int, targets: list[database.Target], on_ready: Any) -> None:
    import uvicorn

    from edu_cli.commands.serve import dispatcher

    os.environ.update(database.env_for(targets))
    names = [t.service for t in targets]
    config = uvicorn.Config(dispatcher(names), host=host, port=port, log_level="warning")
    server = uvicorn.Server(config)
    original_startup = server.startup

    async def startup(sockets: Any = None) -> None:
        await original_startup(sockets)
        on_ready()

    server.startup = startup  # type: ignore[method-assign]
    server.run()


# ------------------------------------------------------------------------- commands

HostOption = Annotated[str, typer.Option(help="Interface the host listens on.")]
PortOption = Annotated[int, typer.Option(help="Port of the API and the web app.")]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def up(
    host: HostOption = "127.0.0.1",
    port: PortOption = 3000,
    seed_scale: Annotated[
        float, typer.Option(envvar="SEED_SCALE", help="Scale of the demo seed when empty.")
    ] = DEFAULT_SEED_SCALE,
    seed: Annotated[bool, typer.Option(help="Seed demo data when the databases are empty.")] = True,
    frontend: Annotated[bool, typer.Option(help="Build and serve the web app.")] = True,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Run in the background (`edu down` stops it).")
    ] = False,
    uvicorn: Annotated[
        bool, typer.Option("--uvicorn", help="Serve with plain uvicorn instead of the Lambda host.")
    ] = False,
    warm_containers: Annotated[
        str, typer.Option(help="LAZY (cold start on first use) or EAGER (prewarmed).")
    ] = "LAZY",
    parameter_overrides_: Annotated[
        list[str] | None,
        typer.Option("--parameter-overrides", help="Template parameters, Key=Value (repeatable)."),
    ] = None,
) -> None:
    """Run the whole platform locally: databases, migrations, demo data, web app and API."""
    if not Path("template.yaml").exists():
        _say("template.yaml not found: run `edu up` from the repository root", color="red")
        raise typer.Exit(1)
    running = read_state()
    if running is not None:
        _say(f"already running (pid {running['pid']}) at {running['url']}; `edu down` stops it")
        return
    if detach:
        child_args = [
            f"--host={host}",
            f"--port={port}",
            f"--seed-scale={seed_scale}",
            "--seed" if seed else "--no-seed",
            "--frontend" if frontend else "--no-frontend",
            f"--warm-containers={warm_containers}",
            *(["--uvicorn"] if uvicorn else []),
            *(f"--parameter-overrides={o}" for o in parameter_overrides_ or []),
        ]
        _detach(child_args)
        return

    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
    if not port_is_free(port, "0.0.0.0" if host in ("0.0.0.0", "") else host):
        _say(
            f"port {port} is already in use: stop what listens there or choose --port",
            color="red",
            err=True,
        )
        raise typer.Exit(1)
    # `edu down` sends SIGTERM: before the host takes over the signal, clean up as for Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    targets = database.plan()
    started: list[str] = []
    try:
        try:
            started, _ = database.start(targets)
        except PostgresError as exc:
            _say(str(exc), color="red", err=True)
            raise typer.Exit(1) from exc
        external = [t.service for t in targets if t.external]
        _say(
            "databases: "
            + (f"started {', '.join(started)}" if started else "already running")
            + (f"; external: {', '.join(external)}" if external else "")
        )
        if seed:
            seed_if_empty(targets, seed_scale)
        static = build_frontend() if frontend else None

        def ready() -> None:
            print_banner(url, static, targets)
            sys.stdout.flush()  # a detached parent reads the banner from the log next
            _write_state(pid=os.getpid(), url=url, started_databases=started)

        try:
            if uvicorn:
                _serve_uvicorn(host, port, targets, ready)
            else:
                try:
                    import devhost  # noqa: F401
                except ImportError:
                    _say("the local host (devhost) is missing: serving with uvicorn instead")
                    _serve_uvicorn(host, port, targets, ready)
                else:
                    overrides = parameter_overrides(targets, parameter_overrides_ or [])
                    _serve_devhost(host, port, static, overrides, warm_containers, ready)
        except OSError as exc:
            _say(f"cannot serve on {host}:{port}: {exc}", color="red", err=True)
            raise typer.Exit(1) from exc
    except KeyboardInterrupt:
        pass
    finally:
        _clear_state()
        if started:
            stopped = database.stop([t for t in targets if t.service in started])
            _say(f"stopped databases: {', '.join(stopped)} (data kept in .edu/)")


def _detach(args: list[str]) -> None:
    """Start `edu up` (without --detach) in its own session; wait until it serves."""
    log_path = log_file()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        child = subprocess.Popen(
            [sys.executable, "-m", "edu_cli.main", "up", *args],
            stdin=subprocess.DEVNULL,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _say(f"starting in the background (pid {child.pid}, log {log_path}) ...")
    deadline = time.monotonic() + 600  # a first run may install and build the frontend
    while time.monotonic() < deadline:
        if child.poll() is not None:
            _say(f"edu up exited with {child.returncode}; the end of {log_path}:", color="red")
            _say(log_path.read_text(errors="replace")[-3000:])
            raise typer.Exit(1)
        state = read_state()
        if state is not None and state.get("pid") == child.pid and _answers(state["url"]):
            banner = log_path.read_text(errors="replace")
            start = banner.rfind("EduPlatform is up")
            _say(banner[start:].strip() if start >= 0 else f"up at {state['url']}")
            _say(f"detached: `edu down` (or `make down`) stops it; log in {log_path}")
            return
        time.sleep(0.3)
    _say("edu up did not become ready in time; see " + str(log_path), color="red")
    raise typer.Exit(1)


def _answers(url: str) -> bool:
    for path in ("/_host/health", "/api/identity/health"):
        try:
            with urllib.request.urlopen(url + path, timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return True
        except OSError:
            continue
    return False


def down(
    keep_databases: Annotated[
        bool, typer.Option(help="Stop only the host; leave the databases running.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a clean stop.")] = 30.0,
) -> None:
    """Stop what `edu up` started (also a detached run) and the embedded databases."""
    state = read_state()
    if state is not None:
        pid = int(state["pid"])
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        if _alive(pid):
            _say(f"edu up (pid {pid}) did not stop in {timeout:.0f} s; killing it", color="yellow")
            os.kill(pid, signal.SIGKILL)
        _say(f"stopped edu up (pid {pid})")
        state_file().unlink(missing_ok=True)
    else:
        _say("no `edu up` running")
    if not keep_databases:
        stopped = database.stop(database.plan())
        if stopped:
            _say(f"stopped databases: {', '.join(stopped)} (data kept in .edu/)")
