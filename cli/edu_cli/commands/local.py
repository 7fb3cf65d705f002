"""`edu local start-api`: the docker-free local host (package `devhost`) for template.yaml.

Flags follow `sam local start-api` where SAM has them (--template, --port, --host,
--env-vars, --parameter-overrides, --warm-containers, --log-file); the rest are the host's
own. A parameter can also come from its variable in the environment, as for every `edu`
command. Heavy imports happen inside the command so `edu --help` stays cheap.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from devhost import HostConfig

app = typer.Typer(
    help="Run template.yaml locally without Docker: API Gateway (HTTP API) + Lambda.",
    no_args_is_help=True,
)


@app.callback()
def _local() -> None:
    """Run template.yaml locally without Docker: API Gateway (HTTP API) + Lambda."""


class WarmContainers(StrEnum):
    EAGER = "EAGER"
    LAZY = "LAZY"


def build_config(
    template: Path = Path("template.yaml"),
    host: str = "127.0.0.1",
    port: int = 3000,
    env_vars: Path | None = None,
    parameter_overrides: list[str] | None = None,
    warm_containers: str = "LAZY",
    static: Path | None = None,
    api_prefix: str = "/api",
    idle_timeout: float = 300.0,
    max_environments: int = 32,
    invocation_log: Path | None = None,
    region: str | None = None,
    hot_reload: bool = True,
    quiet: bool = False,
    throttle_status: int = 500,
    **options: Any,
) -> HostConfig:
    """The :class:`devhost.HostConfig` for the command's flags (tested on its own).

    The parameters are the stack's (:mod:`edu_cli.stack`): those chosen in the environment
    (``SEARCH_INDEX``, ``<SERVICE>_DATABASE_URL``, ...) or by ``parameter_overrides``, and
    each function's database URL, so the host talks to the databases `edu db up` runs or the
    ones the shell names; ``options`` are further :class:`devhost.HostConfig` fields. Raises
    ``ValueError`` (or ``TemplateError``) naming what is wrong.
    """
    from edu_cli.serving import host_config
    from edu_cli.stack import load_stack

    config = host_config(
        load_stack(parameter_overrides or [], template=template),
        host=host,
        port=port,
        static=static,
        warm_containers=warm_containers,
        invocation_log=invocation_log,
        env_vars=env_vars,
        api_prefix=api_prefix,
        idle_timeout_s=idle_timeout,
        max_environments=max_environments,
        hot_reload=hot_reload,
        quiet=quiet,
        throttle_status=throttle_status,
        **options,
    )
    if region:
        config.region = region
    return config


@app.command("start-api")
def start_api(
    template: Annotated[Path, typer.Option("--template", "-t", help="SAM template to run.")] = Path(
        "template.yaml"
    ),
    port: Annotated[int, typer.Option("--port", "-p", help="Port to listen on.")] = 3000,
    host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
    env_vars: Annotated[
        Path | None,
        typer.Option(
            "--env-vars",
            "-n",
            help='SAM env-vars JSON: {"FunctionLogicalId": {"VAR": "v"}, "Parameters": {...}}.',
        ),
    ] = None,
    parameter_overrides: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter-overrides",
            help="Key=Value Key2=Value2 (or ParameterKey=K,ParameterValue=V); repeatable. "
            "Each can also come from its variable in the environment, e.g. SEARCH_INDEX=trgm.",
        ),
    ] = None,
    warm_containers: Annotated[
        WarmContainers,
        typer.Option(
            "--warm-containers",
            help="EAGER: one environment per function at start; LAZY: on first request.",
            case_sensitive=False,
        ),
    ] = WarmContainers.LAZY,
    static: Annotated[
        Path | None,
        typer.Option("--static", help="Serve this built frontend for every non-API path."),
    ] = None,
    api_prefix: Annotated[
        str, typer.Option("--api-prefix", help="Paths under this prefix never go to --static.")
    ] = "/api",
    idle_timeout: Annotated[
        float,
        typer.Option(
            "--idle-timeout", help="Seconds before an idle environment is ended (0: never)."
        ),
    ] = 300.0,
    max_environments: Annotated[
        int, typer.Option("--max-environments", help="Host-wide cap on live environments.")
    ] = 32,
    capacity_wait: Annotated[
        float,
        typer.Option(
            "--capacity-wait",
            help="Seconds a request waits for an environment at --max-environments (0: 503 "
            "at once).",
        ),
    ] = 10.0,
    invocation_log: Annotated[
        Path | None,
        typer.Option(
            "--invocation-log",
            help="JSON-lines file, one record per invocation (default: one per host process, "
            "in the temp dir; /_host/functions says where).",
        ),
    ] = None,
    log_file: Annotated[
        Path | None,
        typer.Option("--log-file", "-l", help="Write runtime logs here instead of stdout (SAM)."),
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help="AWS_REGION.")] = None,
    hot_reload: Annotated[
        bool, typer.Option("--hot-reload/--no-hot-reload", help="End environments on code changes.")
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No runtime logs.")] = False,
    throttle_status: Annotated[
        int,
        typer.Option(
            "--throttle-status",
            help="HTTP status of a request Lambda throttled (API Gateway answers 500; or 429).",
        ),
    ] = 500,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A host name the control API (/_host) answers besides localhost; repeatable.",
        ),
    ] = None,
    resource_controls: Annotated[
        bool,
        typer.Option(
            "--resource-controls/--no-resource-controls",
            help="CPU share by MemorySize, memory of the process tree, freezing, own /tmp and "
            "read-only code through cgroups and mount namespaces, where the machine allows.",
        ),
    ] = True,
    init_cpu: Annotated[
        str,
        typer.Option(
            "--init-cpu", help="INIT's CPU: burst (a full vCPU on demand), proportional, unlimited."
        ),
    ] = "burst",
    freeze: Annotated[
        str,
        typer.Option("--freeze", help="Between invocations: auto, cgroup, signal or off."),
    ] = "auto",
    workspace_packages: Annotated[
        bool,
        typer.Option(
            "--workspace-packages",
            help="Run functions with the workspace's interpreter and packages instead of "
            "building each as sam build would (debugging).",
        ),
    ] = False,
) -> None:
    """Serve the template's HttpApi routes; each function runs in real execution
    environments (`python -m awslambdaric`) started, reused, throttled and reaped as on AWS."""
    from devhost import Host
    from devhost.template import TemplateError

    try:
        config = build_config(
            template,
            host,
            port,
            env_vars,
            parameter_overrides,
            warm_containers.value,
            static,
            api_prefix,
            idle_timeout,
            max_environments,
            invocation_log,
            region,
            hot_reload,
            quiet,
            throttle_status,
            capacity_wait=capacity_wait,
            allowed_hosts=tuple(allowed_host or ()),
            resource_controls=resource_controls,
            init_cpu=init_cpu,
            freeze=freeze,
            isolated_packages=not workspace_packages,
        )
        config.log_file = log_file  # rotated by the host
        server = Host(config)
    except (TemplateError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    try:
        server.start()
    except OSError as exc:
        typer.echo(f"error: cannot listen on {host}:{port}: {exc}", err=True)
        raise typer.Exit(1) from exc
    server.serve_forever()
