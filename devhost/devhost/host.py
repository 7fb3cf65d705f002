"""The host: a pool of execution environments per function, scheduling (warm reuse, cold
starts, throttling), the invocation path, metering, idle reaping, the memory monitor and
hot reload. :class:`Host` is the programmatic API; :func:`run_host` runs one until stopped.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from devhost.environment import Environment, EnvironmentDead, InitFailed, InvokeResult
from devhost.events import (
    INTERNAL_ERROR,
    HttpResponse,
    MalformedResponse,
    RequestInfo,
    build_event,
    gateway_error,
    map_response,
    new_trace_id,
)
from devhost.logs import (
    LogSink,
    billed_ms,
    end_line,
    init_report_line,
    report_line,
    start_line,
    timeout_line,
)
from devhost.metering import InvocationLog, InvocationRecord, Metering
from devhost.template import (
    DEFAULT_REGION,
    FunctionSpec,
    RouteSpec,
    TemplateModel,
    load_env_vars_file,
    load_template,
)

__all__ = ["Host", "HostConfig", "run_host"]

MIB = 1024 * 1024
Finalizer = Callable[[int], None]


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
    invocation_log: str | Path | None = None
    region: str = field(default_factory=lambda: os.environ.get("AWS_REGION", DEFAULT_REGION))
    quiet: bool = False
    log_stream: IO[str] | None = None
    hot_reload: bool = True
    reload_poll_s: float = 0.5
    memory_poll_s: float = 0.02
    throttle_status: int = 429
    python: str = sys.executable
    sam_local_hint: bool = True  # set AWS_SAM_LOCAL=true in environments (see README)


class _Pool:
    def __init__(self, spec: FunctionSpec) -> None:
        self.spec = spec
        self.idle: list[Environment] = []
        self.envs: set[Environment] = set()
        self.busy = 0
        self.starting = 0
        self.counter = 0


_PASSTHROUGH = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL",
    "HOME",
    "LANG",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
)


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
        self.log = LogSink(config.log_stream, quiet=config.quiet)
        for warning in self.model.warnings:
            self.log.host(f"warning: {warning}")
        self.metering = Metering()
        self.pools: dict[str, _Pool] = {}
        for logical_id, spec in self.model.functions.items():
            self.pools[logical_id] = _Pool(spec)
            self.metering.add_function(logical_id, spec.memory_mb, spec.architecture)
        self.invocation_log = (
            InvocationLog(config.invocation_log) if config.invocation_log else None
        )
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: Any = None
        self.started_at = time.time()

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Host:
        from devhost.server import FrontServer

        self._server = FrontServer(self, self.config.host, self.config.port)
        self._server.start()
        self._spawn(self._memory_loop, "devhost-memory")
        if self.config.idle_timeout_s > 0:
            self._spawn(self._reaper_loop, "devhost-reaper")
        if self.config.hot_reload:
            self._spawn(self._watch_loop, "devhost-watch")
        if self.config.warm_containers.upper() == "EAGER":
            self.prewarm()
        self.log.host(
            f"serving {len(self.model.routes)} route(s) of {len(self.pools)} function(s) "
            f"from {self.model.path.name} on {self.url}"
        )
        return self

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    @property
    def port(self) -> int:
        return int(self._server.port) if self._server is not None else self.config.port

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        if self._server is not None:
            self._server.stop()
        with self._lock:
            envs = [env for pool in self.pools.values() for env in pool.envs]
            for pool in self.pools.values():
                pool.idle.clear()
        threads = [threading.Thread(target=env.shutdown, daemon=True) for env in envs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(2.0)
        if self.invocation_log is not None:
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

    def _base_env(self, spec: FunctionSpec) -> dict[str, str]:
        env: dict[str, str] = {}
        for key in _PASSTHROUGH:
            if key in os.environ:
                env[key] = os.environ[key]
        for key, value in os.environ.items():
            if key.startswith("AWS_ENDPOINT_URL_"):
                env[key] = value
        env.update(spec.environment)
        region = self.config.region
        env.update(
            {
                "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
                "LANG": env.get("LANG", "en_US.UTF-8"),
                "TZ": ":UTC",
                "PYTHONPATH": os.pathsep.join(
                    [str(spec.code_dir), *[str(layer.content_dir) for layer in spec.layers]]
                ),
                "LAMBDA_TASK_ROOT": str(spec.code_dir),
                "LAMBDA_RUNTIME_DIR": str(Path(sys.executable).parent),
                "_HANDLER": spec.handler,
                "AWS_REGION": region,
                "AWS_DEFAULT_REGION": region,
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{spec.runtime}",
                "AWS_LAMBDA_FUNCTION_NAME": spec.function_name,
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory_mb),
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.function_name}",
                "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            }
        )
        if spec.log_format:
            env["AWS_LAMBDA_LOG_FORMAT"] = spec.log_format
        if spec.application_log_level:
            env["AWS_LAMBDA_LOG_LEVEL"] = spec.application_log_level
        if self.config.sam_local_hint:
            env["AWS_SAM_LOCAL"] = "true"
        return env

    def _new_env(self, pool: _Pool) -> Environment:
        pool.counter += 1
        env_id = f"{pool.spec.logical_id}-{pool.counter}-{uuid.uuid4().hex[:6]}"
        env = Environment(
            pool.spec,
            env_id,
            self._base_env(pool.spec),
            self.log,
            python=self.config.python,
            on_exit=self._on_env_exit,
        )
        pool.envs.add(env)
        return env

    def _total_envs(self) -> int:
        return sum(len(pool.envs) for pool in self.pools.values())

    def _acquire(self, pool: _Pool) -> tuple[Environment, bool] | None:
        """An idle environment (warm) or a new one (cold); None when throttled."""
        to_end: list[Environment] = []
        env: Environment | None = None
        cold = False
        with self._lock:
            while pool.idle:
                candidate = pool.idle.pop()
                if candidate.alive and not candidate.stale:
                    env = candidate
                    break
                pool.envs.discard(candidate)
                to_end.append(candidate)
            if env is None:
                reserved = pool.spec.reserved_concurrency
                if reserved is not None and len(pool.envs) >= reserved:
                    self._end_later(to_end)
                    return None
                if self._total_envs() >= self.config.max_environments:
                    victim = self._lru_idle()
                    if victim is None:
                        self._end_later(to_end)
                        return None
                    victim_pool = self.pools[victim.spec.logical_id]
                    victim_pool.idle.remove(victim)
                    victim_pool.envs.discard(victim)
                    to_end.append(victim)
                env = self._new_env(pool)
                cold = True
                pool.starting += 1
            env.state = "busy"
            pool.busy += 1
            self.metering.observe_environments(pool.spec.logical_id, len(pool.envs), pool.busy)
        self._end_later(to_end)
        if cold:
            env.start()
        return env, cold

    def _lru_idle(self) -> Environment | None:
        oldest: Environment | None = None
        for pool in self.pools.values():
            for env in pool.idle:
                if oldest is None or env.last_used < oldest.last_used:
                    oldest = env
        return oldest

    def _release(self, pool: _Pool, env: Environment, keep: bool) -> None:
        with self._lock:
            pool.busy -= 1
            if keep and env.alive and not env.stale and not self._stopping.is_set():
                env.state = "idle"
                env.last_used = time.monotonic()
                pool.idle.append(env)
                return
            env.state = "dead"
            pool.envs.discard(env)
        self._end_later([env])

    def _end_later(self, envs: list[Environment]) -> None:
        for env in envs:
            env.state = "dead"
            threading.Thread(target=env.shutdown, daemon=True).start()

    def _on_env_exit(self, env: Environment) -> None:
        pool = self.pools.get(env.spec.logical_id)
        if pool is None:
            return
        with self._lock:
            if env.state == "idle" and env in pool.idle:
                pool.idle.remove(env)
                pool.envs.discard(env)
                env.state = "dead"
                removed = True
            else:
                removed = False
        if removed:
            if env.kill_reason is None:
                self.log.host(f"{env.env_id} exited while idle ({env.exit_detail()})")
            env.close()

    def prewarm(self, functions: list[str] | None = None, timeout: float = 60.0) -> None:
        """Start one environment per function (``--warm-containers EAGER``)."""
        names = functions if functions is not None else list(self.pools)

        def warm(name: str) -> None:
            pool = self.pools[name]
            with self._lock:
                if pool.envs or self._total_envs() >= self.config.max_environments:
                    return
                env = self._new_env(pool)
                pool.starting += 1
            env.start()
            try:
                init_ms = env.wait_ready(max(10.0, pool.spec.timeout_s))
            except InitFailed as exc:
                self.log.emit(name, init_report_line(exc.init_ms, "error", exc.error_type))
                with self._lock:
                    pool.starting -= 1
                    pool.envs.discard(env)
                self._end_later([env])
                return
            self.log.emit(name, init_report_line(init_ms, "success"))
            with self._lock:
                pool.starting -= 1
                env.state = "idle"
                env.last_used = time.monotonic()
                pool.idle.append(env)

        threads = [threading.Thread(target=warm, args=(n,), daemon=True) for n in names]
        for t in threads:
            t.start()
        deadline = time.monotonic() + timeout
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def invalidate(self, function: str | None = None, reason: str = "reset") -> int:
        """End idle environments now and busy ones after their current invocation."""
        ended: list[Environment] = []
        with self._lock:
            for name, pool in self.pools.items():
                if function is not None and name != function:
                    continue
                for env in pool.envs:
                    env.stale = True
                ended.extend(pool.idle)
                for env in pool.idle:
                    pool.envs.discard(env)
                pool.idle.clear()
        self._end_later(ended)
        return len(ended)

    def reset(self, function: str | None = None, metrics: bool = False) -> int:
        """``POST /_host/reset``: the next requests are cold starts."""
        if function is not None and function not in self.pools:
            raise KeyError(function)
        count = self.invalidate(function, "reset")
        if metrics:
            self.metering.reset(function)
        self.log.host(
            f"reset {function or 'all functions'}: ended {count} idle environment(s)"
            + (", metrics cleared" if metrics else "")
        )
        return count

    # -- background loops ----------------------------------------------------------------

    def _live_envs(self) -> list[Environment]:
        with self._lock:
            return [env for pool in self.pools.values() for env in pool.envs]

    def _memory_loop(self) -> None:
        interval = self.config.memory_poll_s
        while not self._stopping.wait(interval):
            for env in self._live_envs():
                if env.state == "dead":
                    continue
                rss = env.rss_bytes()
                if rss > env.spec.memory_mb * MIB and env.kill_reason is None:
                    self.log.host(
                        f"{env.env_id}: resident memory {rss // MIB} MB passed MemorySize "
                        f"{env.spec.memory_mb} MB; killed"
                    )
                    env.kill("oom")

    def _reaper_loop(self) -> None:
        timeout = self.config.idle_timeout_s
        interval = min(1.0, max(0.05, timeout / 4))
        while not self._stopping.wait(interval):
            now = time.monotonic()
            reaped: list[Environment] = []
            with self._lock:
                for pool in self.pools.values():
                    for env in list(pool.idle):
                        if now - env.last_used >= timeout:
                            pool.idle.remove(env)
                            pool.envs.discard(env)
                            reaped.append(env)
            if reaped:
                names = sorted({env.spec.logical_id for env in reaped})
                self.log.host(
                    f"reaped {len(reaped)} idle environment(s) of {', '.join(names)} "
                    f"(idle > {timeout:g}s)"
                )
                self._end_later(reaped)

    def _watch_dirs(self) -> dict[Path, set[str]]:
        dirs: dict[Path, set[str]] = {}
        for name, pool in self.pools.items():
            dirs.setdefault(pool.spec.code_dir, set()).add(name)
            for layer in pool.spec.layers:
                dirs.setdefault(layer.watch_dir, set()).add(name)
        return dirs

    def _watch_loop(self) -> None:
        dirs = self._watch_dirs()
        signatures = {d: _tree_signature(d) for d in dirs}
        while not self._stopping.wait(self.config.reload_poll_s):
            changed: set[str] = set()
            for directory, functions in dirs.items():
                sig = _tree_signature(directory)
                if sig != signatures[directory]:
                    signatures[directory] = sig
                    changed |= functions
            for name in sorted(changed):
                count = self.invalidate(name, "code change")
                self.log.host(f"code changed for {name}: ended {count} idle environment(s)")
            if changed and self.config.warm_containers.upper() == "EAGER":
                self.prewarm(sorted(changed))

    # -- gauges / JSON -------------------------------------------------------------------

    def gauges(self) -> dict[str, dict[str, int]]:
        with self._lock:
            out = {}
            for name, pool in self.pools.items():
                starting = sum(1 for e in pool.envs if e.state == "busy" and e.init_ms is None)
                out[name] = {
                    "live": len(pool.envs),
                    "busy": pool.busy,
                    "idle": len(pool.idle),
                    "starting": starting,
                }
            return out

    def functions_json(self) -> dict[str, Any]:
        gauges = self.gauges()
        functions: dict[str, Any] = {}
        for name, pool in self.pools.items():
            spec = pool.spec
            functions[name] = {
                "function_name": spec.function_name,
                "handler": spec.handler,
                "runtime": spec.runtime,
                "code_uri": str(spec.code_dir),
                "layers": [layer.logical_id for layer in spec.layers],
                "memory_size_mb": spec.memory_mb,
                "timeout_s": spec.timeout_s,
                "reserved_concurrency": spec.reserved_concurrency,
                "architecture": spec.architecture,
                "routes": [r.route_key for r in spec.routes],
                **self.metering.function_json(name, gauges[name]),
            }
        return {
            "host": {
                "template": str(self.model.path),
                "url": self.url,
                "started_at": _iso(self.started_at),
                "uptime_s": round(time.time() - self.started_at, 3),
                "warm_containers": self.config.warm_containers.upper(),
                "idle_timeout_s": self.config.idle_timeout_s,
                "max_environments": self.config.max_environments,
                "environments": sum(g["live"] for g in gauges.values()),
                "invocation_log": str(self.invocation_log.path) if self.invocation_log else None,
            },
            "functions": functions,
        }

    def metrics_text(self) -> str:
        return self.metering.prometheus(self.gauges())

    # -- the invocation path -------------------------------------------------------------

    def handle_api(
        self, req: RequestInfo, route: RouteSpec, params: dict[str, str]
    ) -> tuple[HttpResponse, Finalizer | None]:
        """Invoke ``route``'s function for ``req``. Returns the response and a finalizer the
        server calls after writing it (logs, metering), so bookkeeping adds no latency."""
        pool = self.pools[route.function]
        spec = pool.spec
        t_req = time.perf_counter()
        trace_id = new_trace_id(req.epoch_s)
        event = build_event(req, route, params, self.model.stage, self.model.api_id, trace_id)
        payload = json.dumps(event, separators=(",", ":")).encode("utf-8")

        def record(**kw: Any) -> InvocationRecord:
            now = time.time()
            base: dict[str, Any] = {
                "ts": _iso(now),
                "ts_epoch_ms": int(now * 1000),
                "function": spec.logical_id,
                "function_name": spec.function_name,
                "apigw_request_id": req.request_id,
                "route_key": route.route_key,
                "method": req.method,
                "path": req.raw_path,
                "memory_size_mb": spec.memory_mb,
                "latency_ms": round((time.perf_counter() - t_req) * 1000.0, 3),
            }
            base.update(kw)
            base["status"] = base["outcome"]
            return InvocationRecord(**base)

        for _attempt in range(3):
            acquired = self._acquire(pool)
            if acquired is None:
                with self._lock:
                    live, busy, total = len(pool.envs), pool.busy, self._total_envs()
                rec = record(
                    request_id=None,
                    http_status=self.config.throttle_status,
                    outcome="throttled",
                    error_type="TooManyRequestsException",
                    cold_start=False,
                    init_duration_ms=None,
                    duration_ms=0.0,
                    billed_duration_ms=0,
                    max_memory_used_mb=0,
                    environment_id=None,
                    concurrent_environments=busy,
                    function_environments=live,
                    host_environments=total,
                )
                limit = spec.reserved_concurrency
                why = (
                    f"reserved concurrency {limit}"
                    if limit is not None and live >= limit
                    else f"--max-environments {self.config.max_environments}"
                )
                resp = gateway_error(self.config.throttle_status, "Too Many Requests")

                def fin_throttle(status: int, rec: InvocationRecord = rec, why: str = why) -> None:
                    self.log.host(f"throttled {route.route_key} -> {spec.logical_id} ({why})")
                    self._finish(rec)

                return resp, fin_throttle
            env, cold = acquired
            with self._lock:
                concurrent, live, total = pool.busy, len(pool.envs), self._total_envs()
            init_ms: float | None = None
            request_id = str(uuid.uuid4())
            if cold:
                try:
                    init_ms = env.wait_ready(max(10.0, spec.timeout_s))
                except InitFailed as exc:
                    with self._lock:
                        pool.starting -= 1
                    self._release(pool, env, keep=False)
                    rec = record(
                        request_id=request_id,
                        http_status=500,
                        outcome="error",
                        error_type=exc.error_type,
                        cold_start=True,
                        init_duration_ms=round(exc.init_ms, 3),
                        duration_ms=0.0,
                        billed_duration_ms=billed_ms(0.0, exc.init_ms),
                        max_memory_used_mb=_mb(env.peak_rss),
                        environment_id=env.env_id,
                        concurrent_environments=concurrent,
                        function_environments=live,
                        host_environments=total,
                    )

                    def fin_init(
                        status: int, rec: InvocationRecord = rec, exc: InitFailed = exc
                    ) -> None:
                        tag = spec.logical_id
                        self.log.emit(tag, init_report_line(exc.init_ms, "error", exc.error_type))
                        self.log.emit(tag, start_line(rec.request_id or ""))
                        self.log.emit(tag, end_line(rec.request_id or ""))
                        self.log.emit(
                            tag,
                            report_line(
                                rec.request_id or "",
                                0.0,
                                spec.memory_mb,
                                rec.max_memory_used_mb,
                                exc.init_ms,
                                "error",
                                exc.error_type,
                            ),
                        )
                        self._finish(rec)

                    return gateway_error(500, INTERNAL_ERROR), fin_init
                with self._lock:
                    pool.starting -= 1
            self.log.emit(spec.logical_id, start_line(request_id))
            try:
                result = env.invoke(request_id, payload, spec.timeout_s, trace_id)
            except EnvironmentDead:
                self._release(pool, env, keep=False)
                self.log.host(f"{env.env_id} ended between invocations; using another one")
                continue
            break
        else:
            return gateway_error(500, INTERNAL_ERROR), None

        env.invocations += 1
        if result.outcome == "ok" and env.rss_bytes() > spec.memory_mb * MIB:
            # Over the limit between two samples of the memory monitor: Lambda would have
            # killed the environment during this invocation.
            env.kill("oom")
            result = InvokeResult(
                "oom",
                None,
                "Runtime.OutOfMemory",
                "Runtime exited with error: signal: killed",
                result.duration_ms,
                "signal: killed",
            )
        keep = result.outcome in ("ok", "error")
        if not keep:
            peak_at_end = env.peak_bytes()
        self._release(pool, env, keep)

        malformed: str | None = None
        if result.outcome == "ok":
            try:
                resp = map_response(result.payload or b"")
            except MalformedResponse as exc:
                malformed = str(exc)
                resp = gateway_error(500, INTERNAL_ERROR)
        else:
            resp = gateway_error(500, INTERNAL_ERROR)
        duration = result.duration_ms

        def finalize(status: int) -> None:
            # After the response is written: memory peak, logs, metering.
            peak = peak_at_end if not keep else env.peak_bytes()
            if not keep:
                env.close()
            max_mem = _mb(peak)
            if result.outcome == "oom":
                max_mem = max(max_mem, spec.memory_mb)
            elif keep and peak > spec.memory_mb * MIB and env.kill_reason is None:
                self.log.host(
                    f"{env.env_id}: peak memory {max_mem} MB passed MemorySize "
                    f"{spec.memory_mb} MB; killed"
                )
                env.kill("oom")
            tag = spec.logical_id
            status_field: str | None = None
            error_field: str | None = None
            if result.outcome == "timeout":
                self.log.emit(tag, timeout_line(_iso(time.time()), request_id, spec.timeout_s))
                status_field = "timeout"
            elif result.outcome in ("crash", "oom"):
                self.log.emit(tag, f"RequestId: {request_id} Error: {result.error_message}")
                self.log.emit(tag, result.error_type or "Runtime.ExitError")
                status_field, error_field = "error", result.error_type
            elif result.outcome == "error" and result.error_type == "Function.ResponseSizeTooLarge":
                self.log.emit(tag, f"RequestId: {request_id} Error: {result.error_message}")
            if malformed:
                self.log.host(f"{route.route_key}: malformed Lambda proxy response: {malformed}")
            self.log.emit(tag, end_line(request_id))
            self.log.emit(
                tag,
                report_line(
                    request_id,
                    duration,
                    spec.memory_mb,
                    max_mem,
                    init_ms,
                    status_field,
                    error_field,
                ),
            )
            self._finish(
                record(
                    request_id=request_id,
                    http_status=status,
                    outcome=result.outcome,
                    error_type=result.error_type,
                    cold_start=cold,
                    init_duration_ms=round(init_ms, 3) if init_ms is not None else None,
                    duration_ms=round(duration, 3),
                    billed_duration_ms=billed_ms(duration, init_ms),
                    max_memory_used_mb=max_mem,
                    environment_id=env.env_id,
                    concurrent_environments=concurrent,
                    function_environments=live,
                    host_environments=total,
                )
            )

        return resp, finalize

    def _finish(self, rec: InvocationRecord) -> None:
        self.metering.record(rec)
        if self.invocation_log is not None:
            self.invocation_log.append(rec)


def _mb(nbytes: int) -> int:
    return math.ceil(nbytes / MIB) if nbytes else 0


def _iso(epoch_s: float) -> str:
    return _dt.datetime.fromtimestamp(epoch_s, _dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


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


def run_host(config: HostConfig) -> None:
    """Start a host and serve until SIGINT/SIGTERM (the CLI's entry point)."""
    host = Host(config).start()
    host.serve_forever()
