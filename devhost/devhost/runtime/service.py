"""Lambda, as the gateway sees it: one pool of execution environments per function, the
host-wide capacity, and ``invoke``. Also the background work that keeps the pools honest:
the memory monitor (MemorySize is enforced) and the idle reaper."""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from devhost.build import Builder, BuildError, FunctionBuild
from devhost.logs import (
    LogSink,
    init_report_line,
    init_start_line,
    restore_report_line,
    restore_start_line,
    start_line,
)
from devhost.metering import InvocationLog, Metering
from devhost.runtime.capacity import Capacity
from devhost.runtime.environment import (
    EnvironmentDead,
    ExecutionEnvironment,
    InitFailed,
    InvokeResult,
)
from devhost.runtime.invocation import Invocation
from devhost.runtime.launch import LaunchSettings
from devhost.runtime.pool import PROVISIONED, FunctionPool, Gauges, Lease, NoEnvironment
from devhost.runtime.resources import Resources
from devhost.runtime.snapstart import AFTER_RESTORE_LIMIT_S, RestoredEnvironment, Snapshots
from devhost.runtime.states import Outcome
from devhost.template import FunctionSpec

__all__ = ["LambdaService", "ServiceSettings"]

MIB = 1024 * 1024
_DELIVERY_ATTEMPTS = 3  # an environment that died while idle is replaced, not reported


# "Understanding the Lambda execution environment lifecycle", Init phase
# (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): INIT is
# limited to 10 s, then retried inside the first invocation under the function's timeout;
# with provisioned concurrency (what EAGER stands for) it may run for 130 s or the function's
# timeout, whichever is higher.
INIT_LIMIT_S = 10.0
PROVISIONED_INIT_LIMIT_S = 130.0


@dataclass(frozen=True)
class ServiceSettings:
    max_environments: int = 32
    capacity_wait_s: float = 10.0  # at the host's cap: wait this long for an environment
    idle_timeout_s: float = 300.0
    memory_poll_s: float = 0.02
    keep_warm: bool = False  # EAGER: one environment per function, kept and replaced
    init_limit_s: float = INIT_LIMIT_S
    restore_limit_s: float = AFTER_RESTORE_LIMIT_S  # SnapStart: restore + after-restore hooks


class LambdaService:
    def __init__(
        self,
        functions: Iterable[FunctionSpec],
        settings: ServiceSettings,
        launch: LaunchSettings,
        log: LogSink,
        metering: Metering,
        invocation_log: InvocationLog | None,
        resources: Resources | None = None,
        builder: Builder | None = None,
    ) -> None:
        self.settings = settings
        self.resources = resources
        self.launch = launch
        self.log = log
        self.metering = metering
        self.invocation_log = invocation_log
        self.capacity = Capacity(settings.max_environments)
        self.pools: dict[str, FunctionPool] = {
            spec.logical_id: FunctionPool(spec, self.capacity, self._create, self._end)
            for spec in functions
        }
        self.builder = builder
        self.builds: dict[str, FunctionBuild | BuildError | None] = {}
        self.snapshots = Snapshots(self.log, self.launch, self.warm_init_limit)
        self._provisioning = {name: threading.Lock() for name in self.pools}
        self._stopping = threading.Event()

    def _create(
        self, spec: FunctionSpec, serial: int, initialization_type: str = "on-demand"
    ) -> ExecutionEnvironment:
        if spec.snap_start:
            return self._restore(spec, serial)
        env = ExecutionEnvironment.create(spec, serial, self.log, self.launch, self.resources)
        env.initialization_type = initialization_type
        built = self.builds.get(spec.logical_id)
        if isinstance(built, BuildError):
            env.build_error = str(built)
        else:
            env.build = built
        if initialization_type == PROVISIONED and env.resources is not None:
            env.resources.provision()  # provisioned concurrency's INIT has no CPU burst
        self.log.emit(
            spec.logical_id, init_start_line(spec.runtime, spec.region, self.launch.python)
        )
        env.start()
        return env

    def _restore(self, spec: FunctionSpec, serial: int) -> ExecutionEnvironment:
        """A SnapStart function's new environment: restored from its snapshot."""
        env_id = f"{spec.logical_id}-{serial}-{uuid.uuid4().hex[:6]}"
        env = RestoredEnvironment(
            spec, env_id, self.log, self.launch, lambda: self.snapshots.of(spec), self.resources
        )
        self.log.emit(
            spec.logical_id, restore_start_line(spec.runtime, spec.region, self.launch.python)
        )
        env.start()
        return env

    def _end(self, envs: list[ExecutionEnvironment]) -> None:
        for env in envs:
            threading.Thread(target=env.shutdown, name="devhost-end", daemon=True).start()
        if not self._stopping.is_set():
            # a provisioned environment that ended (reset, code change, crash, timeout,
            # memory) is replaced: the configured number stays allocated
            for name in {e.spec.logical_id for e in envs if e.initialization_type == PROVISIONED}:
                threading.Thread(
                    target=self._provision, args=(self.pools[name],), daemon=True
                ).start()
        if self.settings.keep_warm and not self._stopping.is_set():
            # EAGER stands for provisioned concurrency: an environment that was ready and
            # ended (crash, timeout, memory) is replaced, as Lambda replaces it
            for name in {env.spec.logical_id for env in envs if env.initialised}:
                threading.Thread(target=self.prewarm, args=([name],), daemon=True).start()

    # -- builds ----------------------------------------------------------------------------

    def build(self, functions: Iterable[str] | None = None) -> None:
        """Build ``functions`` (all by default) as `sam build` would, when the host builds
        them; a function that cannot be built is refused (its requests fail saying why)."""
        if self.builder is None:
            return
        for name in functions if functions is not None else list(self.pools):
            spec = self.pools[name].spec
            started = time.perf_counter()
            try:
                self.builds[name] = self.builder.build(spec)
            except BuildError as exc:
                self.builds[name] = exc
                self.log.host(f"refusing {name}: {exc}")
                continue
            self.log.host(
                f"built {name} for {spec.runtime} in {time.perf_counter() - started:.2f} s"
            )

    # -- invoke --------------------------------------------------------------------------

    def invoke(self, inv: Invocation, payload: bytes) -> None:
        """Run ``inv`` on an environment of its function; the outcome is recorded on ``inv``
        (nothing is raised for what the function or the platform did)."""
        pool = self.pools[inv.spec.logical_id]
        for _attempt in range(_DELIVERY_ATTEMPTS):
            lease = self._lease(pool, inv)
            if lease is None:
                return
            inv.leased(lease)
            env = lease.env
            if lease.cold and not self._initialise(pool, env, inv):
                return
            if inv.request_id is None:  # else START was written before INIT was retried
                inv.request_id = str(uuid.uuid4())
                self.log.emit(inv.spec.logical_id, start_line(inv.request_id))
            try:
                result = env.invoke(inv.request_id, payload, inv.lambda_trace_id, inv.deadline_s)
            except EnvironmentDead:
                pool.release(env, keep=False)
                self.log.host(f"{env.env_id} ended between invocations; using another one")
                continue
            inv.env_generation = env.generation
            result = self._within_memory(env, result)
            keep = result.outcome.keeps_environment
            if not keep:  # read before the process is gone; a kept one is read after replying
                inv.peak_bytes = env.peak_bytes()
            pool.release(env, keep)
            inv.completed(result)
            return
        inv.completed(
            InvokeResult(Outcome.CRASH, None, "Runtime.ExitError", "no environment took it", 0.0)
        )

    def _lease(self, pool: FunctionPool, inv: Invocation) -> Lease | None:
        """An environment for ``inv``: at the host's cap, evict another function's idle one,
        else wait (bounded) for one to be free. None (recorded on ``inv``) when refused."""
        deadline = time.monotonic() + self.settings.capacity_wait_s
        waited_since: float | None = None
        while True:
            try:
                lease = pool.lease()
            except NoEnvironment as exc:
                inv.refused(
                    Outcome.THROTTLED, "TooManyRequestsException", exc.detail, self._gauges(pool)
                )
                return None
            if lease is not None:
                if waited_since is not None:
                    inv.capacity_wait_ms = (time.monotonic() - waited_since) * 1000.0
                return lease
            if self._evict_idle(exclude=pool):
                continue
            now = time.monotonic()
            if waited_since is None:
                waited_since = now
            if now >= deadline:
                inv.capacity_wait_ms = (now - waited_since) * 1000.0
                inv.refused(
                    Outcome.CAPACITY,
                    "HostCapacityReached",
                    f"--max-environments {self.settings.max_environments}",
                    self._gauges(pool),
                )
                return None
            self.capacity.wait(min(0.25, deadline - now))

    def _evict_idle(self, exclude: FunctionPool) -> bool:
        """End the least recently used idle environment of another function."""
        candidates = [
            (oldest, pool)
            for pool in self.pools.values()
            if pool is not exclude and (oldest := pool.oldest_idle()) is not None
        ]
        for _oldest, pool in sorted(candidates, key=lambda c: c[0]):
            if pool.evict_oldest_idle():
                return True
        return False

    def _initialise(self, pool: FunctionPool, env: ExecutionEnvironment, inv: Invocation) -> bool:
        """A cold start's INIT, and its retry inside the invocation when it fails or runs
        past the INIT limit (see INIT_LIMIT_S). False (recorded on ``inv``) when the retry
        fails too."""
        tag = inv.spec.logical_id
        if isinstance(env, RestoredEnvironment):
            return self._restored(pool, env, inv)
        try:
            inv.init_ms = env.wait_ready(self.settings.init_limit_s)
        except InitFailed as first:
            self.log.emit(tag, _init_failure_line(first, "init"))
        else:
            pool.initialised(env)
            return True
        inv.request_id = str(uuid.uuid4())
        self.log.emit(tag, start_line(inv.request_id))
        inv.deadline_s = time.time() + inv.spec.timeout_s
        env.restart()
        try:
            inv.suppressed_init_ms = env.wait_ready(inv.spec.timeout_s)
        except InitFailed as second:
            self.log.emit(tag, _init_failure_line(second, "invoke"))
            pool.release(env, keep=False)
            inv.init_failed(second, env.peak_bytes())
            return False
        self.log.emit(tag, init_report_line(inv.suppressed_init_ms, "success", phase="invoke"))
        pool.initialised(env)
        return True

    def _restored(self, pool: FunctionPool, env: RestoredEnvironment, inv: Invocation) -> bool:
        """A SnapStart cold start: the restore and the after-restore hooks, within 10 s.
        Lambda does not retry a restore inside the invocation; the request fails."""
        tag = inv.spec.logical_id
        try:
            restore_ms = env.wait_ready(self.settings.restore_limit_s)
        except InitFailed as exc:
            timed_out = exc.error_type == "Runtime.InitTimeout"
            status = "timeout" if timed_out else "error"
            self.log.emit(tag, restore_report_line(exc.init_ms, status))
            failure = InitFailed(
                "SnapStartTimeoutException" if timed_out else exc.error_type,
                f"after-restore hooks did not finish in {self.settings.restore_limit_s:g} seconds"
                if timed_out
                else exc.message,
                exc.init_ms,
            )
            inv.request_id = str(uuid.uuid4())
            self.log.emit(tag, start_line(inv.request_id))
            pool.release(env, keep=False)
            inv.init_failed(failure, env.peak_bytes())
            inv.outcome = Outcome.ERROR  # a failed restore is an error, not the function's Timeout
            inv.error_type = failure.error_type
            return False
        inv.init_ms = None
        inv.restore_ms = restore_ms
        inv.billed_restore_ms = math.ceil(round(env.billed_restore_ms(restore_ms), 6))
        self.log.emit(tag, restore_report_line(restore_ms))
        pool.initialised(env)
        return True

    def warm_init_limit(self, spec: FunctionSpec) -> float:
        return max(PROVISIONED_INIT_LIMIT_S, spec.timeout_s)

    def _within_memory(self, env: ExecutionEnvironment, result: InvokeResult) -> InvokeResult:
        """Over MemorySize between two samples of the memory monitor: Lambda would have
        killed the environment during this invocation."""
        if result.outcome is Outcome.OK and env.rss_bytes() > env.spec.memory_mb * MIB:
            env.kill("oom")
            return InvokeResult(
                Outcome.OOM,
                None,
                "Runtime.OutOfMemory",
                "Runtime exited with error: signal: killed",
                result.duration_ms,
            )
        return result

    def _gauges(self, pool: FunctionPool) -> tuple[int, int, int]:
        gauges = pool.gauges()
        return gauges.busy, gauges.live, self.capacity.live

    # -- after the response --------------------------------------------------------------

    def report(self, inv: Invocation) -> None:
        """Log lines, metering and the invocation log, once the response is written."""
        tag = inv.spec.logical_id
        if inv.outcome is Outcome.THROTTLED:
            self.log.host(f"throttled {inv.route_key} -> {tag} ({inv.rejection})")
        elif inv.outcome is Outcome.CAPACITY:
            self.log.host(
                f"no environment for {inv.route_key} -> {tag}: the host's {inv.rejection} "
                f"cap was reached and none was free after {inv.capacity_wait_ms:.0f} ms "
                "(a limit of this machine, not a Lambda throttle)"
            )
        elif inv.outcome is Outcome.REJECTED:
            self.log.host(f"not invoked {inv.route_key} -> {tag}: {inv.rejection}")
        else:
            lease = inv.lease
            if lease is not None and inv.outcome.keeps_environment:
                self._check_peak(lease.env, inv)
                lease.env.freeze(inv.env_generation)
            for line in inv.platform_lines():
                self.log.emit(tag, line)
        record = inv.record()
        self.metering.record(record)
        if self.invocation_log is not None:
            self.invocation_log.append(record)

    def _check_peak(self, env: ExecutionEnvironment, inv: Invocation) -> None:
        inv.peak_bytes = max(inv.peak_bytes, env.peak_bytes())
        limit = env.spec.memory_mb * MIB
        if inv.peak_bytes > limit and env.kill_reason is None:
            self.log.host(
                f"{env.env_id}: peak memory {inv.max_memory_mb} MB passed MemorySize "
                f"{env.spec.memory_mb} MB; killed"
            )
            env.kill("oom")

    # -- many environments at once -----------------------------------------------------------

    def prewarm(self, functions: Iterable[str] | None = None, timeout_s: float = 60.0) -> None:
        """Start one environment per function that has none (``--warm-containers EAGER``)."""
        names = list(functions) if functions is not None else list(self.pools)
        threads = [
            threading.Thread(target=self._warm, args=(self.pools[n],), daemon=True)
            for n in names
            if self.pools[n].gauges().live == 0
        ]
        for t in threads:
            t.start()
        deadline = time.monotonic() + timeout_s
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))

    def provision(self) -> None:
        """Start every function's provisioned concurrency (``ProvisionedConcurrencyConfig``),
        and wait for it: AWS reports the alias Ready once its environments are initialised."""
        threads = [
            threading.Thread(target=self._provision, args=(pool,), daemon=True)
            for pool in self.pools.values()
            if pool.spec.provisioned_concurrency
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def _provision(self, pool: FunctionPool) -> None:
        """Top ``pool`` up to its provisioned concurrency, INITs in parallel."""
        with self._provisioning[pool.spec.logical_id]:  # one top-up at a time per function
            missing = pool.spec.provisioned_concurrency - pool.provisioned()
            threads = [
                threading.Thread(target=self._warm, args=(pool, PROVISIONED), daemon=True)
                for _ in range(max(0, missing))
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

    def _warm(self, pool: FunctionPool, initialization_type: str = "on-demand") -> None:
        env = pool.warm(initialization_type)
        if env is None:
            return
        try:
            init_ms = env.wait_ready(self.warm_init_limit(pool.spec))
        except InitFailed as exc:
            self.log.emit(pool.spec.logical_id, _init_failure_line(exc, "init"))
            pool.release(env, keep=False)
            return
        self.log.emit(pool.spec.logical_id, init_report_line(init_ms, "success"))
        pool.warmed(env)

    def invalidate(self, function: str | None = None, new_version: bool = False) -> int:
        """End idle environments now and busy ones after their invocation (``function`` or
        all); return how many were ended now. ``new_version``: the code changed, so a
        SnapStart function gets a new snapshot. Raises KeyError for an unknown function."""
        if function is not None and function not in self.pools:
            raise KeyError(function)
        pools = [self.pools[function]] if function is not None else list(self.pools.values())
        for pool in pools:
            if new_version and pool.spec.snap_start:
                self.snapshots.replace(pool.spec)
        return sum(pool.invalidate(keep_provisioned=not new_version) for pool in pools)

    def gauges(self) -> dict[str, Gauges]:
        return {name: pool.gauges() for name, pool in self.pools.items()}

    def environments(self) -> list[ExecutionEnvironment]:
        return [env for pool in self.pools.values() for env in pool.environments()]

    # -- background ------------------------------------------------------------------------

    def start_background(self, spawn: Callable[[Callable[[], None], str], None]) -> None:
        # Publishing a SnapStart version takes its snapshot, and the version is invoked only
        # once that is done: the host serves once its snapshots are taken (or failed).
        taking = [self.snapshots.of(p.spec) for p in self.pools.values() if p.spec.snap_start]
        for snapshot in taking:
            snapshot.ready.wait(self.warm_init_limit(snapshot.spec))
        self.provision()
        spawn(self._memory_loop, "devhost-memory")
        if self.settings.idle_timeout_s > 0:
            spawn(self._reaper_loop, "devhost-reaper")

    def _memory_loop(self) -> None:
        while not self._stopping.wait(self.settings.memory_poll_s):
            for env in self.environments():
                limit = env.spec.memory_mb * MIB
                rss = env.rss_bytes()
                if rss > limit and env.kill_reason is None:
                    self.log.host(
                        f"{env.env_id}: resident memory {rss // MIB} MB passed MemorySize "
                        f"{env.spec.memory_mb} MB; killed"
                    )
                    env.kill("oom")

    def _reaper_loop(self) -> None:
        timeout = self.settings.idle_timeout_s
        keep = 1 if self.settings.keep_warm else 0
        interval = min(1.0, max(0.05, timeout / 4))
        while not self._stopping.wait(interval):
            for name, pool in self.pools.items():
                reaped = pool.reap(timeout, keep)
                if reaped:
                    self.log.host(
                        f"reaped {len(reaped)} idle environment(s) of {name} (idle > {timeout:g}s)"
                    )

    def stop(self) -> None:
        """Stop the background loops and end every environment (waiting briefly)."""
        self._stopping.set()
        self.snapshots.close()
        envs = [env for pool in self.pools.values() for env in pool.close()]
        threads = [threading.Thread(target=env.shutdown, daemon=True) for env in envs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(2.0)
        if self.resources is not None:
            self.resources.close()


def _init_failure_line(exc: InitFailed, phase: str) -> str:
    if exc.error_type == "Runtime.InitTimeout":
        return init_report_line(exc.init_ms, "timeout", phase=phase)
    return init_report_line(exc.init_ms, "error", exc.error_type, phase=phase)
