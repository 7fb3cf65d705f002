"""The execution environments of one function (as serverless-offline's ``LambdaFunctionPool``):
which are live, which are idle (reused most recent first), and every change of their state,
made here under the pool's lock and nowhere else."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from devhost.runtime.capacity import Capacity
from devhost.runtime.environment import ExecutionEnvironment
from devhost.runtime.states import EnvState
from devhost.template import FunctionSpec

__all__ = ["FunctionPool", "Gauges", "Lease", "NoEnvironment"]

# (spec, serial, AWS_LAMBDA_INITIALIZATION_TYPE) -> a started environment
EnvironmentFactory = Callable[[FunctionSpec, int, str], ExecutionEnvironment]
PROVISIONED = "provisioned-concurrency"


@dataclass(frozen=True)
class Gauges:
    live: int
    busy: int  # leased to a request (a cold start's INIT included)
    idle: int
    starting: int  # INIT running (cold starts and EAGER warm-ups)

    def as_dict(self) -> dict[str, int]:
        return {"live": self.live, "busy": self.busy, "idle": self.idle, "starting": self.starting}


@dataclass(frozen=True)
class Lease:
    """An environment held by one request. ``cold``: it was started for this request and
    still has to finish INIT."""

    env: ExecutionEnvironment
    cold: bool
    concurrent: int  # environments of this function leased, this one included
    function_environments: int
    host_environments: int


class NoEnvironment(Exception):
    """No environment for the request: Lambda's reserved concurrency (``throttled``) or the
    host's own cap (``capacity``) was reached."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason  # "reserved" | "capacity"
        self.detail = detail


class FunctionPool:
    def __init__(
        self,
        spec: FunctionSpec,
        capacity: Capacity,
        factory: EnvironmentFactory,
        end: Callable[[list[ExecutionEnvironment]], None],
    ) -> None:
        self.spec = spec
        self.capacity = capacity
        self._factory = factory
        self._end = end  # ends environments off the caller's thread
        self._lock = threading.Lock()
        self._envs: set[ExecutionEnvironment] = set()
        self._idle: list[ExecutionEnvironment] = []  # most recently used last
        self._leased = 0  # environments held by a request
        self._serial = 0
        self.closed = False

    # -- taking an environment -----------------------------------------------------------

    def lease(self) -> Lease | None:
        """An idle environment (warm), else a new one if a slot is free (cold), else None
        when only the host's cap stands in the way. Raises NoEnvironment at the function's
        reserved concurrency."""
        discarded: list[ExecutionEnvironment] = []
        try:
            with self._lock:
                # provisioned concurrency serves first; beyond it, requests spill over to
                # on-demand environments ("Configuring provisioned concurrency for a
                # function", docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html)
                self._provisioned_last()
                while self._idle:
                    env = self._idle.pop()
                    if env.alive and not env.stale:
                        return self._lease(env, cold=False)
                    self._remove(env)
                    discarded.append(env)
                reserved = self.spec.reserved_concurrency
                if reserved is not None and len(self._envs) >= reserved:
                    raise NoEnvironment("reserved", f"reserved concurrency {reserved}")
                if self.closed or not self.capacity.try_take():
                    return None
                env = self._new()
                return self._lease(env, cold=True)
        finally:
            self._end(discarded)

    def _provisioned_last(self) -> None:
        """Under the lock: idle provisioned environments at the end (taken first)."""
        if any(e.initialization_type == PROVISIONED for e in self._idle):
            self._idle.sort(key=lambda e: e.initialization_type == PROVISIONED)

    def _lease(self, env: ExecutionEnvironment, cold: bool) -> Lease:
        if not cold:
            env.transition(EnvState.BUSY)
        env.leased = True
        self._leased += 1
        return Lease(env, cold, self._leased, len(self._envs), self.capacity.live)

    def _new(self, initialization_type: str = "on-demand") -> ExecutionEnvironment:
        self._serial += 1
        env = self._factory(self.spec, self._serial, initialization_type)
        env.add_exit_listener(self._exited)
        self._envs.add(env)
        return env

    def warm(self, initialization_type: str = "on-demand") -> ExecutionEnvironment | None:
        """A new environment for nobody (``--warm-containers EAGER``, or provisioned
        concurrency); None at the cap."""
        with self._lock:
            if self.closed or not self.capacity.try_take():
                return None
            return self._new(initialization_type)

    def provisioned(self) -> int:
        """Provisioned environments live and not about to end."""
        with self._lock:
            return sum(
                1 for e in self._envs if e.initialization_type == PROVISIONED and not e.stale
            )

    # -- giving it back ------------------------------------------------------------------

    def initialised(self, env: ExecutionEnvironment) -> None:
        """A cold start's INIT ended well: the invocation begins."""
        with self._lock:
            env.transition(EnvState.BUSY)

    def warmed(self, env: ExecutionEnvironment) -> None:
        """An EAGER environment's INIT ended well: it waits for work."""
        self._settle(env, EnvState.IDLE, keep=True)

    def release(self, env: ExecutionEnvironment, keep: bool) -> None:
        """The request is done with ``env``: back to idle, or ended."""
        self._settle(env, EnvState.IDLE, keep)

    def _settle(self, env: ExecutionEnvironment, target: EnvState, keep: bool) -> None:
        ended: list[ExecutionEnvironment] = []
        with self._lock:
            if env.leased:
                env.leased = False
                self._leased -= 1
            if keep and env.alive and not env.stale and not self.closed and env in self._envs:
                env.transition(target)
                env.last_used = time.monotonic()
                self._idle.append(env)
            else:
                self._remove(env)
                ended.append(env)
        if ended:
            self._end(ended)
        else:
            self.capacity.notify()

    def _remove(self, env: ExecutionEnvironment) -> None:
        """Under the lock: forget ``env`` and free its slot (once, whoever calls first)."""
        if env.state is not EnvState.ENDED:
            env.transition(EnvState.ENDED)
        if env in self._idle:
            self._idle.remove(env)
        if env in self._envs:
            self._envs.discard(env)
            self.capacity.give_back()

    def _exited(self, env: ExecutionEnvironment) -> None:
        """The process ended on its own while idle (or while starting for nobody)."""
        with self._lock:
            if env.leased or env not in self._envs:
                return  # the request that holds it deals with it
            self._remove(env)
        if env.kill_reason is None:
            env.log.host(f"{env.env_id} exited while idle ({env.process.exit_detail()})")
        env.close()

    # -- ending many -----------------------------------------------------------------------

    def invalidate(self, keep_provisioned: bool = False) -> int:
        """End idle environments now and the others after their invocation; return how
        many were ended now. ``keep_provisioned``: provisioned ones stay (Lambda keeps them
        for as long as the configuration stands; only a new version replaces them)."""
        with self._lock:
            idle = [
                e
                for e in self._idle
                if not (keep_provisioned and e.initialization_type == PROVISIONED)
            ]
            for env in self._envs:
                if not (keep_provisioned and env.initialization_type == PROVISIONED):
                    env.stale = True
            for env in idle:
                self._remove(env)
        self._end(idle)
        return len(idle)

    def reap(self, idle_for_s: float, keep: int = 0) -> list[ExecutionEnvironment]:
        """End environments idle for ``idle_for_s`` or more, keeping the ``keep`` most
        recently used ones."""
        now = time.monotonic()
        with self._lock:
            candidates = self._idle[: max(0, len(self._idle) - keep)]
            # provisioned environments are kept for as long as the configuration stands
            reaped = [
                env
                for env in candidates
                if now - env.last_used >= idle_for_s and env.initialization_type != PROVISIONED
            ]
            for env in reaped:
                self._remove(env)
        self._end(reaped)
        return reaped

    def oldest_idle(self) -> float | None:
        """When the least recently used idle environment was last used."""
        with self._lock:
            evictable = self._evictable()
            return evictable.last_used if evictable is not None else None

    def _evictable(self) -> ExecutionEnvironment | None:
        """Under the lock: the least recently used idle environment that is not provisioned."""
        return next((e for e in self._idle if e.initialization_type != PROVISIONED), None)

    def evict_oldest_idle(self) -> bool:
        """End the least recently used idle environment (to free a slot elsewhere)."""
        with self._lock:
            env = self._evictable()
            if env is None:
                return False
            self._remove(env)
        self._end([env])
        return True

    def close(self) -> list[ExecutionEnvironment]:
        """Stop taking work; every live environment, for the caller to end."""
        with self._lock:
            self.closed = True
            envs = list(self._envs)
            for env in envs:
                self._remove(env)
        return envs

    # -- reading -----------------------------------------------------------------------------

    def gauges(self) -> Gauges:
        with self._lock:
            return Gauges(
                live=len(self._envs),
                busy=sum(1 for e in self._envs if e.leased),
                idle=len(self._idle),
                starting=sum(1 for e in self._envs if e.state is EnvState.STARTING),
            )

    def environments(self) -> list[ExecutionEnvironment]:
        with self._lock:
            return list(self._envs)
