"""``python -m devhost [--template ...]``: the host without the ``edu`` CLI (same flags as
``edu local start-api``), handy to start it from another process or a Makefile."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from devhost.host import Host, HostConfig
    from devhost.template import TemplateError, parse_parameter_overrides

    p = argparse.ArgumentParser(prog="python -m devhost", description=__doc__)
    p.add_argument("--template", "-t", default="template.yaml")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", "-p", type=int, default=3000)
    p.add_argument("--env-vars", "-n")
    p.add_argument("--parameter-overrides", action="append")
    p.add_argument("--warm-containers", choices=["EAGER", "LAZY"], default="LAZY", type=str.upper)
    p.add_argument("--static")
    p.add_argument("--api-prefix", default="/api")
    p.add_argument("--idle-timeout", type=float, default=300.0)
    p.add_argument("--max-environments", type=int, default=32)
    p.add_argument(
        "--capacity-wait",
        type=float,
        default=10.0,
        help="seconds a request waits for an environment at --max-environments (0: 503 at once)",
    )
    p.add_argument(
        "--invocation-log", help="JSON-lines file (default: one per host process, in the temp dir)"
    )
    p.add_argument("--log-file", "-l")
    p.add_argument("--region")
    p.add_argument("--no-hot-reload", action="store_true")
    p.add_argument("--quiet", "-q", action="store_true")
    p.add_argument(
        "--throttle-status",
        type=int,
        default=500,
        help="status of a request Lambda throttled (AWS: 500 Internal Server Error; or 429)",
    )
    p.add_argument(
        "--integration-timeout",
        type=float,
        default=30.0,
        help="seconds before API Gateway answers 503 while the function runs on (HTTP API: 30)",
    )
    p.add_argument("--log-max-bytes", type=int, default=20 * 1024 * 1024)
    p.add_argument("--log-backups", type=int, default=2)
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        help="a host name the control API (/_host) answers besides localhost; repeatable",
    )
    resources = p.add_argument_group("Lambda's resource model (see README)")
    resources.add_argument(
        "--no-resource-controls",
        action="store_true",
        help="no cgroups or mount namespaces: unthrottled, shared /tmp, writable task root",
    )
    resources.add_argument(
        "--no-cpu-share", action="store_true", help="do not limit CPU by MemorySize"
    )
    resources.add_argument(
        "--init-cpu",
        choices=["burst", "proportional", "unlimited"],
        default="burst",
        help="CPU of the INIT phase (default burst: a full vCPU on demand, as AWS's guide says)",
    )
    resources.add_argument(
        "--freeze",
        choices=["auto", "cgroup", "signal", "off"],
        default="auto",
        help="how environments are frozen between invocations (default: cgroup, else signals)",
    )
    resources.add_argument(
        "--shared-tmp", action="store_true", help="environments share the machine's /tmp"
    )
    resources.add_argument(
        "--writable-code", action="store_true", help="the task root and layers stay writable"
    )
    p.add_argument(
        "--workspace-packages",
        action="store_true",
        help="run functions with the host's interpreter and every workspace package instead "
        "of building each as `sam build` would (debugging)",
    )
    a = p.parse_args(argv)
    try:
        config = HostConfig(
            template=a.template,
            host=a.host,
            port=a.port,
            parameter_overrides=parse_parameter_overrides(a.parameter_overrides),
            env_vars=a.env_vars,
            warm_containers=a.warm_containers,
            static_dir=a.static,
            api_prefix=a.api_prefix,
            idle_timeout_s=a.idle_timeout,
            max_environments=a.max_environments,
            capacity_wait_s=a.capacity_wait,
            invocation_log=a.invocation_log or None,
            hot_reload=not a.no_hot_reload,
            quiet=a.quiet,
            throttle_status=a.throttle_status,
            integration_timeout_s=a.integration_timeout,
            allowed_hosts=tuple(a.allowed_host),
            log_file=a.log_file or None,
            log_max_bytes=a.log_max_bytes,
            log_backups=a.log_backups,
            resource_controls=not a.no_resource_controls,
            cpu_share=not a.no_cpu_share,
            init_cpu=a.init_cpu,
            freeze=a.freeze,
            private_tmp=not a.shared_tmp,
            read_only_code=not a.writable_code,
            isolated_packages=not a.workspace_packages,
        )
        if a.region:
            config.region = a.region
        host = Host(config)
    except (TemplateError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    host.start()
    host.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
