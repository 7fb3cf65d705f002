"""`python -m edu_cli.soakbench`: a steady mixed load for a long time (the `make bench-soak`
target, issue 15). Does anything grow or slow down when the platform simply keeps serving?

On a stack of its own — one durable PostgreSQL cluster holding the five databases on a free
port, migrated and seeded small, and the local host as a process (`python -m devhost`, as
`edu up` runs it) — worker threads send a mixed load at a fixed rate: the catalog, searches,
course details, a student's enrollments and notifications, notification writes and logins.
Every few seconds it samples the host process (RSS, open files, threads), the environments it
runs (count, RSS) and the databases' connections; at the end it prints the first minute
against the last: those figures, p50/p99 latency, errors, and the log bytes per request.
Nothing is asserted: the figures are for reading (a benchmark, not a test).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from edu_cli.migrations import migrate_all
from edu_cli.postgres import EmbeddedPostgres
from edu_cli.stack import load_stack
from edu_platform import load_registry
from edu_platform.ports import free_port
from edu_seed.aio import run_coroutine
from edu_seed.run import seed_async

SAMPLE_EVERY_SECONDS = 5.0
JWT_SECRET = "soak-benchmark-secret-not-for-anything-else-0123456789"


@dataclass
class Sample:
    at: float
    host_rss_mb: float
    host_open_files: int
    host_threads: int
    environments: int
    environments_rss_mb: float
    db_connections: int
    log_bytes: int
    requests: int


@dataclass
class Request:
    at: float
    kind: str
    status: int
    ms: float


@dataclass
class Soak:
    url: str
    accounts: dict[str, Any]
    rate: float
    workers: int
    results: list[Request] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    started: float = 0.0
    tokens: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, body: Any = None, token: str = "") -> int:
        headers = {"content-type": "application/json"} if body is not None else {}
        if token:
            headers["authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection(self.url.split("://", 1)[1], timeout=30)
        try:
            conn.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except OSError:
            return 0
        finally:
            conn.close()

    def login(self, email: str) -> str:
        conn = http.client.HTTPConnection(self.url.split("://", 1)[1], timeout=30)
        body = json.dumps({"email": email, "password": self.accounts["password"]})
        conn.request("POST", "/api/auth/login", body, {"content-type": "application/json"})
        token: str = json.loads(conn.getresponse().read())["access_token"]
        conn.close()
        return token

    def one(self, rng: random.Random) -> tuple[str, int]:
        """One request of the mix, chosen by weight."""
        courses = self.accounts["course_ids"]
        token = rng.choice(self.tokens)
        roll = rng.random()
        if roll < 0.25:
            return "catalog", self.call("GET", "/api/courses?limit=20")
        if roll < 0.40:
            term = rng.choice(self.accounts["search"]["frequent"])["term"]
            return "search", self.call("GET", f"/api/courses?q={term}&limit=20")
        if roll < 0.65:
            return "detail", self.call("GET", f"/api/courses/{rng.choice(courses)}")
        if roll < 0.75:
            return "enrollments", self.call("GET", "/api/enrollments/me", token=token)
        if roll < 0.85:
            return "notifications", self.call("GET", "/api/notifications/me", token=token)
        if roll < 0.97:
            note = {"type": "system", "title": "soak", "body": "steady load"}
            return "notify", self.call("POST", "/api/notifications", note, token=token)
        email = rng.choice(self.accounts["students"])["email"]
        body = {"email": email, "password": self.accounts["password"]}
        return "login", self.call("POST", "/api/auth/login", body)

    def warm_up(self, timeout: float = 300) -> None:
        """Until every kind of request has succeeded, one at a time, then with every worker
        at once: cold starts (seconds each on a busy machine) are not what a soak measures."""
        rng = random.Random(0)
        succeeded: set[str] = set()
        deadline = time.monotonic() + timeout
        while len(succeeded) < 7 and time.monotonic() < deadline:
            kind, status = self.one(rng)
            if 200 <= status < 300:
                succeeded.add(kind)
        rounds = [
            threading.Thread(target=lambda i=i: [self.one(random.Random(i)) for _ in range(5)])
            for i in range(self.workers)
        ]
        for thread in rounds:
            thread.start()
        for thread in rounds:
            thread.join(timeout)

    def worker(self, index: int) -> None:
        rng = random.Random(index)
        interval = self.workers / self.rate
        next_at = time.monotonic() + rng.random() * interval
        while not self.stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at += interval
            started = time.monotonic()
            kind, status = self.one(rng)
            self.results.append(
                Request(started - self.started, kind, status, (time.monotonic() - started) * 1e3)
            )


def _status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rfind(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def _connections(server_url: str) -> int:
    conn = await asyncpg.connect(server_url)
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'edu-%'"
        )
        return count
    finally:
        await conn.close()


def _log_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.glob("*.log*")) + sum(
        path.stat().st_size for path in folder.glob("*.jsonl*")
    )


def sample(soak: Soak, host: subprocess.Popen[bytes], server_url: str, logs: Path) -> Sample:
    environments = [
        pid
        for pid in _children(host.pid)
        if b".handler" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    rss = 0
    for pid in environments:
        with contextlib.suppress(OSError):  # it may have just ended
            rss += _status_field(pid, "VmRSS")
    return Sample(
        at=time.monotonic() - soak.started,
        host_rss_mb=_status_field(host.pid, "VmRSS") / 1024,
        host_open_files=len(list(Path(f"/proc/{host.pid}/fd").iterdir())),
        host_threads=_status_field(host.pid, "Threads"),
        environments=len(environments),
        environments_rss_mb=rss / 1024,
        db_connections=run_coroutine(_connections(server_url)),
        log_bytes=_log_bytes(logs),
        requests=len(soak.results),
    )


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def report(soak: Soak, samples: list[Sample], seconds: float, window: float) -> None:
    first = [r for r in soak.results if r.at < window]
    last = [r for r in soak.results if r.at >= seconds - window]
    first_samples = [s for s in samples if s.at < window] or samples[:1]
    last_samples = [s for s in samples if s.at >= seconds - window] or samples[-1:]

    def mean(values: list[float]) -> float:
        return statistics.fmean(values) if values else float("nan")

    rows: list[tuple[str, Callable[[Sample], float]]] = [
        ("host RSS (MB)", lambda s: s.host_rss_mb),
        ("host open files", lambda s: s.host_open_files),
        ("host threads", lambda s: s.host_threads),
        ("environments", lambda s: s.environments),
        ("environments RSS (MB)", lambda s: s.environments_rss_mb),
        ("database connections", lambda s: s.db_connections),
    ]
    print(f"\nsoak: {seconds / 60:.1f} min, {len(soak.results)} requests "
          f"({len(soak.results) / seconds:.1f}/s), first vs last {window:.0f} s")  # fmt: skip
    load = os.getloadavg()[0]
    print(f"machine load average (1 min) at the end: {load:.1f} on {os.cpu_count()} CPUs")
    print(f"{'':26}{'first':>10}{'last':>10}{'last/first':>12}")
    for name, value in rows:
        a = mean([float(value(s)) for s in first_samples])
        b = mean([float(value(s)) for s in last_samples])
        print(f"{name:26}{a:10.1f}{b:10.1f}{(b / a if a else float('nan')):12.2f}")
    for name, q in (("p50 latency (ms)", 50), ("p99 latency (ms)", 99)):
        a = _percentile([r.ms for r in first], q)
        b = _percentile([r.ms for r in last], q)
        print(f"{name:26}{a:10.1f}{b:10.1f}{b / a:12.2f}")
    errors = [r for r in soak.results if r.status == 0 or r.status >= 500]
    kinds = ", ".join(
        f"{kind} {status or 'no answer'}: {count}"
        for (kind, status), count in sorted(Counter((r.kind, r.status) for r in errors).items())
    )
    print(f"{'errors (5xx or no answer)':26}{len(errors):10d}  {kinds}")
    grown = samples[-1].log_bytes - samples[0].log_bytes
    served = samples[-1].requests - samples[0].requests
    print(f"{'log bytes per request':26}{grown / max(served, 1):10.0f}  "
          f"(runtime and invocation logs, {grown / 1e6:.1f} MB in all)")  # fmt: skip
    by_kind: dict[str, list[float]] = {}
    for r in soak.results:
        by_kind.setdefault(r.kind, []).append(r.ms)
    print("\nper request kind: count, p50, p99 (ms)")
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind:14}{len(values):8d}{_percentile(values, 50):10.1f}"
              f"{_percentile(values, 99):10.1f}")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=14.0, help="requests per second")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--scale", type=float, default=0.01, help="seed scale")
    parser.add_argument("--window", type=float, default=60.0, help="seconds compared")
    parser.add_argument("--logs", type=Path, help="keep the host's logs in this folder")
    args = parser.parse_args(argv)
    seconds = args.minutes * 60

    with tempfile.TemporaryDirectory(prefix="edu-soak-") as root:
        folder = Path(root)
        cluster = EmbeddedPostgres(folder / "postgres", free_port(), max_connections=200)
        cluster.start()
        host: subprocess.Popen[bytes] | None = None
        try:
            registry = load_registry()
            urls = {f.name: cluster.url(f.name) for f in registry.functions if f.database_parameter}
            chosen = {str(registry.function(n).database_parameter): u for n, u in urls.items()}
            chosen["JwtSecret"] = JWT_SECRET
            stack = load_stack(chosen)
            run_coroutine(migrate_all(stack))
            accounts_file = folder / "accounts.json"
            print(f"seeding at scale {args.scale} ...", flush=True)
            run_coroutine(
                seed_async(urls, scale=args.scale, accounts_file=accounts_file, bcrypt_rounds=4)
            )
            accounts = json.loads(accounts_file.read_text())
            logs = args.logs or folder / "logs"
            logs.mkdir(parents=True, exist_ok=True)
            port = free_port()
            host = subprocess.Popen(
                [
                    sys.executable, "-m", "devhost", "--port", str(port), "--no-hot-reload",
                    "--quiet", "--log-file", str(logs / "runtime.log"),
                    "--invocation-log", str(logs / "invocations.jsonl"),
                    *(f"--parameter-overrides={k}={v}" for k, v in stack.parameters.items()),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # fmt: skip
            soak = Soak(f"http://127.0.0.1:{port}", accounts, args.rate, args.workers)
            deadline = time.monotonic() + 60
            while soak.call("GET", "/_host/health") != 200:
                if time.monotonic() > deadline or host.poll() is not None:
                    print("the host did not start", file=sys.stderr)
                    return 1
                time.sleep(0.2)
            soak.tokens = [soak.login(s["email"]) for s in accounts["students"][:20]]
            print("warming up ...", flush=True)
            soak.warm_up()
            print(f"soaking for {args.minutes:g} min at {args.rate:g} req/s ...", flush=True)
            soak.started = time.monotonic()
            threads = [
                threading.Thread(target=soak.worker, args=(i,), daemon=True)
                for i in range(args.workers)
            ]
            for thread in threads:
                thread.start()
            samples = [sample(soak, host, cluster.url(), logs)]
            while time.monotonic() - soak.started < seconds:
                time.sleep(SAMPLE_EVERY_SECONDS)
                samples.append(sample(soak, host, cluster.url(), logs))
            soak.stop.set()
            for thread in threads:
                thread.join(60)
            report(soak, samples, seconds, min(args.window, seconds / 2))
        finally:
            if host is not None:
                host.terminate()
                try:
                    host.wait(60)
                except subprocess.TimeoutExpired:
                    host.kill()
            cluster.destroy()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
