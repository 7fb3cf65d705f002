"""Locust in a child process: headless, with the scenario's users, its CSV and HTML, and the
request log the report is built from; a progress line while it runs."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from edu_loadtest.options import Echo, LoadOptions, parse_run_time
from edu_loadtest.scenarios import user_classes

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

    @property
    def request_log(self) -> Path:
        return self.out / "requests.jsonl"

    def command(self) -> list[str]:
        opts = self.opts
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
            *user_classes(opts.scenario),
        ]  # fmt: skip

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
        self.request_log.unlink(missing_ok=True)
        total = parse_run_time(opts.run_time)
        counter = RequestCounter(self.request_log)
        tty = sys.stdout.isatty()
        with (self.out / "locust.log").open("wb") as log:
            process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, env=self.environment()
            )
            started = time.monotonic()
            last_print = 0.0
            while process.poll() is None:
                time.sleep(0.5)
                elapsed = time.monotonic() - started
                if not opts.progress or (not tty and elapsed - last_print < 5):
                    continue
                last_print = elapsed
                counter.update()
                line = (
                    f"[{min(elapsed, total):5.0f}s/{total:.0f}s] {opts.scenario} "
                    f"users {opts.users}  requests {counter.requests:,} "
                    f"({counter.requests / max(elapsed, 1e-9):.1f}/s)"
                    f"  failures {counter.failures:,}  cold {counter.cold:,}  {status()}"
                )
                echo(("\r" + line) if tty else line)
            if tty and opts.progress:
                echo("")
        return process.returncode
