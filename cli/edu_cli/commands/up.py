"""`edu up` / `edu down`: the whole platform on this machine with one command (`make up`).

`edu up` starts the five databases (embedded PostgreSQL, or the servers whose URLs are given),
applies the migrations, seeds demo data at ``SEED_SCALE`` when every database is empty, builds
the frontend when its build is missing or stale, and serves template.yaml with the docker-free
local host on port 3000 (the frontend on the same origin). Ctrl-C stops the host and the
databases this run started; the data stays in ``.edu/``, so the next `edu up` is ready in
seconds. ``--detach`` runs the same in the background (log in ``.edu/up.log``); `edu down`
stops it and the databases.
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

from edu_cli import databases, frontend, runstate, seeding, serving
from edu_cli.commands.database import print_urls
from edu_cli.options import ParameterOverrides, fail, stack_or_exit
from edu_cli.postgres import PostgresError
from edu_cli.stack import Stack
from edu_platform.ports import port_is_free

DEFAULT_SEED_SCALE = 0.02


def print_banner(url: str, static: Path | None, stack: Stack) -> None:
    typer.echo("")
    typer.secho("EduPlatform is up", fg="green")
    if static is not None:
        typer.echo(f"  web app         {url}/")
    typer.echo(f"  API             {url}/api   (e.g. {url}/api/courses?q=python)")
    typer.echo(f"  API docs        {url}/api/identity/docs  (and /api/<function>/docs)")
    typer.echo(f"  host dashboard  {url}/_host/   (live meters per function)")
    typer.echo(f"  host metrics    {url}/_host/functions  {url}/_host/metrics")
    typer.echo("  databases")
    print_urls(stack)
    demo = _demo_accounts(runstate.accounts_file())
    if demo:
        typer.echo("  demo accounts (password: " + next(iter(demo.values()))["password"] + ")")
        for role, account in demo.items():
            typer.echo(f"    {role.replace('_', ' '):<20} {account['email']}")
    typer.echo(
        "Ctrl-C stops the host and the databases; data stays in .edu/ (`edu down` if detached)"
    )


def _demo_accounts(accounts_file: Path) -> dict[str, dict[str, Any]]:
    try:
        demo: dict[str, dict[str, Any]] = json.loads(accounts_file.read_text())["demo"]
        return demo
    except (OSError, ValueError, KeyError):
        from edu_seed.common import DEMO_EMAILS
        from edu_seed.run import DEMO_PASSWORD

        return {role: {"email": e, "password": DEMO_PASSWORD} for role, e in DEMO_EMAILS.items()}


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def up(
    host: Annotated[str, typer.Option(help="Interface the host listens on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port of the API and the web app.")] = 3000,
    seed_scale: Annotated[
        float, typer.Option(envvar="SEED_SCALE", help="Scale of the demo seed when empty.")
    ] = DEFAULT_SEED_SCALE,
    seed: Annotated[bool, typer.Option(help="Seed demo data when the databases are empty.")] = True,
    web: Annotated[
        bool, typer.Option("--frontend/--no-frontend", help="Build and serve the web app.")
    ] = True,
    detach: Annotated[
        bool, typer.Option("--detach", "-d", help="Run in the background (`edu down` stops it).")
    ] = False,
    uvicorn: Annotated[
        bool, typer.Option("--uvicorn", help="Serve with plain uvicorn instead of the Lambda host.")
    ] = False,
    warm_containers: Annotated[
        str, typer.Option(help="LAZY (cold start on first use) or EAGER (prewarmed).")
    ] = "LAZY",
    parameter_overrides: ParameterOverrides = None,
) -> None:
    """Run the whole platform locally: databases, migrations, demo data, web app and API."""
    if not Path("template.yaml").exists():
        raise fail("template.yaml not found: run `edu up` from the repository root")
    stack = stack_or_exit(parameter_overrides)  # a bad parameter stops here, detached or not
    lookup = runstate.find_run()
    if lookup.state is not None:
        running = lookup.state
        typer.echo(f"already running (pid {running.pid}) at {running.url}; `edu down` stops it")
        return
    if lookup.problem:
        typer.secho(f"not trusted and removed: {lookup.problem}", fg="yellow")
        runstate.remove_untrusted()
    if detach:
        _detach(
            [
                f"--host={host}",
                f"--port={port}",
                f"--seed-scale={seed_scale}",
                "--seed" if seed else "--no-seed",
                "--frontend" if web else "--no-frontend",
                f"--warm-containers={warm_containers}",
                *(["--uvicorn"] if uvicorn else []),
                *(f"--parameter-overrides={o}" for o in parameter_overrides or []),
            ]
        )
        return

    wildcard = host in ("0.0.0.0", "")
    url = f"http://{'127.0.0.1' if wildcard else host}:{port}"
    if not port_is_free(port, "0.0.0.0" if wildcard else host):
        raise fail(f"port {port} is already in use: stop what listens there or choose --port")
    # `edu down` sends SIGTERM: before the host takes over the signal, clean up as for Ctrl-C.
    signal.signal(signal.SIGTERM, _interrupt)
    started: list[str] = []
    try:
        try:
            started = databases.start(stack).started
        except PostgresError as exc:
            raise fail(exc) from exc
        external = [d.function.name for d in stack.databases if d.external]
        typer.echo(
            "databases: "
            + (f"started {', '.join(started)}" if started else "already running")
            + (f"; external: {', '.join(external)}" if external else "")
        )
        if seed:
            try:
                seeding.ensure_seeded(stack.database_urls(), seed_scale, runstate.accounts_file())
            except seeding.PartialSeed as exc:
                raise fail(f"refusing to serve a partial seed: {exc}") from exc
        static = frontend.build() if web else None

        def ready() -> None:
            print_banner(url, static, stack)
            sys.stdout.flush()  # a detached parent reads the banner from the log next
            shown = stack.registry.shown_values(stack.parameters)
            runstate.RunState.of_this_process(url, started, shown).write()

        try:
            if uvicorn:
                serving.serve_with_uvicorn(stack, host=host, port=port, on_ready=ready)
            else:
                config = serving.host_config(
                    stack,
                    host=host,
                    port=port,
                    static=static,
                    warm_containers=warm_containers,
                    invocation_log=runstate.invocation_log(),
                )
                serving.serve_with_host(config, ready)
        except OSError as exc:
            raise fail(f"cannot serve on {host}:{port}: {exc}") from exc
    except KeyboardInterrupt:
        pass
    finally:
        runstate.clear_state(os.getpid())
        if started:
            stopped = databases.stop(stack, only=started)
            typer.echo(f"stopped databases: {', '.join(stopped)} (data kept in .edu/)")


def _detach(args: list[str]) -> None:
    """Start `edu up` (without --detach) in its own session; wait until it serves."""
    log_path = runstate.log_file()
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
    typer.echo(f"starting in the background (pid {child.pid}, log {log_path}) ...")
    deadline = time.monotonic() + 600  # a first run may install and build the frontend
    while time.monotonic() < deadline:
        if child.poll() is not None:
            typer.secho(f"edu up exited with {child.returncode}; the end of {log_path}:", fg="red")
            typer.echo(log_path.read_text(errors="replace")[-3000:])
            raise typer.Exit(1)
        state = runstate.read_state()
        if state is not None and state.pid == child.pid and _answers(state.url):
            banner = log_path.read_text(errors="replace")
            start = banner.rfind("EduPlatform is up")
            typer.echo(banner[start:].strip() if start >= 0 else f"up at {state.url}")
            typer.echo(f"detached: `edu down` (or `make down`) stops it; log in {log_path}")
            return
        time.sleep(0.3)
    raise fail(f"edu up did not become ready in time; see {log_path}")


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
    parameter_overrides: ParameterOverrides = None,
) -> None:
    """Stop what `edu up` started (also a detached run) and the embedded databases."""
    stack = stack_or_exit(parameter_overrides)
    lookup = runstate.find_run()
    state = lookup.state
    if state is not None:
        os.kill(state.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while state.is_ours() and time.monotonic() < deadline:
            time.sleep(0.2)
        if state.is_ours():  # checked again: never kill a process that is not the run
            typer.secho(
                f"edu up (pid {state.pid}) did not stop in {timeout:.0f} s; killing it",
                fg="yellow",
            )
            os.kill(state.pid, signal.SIGKILL)
        typer.echo(f"stopped edu up (pid {state.pid})")
        runstate.state_file().unlink(missing_ok=True)
    elif lookup.problem:
        typer.secho(
            f"no process signalled: {lookup.problem}. If `edu up` still runs, stop it with "
            "Ctrl-C in its terminal. The state file was removed.",
            fg="yellow",
        )
        runstate.remove_untrusted()
    else:
        typer.echo("no `edu up` running")
    if not keep_databases:
        stopped = databases.stop(stack)
        if stopped:
            typer.echo(f"stopped databases: {', '.join(stopped)} (data kept in .edu/)")
