"""A stack of its own for fault injection: real processes that the tests stop, freeze, flood
and kill (issue 15).

* ``victim`` — a PostgreSQL cluster of its own (``max_connections=20``, durable) holding the
  payment and notification databases: what the tests stop (``pg_ctl stop``), freeze
  (``SIGSTOP`` on every one of its processes) and exhaust. Identity, course and enrollment stay
  on the session's server, so the rest of the platform keeps working meanwhile.
* ``host`` — the local host as a separate process (``python -m devhost``), as `edu up` runs
  it, so that its environments are real processes and the host itself can be killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from edu_cli.postgres import EmbeddedPostgres
from edu_platform.ports import free_port, port_is_free
from tests.conftest import TEST_JWT_SECRET
from tests.support.databases import (
    create_service_databases,
    database_parameters,
    drop_service_databases,
    run_sync,
)
from tests.support.lambda_api import REPO_ROOT, Response, _Verbs
from tests.support.postgres import cluster_folder

# The functions whose databases live on the victim cluster.
ON_VICTIM = ("payment", "notification")
VICTIM_MAX_CONNECTIONS = 20


# -- the victim database ---------------------------------------------------------------------


@dataclass
class Victim:
    cluster: EmbeddedPostgres
    urls: dict[str, str]

    def postgres_pids(self) -> list[int]:
        """The postmaster and every process it started (backends, checkpointer, ...)."""
        postmaster = self.cluster.pid()
        assert postmaster is not None, "the victim cluster is not running"
        return [postmaster, *_children_of(postmaster)]

    def stop(self) -> None:
        self.cluster.stop()

    def start(self) -> None:
        self.cluster.start()

    def freeze(self) -> list[int]:
        pids = self.postgres_pids()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        return pids

    def thaw(self, pids: list[int]) -> None:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.kill(pid, signal.SIGCONT)

    def query(self, function: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        async def run() -> list[asyncpg.Record]:
            conn = await asyncpg.connect(self.urls[function], timeout=10)
            try:
                return list(await conn.fetch(sql, *args))
            finally:
                await conn.close()

        return run_sync(run())

    @contextlib.contextmanager
    def connections_held(self, function: str, count: int) -> Iterator[None]:
        """``count`` connections to the function's database held open meanwhile (another
        client using the server), on a loop of their own."""
        opened, release = threading.Event(), threading.Event()

        async def hold() -> None:
            conns = [await asyncpg.connect(self.urls[function], timeout=10) for _ in range(count)]
            opened.set()
            try:
                await asyncio.get_running_loop().run_in_executor(None, release.wait)
            finally:
                for conn in conns:
                    await conn.close()

        holder = threading.Thread(target=lambda: asyncio.run(hold()), daemon=True)
        holder.start()
        assert opened.wait(30), "could not open the connections to hold"
        try:
            yield
        finally:
            release.set()
            holder.join(30)

    def connections_of(self, function: str) -> int:
        """The function's sessions on the victim (all 20 when even this check is refused)."""
        try:
            rows = self.query(
                function,
                "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1",
                f"edu-{function}",
            )
        except asyncpg.TooManyConnectionsError:
            return VICTIM_MAX_CONNECTIONS
        return int(rows[0]["n"])


def _children_of(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


@pytest.fixture(scope="module")
def victim() -> Iterator[Victim]:
    with cluster_folder("faults") as folder:
        cluster = EmbeddedPostgres(
            folder / "victim", free_port(), max_connections=VICTIM_MAX_CONNECTIONS
        )
        cluster.start()
        try:
            urls = run_sync(create_service_databases(cluster.url(), "fault"))
            yield Victim(cluster, {name: urls[name] for name in ON_VICTIM})
            if not cluster.is_running():
                cluster.start()
            run_sync(drop_service_databases(cluster.url(), urls))
        finally:
            cluster.destroy()


# -- the host as a process -------------------------------------------------------------------


class HostClient(_Verbs):
    """Requests to the host over HTTP, answering as the handler clients do."""

    def __init__(self, url: str, timeout: float = 40.0) -> None:
        self.url = url
        self.timeout = timeout

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **_: Any,
    ) -> Response:
        all_headers = dict(headers or {})
        body = None
        if json_body is not None:
            body = json.dumps(json_body).encode()
            all_headers["content-type"] = "application/json"
        if token:
            all_headers["authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection(self.url.split("://", 1)[1], timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            raw = conn.getresponse()
            text = raw.read().decode(errors="replace")
            response_headers = {k.lower(): v for k, v in raw.getheaders()}
            return Response(raw.status, response_headers, text)
        finally:
            conn.close()


@dataclass
class HostProcess:
    """`python -m devhost` serving template.yaml on ``port``."""

    port: int
    parameters: dict[str, str]
    log_dir: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def client(self) -> HostClient:
        return HostClient(self.url)

    def start(self, timeout: float = 60) -> None:
        command = [
            sys.executable, "-m", "devhost",
            "--template", str(REPO_ROOT / "template.yaml"),
            "--port", str(self.port),
            "--no-hot-reload",
            # Not the CPU share of MemorySize (measured by the host's own tests): on a two-core
            # machine shared with other suites, an environment held to 0.3 CPU overruns INIT's
            # 10 s, and these tests are about the database, not cold starts.
            "--no-cpu-share",
            "--invocation-log", str(self.log_dir / "invocations.jsonl"),
            "--log-file", str(self.log_dir / "host.log"),
            *(f"--parameter-overrides={key}={value}" for key, value in self.parameters.items()),
        ]  # fmt: skip
        with (self.log_dir / "stdout.log").open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        wait_until(lambda: self._healthy(), timeout, "the host to answer /_host/health")

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(
                f"the host exited with {self.process.returncode}: "
                + (self.log_dir / "stdout.log").read_text()[-2000:]
            )
        try:
            return self.client.get("/_host/health").status == 200
        except OSError:
            return False

    def environment_pids(self, function: str | None = None) -> list[int]:
        """The pids of the host's execution environments (of ``function``, if given)."""
        assert self.process is not None
        return _environment_pids(self.process.pid, function)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


def _environment_pids(host_pid: int, function: str | None) -> list[int]:
    """The host's children that run a function's handler under awslambdaric."""
    found = []
    for pid in _children_of(host_pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        handlers = [part for part in cmdline if part.endswith(b".handler")]
        if handlers and (function is None or handlers[0] == f"{function}.handler".encode()):
            found.append(pid)
    return found


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> float:
    """Seconds until ``condition()`` held; fails the test after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"waited {timeout:.0f} s for {what}")


@pytest.fixture
def host_parameters(databases: dict[str, str], victim: Victim) -> dict[str, str]:
    urls = {**databases, **victim.urls}
    return {**database_parameters(urls), "JwtSecret": TEST_JWT_SECRET}


@pytest.fixture
def host(host_parameters: dict[str, str]) -> Iterator[HostProcess]:
    # The host's logs outside pytest's basetemp, which other sessions on the machine prune.
    with cluster_folder("faults-host") as logs:
        process = HostProcess(free_port(), host_parameters, logs)
        process.start()
        try:
            yield process
        finally:
            process.stop()
            keep = os.environ.get("EDU_FAULTS_KEEP_LOGS")
            if keep:
                shutil.copytree(logs, Path(keep) / logs.name, dirs_exist_ok=True)


# -- load --------------------------------------------------------------------------------------


@dataclass
class Outcome:
    at: float  # seconds since the load started
    status: int
    code: str | None
    seconds: float
    marker: str = ""
    # False when the host answered for a function that could not (a cold start that overran
    # INIT on a loaded machine, say): no X-Function-Name header.
    from_function: bool = True


@dataclass
class Load:
    """``workers`` threads calling ``request(marker)`` until stopped; every outcome kept."""

    request: Callable[[str], Response]
    workers: int
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _started: float = 0.0
    _answered: list[threading.Event] = field(default_factory=list)

    def __enter__(self) -> Load:
        self._started = time.monotonic()
        # Each client starts once the one before it had its first answer: its environment's
        # cold start then has the machine's CPU to itself (twelve at once on a busy two-core
        # machine, each held to its MemorySize's share of a CPU, overrun INIT's 10 s).
        answered = self._answered = [threading.Event() for _ in range(self.workers)]
        for worker in range(self.workers):
            after = answered[worker - 1] if worker else None
            thread = threading.Thread(
                target=self._run, args=(worker, after, answered[worker]), daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)

    def _run(self, worker: int, after: threading.Event | None, answered: threading.Event) -> None:
        while after is not None and not after.wait(0.5):
            if self._stop.is_set():
                return
        sequence = 0
        while not self._stop.is_set():
            sequence += 1
            marker = f"w{worker}-{sequence}"
            started = time.monotonic()
            from_function = False
            try:
                response = self.request(marker)
                status, code = response.status, _code_of(response)
                from_function = "x-function-name" in response.headers
            except OSError:
                status, code = 0, "connection_error"
            elapsed = time.monotonic() - started
            self.outcomes.append(
                Outcome(started - self._started, status, code, elapsed, marker, from_function)
            )
            answered.set()

    def started_workers(self) -> int:
        """Clients that have had an answer (each starts after the one before it has)."""
        return sum(1 for event in self._answered if event.is_set())

    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def wait_for_successes(self, count: int, timeout: float = 60) -> None:
        """Until ``count`` requests succeeded (the environments are warm)."""
        wait_until(
            lambda: sum(1 for o in self.outcomes if 200 <= o.status < 300) >= count,
            timeout,
            f"{count} successful requests",
        )

    def since(self, seconds: float) -> list[Outcome]:
        return [o for o in self.outcomes if o.at >= seconds]


def _code_of(response: Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def port_free_soon(port: int, timeout: float = 20) -> float:
    return wait_until(lambda: port_is_free(port), timeout, f"port {port} to be free")
