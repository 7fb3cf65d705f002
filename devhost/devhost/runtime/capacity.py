"""The host's own cap on live environments (``--max-environments``), shared by every pool.

This is the machine's limit, not Lambda's: AWS has no such cap at this scale (1,000 concurrent
executions per account by default), so reaching it is never reported as a throttle. Waiters
(requests that found no environment) sleep on one condition, woken whenever an environment
becomes idle or ends anywhere."""

from __future__ import annotations

import threading

__all__ = ["Capacity"]


class Capacity:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._live = 0
        self._waiting = 0
        self._changed = threading.Condition()

    @property
    def live(self) -> int:
        return self._live

    def try_take(self) -> bool:
        """Reserve a slot for a new environment; False at the cap."""
        with self._changed:
            if self._live >= self.limit:
                return False
            self._live += 1
            return True

    def give_back(self) -> None:
        """An environment ended: its slot is free."""
        with self._changed:
            self._live = max(0, self._live - 1)
            self._changed.notify_all()

    def notify(self) -> None:
        """An environment became idle: a waiter of its function may take it."""
        if self._waiting:  # the warm path pays nothing when nobody waits
            with self._changed:
                self._changed.notify_all()

    def wait(self, timeout_s: float) -> None:
        with self._changed:
            self._waiting += 1
            try:
                self._changed.wait(timeout_s)
            finally:
                self._waiting -= 1
