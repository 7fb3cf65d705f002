"""Locust in child processes: headless, with the scenario's users, its CSV and HTML, and the
request logs the report is built from; a progress line while it runs.

One process by default; with ``workers`` Locust's own distributed mode: a master (which runs
no users: it spreads them and gathers the statistics) and N worker processes, each writing
its own request log, so the load generator is not limited to one core.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from edu_loadtest.options import Echo, LoadOptions, parse_run_time
from edu_loadtest.scenarios import user_classes
from edu_platform.ports import free_port

__all__ = ["LOCUSTFILE", "LocustProcess", "RequestCounter"]

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


class RequestCounter:
    """Requests, failures and cold starts in the request log so far (reads only what is new)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.requests = self.failures = self.cold = 0

    def update(self) -> RequestCounter:
        if self.path.exists():
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
            complete = chunk.rfind(b"\n") + 1  # a line still being written waits
            self.offset += complete
            for line in chunk[:complete].splitlines():
                self.requests += 1
                self.failures += b'"ok":false' in line
                self.cold += b'"cold":true' in line
        return self


@dataclass(frozen=True)
class LocustProcess:
    opts: LoadOptions
    url: str
    out: Path
    master_port: int = field(default_factory=free_port)

    @property
    def request_log(self) -> Path:
        """The one process's request log (a distributed run's master writes none)."""
        return self.out / "requests.jsonl"

    @property
    def request_logs(self) -> list[Path]:
        """Every request log of the run: the one process's, or one per local worker."""
        if not self.opts.workers:
            return [self.request_log]
        return [self.out / f"requests.worker-{i}.jsonl" for i in range(self.opts.workers)]

    @property
    def port(self) -> int:
        return self.opts.master_port or self.master_port

    def command(self) -> list[str]:
        opts = self.opts
        distributed = (
            [
                "--master",
                "--expect-workers", str(opts.worker_count),
                "--expect-workers-max-wait", "120",
                "--master-bind-host", opts.master_bind_host,
                "--master-bind-port", str(self.port),
            ]
            if opts.distributed
            else []
        )  # fmt: skip
        return [
            sys.executable, "-m", "locust",
            "-f", str(LOCUSTFILE),
            "--headless",
            "--users", str(opts.users),
            "--spawn-rate", str(opts.spawn_rate),
            "--run-time", opts.run_time,
            "--host", self.url,
            "--csv", str(self.out / "locust"),
            "--html", str(self.out / "locust.html"),
            "--only-summary",
            "--stop-timeout", "5",
            "--loglevel", "WARNING",
            *distributed,
            *user_classes(opts.scenario),
        ]  # fmt: skip

    def worker_command(self) -> list[str]:
        """A local worker: it connects to the master, which tells it what to run."""
        return [
            sys.executable, "-m", "locust",
            "-f", str(LOCUSTFILE),
            "--worker",
            "--master-host", "127.0.0.1",
            "--master-port", str(self.port),
            "--loglevel", "WARNING",
        ]  # fmt: skip

    def worker_environment(self, index: int) -> dict[str, str]:
        return {
            **self.environment(),
            "EDU_LOADTEST_REQUEST_LOG": str(self.request_logs[index]),
            "EDU_LOADTEST_WORKER_INDEX": str(index),
            "EDU_LOADTEST_WORKERS": str(self.opts.worker_count),
        }

    def environment(self) -> dict[str, str]:
        """What the locustfile reads (see its docstring)."""
        opts = self.opts
        environment = {
            **os.environ,
            "EDU_LOADTEST_SCENARIO": opts.scenario,
            "EDU_LOADTEST_REQUEST_LOG": str(self.request_log),
            "EDU_LOADTEST_RESET_EVERY": str(opts.reset_every),
            "EDU_LOADTEST_USERS": str(opts.users),
            "EDU_LOADTEST_RUN_TIME": str(parse_run_time(opts.run_time)),
        }
        if opts.accounts:
            environment["EDU_SEED_ACCOUNTS"] = str(opts.accounts)
        if opts.cold_period:
            environment["EDU_LOADTEST_COLD_PERIOD"] = str(opts.cold_period)
        return environment

    def run(self, status: Callable[[], str], echo: Echo) -> int:
        """Run Locust to its end; Locust's exit code. Every few seconds (in place on a
        terminal) a progress line: elapsed time, requests so far, and ``status()``."""
        opts = self.opts
        for path in {self.request_log, *self.request_logs}:
            path.unlink(missing_ok=True)
        total = parse_run_time(opts.run_time)
        counters = [RequestCounter(path) for path in self.request_logs]
        tty = sys.stdout.isatty()
        with (self.out / "locust.log").open("wb") as log:
            environment = self.environment()
            if opts.workers:
                environment.pop("EDU_LOADTEST_REQUEST_LOG")  # the master runs no users
            process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=environment
            )
            workers = [
                subprocess.Popen(
                    self.worker_command(),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self.worker_environment(index),
                )
                for index in range(opts.workers)
            ]
            started = time.monotonic()
            last_print = 0.0
            while process.poll() is None:
                time.sleep(0.5)
                elapsed = time.monotonic() - started
                if not opts.progress or (not tty and elapsed - last_print < 5):
                    continue
                last_print = elapsed
                requests = failures = cold = 0
                for counter in counters:
                    counter.update()
                    requests += counter.requests
                    failures += counter.failures
                    cold += counter.cold
                line = (
                    f"[{min(elapsed, total):5.0f}s/{total:.0f}s] {opts.scenario} "
                    f"users {opts.users}  requests {requests:,} "
                    f"({requests / max(elapsed, 1e-9):.1f}/s)"
                    f"  failures {failures:,}  cold {cold:,}  {status()}"
                )
                echo(("\r" + line) if tty else line)
            if tty and opts.progress:
                echo("")
            for worker in workers:  # the master told them to quit when it stopped
                try:
                    worker.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait(timeout=5)
        return process.returncode
