"""Named states of an execution environment, the transitions allowed between them, and the
outcomes of an invocation.

The states follow the Runtime Interface Emulator's runtime states (``internal/lambda/core``:
Started → Ready ⇄ Running, InitError), seen from the pool: an environment is STARTING while its
INIT phase runs, IDLE when its runtime waits on ``/next`` with nothing to do, BUSY while an
invocation runs, and ENDED for good. Any other move is a bug, and raises.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EnvState", "InvalidTransition", "Outcome", "check_transition"]


class EnvState(StrEnum):
    STARTING = "starting"
    IDLE = "idle"
    BUSY = "busy"
    ENDED = "ended"


_ALLOWED: dict[EnvState, frozenset[EnvState]] = {
    # a cold start goes straight to BUSY with the request that started it; EAGER to IDLE
    EnvState.STARTING: frozenset({EnvState.BUSY, EnvState.IDLE, EnvState.ENDED}),
    EnvState.IDLE: frozenset({EnvState.BUSY, EnvState.ENDED}),
    EnvState.BUSY: frozenset({EnvState.IDLE, EnvState.ENDED}),
    EnvState.ENDED: frozenset(),
}


class InvalidTransition(RuntimeError):
    pass


def check_transition(env_id: str, current: EnvState, target: EnvState) -> None:
    if target not in _ALLOWED[current]:
        raise InvalidTransition(f"{env_id}: {current} -> {target} is not allowed")


class Outcome(StrEnum):
    """What became of one request for a function (the invocation log's ``outcome``)."""

    OK = "ok"
    ERROR = "error"  # the function (or its init) failed; Lambda answered with an error
    TIMEOUT = "timeout"  # the function's Timeout
    OOM = "oom"  # MemorySize passed; the environment was killed
    CRASH = "crash"  # the runtime process exited mid-invocation
    THROTTLED = "throttled"  # Lambda refused: ReservedConcurrentExecutions reached
    CAPACITY = "capacity"  # the host's own --max-environments cap (not a Lambda throttle)
    REJECTED = "rejected"  # never invoked: the event is over Lambda's payload limit

    @property
    def reached_function(self) -> bool:
        return self not in (Outcome.THROTTLED, Outcome.CAPACITY, Outcome.REJECTED)

    @property
    def is_function_error(self) -> bool:
        return self in (Outcome.ERROR, Outcome.TIMEOUT, Outcome.OOM, Outcome.CRASH)

    @property
    def keeps_environment(self) -> bool:
        """An environment survives a handler error, not a timeout, a kill or a crash."""
        return self in (Outcome.OK, Outcome.ERROR)
