"""The host: a SAM template served as API Gateway (HTTP API) + Lambda on one machine.

:class:`Host` puts the parts together — the template model, Lambda (:mod:`devhost.runtime`),
the gateway (:mod:`devhost.gateway`) and the HTTP transport (:mod:`devhost.http`) — and owns
what spans them: start and stop, hot reload, metering and the control API's documents.
:func:`run_host` runs one until stopped.
"""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from devhost.build import Builder
from devhost.gateway.api import ApiSettings, HttpApi
from devhost.gateway.control import ControlApi
from devhost.gateway.dashboard import Dashboard, Timeline
from devhost.gateway.front import FrontDoor
from devhost.gateway.static import StaticFiles
from devhost.http.server import HttpServer, ServerLimits
from devhost.logs import LogSink
from devhost.metering import InvocationLog, Metering
from devhost.rotation import Rotation
from devhost.runtime.cgroups import cpu_share
from devhost.runtime.invocation import iso_time
from devhost.runtime.launch import LaunchSettings
from devhost.runtime.resources import FreezeMode, InitCpu, Resources, ResourceSettings
from devhost.runtime.service import INIT_LIMIT_S, LambdaService, ServiceSettings
from devhost.runtime.snapstart import AFTER_RESTORE_LIMIT_S
from devhost.template import DEFAULT_REGION, TemplateModel, load_env_vars_file, load_template

__all__ = ["Host", "HostConfig", "default_invocation_log", "run_host"]


def default_invocation_log() -> Path:
    """Where the invocation log goes when none is named: one file per host process, so that
    two hosts never append to the same file."""
    return Path(tempfile.gettempdir()) / "devhost" / f"invocations-{os.getpid()}.jsonl"


@dataclass
class HostConfig:
    """Everything ``edu local start-api`` can set. ``port=0`` picks a free port."""

    template: str | Path = "template.yaml"
    host: str = "127.0.0.1"
    port: int = 3000
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    env_vars: Mapping[str, Any] | str | Path | None = None  # SAM --env-vars content or file
    warm_containers: str = "LAZY"  # LAZY | EAGER
    static_dir: str | Path | None = None
    api_prefix: str = "/api"
    idle_timeout_s: float = 300.0  # 0 = never reap
    max_environments: int = 32
    capacity_wait_s: float = 10.0  # at --max-environments: wait this long, then 503
    invocation_log: str | Path | None = None
    region: str = field(default_factory=lambda: os.environ.get("AWS_REGION", DEFAULT_REGION))
    quiet: bool = False
    log_stream: IO[str] | None = None
    hot_reload: bool = True
    reload_poll_s: float = 0.5
    memory_poll_s: float = 0.02
    throttle_status: int = 500  # what API Gateway answers for a throttled Lambda; 429 option
    integration_timeout_s: float = 30.0  # HTTP API's, then 503
    oversize_status: int = 413  # an event over Lambda's 6 MB payload limit (AWS says none)
    init_limit_s: float = INIT_LIMIT_S  # then INIT is retried inside the first invocation
    restore_limit_s: float = AFTER_RESTORE_LIMIT_S  # SnapStart's limit on a restore
    log_file: str | Path | None = None  # the runtime log to a rotated file, not log_stream
    log_max_bytes: int = 20 * 1024 * 1024  # per log file (runtime and invocation logs)
    log_backups: int = 2  # rotated files kept
    python: str = sys.executable
    sam_local_hint: bool = True  # set AWS_SAM_LOCAL=true in environments (see README)
    allowed_hosts: tuple[str, ...] = ()  # host names the control API answers, besides localhost
    max_connections: int = 256
    client_idle_timeout_s: float = 60.0
    client_request_timeout_s: float = 30.0
    # Lambda's resource model (see README): cgroups and mount namespaces where the host may
    resource_controls: bool = True
    cpu_share: bool = True  # CPU in proportion to MemorySize (1,769 MB = one vCPU)
    init_cpu: str = "burst"  # burst | proportional | unlimited
    freeze: str = "auto"  # auto | cgroup | signal | off
    private_tmp: bool = True  # an own, empty TMPDIR of EphemeralStorage per environment
    read_only_code: bool = True  # the task root and layers are read-only to the function
    # build each function as `sam build` would (its Runtime's Python, CodeUri + requirements,
    # layers, the runtime's own packages); False: the workspace's interpreter and packages
    isolated_packages: bool = True


class Host:
    """A running (after :meth:`start`) API Gateway + Lambda host for one template.

    >>> host = Host(HostConfig(template="template.yaml", port=0)).start()
    >>> host.url        # http://127.0.0.1:PORT
    >>> host.stop()

    Also a context manager: ``with Host(cfg) as host: ...``.
    """

    def __init__(self, config: HostConfig) -> None:
        self.config = config
        env_vars = config.env_vars
        if isinstance(env_vars, (str, Path)):
            env_vars = load_env_vars_file(env_vars)
        self.model: TemplateModel = load_template(
            config.template, config.parameter_overrides, env_vars, config.region
        )
        rotation = Rotation(config.log_max_bytes, config.log_backups)
        self.log = LogSink(config.log_stream, config.quiet, config.log_file, rotation)
        for warning in self.model.warnings:
            self.log.host(f"warning: {warning}")
        self.metering = Metering()
        for logical_id, spec in self.model.functions.items():
            self.metering.add_function(
                logical_id, spec.memory_mb, spec.architecture, spec.provisioned_concurrency
            )
        # What the dashboard at /_host/ draws: fed by every record and every log line.
        self.timeline = Timeline()
        self.metering.observe(self.timeline.record)
        self.log.tap(self.timeline.line)
        self.invocation_log = InvocationLog(
            config.invocation_log or default_invocation_log(), rotation
        )
        self.resources = Resources(
            ResourceSettings(
                enabled=config.resource_controls,
                cpu_share=config.cpu_share,
                init_cpu=_choice(InitCpu, config.init_cpu, "init_cpu"),
                freeze=_choice(FreezeMode, config.freeze, "freeze"),
                private_tmp=config.private_tmp,
                read_only_code=config.read_only_code,
            )
        )
        self.lambda_service = LambdaService(
            self.model.functions.values(),
            ServiceSettings(
                max_environments=config.max_environments,
                capacity_wait_s=config.capacity_wait_s,
                idle_timeout_s=config.idle_timeout_s,
                memory_poll_s=config.memory_poll_s,
                keep_warm=self.eager,
                init_limit_s=config.init_limit_s,
                restore_limit_s=config.restore_limit_s,
            ),
            LaunchSettings(config.python, config.region, config.sam_local_hint),
            self.log,
            self.metering,
            self.invocation_log,
            self.resources,
            Builder() if config.isolated_packages else None,
        )
        self.lambda_service.build()
        self._stopping = threading.Event()
        self._server: HttpServer | None = None
        self.started_at = time.time()
        # SnapStart snapshots taken and provisioned concurrency initialised (the control API
        # answers before that; a load test waits for it)
        self.ready = False

    @property
    def eager(self) -> bool:
        return self.config.warm_containers.upper() == "EAGER"

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Host:
        config = self.config
        api = HttpApi(
            self.model,
            self.lambda_service,
            lambda: self.port,
            ApiSettings(
                config.throttle_status, config.integration_timeout_s, config.oversize_status
            ),
        )
        control = ControlApi(self, (config.host, *config.allowed_hosts), Dashboard(self.timeline))
        static = StaticFiles(config.static_dir) if config.static_dir else None
        self._server = HttpServer(
            config.host,
            config.port,
            FrontDoor(api, control, static, config.api_prefix),
            ServerLimits(
                max_connections=config.max_connections,
                idle_timeout_s=config.client_idle_timeout_s,
                request_timeout_s=config.client_request_timeout_s,
            ),
            on_error=self.log.host,
        )
        self._server.start()
        self.lambda_service.start_background(self._spawn)
        self.ready = True
        if config.hot_reload:
            self._spawn(self._watch_loop, "devhost-watch")
        if self.eager:
            self.prewarm()
        self.log.host(self.resources.summary())
        self.log.host(
            f"serving {len(self.model.routes)} route(s) of {len(self.model.functions)} "
            f"function(s) from {self.model.path.name} on {self.url}"
        )
        return self

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        threading.Thread(target=target, name=name, daemon=True).start()

    @property
    def port(self) -> int:
        return self._server.port if self._server is not None else self.config.port

    @property
    def open_connections(self) -> int:
        """Client connections being served now (bounded by ``max_connections``)."""
        return self._server.connections if self._server is not None else 0

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._server is not None:
            self._server.stop()
        self.lambda_service.stop()
        self.invocation_log.close()
        self.log.close()

    def __enter__(self) -> Host:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Block until :meth:`stop` (or SIGINT/SIGTERM when called from the main thread)."""
        if threading.current_thread() is threading.main_thread():

            def _stop(signum: int, frame: object) -> None:
                self._stopping.set()

            signal.signal(signal.SIGTERM, _stop)
            signal.signal(signal.SIGINT, _stop)
        try:
            while not self._stopping.wait(0.5):
                pass
        finally:
            self._stopping.clear()
            self.stop()

    # -- environments --------------------------------------------------------------------

    def prewarm(self, functions: list[str] | None = None, timeout: float = 60.0) -> None:
        """Start one environment per function that has none (``--warm-containers EAGER``)."""
        self.lambda_service.prewarm(functions, timeout)

    def invalidate(self, function: str | None = None, reason: str = "reset") -> int:
        """End idle environments now and busy ones after their current invocation."""
        return self.lambda_service.invalidate(function, new_version=reason == "code change")

    def reset(self, function: str | None = None, metrics: bool = False) -> int:
        """``POST /_host/reset``: the next requests are cold starts (EAGER re-warms).
        Raises KeyError for an unknown function."""
        ended = self.invalidate(function)
        if metrics:
            self.metering.reset(function)
        self.log.host(
            f"reset {function or 'all functions'}: ended {ended} idle environment(s)"
            + (", metrics cleared" if metrics else "")
        )
        if self.eager:
            self.prewarm([function] if function else None)
        return ended

    def _watch_loop(self) -> None:
        dirs: dict[Path, set[str]] = {}
        for name, spec in self.model.functions.items():
            dirs.setdefault(spec.code_dir, set()).add(name)
            for layer in spec.layers:
                dirs.setdefault(layer.watch_dir, set()).add(name)
        signatures = {d: _tree_signature(d) for d in dirs}
        while not self._stopping.wait(self.config.reload_poll_s):
            changed: set[str] = set()
            for directory, functions in dirs.items():
                sig = _tree_signature(directory)
                if sig != signatures[directory]:
                    signatures[directory] = sig
                    changed |= functions
            # rebuilt first (only what changed is built again: the rest is a hash away)
            self.lambda_service.build(sorted(changed))
            for name in sorted(changed):
                count = self.invalidate(name, "code change")
                self.log.host(f"code changed for {name}: ended {count} idle environment(s)")
            if changed and self.eager:
                self.prewarm(sorted(changed))

    # -- the control API's documents -----------------------------------------------------

    def gauges(self) -> dict[str, dict[str, int]]:
        return {name: g.as_dict() for name, g in self.lambda_service.gauges().items()}

    def functions_json(self) -> dict[str, Any]:
        gauges = self.gauges()
        resources = self.resources.describe()
        functions: dict[str, Any] = {}
        for name, spec in self.model.functions.items():
            functions[name] = {
                "function_name": spec.function_name,
                "handler": spec.handler,
                "runtime": spec.runtime,
                "code_uri": str(spec.code_dir),
                "layers": [layer.logical_id for layer in spec.layers],
                "memory_size_mb": spec.memory_mb,
                "cpu_share": round(cpu_share(spec.memory_mb), 4),
                "cpu_share_enforced": resources["cpu_share_enforced"],
                "ephemeral_storage_mb": spec.ephemeral_storage_mb,
                "build": self._build_json(name),
                "timeout_s": spec.timeout_s,
                "reserved_concurrency": spec.reserved_concurrency,
                "snap_start": spec.snap_start,
                "provisioned_concurrency_configured": spec.provisioned_concurrency,
                "architecture": spec.architecture,
                "routes": [r.route_key for r in spec.routes],
                **self.metering.function_json(name, gauges[name]),
            }
        return {
            "host": {
                "template": str(self.model.path),
                "url": self.url,
                "started_at": iso_time(self.started_at),
                "uptime_s": round(time.time() - self.started_at, 3),
                "ready": self.ready,
                "warm_containers": self.config.warm_containers.upper(),
                "idle_timeout_s": self.config.idle_timeout_s,
                "max_environments": self.config.max_environments,
                "capacity_wait_s": self.config.capacity_wait_s,
                "environments": sum(g["live"] for g in gauges.values()),
                "invocation_log": str(self.invocation_log.path),
                "resources": resources,
            },
            "functions": functions,
        }

    def _build_json(self, name: str) -> dict[str, Any]:
        built = self.lambda_service.builds.get(name)
        if built is None:
            return {"isolated": False, "python": self.config.python}
        if isinstance(built, Exception):
            return {"isolated": True, "error": str(built)}
        return {
            "isolated": True,
            "python": built.python,
            "sys_path": [str(p) for p in built.sys_path],
        }

    def metrics_text(self) -> str:
        return self.metering.prometheus(self.gauges())


_SKIP_DIRS = {
    "__pycache__",
    ".venv",
    "venv",
    "node_modules",
    ".git",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".aws-sam",
}


def _tree_signature(root: Path) -> tuple[int, int, int]:
    count = newest = size = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS and not d.endswith(".egg-info")]
        for name in filenames:
            if name.endswith((".pyc", ".pyo", "~")) or name.startswith(".#"):
                continue
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue
            count += 1
            size += st.st_size
            newest = max(newest, st.st_mtime_ns)
    return count, newest, size


def _choice[E: (InitCpu, FreezeMode)](kind: type[E], value: str, name: str) -> E:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(v) for v in kind)
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}") from None


def run_host(config: HostConfig) -> None:
    """Start a host and serve until SIGINT/SIGTERM (the CLI's entry point)."""
    host = Host(config).start()
    host.serve_forever()
