"""Samples taken while the load runs: backends per database from ``pg_stat_activity``, the
local host's execution environments (live, busy, starting) and capacity waits from
``/_host/functions``, and the machine (CPU per core, load, memory: :mod:`edu_loadtest.machine`).

One sampler connection per database URL (its own ``application_name``, left out of the
counts); ``application_name`` (``edu-<function>``, set by the shared layer's pool) tells the
functions' backends apart.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from dataclasses import dataclass
from typing import Any

from edu_loadtest.attribution import function_name
from edu_loadtest.machine import MachineProbe, MachineSample
from edu_loadtest.report import SAMPLER_APPLICATION_NAME, ConnectionSample
from edu_platform import Registry

__all__ = ["SAMPLER_APPLICATION_NAME", "EnvironmentSample", "Sampler"]

_QUERY = """
SELECT coalesce(nullif(application_name, ''), '(none)') AS app, count(*)::int AS n
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
GROUP BY 1
"""


@dataclass(frozen=True)
class EnvironmentSample:
    ts: float
    function: str
    live: int
    busy: int
    starting: int = 0  # environments in their INIT phase at that moment
    capacity_waits: int = 0  # the host's counter so far (waits at its --max-environments cap)


class Sampler:
    """A background thread sampling every ``interval`` seconds until :meth:`stop`:
    ``databases`` (function -> URL) and the local host at ``host_url``, when given."""

    def __init__(
        self,
        databases: dict[str, str] | None,
        host_url: str | None = None,
        interval: float = 0.5,
        registry: Registry | None = None,
    ) -> None:
        self.databases = dict(databases or {})
        self.registry = registry
        self.host_url = host_url.rstrip("/") if host_url else None
        self.interval = interval
        self.connections: list[ConnectionSample] = []
        self.environments: list[EnvironmentSample] = []
        self.machine: list[MachineSample] = []
        self._probe = MachineProbe()
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="edu-load-sampler", daemon=True)

    def start(self) -> Sampler:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=15)

    def __enter__(self) -> Sampler:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- latest values for the progress line -------------------------------------------------

    def latest_connections(self) -> int:
        if not self.connections:
            return 0
        last = self.connections[-1].ts
        return sum(
            c.count
            for c in self.connections
            if c.ts == last and c.application_name != SAMPLER_APPLICATION_NAME
        )

    def latest_environments(self) -> int:
        if not self.environments:
            return 0
        last = self.environments[-1].ts
        return sum(e.live for e in self.environments if e.ts == last)

    # -- the thread ------------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._main())
        finally:
            loop.close()

    async def _connect(self) -> dict[str, Any]:
        import asyncpg

        connections: dict[str, Any] = {}
        for name, url in self.databases.items():
            try:
                connections[name] = await asyncpg.connect(
                    url, timeout=5, server_settings={"application_name": SAMPLER_APPLICATION_NAME}
                )
            except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
                self.errors.append(f"{name}: cannot sample pg_stat_activity: {exc}")
        return connections

    async def _main(self) -> None:
        connections = await self._connect()
        try:
            while not self._stop.is_set():
                ts = time.time()
                self.machine.append(self._probe.sample())
                await self._sample_databases(connections, ts)
                await asyncio.get_running_loop().run_in_executor(None, self._sample_host, ts)
                spent = time.time() - ts
                await asyncio.sleep(max(0.0, self.interval - spent))
        finally:
            for conn in connections.values():
                with contextlib.suppress(Exception):
                    await conn.close()

    async def _sample_databases(self, connections: dict[str, Any], ts: float) -> None:
        for name, conn in list(connections.items()):
            try:
                rows = await conn.fetch(_QUERY, timeout=5)
            except Exception as exc:
                self.errors.append(f"{name}: {exc}")
                connections.pop(name)
                continue
            seen = False
            for row in rows:
                seen = seen or row["app"] == f"edu-{name}"
                self.connections.append(ConnectionSample(ts, name, row["app"], row["n"]))
            if not seen:  # an explicit zero, so the charts drop to 0 when the pool closes
                self.connections.append(ConnectionSample(ts, name, f"edu-{name}", 0))

    def _sample_host(self, ts: float) -> None:
        if self.host_url is None:
            return
        import requests

        try:
            data = requests.get(f"{self.host_url}/_host/functions", timeout=2).json()
        except (requests.RequestException, ValueError):
            return
        for logical_id, info in (data.get("functions") or {}).items():
            envs = info.get("environments") or {}
            self.environments.append(
                EnvironmentSample(
                    ts,
                    function_name(logical_id, self.registry),
                    int(envs.get("live", 0)),
                    int(envs.get("busy", 0)),
                    int(envs.get("starting", 0)),
                    int(info.get("capacity_waits", 0)),
                )
            )
