"""The machine under a load run: CPU utilisation per core, load average and memory, sampled
beside the latencies so a report can tell this machine's limits from the architecture's."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

__all__ = ["SATURATED_CPU_PERCENT", "MachineProbe", "MachineSample"]

# Every core at least this busy: the machine, not the code under test, sets the pace.
SATURATED_CPU_PERCENT = 90.0


@dataclass(frozen=True)
class MachineSample:
    ts: float
    cpu_percent: tuple[float, ...]  # per core, since the previous sample
    load_1m: float
    memory_percent: float

    @property
    def cpu_mean(self) -> float:
        return sum(self.cpu_percent) / len(self.cpu_percent) if self.cpu_percent else 0.0

    @property
    def saturated(self) -> bool:
        """Every core at least :data:`SATURATED_CPU_PERCENT` busy."""
        return bool(self.cpu_percent) and min(self.cpu_percent) >= SATURATED_CPU_PERCENT


class MachineProbe:
    """Takes :class:`MachineSample` s; each one's CPU figures cover the time since the
    previous call (the first covers the time since the probe was made)."""

    # psutil's utilisation over a shorter interval is mostly rounding (0% or 100%)
    MIN_INTERVAL_S = 0.1

    def __init__(self) -> None:
        import psutil

        self._psutil = psutil
        psutil.cpu_percent(percpu=True)  # the first reading only starts the interval
        self._last = time.monotonic()

    @property
    def cores(self) -> int:
        return os.cpu_count() or 1

    def sample(self) -> MachineSample:
        psutil = self._psutil
        wait = self.MIN_INTERVAL_S - (time.monotonic() - self._last)
        if wait > 0:
            time.sleep(wait)
        self._last = time.monotonic()
        return MachineSample(
            ts=time.time(),
            cpu_percent=tuple(float(p) for p in psutil.cpu_percent(percpu=True)),
            load_1m=os.getloadavg()[0],
            memory_percent=float(psutil.virtual_memory().percent),
        )
