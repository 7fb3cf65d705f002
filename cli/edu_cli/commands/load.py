"""`edu load` (Locust headless + the per-function report) and `edu report --cloudwatch`.

The work lives in the `edu_loadtest` package; this module only turns flags into options, so
`edu --help` stays cheap (Locust, matplotlib and boto3 are imported inside the commands).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edu_cli.options import fail, stack_or_exit

SCENARIO_HELP = "mixed | student | search | teacher | cold (weights: loadtest scenarios.py)."


def load(
    users: Annotated[int, typer.Option("--users", "-u", min=1, help="Peak users.")] = 10,
    spawn_rate: Annotated[
        float, typer.Option("--spawn-rate", "-r", min=0.1, help="Users started per second.")
    ] = 2.0,
    run_time: Annotated[
        str, typer.Option("--run-time", "-t", help="How long: 30s, 2m, 1h30m.")
    ] = "60s",
    scenario: Annotated[str, typer.Option("--scenario", "-s", help=SCENARIO_HELP)] = "mixed",
    host: Annotated[
        str | None,
        typer.Option(
            "--host",
            help="Base URL to load (AWS included). Default: the local host on :3000 if it "
            "runs and no parameter is chosen, else one started for the run.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output folder (default reports/<time>-<scenario>)."),
    ] = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare",
            help="KEY=v1,v2: run once per value on a fresh local host with that switch "
            "(SEARCH_INDEX=none,trgm | DB_POOL_SIZE=5,1 | CACHE=none,redis), or once per "
            "shape (Shape=lambda,uvicorn: the local host, then edu serve --uvicorn).",
        ),
    ] = None,
    accounts: Annotated[
        Path | None,
        typer.Option("--accounts", help="The seed's accounts file (.edu/seed-accounts.json)."),
    ] = None,
    invocation_log: Annotated[
        Path | None,
        typer.Option(
            "--invocation-log",
            help="The local host's JSON-lines log (default: the path /_host/functions reports).",
        ),
    ] = None,
    architecture: Annotated[
        str | None,
        typer.Option("--architecture", help="x86_64 | arm64 for the cost (default: template)."),
    ] = None,
    reset_every: Annotated[
        float,
        typer.Option(
            "--reset-every",
            min=0,
            help="POST /_host/reset every N s (0: never; "
            "the cold scenario resets before each burst).",
        ),
    ] = 0.0,
    parameter_overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter-overrides",
            "--parameter",
            "-p",
            help="Template parameters Key=Value for a host started here (SAM's syntax; "
            "repeatable). Each can also come from its variable in the environment, e.g. "
            "SEARCH_INDEX=trgm.",
        ),
    ] = None,
    max_environments: Annotated[
        int, typer.Option("--max-environments", help="Host-wide cap of a host started here.")
    ] = 32,
    template: Annotated[Path, typer.Option("--template", help="SAM template.")] = Path(
        "template.yaml"
    ),
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=0,
            help="Locust's distributed mode: a master and N worker processes on this machine "
            "(0: one process).",
        ),
    ] = 0,
    expect_workers: Annotated[
        int | None,
        typer.Option(
            "--expect-workers",
            min=1,
            help="Workers the master waits for (default --workers); more lets workers on other "
            "machines join: locust -f loadtest/edu_loadtest/locustfile.py --worker "
            "--master-host THIS_MACHINE --master-port PORT.",
        ),
    ] = None,
    master_bind_host: Annotated[
        str,
        typer.Option("--master-bind-host", help="Where the master listens for workers."),
    ] = "127.0.0.1",
    master_port: Annotated[
        int | None,
        typer.Option("--master-port", help="The master's port for workers (default: a free one)."),
    ] = None,
    sample_db: Annotated[
        bool,
        typer.Option("--sample-db/--no-sample-db", help="Sample pg_stat_activity (local only)."),
    ] = True,
) -> None:
    """Run Locust headless and write the per-function report (report.md, CSV, HTML, PNGs)."""
    from edu_cli import runstate
    from edu_cli.migrations import migrate_with
    from edu_loadtest.host import DEFAULT_LOCAL_URL, host_functions
    from edu_loadtest.options import LoadOptions
    from edu_loadtest.runner import default_out_dir, parse_compare, run_compare, run_load
    from edu_loadtest.scenarios import SCENARIOS

    if scenario not in SCENARIOS:
        raise typer.BadParameter(f"choose from {', '.join(SCENARIOS)}", param_hint="--scenario")
    if expect_workers is not None and expect_workers < workers:
        raise typer.BadParameter(
            f"the master cannot wait for fewer than the {workers} --workers it starts",
            param_hint="--expect-workers",
        )
    if compare and host:
        raise typer.BadParameter("--compare starts its own hosts", param_hint="--host")
    stack = stack_or_exit(parameter_overrides, template=template)
    if compare:
        try:
            parse_compare(compare, stack.registry)
        except ValueError as exc:
            raise fail(f"error: {exc}", 2) from exc
    host_parameters = None
    if host is None and not stack.chosen and host_functions(DEFAULT_LOCAL_URL) is not None:
        # Nothing asked for a host of its own: load the one already serving (`make up`).
        host = DEFAULT_LOCAL_URL
        running = runstate.read_state()
        if running is not None and running.url == DEFAULT_LOCAL_URL:
            host_parameters = running.parameters
        typer.echo(f"using the local host already running at {DEFAULT_LOCAL_URL}")

    opts = LoadOptions(
        users=users,
        spawn_rate=spawn_rate,
        run_time=run_time,
        scenario=scenario,
        host=host,
        host_parameters=host_parameters,
        out=out or default_out_dir(scenario if not compare else f"{scenario}-compare"),
        accounts=accounts,
        invocation_log=invocation_log,
        architecture=architecture,
        reset_every=reset_every,
        databases=stack.database_urls() if sample_db else {},
        template=template,
        parameters=stack.parameters,
        prepare=migrate_with(stack),
        max_environments=max_environments,
        workers=workers,
        expect_workers=expect_workers,
        master_bind_host=master_bind_host,
        master_port=master_port,
    )
    echo = lambda line: typer.echo(line, nl=not line.startswith("\r"))  # noqa: E731
    try:
        if compare:
            folder, _ = run_compare(opts, compare, echo)
        else:
            run_load(opts, echo)
            folder = opts.out or Path()
    except (ValueError, RuntimeError, FileNotFoundError, OSError) as exc:
        raise fail(f"load failed: {exc}") from exc
    typer.echo((folder / "report.md").read_text(encoding="utf-8"))
    typer.echo(f"report: {folder / 'report.md'}")


def report(
    cloudwatch: Annotated[
        bool, typer.Option("--cloudwatch", help="Read REPORT lines from CloudWatch Logs.")
    ] = False,
    stack: Annotated[str | None, typer.Option("--stack", help="CloudFormation stack name.")] = None,
    since: Annotated[str, typer.Option("--since", help="Window: 30m, 1h, 2d.")] = "1h",
    region: Annotated[str | None, typer.Option("--region", help="AWS region.")] = None,
    architecture: Annotated[
        str, typer.Option("--architecture", help="x86_64 | arm64 for the cost.")
    ] = "x86_64",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Also write the report to this file.")
    ] = None,
) -> None:
    """The per-function table of a deployed stack, from its CloudWatch REPORT lines."""
    if not cloudwatch or not stack:
        raise typer.BadParameter("use: edu report --cloudwatch --stack NAME [--since 1h]")
    from edu_loadtest.cloudwatch import cloudwatch_report

    try:
        text = cloudwatch_report(stack, since, region=region, architecture=architecture)
    except ValueError as exc:
        typer.secho(f"report failed: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    typer.echo(text)
